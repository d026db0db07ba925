"""Session 52 (AMD EPYC Zen 2): an IR's per-node times in this CPU's forms by LR size, sizes
interleaved in rounds, each size compiled static (or all on one dynamic graph): per size the wall
time and the six slowest nodes, each in ns per LR pixel times scale^2 (per output pixel at x3
for SRCNN, whose layers run at the output's size). Found the rows form's width step (SRCNN's 1 x 9
first layer 12-24% slower per pixel at output widths of 3 mod 4).

    python benchmarks/probes/node_times_by_size.py srcnn fp32 6 113x96,114x96,117x96,118x96 [static [rows]]

``rows``: the AVX2 forms without xeonsr.ir_switch (the first layer in rows at every width, as
before session 52); else this CPU's forms as shipped.
"""

import collections
import statistics
import sys
import time

import numpy as np
import openvino as ov

from xeonsr import ir_forms, ir_switch
from xeonsr.info import cpu_info
from xeonsr.irs import locate_ir
from xeonsr.ov import read_ir

model, precision, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[4].split(",")]
static = len(sys.argv) > 5 and sys.argv[5] == "static"
if len(sys.argv) > 6 and sys.argv[6] == "rows":
    ir_forms.HOST_FORMS["avx2"] = tuple(f for f in ir_forms.HOST_FORMS["avx2"] if f is not ir_switch.rows_or_columns)
xml, _ = locate_ir(model, 3, precision)
config = {
    "INFERENCE_NUM_THREADS": 2,
    "PERFORMANCE_HINT": "LATENCY",
    "INFERENCE_PRECISION_HINT": "f32",
    "PERF_COUNT": True,
}
requests = {}
for w, h in sizes:
    graph = read_ir(xml)
    ir_forms.host_forms(graph, cpu_info().forms_class, lr_size=(h, w) if static else None)
    if static:
        graph.reshape([1, 1, h, w])
    if static or not requests:
        compiled = ov.Core().compile_model(graph, "CPU", config)
    requests[(w, h)] = compiled.create_infer_request()
rng = np.random.default_rng(0)
xs = {s: rng.random((1, 1, s[1], s[0]), dtype=np.float32) for s in sizes}
wall = {s: [] for s in sizes}
nodes = {s: collections.defaultdict(list) for s in sizes}
for _ in range(rounds):
    for s in sizes:
        requests[s].infer({0: xs[s]})
        for _ in range(3):
            t0 = time.perf_counter()
            requests[s].infer({0: xs[s]})
            wall[s].append(time.perf_counter() - t0)
            for p in requests[s].profiling_info:
                if p.real_time.total_seconds() > 0:
                    nodes[s][(p.node_name, p.exec_type)].append(p.real_time.total_seconds())
for s in sizes:
    px = s[0] * s[1] * 9
    top = sorted(((statistics.median(v), k) for k, v in nodes[s].items()), reverse=True)[:6]
    cells = "  ".join(f"{k[0].replace('__module.', '').split('/')[0]}:{k[1]} {t / px * 1e9:5.1f}" for t, k in top)
    print(
        f"{s[0]}x{s[1]}: {statistics.median(wall[s]) * 1e3:7.2f} ms {statistics.median(wall[s]) / px * 1e9:6.1f} ns/px | {cells}"
    )
