"""A folder with file IO by the worker threads that decode and encode, for a fixed number of
OpenVINO streams: W workers, each with its own infer request, S streams running at most S of
them at once (the others decode, encode or wait for a stream). Why: on a 16-core Xeon (family
6 model 207, session 53) a folder of Set5 + Set14 on 4 streams ran FSRCNN x3 INT8 at 990
images/s without IO and 302 with it, on 4 workers: the decode and PNG encode had only 4 threads.

The folder is the LR images (MATLAB bicubic 1/3) of Set5 + Set14 as RGB PNG files, as ``xeonsr
bench --mode throughput`` writes it; settings timed in interleaved rounds (benchmarks/scaling.py).

Usage: python benchmarks/probes/io_workers.py DATA MODEL PRECISION ROUNDS SETTINGS [--passes N] [--images N]
  SETTINGS: comma-separated SxW (streams x workers), e.g. 1x1,1x2,2x2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv=None) -> None:
    from PIL import Image

    from xeonsr.evaluate import resolve_dataset
    from xeonsr.folder import upscale_files
    from xeonsr.imaging import imresize, load_image
    from xeonsr.threads import plan_threads
    from xeonsr.upscaler import Upscaler

    ap = argparse.ArgumentParser()
    for a in ("data", "model", "precision"):
        ap.add_argument(a)
    ap.add_argument("rounds", type=int)
    ap.add_argument("settings")
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--images", type=int, default=None, help="the first N images only (Set5's come first)")
    args = ap.parse_args(argv)
    files = (resolve_dataset("Set5", args.data)[1] + resolve_dataset("Set14", args.data)[1])[: args.images]
    plan = plan_threads(None)
    with tempfile.TemporaryDirectory(prefix="xeonsr-io-workers-") as tmp:
        jobs = []
        for i, f in enumerate(files):
            lr = Path(tmp) / f"lr{i}.png"
            Image.fromarray(imresize(load_image(f), 1.0 / 3)).save(lr)
            jobs += [(lr, Path(tmp) / f"sr{i}_{p}.png") for p in range(args.passes)]
        settings = {}
        for spec in args.settings.split(","):
            s, w = (int(v) for v in spec.split("x"))
            up = Upscaler(args.model, 3, precision=args.precision, threads=plan.used, streams=s)
            settings[spec] = (up, w)
            upscale_files(up, jobs, w)  # every shape compiled, every worker's request made
        seconds = {k: [] for k in settings}
        keys = list(settings)
        for r in range(args.rounds):
            for k in keys[r % len(keys) :] + keys[: r % len(keys)]:
                t0 = time.perf_counter()
                upscale_files(*settings[k][:1], jobs, settings[k][1])
                seconds[k].append(time.perf_counter() - t0)
    for k, secs in seconds.items():
        n = len(jobs)
        print(f"{k:>6}: {n / min(secs):7.1f} images/s (median {n / statistics.median(secs):.1f})")


if __name__ == "__main__":
    main()
