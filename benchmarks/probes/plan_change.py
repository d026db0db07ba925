"""One IR's recorded kernel plan against the same plan with some layers moved, in interleaved
rounds (each round: 3 warm calls, 5 timed, the order alternating): the change's speed-up per round.

    python benchmarks/probes/plan_change.py fsrcnn_x3_int8 160x140 30 body.0=jit_avx512
"""

import json
import statistics
import sys
import time

import numpy as np

from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir

name, size, rounds, change = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
entry = json.load(open("xeonsr/openvino_models/manifest.json"))["models"][name]
xml = "xeonsr/openvino_models/" + entry["xml"]
w, h = map(int, size.split("x"))
plan = dict(plan_for(entry, "f32") or {})
moved = dict(plan)
for kv in change.split(","):
    layer, kernel = kv.split("=")
    moved[f"__module.{layer}/aten::_convolution/Convolution"] = kernel
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
reqs = {
    k: compile_ir(xml, 2, inference_precision="f32", kernels=v).create_infer_request()
    for k, v in (("plan", plan), ("moved", moved))
}
ref = reqs["plan"].infer({0: x})[0].copy()
print(f"{name} {size}: plan {plan}; moved {change}; max diff {np.abs(reqs['moved'].infer({0: x})[0] - ref).max():.1e}")
times = {k: [] for k in reqs}
for i in range(rounds):
    for k in list(reqs) if i % 2 == 0 else list(reqs)[::-1]:
        for _ in range(3):
            reqs[k].infer({0: x})
        t0 = time.perf_counter()
        for _ in range(5):
            reqs[k].infer({0: x})
        times[k].append((time.perf_counter() - t0) / 5e-3)
ratios = [a / b for a, b in zip(times["plan"], times["moved"], strict=True)]
for k, ts in times.items():
    print(f"{k:6s} median {statistics.median(ts):.3f} ms, best {min(ts):.3f}")
print(f"moved over plan, per round: median {statistics.median(ratios):.3f}x, {min(ratios):.3f}-{max(ratios):.3f}x")
