"""How much of one inference is outside OpenVINO's nodes: the wall time of a call against the sum
of its per-node counters, on 1 and 2 threads, for the plain call, shared input and output memory,
and a preset input tensor (each compiled in this CPU's forms and kernel plan).

    python benchmarks/probes/call_overhead.py fsrcnn 3 int8 160x140 3
"""

import statistics
import sys
import time

import numpy as np
import openvino as ov

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.irs import locate_ir
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir

model, scale, precision = sys.argv[1], int(sys.argv[2]), sys.argv[3]
w, h = map(int, sys.argv[4].split("x"))
rounds = int(sys.argv[5])
xml, entry = locate_ir(model, scale, precision, None)
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
print(
    f"{cpu_info().model}, {model} x{scale} {precision}, {w}x{h}, {rounds} rounds; ms wall / ms in nodes, and the median call's time outside them"
)
for threads in (1, 2):
    graph = read_ir(xml)
    kernels = plan_for(entry, "f32")
    host_forms(graph, cpu_info().forms_class, "f32", kernels)
    compiled = compile_ir(graph, threads, profiling=True, kernels=kernels)
    plain, preset = compiled.create_infer_request(), compiled.create_infer_request()
    preset.set_input_tensor(ov.Tensor(x, shared_memory=True))
    forms = {
        "plain": (plain, lambda: plain.infer({0: x})),
        "shared": (plain, lambda: plain.infer({0: x}, share_inputs=True, share_outputs=True)),
        "preset": (preset, lambda: preset.infer()),
    }
    results = {k: [] for k in forms}
    for _ in range(rounds):
        for k, (req, call) in forms.items():
            for _ in range(10):
                call()
            walls, nodes = [], []
            for _ in range(30):
                t0 = time.perf_counter()
                call()
                walls.append((time.perf_counter() - t0) * 1e3)
                nodes.append(sum(p.real_time.total_seconds() * 1e3 for p in req.profiling_info))
            # The gap call by call: wall and node medians come from different calls.
            gap = statistics.median(a - b for a, b in zip(walls, nodes, strict=True))
            results[k].append((statistics.median(walls), statistics.median(nodes), gap))
    for k, v in results.items():
        gaps = [g for _, _, g in v]
        line = " ".join(f"{a:.2f}/{b:.2f}" for a, b, _ in v)
        print(f"{threads} thread(s) {k:7s} {line}   outside the nodes {min(gaps):.2f}-{max(gaps):.2f} ms")
