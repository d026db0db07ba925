"""FSRCNN's bicubic skip (a float 5x5 convolution of the image to s*s phases) in other exact
forms, inside the whole IR, interleaved: the stored form, the rows form (ExtractImagePatches 5x1,
then 1x5 to the phases) and the separable forms (a 5x1 convolution to the s row phases, then a
1x5 to the s*s phases, dense with zeros or grouped).

python benchmarks/probes/separable_skip.py IR.xml WxH THREADS ROUNDS"""

import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.opset13 as ops
from openvino import opset3

from xeonsr.ov import compile_ir


def skip_conv(model):
    for op in model.get_ordered_ops():
        if op.get_type_name() == "Convolution" and "upsample" in op.get_friendly_name():
            return op


def factors(w):
    """w (P,1,k,k) rank one per phase -> vertical (R,k), horizontal (P,k), row phase of each p."""
    vs, hs, which = [], [], []
    for p in range(w.shape[0]):
        m = w[p, 0].astype(np.float64)
        i, j = np.unravel_index(np.abs(m).argmax(), m.shape)
        v, h = m[:, j] / m[i, j], m[i, :].copy()
        assert np.abs(np.outer(v, h) - m).max() < 1e-6
        same = [r for r, u in enumerate(vs) if np.allclose(u, v, atol=1e-7)]
        if not same:
            vs.append(v)
            same = [len(vs) - 1]
        which.append(same[0])
        hs.append(h)
    return np.array(vs, np.float32), np.array(hs, np.float32), which


def rewrite(model, form):
    conv = skip_conv(model)
    w = conv.input(1).get_source_output().get_node().get_data()
    p, _, k, _ = w.shape
    x = conv.input(0).get_source_output()
    if form == "rows":
        rows = opset3.extract_image_patches(x, [k, 1], [1, 1], [1, 1], "valid")
        new = ops.convolution(
            rows, ops.constant(np.ascontiguousarray(w.reshape(p, k, 1, k))), [1, 1], [0, 0], [0, 0], [1, 1]
        )
    else:
        v, h, which = factors(w)
        r = len(v)
        vert = ops.convolution(x, ops.constant(v.reshape(r, 1, k, 1)), [1, 1], [0, 0], [0, 0], [1, 1])
        if form == "sep-dense":
            hw = np.zeros((p, r, 1, k), np.float32)
            for q in range(p):
                hw[q, which[q], 0] = h[q]
            new = ops.convolution(vert, ops.constant(hw), [1, 1], [0, 0], [0, 0], [1, 1])
        else:  # grouped: phases must be grouped by row phase in order
            assert which == sorted(which) and all(which.count(i) == p // r for i in range(r))
            new = ops.group_convolution(
                vert, ops.constant(h.reshape(r, p // r, 1, 1, k)), [1, 1], [0, 0], [0, 0], [1, 1]
            )
    conv.output(0).replace(new.output(0))
    model.validate_nodes_and_infer_types()
    return model


xml, size, threads, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
wd, ht = (int(s) for s in size.split("x"))
x = np.random.default_rng(0).random((1, 1, ht, wd), dtype=np.float32)
core = ov.Core()
forms = ["stored", "rows", "sep-dense", "sep-group"]
reqs, outs = {}, {}
for f in forms:
    m = core.read_model(xml)
    if f != "stored":
        rewrite(m, f)
    reqs[f] = compile_ir(m, threads).create_infer_request()
    outs[f] = reqs[f].infer({0: x})[0].copy()
for f in forms:
    print(f"{f}: maxdiff vs stored {np.abs(outs[f] - outs['stored']).max():.2e}")
res = {f: [] for f in forms}
for _ in range(rounds):
    for f, r in reqs.items():
        r.infer({0: x})
        t = time.perf_counter()
        for _ in range(5):
            r.infer({0: x})
        res[f].append((time.perf_counter() - t) / 5e-3)
for f in forms:
    print(f"{f}: {statistics.median(res[f]):.3f} ms (min {min(res[f]):.3f}, max {max(res[f]):.3f})")
