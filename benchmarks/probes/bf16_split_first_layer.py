"""Session 38 (Intel Xeon with AMX): SRCNN's FP32 9x9 one-channel first layer on AMX's bf16 tiles
with FP32 results, the way cuBLAS's "bf16x9" emulates FP32 on bf16 matrix units. Every FP32 number
is the sum of three bf16 numbers (8 significant bits each), so the image x = x0 + x1 + x2 and each
weight w = w0 + w1 + w2 exactly; each product xi * wj is exact in FP32 and AMX sums in FP32. The
layer becomes one bf16 convolution over 6 channels (the terms with i + j < 3; the three dropped ones
are below FP32's rounding) or all 9, each channel a part of the image, each weight a part of the
original. The rest of the network stays FP32 (``precise_0`` rt_info under the bf16 hint).

    python benchmarks/probes/bf16_split_first_layer.py 2 8 srcnn_x3_fp32 160x140 [now,s6,s9]

Prints the median ms per variant in interleaved rounds, the largest difference from the network as
compiled now (its kernel plan and this CPU's exact forms), and OpenVINO's counters for the first
layer (ms and GMAC/s). Two findings besides the time: the AMX bf16 kernel pads a few input channels
to a full tile, so 6 parts cost 6x the multiply-adds at a few times FP32's rate; and the plugin fuses
elementwise chains across the ``precise_0`` marks into bf16 ones, so the split made in the graph is
not exact there (a 1.4e-5 difference where the FP32 form differs by 7e-7).
"""

import json
import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir

threads, rounds, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
w_, h_ = (int(v) for v in (sys.argv[4] if len(sys.argv) > 4 else "160x140").split("x"))
variants = (sys.argv[5] if len(sys.argv) > 5 else "now,s6,s9").split(",")
manifest = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
x = np.random.default_rng(0).random((1, 1, h_, w_), dtype=np.float32)
CONV1 = "__module.conv1/aten::_convolution/Convolution"


def bf16_parts(a: np.ndarray, n: int) -> list[np.ndarray]:
    """``a`` as n bf16-exact float32 arrays summing to it exactly (round to nearest even)."""
    out, r = [], a.astype(np.float32)
    for _ in range(n):
        u = r.view(np.uint32).astype(np.uint64)
        p = ((u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000).astype(np.uint32).view(np.float32)
        out.append(p)
        r = (r - p).astype(np.float32)
    assert not r.any()
    return out


def split_first_layer(model, terms: int) -> None:
    import openvino.opset13 as ops

    conv = next(op for op in model.get_ordered_ops() if op.get_friendly_name() == CONV1)
    w = conv.input(1).get_source_output().get_node().get_data()
    pairs = [(i, j) for i in range(3) for j in range(3) if terms == 9 or i + j < 3]
    # A part used by k channels is scaled by 2^k in each copy (its weight by 2^-k), both exact:
    # OpenVINO merges identical nodes, and one node feeding several channels lost copies here.
    seen, scale, weights = {}, [], []
    for i, j in pairs:
        k = seen.get(i, 0)
        seen[i] = k + 1
        scale.append(2.0**k)
        weights.append(bf16_parts(w, 3)[j] / np.float32(2.0**k))

    def per_channel(v):
        return ops.constant(np.array(v, np.float32).reshape(1, len(pairs), 1, 1))

    def bf16(t):
        return ops.convert(ops.convert(t, "bf16"), "f32")

    y = ops.multiply(conv.input(0).get_source_output(), per_channel(scale))
    p0 = bf16(y)
    r1 = ops.add(y, ops.negative(p0))  # not a Subtract: the plugin rewrites that into a bf16 chain
    p1 = bf16(r1)
    r2 = ops.add(r1, ops.negative(p1))
    picked = [ops.multiply(p, per_channel([float(i == lvl) for i, _ in pairs])) for lvl, p in enumerate((p0, p1, r2))]
    a = conv.get_attributes()
    new = ops.convolution(
        ops.add(ops.add(picked[0], picked[1]), picked[2]),
        ops.constant(np.concatenate(weights, 1)),
        a["strides"], a["pads_begin"], a["pads_end"], a["dilations"],
    )  # fmt: skip
    new.set_friendly_name(CONV1)
    conv.output(0).replace(new.output(0))
    model.validate_nodes_and_infer_types()
    for op in model.get_ordered_ops():
        if op.get_friendly_name() != CONV1:
            op.get_rt_info()["precise_0"] = ""  # everything but the split layer stays FP32


for name in names:
    entry = manifest[name]
    plan = plan_for(entry, "f32") or {}
    fns, reqs = {}, {}
    for v in variants:
        m = read_ir(f"xeonsr/openvino_models/{entry['xml']}")
        host_forms(m, cpu_info().forms_class, "f32", plan)
        if v != "now":
            split_first_layer(m, int(v[1:]))
        r = compile_ir(m, threads, inference_precision="f32" if v == "now" else "bf16", kernels=plan, profiling=True)
        reqs[v] = r = r.create_infer_request()
        fns[v] = (lambda r: lambda a: r.infer({0: a})[0])(r)
    ref = fns["now"](x).copy()
    diffs = {k: float(np.abs(f(x) - ref).max()) for k, f in fns.items()}
    med = {k: statistics.median(t) for k, t in rounds_ms(fns, x, rounds).items()}
    macs = 9 * h_ * w_ * 64 * 81  # an x3 network's first layer on the HR grid
    for k, r in reqs.items():
        r.infer({0: x})
        c1 = next(p for p in r.profiling_info if p.node_name == CONV1)
        ms = c1.real_time.total_seconds() * 1e3
        parts = 1 if k == "now" else int(k[1:])
        print(
            f"{name} {w_}x{h_} {k}: {med[k]:.2f} ms ({med['now'] / med[k]:.2f}x now), diff {diffs[k]:.1e}; "
            f"conv1 {ms:.2f} ms on {c1.exec_type}, {parts * macs / ms / 1e6:.0f} GMAC/s"
        )
