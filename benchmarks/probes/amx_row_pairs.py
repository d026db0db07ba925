"""Session 34 (Intel Xeon with AMX): each IR as it ran on this CPU class until now (its measured
kernel plan, the stored graph) against the same plan with the column pairs the plan does not name
rewritten as row pairs (xeonsr.ir_forms.row_pairs) of 5, 8 or 16 row channels, and the row pair
without the plan. In an INT8 IR only the float layers no quantizer follows are rewritten (as
xeonsr.ir_forms.host_forms does). Interleaved rounds, each re-warmed for 25 ms after a 30 ms
pause, 160x140 LR unless given; median ms, speed-up over the shipped form, largest output
difference.

    python benchmarks/probes/amx_row_pairs.py 2 10 srcnn_x3_fp32,srcnn_x2_fp32,fsrcnn_x3_fp32 [160x140 [shipped,rp5,dw]]

``dw``: the last layer as xeonsr.ir_forms.last_layer_depthwise (a depthwise convolution and a 1x1
channel sum) beside the plan.
"""

import json
import statistics
import sys
import time

import numpy as np

from xeonsr.ir_forms import last_layer_depthwise, row_pairs
from xeonsr.ir_graph import unquantized_tail
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir

threads, rounds, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
w_, h_ = (int(v) for v in (sys.argv[4] if len(sys.argv) > 4 else "160x140").split("x"))
manifest = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
x = np.random.default_rng(0).random((1, 1, h_, w_), dtype=np.float32)
FORMS = {"shipped": (True, 0), "rp5": (True, 5), "rp8": (True, 8), "rp16": (True, 16), "rp5 no plan": (False, 5)}
if len(sys.argv) > 5:  # e.g. "shipped,rp5,dw": a subset of FORMS, "dw" being last_layer_depthwise beside the plan
    FORMS = {k: ({**FORMS, "dw": (True, "dw")})[k] for k in sys.argv[5].split(",")}

for name in names:
    entry = manifest[name]
    plan = plan_for(entry, "f32") or {}
    reqs = {}
    for form, (with_plan, lanes) in FORMS.items():
        m = read_ir(f"xeonsr/openvino_models/{entry['xml']}")
        kernels = plan if with_plan else {}
        if lanes:
            only = {op.get_friendly_name() for op in m.get_ordered_ops()} - set(kernels)
            if any(op.get_type_name() == "FakeQuantize" for op in m.get_ops()):
                only &= unquantized_tail(m)
            done = last_layer_depthwise(m, only=only) if lanes == "dw" else row_pairs(m, only=only, lanes=lanes)
            if not done:
                continue
        reqs[form] = compile_ir(m, threads, kernels=kernels).create_infer_request()
    if len(reqs) == 1:
        print(f"{name}: no column pair outside its plan")
        continue
    ref = reqs["shipped"].infer({0: x})[0].copy()
    diffs = {k: float(np.abs(r.infer({0: x})[0] - ref).max()) for k, r in reqs.items()}
    times = {k: [] for k in reqs}
    for _ in range(rounds):
        for k, r in reqs.items():
            time.sleep(0.03)
            t_end = time.perf_counter() + 0.025
            while time.perf_counter() < t_end:
                r.infer({0: x})
            t0 = time.perf_counter()
            for _ in range(3):
                r.infer({0: x})
            times[k].append((time.perf_counter() - t0) / 3e-3)
    base = statistics.median(times["shipped"])
    for k in reqs:
        med = statistics.median(times[k])
        print(f"{name:18s} {k:12s} {med:7.2f} ms  {base / med:5.3f}x  maxdiff {diffs[k]:.1e}", flush=True)
