"""Session 49 (AMD EPYC Zen 2): the pixel shuffle at the end of an IR (torch's export: Reshape to
rank 6, Transpose (0, 1, 4, 2, 5, 3), Reshape back) in other exact forms, the IR compiled at one
LR size, its shapes dynamic as the runtime compiles them, in this CPU's forms (xeonsr.ir_forms.host_forms): rank4 (the r*r phases as
(r, r, H, W), Transpose (2, 0, 3, 1)), rank5 ((1, r, r, H, W), Transpose (0, 3, 1, 4, 2)), d2s
(one DepthToSpace, blocks first), nhwc (channels last first, then (H, W, r, r) with Transpose
(0, 2, 1, 3)), deconv (a stride-r transposed convolution with one-hot weights, r*r channels to
one; session 50: exact, 0.90-0.91x). Interleaved rounds; median ms, the speed against the first variant, and the
Transpose's own node time. One image (batch 1).

    python benchmarks/probes/shuffle_forms.py 2 12 160x140 fsrcnn_x3_int8_avx2,fsrcnn_x3_fp32 [stored,rank4,rank5,d2s,nhwc]
"""

import argparse
import json
import statistics
import time

import numpy as np
import openvino as ov

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.openvino_releases import opset
from xeonsr.ov import compile_ir

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("threads", type=int)
ap.add_argument("rounds", type=int)
ap.add_argument("size", help="LR size WxH")
ap.add_argument("irs", help="store names, comma-separated")
ap.add_argument("variants", nargs="?", default="stored,rank4,rank5,d2s,nhwc")
args = ap.parse_args()
ops = opset(13)
W, H = (int(v) for v in args.size.split("x"))
man = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]


def shuffle_chain(m):
    for op in m.get_ordered_ops():
        perm = list(op.input(1).get_source_output().get_node().get_data()) if op.get_type_name() == "Transpose" else []
        if perm == [0, 1, 4, 2, 5, 3]:
            first = op.input(0).get_source_output().get_node()
            last = next(iter(op.output(0).get_target_inputs())).get_node()
            return first.input(0).get_source_output(), last
    raise SystemExit("no pixel shuffle of torch's export in this IR")


def const(values):
    return ops.constant(np.array(values, np.int64))


def rewrite(m, kind: str, r: int) -> None:
    """The shapes follow the input (the IRs' dynamic H and W), as the runtime compiles them."""
    phases, last = shuffle_chain(m)
    dims = ops.shape_of(phases)
    h, w = (ops.gather(dims, const([i]), const(0)) for i in (2, 3))
    hr, wr = ops.multiply(h, const([r])), ops.multiply(w, const([r]))
    if kind == "d2s":
        out = ops.depth_to_space(phases, "blocks_first", r)
    elif kind == "deconv":  # weight (C_in, C_out, r, r): phase a*r+b to tap (a, b), times 1
        onehot = np.eye(r * r, dtype=np.float32).reshape(r * r, 1, r, r)
        out = ops.convolution_backprop_data(phases, ops.constant(onehot), [r, r], None, [0, 0], [0, 0], [1, 1])
    elif kind == "nhwc":
        t = ops.reshape(ops.transpose(phases, const([0, 2, 3, 1])), ops.concat([h, w, const([r, r])], 0), False)
        out = ops.reshape(ops.transpose(t, const([0, 2, 1, 3])), ops.concat([const([1, 1]), hr, wr], 0), False)
    else:
        lead, perm = (const([r, r]), [2, 0, 3, 1]) if kind == "rank4" else (const([1, r, r]), [0, 3, 1, 4, 2])
        t = ops.transpose(ops.reshape(phases, ops.concat([lead, h, w], 0), False), const(perm))
        out = ops.reshape(t, ops.concat([const([1, 1]), hr, wr], 0), False)
    last.output(0).replace(out.output(0))
    m.validate_nodes_and_infer_types()


forms_class = cpu_info().forms_class
for name in args.irs.split(","):
    e = man[name]
    variants = args.variants.split(",")
    reqs = {}
    for v in variants:
        m = ov.Core().read_model("xeonsr/openvino_models/" + e["xml"])
        host_forms(m, forms_class)
        if v != "stored":
            rewrite(m, v, e["scale"])
        reqs[v] = compile_ir(m, args.threads, profiling=True).create_infer_request()
    x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
    ref = reqs[variants[0]].infer({0: x})[0].copy()
    diffs = {k: float(np.abs(r.infer({0: x})[0] - ref).max()) for k, r in reqs.items()}
    times = {k: [] for k in reqs}
    for _ in range(args.rounds):
        for k, r in reqs.items():
            r.infer({0: x})
            t = time.perf_counter()
            for _ in range(5):
                r.infer({0: x})
            times[k].append((time.perf_counter() - t) / 5e-3)
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, r in reqs.items():
        moves = sum(
            p.real_time.total_seconds() * 1e3
            for p in r.profiling_info
            if p.node_type in ("Transpose", "DepthToSpace", "Reorder")
        )
        print(
            f"{name} {W}x{H} {k:7s} {med[k]:7.2f} ms  {med[variants[0]] / med[k]:.3f}x  "
            f"transposes+reorders {moves:.2f} ms  maxdiff {diffs[k]:.1e}"
        )
