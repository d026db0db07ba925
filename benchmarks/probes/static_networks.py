"""Session 63 (Zen 4): each IR compiled for one input shape (xeonsr.ov_shapes.for_shape: this
CPU's forms, then its class's static forms, of which the AVX-512 classes have none) against the
dynamic network every IR compiles to, on the IR's kernel plan, rounds interleaved; then what
forming and compiling a shape's network costs. Where a static network is no other form, the
question is whether the calls it speeds up pay for its compile (xeonsr.ov_shapes builds them only
where a static form applies).

    python benchmarks/probes/static_networks.py 2 7 16x16,48x48,92x92,160x140 fsrcnn:3:int8,fsrcnn-s:3:int8,fsrcnn:3:fp32,srcnn:3:int8,dcscn:3:int8
"""

import statistics
import sys
import time

import numpy as np

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.irs import locate_ir
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir
from xeonsr.ov_shapes import for_shape

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
cls = cpu_info().forms_class
print(cpu_info().model, f"{threads} threads, forms class {cls}", flush=True)
for spec in sys.argv[4].split(","):
    model, scale, prec = spec.split(":")
    xml, entry = locate_ir(model, int(scale), prec)
    plan = plan_for(entry, "f32")
    src = read_ir(xml)
    g = src.clone()
    host_forms(g, cls, "f32", plan)
    dyn = compile_ir(g, threads, "f32", kernels=plan).create_infer_request()
    for w, h in sizes:
        shape = (1, 1, h, w)
        t0 = time.perf_counter()
        sg, _ = for_shape(src, shape, cls, "f32", plan)
        st = compile_ir(sg, threads, "f32", kernels=plan).create_infer_request()
        build_ms = (time.perf_counter() - t0) * 1e3
        x = np.random.default_rng(0).random(shape, dtype=np.float32)
        a = next(iter(dyn.infer({0: x}).values())).copy()
        b = next(iter(st.infer({0: x}).values())).copy()
        n = max(10, int(2000 / (w * h / 1000 + 1)))
        t = {"dyn": [], "static": []}
        for _ in range(rounds):
            for k, r in (("dyn", dyn), ("static", st)):
                for _ in range(3):
                    r.infer({0: x})
                ts = []
                for _ in range(n):
                    t1 = time.perf_counter()
                    r.infer({0: x})
                    ts.append(time.perf_counter() - t1)
                t[k].append(statistics.median(ts))
        rat = sorted(p / q for p, q in zip(t["dyn"], t["static"], strict=True))
        saved = statistics.median(t["dyn"]) - statistics.median(t["static"])
        calls = f"{build_ms / (saved * 1e3):.0f} calls to pay for it" if saved > 0 else "never paid for"
        print(
            f"{spec} {w}x{h}: dynamic {1e3 * statistics.median(t['dyn']):.3f} ms, static "
            f"{1e3 * statistics.median(t['static']):.3f}; dynamic/static {statistics.median(rat):.3f} "
            f"({rat[0]:.3f}-{rat[-1]:.3f}); formed and compiled in {build_ms:.0f} ms, {calls}; diff {np.abs(a - b).max():.1e}",
            flush=True,
        )
