"""xeonsr upscale: make people's images bigger (files, folders or globs)."""

from __future__ import annotations

import sys

from xeonsr.commands import count
from xeonsr.infer import BACKENDS, PRECISIONS


def add_arguments(p) -> None:
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="image files, folders or glob patterns (** spans folders); - reads one image from standard input",
    )
    p.add_argument(
        "-r",
        "--recursive",
        action="store_true",
        help="a folder's subfolders too, each result in the same subfolder under OUTPUT",
    )
    p.add_argument(
        "-o", "--output", required=True, help="output file (one input) or folder (several); - writes to standard output"
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="the results' format in an output folder (default: each input's own; GIF, PPM, PGM and "
        "other suffixes give PNG); for one input, OUTPUT's suffix says it; on standard output (-o -), PNG unless this",
    )
    p.add_argument(
        "--quality", type=count(1, 100), default=None, help="JPEG and WebP results' quality, 1-100 (default 95)"
    )
    p.add_argument("--scale", type=int, default=None, help="2, 3 or 4 (default: your --weights' scale, else 3)")
    p.add_argument(
        "--model",
        default=None,
        help="registry model (default: your --weights' model, else fsrcnn, the fastest that meets the "
        "papers' figures; dcscn is sharper and about 10x slower: `xeonsr zoo`)",
    )
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default="auto",
        help="auto (default): the model's OpenVINO IR where the shipped store has one, else PyTorch "
        "(a --ir-dir store must have it)",
    )
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="auto (default): the INT8 IR made for this CPU's class where it is faster here "
        "(VNNI/AMX, 256-bit AVX2), else FP32 (`xeonsr info` says which); bf16: the FP32 IR computed "
        "in bf16 (CPUs with AVX512-BF16 or AMX)",
    )
    p.add_argument("--tile", type=count(0), default=None, help="LR tile side (default 256; 0 = no tiling)")
    p.add_argument("--threads", type=count(1), default=None, help="threads (default: one per physical core)")
    p.add_argument(
        "--jobs",
        type=count(1),
        default=None,
        help="images in flight at once (OpenVINO streams; default: one per physical core for several "
        "images, fewer of more threads each where a stream would get under 4)",
    )
    p.add_argument("--weights", default=None, help="your own weights (implies --backend torch)")
    p.add_argument("--ir-dir", default=None, help="IR store to take the model's IR from (default: the shipped IRs)")
    p.add_argument(
        "--max-megapixels",
        type=count(1),
        default=None,
        help="largest input taken, in megapixels (default 64: larger ones are refused as decompression bombs)",
    )
    p.add_argument("--compare", metavar="PNG", help="also save a before/after crop: input (nearest), bicubic, model")
    existing = p.add_mutually_exclusive_group()
    existing.add_argument("--overwrite", action="store_true", help="replace outputs that already exist")
    existing.add_argument(
        "--skip-existing",
        action="store_true",
        help="leave outputs that already exist and upscale the rest (resumes an interrupted folder)",
    )


FORMATS = ("png", "jpg", "webp", "tif", "bmp")  # suffixes of xeonsr.photo_save.OUTPUT_FORMATS
DEFAULT_MODEL = {2: "fsrcnn", 3: "fsrcnn", 4: "fsrcnn"}  # fastest model at/near the paper floors


def _close(bar) -> None:
    if bar is not None:
        bar.close()


def run(args) -> int:
    from xeonsr.commands.upscale_pipes import through_pipes, uses_pipes

    if uses_pipes(args):  # `-` for standard input or output
        return through_pipes(args, _run)
    return _run(args)


