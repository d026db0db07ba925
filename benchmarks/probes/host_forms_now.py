"""Session 18 (AVX2 Zen 3): each shipped IR as stored, in session 17's AVX2 forms (first-layer rows
and row pairs, FP32 IRs only) and in what xeonsr.ir_forms.host_forms makes of it now (also, in an
INT8 IR, the float layers no quantizer follows, e.g. SRCNN's float last layer as its row pair).
Interleaved rounds at the given threads on one LR size; prints median ms per form, the speed-up
over the IR as stored and the largest output difference on [0, 1] input.

    python benchmarks/probes/host_forms_now.py 2 12 160x140 srcnn_x3_int8_avx2,srcnn-955_x3_int8_avx2,srcnn_x3_fp32

Session 18, 2 threads, quiet: srcnn_x3_int8_avx2 1.20x, srcnn-955_x3_int8_avx2 1.05x, srcnn_x3_fp32
1.41x (session 17's forms 1.45x: the same forms, noise), maxdiff <= 7.2e-7.
"""

import statistics
import sys
import time

import numpy as np
import openvino as ov

from xeonsr.ir_forms import first_layer_rows, host_forms, row_pairs
from xeonsr.ov import compile_ir


def session17(model):
    if any(op.get_type_name() == "FakeQuantize" for op in model.get_ops()):
        return []
    return first_layer_rows(model) + row_pairs(model)


threads, rounds, size, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4].split(",")
w, h = map(int, size.split("x"))
FORMS = {"stored": lambda m: ["-"], "session 17": session17, "now": lambda m: host_forms(m, "avx2")}
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
for name in names:
    reqs = {}
    for form, rewrite in FORMS.items():
        model = ov.Core().read_model(f"xeonsr/openvino_models/{name}.xml")
        if not rewrite(model):
            continue  # nothing of that kind in this IR
        reqs[form] = compile_ir(model, threads).create_infer_request()
    ref = reqs["stored"].infer({0: x})[0].copy()
    diffs = {k: float(np.abs(r.infer({0: x})[0] - ref).max()) for k, r in reqs.items()}
    times = {k: [] for k in reqs}
    for _ in range(rounds):
        for k, r in reqs.items():
            r.infer({0: x})
            t = time.perf_counter()
            for _ in range(3):
                r.infer({0: x})
            times[k].append((time.perf_counter() - t) / 3e-3)
    base = statistics.median(times["stored"])
    for k in reqs:
        med = statistics.median(times[k])
        print(f"{name:22s} {k:10s} {med:7.2f} ms  {base / med:5.2f}x  maxdiff {diffs[k]:.1e}", flush=True)
