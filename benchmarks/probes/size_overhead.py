"""Session 40 (AVX2 Zen 3): where a model's time goes with image size. In the session-40 Set14 x3
runs SRCNN's FP32 IR ran 1.01-1.27x ONNX Runtime on the images of 170x170 LR and more but 0.86-0.95x
on coastguard and foreman (96x117). Each backend (xeonsr.runtime.load_runner, as the bench loads it) and OpenVINO
compiled for each static shape are timed in interleaved rounds at each LR size; per size the
median ms and each row against ONNX Runtime, then a least-squares line ms = a + b * Mpixel of
output per backend (a: the cost a call pays whatever its size).

    python benchmarks/probes/size_overhead.py srcnn 3 2 10 92x92,96x117,120x166,170x170,218x176 [static]
"""

import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.irs import locate_ir
from xeonsr.ov import compile_ir, read_ir
from xeonsr.runtime import load_runner

model, scale, threads, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[5].split(",")]
static = len(sys.argv) > 6 and sys.argv[6] == "static"
fns = {b: load_runner(model, scale, b, threads=threads).run for b in ("ov-fp32", "ort")}
xml, _ = locate_ir(model, scale, "fp32")  # static: no kernel plan (none on AVX2, where this ran)
rng = np.random.default_rng(0)
per_size = {}
for w, h in sizes:
    x = rng.random((1, 1, h, w), dtype=np.float32)
    here = dict(fns)
    if static:
        graph = read_ir(xml)
        host_forms(graph, cpu_info().forms_class)
        graph.reshape([1, 1, h, w])
        req = compile_ir(graph, threads).create_infer_request()
        here["ov-fp32 static"] = lambda v, req=req: req.infer({0: v})[0]
    ref = here["ort"](x)
    diff = max(float(np.abs(f(x) - ref).max()) for f in here.values())
    times = rounds_ms(here, x, rounds)
    med = {k: statistics.median(v) for k, v in times.items()}
    per_size[(w, h)] = med
    cells = "  ".join(f"{k} {m:6.2f} ms ({med['ort'] / m:4.2f}x ort)" for k, m in med.items())
    print(f"{w}x{h}: {cells}  maxdiff vs ort {diff:.1e}", flush=True)
mpix = np.array([w * h * scale * scale / 1e6 for w, h in sizes])
for k in next(iter(per_size.values())):
    ms = np.array([per_size[s][k] for s in sizes])
    b, a = np.polyfit(mpix, ms, 1)
    print(f"{k:16s} ms = {a:5.2f} + {b:6.2f} * output Mpixel")