def _run(args) -> int:
    import time
    from pathlib import Path

    from xeonsr.batch_paths import expand_inputs, guard_crop, guard_outputs, output_paths
    from xeonsr.commands.upscale_pipes import named
    from xeonsr.errors import UserError
    from xeonsr.fileio import make_folder
    from xeonsr.folder import Progress, upscale_files
    from xeonsr.infer import model_and_scale
    from xeonsr.photo_io import open_image
    from xeonsr.photo_save import OUTPUT_FORMATS, output_format, save_image
    from xeonsr.threads import folder_workers, plan_streams, plan_threads
    from xeonsr.upscaler import Upscaler

    model, scale = model_and_scale(args.model, args.scale, args.weights, DEFAULT_MODEL.get, args.ir_dir, args.backend)
    if args.max_megapixels:
        from xeonsr.photo_io import allow_pixels

        allow_pixels(args.max_megapixels)
    if (args.jobs or 1) > 1 and (args.backend == "torch" or args.weights):
        raise UserError(
            "--jobs runs images on OpenVINO streams; PyTorch (--backend torch, --weights) uses its threads "
            "inside each image: --threads N"
        )
    out = Path(args.output)
    found = expand_inputs(args.inputs, args.recursive, out)
    files = found.files
    for folder, n in found.left_out.items():
        print(f"xeonsr upscale: note: {n} image(s) in subfolders of {folder} left out (-r takes them)", file=sys.stderr)
    if not files:
        raise UserError(f"no images found in {' '.join(args.inputs)}")
    single = len(files) == 1 and not out.is_dir() and out.suffix != ""
    suffix = f".{args.format}" if args.format else None
    if single:
        fmt = output_format(out)  # before any work: an unknown suffix is found now, not after the upscale
        if suffix and OUTPUT_FORMATS[suffix] != fmt:
            raise UserError(f"{out}: its suffix writes {fmt}, --format asks {args.format}: give one of the two")
    elif not out.is_dir() and (out.exists() or out.suffix.lower() in OUTPUT_FORMATS):
        if len(files) == 1:  # here an output with no suffix, and a file is in its place
            raise UserError(f"{out} is a file, not a folder (an output with no image suffix is a folder)")
        what = "a file" if out.exists() else "an image file"
        raise UserError(f"{out}: {len(files)} inputs need an output folder, not {what}")
    dests = [out] if single else output_paths(files, out, found.trees, suffix)
    # Checked before any work: nothing is replaced unasked, and an input never.
    todo, skipped = guard_outputs(list(zip(files, dests, strict=True)), args.overwrite, args.skip_existing)
    crop = Path(args.compare) if args.compare else None
    if crop:
        guard_crop(crop, files, dests, args.overwrite)
    if not todo:
        print(f"nothing to upscale: all {skipped} outputs exist in {out} (--overwrite replaces them)")
        return 0
    make_folder(out.parent if single else out)  # before any work: a file in the way is said now
    plan = plan_threads(args.threads)
    # On OpenVINO, one stream per physical core (per socket), fewer of more threads where the
    # images are few: a folder's images run on the streams; one image of several tiles gets its
    # tiles spread over them.
    openvino = args.backend != "torch" and not args.weights
    items = len(todo) if len(todo) > 1 else _tiles(todo[0][0], args.tile)
    jobs = args.jobs or (plan_streams(plan, images=items) if openvino and items > 1 else 1)
    if jobs > plan.used:  # OpenVINO runs one stream per thread at most: said, not reported as more
        note = f"--jobs {jobs}: OpenVINO runs a stream per thread at most, {plan.used} here"
        print(f"xeonsr upscale: note: {note}", file=sys.stderr)
        jobs = plan.used
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
    # PyTorch uses its threads inside one call; one image spreads its tiles instead. A folder
    # gets a worker per core for its files (--jobs: exactly that many images in flight).
    folder = up.backend == "openvino" and len(todo) > 1
    workers = (min(args.jobs, jobs) if args.jobs else folder_workers(jobs, plan)) if folder else 1
    progress = Progress()
    bar = None
    if len(todo) > 1:  # tqdm takes ~0.1 s to import: only where a bar is shown
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="img", dynamic_ncols=True)

    def on_done(done) -> None:
        if done.error:
            error = named(done.error, args)
            (print if bar is None else bar.write)(f"xeonsr upscale: error: {error}", file=sys.stderr)
        if bar is not None:
            bar.set_postfix_str(progress.add(done))
            bar.update(1)

    t0, written = time.perf_counter(), []
    try:
        results = upscale_files(up, todo, workers, on_done, written, args.quality)
    except KeyboardInterrupt:
        _close(bar)
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
    _close(bar)
    dt = time.perf_counter() - t0
    failed = [r for r in results if r.error]
    first = next((r for r in results if not r.error), None)  # the crop is of the first image that upscaled
    compared = ""
    if crop and first is not None:
        src, result = open_image(first.src), open_image(first.dest)
        save_image(compare_crop(src, result, scale, f"{model} ({up.backend} {up.precision})"), crop)
        shown = named(str(first.src), args)
        compared = f"; {Path(first.src).name if shown == str(first.src) else shown} compared in {crop}"
    elif crop:
        print(f"xeonsr upscale: no {crop} written: no image upscaled", file=sys.stderr)
    ok = len(todo) - len(failed)
    streams = jobs if up.backend == "openvino" else 1
    how = f"{streams} streams" if streams > 1 else f"{plan.used} thread" + "s" * (plan.used > 1)
    if streams > 1 and plan.used >= 2 * streams:  # the plan's wider streams, said
        how += f" of {plan.used // streams} threads"
    print(
        f"upscaled {ok}/{len(todo)} image(s) x{scale} with {model} ({up.backend} {up.precision}, {how}) "
        f"in {dt:.2f} s -> {named(str(out), args)}"
        + (f"; kept {skipped} existing" if skipped else "")
        + (f"; failed: {len(failed)}" if failed else "")
        + compared
    )
    return 1 if failed else 0


def _tiles(path, tile: int | None) -> int:
    """How many LR tiles an image has (its header only); 1 where it can't be read (the upscale
    itself then reports why)."""
    import warnings

    from PIL import Image

    from xeonsr.tiles import tile_count

    try:
        with warnings.catch_warnings():  # a large header is the real read's to judge, in one line
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
    except Exception:  # noqa: BLE001 - the real read says what is wrong with the file
        return 1
    return tile_count(w, h, tile)


def compare_crop(src, result, scale: int, label: str, crop: int = 64):
    """Side by side, from the centre of the image: input (nearest), bicubic, model."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageOps

    from xeonsr.imaging import imresize
    from xeonsr.photo_io import eight_bit

    src, result = (eight_bit(x) for x in (src, result))  # 16-bit grey: RGB of it was all white
    src = ImageOps.exif_transpose(src).convert("RGB")
    w, h = src.size
    c = min(crop, w, h)
    x0, y0 = (w - c) // 2, (h - c) // 2
    lr = src.crop((x0, y0, x0 + c, y0 + c))
    near = lr.resize((c * scale, c * scale), Image.Resampling.NEAREST)
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
