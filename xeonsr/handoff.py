"""How fast one CPU reads what another just wrote, against what it wrote itself: the cost a
network's threads pay to pass a layer's output between them, as it is at this moment.

A cloud VM's vCPUs move between physical cores, and sysfs cannot tell where they are: the 2-vCPU
AMD EPYC Zen 4 VM these pages were measured on reported one shared L3, yet for seconds to minutes
at a time its two vCPUs sat on cores with no shared L3 (CCDs apart), where one read the other's
writes at 20-27 GB/s against 70-78 together (`benchmarks/probes/vcpu_pingpong.c`, session 59), and
OpenVINO's two-thread FSRCNN-s ran 1.5x slower while the practical peak, whose threads never trade
data, did not move (session 60). So the bench samples this before every backend's turn.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import numpy as np

FLOATS = 512 * 1024  # 2 MB: a few channels of a Set14-sized layer's output
PASSES = 12
SLOW = 0.5  # a handoff under half the run's best: the CPUs no longer share a cache level


@dataclass(frozen=True)
class Handoff:
    src: int  # the CPU that wrote
    dst: int  # the CPU that read
    cross_gbs: float  # dst reading src's writes
    own_gbs: float  # dst reading its own writes


def pair(cpus) -> tuple[int, int] | None:
    """The two CPUs a handoff is measured between: the first and the last the process may use
    (the pair most likely to sit apart); None with one CPU, or where threads can't be pinned."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = sorted(cpus)
    return (cpus[0], cpus[-1]) if len(cpus) > 1 else None


def measure(src: int, dst: int, passes: int = PASSES) -> Handoff:
    """Median read rates (GB/s) of a 2 MB buffer on ``dst``: just written on ``src``, and just
    written by ``dst`` itself. numpy's reductions release the GIL and run vectorised, so the read
    is timed inside the reading thread; the hand-over between the threads is not timed. The
    calling thread is held to ``src`` while it runs and gets its CPUs back after."""
    buf = np.ones(FLOATS, np.float32)
    written, read = threading.Event(), threading.Event()
    cross, own, failed = [], [], []

    def reader() -> None:
        try:
            os.sched_setaffinity(0, {dst})
            for p in range(passes):
                written.wait()
                written.clear()
                t0 = time.perf_counter()
                buf.max()
                cross.append(time.perf_counter() - t0)
                buf.fill(p)
                t0 = time.perf_counter()
                buf.max()
                own.append(time.perf_counter() - t0)
                read.set()
        except BaseException as e:  # noqa: BLE001 - handed to the caller, which would otherwise wait forever
            failed.append(e)
            read.set()

    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {src})
    try:
        worker = threading.Thread(target=reader, name="xeonsr-handoff", daemon=True)
        worker.start()
        for p in range(passes):
            buf.fill(p + 1)
            written.set()
            read.wait()
            read.clear()
            if failed:
                break
        worker.join()
    finally:
        os.sched_setaffinity(0, before)
    if failed:
        raise failed[0]
    gb = buf.nbytes / 1e9
    return Handoff(src, dst, gb / float(np.median(cross)), gb / float(np.median(own)))


def slow_images(samples: dict) -> list:
    """The keys (images) whose handoff samples (GB/s) ran, by their median, under half the run's
    best sample: measured while the CPUs shared no cache (their rows' latencies carry that)."""
    best = max((v for s in samples.values() for v in s), default=0.0)
    return [k for k, s in samples.items() if s and float(np.median(s)) < SLOW * best]
