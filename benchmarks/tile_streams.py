"""One large image: its tiles spread over N OpenVINO streams (one thread each) against the same
tiles in turn on one request using every thread (the LATENCY hint), end to end in memory
(colour conversion, chroma bicubic, tiles; no file IO). Rounds interleave the two settings so a
noisy machine hits both alike; the output is checked to be the same bytes.

Usage: python benchmarks/tile_streams.py [--lr 1200x800] [--model fsrcnn] [--scale 3]
       [--precision int8] [--tile 256] [--rounds 3] [--json PATH]
"""

from __future__ import annotations

import argparse

from _settings import interleaved, write_json


def photo(h: int, w: int):
    """A natural photo (scikit-image's astronaut) resized to h x w by MATLAB bicubic."""
    import numpy as np
    from skimage import data

    from xeonsr.imaging import imresize

    src = data.astronaut()
    return np.clip(imresize(src.astype(np.float64), 1.0, out_shape=(h, w)), 0, 255).round().astype(np.uint8)


def main(argv=None) -> dict:
    from PIL import Image

    from xeonsr.info import cpu_info
    from xeonsr.threads import plan_streams, plan_threads
    from xeonsr.upscaler import Upscaler

    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", default="1200x800", help="LR image size WxH")
    ap.add_argument("--model", default="fsrcnn")
    ap.add_argument("--scale", type=int, default=3)
    ap.add_argument("--precision", default="int8")
    ap.add_argument("--tile", type=int, default=256)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    w, h = (int(v) for v in args.lr.split("x"))
    img = Image.fromarray(photo(h, w))
    plan = plan_threads(args.threads)
    n = plan_streams(plan)
    kw = dict(backend="openvino", precision=args.precision, tile=args.tile, threads=args.threads)
    ups = {"one request, all threads": Upscaler(args.model, args.scale, streams=1, **kw),
           f"tiles on {n} streams": Upscaler(args.model, args.scale, streams=n, **kw)}  # fmt: skip
    same, times = interleaved({k: (lambda u=u: [u.upscale(img)]) for k, u in ups.items()}, args.rounds)
    base = min(times["one request, all threads"])
    res = {
        "cpu": cpu_info().model,
        "threads": plan.used,
        "streams": n,
        "model": f"{args.model} x{args.scale} ov-{args.precision}",
        "lr": args.lr,
        "tile": args.tile,
        "same_bytes": same,
        "seconds": times,
        "speedup_best": {k: base / min(v) for k, v in times.items()},
    }
    for k, v in times.items():
        mp = w * h * args.scale**2 / 1e6
        print(f"{res['model']} {args.lr} LR, {k}: {min(v):.3f}-{max(v):.3f} s ({mp / min(v):.1f} MP/s out), "
              f"{res['speedup_best'][k]:.2f}x")  # fmt: skip
    print(f"same bytes: {same}; {res['cpu']}, {plan.used} threads")
    write_json(res, args.json)
    return res


if __name__ == "__main__":
    main()
