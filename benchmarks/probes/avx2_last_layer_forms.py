"""Session 40 (AVX2 Zen 3): SRCNN's last layer (32 -> 1, 5x5) on an AVX2 CPU as it runs there now
(xeonsr.ir_forms.host_forms "avx2": the row pair padded to 8 row channels) against the form the
AMX class takes (last_layer_depthwise: a depthwise 5x5 convolution and a 1x1 channel sum), the rest
of the graph in the AVX2 forms in both. In an INT8 IR only the float layers no quantizer follows
are rewritten, as host_forms does. Interleaved rounds (benchmarks/probes/_rounds.py); median ms,
the speed-up over "avx2 now", the range of per-round ratios, the largest output difference.

    python benchmarks/probes/avx2_last_layer_forms.py 2 15 160x140 srcnn_x3_fp32,srcnn_x3_int8_avx2
"""

import json
import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.ir_forms import first_layer_rows, host_forms, last_layer_depthwise, row_pairs
from xeonsr.ir_graph import unquantized_tail
from xeonsr.ov import compile_ir, read_ir


def depthwise_then_avx2(model):
    only = {op.get_friendly_name() for op in model.get_ordered_ops()}
    if any(op.get_type_name() == "FakeQuantize" for op in model.get_ops()):
        only &= unquantized_tail(model)
    done = last_layer_depthwise(model, only=only)
    return done and done + first_layer_rows(model, only=only) + row_pairs(model, only=only)


threads, rounds, size, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4].split(",")
w, h = map(int, size.split("x"))
FORMS = {"avx2 now": lambda m: host_forms(m, "avx2") or ["-"], "depthwise": depthwise_then_avx2}
manifest = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
for name in names:
    reqs = {}
    for form, rewrite in FORMS.items():
        model = read_ir(f"xeonsr/openvino_models/{manifest[name]['xml']}")
        if rewrite(model):
            reqs[form] = compile_ir(model, threads).create_infer_request()
    if len(reqs) < 2:
        print(f"{name}: no one-output column pair to rewrite")
        continue
    ref = reqs["avx2 now"].infer({0: x})[0].copy()
    diffs = {k: float(np.abs(r.infer({0: x})[0] - ref).max()) for k, r in reqs.items()}
    times = rounds_ms({k: (lambda v, r=r: r.infer({0: v})) for k, r in reqs.items()}, x, rounds)
    base = times["avx2 now"]
    for k in reqs:
        per_round = [b / t for b, t in zip(base, times[k], strict=True)]
        print(
            f"{name:22s} {k:10s} {statistics.median(times[k]):7.2f} ms  "
            f"{statistics.median(base) / statistics.median(times[k]):5.3f}x  "
            f"(rounds {min(per_round):.2f}-{max(per_round):.2f})  maxdiff {diffs[k]:.1e}",
            flush=True,
        )
