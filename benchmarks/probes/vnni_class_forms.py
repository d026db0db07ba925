"""Session 35 (Intel Xeon with AMX, oneDNN capped at the Zen 4's ISA): the FP32 IRs as the
avx512_vnni class runs them (its kernel plan, no forms) against each exact form of
xeonsr.ir_forms and ONNX Runtime's FP32, in interleaved rounds (30 ms pause, 25 ms re-warm,
median of 3 calls), 160x140 LR unless given. Run it under
``ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16`` so OpenVINO picks the kernels it picks on a CPU with
AVX-512 VNNI and BF16 but no AMX (a Zen 4, a Cooper Lake); MLAS has no such cap, and the
microarchitecture stays this CPU's, so the figures are a proxy for that class, not its timing.

    ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16 python benchmarks/probes/vnni_class_forms.py 2 10 srcnn_x3,srcnn_x2 [160x140]
"""

import json
import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.info import cpu_info
from xeonsr.ir_forms import first_layer_rows, last_layer_depthwise, row_pairs
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir
from xeonsr.peers import onnxruntime_runner

threads, rounds, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
w_, h_ = (int(v) for v in (sys.argv[4] if len(sys.argv) > 4 else "160x140").split("x"))
manifest = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
flags = {f for f in cpu_info().flags if not f.startswith("amx")}  # the class without AMX
x = np.random.default_rng(0).random((1, 1, h_, w_), dtype=np.float32)
FORMS = {
    "stored": (),
    "dw": (last_layer_depthwise,),
    "rowpair": (row_pairs,),
    "rows": (first_layer_rows,),
    "rows+rowpair": (first_layer_rows, row_pairs),
    "rows+dw": (first_layer_rows, last_layer_depthwise),
}

for name in names:
    model, scale = name.rsplit("_x", 1)
    entry = manifest[f"{name}_fp32"]
    plan = plan_for(entry, "f32", flags) or {}
    runs = {}
    for form, rewrites in FORMS.items():
        m = read_ir(f"xeonsr/openvino_models/{entry['xml']}")
        only = {op.get_friendly_name() for op in m.get_ordered_ops()} - set(plan)
        if rewrites and not all([r(m, only=only) for r in rewrites]):
            continue
        req = compile_ir(m, threads, kernels=plan).create_infer_request()
        runs[form] = lambda v, req=req: req.infer({0: v})[0]
    runs["ort"] = onnxruntime_runner(model, int(scale), threads)[0]
    ref = runs["stored"](x).copy()
    diffs = {k: float(np.abs(r(x) - ref).max()) for k, r in runs.items()}
    times = rounds_ms(runs, x, rounds)
    ort = statistics.median(times["ort"])
    for k in runs:
        med = statistics.median(times[k])
        print(f"{name:12s} {k:13s} {med:7.2f} ms  {ort / med:5.3f}x ort  maxdiff {diffs[k]:.1e}", flush=True)
