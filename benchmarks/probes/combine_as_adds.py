"""Session 50 (AMD EPYC Zen 2): SRCNN's last layer is a row pair in the AVX2 forms (a 1 x 5
convolution to 5 row channels padded to 8, then an f x 1 'combine' convolution with one-hot
weights adding the rows back, one output channel: ~5 GMAC/s in `xeonsr profile`). Here the combine
as a zero Pad of f//2 rows, one Slice per row channel at its row offset, and a chain of Adds (the
same sum in another order). Each IR in this CPU's forms (xeonsr.ir_forms.host_forms) with and
without; interleaved rounds, median ms, the speed-up, the largest output difference, node times of
the combine's ops.

    python benchmarks/probes/combine_as_adds.py 2 10 160x140,240x192 srcnn_x3_fp32,srcnn_x3_int8_avx2
"""

import json
import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.openvino_releases import opset
from xeonsr.ov import compile_ir, read_ir

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[3].split(",")]
manifest = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
ops = opset(13)


def i64(v):
    return ops.constant(np.array(v, np.int64))


def adds(m) -> list[str]:
    done = []
    for conv in list(m.get_ordered_ops()):
        if conv.get_type_name() != "Convolution" or "combine" not in conv.get_friendly_name():
            continue
        w = conv.input_value(1).get_node()
        if w.get_type_name() != "Constant":
            continue
        w = w.get_data()
        n, c, f, one = w.shape
        if n != 1 or one != 1 or np.count_nonzero(w) > c:
            continue
        rows = conv.input_value(0)
        r = f // 2
        padded = ops.pad(rows, i64([0, 0, r, 0]), i64([0, 0, r, 0]), "constant")
        height = ops.gather(ops.shape_of(rows, "i64"), i64([2]), i64(0))
        total = None
        for ch, tap in zip(*np.nonzero(w[0, :, :, 0]), strict=True):
            part = ops.slice(padded, i64([int(ch), int(tap)]), ops.concat([i64([ch + 1]), ops.add(i64([tap]), height)], 0),
                             i64([1, 1]), i64([1, 2]))  # fmt: skip
            if w[0, ch, tap, 0] != 1:
                part = ops.multiply(part, ops.constant(np.float32(w[0, ch, tap, 0])))
            total = part if total is None else ops.add(total, part)
        total.set_friendly_name(conv.get_friendly_name())
        conv.output(0).replace(total.output(0))
        done.append(conv.get_friendly_name())
    m.validate_nodes_and_infer_types()
    return done


forms = cpu_info().forms_class
for name in sys.argv[4].split(","):
    reqs = {}
    for form in ("forms", "adds"):
        m = read_ir(f"xeonsr/openvino_models/{manifest[name]['xml']}")
        host_forms(m, forms)
        if form == "adds" and not adds(m):
            print(f"{name}: no one-output combine")
            break
        reqs[form] = compile_ir(m, threads, profiling=True).create_infer_request()
    if len(reqs) < 2:
        continue
    for w_, h_ in sizes:
        x = np.random.default_rng(0).random((1, 1, h_, w_), dtype=np.float32)
        diff = float(np.abs(reqs["forms"].infer({0: x})[0] - reqs["adds"].infer({0: x})[0]).max())
        t = rounds_ms({k: (lambda v, r=r: r.infer({0: v})) for k, r in reqs.items()}, x, rounds)
        ratio = [a / b for a, b in zip(t["forms"], t["adds"], strict=True)]
        tail = {}
        for k, r in reqs.items():
            tail[k] = sum(
                p.real_time.total_seconds() * 1e3
                for p in r.profiling_info
                if "combine" in p.node_name or p.node_type in ("Pad", "Slice", "Add", "Eltwise", "Subgraph")
            )
        print(
            f"{name} {w_}x{h_}: forms {statistics.median(t['forms']):.2f} ms, adds {statistics.median(t['adds']):.2f} ms, "
            f"{statistics.median(t['forms']) / statistics.median(t['adds']):.3f}x (rounds {min(ratio):.3f}-{max(ratio):.3f}); "
            f"combine's ops {tail['forms']:.2f} -> {tail['adds']:.2f} ms; max difference {diff:.1e}"
        )
