"""Training data: paired (lq, gt) Y images degraded by the protocol's MATLAB bicubic.

Each training image (and its FSRCNN-style down-scaled copies) is degraded once and cached
as whole LR/HR pairs (xeonsr.patches cuts the batches from them on the training device).
Conventions: ``lq`` float32 Y on [0, 255] (unrounded, as the protocol), ``gt`` uint8 Y.

Validation never uses a test set: ``BSD200-val`` names 20 BSD200 images (every tenth by
name) that are held out of training whenever BSD200 is trained on, so a model is chosen on
images it has neither seen nor will be reported on.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from xeonsr.errors import UserError
from xeonsr.fileio import atomic_write, make_folder
from xeonsr.imaging import ImageError, imresize, list_images, load_image, luma, mod_crop

CACHE_VERSION = 3  # 2: held-out validation images are left out of training sets; 3: 16-bit grey read, not clipped

# Held-out validation images: <set>-val is these images of <set>; training on <set> skips them.
HELD_OUT: dict[str, tuple[str, ...]] = {
    "BSD200": (
        "100075",
        "108073",
        "12074",
        "138078",
        "151087",
        "161062",
        "176035",
        "187039",
        "198023",
        "22013",
        "232038",
        "246053",
        "268002",
        "292066",
        "317080",
        "361084",
        "376020",
        "46076",
        "65010",
        "78019",
    ),
}
VAL_SUFFIX = "-val"
DEFAULT_VAL_SET = "BSD200-val"


class DatasetError(UserError, ValueError):
    pass


def data_root(data_dir: str | Path | None) -> Path | None:
    """The folder holding the datasets: ``data_dir``, else $XEONSR_DATA, else None."""
    root = data_dir or os.environ.get("XEONSR_DATA")
    return Path(root).expanduser() if root else None


def find_dataset(name_or_path: str, data_dir: str | Path | None) -> Path:
    """A dataset folder from a name under ``data_dir`` (or $XEONSR_DATA) or a path."""
    if not name_or_path.strip():  # Path("") is the working folder: `--dataset ""` graded whatever was there
        raise DatasetError("an empty dataset name: name a set (Set5, T91, ...) or a folder")
    p = Path(name_or_path).expanduser()
    if p.is_dir():
        return p
    root = data_root(data_dir)
    if root:
        cand = root / name_or_path
        if cand.is_dir():
            return cand
        raise DatasetError(f"dataset '{name_or_path}' not found: looked for {cand} and ./{name_or_path}")
    raise DatasetError(
        f"dataset '{name_or_path}' not found: ./{name_or_path} is not a folder and no data "
        "directory is set (pass --data-dir DIR or set XEONSR_DATA)"
    )


@dataclass(frozen=True)
class PatchConfig:
    scale: int
    datasets: tuple[str, ...] = ("T91",)
    down_factors: tuple[float, ...] = (1.0, 0.9, 0.8, 0.7, 0.6)  # FSRCNN's scaling augmentation
    lq_patch: int = 16  # LR patch side; the HR patch is scale times larger


def dataset_files(name_or_path: str, data_dir: str | Path | None, *, training: bool = False) -> tuple[str, list[Path]]:
    """-> (label, image files) of a dataset name (``BSD200-val`` included) or folder.

    ``training``: a set with held-out images yields the others; a held-out set is refused.
    """
    base = name_or_path[: -len(VAL_SUFFIX)] if name_or_path.endswith(VAL_SUFFIX) else None
    if base in HELD_OUT:
        if training:
            raise DatasetError(f"'{name_or_path}' is the held-out validation set: it is never trained on")
        folder = find_dataset(base, data_dir)
        by_stem = {p.stem: p for p in list_images(folder)}
        missing = [n for n in HELD_OUT[base] if n not in by_stem]
        if missing:
            raise DatasetError(f"{folder} lacks the held-out images {missing[:3]}... of {name_or_path}")
        return name_or_path, [by_stem[n] for n in HELD_OUT[base]]
    folder = find_dataset(name_or_path, data_dir)
    files = list_images(folder)
    if training and folder.name in HELD_OUT:
        held = set(HELD_OUT[folder.name])
        files = [p for p in files if p.stem not in held]
    if not files:
        raise DatasetError(f"no images in {folder} (looked for png, bmp, jpg, tif, webp)")
    return folder.name, files


def training_sets(names, data_dir: str | Path | None) -> dict[str, list[Path]]:
    """{name: training images} of --datasets, each folder once: no name, or one folder named twice
    (``T91,T91``, or T91 and its path: it trained twice as often, unsaid), is one line."""
    if not names:
        raise DatasetError("--datasets names no training set (e.g. T91, or T91,BSD200)")
    out: dict[str, list[Path]] = {}
    seen: dict[Path, str] = {}
    for name in names:
        out[name] = dataset_files(name, data_dir, training=True)[1]  # a held-out set is refused here
        folder = find_dataset(name, data_dir).resolve()
        if folder in seen:
            raise DatasetError(f"--datasets names {folder} twice ({seen[folder]} and {name}): name each set once")
        seen[folder] = name
    return out


def _load_training_y(path: Path, min_side: int) -> np.ndarray | None:
    try:
        y = luma(load_image(path))
    except ImageError as e:
        warnings.warn(f"skipping {e}", stacklevel=2)
        return None
    if min(y.shape) < min_side:
        warnings.warn(
            f"skipping {path}: {y.shape[1]}x{y.shape[0]} is smaller than one {min_side}x{min_side} training patch",
            stacklevel=2,
        )
        return None
    return y


def build_pairs(cfg: PatchConfig, data_dir: str | Path | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Degrade every training image (and its down-scaled copies) once: [(lq, gt), ...]."""
    s = cfg.scale
    hr_patch = cfg.lq_patch * s
    pairs = []
    for name in cfg.datasets:
        for path in dataset_files(name, data_dir, training=True)[1]:
            y = _load_training_y(path, hr_patch)
            if y is None:
                continue
            for f in cfg.down_factors:
                img = y if f == 1.0 else imresize(y, f)  # uint8 in, uint8 out (as MATLAB)
                gt = mod_crop(img, s)
                if min(gt.shape) < hr_patch:
                    continue
                lq = imresize(gt.astype(np.float64), 1.0 / s).astype(np.float32)
                pairs.append((lq, gt))
    if not pairs:  # each skipped image was a warning, which a caller may hold back: the reason here
        raise DatasetError(
            f"no usable training images in {', '.join(cfg.datasets)}: none readable and at least "
            f"{hr_patch}x{hr_patch} (a {cfg.lq_patch}x{cfg.lq_patch} LR patch at x{s})"
        )
    return pairs


