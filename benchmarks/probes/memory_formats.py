"""SRCNN FP32 with conv memory formats forced through rt_info (nhwc vs the plugin's blocked)."""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import openvino as ov

from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir

man = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
e = man[sys.argv[1]]
xml = "xeonsr/openvino_models/" + e["xml"]
W, H = map(int, sys.argv[2].split("x"))
plan = plan_for(e, "f32") or {}
core = ov.Core()


def variant(fmt, which):
    m = core.read_model(xml)
    for op in m.get_ordered_ops():
        n = op.get_friendly_name()
        if op.get_type_name() == "Convolution":
            if n in plan:
                op.get_rt_info()["PrimitivesPriority"] = f"cpu:{plan[n]}"
            if fmt and any(w in n for w in which):
                op.get_rt_info()["InputMemoryFormats"] = f"cpu:{fmt}"
                op.get_rt_info()["OutputMemoryFormats"] = f"cpu:{fmt}"
    d = tempfile.mkdtemp()
    ov.save_model(m, d + "/m.xml", compress_to_fp16=False)
    return compile_ir(Path(d + "/m.xml"), 2, inference_precision="f32", profiling=True).create_infer_request()


x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
reqs = {"plan": variant(None, [])}
for spec in sys.argv[3:]:
    fmt, which = spec.split(":")
    reqs[spec] = variant(fmt, which.split(","))
ref = reqs["plan"].infer({0: x})[0].copy()
res = {k: [] for k in reqs}
for _ in range(6):
    for k, r in reqs.items():
        r.infer({0: x})
        t0 = time.perf_counter()
        r.infer({0: x})
        r.infer({0: x})
        res[k].append((time.perf_counter() - t0) / 2e-3)
for k, r in reqs.items():
    out = r.infer({0: x})[0]
    prof = [
        (p.node_name.split("/")[0][9:] or p.node_name[-25:], p.exec_type, round(p.real_time.total_seconds() * 1e3, 2))
        for p in r.profiling_info
        if p.real_time.total_seconds() > 5e-5
    ]
    print(f"{k:30s} {statistics.median(res[k]):7.2f} ms d={np.abs(out - ref).max():.1e}", prof)
