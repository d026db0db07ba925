"""SRCNN's FP32 last layer as the AMX class compiles it (xeonsr.ir_forms.last_layer_depthwise: a
depthwise f x f convolution, then a 1 x 1 convolution of ones summing its c channels), with that
channel sum in other exact forms: ``conv`` as shipped, ``reduce`` a ReduceSum over the channels,
``jit`` the 1 x 1 on OpenVINO's jit_avx512 kernel, ``halves`` two adds of channel halves down to
8 then a 1 x 1 of ones. Interleaved rounds (order alternating, 3 warm calls then 5 timed), median
ms, speed-up over ``conv``, largest output difference, and the nodes behind the sum.

    python benchmarks/probes/channel_sum_forms.py 2 20 160x140 srcnn_x3_fp32 conv,reduce,jit,halves
"""

import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from xeonsr.ir_forms import last_layer_depthwise
from xeonsr.ov import compile_ir

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
W, H = (int(v) for v in sys.argv[3].split("x"))
name, forms = sys.argv[4], sys.argv[5].split(",")
SUM = "__module.conv3.combine/aten::_convolution/Convolution"


def graph(form):
    m = ov.Core().read_model(f"xeonsr/openvino_models/{name}.xml")
    assert last_layer_depthwise(m)
    total = next(o for o in m.get_ordered_ops() if o.get_friendly_name() == SUM)
    dw = total.input_value(0)
    c = dw.get_partial_shape()[1].get_length()
    if form == "reduce":
        new = ops.reduce_sum(dw, ops.constant(np.array([1], np.int64)), keep_dims=True)
    elif form == "halves":
        x = dw
        while c > 8:
            h = c // 2
            a = ops.slice(x, *(ops.constant(np.array(v, np.int64)) for v in ([0], [h], [1], [1])))
            b = ops.slice(x, *(ops.constant(np.array(v, np.int64)) for v in ([h], [c], [1], [1])))
            x, c = ops.add(a, b), h
        new = ops.convolution(x, ops.constant(np.ones((1, c, 1, 1), np.float32)), [1, 1], [0, 0], [0, 0], [1, 1])
    else:
        return m, ({SUM: "jit_avx512"} if form == "jit" else {})
    new.set_friendly_name(SUM)
    total.output(0).replace(new.output(0))
    m.validate_nodes_and_infer_types()
    return m, {}


x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
reqs = {}
for f in forms:
    m, kernels = graph(f)
    reqs[f] = compile_ir(m, threads, inference_precision="f32", kernels=kernels, profiling=True).create_infer_request()
ref = reqs[forms[0]].infer({0: x})[0].copy()
times = {f: [] for f in forms}
for i in range(rounds):
    for f in forms if i % 2 == 0 else forms[::-1]:
        for _ in range(3):
            reqs[f].infer({0: x})
        t0 = time.perf_counter()
        for _ in range(5):
            reqs[f].infer({0: x})
        times[f].append((time.perf_counter() - t0) / 5e-3)
for f in forms:
    out = reqs[f].infer({0: x})[0]
    ratios = [a / b for a, b in zip(times[forms[0]], times[f], strict=True)]
    sums = [
        f"{p.node_name.split('/')[0][9:] or p.node_name}:{p.exec_type}:{p.real_time.total_seconds() * 1e3:.2f}"
        for p in reqs[f].profiling_info
        if "combine" in p.node_name or p.node_type in ("ReduceSum", "Add", "Slice")
    ]
    print(
        f"{f:8s} {statistics.median(times[f]):7.2f} ms  {statistics.median(ratios):.3f}x "
        f"({min(ratios):.2f}-{max(ratios):.2f})  d={np.abs(out - ref).max():.1e}  {' '.join(sums)}"
    )
