"""Session 41 (AVX2 Zen 3): SRCNN's IRs with their first layer (and the bicubic's pixel shuffle)
in other exact forms than the AVX2 class runs now (xeonsr.ir_forms.host_forms "avx2": the
one-channel 9x9 layer as ExtractImagePatches 9x1 copies and a 1x9 convolution), whole IRs timed
in interleaved rounds (benchmarks/probes/_rounds.py) against "now":

  columns   1x9 copies and a 9x1 convolution (FP32 only: the layer node ran ~1.1x faster alone)
  rows12    12 row copies (rows -5..6, three of them with zero weights): jit_avx2_I8 took a 9-channel
            input as long as a 16-channel one (see the channels table), a 12-channel one in less
  onehot    the 9 copies made by a 9x1 convolution with one-hot weights instead of ExtractImagePatches
  d2s       the upscale's pixel shuffle (Reshape, Transpose, Reshape) as one DepthToSpace

Also the channels table: jit_avx2_I8's time for a 1x9, 64-output convolution (FakeQuantize in and out,
a 1x1 to 8 channels after) by input channel count on a 300x300 input, median node time.

    python benchmarks/probes/first_layer_alternatives.py 2 10 170x170 srcnn_x3_fp32,srcnn_x3_int8_avx2
"""

import statistics
import sys

import numpy as np
import openvino as ov
import openvino.opset13 as ops
from _rounds import rounds_ms

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.ov import compile_ir, read_ir


def _const(a):
    return ops.constant(np.ascontiguousarray(a, dtype=np.float32))


def now(name):
    m = read_ir(f"xeonsr/openvino_models/{name}.xml")
    host_forms(m, cpu_info().forms_class)
    return m


def _rows_node(m):
    return next(op for op in m.get_ordered_ops() if op.get_type_name() == "ExtractImagePatches")


def _consumer_conv(node):
    """The convolution the copies feed (through the image's FakeQuantize in an INT8 IR)."""
    nxt = next(iter(node.output(0).get_target_inputs())).get_node()
    return (
        (nxt, None)
        if nxt.get_type_name() == "Convolution"
        else (next(iter(nxt.output(0).get_target_inputs())).get_node(), nxt)
    )


def _weight_const(conv):
    chain = [conv.input(1).get_source_output().get_node()]
    while chain[-1].get_type_name() != "Constant":
        chain.append(chain[-1].input(0).get_source_output().get_node())
    return chain[-1]


