"""Session 34 (Intel Xeon with AMX): SRCNN x3's FP32 IR in exact graph forms that were probed for
its lead over ONNX Runtime and not shipped, beside the stored graph and the shipped row pair of
its last layer as a row pair (xeonsr.ir_forms.row_pairs, 5 channels unpadded). Each form is the same function (float
summation order aside); interleaved rounds re-warmed for 25 ms after a 30 ms pause, median ms,
speed-up over the stored graph, largest output difference, and each form's heaviest nodes.

    python benchmarks/probes/srcnn_fp32_graph_forms.py 2 10 160x140 rowpair,dw,split1,split2,bands8,bands16

Forms: ``rowpair`` the last layer as its 5-channel row pair; ``dw`` the last layer as a depthwise
5x5 plus a 1x1 channel sum (``dwform``: the same by xeonsr.ir_forms.last_layer_depthwise; ``gN``: a grouped 5x5 to N outputs, each summing 32/N channels, then
the 1x1 sum); ``split1`` / ``split2`` the 9x9 / 1x1 layer as two convolutions of
half the outputs each and a channel Concat; ``bandsN`` the row pair, with the first two layers
and the row convolution run on N row bands of the image (each band's 9x9 input slice carries its
4-row halo, so nothing is computed twice) joined by a Concat of the 5-channel rows. Session 50
(AMD EPYC Zen 2): ``avx2`` this CPU class's forms (xeonsr.ir_forms.host_forms), ``rows1`` the
first layer in rows and the row pair, ``rbandsN`` that on N bands of the rows form's copies (they
carry the 9x9's vertical halo, so the bands slice them without overlap).

    python benchmarks/probes/srcnn_fp32_graph_forms.py 2 10 160x140 avx2,rows1,rbands2,rbands4,rbands8
"""

import statistics
import sys
import time

import numpy as np
import openvino.opset13 as ops

from xeonsr.ir_forms import first_layer_rows, host_forms, last_layer_depthwise, row_pairs
from xeonsr.ov import compile_ir, read_ir

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
W, H = (int(v) for v in sys.argv[3].split("x"))
forms = sys.argv[4].split(",")
XML = "xeonsr/openvino_models/srcnn_x3_fp32.xml"


def node(m, layer, kind="Convolution"):
    name = f"__module.{layer}/aten::_convolution/{kind}"
    return next(o for o in m.get_ordered_ops() if o.get_friendly_name() == name)


def data(op, port=1):
    return op.input_value(port).get_node().get_data()


def i64(v):
    return ops.constant(np.array(v, dtype=np.int64))


def after_relu(add):
    return next(iter(add.output(0).get_target_inputs())).get_node()


def split(m, layer):
    conv, add = node(m, layer), node(m, layer, "Add")
    w, b, relu = data(conv), data(add), after_relu(add)
    half = w.shape[0] // 2
    parts = []
    for s in (slice(0, half), slice(half, None)):
        c = ops.convolution(
            conv.input_value(0), ops.constant(np.ascontiguousarray(w[s])), [1, 1],
            conv.get_pads_begin(), conv.get_pads_end(), [1, 1],
        )  # fmt: skip
        parts.append(ops.relu(ops.add(c, ops.constant(np.ascontiguousarray(b[:, s])))))
    relu.output(0).replace(ops.concat(parts, 1).output(0))


