"""Session 52 (AMD EPYC Zen 2): an FP32 IR with its 9x9 first layer in rows only (the AVX2 forms
before xeonsr.ir_switch), always in columns, and as shipped (an If on the image width: columns
where it is 3 mod 4), beside ONNX Runtime on the same deploy-form graph. Paired rounds in a fresh
random order each, each variant after xeonsr bench's pause and re-warm, its fastest of 3 calls per round; per LR size the median ms and,
per variant, the median and quartiles of the round-by-round speed against the rows form.

    python benchmarks/probes/rows_or_columns.py 2 20 117x96,118x96,169x160,170x170 [srcnn 3]
"""

import random
import statistics
import sys
import time

import numpy as np

from xeonsr import ir_forms, ir_switch
from xeonsr.bench import SETTLE_S, WARM_S
from xeonsr.irs import locate_ir
from xeonsr.ov import compile_ir, read_ir
from xeonsr.runtime import load_runner

threads, rounds, sizes = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
model, scale = (sys.argv[4], int(sys.argv[5])) if len(sys.argv) > 5 else ("srcnn", 3)
xml, _ = locate_ir(model, scale, "fp32")
shipped = ir_forms.HOST_FORMS["avx2"]


def compiled(kind):
    """The IR in the AVX2 forms: as shipped, or without the switch, its first layer in rows or
    in columns at every width."""
    graph = read_ir(xml)
    if kind != "shipped":
        ir_forms.HOST_FORMS["avx2"] = tuple(f for f in shipped if f is not ir_switch.rows_or_columns)
    try:
        ir_forms.host_forms(graph, "avx2")
    finally:
        ir_forms.HOST_FORMS["avx2"] = shipped
    if kind == "columns":
        _, conv, copies = ir_switch._rows_layer(graph, None)
        ir_switch._to_columns(conv, copies)
        graph.validate_nodes_and_infer_types()
    return compile_ir(graph, threads)


fns = {k: compiled(k) for k in ("rows", "columns", "shipped")}
fns = {k: (lambda c: lambda x: c(x)[0])(c) for k, c in fns.items()}
fns["ort"] = load_runner(model, scale, "ort", threads=threads).run
for size in sizes.split(","):
    w, h = (int(v) for v in size.split("x"))
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    ref = fns["rows"](x).copy()
    diff = {k: float(np.abs(f(x) - ref).max()) for k, f in fns.items()}
    times = {k: [] for k in fns}
    order = list(fns)
    for _ in range(rounds):
        random.shuffle(order)
        for k in order:
            time.sleep(SETTLE_S)  # the previous runtime's threads stop spinning, as in xeonsr bench
            t_end = time.perf_counter() + WARM_S
            while time.perf_counter() < t_end:
                fns[k](x)
            calls = []
            for _ in range(3):
                t0 = time.perf_counter()
                fns[k](x)
                calls.append((time.perf_counter() - t0) * 1e3)
            times[k].append(min(calls))  # a neighbour only ever adds time
    cells = []
    for k in fns:
        r = sorted(a / b for a, b in zip(times["rows"], times[k], strict=True))
        q = [r[int(p * (len(r) - 1))] for p in (0.25, 0.5, 0.75)]
        cells.append(f"{k} {statistics.median(times[k]):6.2f} ms {q[1]:.3f}x [{q[0]:.3f}-{q[2]:.3f}] d{diff[k]:.0e}")
    print(f"{size} (HR width {w * scale} = {w * scale % 4} mod 4): " + "  ".join(cells), flush=True)
