"""Session 63 (Zen 4): how a call hands an image to an OpenVINO request and takes the output back,
the network the same (each IR in this CPU's forms, on its kernel plan, the dynamic network the
runtime compiles), rounds interleaved:

- ``dict``: ``request.infer({0: x})`` and the first value of what it returns (the runtime's call
  before session 63): the input copied into a tensor of the request's, the output copied out;
- ``shared-in``: the input as a tensor on the caller's array (``shared_memory=True``), ``infer()``,
  then the request's output tensor copied;
- ``own-out``: the same input, and the output written into a fresh array of the caller's.

Per IR and LR size WIDTHxHEIGHT: the median microseconds of each and each against ``dict`` by the
median round (lowest - highest round); the outputs' largest difference.

    python benchmarks/probes/ov_call_paths.py 2 9 16x16,48x48,92x92,160x140,320x240 fsrcnn:3:int8,fsrcnn-s:3:int8,srcnn:3:fp32
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

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
print(cpu_info().model, f"{threads} threads", flush=True)


def paths(compiled, scale):
    r = {k: compiled.create_infer_request() for k in ("dict", "shared-in", "own-out")}

    def as_dict(x):
        return next(iter(r["dict"].infer({0: x}).values()))

    def shared_in(x):
        q = r["shared-in"]
        q.set_input_tensor(ov.Tensor(x, shared_memory=True))
        q.infer()
        return q.get_output_tensor().data.copy()

    def own_out(x):
        q = r["own-out"]
        out = np.empty((x.shape[0], 1, x.shape[2] * scale, x.shape[3] * scale), np.float32)
        q.set_input_tensor(ov.Tensor(x, shared_memory=True))
        q.set_output_tensor(ov.Tensor(out, shared_memory=True))
        q.infer()
        return out

    return {"dict": as_dict, "shared-in": shared_in, "own-out": own_out}


for spec in sys.argv[4].split(","):
    model, scale, prec = spec.split(":")
    xml, entry = locate_ir(model, int(scale), prec)
    plan = plan_for(entry, "f32")
    graph = read_ir(xml)
    host_forms(graph, cpu_info().forms_class, "f32", plan)
    fns = paths(compile_ir(graph, threads, "f32", kernels=plan), int(scale))
    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        outs = {k: np.array(f(x)) for k, f in fns.items()}
        diff = max(float(np.abs(o - outs["dict"]).max()) for o in outs.values())
        n = max(20, int(300 * 2500 / (w * h + 2500)))
        times = {k: [] for k in fns}
        for _ in range(rounds):
            for k, f in fns.items():
                for _ in range(3):
                    f(x)
                ts = []
                for _ in range(n):
                    t0 = time.perf_counter()
                    f(x)
                    ts.append(time.perf_counter() - t0)
                times[k].append(statistics.median(ts))
        cells = []
        for k, v in times.items():
            rat = sorted(a / b for a, b in zip(times["dict"], v, strict=True))
            cells.append(
                f"{k} {1e6 * statistics.median(v):.0f} us ({statistics.median(rat):.3f}x, {rat[0]:.3f}-{rat[-1]:.3f})"
            )
        print(f"{spec} {w}x{h}: " + "; ".join(cells) + f"; diff {diff:.1e}", flush=True)
