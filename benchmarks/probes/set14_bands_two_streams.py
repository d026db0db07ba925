"""One image at a time as two row bands (each with its receptive halo) on two one-thread OpenVINO
streams, against the whole image on one request of two threads, on Set14's x3 LR planes, through
the runtime the bench uses (`xeonsr.runtime.load_runner`: this CPU's forms and kernel plan; the
older `bands_over_streams.py` compiles the IR by hand). Outputs are compared; rounds interleave.

    python benchmarks/probes/set14_bands_two_streams.py fsrcnn int8 8

Session 54 (AMD EPYC Zen 2, busy: numpy's product 163-176 GFLOP/s against 183 quiet), FSRCNN x3
INT8: the same output to the bit, the bands 0.54-1.40x the whole image's speed per round by image,
Set14's medians summed 103.0 ms whole against 124.8 in bands (0.83x): not a way to the AVX2
goal of 2.5x OpenCV.
"""

import statistics
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from _rounds import rounds_ms
from PIL import Image

from xeonsr.data import dataset_files
from xeonsr.protocol import make_sample
from xeonsr.runtime import load_runner
from xeonsr.threads import apply_threads, plan_threads

model, prec, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
apply_threads(plan_threads(2), pin=True)
whole = load_runner(model, 3, "ov-" + prec, threads=2)
first = load_runner(model, 3, "ov-" + prec, threads=2, streams=2)
requests = [first, first.for_thread()]
halo = whole.receptive_radius + 1
pool = ThreadPoolExecutor(2)


def bands(x: np.ndarray) -> np.ndarray:
    h, s = x.shape[2], 3
    half = h // 2
    parts = [(0, min(h, half + halo)), (max(0, half - halo), h)]
    futures = [pool.submit(rq, np.ascontiguousarray(x[:, :, a:b])) for rq, (a, b) in zip(requests, parts, strict=True)]
    top, bottom = (f.result() for f in futures)
    out = np.empty((1, 1, h * s, x.shape[3] * s), np.float32)
    out[:, :, : half * s] = top[:, :, : half * s]
    out[:, :, half * s :] = bottom[:, :, (half - parts[1][0]) * s :]
    return out


_, files = dataset_files("Set14", None)
total = {"whole": 0.0, "bands": 0.0}
for f in files:
    smp = make_sample(f.stem, np.asarray(Image.open(f).convert("RGB")), 3)
    x = (smp.lr.astype(np.float32) / 255.0)[None, None]
    diff = float(np.abs(whole(x) - bands(x)).max())
    t = rounds_ms({"whole": whole, "bands": bands}, x, rounds)
    w, b = statistics.median(t["whole"]), statistics.median(t["bands"])
    total["whole"] += w
    total["bands"] += b
    per_round = [a / c for a, c in zip(t["whole"], t["bands"], strict=True)]
    print(
        f"{f.stem:10s} LR {smp.lr.shape[1]}x{smp.lr.shape[0]}: whole {w:6.2f} ms, bands {b:6.2f} ms, "
        f"whole/bands {min(per_round):.2f}-{max(per_round):.2f}, max diff {diff:.1e}",
        flush=True,
    )
print(
    f"Set14, medians summed: whole {total['whole']:.1f} ms, bands {total['bands']:.1f} ({total['whole'] / total['bands']:.3f}x)"
)
