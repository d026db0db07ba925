"""Session 25 (AVX2 Zen 3): SRCNN's 1x1 64 -> 32 convolution (conv2) as a FullyConnected over the
pixels, which OpenVINO 2026 runs in MLAS (`gemm_mlas_f32`, its first FullyConnected executor
when the node has no fused post-ops), ONNX Runtime's library: the IR in this CPU's host forms,
then conv2 as Transpose to NHWC, MatMul by the (64, 32) weights, bias, and back, with the ReLU
before the way back (fused into the FullyConnected as a post-op) or after it (not fused there).
Interleaved rounds, each re-warmed; the kernel of every heavy node; outputs against the stored form.

    python benchmarks/probes/conv1x1_as_fc.py 2 10 160x140 srcnn_x3_fp32
"""

import sys
import time

import numpy as np
import openvino.opset13 as ops

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.ov import compile_ir, read_ir

threads, rounds, size = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
name = sys.argv[4] if len(sys.argv) > 4 else "srcnn_x3_fp32"
w_, h_ = (int(v) for v in size.split("x"))
x = np.random.default_rng(0).random((1, 1, h_, w_), dtype=np.float32)


def as_fc(m, relu_inside: bool):
    conv = next(
        o for o in m.get_ordered_ops() if o.get_friendly_name() == "__module.conv2/aten::_convolution/Convolution"
    )
    add = next(iter(conv.output(0).get_target_inputs())).get_node()
    relu = next(iter(add.output(0).get_target_inputs())).get_node()
    w = conv.input(1).get_source_output().get_node().get_data()  # (32, 64, 1, 1)
    b = next(i.get_source_output().get_node() for i in add.inputs() if i.get_source_output().get_node() is not conv)
    bias = b.get_data().reshape(-1)
    nhwc = ops.transpose(conv.input(0).get_source_output(), ops.constant(np.array([0, 2, 3, 1], np.int64)))
    y = ops.add(ops.matmul(nhwc, ops.constant(np.ascontiguousarray(w[:, :, 0, 0].T)), False, False), ops.constant(bias))
    if relu_inside:
        y = ops.relu(y)
    y = ops.transpose(y, ops.constant(np.array([0, 3, 1, 2], np.int64)))
    if not relu_inside:
        y = ops.relu(y)
    relu.output(0).replace(y.output(0))
    m.validate_nodes_and_infer_types()


def build(form):
    m = read_ir(f"xeonsr/openvino_models/{name}.xml")
    host_forms(m, cpu_info().isa_class)
    if form != "stored":
        as_fc(m, relu_inside=form == "fc, relu fused")
    return compile_ir(m, threads, profiling=True).create_infer_request()


forms = ["stored", "fc, relu fused", "fc, relu after"]
reqs = {f: build(f) for f in forms}
outs = {f: r.infer({0: x})[0].copy() for f, r in reqs.items()}
times = {f: [] for f in forms}
for _ in range(rounds):
    for f, r in reqs.items():
        time.sleep(0.03)
        t_end = time.perf_counter() + 0.025
        while time.perf_counter() < t_end:
            r.infer({0: x})
        t0 = time.perf_counter()
        for _ in range(5):
            r.infer({0: x})
        times[f].append((time.perf_counter() - t0) / 5 * 1e3)
base = np.median(times["stored"])
for f, r in reqs.items():
    med = np.median(times[f])
    diff = float(np.abs(outs[f] - outs["stored"]).max())
    heavy = sorted(
        ((p.real_time.total_seconds() * 1e3, p.node_type, p.exec_type) for p in r.profiling_info), reverse=True
    )[:5]
    print(f"{f:15s} {med:7.2f} ms ({min(times[f]):.2f}-{max(times[f]):.2f}) {base / med:5.3f}x maxdiff {diff:.1e}")
    print("    " + "; ".join(f"{t} {e} {ms:.2f}" for ms, t, e in heavy))
