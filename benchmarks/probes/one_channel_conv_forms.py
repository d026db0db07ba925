"""Session 15 (AVX2 Zen 3): SRCNN's first layer (1 -> 64 channels, 9x9, 'same' padding) alone in
OpenVINO FP32, in exact forms: the plain convolution; the image broadcast to 64 channels and a
depthwise (GroupConvolution) 9x9; 9 row-shifted copies of the image (9 channels) and a 1x9
convolution. Interleaved rounds, 2 threads; prints median ms, GMAC/s and the largest difference
from the plain form.

    python benchmarks/probes/one_channel_conv_forms.py 420x480 2
"""

import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.opset13 as ops

H, W = map(int, sys.argv[1].split("x"))
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
OC, K = 64, 9
rng = np.random.default_rng(0)
w = rng.standard_normal((OC, 1, K, K)).astype(np.float32) * 0.1
b = rng.standard_normal((1, OC, 1, 1)).astype(np.float32) * 0.1
x = rng.random((1, 1, H, W), dtype=np.float32)
P = K // 2


def c(a):
    return ops.constant(np.ascontiguousarray(a))


def plain():
    p = ops.parameter([1, 1, H, W], np.float32)
    y = ops.convolution(p, c(w), [1, 1], [P, P], [P, P], [1, 1])
    return ov.Model([ops.relu(ops.add(y, c(b)))], [p])


def depthwise():
    p = ops.parameter([1, 1, H, W], np.float32)
    t = ops.broadcast(p, c(np.array([1, OC, H, W], np.int64)))
    y = ops.group_convolution(t, c(w.reshape(OC, 1, 1, K, K)), [1, 1], [P, P], [P, P], [1, 1])
    return ov.Model([ops.relu(ops.add(y, c(b)))], [p])


def rows():
    # channel i = the image shifted up by i - P rows (zero rows enter at the edge)
    p = ops.parameter([1, 1, H, W], np.float32)
    padded = ops.pad(p, c(np.array([0, 0, P, 0], np.int64)), c(np.array([0, 0, P, 0], np.int64)), "constant")
    parts = [
        ops.slice(
            padded,
            c(np.array([i], np.int64)),
            c(np.array([i + H], np.int64)),
            c(np.array([1], np.int64)),
            c(np.array([2], np.int64)),
        )
        for i in range(K)
    ]
    stacked = ops.concat(parts, 1)
    wr = w[:, 0, :, :].reshape(OC, K, 1, K)  # (oc, row, 1, col)
    y = ops.convolution(stacked, c(wr), [1, 1], [0, P], [0, P], [1, 1])
    return ov.Model([ops.relu(ops.add(y, c(b)))], [p])


core = ov.Core()
cfg = {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": threads, "PERF_COUNT": True}
forms = {"plain": plain(), "depthwise": depthwise(), "rows": rows()}
reqs = {k: core.compile_model(m, "CPU", cfg).create_infer_request() for k, m in forms.items()}
ref = reqs["plain"].infer({0: x})[0].copy()
times = {k: [] for k in reqs}
for _ in range(7):
    for k, r in reqs.items():
        r.infer({0: x})
        t0 = time.perf_counter()
        for _ in range(3):
            r.infer({0: x})
        times[k].append((time.perf_counter() - t0) / 3e-3)
macs = H * W * OC * K * K
for k, r in reqs.items():
    out = r.infer({0: x})[0]
    med = statistics.median(times[k])
    kern = {p.node_type: p.exec_type for p in r.profiling_info if "onvolution" in p.node_type}
    print(
        f"{k:10s} {med:8.2f} ms ({min(times[k]):.2f}-{max(times[k]):.2f}) {macs / med / 1e6:6.1f} GMAC/s d={np.abs(out - ref).max():.1e} {kern}"
    )
