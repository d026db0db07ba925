"""PyTorch's per-call time under glibc's malloc as it comes and with freed memory kept
(xeonsr.runtime.keep_freed_memory sets both thresholds for every torch runner since session 59):
each setting in its own process, since a torch runner now applies both.

    python benchmarks/probes/torch_malloc.py fsrcnn-s 3 170x170

Per setting: the median and mean of 120 calls after 20 warm ones, and the share under 1.5x the
fastest call.
"""

import ctypes
import subprocess
import sys

SETTINGS = ("none", "trim", "mmap", "trim+mmap")


def one(model: str, scale: int, w: int, h: int, setting: str) -> str:
    import time

    import numpy as np

    import xeonsr.runtime as rt

    libc = ctypes.CDLL("libc.so.6")
    rt.keep_freed_memory = lambda: True  # this process's setting only
    if "trim" in setting:
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD
    if "mmap" in setting:
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD
    r = rt.load_runner(model, scale, "torch-fp32", threads=2)
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    for _ in range(20):
        r.run(x)
    ts = []
    for _ in range(120):
        t0 = time.perf_counter()
        r.run(x)
        ts.append((time.perf_counter() - t0) * 1e3)
    ts = np.array(ts)
    fast = float(np.mean(ts < 1.5 * ts.min()))
    return f"{setting:10s} median {np.median(ts):6.2f} ms  mean {ts.mean():6.2f}  under 1.5x the fastest {fast:.0%}"


if __name__ == "__main__":
    model, scale = sys.argv[1], int(sys.argv[2])
    w, h = (int(v) for v in sys.argv[3].split("x"))
    if len(sys.argv) > 4:
        print(one(model, scale, w, h, sys.argv[4]), flush=True)
    else:
        for setting in SETTINGS:
            subprocess.run([sys.executable, __file__, *sys.argv[1:4], setting], check=True)
