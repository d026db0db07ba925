"""Session 74 (Intel Xeon family 6 model 167): a result's finish (the Cb/Cr planes through MATLAB
bicubic, then YCbCr -> RGB, rounded to 8 bits) as one OpenVINO graph against xeonsr's numpy path
(xeonsr.imaging.upscale_planes + ycbcr_planes_to_rgb, what xeonsr.band_finish runs a piece at a time).

The graph: the LR chroma padded symmetrically by 2, a grouped 5x5 convolution whose scale^2
output channels per plane are the outer products of the phase kernels, DepthToSpace, then the
colour matrix as a 1x1 convolution with the rounding bias, Floor, Clamp, u8 and NHWC; f32
inference precision, one thread; and variants of it (VARIANTS). The same sums in another order:
it prints, per LR size (random planes), each variant's time against the numpy path's
(interleaved rounds), its node counters' sum and slowest nodes in its last call, and how many
output values differ from the numpy path's and by how much.

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


def finish_graph(scale: int, floor=True, concat=True, nhwc=True, static=None) -> ov.Model:
    """``floor``: Floor before Clamp and u8 (Convert truncates, so without it the same values);
    ``concat``: Y and the chroma concatenated into the 1x1 convolution (else Y's column added
    as a Multiply); ``nhwc``: the u8 output transposed to NHWC (else NCHW, which the caller
    would still have to interleave); ``static``: the LR (h, w) compiled for, else dynamic."""
    h, w = static if static else (-1, -1)
    y = ops.parameter([1, 1, h * scale if static else -1, w * scale if static else -1], np.float32, name="y")
    cbcr = ops.parameter([1, 2, h, w], np.float32, name="cbcr")
    k = phase_kernels(scale).astype(np.float64)
    wk = np.einsum("pi,qj->pqij", k, k).reshape(scale * scale, 1, 5, 5)
    wk = np.stack([wk, wk]).astype(np.float32)  # (groups, out per group, in, 5, 5)
    padded = ops.pad(cbcr, np.array([0, 0, 2, 2]), np.array([0, 0, 2, 2]), "symmetric")
    phases = ops.group_convolution(padded, ops.constant(wk), [1, 1], [0, 0], [0, 0], [1, 1])
    up = ops.depth_to_space(phases, "depth_first", scale)
    m255 = np.linalg.inv(_YCBCR_MATRIX) * 255.0 * 255.0  # RGB on 0..255 from YCbCr/255, as ycbcr_planes_to_rgb
    bias = 0.5 - m255 @ _YCBCR_OFFSET / 255.0
    conv = lambda x, m: ops.convolution(
        x, ops.constant(m.astype(np.float32)[:, :, None, None]), [1, 1], [0, 0], [0, 0], [1, 1]
    )  # noqa: E731
    if concat:
        rgb = conv(ops.concat([y, up], 1), m255)
    else:
        rgb = ops.add(
            conv(up, m255[:, 1:]), ops.multiply(y, ops.constant(m255[:, 0].astype(np.float32).reshape(1, 3, 1, 1)))
        )
    rgb = ops.add(rgb, ops.constant(bias.astype(np.float32).reshape(1, 3, 1, 1)))
    rgb = ops.clamp(ops.floor(rgb) if floor else rgb, 0.0, 255.0)
    out = ops.convert(rgb, "u8")
    if nhwc:
        out = ops.transpose(out, np.array([0, 2, 3, 1]))
    return ov.Model([out], [y, cbcr], "finish")


core = ov.Core()
config = {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": 1, "NUM_STREAMS": 1, "PERF_COUNT": True}
VARIANTS = {  # each a graph of finish_graph's options; every one ends in NHWC u8, as the numpy path
    "as built": {},
    "no Floor": {"floor": False},
    "no Floor, no Concat": {"floor": False, "concat": False},
    "no Floor, no Concat, static": {"floor": False, "concat": False, "static": True},
}
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

    fns, reqs = {"numpy": numpy_path}, {}
    for name, kw in VARIANTS.items():
        kw = dict(kw, static=(h, w)) if kw.get("static") else kw
        reqs[name] = core.compile_model(finish_graph(scale, **kw), "CPU", config).create_infer_request()
        fns[name] = lambda r=reqs[name]: r.infer(
            {"y": y_up[None], "cbcr": cbcr[None]}, share_inputs=True, share_outputs=True
        )[0][0]
    ref = numpy_path()
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t = time.perf_counter()
            for _ in range(3):
                fn()
            times[name].append((time.perf_counter() - t) / 3 * 1e3)
    n = statistics.median(times["numpy"])
    print(f"{size} x{scale}: numpy {n:.2f} ms")
    for name in VARIANTS:
        diff = np.abs(ref.astype(int) - fns[name]().astype(int))
        o = statistics.median(times[name])
        nodes = sorted(reqs[name].profiling_info, key=lambda p: -p.real_time.total_seconds())  # its last call's
        total = sum(p.real_time.total_seconds() for p in nodes) * 1e3
        print(
            f"  {name:28s} {o:7.2f} ms ({n / o:.2f}x numpy's speed), its nodes {total:.1f} ms; values differing "
            f"{int((diff > 0).sum())} of {diff.size}, at most {int(diff.max())}"
        )
        print("    " + ", ".join(f"{p.node_type} {p.real_time.total_seconds() * 1e3:.1f}" for p in nodes[:8]))
