"""Session 51 (AMD EPYC Zen 2): SRCNN x3 FP32's first layer in rows (9 float row copies by
ExtractImagePatches, a 1 x 9 layer) against 27 copies, 9 rows x 3 column shifts 3 apart, and a 1 x 3
layer without padding: the column groups that made the AVX2 INT8 layer faster
(benchmarks/probes/int8_rows_by_blocks.py). Max difference, interleaved rounds, top nodes.

    python benchmarks/probes/fp32_rows_by_blocks.py 2 5 160x140
"""

import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.ir_forms import host_forms
from xeonsr.ir_weights import conv_on, weight_chain
from xeonsr.openvino_releases import opset
from xeonsr.ov import compile_ir, read_ir

ops = opset(13)
threads, rounds = int(sys.argv[1]), int(sys.argv[2])
w, h = (int(v) for v in sys.argv[3].split("x"))


def i64(v):
    return ops.constant(np.array(v, np.int64))


def grouped(m):
    for eip in m.get_ordered_ops():
        if eip.get_type_name() == "ExtractImagePatches":
            break
    image = eip.input(0).get_source_output()
    (conv,) = [i.get_node() for i in eip.output(0).get_target_inputs()]
    wt = weight_chain(conv)[-1].get_data()
    oc, k, _, kw = wt.shape
    g = 3
    f = 3
    padded = ops.pad(image, i64([0, 0, 4, 4]), i64([0, 0, 4, 4]), "constant")
    shape = ops.shape_of(image, "i64")
    height = ops.gather(shape, i64([2]), i64(0))
    width = ops.add(ops.gather(shape, i64([3]), i64(0)), i64([f - 1]))
    rows = ops.concat([ops.slice(padded, i64([d]), ops.add(i64([d]), height), i64([1]), i64([2])) for d in range(k)], 1)
    cols = ops.concat(
        [ops.slice(rows, i64([c * f]), ops.add(i64([c * f]), width), i64([1]), i64([3])) for c in range(g)], 1
    )
    w2 = wt.reshape(oc, k, 1, g, f).transpose(0, 3, 1, 2, 4).reshape(oc, g * k, 1, f)
    new = conv_on(cols, w2, [0, 0], conv.get_friendly_name())
    conv.output(0).replace(new.output(0))
    m.validate_nodes_and_infer_types()


reqs = {}
for form in ("stored", "groups"):
    m = read_ir("xeonsr/openvino_models/srcnn_x3_fp32.xml")
    host_forms(m, "avx2")
    if form == "groups":
        grouped(m)
    reqs[form] = compile_ir(m, threads, profiling=True).create_infer_request()
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
a, b = (reqs[f].infer({0: x})[0].copy() for f in reqs)
print("maxdiff", np.abs(a - b).max())
t = rounds_ms({f: (lambda v, r=r: r.infer({0: v})) for f, r in reqs.items()}, x, rounds)
print({f: round(statistics.median(v), 2) for f, v in t.items()})
for f, r in reqs.items():
    r.infer({0: x})
    top = sorted(r.profiling_info, key=lambda p: -p.real_time.total_seconds())[:6]
    print(f, "; ".join(f"{p.node_name[-40:]} {p.exec_type} {p.real_time.total_seconds() * 1e3:.2f}" for p in top))
