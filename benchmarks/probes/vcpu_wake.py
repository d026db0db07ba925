"""What a slow stretch is on the Zen 4 VM (sessions 58-59): minutes in which a network's two
threads run it no faster than one. About every second, side by side:
  - OpenVINO FP32 FSRCNN-s on 2 threads and on 1 (median ms of the bench's rounds);
  - the same 1-thread network in a process held to each vCPU, alone and both at once (median ms
    of 10 calls): two vCPUs that share one core's units slow each other only when both run;
  - vcpu_pingpong.c between the two vCPUs: one cache line's round trip (ns) and the GB/s at which
    one thread reads a 2 MB buffer the other just wrote, and one it wrote itself (gcc compiles it);
  - how long a process on the other vCPU takes to answer a ping when it sleeps in between
    (a semaphore: its vCPU halts, and the hypervisor must run it again) and when it spins
    (a shared counter: its vCPU never idles), median and 90th percentile of 40 pings, 2 ms apart.
A stretch in which 2 threads equal 1 and the sleeping answer slows while the spinning one does not
is the wake-up of an idle vCPU; one in which both answers slow is the host taking the vCPU away;
one in which the processes run at full speed alone and at half at once is two vCPUs on one core;
one in which only the handoff slows is two vCPUs on cores that share no L3 cache. At the end, the
lines summarised by that last state.

    python benchmarks/probes/vcpu_wake.py 8
"""

import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _rounds import rounds_ms

from xeonsr.runtime import load_runner

APART_GBS = 45.0  # handoff reads below this: the two vCPUs share no L3 (session 59: 14-32 against 47-78)


def sleeper(cpu: int, ping, pong) -> None:
    os.sched_setaffinity(0, {cpu})
    while True:
        ping.acquire()
        pong.release()


def spinner(cpu: int, counter) -> None:
    os.sched_setaffinity(0, {cpu})
    seen = 0
    while True:
        v = counter.value
        if v != seen and v % 2 == 1:  # an odd value is a ping; answer with the next even one
            counter.value = v + 1
            seen = v + 1


def runner_on(cpu: int, go, done, out) -> None:
    """A 1-thread FSRCNN-s held to ``cpu``: on each ``go``, 10 timed calls, their median to ``out``."""
    os.sched_setaffinity(0, {cpu})
    r = load_runner("fsrcnn-s", 3, "ov-fp32", threads=1)
    x = np.random.default_rng(0).random((1, 1, 170, 170), dtype=np.float32)
    for _ in range(20):
        r.run(x)
    while True:
        go.acquire()
        ts = []
        for _ in range(10):
            t0 = time.perf_counter()
            r.run(x)
            ts.append((time.perf_counter() - t0) * 1e3)
        out.value = statistics.median(ts)
        done.release()


def pings_us(send_and_wait, n: int = 40, gap_s: float = 0.002) -> tuple[float, float]:
    times = []
    for _ in range(n):
        time.sleep(gap_s)
        t0 = time.perf_counter()
        send_and_wait()
        times.append((time.perf_counter() - t0) * 1e6)
    times.sort()
    return statistics.median(times), times[int(0.9 * len(times))]


