"""Session 21 (AVX2 Zen 3), "stored graph" added session 23 (Zen 4): SRCNN FP32 (AVX2 host forms): its last layer's row pair (1 x f conv to f channels, then the f x 1
conv adding rows back) with the f channels padded to 6, 8 or 16 (zero filters), and the adding-back
done as f row-shifted slices of the planes summed instead of an f x 1 convolution to one channel.
Interleaved rounds of the whole IR; every variant's output equal to the 5-channel form's.

    python benchmarks/probes/last_layer_pad.py 2 10 160x140 srcnn_x3_fp32 ["rows (5 channels),rows pad8"]
"""

import sys
import time

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from xeonsr.ir_forms import first_layer_rows, row_pairs

threads, rounds, size = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ir = sys.argv[4] if len(sys.argv) > 4 else "srcnn_x3_fp32"
w_, h_ = (int(v) for v in size.split("x"))


def pair(m):
    comb = next(
        o
        for o in m.get_ordered_ops()
        if "conv3.combine/" in o.get_friendly_name() and o.get_type_name() == "Convolution"
    )
    rows = comb.input(0).get_source_output().get_node()
    return rows, comb


def slices(m):
    rows, comb = pair(m)
    wc = comb.input(1).get_source_output().get_node().get_data()  # (1, nf, f, 1) one-hot
    n_out, nf, f, _ = wc.shape
    src = rows.output(0)
    padded = ops.pad(
        src,
        ops.constant(np.array([0, 0, f // 2, 0], np.int64)),
        ops.constant(np.array([0, 0, f // 2, 0], np.int64)),
        "constant",
        ops.constant(np.float32(0)),
    )
    shape = ops.shape_of(src, "i64")
    H = ops.gather(shape, ops.constant(np.array([2], np.int64)), ops.constant(np.int64(0)))
    acc = None
    for ch in range(nf):
        dy = [k for k in range(f) if wc[0, ch, k, 0] != 0]
        if not dy:
            continue
        (k,) = dy
        assert wc[0, ch, k, 0] == 1.0
        start = ops.concat([ops.constant(np.array([ch, k], np.int64))], 0)
        stop = ops.concat(
            [ops.constant(np.array([ch + 1], np.int64)), ops.add(H, ops.constant(np.array([k], np.int64)))], 0
        )
        s = ops.slice(
            padded, start, stop, ops.constant(np.array([1, 1], np.int64)), ops.constant(np.array([1, 2], np.int64))
        )
        acc = s if acc is None else ops.add(acc, s)
    acc.set_friendly_name(comb.get_friendly_name())
    comb.output(0).replace(acc.output(0))
    m.validate_nodes_and_infer_types()


def forms(lanes):
    def f(m):
        first_layer_rows(m)
        row_pairs(m, lanes=lanes)

    return f


# The stored graph (what the VNNI class runs), the row pair as session 17 shipped it (5 channels), padded to 6, 8 (shipped since session 21) or
# 16 channels, and the adding-back as slices.
variants = {
    "stored graph": [],
    "rows (5 channels)": [forms(1)],
    "rows pad8": [forms(8)],
    "rows pad16": [forms(16)],
    "rows pad6": [forms(6)],
    "rows, slices": [forms(1), slices],
    "rows pad8, slices": [forms(8), slices],
}
if len(sys.argv) > 5:
    variants = {k: v for k, v in variants.items() if k in sys.argv[5].split(",")}
core = ov.Core()
x = np.random.default_rng(0).random((1, 1, h_, w_), dtype=np.float32)
reqs, outs = {}, {}
for name, fs in variants.items():
    m = core.read_model(f"xeonsr/openvino_models/{ir}.xml")
    for f in fs:
        f(m)
    c = core.compile_model(
        m, "CPU", {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "f32"}
    )
    reqs[name] = c.create_infer_request()
    outs[name] = reqs[name].infer({0: x})[0].copy()
ref = outs["rows (5 channels)"]
t = {k: [] for k in reqs}
for _ in range(rounds):
    for k, r in reqs.items():
        r.infer({0: x})
        t0 = time.perf_counter()
        for _ in range(3):
            r.infer({0: x})
        t[k].append((time.perf_counter() - t0) / 3e-3)
base = np.median(t["rows (5 channels)"])
for k, v in t.items():
    print(
        f"{k:20s} median {np.median(v):7.2f} ms  min {min(v):7.2f}  5ch/this {base / np.median(v):.3f}  max|diff| {np.abs(outs[k] - ref).max():.2e}"
    )
