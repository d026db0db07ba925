"""What SRCNN's first layer costs per multiply-add and per output: one convolution to 64 channels
on a 480x420 HR plane (SRCNN x3's Set14-sized output), its time by OpenVINO's counters as the
input channels (IC) and kernel width (KW) change (a 1 x KW layer on IC channels-last channels, as
the AVX2 rows form runs it), and ONNX Runtime's K x K layer on the one-channel image (MLAS, as
the peer runs SRCNN) as K changes, its output bound to a preallocated array. A line through the
times splits each runtime's cost into a part per output (the 51.6 MB written) and a marginal
rate per multiply-add.

    python benchmarks/probes/conv_cost_terms.py 2 6 9x1,9x3,9x5,9x9,8x9,16x9,81x1 9,7,5,3,1

Session 54 (AMD EPYC Zen 2, busy: numpy's product 163-176 GFLOP/s against 183 quiet), medians of
6 rounds, ms: OpenVINO (`brgconv_avx2_f32`) 9 x KW for KW 1/3/5/9: 7.89 / 9.01 / 12.09 / 17.79,
1.46 ms a tap of 116 M multiply-adds past the third (79 GMAC/s at the margin); IC x 9 for IC
4/8/9/16: 11.09 / 17.18 / 17.79 / 25.96 (1.2 ms a channel of 116 M: 95 GMAC/s, and ~6 ms at no
channels: the 51.6 MB written and the kernel's work per output); the 81-channel 1x1
(`brgconv_avx2_1x1_f32`) 23.06, 45 GMAC/s. ONNX Runtime K x K for K 9/7/5/3/1 (the whole run, into
the bound NCHW array): 17.11 / 12.64 /
9.55 / 7.47 / 6.99: ~7 ms for the output and 0.135 ms a tap of 12.9 M past the 5x5 (96 GMAC/s at
the margin). An earlier run (the same layers; ONNX Runtime's the mean of 3 calls): OpenVINO 9 x
KW 5.45 / 8.72 / 11.66 / 17.93, 27 x 3 19.03; ONNX Runtime 16.45 / 11.81 / 9.22 / 6.97 / 6.69. Both
runtimes pay the same output; the difference is the rate per multiply-add, MLAS's one-channel kernel 1.2-1.4x
oneDNN's 1 x 9 on nine row copies at the margin, plus the copies themselves (1.6-2 ms in the
network). The shape space the AVX2 forms can reach (IC x KW = 81: 9 x 9, 27 x 3, 81 x 1) has no
faster point, and oneDNN's older `jit_avx2` kernel, asked for the stored 9x9 on the one-channel
image (planar in, blocked or channels-last out), is not given: the plugin compiles its reference
kernel (`ref_any_f32`; docs/performance.md, Zen 2 section).
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import openvino as ov
import openvino.opset13 as ops
from onnx import TensorProto, helper, numpy_helper

from xeonsr.ov import compile_ir

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
ov_specs = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",") if s] if len(sys.argv) > 3 else []
ort_ks = [int(k) for k in sys.argv[4].split(",") if k] if len(sys.argv) > 4 else []
W, H, OC = 480, 420, 64
rng = np.random.default_rng(0)


def ov_layer(ic: int, kw: int):
    x = ops.parameter([1, ic, H, W], np.float32, name="x")
    wt = ops.constant(rng.standard_normal((OC, ic, 1, kw)).astype(np.float32))
    c = ops.convolution(x, wt, [1, 1], [0, kw // 2], [0, kw // 2], [1, 1])
    c.set_friendly_name("conv")
    c.get_rt_info()["InputMemoryFormats"] = "cpu:nhwc"
    d = tempfile.mkdtemp()
    ov.save_model(ov.Model([ops.relu(c)], [x]), d + "/m.xml", compress_to_fp16=False)
    req = compile_ir(Path(d + "/m.xml"), threads, inference_precision="f32", profiling=True).create_infer_request()
    x_in = rng.random((1, ic, H, W), dtype=np.float32)

    def run() -> float:
        req.infer({0: x_in})
        node = next(p for p in req.profiling_info if p.node_name == "conv")
        return node.real_time.total_seconds() * 1e3

    return run


def ort_layer(k: int):
    wt = numpy_helper.from_array(rng.standard_normal((OC, 1, k, k)).astype(np.float32), "w")
    b = numpy_helper.from_array(rng.standard_normal(OC).astype(np.float32), "b")
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[k // 2] * 4),
        helper.make_node("Relu", ["c"], ["y"]),
    ]
    io = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, H, W])]
    out = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, OC, H, W])]
    graph = helper.make_graph(nodes, "g", io, out, [wt, b])
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    sess = ort.InferenceSession(
        helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString(),
        so,
        providers=["CPUExecutionProvider"],
    )
    x_in = rng.random((1, 1, H, W), dtype=np.float32)
    y = np.empty((1, OC, H, W), np.float32)
    bind = sess.io_binding()
    bind.bind_cpu_input("x", x_in)
    bind.bind_output("y", "cpu", 0, np.float32, y.shape, y.ctypes.data)

    def run(y=y) -> float:  # holds the bound output array alive
        t0 = time.perf_counter()
        sess.run_with_iobinding(bind)
        return (time.perf_counter() - t0) * 1e3

    return run


def kernel_asked(fmt_in: str, fmt_out: str, kernel: str) -> str:
    """The kernel OpenVINO compiles SRCNN's stored 9x9 on one channel with, asked for ``kernel``
    with those memory formats (compiled, not run: a reference kernel takes minutes)."""
    x = ops.parameter([1, 1, H, W], np.float32, name="x")
    wt = ops.constant(rng.standard_normal((OC, 1, 9, 9)).astype(np.float32))
    c = ops.convolution(x, wt, [1, 1], [4, 4], [4, 4], [1, 1])
    c.set_friendly_name("conv")
    c.get_rt_info()["InputMemoryFormats"] = f"cpu:{fmt_in}"
    c.get_rt_info()["OutputMemoryFormats"] = f"cpu:{fmt_out}"
    c.get_rt_info()["PrimitivesPriority"] = f"cpu:{kernel}"
    d = tempfile.mkdtemp()
    ov.save_model(ov.Model([ops.relu(c)], [x]), d + "/m.xml", compress_to_fp16=False)
    runtime = compile_ir(Path(d + "/m.xml"), threads).get_runtime_model()
    node = next(op for op in runtime.get_ops() if op.get_friendly_name() == "conv")
    return node.get_rt_info()["primitiveType"].astype(str)


for fmt_out in ("aBcd8b", "acdb"):
    print(f"the 9x9 on one channel asked for jit_avx2, abcd -> {fmt_out}: {kernel_asked('abcd', fmt_out, 'jit_avx2')}")
fns = {f"openvino {ic} x {kw}": (ov_layer(ic, kw), ic * kw) for ic, kw in ov_specs}
fns |= {f"onnxruntime {k}x{k}": (ort_layer(k), k * k) for k in ort_ks}
times = {k: [] for k in fns}
for _ in range(rounds):
    for k, (fn, _) in fns.items():
        time.sleep(0.05)
        fn(), fn()
        times[k].append(min(fn() for _ in range(3)))
for k, (_, taps) in fns.items():
    ms = statistics.median(times[k])
    print(f"{k:22s} {ms:7.2f} ms  {H * W * taps * OC / 1e6 / ms:6.1f} GMAC/s")