if __name__ == "__main__":
    minutes = float(sys.argv[1])
    cpus = sorted(os.sched_getaffinity(0))
    here, there = cpus[0], cpus[-1]
    os.sched_setaffinity(0, {here})
    ping, pong = mp.Semaphore(0), mp.Semaphore(0)
    counter = mp.Value("q", 0, lock=False)
    workers = [mp.Process(target=sleeper, args=(there, ping, pong), daemon=True)]
    workers.append(mp.Process(target=spinner, args=(there, counter), daemon=True))
    workers[0].start()

    def sleeping_ping():
        ping.release()
        pong.acquire()

    def spinning_ping():
        v = counter.value + 1
        counter.value = v
        while counter.value != v + 1:
            pass

    solo = []
    for cpu in cpus:
        go, done, out = mp.Semaphore(0), mp.Semaphore(0), mp.Value("d", 0.0, lock=False)
        mp.Process(target=runner_on, args=(cpu, go, done, out), daemon=True).start()
        solo.append((go, done, out))

    def solo_ms(which) -> list[float]:
        for i in which:
            solo[i][0].release()
        for i in which:
            solo[i][1].acquire()
        return [solo[i][2].value for i in which]

    pingpong = Path(tempfile.mkdtemp()) / "pingpong"
    subprocess.run(
        ["gcc", "-O2", "-pthread", str(Path(__file__).with_name("vcpu_pingpong.c")), "-o", pingpong], check=True
    )

    os.sched_setaffinity(0, set(cpus))
    x = np.random.default_rng(0).random((1, 1, 170, 170), dtype=np.float32)
    ov2 = load_runner("fsrcnn-s", 3, "ov-fp32", threads=2)
    ov1 = load_runner("fsrcnn-s", 3, "ov-fp32", threads=1)
    print(
        "time      ov 2t   ov 1t  | alone on each vCPU, at once | line ns, GB/s other, own | sleeping ping us (median, p90) |"
        " spinning ping us (median, p90)",
        flush=True,
    )
    spin_started = False
    lines = []
    end = time.time() + minutes * 60
    while time.time() < end:
        t = rounds_ms({"2t": ov2.run, "1t": ov1.run}, x, 3, calls=10)
        os.sched_setaffinity(0, {here})
        sl = pings_us(sleeping_ping)
        if not spin_started:  # started only now, so its busy loop never overlaps the timing above
            workers[1].start()
            spin_started = True
        else:
            os.kill(workers[1].pid, 18)  # SIGCONT
        sp = pings_us(spinning_ping)
        os.kill(workers[1].pid, 19)  # SIGSTOP: no busy loop while the networks are timed
        os.sched_setaffinity(0, set(cpus))
        m2, m1 = statistics.median(t["2t"]), statistics.median(t["1t"])
        alone = solo_ms([0]) + solo_ms([len(solo) - 1])
        both = solo_ms(range(len(solo)))
        ns, other, own = (
            float(v)
            for v in subprocess.run([pingpong, str(here), str(there)], capture_output=True, text=True).stdout.split()
        )
        lines.append(
            {"2t": m2, "1t": m1, "alone": sum(alone) / 2, "both": sum(both) / 2, "ns": ns, "other": other, "own": own}
        )
        print(
            f"{time.strftime('%H:%M:%S')}  {m2:5.2f}  {m1:5.2f}  | {alone[0]:5.2f} {alone[1]:5.2f}  {both[0]:5.2f} {both[-1]:5.2f}"
            f" | {ns:4.0f} {other:5.1f} {own:5.1f} | {sl[0]:7.0f} {sl[1]:7.0f} | {sp[0]:7.1f} {sp[1]:7.1f}",
            flush=True,
        )
    for w in workers:
        w.kill()
    # Two states: the other vCPU reads a buffer just written at L3 speed (~75 GB/s), or at a
    # third of it (the vCPUs apart, on cores that share no L3). Summarised per state:
    print(
        "\nstate (handoff GB/s)      lines  2t > 1.33x 1t  ov 2t  ov 1t  alone  at once  line ns  handoff GB/s  own GB/s"
    )
    for label, pick in (
        ("together (>= 45)", lambda r: r["other"] >= APART_GBS),
        ("apart (< 45)", lambda r: r["other"] < APART_GBS),
    ):
        rows = [r for r in lines if pick(r)]
        if not rows:
            continue
        mean = {k: statistics.fmean(r[k] for r in rows) for k in rows[0]}
        gain = sum(r["1t"] / r["2t"] > 1.33 for r in rows)
        print(
            f"{label:24s} {len(rows):6d} {gain:10d} {mean['2t']:12.2f} {mean['1t']:6.2f} {mean['alone']:6.2f} {mean['both']:8.2f}"
            f" {mean['ns']:8.0f} {min(r['other'] for r in rows):6.1f}-{max(r['other'] for r in rows):4.1f} {mean['own']:9.1f}"
        )
