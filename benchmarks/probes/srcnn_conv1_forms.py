"""Session 49 (AMD EPYC Zen 2): SRCNN's 9x9 one-channel first layer in other exact forms, the rest
of the FP32 IR in this CPU's forms (xeonsr.ir_forms.host_forms): the shipped rows form (9
row-shifted copies, 1x9 on 9 channels); columns (9 column-shifted copies, 9x1); blocks3 (the
image padded by 4, its 3x3 neighbourhoods as 9 channels, then a 3x3 convolution dilated by 3 with
no padding: the 9x9 kernel as a 3x3 grid of 3x3 blocks); im2col (81 channels, then 1x1); rows3
(session 50: 3 row copies, then a 3 x 9 convolution dilated by 3 in rows: a third of the copies).
Interleaved rounds per LR size; median ms and the speed against the first variant.

    python benchmarks/probes/srcnn_conv1_forms.py 2 10 160x140,120x83 [IR.xml] [rows,blocks3,cols,im2col]
"""

import argparse
import statistics
import time

import numpy as np
import openvino as ov

from xeonsr.ir_forms import host_forms
from xeonsr.ir_weights import conv_on, weight_chain
from xeonsr.openvino_releases import opset
from xeonsr.ov import compile_ir

ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
ap.add_argument("threads", type=int)
ap.add_argument("rounds", type=int)
ap.add_argument("sizes", help="LR sizes WxH,WxH")
ap.add_argument("xml", nargs="?", default="xeonsr/openvino_models/srcnn_x3_fp32.xml")
ap.add_argument("variants", nargs="?", default="rows,blocks3,cols,im2col")
args = ap.parse_args()
ops, op3 = opset(13), opset(3)


def first_layer(m):
    for op in m.get_ordered_ops():
        shape = list(op.input(1).get_source_output().get_shape()) if op.get_type_name() == "Convolution" else []
        if shape and shape[1] == 1 and shape[2] >= 9:
            return op
    raise SystemExit(f"{args.xml}: no one-channel first layer of 9x9 or more")


def rewrite(m, kind: str) -> None:
    conv = first_layer(m)
    w = weight_chain(conv)[-1].get_data()
    oc, _, k, _ = w.shape
    img, name = conv.input(0).get_source_output(), conv.get_friendly_name()
    if kind == "cols":
        p = op3.extract_image_patches(img, [1, k], [1, 1], [1, 1], "same_upper")
        new = conv_on(p, w.transpose(0, 3, 2, 1).reshape(oc, k, k, 1), [k // 2, 0], name)
    elif kind == "rows3":  # the image padded by k//2 rows, 3 row copies, a 3 x k convolution dilated by 3 in rows
        pads = ops.constant(np.array([0, 0, k // 2, 0], np.int64))
        p = op3.extract_image_patches(ops.pad(img, pads, pads, "constant"), [3, 1], [1, 1], [1, 1], "valid")
        w3 = w[:, 0].reshape(oc, k // 3, 3, k).transpose(0, 2, 1, 3)  # [oc, c, t, dx] = row c + 3t
        new = ops.convolution(p, ops.constant(np.ascontiguousarray(w3)), [1, 1], [0, k // 2], [0, k // 2], [3, 1])
        new.set_friendly_name(name)
    elif kind == "im2col":
        p = op3.extract_image_patches(img, [k, k], [1, 1], [1, 1], "same_upper")
        new = conv_on(p, w.reshape(oc, k * k, 1, 1), [0, 0], name)
    else:  # blocks3: padding first, so the dilated taps see the image's zeros, not their own
        b, g = 3, k // 3
        pads = ops.constant(np.array([0, 0, k // 2, k // 2], np.int64))
        p = op3.extract_image_patches(ops.pad(img, pads, pads, "constant"), [b, b], [1, 1], [1, 1], "valid")
        wb = w.reshape(oc, g, b, g, b).transpose(0, 2, 4, 1, 3).reshape(oc, b * b, g, g)
        new = ops.convolution(p, ops.constant(np.ascontiguousarray(wb)), [1, 1], [0, 0], [0, 0], [b, b])
        new.set_friendly_name(name)
    conv.output(0).replace(new.output(0))
    m.validate_nodes_and_infer_types()


variants = args.variants.split(",")
fns = {}
for v in variants:
    m = ov.Core().read_model(args.xml)
    if v != "rows":
        rewrite(m, v)
    host_forms(m, "avx2")
    fns[v] = (lambda r: lambda a: r.infer({0: a})[0])(compile_ir(m, args.threads).create_infer_request())
for size in args.sizes.split(","):
    w, h = (int(s) for s in size.split("x"))
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    ref = fns[variants[0]](x).copy()
    diffs = {k: float(np.abs(f(x) - ref).max()) for k, f in fns.items()}
    times = {k: [] for k in fns}
    for _ in range(args.rounds):
        for k, f in fns.items():
            f(x)
            t = time.perf_counter()
            for _ in range(3):
                f(x)
            times[k].append((time.perf_counter() - t) / 3e-3)
    med = {k: statistics.median(v) for k, v in times.items()}
    for k in fns:
        print(f"{w}x{h} {k:8s} {med[k]:8.2f} ms  {med[variants[0]] / med[k]:.3f}x  maxdiff {diffs[k]:.1e}")
