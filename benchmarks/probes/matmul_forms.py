"""Session 16 (AVX2 Zen 3): SRCNN's convolutions alone in OpenVINO FP32, each as the plain
convolution and as an exact matrix product on the NCHW tensor seen as (C, h*w):

- conv1 (1 -> 64, 9x9, 'same'): ExtractImagePatches to (81, h*w), then weights (64, 81) @ patches;
- conv2 (64 -> 32, 1x1): weights (32, 64) @ x;
- conv3 (32 -> 1, 5x5): weights (25, 32) @ x gives each tap's plane, then the 25 shifted planes
  summed (a 5x5 convolution 25 -> 1 whose kernel is one-hot per tap).

Interleaved rounds, given threads; prints median ms, the kernel OpenVINO ran per node
(runtime model's primitiveType) and the largest difference from the plain form.

    python benchmarks/probes/matmul_forms.py 420x480 2 7
"""

import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.opset13 as ops

H, W = map(int, sys.argv[1].split("x"))
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 7
rng = np.random.default_rng(0)


def c(a):
    return ops.constant(np.ascontiguousarray(a))


def i64(*v):
    return c(np.array(v, np.int64))


def conv(p, w, b, relu=True):
    k = w.shape[-1] // 2
    y = ops.add(ops.convolution(p, c(w), [1, 1], [k, k], [k, k], [1, 1]), c(b.reshape(1, -1, 1, 1)))
    return ops.relu(y) if relu else y


def as_matmul(x2d, w2d, b, relu=True):
    """(C_in, n) -> (C_out, n): weights on the left, so no transpose of the image."""
    y = ops.add(ops.matmul(c(w2d), x2d, False, False), c(b.reshape(-1, 1)))
    return ops.relu(y) if relu else y


# layer 1: 1 -> 64, 9x9
w1 = rng.standard_normal((64, 1, 9, 9)).astype(np.float32) * 0.1
b1 = rng.standard_normal(64).astype(np.float32) * 0.1
x1 = rng.random((1, 1, H, W), dtype=np.float32)


def conv1_plain():
    p = ops.parameter([1, 1, H, W], np.float32)
    return ov.Model([conv(p, w1, b1)], [p])


def conv1_patches():
    p = ops.parameter([1, 1, H, W], np.float32)
    padded = ops.pad(p, i64(0, 0, 4, 4), i64(0, 0, 4, 4), "constant")
    patches = ops.extract_image_patches(padded, [9, 9], [1, 1], [1, 1], "valid")  # (1, 81, H, W)
    y = as_matmul(ops.reshape(patches, i64(81, H * W), False), w1.reshape(64, 81), b1)
    return ov.Model([ops.reshape(y, i64(1, 64, H, W), False)], [p])


# layer 2: 64 -> 32, 1x1
w2 = rng.standard_normal((32, 64, 1, 1)).astype(np.float32) * 0.1
b2 = rng.standard_normal(32).astype(np.float32) * 0.1
x2 = rng.random((1, 64, H, W), dtype=np.float32)


def conv2_plain():
    p = ops.parameter([1, 64, H, W], np.float32)
    return ov.Model([conv(p, w2, b2)], [p])


def conv2_matmul():
    p = ops.parameter([1, 64, H, W], np.float32)
    y = as_matmul(ops.reshape(p, i64(64, H * W), False), w2.reshape(32, 64), b2)
    return ov.Model([ops.reshape(y, i64(1, 32, H, W), False)], [p])


# layer 3: 32 -> 1, 5x5
w3 = rng.standard_normal((1, 32, 5, 5)).astype(np.float32) * 0.1
b3 = rng.standard_normal(1).astype(np.float32) * 0.1
x3 = rng.random((1, 32, H, W), dtype=np.float32)


def conv3_plain():
    p = ops.parameter([1, 32, H, W], np.float32)
    return ov.Model([conv(p, w3, b3, relu=False)], [p])


def conv3_taps():
    p = ops.parameter([1, 32, H, W], np.float32)
    taps = ops.matmul(c(w3[0].transpose(1, 2, 0).reshape(25, 32)), ops.reshape(p, i64(32, H * W), False), False, False)
    onehot = np.eye(25, dtype=np.float32).reshape(1, 25, 5, 5)
    y = conv(ops.reshape(taps, i64(1, 25, H, W), False), onehot, b3, relu=False)
    return ov.Model([y], [p])


CASES = {
    "conv1 plain": (conv1_plain, x1),
    "conv1 patches@": (conv1_patches, x1),
    "conv2 plain": (conv2_plain, x2),
    "conv2 matmul": (conv2_matmul, x2),
    "conv3 plain": (conv3_plain, x3),
    "conv3 taps": (conv3_taps, x3),
}

core = ov.Core()
cfg = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "f32"}
compiled = {k: core.compile_model(f(), "CPU", cfg) for k, (f, _) in CASES.items()}
outs = {k: compiled[k]({0: x})[0] for k, (_, x) in CASES.items()}
times = {k: [] for k in CASES}
for _ in range(rounds):
    for k, (_, x) in CASES.items():
        req = compiled[k].create_infer_request()
        req.infer({0: x})
        t = time.perf_counter()
        for _ in range(3):
            req.infer({0: x})
        times[k].append((time.perf_counter() - t) / 3 * 1e3)
for k in CASES:
    base = outs[k.split()[0] + " plain"]
    info = [n.get_rt_info() for n in compiled[k].get_runtime_model().get_ops()]
    kinds = sorted(
        {
            f"{r['layerType'].astype(str)}:{r['primitiveType'].astype(str)}"
            for r in info
            if r["layerType"].astype(str) not in ("Parameter", "Result", "Const", "Reshape")
        }
    )
    print(
        f"{k:16s} {statistics.median(times[k]):8.2f} ms  maxdiff {float(np.abs(outs[k] - base).max()):.1e}  "
        + " ".join(kinds)
    )
