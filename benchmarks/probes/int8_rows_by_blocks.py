"""Session 51 (AMD EPYC Zen 2): `jit_avx2_I8` pads a layer's input channels to a multiple of 4,
so SRCNN's quantized 9x9 first layer in rows (9 row copies, a 1 x 9 convolution) multiplies 12 x 9
where 81 products count. Here the copies after the quantizer (xeonsr.ir_rows_u8) become k x g
copies: k row shifts times g column shifts f = ceil(kw/g) columns apart, and the layer a 1 x f
convolution over them (k=9, g=3: 27 channels padded to 28, 84 products per 81; when g does not
divide kw the last taps have zero weight). Valid padding:
the copies are f - 1 columns wider and the layer pads nothing, so the image's zero border is
the copies' and nothing else. Bit for bit against the session-50 host form (9 rows, "stored"
here); interleaved rounds. Variants: "slices" (k*g slices, one Concat), "eip" (one
ExtractImagePatches on the u8 image), "twostage" (k row slices and a Concat, then g column slices of
those and a Concat: what xeonsr.ir_rows_u8 ships since, also run as "shipped" through host_forms).

    python benchmarks/probes/int8_rows_by_blocks.py 2 10 160x140,121x83,255x190 srcnn_x3_int8_avx2 3 slices,eip,twostage,shipped [TOP]
"""

import json
import statistics
import sys

import numpy as np
from _rounds import rounds_ms

import xeonsr.ir_rows_u8 as rows_u8
from xeonsr.ir_forms import host_forms
from xeonsr.ir_weights import conv_on, same_scales, weight_chain
from xeonsr.openvino_releases import opset
from xeonsr.ov import compile_ir, read_ir

ops = opset(13)


def i64(v):
    return ops.constant(np.array(v, np.int64))


def blocks(m, g: int, how: str) -> str:
    """Rewrite the u8 row copies' reader (Concat '.../copies' -> conv) into k*g copies."""
    for cat in m.get_ordered_ops():
        if cat.get_type_name() == "Concat" and cat.get_friendly_name().endswith("/copies"):
            break
    else:
        raise SystemExit("no u8 row copies (xeonsr.ir_rows_u8)")
    pad = cat.input(0).get_source_output().get_node().input(0).get_source_output().get_node()
    q = pad.input(0).get_source_output()
    (conv,) = [i.get_node() for i in cat.output(0).get_target_inputs()]
    chain = weight_chain(conv)
    w = chain[-1].get_data()
    oc, k, _, kw = w.shape
    f = -(-kw // g)  # taps past the kernel's last column get zero weight
    r, extra = k // 2, g * f - kw
    padded = ops.pad(q, i64([0, 0, r, r]), i64([0, 0, r, r + extra]), "constant")
    shape = ops.shape_of(q, "i64")
    height = ops.gather(shape, i64([2]), i64(0))
    width = ops.add(ops.gather(shape, i64([3]), i64(0)), i64([f - 1]))
    if how == "eip":  # one op: the k x g patch with columns f apart, on the padded u8 image
        opset3 = opset(3)
        cat2 = opset3.extract_image_patches(padded, [k, g], [1, 1], [1, f], "valid")
    elif how == "twostage":  # k row copies, then g column slices of them (channel c*k + dy)
        rows = ops.concat(
            [ops.slice(padded, i64([dy]), ops.add(i64([dy]), height), i64([1]), i64([2])) for dy in range(k)], 1
        )
        starts = [i64([c * f]) for c in range(g)]
        cat2 = ops.concat([ops.slice(rows, s, ops.add(s, width), i64([1]), i64([3])) for s in starts], 1)
    else:  # k * g slices of the padded image, one Concat
        copies = []
        for dy in range(k):
            rows = ops.slice(padded, i64([dy]), ops.add(i64([dy]), height), i64([1]), i64([2]))
            for c in range(g):
                start = i64([c * f])
                copies.append(ops.slice(rows, start, ops.add(start, width), i64([1]), i64([3])))
        cat2 = ops.concat(copies, 1)
    # weight [oc, k, 1, kw] -> [oc, k*g, 1, f]: channel dy*g + c, tap j = column c*f + j
    w = np.concatenate([w, np.zeros((oc, k, 1, extra), w.dtype)], axis=3)
    w2 = w.reshape(oc, k, 1, g, f).transpose(0, 1, 3, 2, 4)  # [oc, dy, c, 1, f]
    w2 = np.ascontiguousarray((w2.transpose(0, 2, 1, 3, 4) if how == "twostage" else w2).reshape(oc, k * g, 1, f))
    new = conv_on(cat2, same_scales(chain, w2), [0, 0], conv.get_friendly_name())
    conv.output(0).replace(new.output(0))
    m.validate_nodes_and_infer_types()
    return conv.get_friendly_name()


threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[3].split(",")]
name, g = sys.argv[4], int(sys.argv[5])
hows = sys.argv[6].split(",") if len(sys.argv) > 6 else ["slices"]
TOP = int(sys.argv[7]) if len(sys.argv) > 7 else 6  # nodes listed per form
manifest = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
reqs = {}
shipped_blocks = rows_u8.blocks
for form in ["stored", *hows]:
    m = read_ir(f"xeonsr/openvino_models/{manifest[name]['xml']}")
    rows_u8.blocks = shipped_blocks if form == "shipped" else (lambda k, kw: (k, 1))  # else the 9 rows of session 50
    host_forms(m, "avx2")
    if form not in ("stored", "shipped"):
        print(form, "rewrote", blocks(m, g, form))
    reqs[form] = compile_ir(m, threads, profiling=True).create_infer_request()
rng = np.random.default_rng(0)
for w, h in sizes:
    x = rng.random((1, 1, h, w), dtype=np.float32)
    a = reqs["stored"].infer({0: x})[0].copy()
    for f in hows:
        b = reqs[f].infer({0: x})[0]
        print(f"{w}x{h} {f}", "same" if np.array_equal(a, b) else f"DIFFERS by {np.abs(a - b).max():.1e}")
w, h = sizes[0]
x = rng.random((1, 1, h, w), dtype=np.float32)
times = rounds_ms({f: (lambda v, r=r: r.infer({0: v})) for f, r in reqs.items()}, x, rounds)
for f in hows:
    ratios = [s / t for s, t in zip(times["stored"], times[f], strict=True)]
    print(
        f"{name} {w}x{h} stored {statistics.median(times['stored']):.2f} ms, {f} "
        f"{statistics.median(times[f]):.2f} ms: "
        f"{statistics.median(times['stored']) / statistics.median(times[f]):.3f}x "
        f"(rounds {min(ratios):.3f}-{max(ratios):.3f})"
    )
for f, r in reqs.items():
    r.infer({0: x})
    top = sorted(r.profiling_info, key=lambda p: -p.real_time.total_seconds())[:TOP]
    print(f, "; ".join(f"{p.node_name} {p.exec_type} {p.real_time.total_seconds() * 1e3:.2f}" for p in top))
