"""Which of a network's nodes slow in the Zen 4 VM's "apart" minutes (its two vCPUs on cores with
no shared L3, sessions 59-60). Over and over: the shipped IR NAME (its kernel plan applied)
compiled anew with OpenVINO's per-node counters on 2 threads, 5 untimed calls, 30 timed on a WxH
LR input, then vcpu_pingpong.c's handoff read (GB/s) to tell the states apart. The plugin's
counters average over every call a compiled network has run, so each line recompiles and takes
the last 30 calls' mean from the averages after 5 and after 35. At the end, per node, the median
over the lines of each state and the ratio.

    python benchmarks/probes/apart_nodes.py fsrcnn-s_x3_fp32 170x170 5
"""

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import openvino as ov

from xeonsr.irs import SHIPPED_IR_DIR, read_manifest
from xeonsr.kernels import plan_for, with_kernels

APART_GBS = 45.0  # as vcpu_wake.py: handoff reads below this, the two vCPUs share no L3
WARM, TIMED = 5, 30

if __name__ == "__main__":
    name, size, minutes = sys.argv[1], sys.argv[2], float(sys.argv[3])
    w, h = (int(v) for v in size.split("x"))
    pingpong = Path(tempfile.mkdtemp()) / "pingpong"
    subprocess.run(
        ["gcc", "-O2", "-pthread", str(Path(__file__).with_name("vcpu_pingpong.c")), "-o", pingpong], check=True
    )
    core = ov.Core()
    entry = read_manifest()["models"][name]
    model = with_kernels(core.read_model(str(SHIPPED_IR_DIR / entry["xml"])), plan_for(entry, "f32") or {})
    cfg = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": 2, "INFERENCE_PRECISION_HINT": "f32"}
    cfg["PERF_COUNT"] = True
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    lines = []
    end = time.time() + minutes * 60
    while time.time() < end:
        request = core.compile_model(model, "CPU", cfg).create_infer_request()
        for _ in range(WARM):
            request.infer({0: x})
        after_warm = {p.node_name: p.real_time.total_seconds() for p in request.profiling_info}
        t0 = time.perf_counter()
        for _ in range(TIMED):
            request.infer({0: x})
        wall = (time.perf_counter() - t0) * 1e3 / TIMED
        nodes = {}
        for p in request.profiling_info:
            if p.status == p.Status.EXECUTED:
                # shape-of nodes get a new number per compile: one row for them all
                key = f"{re.sub(r'_[0-9]{5,}$', '', p.node_name)} ({p.exec_type})"
                ms = (p.real_time.total_seconds() * (WARM + TIMED) - after_warm[p.node_name] * WARM) * 1e3 / TIMED
                nodes[key] = nodes.get(key, 0.0) + ms
        other = float(subprocess.run([pingpong, "0", "1"], capture_output=True, text=True).stdout.split()[1])
        lines.append({"other": other, "call": wall, **nodes})
        print(
            f"{time.strftime('%H:%M:%S')} handoff {other:5.1f} GB/s  call {wall:.3f} ms  nodes {sum(nodes.values()):.3f}"
        )
    together = [r for r in lines if r["other"] >= APART_GBS]
    apart = [r for r in lines if r["other"] < APART_GBS]
    print(f"\n{name} {size}, 2 threads: {len(together)} lines together, {len(apart)} apart; median ms")
    if together and apart:
        keys = sorted(set().union(*lines) - {"other"}, key=lambda k: -sum(r.get(k, 0) for r in together))

        def med(rows, k):
            return statistics.median([r[k] for r in rows if k in r] or [0.0])

        print("together    apart   ratio  node")
        for k in keys:
            a, b = med(together, k), med(apart, k)
            if a >= 0.005:
                print(f"{a:8.3f} {b:8.3f} {b / a:6.2f}x  {k}")
