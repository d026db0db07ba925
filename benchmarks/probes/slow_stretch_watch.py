"""Watch for the Zen 4 VM's slow stretches (session 58: minutes in which OpenVINO, ONNX Runtime and
OpenCV ran 1.2-2.5x slower while PyTorch did not) and, in each minute, tell apart what the slowness
lives in: the long-lived network (its compiled weights and the request's buffers), the request
alone, the runtime's threads, or the CPU itself.

    python benchmarks/probes/slow_stretch_watch.py fsrcnn-s 3 170x170 40

Every ~15 s one line of interleaved rounds (each backend's median ms):
  ov      the OpenVINO FP32 network compiled once at the start, its one request reused (the bench's way)
  ov-req  the same compiled network, a new infer request made this minute
  ov-new  the same IR compiled anew this minute (new weights' memory, new request)
  ov-1t   the OpenVINO network compiled once with 1 thread (no worker to wake)
  cpuN    that 1-thread network with the calling thread held to CPU N alone (each vCPU's own speed)
  torch   PyTorch FP32, 2 threads (OpenMP workers that spin between layers)
  ort     ONNX Runtime FP32, 2 threads
and the vCPUs' steal time over the minute (/proc/stat, % of the interval).
"""

import os
import sys
import time

import numpy as np
from _rounds import rounds_ms

from xeonsr.runtime import load_runner


def steal_ticks() -> tuple[int, int]:
    """(steal, total) jiffies over all CPUs."""
    fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    return fields[7], sum(fields)


def on_cpu(cpu: int, fn):
    """``fn`` run with this thread held to ``cpu`` (a 1-thread network runs in the calling thread)."""

    def run(x):
        everywhere = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {cpu})
        try:
            return fn(x)
        finally:
            os.sched_setaffinity(0, everywhere)

    return run


if __name__ == "__main__":
    model, scale = sys.argv[1], int(sys.argv[2])
    w, h = (int(v) for v in sys.argv[3].split("x"))
    minutes = float(sys.argv[4])
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    ov = load_runner(model, scale, "ov-fp32", threads=2)
    ov1 = load_runner(model, scale, "ov-fp32", threads=1)
    torch_r = load_runner(model, scale, "torch-fp32", threads=2)
    ort = load_runner(model, scale, "ort", threads=2)
    print(f"{model} x{scale} {w}x{h}, median ms by round; ratios to ov", flush=True)
    end = time.time() + minutes * 60
    while time.time() < end:
        s0, t0 = steal_ticks()
        fresh = load_runner(model, scale, "ov-fp32", threads=2)
        fns = {
            "ov": ov.run,
            "ov-req": ov.for_thread().run,
            "ov-new": fresh.run,
            "ov-1t": ov1.run,
            "torch": torch_r.run,
            "ort": ort.run,
        }
        for cpu in sorted(os.sched_getaffinity(0)):
            fns[f"cpu{cpu}"] = on_cpu(cpu, ov1.run)
        t = rounds_ms(fns, x, 3, calls=10)
        med = {k: float(np.median(v)) for k, v in t.items()}
        s1, t1 = steal_ticks()
        steal = 100.0 * (s1 - s0) / max(1, t1 - t0)
        cells = "  ".join(f"{k} {m:.2f}" for k, m in med.items())
        ratios = f"ov/torch {med['ov'] / med['torch']:.2f}  ov-new/ov {med['ov-new'] / med['ov']:.2f}"
        print(f"{time.strftime('%H:%M:%S')}  {cells}  | {ratios}  steal {steal:.1f}%", flush=True)
        del fresh, fns
        time.sleep(max(0.0, 15 - (time.time() % 15)))
