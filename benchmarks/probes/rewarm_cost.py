"""Session 24: what a timed call costs after the bench's pause between rounds, and how much
re-warming takes that cost away (why `xeonsr.bench.WARM_S` exists). One shipped IR at one LR
size, the median of N calls, each after:

- nothing (back to back), one untimed call, a 30 ms pause, a 30 ms pause and one untimed call,
  a 30 ms pause and 10 or 25 ms of untimed calls, ONNX Runtime's call on the same graph (and
  then a pause and one call, as the bench did before session 24).

Then, optionally, the mean of per-shape medians over Set14 x3's LR shapes back to back (the
drift of the network's own speed between minutes, beside the compute-bound peak chain's).

    python benchmarks/probes/rewarm_cost.py fsrcnn 3 92x92 [threads] [repeats] [--set14 DATA]
"""

import statistics
import sys
import time

import numpy as np

from xeonsr.peaks import PeakMeter
from xeonsr.runtime import load_runner
from xeonsr.threads import apply_threads, plan_threads

model, scale = sys.argv[1], int(sys.argv[2])
w, h = (int(v) for v in sys.argv[3].split("x"))
threads = int(sys.argv[4]) if len(sys.argv) > 4 and not sys.argv[4].startswith("--") else 2
repeats = int(sys.argv[5]) if len(sys.argv) > 5 and not sys.argv[5].startswith("--") else 40
apply_threads(plan_threads(threads), pin=True)
ov = load_runner(model, scale, "ov-int8", threads=threads)
ort = load_runner(model, scale, "ort", threads=threads)
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)


def busy(ms):
    t0 = time.perf_counter()
    ov.run(x)
    while (time.perf_counter() - t0) * 1e3 < ms:
        ov.run(x)


def median_after(before):
    times = []
    for _ in range(repeats):
        before()
        t0 = time.perf_counter()
        ov.run(x)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


forms = {
    "back to back": lambda: None,
    "1 call": lambda: ov.run(x),
    "pause": lambda: time.sleep(0.03),
    "pause + 1 call": lambda: (time.sleep(0.03), ov.run(x)),
    "pause + 10 ms": lambda: (time.sleep(0.03), busy(10)),
    "pause + 25 ms": lambda: (time.sleep(0.03), busy(25)),
    "ort": lambda: ort.run(x),
    "ort + pause + 1 call": lambda: (ort.run(x), time.sleep(0.03), ov.run(x)),
}
print(f"{model} x{scale} INT8 IR, {w}x{h} LR, {threads} threads, median ms of {repeats} calls after:")
for _ in range(3):
    print("  " + ", ".join(f"{k} {median_after(f):.2f}" for k, f in forms.items()), flush=True)

if "--set14" in sys.argv:
    from xeonsr.evaluate import load_samples

    samples = load_samples(f"{sys.argv[sys.argv.index('--set14') + 1]}/Set14", scale)
    meter = PeakMeter("int8", threads)
    for _ in range(3):
        meds = []
        for s in samples:
            xi = (s.lr.astype(np.float32) / 255.0)[None, None]
            for _ in range(5):
                ov.run(xi)
            t = []
            for _ in range(7):
                t0 = time.perf_counter()
                ov.run(xi)
                t.append((time.perf_counter() - t0) * 1e3)
            meds.append(statistics.median(t))
        print(f"Set14 x{scale} back to back: {np.mean(meds):.2f} ms per image; INT8 chain {meter.sample():.0f} GOP/s")
