"""xeonsr upscale: make people's images bigger (files, folders or globs)."""

from __future__ import annotations

import sys

from xeonsr.commands import count
from xeonsr.infer import BACKENDS, PRECISIONS


def add_arguments(p) -> None:
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, folders or glob patterns")
    p.add_argument("-o", "--output", required=True, help="output file (one input) or folder (several)")
    p.add_argument("--scale", type=int, default=None, help="2, 3 or 4 (default: your --weights' scale, else 3)")
    p.add_argument(
        "--model",
        default=None,
        help="registry model (default: your --weights' model, else fsrcnn, the fastest that meets the "
        "papers' figures; dcscn is sharper and about 10x slower: `xeonsr zoo`)",
    )
    p.add_argument("--backend", choices=BACKENDS, default="auto")
    p.add_argument("--precision", choices=PRECISIONS, default="auto")
    p.add_argument("--tile", type=count(0), default=None, help="LR tile side (default 256; 0 = no tiling)")
    p.add_argument("--threads", type=count(1), default=None, help="threads (default: one per physical core)")
    p.add_argument(
        "--jobs",
        type=count(1),
        default=None,
        help="images in flight at once (OpenVINO streams; default: one per physical core for several images)",
    )
    p.add_argument("--weights", default=None, help="your own weights (implies --backend torch)")
    p.add_argument("--ir-dir", default=None, help="IR store to take the model's IR from (default: the shipped IRs)")
    p.add_argument("--compare", metavar="PNG", help="also save a before/after crop: input (nearest), bicubic, model")
    existing = p.add_mutually_exclusive_group()
    existing.add_argument("--overwrite", action="store_true", help="replace outputs that already exist")
    existing.add_argument(
        "--skip-existing",
        action="store_true",
        help="leave outputs that already exist and upscale the rest (resumes an interrupted folder)",
    )


DEFAULT_MODEL = {2: "fsrcnn", 3: "fsrcnn", 4: "fsrcnn"}  # fastest model at/near the paper floors


def expand_inputs(inputs: list[str]):
    import glob
    from pathlib import Path

    from xeonsr.imaging import list_images

    files = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            files += list_images(p)
        elif any(c in item for c in "*?["):
            files += sorted(Path(m) for m in glob.glob(item) if Path(m).is_file())
        else:
            files.append(p)  # a missing file is reported per file later
    return files


# Inputs whose format is read but not worth writing back: their results are PNG (lossless).
PNG_INSTEAD = {".gif", ".ppm", ".pgm"}


def output_paths(files, out):
    """One distinct output path in folder ``out`` per input: the input's name (suffix kept,
    PNG for formats in PNG_INSTEAD); a name taken by an earlier input gets its folder's name
    added (``x-b.png``), then a number, so no result overwrites another."""
    taken: set[str] = set()
    paths = []
    for f in files:
        suffix = ".png" if f.suffix.lower() in PNG_INSTEAD else f.suffix
        candidates = [f.stem, f"{f.stem}-{f.parent.name or 'input'}"]
        candidates += [f"{f.stem}-{f.parent.name or 'input'}-{i}" for i in range(2, len(files) + 2)]
        name = next(c + suffix for c in candidates if (c + suffix).lower() not in taken)
        taken.add(name.lower())
        paths.append(out / name)
    return paths


def _ident(path) -> tuple[int, int]:
    import os

    st = os.stat(path)
    return st.st_dev, st.st_ino


def guard_outputs(jobs, overwrite: bool = False, skip_existing: bool = False):
    """The (source, destination) pairs to run, and how many were skipped. A destination that is
    one of the inputs is an error whatever the flags (the result would replace the original); one
    that exists already is an error unless ``overwrite`` (replace it) or ``skip_existing`` (leave
    it, and its input out)."""
    from xeonsr.errors import UserError

    taken = [(s, d) for s, d in jobs if d.exists()]
    if taken:
        inputs = {_ident(s) for s, _ in jobs if s.is_file()}
        for s, d in taken:
            if d.is_dir():
                raise UserError(f"{d} is a folder, where the result of {s} would go; choose another output")
            if _ident(d) in inputs:
                raise UserError(f"{d} is one of the inputs: the result would replace it; choose another output")
    if skip_existing:
        done = {d for _, d in taken}
        return [(s, d) for s, d in jobs if d not in done], len(taken)
    if taken and not overwrite:
        n, first = len(taken), taken[0][1]
        what = f"{first} already exists" if n == 1 else f"{n} of the outputs already exist ({first}, ...)"
        raise UserError(f"{what}: --overwrite replaces, --skip-existing keeps and upscales the rest")
    return jobs, 0


def guard_crop(crop, files, dests, overwrite: bool) -> None:
    """The --compare crop may be neither an input nor an output, nor replace a file unasked."""
    from xeonsr.errors import UserError

    if crop.is_dir():
        raise UserError(f"{crop} is a folder; name the crop's PNG file")
    if crop.exists() and _ident(crop) in {_ident(f) for f in files if f.is_file()}:
        raise UserError(f"{crop} is one of the inputs; choose another name for the crop")
    if any(crop.resolve() == d.resolve() for d in dests):
        raise UserError(f"{crop} is also an output of the upscale; choose another name for the crop")
    if crop.exists() and not overwrite:
        raise UserError(f"{crop} already exists: --overwrite replaces it")


