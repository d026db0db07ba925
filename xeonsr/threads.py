"""One thread policy for every command: what was asked, what is there, what is used.

Threads go to physical cores first (never silently more threads than CPUs this process may
run on, nor than its container's CPU quota allows). Measuring commands (bench, profile) also
pin themselves to the chosen CPUs; training, eval and upscale only set the count, so two jobs
side by side are not pinned onto the same core.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CoreOf = Callable[[int], "tuple[int, int] | None"]


@dataclass
class ThreadPlan:
    requested: int | None
    available: int
    used: int
    pinned: list[int]
    quota: float | None = None  # the cgroup's CPU limit, in CPUs (None: none set)

    def describe(self, pinned: bool = True) -> str:
        asked = "all" if self.requested is None else str(self.requested)
        note = "" if self.requested in (None, self.used) else f" (only {self.available} available)"
        if self.quota is not None:  # what "available" counts, where the CPUs alone would say more
            note += f" (a CPU quota of {self.quota:g})"
        where = f"; pinned to CPUs {self.pinned}" if pinned else ""
        return f"threads: asked {asked}, available {self.available}, used {self.used}{note}{where}"

    def as_dict(self) -> dict:
        out = {"requested": self.requested, "available": self.available, "used": self.used, "pinned": self.pinned}
        return out if self.quota is None else {**out, "cpu_quota": self.quota}


def usable_cpus() -> list[int]:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))


def cpu_quota(root: str = "/sys/fs/cgroup", own: str = "/proc/self/cgroup") -> float | None:
    """CPUs' worth of time this process's cgroup may take (Docker's --cpus, a Kubernetes CPU
    limit), the tightest along its cgroup and their parents; None where none is set. A quota
    limits time, not CPUs: the affinity mask still shows every host CPU, so threads counted from
    it would crowd the quota (OpenVINO's own scheduling does not read it either,
    openvinotoolkit/openvino#37838). cgroup v2 (cpu.max) and v1 (cpu.cfs_quota_us)."""
    paths = {"v2": "/", "cpu": "/"}  # where /proc/self/cgroup does not say: the mount's root
    try:
        with open(own) as f:
            for line in f:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                if controllers == "":
                    paths["v2"] = path
                elif "cpu" in controllers.split(","):
                    paths["cpu"] = path
    except (OSError, ValueError):
        pass
    limits = []
    for mount, path, read in (("", paths["v2"], _v2_limit), ("cpu", paths["cpu"], _v1_limit)):
        base = Path(root) / mount
        here = base / path.lstrip("/")
        for d in [here, *here.parents]:  # a container's mount may hold its own cgroup at its root
            if d == base or base in d.parents:
                limit = read(d)
                if limit is not None:
                    limits.append(limit)
    return min(limits) if limits else None


def quota_threads(quota: float) -> int:
    """The threads a CPU quota runs without waiting on each other: 2.5 CPUs of time, 3 threads."""
    return max(1, math.ceil(quota - 1e-9))


def _v2_limit(d: Path) -> float | None:
    try:
        quota, period = (d / "cpu.max").read_text().split()
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        return None


def _v1_limit(d: Path) -> float | None:
    try:
        quota = int((d / "cpu.cfs_quota_us").read_text())
        return None if quota <= 0 else quota / int((d / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None


def plan_threads(
    requested: int | None, core_of: CoreOf | None = None, cpus: list[int] | None = None, quota: float | None = None
) -> ThreadPlan:
    """Threads to use (capped at the CPUs this process may run on and at its cgroup's CPU quota,
    rounded up; default one per physical core) and the CPUs they belong on: one per physical
    core first, then SMT siblings. ``cpus`` and ``quota`` describe another machine (tests);
    without ``cpus`` both are this process's."""
    if requested is not None and requested < 1:
        from xeonsr.errors import UserError

        raise UserError(f"--threads must be at least 1, not {requested}")
    if cpus is None:
        cpus, quota = usable_cpus(), cpu_quota()
    cpus = sorted(cpus)
    topology = {c: (core_of or core_of_cpu)(c) for c in cpus}  # sysfs read once per CPU
    physical = len({core or ("cpu", c) for c, core in topology.items()})
    available = len(cpus) if quota is None else min(len(cpus), quota_threads(quota))
    used = min(requested or physical, available)
    return ThreadPlan(requested, available, used, pick_cpus(cpus, used, topology.get), quota)


def pick_cpus(cpus: list[int], n: int, core_of: CoreOf) -> list[int]:
    """``n`` of ``cpus``: the first logical CPU of each physical core, socket by socket, then
    the cores' second threads. Linux numbers SMT siblings either far apart (Intel: 0 and 28)
    or side by side (many VMs and AMD: 0 and 1), so taking the first n CPUs is not enough."""
    firsts, rest, seen = [], [], set()
    for c in sorted(cpus, key=lambda c: (core_of(c) or (-1, c), c)):
        key = core_of(c) or ("cpu", c)  # unknown topology: every CPU its own core
        (rest if key in seen else firsts).append(c)
        seen.add(key)
    return sorted((firsts + rest)[:n])


def core_of_cpu(cpu: int) -> tuple[int, int] | None:
    """(socket, core) of a logical CPU, from sysfs (None where the kernel does not say)."""
    topo = f"/sys/devices/system/cpu/cpu{cpu}/topology/"
    try:
        with open(topo + "physical_package_id") as f1, open(topo + "core_id") as f2:
            return int(f1.read()), int(f2.read())
    except (OSError, ValueError):
        return None


def apply_threads(plan: ThreadPlan, pin: bool = False) -> None:
    """Set torch's thread count and, with ``pin``, this process's CPUs. torch is not imported
    for this: if it is not loaded yet, OMP_NUM_THREADS tells it when it is."""
    import sys

    torch = sys.modules.get("torch")  # None also where an import of it was blocked
    if torch is not None:
        torch.set_num_threads(plan.used)
    else:
        os.environ["OMP_NUM_THREADS"] = str(plan.used)
    if pin and hasattr(os, "sched_setaffinity") and plan.used < plan.available:
        os.sched_setaffinity(0, plan.pinned)


# A folder's last images leave streams idle while the others finish: each stream gets at least
# this many images on average, the cores going to threads within the streams, down to two
# streams. On a 16-core Xeon (family 6 model 207) Set5 + Set14 twice (38 images) ran 1.2-1.8x
# faster on 8 streams of 2 threads than on 16 of 1 (SRCNN FP32/INT8/BF16, FSRCNN and DCSCN
# INT8), 8 times over (152 images) 16 streams were level again (docs/performance.md, the
# 16-core Xeon); on 2 Zen 2 cores Set5's 5 images still ran faster on 2 streams than on one.
IMAGES_PER_STREAM = 4


def plan_streams(
    plan: ThreadPlan, threads_per_stream: int = 1, core_of: CoreOf | None = None, images: int | None = None
) -> int:
    """How many inference streams a folder of images gets: per socket, its used physical cores
    divided by the threads each stream takes (at least one per socket), so no stream spans
    two sockets (OpenVINO keeps each stream's threads on one NUMA node). ``images``: how many
    the folder holds (or tiles the image); with few, each stream takes 2, 4, ... threads until
    every stream has ``IMAGES_PER_STREAM`` of them or two streams are left."""
    topology = {c: (core_of or core_of_cpu)(c) for c in plan.pinned}
    cores_by_socket: dict[object, set] = {}
    for c, core in topology.items():
        socket = core[0] if core else "?"
        cores_by_socket.setdefault(socket, set()).add(core or ("cpu", c))

    def streams(tps: int) -> int:
        return sum(max(1, len(cores) // tps) for cores in cores_by_socket.values())

    tps = max(1, threads_per_stream)
    widest = max(len(cores) for cores in cores_by_socket.values())
    while images is not None and tps < widest and images < IMAGES_PER_STREAM * streams(tps) and streams(2 * tps) >= 2:
        tps *= 2
    return streams(tps)


def folder_workers(streams: int, plan: ThreadPlan) -> int:
    """Threads that decode, upscale and encode a folder's files: at least one per used core, so
    decoding and encoding get the cores that fewer, wider streams leave (each worker has its own
    infer request; OpenVINO runs ``streams`` of them at once, the others wait their turn). On 2
    Zen 2 cores a folder on 1 stream ran 1.03-1.20x faster with 2 workers than with 1."""
    return max(streams, plan.used)


@contextlib.contextmanager
def worker_pool(workers: int, name: str):
    """A thread pool that, when its caller stops early (Ctrl-C, an error), drops the jobs not
    started and waits for the running ones to return: an interrupted folder upscales no image
    after the key (the images in hand stop at their next band, ``Upscaler.stop``, and nothing is
    written half, xeonsr.fileio) instead of upscaling the rest first."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix=name)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
