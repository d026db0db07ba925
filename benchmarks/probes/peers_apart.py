"""Does every engine slow in the Zen 4 VM's "apart" minutes (session 59: its two vCPUs on cores
with no shared L3), or does PyTorch lose less, as the session-59 bench runs suggested? About every
few seconds, in one process and interleaved rounds: FSRCNN-s (or MODEL) x3 on a WxH LR input on
2 threads and on 1 in each of PyTorch FP32, OpenVINO FP32, OpenVINO INT8 and ONNX Runtime, then
vcpu_pingpong.c's handoff read (GB/s at which one vCPU reads a buffer the other just wrote) to
tell the two states apart. At the end, per state: each engine's mean ms on 2 threads and on 1,
its 2-thread gain, and OpenVINO FP32 / INT8 against PyTorch and ONNX Runtime.

    python benchmarks/probes/peers_apart.py fsrcnn-s 170x170 10
"""

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

APART_GBS = 45.0  # as vcpu_wake.py: handoff reads below this, the two vCPUs share no L3
ENGINES = ("torch-fp32", "ov-fp32", "ov-int8", "ort")

if __name__ == "__main__":
    model, size, minutes = sys.argv[1], sys.argv[2], float(sys.argv[3])
    w, h = (int(v) for v in size.split("x"))
    cpus = sorted(os.sched_getaffinity(0))
    pingpong = Path(tempfile.mkdtemp()) / "pingpong"
    subprocess.run(
        ["gcc", "-O2", "-pthread", str(Path(__file__).with_name("vcpu_pingpong.c")), "-o", pingpong], check=True
    )
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    fns = {}
    for engine in ENGINES:
        for t in (2, 1):
            fns[f"{engine} {t}t"] = load_runner(model, 3, engine, threads=t).run
    import torch

    def torch_on(run, t):  # PyTorch's thread count is the process's, not the runner's: set it per call
        def call(x):
            torch.set_num_threads(t)
            return run(x)

        return call

    fns["torch-fp32 2t"], fns["torch-fp32 1t"] = torch_on(fns["torch-fp32 2t"], 2), torch_on(fns["torch-fp32 1t"], 1)
    print("time     " + "  ".join(f"{k:>12s}" for k in fns) + "  handoff GB/s", flush=True)
    lines = []
    end = time.time() + minutes * 60
    while time.time() < end:
        t = rounds_ms(fns, x, 2, calls=5)
        time.sleep(0.2)  # ONNX Runtime's and OpenMP's threads spin a while after a call: not beside the handoff test
        out = subprocess.run([pingpong, str(cpus[0]), str(cpus[-1])], capture_output=True, text=True).stdout.split()
        row = {k: statistics.median(v) for k, v in t.items()} | {"other": float(out[1])}
        lines.append(row)
        print(
            time.strftime("%H:%M:%S ") + "  ".join(f"{row[k]:12.2f}" for k in fns) + f"  {row['other']:6.1f}",
            flush=True,
        )
    print(f"\n{model} x3 {size}, means over the lines of each state (ms)")
    for label, pick in (
        ("together (>= 45 GB/s)", lambda r: r["other"] >= APART_GBS),
        ("apart (< 45 GB/s)", lambda r: r["other"] < APART_GBS),
    ):
        rows = [r for r in lines if pick(r)]
        if not rows:
            print(f"{label}: no lines")
            continue
        mean = {k: statistics.fmean(r[k] for r in rows) for k in rows[0]}
        print(f"{label}: {len(rows)} lines")
        for engine in ENGINES:
            two, one = mean[f"{engine} 2t"], mean[f"{engine} 1t"]
            print(f"  {engine:11s} 2t {two:6.2f}  1t {one:6.2f}  2-thread gain {one / two:4.2f}x")
        for ov in ("ov-fp32", "ov-int8"):
            for peer in ("torch-fp32", "ort"):
                print(f"  {ov} 2t vs {peer} 2t: {mean[f'{peer} 2t'] / mean[f'{ov} 2t']:4.2f}x")
