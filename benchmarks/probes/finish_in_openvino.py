"""Session 74 (Intel Xeon family 6 model 167): a result's finish (the Cb/Cr planes through MATLAB
bicubic, then YCbCr -> RGB, rounded to 8 bits) as one OpenVINO graph against xeonsr's numpy path
(xeonsr.imaging.upscale_planes + ycbcr_planes_to_rgb, what xeonsr.band_finish runs a piece at a time).

The graph: the LR chroma padded symmetrically by 2, a grouped 5x5 convolution whose scale^2
output channels per plane are the outer products of the phase kernels, DepthToSpace, then the
colour matrix as a 1x1 convolution with the rounding bias, Floor, Clamp, u8 and NHWC; f32
inference precision, one thread. The same sums in another order: it prints how many output
values differ from the numpy path and by how much, the time of each on random planes of the
given LR sizes (interleaved rounds), and the graph's ten slowest nodes in its last call.

    python benchmarks/probes/finish_in_openvino.py 3 170x120,500x333,1000x750 9
"""

import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from xeonsr.imaging import _YCBCR_MATRIX, _YCBCR_OFFSET, phase_kernels, upscale_planes, ycbcr_planes_to_rgb

scale, sizes, rounds = int(sys.argv[1]), sys.argv[2].split(","), int(sys.argv[3])


def finish_graph(scale: int) -> ov.Model:
    y = ops.parameter([1, 1, -1, -1], np.float32, name="y")
    cbcr = ops.parameter([1, 2, -1, -1], np.float32, name="cbcr")
    k = phase_kernels(scale).astype(np.float64)
    w = np.einsum("pi,qj->pqij", k, k).reshape(scale * scale, 1, 5, 5)
    w = np.stack([w, w]).astype(np.float32)  # (groups, out per group, in, 5, 5)
    padded = ops.pad(cbcr, np.array([0, 0, 2, 2]), np.array([0, 0, 2, 2]), "symmetric")
    phases = ops.group_convolution(padded, ops.constant(w), [1, 1], [0, 0], [0, 0], [1, 1])
    up = ops.depth_to_space(phases, "depth_first", scale)
    planes = ops.concat([y, up], 1)
    m255 = np.linalg.inv(_YCBCR_MATRIX) * 255.0 * 255.0  # RGB on 0..255 from YCbCr/255, as ycbcr_planes_to_rgb
    bias = 0.5 - m255 @ _YCBCR_OFFSET / 255.0
    rgb = ops.convolution(
        planes, ops.constant(m255.astype(np.float32)[:, :, None, None]), [1, 1], [0, 0], [0, 0], [1, 1]
    )
    rgb = ops.add(rgb, ops.constant(bias.astype(np.float32).reshape(1, 3, 1, 1)))
    rgb = ops.clamp(ops.floor(rgb), 0.0, 255.0)
    out = ops.transpose(ops.convert(rgb, "u8"), np.array([0, 2, 3, 1]))
    return ov.Model([out], [y, cbcr], "finish")


core = ov.Core()
config = {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": 1, "NUM_STREAMS": 1, "PERF_COUNT": True}
compiled = core.compile_model(finish_graph(scale), "CPU", config)
req = compiled.create_infer_request()
rng = np.random.default_rng(0)
for size in sizes:
    w, h = (int(v) for v in size.split("x"))
    lr = rng.random((3, h, w), dtype=np.float32) * 0.6 + 0.2  # YCbCr/255 planes of a photo's range
    y_up = upscale_planes(lr[:1], scale)  # any Y of the output's size
    cbcr = np.ascontiguousarray(lr[1:])

    def numpy_path():
        piece = np.empty((3, h * scale, w * scale), np.float32)
        piece[0] = y_up[0]
        piece[1:] = upscale_planes(cbcr, scale, np.float32)
        return ycbcr_planes_to_rgb(piece, 255.0, np.uint8)

    def openvino_path():
        return req.infer({"y": y_up[None], "cbcr": cbcr[None]}, share_inputs=True, share_outputs=True)[0][0]

    a, b = numpy_path(), openvino_path()
    diff = np.abs(a.astype(int) - b.astype(int))
    times = {"numpy": [], "openvino": []}
    for _ in range(rounds):
        for name, fn in (("numpy", numpy_path), ("openvino", openvino_path)):
            t = time.perf_counter()
            for _ in range(3):
                fn()
            times[name].append((time.perf_counter() - t) / 3 * 1e3)
    n, o = statistics.median(times["numpy"]), statistics.median(times["openvino"])
    print(
        f"{size} x{scale}: numpy {n:.2f} ms, OpenVINO {o:.2f} ms ({n / o:.2f}x); values differing "
        f"{int((diff > 0).sum())} of {diff.size}, at most {int(diff.max())}"
    )
    nodes = sorted(req.profiling_info, key=lambda p: -p.real_time.total_seconds())  # the last call's
    total = sum(p.real_time.total_seconds() for p in nodes) * 1e3
    print(
        f"  its nodes {total:.1f} ms: "
        + ", ".join(f"{p.node_type} ({p.exec_type}) {p.real_time.total_seconds() * 1e3:.1f}" for p in nodes[:10])
    )
