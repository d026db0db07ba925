"""Session 17 (AVX2 Zen 3): each shipped FP32 IR as stored and with the exact rewrites of
xeonsr.ir_forms (first_layer_rows: a one-channel k x k layer as k row-shifted channels and a
1 x k convolution; row_pairs: a column pair as its row pair), alone and together. Interleaved
rounds at the given threads on a 160x140 LR; prints median ms per form, the speed-up over the
IR as stored and the largest output difference.

    python benchmarks/probes/fp32_forms.py 2 15 srcnn_x3,srcnn-955_x3,fsrcnn_x3,fsrcnn-s_x3,dcscn_x3
"""

import statistics
import sys
import time

import numpy as np
import openvino as ov

from xeonsr.ir_forms import first_layer_rows, row_pairs
from xeonsr.ov import compile_ir

threads, rounds, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
FORMS = {"stored": (), "rows": (first_layer_rows,), "row pairs": (row_pairs,), "both": (first_layer_rows, row_pairs)}
x = np.random.default_rng(0).random((1, 1, 140, 160), dtype=np.float32)
for name in names:
    reqs = {}
    for form, rewrites in FORMS.items():
        model = ov.Core().read_model(f"xeonsr/openvino_models/{name}_fp32.xml")
        if not all([rewrite(model) for rewrite in rewrites]):
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
        print(f"{name:14s} {k:10s} {med:7.2f} ms  {base / med:5.2f}x  maxdiff {diffs[k]:.1e}")
