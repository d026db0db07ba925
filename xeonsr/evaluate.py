"""Run a method over a test set by the protocol and collect per-image PSNR/SSIM/latency."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from xeonsr.data import DatasetError, dataset_files
from xeonsr.imaging import list_images, load_image, to_uint8
from xeonsr.metrics import SSIM_WINDOW, psnr, ssim
from xeonsr.paper import PAPER, PAPER_MEAN
from xeonsr.protocol import PROTOCOL, Sample, bicubic_upscale, check_scale, make_sample

# lr Y (h, w) float on 0..255 -> sr Y (s*h, s*w) float on 0..255
UpscaleFn = Callable[[np.ndarray], np.ndarray]


SAMPLE_PHOTOS = ("astronaut.png", "camera.png", "chelsea.png", "coffee.png", "rocket.jpg")


def sample_photo_paths() -> list[Path]:
    """Photos that scikit-image's wheel ships: the default test set with no --data-dir."""
    import skimage

    root = Path(skimage.__file__).parent / "data"
    return [root / n for n in SAMPLE_PHOTOS if (root / n).is_file()]


def default_dataset(data_dir, preferred: str = "Set5") -> str:
    """The set a command runs on when none is named: ``preferred`` where datasets are, else the photos."""
    from xeonsr.data import data_root

    return preferred if data_root(data_dir) else "samples"


def dataset_names(arg: str | None) -> list[str | None]:
    """--dataset as one name or path, or a comma-separated list of them (a path with a comma in
    its name is taken whole when it exists)."""
    import os

    if arg is None or "," not in arg or os.path.exists(arg):
        return [arg]
    return list(dict.fromkeys(name.strip() for name in arg.split(",") if name.strip()))  # Set5,Set5: one table


def resolve_dataset(name_or_path: str | None, data_dir, *, default: str = "Set5") -> tuple[str, list[Path]]:
    """-> (label, image files). None means ``default`` under the data dir, else the sample photos."""
    if name_or_path is None:
        name_or_path = default_dataset(data_dir, default)
    if name_or_path == "samples":
        return "samples", sample_photo_paths()
    return dataset_files(name_or_path, data_dir)


def load_samples(source: str | Path | list[Path], scale: int) -> list[Sample]:
    """Images (a folder or a list of files) prepared by the protocol; errors name the file."""
    check_scale(scale)
    if isinstance(source, (str, Path)):
        files = list_images(source)
        if not files:
            raise DatasetError(f"no images in {source} (looked for png, bmp, jpg, tif, webp)")
    else:
        files = list(source)
    samples = []
    for p in files:
        img = load_image(p)
        if min(img.shape[:2]) < smallest_side(scale):
            raise DatasetError(
                f"{p}: {img.shape[1]}x{img.shape[0]} is too small to evaluate at x{scale}: the protocol's "
                f"{scale}-pixel border and SSIM's {SSIM_WINDOW} x {SSIM_WINDOW} window need at least "
                f"{smallest_side(scale)} pixels a side"
            )
        samples.append(make_sample(p.stem, img, scale))
    return samples


def smallest_side(scale: int) -> int:
    """The fewest pixels an image's side may have to be graded at ``scale``: cropped to a multiple
    of ``scale``, less the border on both sides, it must still hold SSIM's window."""
    return scale * -(-SSIM_WINDOW // scale) + 2 * scale


def bicubic_fn(scale: int) -> UpscaleFn:
    return lambda lr: bicubic_upscale(lr, scale)


def evaluate(fn: UpscaleFn, samples: list[Sample], scale: int, *, with_ssim: bool = True, warm: bool = False) -> dict:
    """Per-image and mean PSNR/SSIM of ``fn`` on ``samples``; latency covers ``fn`` only. ``warm``:
    each image run once untimed first, so its latency is a warm call's: a process's first call, and
    a new shape's, pay compiles and thread start-up (`xeonsr eval`, FSRCNN x3 INT8 on Set5, a family 6
    model 167 Xeon: baby, the first image, 40 ms cold against 8 warm, the other four 5.4-7.2 against
    2.1-2.5)."""
    rows = []
    for smp in samples:
        if warm:
            fn(smp.lr)
        t0 = time.perf_counter()
        sr = fn(smp.lr)
        latency_ms = (time.perf_counter() - t0) * 1e3
        if sr.shape != smp.hr.shape:
            raise RuntimeError(f"{smp.name}: output {sr.shape} != ground truth {smp.hr.shape}")
        sr8 = to_uint8(sr)
        rows.append(
            {
                "name": smp.name,
                "psnr": psnr(sr8, smp.hr, scale),
                "ssim": ssim(sr8, smp.hr, scale) if with_ssim else None,
                "latency_ms": latency_ms,
            }
        )
    return {
        "scale": scale,
        "mean_psnr": float(np.mean([r["psnr"] for r in rows])),
        "mean_ssim": float(np.mean([r["ssim"] for r in rows])) if with_ssim else None,
        "images": rows,
    }


def report(result: dict, dataset: str) -> str:
    """A table with the SRCNN paper's per-image values beside ours (where the paper has them)."""
    scale = result["scale"]
    paper = PAPER.get((dataset, scale), {})
    head = f"{'image':<12} {'PSNR':>7} {'SSIM':>7} {'ms':>8}"
    if paper:
        head += f" | {'paper bicubic':>13} {'paper SRCNN':>11}"
    lines = [head, "-" * len(head)]
    for r in result["images"]:
        ssim_s = f"{r['ssim']:.4f}" if r["ssim"] is not None else "-"
        line = f"{r['name']:<12} {r['psnr']:7.2f} {ssim_s:>7} {r['latency_ms']:8.1f}"
        if paper:
            pr = paper.get(r["name"])
            line += f" | {pr[0]:13.2f} {pr[1]:11.2f}" if pr else f" | {'-':>13} {'-':>11}"
        lines.append(line)
    ms = result["mean_ssim"]
    lines.append("-" * len(head))
    mean_lat = float(np.mean([r["latency_ms"] for r in result["images"]]))
    ms_s = "-" if ms is None else f"{ms:.4f}"
    line = f"{'average':<12} {result['mean_psnr']:7.2f} {ms_s:>7} {mean_lat:8.1f}"
    if (dataset, scale) in PAPER_MEAN:
        pm = PAPER_MEAN[(dataset, scale)]
        line += f" | {pm[0]:13.2f} {pm[1]:11.2f}"
    lines.append(line)
    return "\n".join(lines)


__all__ = ["PROTOCOL", "evaluate", "load_samples", "report", "bicubic_fn"]
