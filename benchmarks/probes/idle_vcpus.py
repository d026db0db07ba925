"""Whether a host's idle CPUs cost the runtimes whose threads sleep between layers: the bench's
interleaved rounds over Set14's LR sizes, in one process, first as the host is, then with a busy
loop at SCHED_IDLE priority on every CPU this process may use (it keeps each CPU from halting and
yields at once to any other thread), then as the host is again. A VM whose idle vCPUs halt at once
(a kernel command line with haltpoll.guest_halt_poll_ns=0) wakes them through the hypervisor; a
runtime whose workers sleep between layers pays that wake-up per layer, one whose workers spin
between parallel regions (PyTorch's OpenMP) does not.

    python benchmarks/probes/idle_vcpus.py fsrcnn-s 3 torch-fp32,ov-fp32,ov-int8,ort 2

Per phase and LR size: each backend's median ms over the rounds (3 rounds of 5 calls); per phase,
the sum over the sizes.
"""

import multiprocessing as mp
import os
import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.runtime import load_runner

SIZES = [(166, 160), (240, 192), (170, 170), (117, 96), (83, 120), (92, 92), (166, 120), (256, 170), (176, 218)]


def spin(cpu: int) -> None:
    os.sched_setaffinity(0, {cpu})
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    while True:
        pass


def phase(label: str, runners: dict) -> None:
    total = dict.fromkeys(runners, 0.0)
    for w, h in SIZES:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        t = rounds_ms({b: r.run for b, r in runners.items()}, x, 3, calls=5)
        med = {b: statistics.median(v) for b, v in t.items()}
        for b in runners:
            total[b] += med[b]
        print(f"{label} {w}x{h}: " + "  ".join(f"{b} {m:.2f}" for b, m in med.items()), flush=True)
    print(f"{label} sum over the sizes: " + "  ".join(f"{b} {m:.1f} ms" for b, m in total.items()), flush=True)


if __name__ == "__main__":
    model, scale, backends, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), int(sys.argv[4])
    print("kernel command line:", open("/proc/cmdline").read().split(" rdinit")[0].strip())
    runners = {b: load_runner(model, scale, b, threads=threads) for b in backends}
    phase("as is", runners)
    spinners = [mp.Process(target=spin, args=(cpu,), daemon=True) for cpu in sorted(os.sched_getaffinity(0))]
    for p in spinners:
        p.start()
    try:
        phase("idle loops", runners)
    finally:
        for p in spinners:
            p.kill()
            p.join()
    phase("as is again", runners)
