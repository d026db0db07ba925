"""Many images in memory (a video's frames, a server's batch): `Upscaler.upscale_many` on N
OpenVINO streams (one thread each) against `Upscaler.upscale` one image at a time on one request
using every thread (the LATENCY hint), end to end in memory (colour conversion, chroma bicubic,
the network; no file IO), over Set5 + Set14 made LR by PIL's bicubic. Rounds interleave the two
settings so a noisy machine hits both alike; the outputs are checked to be the same bytes.

Usage: python benchmarks/many_images.py --data-dir DIR [--model fsrcnn] [--scale 3]
       [--precision int8] [--rounds 5] [--json PATH]
"""

from __future__ import annotations

import argparse

from _settings import interleaved, write_json


def main(argv=None) -> dict:
    from PIL import Image

    from xeonsr.evaluate import resolve_dataset
    from xeonsr.info import cpu_info
    from xeonsr.threads import plan_streams, plan_threads
    from xeonsr.upscaler import Upscaler

    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--datasets", default="Set5,Set14")
    ap.add_argument("--model", default="fsrcnn")
    ap.add_argument("--scale", type=int, default=3)
    ap.add_argument("--precision", default="int8")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    images = []
    for ds in args.datasets.split(","):
        for path in resolve_dataset(ds, args.data_dir)[1]:
            hr = Image.open(path).convert("RGB")
            images.append(hr.resize((hr.width // args.scale, hr.height // args.scale), Image.Resampling.BICUBIC))
    plan = plan_threads(args.threads)
    n = plan_streams(plan)
    kw = dict(backend="openvino", precision=args.precision, threads=args.threads)
    one = Upscaler(args.model, args.scale, streams=1, **kw)
    many = Upscaler(args.model, args.scale, streams=n, **kw)
    settings = {
        "one at a time, all threads": lambda: [one.upscale(im) for im in images],
        f"upscale_many, {n} streams": lambda: list(many.upscale_many(images)),
    }
    same, times = interleaved(settings, args.rounds)
    base = times["one at a time, all threads"]
    mp = sum(im.width * im.height for im in images) * args.scale**2 / 1e6
    res = {
        "cpu": cpu_info().model,
        "threads": plan.used,
        "streams": n,
        "model": f"{args.model} x{args.scale} ov-{args.precision}",
        "images": len(images),
        "same_bytes": same,
        "seconds": times,
        # per round, the two settings timed back to back: the ratio a noisy host moves least
        "speedup_per_round": {k: [b / t for b, t in zip(base, v, strict=True)] for k, v in times.items()},
    }
    for k, v in times.items():
        r = res["speedup_per_round"][k]
        print(f"{res['model']}, {len(images)} images, {k}: {len(images) / max(v):.1f}-{len(images) / min(v):.1f} "
              f"images/s ({mp / max(v):.1f}-{mp / min(v):.1f} MP/s out), {min(r):.2f}-{max(r):.2f}x")  # fmt: skip
    print(f"same bytes: {same}; {res['cpu']}, {plan.used} threads")
    write_json(res, args.json)
    return res


if __name__ == "__main__":
    main()
