"""Session 42 (AVX2 Zen 3): one backend alone in its own process, back-to-back calls at one LR
size (as xeonsr.runtime.load_runner loads it for the bench), no other runtime's threads
around: median and 10th percentile ms over CALLS calls after 50 untimed ones. Run it once per
backend and size, alternating, to set runtimes side by side without interleaving.

    for b in ov-fp32 ort; do python benchmarks/probes/runtime_alone.py srcnn 3 $b 24x24 400; done
"""

import statistics
import sys
import time

import numpy as np

from xeonsr.runtime import load_runner

model, scale, backend, size, calls = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
w, h = (int(v) for v in size.split("x"))
run = load_runner(model, scale, backend, threads=2).run
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
for _ in range(50):
    run(x)
ts = []
for _ in range(calls):
    t0 = time.perf_counter()
    run(x)
    ts.append((time.perf_counter() - t0) * 1e3)
print(f"{model} x{scale} {backend} {size}: median {statistics.median(ts):.3f} ms, p10 {np.percentile(ts, 10):.3f} ms")