def grouped(m, groups):
    """The last layer as a grouped 5x5 convolution (``groups`` outputs, each summing its group's
    channels; one group per channel is the depthwise form) plus a 1x1 sum of the groups."""
    cols, combine = node(m, "conv3.columns"), node(m, "conv3.combine")
    w3 = data(cols)[:, :, :, 0].transpose(1, 2, 0)  # columns (dx, c, dy, 1) -> (c, dy, dx)
    c, f = w3.shape[0], w3.shape[-1]
    wg = np.ascontiguousarray(w3.reshape(groups, 1, c // groups, f, f))
    g = ops.group_convolution(cols.input_value(0), ops.constant(wg), [1, 1], [2, 2], [2, 2], [1, 1])
    total = ops.convolution(g, ops.constant(np.ones((1, groups, 1, 1), np.float32)), [1, 1], [0, 0], [0, 0], [1, 1])
    combine.output(0).replace(total.output(0))


def bands(m, k):
    assert row_pairs(m, lanes=1, outputs=1)
    c1, a1, c2, a2 = node(m, "conv1"), node(m, "conv1", "Add"), node(m, "conv2"), node(m, "conv2", "Add")
    rows = next(iter(after_relu(a2).output(0).get_target_inputs())).get_node()  # the row pair's 1 x 5
    w1, b1, w2, b2, wr = data(c1), data(a1), data(c2), data(a2), data(rows)
    hr, p = c1.input_value(0), w1.shape[-1] // 2
    padded = ops.pad(hr, i64([0, 0, p, 0]), i64([0, 0, p, 0]), "constant", ops.constant(np.float32(0)))
    h = ops.gather(ops.shape_of(hr), i64([2]), i64(0))
    parts = []
    for band in range(k):
        start = ops.divide(ops.multiply(h, i64([band])), i64([k]))
        stop = ops.divide(ops.multiply(h, i64([band + 1])), i64([k]))
        y = ops.slice(padded, start, ops.add(stop, i64([2 * p])), i64([1]), i64([2]))
        y = ops.relu(ops.add(ops.convolution(y, ops.constant(w1), [1, 1], [0, p], [0, p], [1, 1]), ops.constant(b1)))
        y = ops.relu(ops.add(ops.convolution(y, ops.constant(w2), [1, 1], [0, 0], [0, 0], [1, 1]), ops.constant(b2)))
        pad_w = rows.get_pads_begin()[1]
        parts.append(ops.convolution(y, ops.constant(wr), [1, 1], [0, pad_w], [0, pad_w], [1, 1]))
    rows.output(0).replace(ops.concat(parts, 2).output(0))


def row_bands(m, k):
    """bandsN on the shipped AVX2 forms: the first layer in rows (xeonsr.ir_forms.first_layer_rows)
    and the last as its row pair; the bands slice the 9 row copies, which carry the 9x9's vertical
    halo already, so a band needs no rows of its neighbours."""
    assert first_layer_rows(m) and row_pairs(m, lanes=1, outputs=1)
    c1, a1, c2, a2 = node(m, "conv1"), node(m, "conv1", "Add"), node(m, "conv2"), node(m, "conv2", "Add")
    rows = next(iter(after_relu(a2).output(0).get_target_inputs())).get_node()
    w1, b1, w2, b2, wr = data(c1), data(a1), data(c2), data(a2), data(rows)
    copies, p = c1.input_value(0), w1.shape[-1] // 2
    h = ops.gather(ops.shape_of(copies), i64([2]), i64(0))
    parts = []
    for band in range(k):
        start = ops.divide(ops.multiply(h, i64([band])), i64([k]))
        stop = ops.divide(ops.multiply(h, i64([band + 1])), i64([k]))
        y = ops.slice(copies, start, stop, i64([1]), i64([2]))
        y = ops.relu(ops.add(ops.convolution(y, ops.constant(w1), [1, 1], [0, p], [0, p], [1, 1]), ops.constant(b1)))
        y = ops.relu(ops.add(ops.convolution(y, ops.constant(w2), [1, 1], [0, 0], [0, 0], [1, 1]), ops.constant(b2)))
        pad_w = rows.get_pads_begin()[1]
        parts.append(ops.convolution(y, ops.constant(wr), [1, 1], [0, pad_w], [0, pad_w], [1, 1]))
    rows.output(0).replace(ops.concat(parts, 2).output(0))


def build(form):
    m = read_ir(XML)
    if form == "rowpair":
        assert row_pairs(m, lanes=1, outputs=1)
    elif form == "dw":
        grouped(m, 32)
    elif form == "dwform":
        assert last_layer_depthwise(m)
    elif form.startswith("g") and form[1:].isdigit():
        grouped(m, int(form[1:]))
    elif form in ("split1", "split2"):
        split(m, "conv" + form[-1])
    elif form == "avx2":
        assert host_forms(m, "avx2")
    elif form == "rows1":
        assert first_layer_rows(m) and row_pairs(m, lanes=1, outputs=1)
    elif form.startswith("rbands"):
        row_bands(m, int(form[6:]))
    elif form.startswith("bands"):
        bands(m, int(form[5:]))
    elif form != "stored":
        raise SystemExit(f"unknown form {form!r}")
    m.validate_nodes_and_infer_types()
    return compile_ir(m, threads, profiling=True).create_infer_request()


x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
reqs = {f: build(f) for f in ["stored", *forms]}
ref = reqs["stored"].infer({0: x})[0].copy()
times = {f: [] for f in reqs}
for _ in range(rounds):
    for f, r in reqs.items():
        time.sleep(0.03)
        t_end = time.perf_counter() + 0.025
        while time.perf_counter() < t_end:
            r.infer({0: x})
        t0 = time.perf_counter()
        for _ in range(3):
            r.infer({0: x})
        times[f].append((time.perf_counter() - t0) / 3e-3)
base = statistics.median(times["stored"])
for f, r in reqs.items():
    med = statistics.median(times[f])
    diff = float(np.abs(r.infer({0: x})[0] - ref).max())
    by_kind = {}
    for p in r.profiling_info:
        key = f"{p.node_type} {p.exec_type}"
        by_kind[key] = by_kind.get(key, 0.0) + p.real_time.total_seconds() * 1e3
    heavy = sorted(((ms, k) for k, ms in by_kind.items()), reverse=True)[:4]
    print(
        f"{f:9s} {med:7.2f} ms {base / med:6.3f}x maxdiff {diff:.1e} | " + "; ".join(f"{k} {ms:.2f}" for ms, k in heavy)
    )
