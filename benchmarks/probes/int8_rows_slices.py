"""Session 50 (AMD EPYC Zen 2): each AVX2 INT8 IR whose quantized first layer is stored in rows
(ExtractImagePatches on the float image, then the image's FakeQuantize on all k copies), in this
CPU's forms (xeonsr.ir_forms.host_forms) with and without xeonsr.ir_rows_u8.quantized_rows_by_slices
(the quantizer on the image, then a zero Pad, k row Slices and a Concat in u8). Bit-for-bit check
at every size, interleaved rounds (xeonsr.bench's pause and re-warm) at the first size; median
ms, the speed-up of the medians and the range of per-round ratios, and the node time of the
copies, quantizers and reorders.

    python benchmarks/probes/int8_rows_slices.py 2 10 160x140,121x83,255x190 srcnn_x3_int8_avx2,fsrcnn_x3_int8_avx2
"""

import json
import statistics
import sys

import numpy as np
from _rounds import rounds_ms

import xeonsr.ir_forms as ir_forms
import xeonsr.ir_rows_u8 as rows_u8
from xeonsr.ir_forms import host_forms
from xeonsr.ir_rows_u8 import quantized_rows_by_slices
from xeonsr.ov import compile_ir, read_ir

# The host forms as they were before this one joined them, and the form as session 50 made it (9
# rows: benchmarks/probes/int8_rows_by_blocks.py measures the column groups of session 51).
ir_forms.HOST_FORMS = {**ir_forms.HOST_FORMS}
ir_forms.HOST_FORMS["avx2"] = tuple(f for f in ir_forms.HOST_FORMS["avx2"] if f is not quantized_rows_by_slices)
rows_u8.blocks = lambda k, kw: (k, 1)

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[3].split(",")]
manifest = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
MOVES = ("ExtractImagePatches", "FakeQuantize", "Reorder", "Pad", "Slice", "Concat", "StridedSlice")

for name in sys.argv[4].split(","):
    reqs = {}
    for form in ("stored", "slices"):
        m = read_ir(f"xeonsr/openvino_models/{manifest[name]['xml']}")
        host_forms(m, "avx2")
        if form == "slices" and not quantized_rows_by_slices(m):
            print(f"{name}: no quantized row copies")
            break
        reqs[form] = compile_ir(m, threads, profiling=True).create_infer_request()
    if len(reqs) < 2:
        continue
    rng = np.random.default_rng(0)
    same = []
    for w, h in sizes:
        x = rng.random((1, 1, h, w), dtype=np.float32)
        a, b = (reqs[f].infer({0: x})[0].copy() for f in ("stored", "slices"))
        same.append(f"{w}x{h} {'same' if np.array_equal(a, b) else f'DIFFERS by {np.abs(a - b).max():.1e}'}")
    w, h = sizes[0]
    x = rng.random((1, 1, h, w), dtype=np.float32)
    times = rounds_ms({f: (lambda v, r=r: r.infer({0: v})) for f, r in reqs.items()}, x, rounds)
    ratios = [s / t for s, t in zip(times["stored"], times["slices"], strict=True)]
    moves = {}
    for f, r in reqs.items():
        r.infer({0: x})
        moves[f] = sum(p.real_time.total_seconds() * 1e3 for p in r.profiling_info if p.node_type in MOVES)
    print(
        f"{name:20s} {w}x{h} stored {statistics.median(times['stored']):7.2f} ms, slices "
        f"{statistics.median(times['slices']):7.2f} ms: "
        f"{statistics.median(times['stored']) / statistics.median(times['slices']):.3f}x "
        f"(rounds {min(ratios):.3f}-{max(ratios):.3f}); copies+quantizers+reorders {moves['stored']:.2f} -> "
        f"{moves['slices']:.2f} ms; " + ", ".join(same)
    )
