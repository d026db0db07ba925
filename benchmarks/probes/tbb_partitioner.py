"""Session 23 (Zen 4): OpenVINO's TBB_PARTITIONER property (how TBB splits a layer's work among
the threads: STATIC, fixed chunks; AUTO) on the shipped IRs with their kernel plans, one request
with the given threads, timed as `xeonsr bench` times (interleaved rounds); median ms per setting.

    python benchmarks/probes/tbb_partitioner.py 2 15 160x140 srcnn_x3_fp32,fsrcnn_x3_int8
"""

import statistics
import sys

import numpy as np
import openvino as ov

from xeonsr.bench import interleaved
from xeonsr.irs import SHIPPED_IR_DIR, read_manifest
from xeonsr.kernels import plan_for, with_kernels

threads, rounds, size, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4].split(",")
w, h = (int(v) for v in size.split("x"))
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
core = ov.Core()


class Runner:
    def __init__(self, request):
        self.request = request

    def run(self, x):
        return self.request.infer({0: x})[0].copy()


for name in names:
    entry = read_manifest()["models"][name]
    loaded = []
    for part in ("default", "STATIC", "AUTO"):
        model = with_kernels(core.read_model(str(SHIPPED_IR_DIR / entry["xml"])), plan_for(entry, "f32") or {})
        cfg = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "f32"}
        if part != "default":
            cfg["TBB_PARTITIONER"] = part
        request = core.compile_model(model, "CPU", cfg).create_infer_request()
        loaded.append((part, Runner(request), None))
    res = {b: (statistics.median(t), out) for b, t, out in interleaved(loaded, x, 3, rounds)}
    base, ref = res["default"]
    for part, (ms, out) in res.items():
        print(
            f"{name:18s} {part:8s} {ms:7.2f} ms  default/this {base / ms:.3f}  max|diff| {np.abs(out - ref).max():.1e}"
        )
