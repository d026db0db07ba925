"""SRCNN's first two layers in LR phase space against the AVX2 rows form. SRCNN's 9x9 layer reads
the bicubic upscale, a linear map of the LR image, so its interior output is one convolution of
the LR image: 7x7 LR taps per output phase, 9 phases x 64 = 576 channels, 0.6x the multiply-adds
of the 9x9 on the HR image. The 1x1 layer then runs per phase (a grouped convolution of 9 groups,
a dense 576 -> 288 one, or one 64 -> 32 on the phases as a batch of 9), or after a DepthToSpace
back to HR; the composite can also read a 49-channel LR im2col as a 1x1. Random weights of the real shapes (timing only: the composite is
not the shipped network, whose border ring would still need the HR path); a Set14-sized LR input.

    python benchmarks/probes/srcnn_phase_space.py 2 8 160x140

Session 54 (AMD EPYC Zen 2, busy: numpy's product 163-176 GFLOP/s against 183 quiet), median ms
of 8 rounds, then OpenVINO's counters: the rows form 31.55 (copies 1.7, conv1 18.8, conv2 6.3);
the composite in rows (7 LR row copies, a 1 x 7 layer to 576 channels) 13.1-13.9 ms for 0.6x the
work (46-48 GMAC/s against the rows form's 56), but its 1x1 grouped by phase 11.0-11.4 ms against
6.3 dense (30.24 left in phase space, 33.05 with the DepthToSpace back, 2.9 ms), dense 576 -> 288
43.9 ms (64.28); as a 49-channel 1x1 13.6 ms and a DepthToSpace of the 576 channels 5.1 ms
(31.18); as a stride-3 transposed convolution 19.4 ms with its ReLU unfused (2.4 ms; 33.63). The
best is level with the rows form before the border ring (the HR zero padding the composite does
not see, 6 output pixels deep) is paid for: not taken.

Session 55 (the same Zen 2, busy: 159-163 GFLOP/s), the 1x1 as one dense 64 -> 32 layer on a batch
of 9 (the 576 channels reshaped to 9 x 64, phase-major): 44.3-44.7 ms median against the rows
form's 31.5-32.6, as the runtime keeps the composite channels-last and reorders around each
Reshape (8.3 + 9.0 ms) before its 1x1 runs in 7.0; with the DepthToSpace back 49.0 ms.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from xeonsr.ov import compile_ir

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
w, h = map(int, sys.argv[3].split("x"))
rng = np.random.default_rng(0)


def const(a):
    return ops.constant(np.asarray(a, dtype=np.float32))


def ints(a):
    return ops.constant(np.asarray(a, dtype=np.int64))


def weights(*shape):
    return const(rng.standard_normal(shape) * 0.1)


def named(node, name):
    node.set_friendly_name(name)
    return node


def rows_form():
    """As the AVX2 class runs it: 9 row copies of the HR input, a 1 x 9 layer, then the 1x1."""
    x = ops.parameter([1, 1, 3 * h, 3 * w], np.float32, name="x")
    p = ops.pad(x, ints([0, 0, 4, 0]), ints([0, 0, 4, 0]), "constant")
    e = ops.extract_image_patches(p, [9, 1], [1, 1], [1, 1], "valid")
    c1 = named(ops.convolution(e, weights(64, 9, 1, 9), [1, 1], [0, 4], [0, 4], [1, 1]), "conv1")
    r = ops.relu(ops.add(c1, weights(1, 64, 1, 1)))
    c2 = named(ops.convolution(r, weights(32, 64, 1, 1), [1, 1], [0, 0], [0, 0], [1, 1]), "conv2")
    return ov.Model([ops.relu(c2)], [x])


def composite(second: str, k: int = 7):
    """The LR image -> 576 phase channels (7 LR row copies, a 1 x 7 layer), then the 1x1 as
    ``grouped``, ``grouped+d2s`` or ``dense``."""
    x = ops.parameter([1, 1, h, w], np.float32, name="x")
    p = ops.pad(x, ints([0, 0, k // 2, 0]), ints([0, 0, k // 2, 0]), "constant")
    e = ops.extract_image_patches(p, [k, 1], [1, 1], [1, 1], "valid")
    c1 = named(ops.convolution(e, weights(576, k, 1, k), [1, 1], [0, k // 2], [0, k // 2], [1, 1]), "conv1")
    r = ops.relu(ops.add(c1, weights(1, 576, 1, 1)))
    if second == "dense":
        c2 = ops.convolution(r, weights(288, 576, 1, 1), [1, 1], [0, 0], [0, 0], [1, 1])
    elif second.startswith("batch"):
        b = ops.reshape(r, ints([9, 64, h, w]), False)
        c2 = ops.convolution(b, weights(32, 64, 1, 1), [1, 1], [0, 0], [0, 0], [1, 1])
        c2 = ops.reshape(ops.relu(named(c2, "conv2")), ints([1, 288, h, w]), False)
        return ov.Model([ops.depth_to_space(c2, "blocks_first", 3) if second.endswith("d2s") else c2], [x])
    else:
        c2 = ops.group_convolution(r, weights(9, 32, 64, 1, 1), [1, 1], [0, 0], [0, 0], [1, 1])
    out = ops.relu(named(c2, "conv2"))
    if second.endswith("d2s"):
        out = ops.depth_to_space(out, "blocks_first", 3)
    return ov.Model([out], [x])


def im2col_d2s(k: int = 7):
    """The composite as a 1x1 on a 49-channel LR im2col, DepthToSpace, then the HR 1x1."""
    x = ops.parameter([1, 1, h, w], np.float32, name="x")
    p = ops.pad(x, ints([0, 0, k // 2, k // 2]), ints([0, 0, k // 2, k // 2]), "constant")
    e = ops.extract_image_patches(p, [k, k], [1, 1], [1, 1], "valid")
    c1 = named(ops.convolution(e, weights(576, k * k, 1, 1), [1, 1], [0, 0], [0, 0], [1, 1]), "conv1")
    d = ops.depth_to_space(ops.relu(ops.add(c1, weights(1, 576, 1, 1))), "blocks_first", 3)
    c2 = named(ops.convolution(d, weights(32, 64, 1, 1), [1, 1], [0, 0], [0, 0], [1, 1]), "conv2")
    return ov.Model([ops.relu(c2)], [x])


def transposed(k: int = 21):
    """The composite straight to HR: a stride-3 transposed convolution of the LR image (21 x 21,
    7 x 7 LR taps an output), then the HR 1x1."""
    x = ops.parameter([1, 1, h, w], np.float32, name="x")
    pb = (k - 3) // 2
    c1 = ops.convolution_backprop_data(
        x, weights(1, 64, k, k), strides=[3, 3], pads_begin=[pb, pb], pads_end=[k - 3 - pb] * 2, dilations=[1, 1]
    )
    r = ops.relu(ops.add(named(c1, "conv1"), weights(1, 64, 1, 1)))
    c2 = named(ops.convolution(r, weights(32, 64, 1, 1), [1, 1], [0, 0], [0, 0], [1, 1]), "conv2")
    return ov.Model([ops.relu(c2)], [x])


def compiled(model):
    d = tempfile.mkdtemp()
    ov.save_model(model, d + "/m.xml", compress_to_fp16=False)
    return compile_ir(Path(d + "/m.xml"), threads, inference_precision="f32", profiling=True).create_infer_request()


hr, lr = (1, 1, 3 * h, 3 * w), (1, 1, h, w)
variants = {
    "rows form (shipped)": (rows_form(), hr),
    "composite, grouped 1x1": (composite("grouped"), lr),
    "composite, grouped 1x1, d2s": (composite("grouped+d2s"), lr),
    "composite, dense 1x1": (composite("dense"), lr),
    "composite, batch-9 1x1": (composite("batch"), lr),
    "composite, batch-9 1x1, d2s": (composite("batch+d2s"), lr),
    "composite as im2col 1x1, d2s": (im2col_d2s(), lr),
    "composite transposed to HR": (transposed(), lr),
}
reqs = {k: (compiled(m), rng.random(s, dtype=np.float32)) for k, (m, s) in variants.items()}
times = {k: [] for k in reqs}
for _ in range(rounds):
    for k, (req, x) in reqs.items():
        time.sleep(0.05)
        for _ in range(3):
            req.infer({0: x})
        t0 = time.perf_counter()
        for _ in range(3):
            req.infer({0: x})
        times[k].append((time.perf_counter() - t0) * 1e3 / 3)
for k, (req, _) in reqs.items():
    nodes = [
        (p.node_name[-14:], p.exec_type, round(p.real_time.total_seconds() * 1e3, 2))
        for p in req.profiling_info
        if p.real_time.total_seconds() > 5e-5
    ]
    print(f"{k:30s} best {min(times[k]):6.2f} median {statistics.median(times[k]):6.2f} ms", nodes)