def run(args) -> int:
    import time
    from pathlib import Path

    from tqdm import tqdm

    from xeonsr.errors import UserError
    from xeonsr.folder import Progress, upscale_files
    from xeonsr.infer import model_and_scale
    from xeonsr.photo_io import OUTPUT_FORMATS, open_image, output_format, save_image
    from xeonsr.threads import plan_streams, plan_threads
    from xeonsr.upscaler import Upscaler

    model, scale = model_and_scale(args.model, args.scale, args.weights, DEFAULT_MODEL.get)
    files = expand_inputs(args.inputs)
    if not files:
        raise UserError(f"no images found in {' '.join(args.inputs)}")
    out = Path(args.output)
    single = len(files) == 1 and not out.is_dir() and out.suffix != ""
    if single:
        output_format(out)  # before any work: an unknown suffix is found now, not after the upscale
    elif not out.is_dir() and (out.exists() or out.suffix.lower() in OUTPUT_FORMATS):
        raise UserError(f"{out}: {len(files)} inputs need an output folder, not an image file")
    dests = [out] if single else output_paths(files, out)
    # Checked before any work: nothing is replaced unasked, and an input never.
    todo, skipped = guard_outputs(list(zip(files, dests, strict=True)), args.overwrite, args.skip_existing)
    crop = Path(args.compare) if args.compare else None
    if crop:
        guard_crop(crop, files, dests, args.overwrite)
    if not todo:
        print(f"nothing to upscale: all {skipped} outputs exist in {out} (--overwrite replaces them)")
        return 0
    if not single:
        out.mkdir(parents=True, exist_ok=True)
    plan = plan_threads(args.threads)
    # On OpenVINO, one stream per physical core (per socket): a folder gets a worker thread per
    # stream; one image of several tiles gets its tiles spread over the streams.
    openvino = args.backend != "torch" and not args.weights
    several = len(todo) > 1 or _tiles(todo[0][0], args.tile) > 1
    jobs = args.jobs or (plan_streams(plan) if openvino and several else 1)
    up = Upscaler(
        model,
        scale,
        backend=args.backend,
        precision=args.precision,
        tile=args.tile,
        threads=args.threads,
        weights=args.weights,
        ir_dir=args.ir_dir,
        streams=jobs,
    )
    if up.caveat:
        print(f"xeonsr upscale: warning: {up.caveat}", file=sys.stderr)
    # PyTorch uses its threads inside one call; one image spreads its tiles instead.
    workers = jobs if up.backend == "openvino" and len(todo) > 1 else 1
    progress = Progress()
    bar = tqdm(total=len(todo), unit="img", disable=len(todo) < 2, dynamic_ncols=True)

    def on_done(done) -> None:
        if done.error:
            tqdm.write(f"xeonsr upscale: error: {done.error}", file=sys.stderr)
        bar.set_postfix_str(progress.add(done))
        bar.update(1)

    t0, written = time.perf_counter(), []
    try:
        results = upscale_files(up, todo, workers, on_done, written)
    except KeyboardInterrupt:
        bar.close()
        if len(todo) > 1:
            # --skip-existing would keep the old files an --overwrite run had not yet replaced.
            rest = (
                "the others are as they were: the same command again replaces them all"
                if args.overwrite
                else "the same command with --skip-existing upscales the rest"
            )
            print(
                f"xeonsr upscale: stopped with {len(written)} of {len(todo)} written to {out}; {rest}", file=sys.stderr
            )
        raise
    bar.close()
    dt = time.perf_counter() - t0
    failed = [r for r in results if r.error]
    if crop and not results[0].error:
        src, result = open_image(results[0].src), open_image(results[0].dest)
        save_image(compare_crop(src, result, scale, f"{model} ({up.backend} {up.precision})"), crop)
    ok = len(todo) - len(failed)
    streams = jobs if up.backend == "openvino" else 1
    how = f"{streams} streams" if streams > 1 else f"{plan.used} threads"
    print(
        f"upscaled {ok}/{len(todo)} image(s) x{scale} with {model} ({up.backend} {up.precision}, {how}) "
        f"in {dt:.2f} s -> {out}"
        + (f"; kept {skipped} existing" if skipped else "")
        + (f"; failed: {len(failed)}" if failed else "")
    )
    return 1 if failed else 0


def _tiles(path, tile: int | None) -> int:
    """How many LR tiles an image has (its header only); 1 where it can't be read (the upscale
    itself then reports why)."""
    from PIL import Image

    side = 256 if tile is None else tile
    try:
        with Image.open(path) as im:
            w, h = im.size
    except Exception:  # noqa: BLE001 - the real read says what is wrong with the file
        return 1
    return 1 if side <= 0 else -(-w // side) * -(-h // side)


def compare_crop(src, result, scale: int, label: str, crop: int = 64):
    """Side by side, from the centre of the image: input (nearest), bicubic, model."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageOps

    from xeonsr.imaging import imresize
    from xeonsr.photo_io import Image16

    src, result = (x.to_pil() if isinstance(x, Image16) else x for x in (src, result))
    src = ImageOps.exif_transpose(src).convert("RGB")
    w, h = src.size
    c = min(crop, w, h)
    x0, y0 = (w - c) // 2, (h - c) // 2
    lr = src.crop((x0, y0, x0 + c, y0 + c))
    near = lr.resize((c * scale, c * scale), Image.NEAREST)
    bic = Image.fromarray(
        np.clip(np.floor(imresize(np.asarray(lr, dtype=np.float64), scale) + 0.5), 0, 255).astype(np.uint8)
    )
    sr = result.convert("RGB").crop((x0 * scale, y0 * scale, (x0 + c) * scale, (y0 + c) * scale))
    side = c * scale
    canvas = Image.new("RGB", (3 * side + 20, side + 22), "white")
    draw = ImageDraw.Draw(canvas)
    for i, (im, name) in enumerate([(near, "input (nearest)"), (bic, "bicubic"), (sr, label)]):
        canvas.paste(im, (i * (side + 10), 22))
        draw.text((i * (side + 10) + 4, 4), name, fill="black")
    return canvas