def columns(name):
    m = now(name)
    eip = _rows_node(m)
    conv, fq = _consumer_conv(eip)
    if fq is not None:
        return None
    w = _weight_const(conv).get_data()  # (oc, kh, 1, kw): w[o, ky, 0, kx]
    oc, kh, _, kw = w.shape
    from openvino import opset3

    cols = opset3.extract_image_patches(eip.input(0).get_source_output(), [1, kw], [1, 1], [1, 1], "same_upper")
    new = ops.convolution(cols, _const(w.transpose(0, 3, 1, 2)), [1, 1], [kh // 2, 0], [kh // 2, 0], [1, 1])
    conv.output(0).replace(new.output(0))
    m.validate_nodes_and_infer_types()
    return m


def rows12(name):
    m = now(name)
    eip = _rows_node(m)
    conv, _ = _consumer_conv(eip)
    if int(eip.get_attributes()["sizes"][0]) != 9:
        return None
    from openvino import opset3

    new_eip = opset3.extract_image_patches(eip.input(0).get_source_output(), [12, 1], [1, 1], [1, 1], "same_upper")
    eip.output(0).replace(new_eip.output(0))  # same_upper with 12: rows -5..6, channel c = row c - 5
    const = _weight_const(conv)
    w = const.get_data()
    w12 = np.zeros((w.shape[0], 12) + w.shape[2:], w.dtype)
    w12[:, 1:10] = w
    const.output(0).replace(ops.constant(w12).output(0))
    m.validate_nodes_and_infer_types()
    return m


def onehot(name):
    m = now(name)
    eip = _rows_node(m)
    kh = int(eip.get_attributes()["sizes"][0])
    w = np.zeros((kh, 1, kh, 1), np.float32)
    for i in range(kh):
        w[i, 0, i, 0] = 1
    shift = ops.convolution(eip.input(0).get_source_output(), _const(w), [1, 1], [kh // 2, 0], [kh // 2, 0], [1, 1])
    eip.output(0).replace(shift.output(0))
    m.validate_nodes_and_infer_types()
    return m


def d2s(name):
    m = now(name)
    scale = int(name.split("_x")[1][0])
    for t in list(m.get_ordered_ops()):
        if t.get_type_name() == "Transpose" and "pixel_shuffle" in t.get_friendly_name():
            before = t.input(0).get_source_output().get_node()
            after = next(iter(t.output(0).get_target_inputs())).get_node()
            new = ops.depth_to_space(before.input(0).get_source_output(), "depth_first", scale)
            after.output(0).replace(new.output(0))
    m.validate_nodes_and_infer_types()
    return m


def channels_table(threads: int, counts=(4, 8, 9, 12, 16), side: int = 300):
    rng = np.random.default_rng(0)
    core = ov.Core()
    for ic in counts:
        x = ops.parameter([1, ic, -1, -1], ov.Type.f32)
        q = ops.fake_quantize(x, _const(0), _const(1), _const(0), _const(1), 256)
        wq = ops.constant(rng.integers(-127, 128, size=(64, ic, 1, 9)).astype(np.int8))
        w = ops.multiply(ops.convert(wq, ov.Type.f32), _const(np.full((64, 1, 1, 1), 0.01)))
        y = ops.convolution(q, w, [1, 1], [0, 4], [0, 4], [1, 1])
        y = ops.relu(ops.add(y, _const(rng.normal(size=(1, 64, 1, 1)))))
        y = ops.fake_quantize(y, _const(0), _const(8), _const(0), _const(8), 256)
        y = ops.convolution(y, _const(rng.normal(size=(8, 64, 1, 1)) * 0.05), [1, 1], [0, 0], [0, 0], [1, 1])
        cfg = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": threads, "PERF_COUNT": True}
        req = core.compile_model(ov.Model([y], [x]), "CPU", cfg).create_infer_request()
        img = rng.random((1, ic, side, side), dtype=np.float32)
        ms = []
        for r in range(25):
            req.infer({0: img})
            first = next(p for p in req.profiling_info if p.node_type == "Convolution")
            if r >= 5:
                ms.append(first.real_time.total_seconds() * 1e3)
        med = statistics.median(ms)
        print(
            f"  {ic:2d} input channels: {first.exec_type} {med:.3f} ms, {ic * 9 * 64 * side * side / med / 1e6:.1f} GMAC/s"
        )


threads, rounds = int(sys.argv[1]), int(sys.argv[2])
w, h = (int(v) for v in sys.argv[3].split("x"))
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
for name in sys.argv[4].split(","):
    fns = {}
    for form, build in {"now": now, "columns": columns, "rows12": rows12, "onehot": onehot, "d2s": d2s}.items():
        model = build(name)
        if model is not None:
            req = compile_ir(model, threads).create_infer_request()
            fns[form] = lambda v, req=req: req.infer({0: v})[0]
    ref = fns["now"](x).copy()
    diff = {k: float(np.abs(f(x) - ref).max()) for k, f in fns.items()}
    times = rounds_ms(fns, x, rounds)
    for k, v in times.items():
        ratios = [a / b for a, b in zip(times["now"], v, strict=True)]
        print(
            f"{name:20s} {k:8s} {statistics.median(v):7.2f} ms  {statistics.median(times['now']) / statistics.median(v):4.2f}x"
            f" now (rounds {min(ratios):.2f}-{max(ratios):.2f})  maxdiff {diff[k]:.1e}",
            flush=True,
        )
print(f"jit_avx2_I8 by input channels ({threads} threads):")
channels_table(threads)
