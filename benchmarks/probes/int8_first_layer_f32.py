"""Session 37 (Intel Xeon with AMX, busy host): a VNNI-made INT8 IR's quantized one-channel
first layer computed in f32 on integers: the image's quantizer with 0..255 as its output
range, the int8 weights as f32 integers (products and sums of 25 taps are exact in f32), then
acc * (s_x * s_w). The same integer sums, so the output is the stored graph's bit for bit;
interleaved rounds against the stored graph.

    python benchmarks/probes/int8_first_layer_f32.py 2 20 160x140 fsrcnn_x3_int8
"""

import statistics
import sys

import numpy as np
import openvino.opset13 as ops

sys.path.insert(0, "benchmarks/probes")
from _rounds import rounds_ms  # noqa: E402

from xeonsr.ov import compile_ir, read_ir  # noqa: E402
from xeonsr.runtime import ov_run  # noqa: E402
from xeonsr.threads import apply_threads, plan_threads  # noqa: E402

FIRST = "__module.body.0/aten::_convolution/Convolution"


def f32_first(m):
    conv = next(o for o in m.get_ordered_ops() if o.get_friendly_name() == FIRST)
    fq, wmul = conv.input_value(0).get_node(), conv.input_value(1).get_node()
    assert fq.get_type_name() == "FakeQuantize" and wmul.get_type_name() == "Multiply", "not a quantized layer"
    il, ih, ol, oh = (float(fq.input_value(i).get_node().get_data()) for i in range(1, 5))
    assert il == 0 and ol == 0 and fq.get_levels() == 256, "zero point 0 only"
    wq = wmul.input_value(0).get_node().input_value(0).get_node().get_data().astype(np.float32)
    sw = wmul.input_value(1).get_node().get_data().astype(np.float32)
    zero, top = ops.constant(np.float32(0)), ops.constant(np.float32(255))
    xi = ops.fake_quantize(fq.input_value(0), zero, fq.input_value(2), zero, top, 256)
    c = ops.convolution(
        xi, ops.constant(wq), conv.get_strides(), conv.get_pads_begin(), conv.get_pads_end(), conv.get_dilations()
    )
    out = ops.multiply(c, ops.constant((sw.reshape(1, -1, 1, 1) * np.float32((oh - ol) / 255.0)).astype(np.float32)))
    for t in list(conv.output(0).get_target_inputs()):
        t.replace_source_output(out.output(0))
    m.validate_nodes_and_infer_types()
    return m


threads, rounds = int(sys.argv[1]), int(sys.argv[2])
W, H = (int(v) for v in sys.argv[3].split("x"))
apply_threads(plan_threads(threads), pin=True)
x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
for name in sys.argv[4].split(","):
    xml = f"xeonsr/openvino_models/{name}.xml"
    stored, f32 = ov_run(compile_ir(read_ir(xml), threads)), ov_run(compile_ir(f32_first(read_ir(xml)), threads))
    diff = np.abs(stored(x) - f32(x)).max()
    t = rounds_ms({"stored": stored, "f32": f32}, x, rounds)
    r = [a / b for a, b in zip(t["stored"], t["f32"], strict=True)]
    med = {k: round(statistics.median(v), 3) for k, v in t.items()}
    print(
        f"{name}: max diff {diff:.3g}, median ms {med}, f32 form {statistics.median(r):.3f}x ({min(r):.3f}-{max(r):.3f})"
    )
