"""Session 35 (Intel Xeon with AMX): a VNNI-made INT8 IR's quantized one-channel first layer in
rows (xeonsr.ir_forms.first_layer_rows), the k row-shifted copies of the image built three ways,
against the stored graph, each with the IR's kernel plan for this class:
  eip       ExtractImagePatches (k x 1) on the float image, then the image's FakeQuantize (as
            first_layer_rows builds them)
  shift     a k x 1 convolution with one-hot weights (exact: x*1 + 0*y), then the FakeQuantize,
            which OpenVINO fuses into that convolution's output (u8 straight to the layer)
  eip_u8    the FakeQuantize first, ExtractImagePatches on its (u8) output
  slices_u8 the FakeQuantize first, then a zero Pad of k//2 rows, k row slices and a Concat on
            its output (ops OpenVINO's low-precision passes keep in u8)
  groups_u8 slices_u8 as xeonsr.ir_rows_u8 makes it since session 51: a 9 x 9 layer reads 3
            column groups of the 9 rows (27 channels, a 1 x 3 layer; `jit_avx2_I8` pads 9 input
            channels to 12, and the VNNI/AMX kernels group input channels by 4 too)
  full      not rows: every k x k patch as k*k channels (ExtractImagePatches k x k), the
            FakeQuantize, a 1 x 1 convolution on the same int8 weights
Interleaved rounds (30 ms pause, 25 ms re-warm, median of 3 calls), 160x140 LR unless given;
median ms, speed-up (of the medians and of the fastest rounds), largest output difference, node time of the copies and of the layer.

    python benchmarks/probes/amx_int8_rows_builders.py 2 10 srcnn_x3_int8,fsrcnn_x3_int8 [160x140 [eip,shift,eip_u8]]
"""

import json
import statistics
import sys

import numpy as np
import openvino.opset13 as ops
from _rounds import rounds_ms
from openvino import opset3

from xeonsr.ir_forms import first_layer_rows
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir

threads, rounds, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
w_, h_ = (int(v) for v in (sys.argv[4] if len(sys.argv) > 4 else "160x140").split("x"))
kinds = sys.argv[5].split(",") if len(sys.argv) > 5 else ["eip", "shift", "eip_u8"]
manifest = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
x = np.random.default_rng(0).random((1, 1, h_, w_), dtype=np.float32)


def quantized_first(m):
    for op in m.get_ordered_ops():
        if op.get_type_name() != "Convolution":
            continue
        src = op.input(0).get_source_output().get_node()
        if src.get_type_name() == "FakeQuantize" and op.input(1).get_partial_shape()[1].get_length() == 1:
            return op.get_friendly_name()


def full_patches(m, first):
    from xeonsr.ir_weights import conv_on, same_scales, weight_chain

    conv = {op.get_friendly_name(): op for op in m.get_ordered_ops()}[first]
    chain = weight_chain(conv)
    w = chain[-1]
    oc, _, k, _ = list(w.get_output_shape(0))
    fq = conv.input(0).get_source_output().get_node()
    patches = opset3.extract_image_patches(fq.input(0).get_source_output(), [k, k], [1, 1], [1, 1], "same_upper")
    q = ops.fake_quantize(patches, *[fq.input(i).get_source_output() for i in range(1, 5)], fq.get_levels())
    out = same_scales(chain, w.get_data().reshape(oc, k * k, 1, 1))
    new = conv_on(q, out, [0, 0], first)
    conv.output(0).replace(new.output(0))
    m.validate_nodes_and_infer_types()
    return True


def build(m, first, kind):
    if kind == "full":
        return full_patches(m, first)
    if not first_layer_rows(m, only={first}):
        return False
    nodes = {op.get_friendly_name(): op for op in m.get_ordered_ops()}
    eip, fq = nodes[first + "/rows"], None
    for op in m.get_ordered_ops():
        if op.get_type_name() == "FakeQuantize" and op.input(0).get_source_output().get_node() is eip:
            fq = op
    k = eip.get_attributes()["sizes"][0]
    image = eip.input(0).get_source_output()
    if kind == "shift":
        w = np.zeros((k, 1, k, 1), np.float32)
        for i in range(k):
            w[i, 0, i, 0] = 1.0
        new = ops.convolution(image, ops.constant(w), [1, 1], [k // 2, 0], [k // 2, 0], [1, 1])
        eip.output(0).replace(new.output(0))
    elif kind == "slices_u8":
        ranges = [fq.input(i).get_source_output() for i in range(1, 5)]
        q = ops.fake_quantize(image, *ranges, fq.get_levels())
        r = k // 2
        padded = ops.pad(
            q,
            ops.constant(np.array([0, 0, r, 0], np.int64)),
            ops.constant(np.array([0, 0, r, 0], np.int64)),
            "constant",
        )
        h = ops.shape_of(q, "i64")
        hh = ops.gather(h, ops.constant(np.array([2], np.int64)), ops.constant(np.int64(0)))
        parts = []
        for i in range(k):
            start = ops.constant(np.array([i], np.int64))
            parts.append(
                ops.slice(
                    padded,
                    start,
                    ops.add(start, hh),
                    ops.constant(np.array([1], np.int64)),
                    ops.constant(np.array([2], np.int64)),
                )
            )
        fq.output(0).replace(ops.concat(parts, 1).output(0))
    elif kind == "groups_u8":
        from xeonsr.ir_rows_u8 import quantized_rows_by_slices

        return bool(quantized_rows_by_slices(m, only={fq.get_friendly_name()}))
    elif kind == "eip_u8":
        ranges = [fq.input(i).get_source_output() for i in range(1, 5)]
        q = ops.fake_quantize(image, *ranges, fq.get_levels())
        rows = opset3.extract_image_patches(q, [k, 1], [1, 1], [1, 1], "same_upper")
        fq.output(0).replace(rows.output(0))
    m.validate_nodes_and_infer_types()
    return True


for name in names:
    entry = manifest[name]
    plan = plan_for(entry, "f32") or {}
    reqs, first = {}, None
    for kind in ["stored", *kinds]:
        m = read_ir(f"xeonsr/openvino_models/{entry['xml']}")
        first = first or quantized_first(m)
        if kind != "stored" and (first is None or first in plan or not build(m, first, kind)):
            continue
        reqs[kind] = compile_ir(m, threads, kernels=plan, profiling=True).create_infer_request()
    if len(reqs) == 1:
        print(f"{name}: no quantized one-channel first layer outside the plan")
        continue
    ref = reqs["stored"].infer({0: x})[0].copy()
    diffs = {k: float(np.abs(r.infer({0: x})[0] - ref).max()) for k, r in reqs.items()}
    times = rounds_ms({k: (lambda v, r=r: r.infer({0: v})) for k, r in reqs.items()}, x, rounds)
    base = statistics.median(times["stored"])
    for k, r in reqs.items():
        med = statistics.median(times[k])
        best = min(times[k]) / min(times["stored"])
        layer = sum(p.real_time.total_seconds() * 1e3 for p in r.profiling_info if p.node_name == first)
        extra = sum(
            p.real_time.total_seconds() * 1e3
            for p in r.profiling_info
            if p.node_name != first and (first in p.node_name or p.node_type == "ExtractImagePatches")
        )
        print(
            f"{name:18s} {k:7s} {med:7.2f} ms  {base / med:5.3f}x (fastest rounds {1 / best:5.3f}x)  maxdiff {diffs[k]:.1e}  "
            f"layer {layer:.2f} ms + copies/quantizer/reorders {extra:.2f} ms",
            flush=True,
        )
