"""Each model's INT8 IR as xeonsr runs it on an AMX CPU against the same process with oneDNN held
to VNNI (ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI, which also drops the AMX class's kernel plans and
forms), in alternating processes (the cap is read once per process), with the INT8 peak of each.
Per round and model: the median of 15 calls on a WxH LR input after 0.3 s of warm calls.

    python benchmarks/probes/amx_vs_vnni_processes.py 8 160x140 srcnn,fsrcnn,fsrcnn-s,dcscn
"""

import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, statistics, sys, time
import numpy as np
from xeonsr.peaks import int8_conv_peak
from xeonsr.runtime import load_runner
w, h = map(int, sys.argv[1].split("x"))
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
out = {"peak": int8_conv_peak(2)[0]}
for m in sys.argv[2].split(","):
    run = load_runner(m, 3, "ov-int8", threads=2)
    t_end = time.perf_counter() + 0.3
    while time.perf_counter() < t_end:
        run(x)
    ts = []
    for _ in range(15):
        t0 = time.perf_counter()
        run(x)
        ts.append(time.perf_counter() - t0)
    out[m] = statistics.median(ts) * 1e3
print(json.dumps(out))
"""

rounds, size, models = int(sys.argv[1]), sys.argv[2], sys.argv[3]
res = {"amx": [], "vnni": []}
for i in range(rounds):
    for kind in ("amx", "vnni") if i % 2 == 0 else ("vnni", "amx"):
        env = dict(os.environ)
        env.pop("ONEDNN_MAX_CPU_ISA", None)
        if kind == "vnni":
            env["ONEDNN_MAX_CPU_ISA"] = "AVX512_CORE_VNNI"
        p = subprocess.run([sys.executable, "-c", CHILD, size, models], env=env, capture_output=True, text=True)
        res[kind].append(json.loads(p.stdout.strip().splitlines()[-1]))
for key in ["peak", *models.split(",")]:
    a = [r[key] for r in res["amx"]]
    v = [r[key] for r in res["vnni"]]
    ratio = [x / y for x, y in zip(v, a, strict=True)] if key != "peak" else [x / y for x, y in zip(a, v, strict=True)]
    what = "AMX peak over VNNI peak" if key == "peak" else "AMX speed-up over VNNI (VNNI ms / AMX ms)"
    print(
        f"{key:9s} AMX {statistics.median(a):8.2f} VNNI {statistics.median(v):8.2f}  {what}: "
        f"median {statistics.median(ratio):.2f}x, {min(ratio):.2f}-{max(ratio):.2f}x per round"
    )
