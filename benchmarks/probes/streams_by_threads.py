"""A folder's rate by how its cores are split: S streams of T threads each (S x T = the cores),
with whole images or the images cut into LR tiles (the receptive field around each, as
``Upscaler`` cuts them). Why: on a 16-core Xeon (family 6 model 207, device run of session 53)
SRCNN x3 FP32 over Set5 + Set14 ran 258 images/s as one image at a time on 16 threads but only
99-152 on 16 streams of one thread, flat from 4 streams on, while FSRCNN x3 INT8 went on gaining
to 16 streams; SRCNN's activations (64 channels at HR size, ~160 MB an image) do not fit the
cores' caches 16 at a time.

Settings are timed in interleaved rounds (the order rotating, as benchmarks/scaling.py); each
prints its best and median rate in source images per second.

Usage: python benchmarks/probes/streams_by_threads.py DATA MODEL PRECISION ROUNDS SETTINGS [--json P]
  SETTINGS: comma-separated SxT[@TILE], e.g. 16x1,4x4,1x16,16x1@64 (TILE: LR tile side)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def tiles(x, tile: int, radius: int) -> list:
    """The LR crops ``Upscaler._tiled`` would run for plane ``x`` (each tile and its margin)."""
    from xeonsr.upscaler import even_step

    h, w = x.shape[-2:]
    th, tw = even_step(h, tile), even_step(w, tile)
    return [
        x[..., max(0, y - radius) : min(h, y + th + radius), max(0, x0 - radius) : min(w, x0 + tw + radius)]
        for y in range(0, h, th)
        for x0 in range(0, w, tw)
    ]


def main(argv=None) -> dict:
    import numpy as np
    from scaling import drain_settings

    from xeonsr.evaluate import load_samples, resolve_dataset
    from xeonsr.info import cpu_info
    from xeonsr.runtime import load_runner

    ap = argparse.ArgumentParser()
    for a in ("data", "model", "precision"):
        ap.add_argument(a)
    ap.add_argument("rounds", type=int)
    ap.add_argument("settings")
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--largest-first", action="store_true", help="each pass's images largest first")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    files = resolve_dataset("Set5", args.data)[1] + resolve_dataset("Set14", args.data)[1]
    images = [(s.lr.astype("float32") / 255.0)[None, None] for s in load_samples(files, 3)]
    if args.largest_first:  # the last images in flight are the small ones: a shorter tail
        images.sort(key=lambda x: -x.size)
    images = images * args.passes
    backend = f"ov-{args.precision}"
    settings, radius = {}, None
    for spec in args.settings.split(","):
        split, _, tile = spec.partition("@")
        s, t = (int(v) for v in split.split("x"))
        first = load_runner(args.model, 3, backend, threads=s * t, streams=s)
        radius = (first.receptive_radius or 16) + 4
        inputs = images if not tile else [np.ascontiguousarray(c) for x in images for c in tiles(x, int(tile), radius)]
        settings[spec] = ([first] + [first.for_thread() for _ in range(s - 1)], inputs)
    seconds = drain_settings(settings, args.rounds)
    rows = {}
    for spec, secs in seconds.items():
        n = len(images)
        rows[spec] = {"best_images_per_s": n / min(secs), "median_images_per_s": n / statistics.median(secs)}
        rows[spec]["rounds_s"] = secs
        print(
            f"{spec:>10}: {rows[spec]['best_images_per_s']:7.1f} images/s (median {rows[spec]['median_images_per_s']:.1f})"
        )
    res = {"cpu": cpu_info().model, "model": args.model, "precision": args.precision, "passes": args.passes}
    res.update(largest_first=args.largest_first, settings=rows)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))
    return res


if __name__ == "__main__":
    main()
