"""Three exact changes to how an INT8 IR is built or called, each timed against today's form,
interleaved in one run (session 14, none shipped):

- ``d2s``: the pixel shuffle as one DepthToSpace node instead of torch's Reshape/Transpose/Reshape;
- ``own-array``: each call hands the request a fresh output array (and the input without a copy)
  instead of copying out of the runtime's own buffer;
- ``first-layer``: a one-layer INT8 model (1 -> 56 channels, 5x5, PReLU, requantized into a 1x1
  56 -> 12 layer, as FSRCNN's head) against the same function with the image as four shifted
  copies (2x2 offsets) into a 3x3 convolution of dilation 2: 36 multiply-adds of 4 input channels
  instead of 25 of one channel padded to VNNI's four.

Each prints the largest output difference (0: exact) and the median milliseconds of both forms.

    python benchmarks/probes/ov_call_forms.py fsrcnn 3 int8 2 160x140
"""

import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.opset13 as op

from xeonsr.irs import locate_ir
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir
from xeonsr.runtime import ov_run

model, scale, prec, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
W, H = (int(v) for v in sys.argv[5].split("x"))
REPEATS = 200
rng = np.random.default_rng(0)
x = rng.random((1, 1, H, W), dtype=np.float32)


def race(label, fns, arg=x):
    outs = {k: np.array(f(arg)) for k, f in fns.items()}
    first = next(iter(outs.values()))
    diff = max(float(np.abs(o - first).max()) for o in outs.values())
    times = {k: [] for k in fns}
    for _ in range(REPEATS):
        for k, f in fns.items():
            t0 = time.perf_counter()
            f(arg)
            times[k].append(time.perf_counter() - t0)
    meds = ", ".join(f"{k} {statistics.median(v) * 1e3:.3f} ms" for k, v in times.items())
    print(f"{label}: max diff {diff:.3g}; {meds}")


xml, entry = locate_ir(model, scale, prec, None)
plan = plan_for(entry, "f32")
core = ov.Core()


def with_depth_to_space(m):
    result = m.get_results()[0]
    r2 = result.input_value(0).get_node()
    tr = r2.input_value(0).get_node()
    r1 = tr.input_value(0).get_node()
    assert [n.get_type_name() for n in (r2, tr, r1)] == ["Reshape", "Transpose", "Reshape"]
    d2s = op.depth_to_space(r1.input_value(0), "depth_first", scale)
    result.input(0).replace_source_output(d2s.output(0))
    m.validate_nodes_and_infer_types()
    return m


today = compile_ir(xml, threads, kernels=plan)
d2s = compile_ir(with_depth_to_space(core.read_model(str(xml))), threads, kernels=plan)
race("pixel shuffle", {"reshape-transpose": ov_run(today), "d2s": ov_run(d2s)})

request = today.create_infer_request()


def own_array(a):
    out = np.empty((1, 1, a.shape[2] * scale, a.shape[3] * scale), np.float32)
    request.set_input_tensor(0, ov.Tensor(a, shared_memory=True))
    request.set_output_tensor(0, ov.Tensor(out, shared_memory=True))
    request.infer()
    return out


race("output", {"copy-out": ov_run(today), "own-array": own_array})

# The first layer alone, synthetic weights, quantized as NNCF does (u8 image on [0, 1],
# per-channel symmetric int8 weights).
C = 56
w = rng.normal(0, 0.1, (C, 1, 5, 5)).astype(np.float32)
bias = rng.normal(0, 0.1, (1, C, 1, 1)).astype(np.float32)
w_next = rng.normal(0, 0.1, (12, C, 1, 1)).astype(np.float32)


def const(v):
    return op.constant(np.asarray(v, np.float32))


def int8_weights(wt):
    m = np.abs(wt).reshape(wt.shape[0], -1).max(1).reshape(-1, *[1] * (wt.ndim - 1))
    return op.fake_quantize(const(wt), const(-m), const(m), const(-m), const(m), 255)


def head(y):
    y = op.prelu(op.add(y, const(bias)), const(np.full(C, 0.2, np.float32)))
    y = op.fake_quantize(y, const(-1.0), const(3.0), const(-1.0), const(3.0), 256)
    return op.convolution(y, int8_weights(w_next), [1, 1], [0, 0], [0, 0], [1, 1])


def plain_first():
    p = op.parameter([1, 1, -1, -1], ov.Type.f32)
    q = op.fake_quantize(p, const(0.0), const(1.0), const(0.0), const(1.0), 256)
    return ov.Model([head(op.convolution(q, int8_weights(w), [1, 1], [2, 2], [2, 2], [1, 1]))], [p])


def shifted_first():
    # X4[2u+v](i, j) = xpad(i+u, j+v), xpad = the image with 2 zero rows/columns before and 3
    # after; tap (a, b) = (2p+u, 2q+v) of the 5x5 kernel is tap (p, q) of channel 2u+v.
    p = op.parameter([1, 1, -1, -1], ov.Type.f32)
    i64 = lambda v: op.constant(np.array(v, np.int64))  # noqa: E731
    xp = op.pad(p, i64([0, 0, 2, 2]), i64([0, 0, 3, 3]), "constant", const(0.0))
    q = op.fake_quantize(xp, const(0.0), const(1.0), const(0.0), const(1.0), 256)
    end = 2**31 - 1
    parts = [
        op.slice(q, i64([u, v]), i64([-1 if u == 0 else end, -1 if v == 0 else end]), i64([1, 1]), i64([2, 3]))
        for u in (0, 1)
        for v in (0, 1)
    ]
    w4 = np.zeros((C, 4, 3, 3), np.float32)
    for u in (0, 1):
        for v in (0, 1):
            for pp in range(3):
                for qq in range(3):
                    if 2 * pp + u < 5 and 2 * qq + v < 5:
                        w4[:, 2 * u + v, pp, qq] = w[:, 0, 2 * pp + u, 2 * qq + v]
    y = op.convolution(op.concat(parts, 1), int8_weights(w4), [1, 1], [0, 0], [0, 0], [2, 2])
    return ov.Model([head(y)], [p])


race(
    "first layer",
    {
        "1-channel 5x5": ov_run(compile_ir(plain_first(), threads)),
        "shifted 3x3 d2": ov_run(compile_ir(shifted_first(), threads)),
    },
)
