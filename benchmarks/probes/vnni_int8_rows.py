"""Session 61 (AMD EPYC Zen 4, AVX512-VNNI): a VNNI-made INT8 IR's quantized one-channel first
layer (FSRCNN's 5 x 5, SRCNN's 9 x 9) in rows, its copies made in u8 after the quantizer and read
in blocks (xeonsr.ir_forms.first_layer_rows + xeonsr.ir_rows_u8.quantized_rows_by_slices, the
AVX2 class's forms), against the network as this CPU runs it now (the IR's kernel plan and this
class's host forms). The formed layer on the plugin's own kernel (`default`) and on the JIT one
(`jit`, the kernel the plans put every INT8 layer of FSRCNN on). Interleaved rounds; per size:
median ms, speed over the shipped form, by the median round and its range, the largest output
difference, and the first layer's node time with its copies.

    python benchmarks/probes/vnni_int8_rows.py 2 8 160x140,92x92,240x192 fsrcnn_x3_int8,srcnn_x3_int8

Session 61 (before the form shipped; `... fsrcnn_x3_int8,fsrcnn_x2_int8,fsrcnn_x4_int8,fsrcnn-s_x3_int8,
srcnn_x3_int8,srcnn-955_x3_int8`, then `2 8 160x140 dcscn_x3_int8,fsrcnn-s_x4_int8,srcnn_x2_int8`), every
output the same to the bit: FSRCNN x3 INT8 `jit` 1.094x / 1.064x / 1.114x at the three sizes (its first
layer 0.395 -> 0.216 ms at 160x140), `default` 0.919-0.955x (0.463 ms); x4 `jit` 1.042-1.095x;
FSRCNN-s x4 1.033x; DCSCN x3 1.012x (0.62 -> 0.44 ms); SRCNN x3 0.957-1.017x, x2 0.949x, srcnn-955
0.992-0.996x; FSRCNN x2 and FSRCNN-s x3 keep their first layer float. Shipped for the layers under
9 x 9 (xeonsr.ir_forms.int8_first_layer_blocks).
"""

import json
import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.ir_forms import first_layer_rows, host_forms
from xeonsr.ir_rows_u8 import quantized_rows_by_slices
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[3].split(",")]
names = sys.argv[4].split(",")
manifest = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]


def quantized_first(m):
    for op in m.get_ordered_ops():
        src = op.input(0).get_source_output().get_node() if op.get_type_name() == "Convolution" else None
        if src is not None and src.get_type_name() == "FakeQuantize":
            if op.input(1).get_partial_shape()[1].get_length() == 1:
                return op.get_friendly_name(), src.get_friendly_name()
    return None, None


def build(entry, kind):
    m = read_ir(f"xeonsr/openvino_models/{entry['xml']}")
    plan = dict(plan_for(entry, "f32") or {})
    first, fq = quantized_first(m)
    if kind != "shipped":
        if first is None:
            return None, None
        plan.pop(first, None)
        if not first_layer_rows(m, only={first}):
            return None, None
        quantized_rows_by_slices(m, only={fq + "/rows"})
        if kind == "jit":
            plan[first] = "jit_avx512"
    host_forms(m, "avx512_vnni", "f32", plan)
    return compile_ir(m, threads, kernels=plan, profiling=True).create_infer_request(), first


def first_ms(req, first):
    return sum(
        p.real_time.total_seconds() * 1e3
        for p in req.profiling_info
        if p.node_name.startswith(first) or "/rows" in p.node_name or "/copies" in p.node_name
    )


for name in names:
    entry = manifest[name]
    reqs, first = {}, None
    for kind in ("shipped", "default", "jit"):
        req, f = build(entry, kind)
        if req is not None:
            reqs[kind], first = req, first or f
    if len(reqs) == 1:
        print(f"{name}: no quantized one-channel first layer")
        continue
    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        ref = reqs["shipped"].infer({0: x})[0].copy()
        diffs = {k: float(np.abs(r.infer({0: x})[0] - ref).max()) for k, r in reqs.items()}
        t = rounds_ms({k: (lambda v, r=r: r.infer({0: v})) for k, r in reqs.items()}, x, rounds)
        for k in reqs:
            per = [a / b for a, b in zip(t["shipped"], t[k], strict=True)]
            print(
                f"{name:18s} {w}x{h} {k:8s} {statistics.median(t[k]):6.3f} ms  {statistics.median(per):.3f}x "
                f"({min(per):.2f}-{max(per):.2f})  maxdiff {diffs[k]:.1e}  first layer {first_ms(reqs[k], first):.3f} ms",
                flush=True,
            )