def cached_pairs(
    cfg: PatchConfig, data_dir: str | Path | None, cache_dir: str | Path | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`build_pairs`, computed once per config and kept in ``cache_dir`` as .npz (default
    $XEONSR_CACHE, else ~/.cache/xeonsr)."""
    if cache_dir is None:
        import os

        cache_dir = os.environ.get("XEONSR_CACHE") or Path.home() / ".cache" / "xeonsr"
    # The files themselves are in the key, not only the sets' names: a folder of your own whose
    # images changed, or a relative path run from another folder, is another set.
    files = [
        (str(p.resolve()), s.st_size, s.st_mtime_ns)
        for name in cfg.datasets
        for p in dataset_files(name, data_dir, training=True)[1]
        for s in [p.stat()]
    ]
    key_src = json.dumps({**asdict(cfg), "v": CACHE_VERSION, "root": str(data_dir), "files": files}, sort_keys=True)
    key = hashlib.sha256(key_src.encode()).hexdigest()[:16]
    cache = Path(cache_dir) / f"pairs_x{cfg.scale}_{key}.npz"
    if cache.exists():
        try:
            with np.load(cache, allow_pickle=False) as z:
                n = int(z["n"])
                return [(z[f"lq{i}"], z[f"gt{i}"]) for i in range(n)]
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is rebuilt below
    pairs = build_pairs(cfg, data_dir)
    make_folder(cache.parent)
    arrays = {"n": np.array(len(pairs))}
    for i, (lq, gt) in enumerate(pairs):
        arrays[f"lq{i}"], arrays[f"gt{i}"] = lq, gt

    def write(tmp: str) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)

    atomic_write(cache, write)
    return pairs
