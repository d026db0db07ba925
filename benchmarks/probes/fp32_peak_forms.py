"""Session 23 (Zen 4): FP32 practical-peak candidates side by side, to see which one the "of peak"
column should divide by: a 2048^3 matrix product in ONNX Runtime (MLAS), OpenVINO and the BLAS
libraries of xeonsr.peaks, and a chain of four 3x3 convolutions (C -> C, SxS) in ONNX Runtime (wall
clock) and OpenVINO (wall clock and node counters). GFLOP/s, best of xeonsr.peaks' rounds.

    python benchmarks/probes/fp32_peak_forms.py 2 256 56
"""

import sys

import numpy as np
import onnxruntime as ort
import openvino as ov
import openvino.opset13 as ops
from onnx import TensorProto, helper, numpy_helper

from xeonsr.peaks import _rate, fp32_conv_peak, fp32_matmul_peak

threads, C, S = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
K, L, n = 3, 4, 2048
rng = np.random.default_rng(0)
so = ort.SessionOptions()
so.intra_op_num_threads = threads
cfg = {"INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "f32"}


def onnx_session(nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
mm = onnx_session(
    [helper.make_node("MatMul", ["a", "b"], ["c"])],
    [helper.make_tensor_value_info(k, TensorProto.FLOAT, [n, n]) for k in "ab"],
    [helper.make_tensor_value_info("c", TensorProto.FLOAT, [n, n])],
)
print(f"matmul ONNX Runtime (MLAS)   {_rate(lambda: mm.run(None, {'a': a, 'b': b}), 2.0 * n**3, 10):7.1f}")
pa, pb = ops.parameter([n, n], ov.Type.f32), ops.parameter([n, n], ov.Type.f32)
req = ov.Core().compile_model(ov.Model([ops.matmul(pa, pb, False, False)], [pa, pb]), "CPU", cfg).create_infer_request()
print(f"matmul OpenVINO              {_rate(lambda: req.infer({0: a, 1: b}), 2.0 * n**3, 10):7.1f}")
gflops, lib = fp32_matmul_peak(threads)
print(f"matmul best BLAS             {gflops:7.1f}  ({lib})")

ws = [rng.normal(0, 0.05, (C, C, K, K)).astype(np.float32) for _ in range(L)]
x = rng.random((1, C, S, S), dtype=np.float32)
flop = 2.0 * L * C * C * K * K * S * S
names = ["x"] + [f"h{i}" for i in range(L)]
conv = onnx_session(
    [helper.make_node("Conv", [names[i], f"w{i}"], [names[i + 1]], pads=[K // 2] * 4) for i in range(L)],
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, C, S, S])],
    [helper.make_tensor_value_info(names[-1], TensorProto.FLOAT, [1, C, S, S])],
    [numpy_helper.from_array(w, f"w{i}") for i, w in enumerate(ws)],
)
print(f"convs ONNX Runtime (wall)    {_rate(lambda: conv.run(None, {'x': x}), flop, 5):7.1f}")
p = ops.parameter([1, C, S, S], ov.Type.f32)
h = p
for w in ws:
    h = ops.convolution(h, ops.constant(w), [1, 1], [K // 2, K // 2], [K // 2, K // 2], [1, 1])
req = ov.Core().compile_model(ov.Model([h], [p]), "CPU", cfg).create_infer_request()
print(f"convs OpenVINO (wall)        {_rate(lambda: req.infer({0: x}), flop, 5):7.1f}")
gflops, kernel = fp32_conv_peak(threads, channels=C, side=S)
print(f"convs OpenVINO (node time)   {gflops:7.1f}  ({kernel}, with ReLU, as xeonsr.peaks)")
