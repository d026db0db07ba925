"""Session 37 (Intel Xeon with AMX, busy host): the colour path of `Upscaler` (YCbCr, Cb/Cr
through MATLAB bicubic, back to RGB, rounded) as OpenVINO operations around the network, one
graph from 8-bit RGB to 8-bit RGB, against the numpy path, on Set14's barbara at x3 (FSRCNN
INT8). Outputs within one grey level (20 of 1.24M values); OpenVINO's layout operations around
the network (DepthToSpace, Convert, Transpose, reorders: ~19 of its 50 ms of node time, busy
host) cost most of what the numpy path does: medians 1.10x and 1.22x the numpy path in two runs
of 30 interleaved rounds (0.39-2.03x per round), not adopted.

    python benchmarks/probes/rgb_in_graph.py $XEONSR_DATA 30
"""

from __future__ import annotations

import numpy as np

from xeonsr.imaging import _YCBCR_MATRIX, _YCBCR_OFFSET, BICUBIC_PAD, phase_kernels


def _const(a) -> object:
    import openvino.opset13 as ops

    return ops.constant(np.ascontiguousarray(a, dtype=np.float32))


def _i64(v) -> object:
    import openvino.opset13 as ops

    return ops.constant(np.array(v, dtype=np.int64))


def _channels(x, start: int, stop: int):
    import openvino.opset13 as ops

    return ops.slice(x, _i64([start]), _i64([stop]), _i64([1]), _i64([1]))


def _bicubic(planes, count: int, scale: int):
    """(1, count, h, w) -> (1, count, s*h, s*w): MATLAB imresize bicubic at an integer scale."""
    import openvino.opset13 as ops

    k = phase_kernels(scale)
    taps = np.einsum("ai,bj->abij", k, k).reshape(1, scale * scale, 1, 2 * BICUBIC_PAD + 1, 2 * BICUBIC_PAD + 1)
    pads = [0, 0, BICUBIC_PAD, BICUBIC_PAD]
    padded = ops.pad(planes, _i64(pads), _i64(pads), "symmetric")
    phases = ops.group_convolution(padded, _const(np.repeat(taps, count, axis=0)), [1, 1], [0, 0], [0, 0], [1, 1])
    return ops.depth_to_space(phases, "depth_first", scale)


def rgb_model(network, scale: int, channels: int):
    """``network`` (an ov.Model: (N, 1, h, w) Y/255 -> (N, 1, s*h, s*w)) as one model from
    8-bit RGB (``channels`` 3) or RGBA (4), NHWC, to the same at ``scale`` times the size."""
    import openvino as ov
    import openvino.opset13 as ops
    from openvino.preprocess import PrePostProcessor

    image = ops.parameter([1, channels, -1, -1], ov.Type.f32, name="rgb")
    conv = lambda x, w: ops.convolution(x, _const(w[:, :, None, None]), [1, 1], [0, 0], [0, 0], [1, 1])  # noqa: E731
    # YCbCr/255 from RGB on 0..255, as rgb_to_ycbcr then / 255
    m = _YCBCR_MATRIX / (255.0 * 255.0)
    off = _YCBCR_OFFSET / 255.0
    rgb_in = _channels(image, 0, 3) if channels == 4 else image
    y = ops.add(conv(rgb_in, m[:1]), _const(off[:1].reshape(1, 1, 1, 1)))
    cbcr = ops.add(conv(rgb_in, m[1:]), _const(off[1:].reshape(1, 2, 1, 1)))
    (param,) = network.get_parameters()
    for target in list(param.output(0).get_target_inputs()):
        target.replace_source_output(y.output(0))
    sr_y = network.get_results()[0].input_value(0)
    if channels == 4:
        cbcr = ops.concat([cbcr, ops.multiply(_channels(image, 3, 4), _const(np.float32(1 / 255.0)))], 1)
    up = _bicubic(cbcr, channels - 1, scale)
    # RGB on 0..255 from YCbCr/255, rounded half up (ycbcr_planes_to_rgb)
    inv = np.linalg.inv(_YCBCR_MATRIX) * 255.0 * 255.0
    bias = -inv @ _YCBCR_OFFSET / 255.0
    w_up = np.zeros((channels, channels - 1))
    w_up[:3, :2] = inv[:, 1:]
    if channels == 4:
        w_up[3, 2] = 255.0
    b = np.concatenate([bias, [0.0]])[:channels] if channels == 4 else bias
    w_y = np.zeros((channels, 1))
    w_y[:3, 0] = inv[:, 0]
    out = ops.add(ops.add(conv(up, w_up), conv(sr_y, w_y)), _const(b.reshape(1, -1, 1, 1)))
    out = ops.round(ops.clamp(out, 0.0, 255.0), "half_away_from_zero")
    model = ov.Model([ops.result(out)], [image], "xeonsr_rgb")
    ppp = PrePostProcessor(model)
    ppp.input().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC"))
    ppp.input().model().set_layout(ov.Layout("NCHW"))
    ppp.output().tensor().set_element_type(ov.Type.u8).set_layout(ov.Layout("NHWC"))
    ppp.output().model().set_layout(ov.Layout("NCHW"))
    return ppp.build()


if __name__ == "__main__":
    import sys

    from PIL import Image

    from xeonsr import Upscaler
    from xeonsr.info import cpu_info
    from xeonsr.ir_forms import host_forms
    from xeonsr.irs import locate_ir
    from xeonsr.kernels import plan_for
    from xeonsr.ov import compile_ir, read_ir

    up = Upscaler("fsrcnn", 3, backend="openvino", precision="int8", tile=0)
    hr = Image.open(f"{sys.argv[1]}/Set14/barbara.png").convert("RGB")
    lr = hr.resize((hr.width // 3, hr.height // 3), Image.BICUBIC)
    xml, entry = locate_ir("fsrcnn", 3, "int8", None)
    g, kernels = read_ir(xml), plan_for(entry, "f32")
    host_forms(g, cpu_info().forms_class, "f32", kernels)
    req = compile_ir(rgb_model(g, 3, 3), up.threads.used, kernels=kernels).create_infer_request()
    a = np.asarray(lr)[None]

    def fused():
        return next(iter(req.infer({0: a}).values()))[0]

    d = np.abs(np.asarray(up.upscale(lr)).astype(int) - fused())
    print(f"max diff {d.max()}, {(d > 0).sum()} of {d.size} values differ")
    sys.path.insert(0, "benchmarks/probes")
    import statistics

    from _rounds import rounds_ms

    t = rounds_ms({"numpy path": lambda _: up.upscale(lr), "in the graph": lambda _: fused()}, None, int(sys.argv[2]))
    r = [a / b for a, b in zip(t["numpy path"], t["in the graph"], strict=True)]
    med = {k: round(statistics.median(v), 2) for k, v in t.items()}
    print(f"median ms {med}; the graph {statistics.median(r):.2f}x the numpy path ({min(r):.2f}-{max(r):.2f})")
