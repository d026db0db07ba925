import json
import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.properties as props
import openvino.properties.hint as hints

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms

man = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
W, H = map(int, sys.argv[1].split("x"))
names = sys.argv[2].split(",")
prec = sys.argv[3] if len(sys.argv) > 3 else "f32"
core = ov.Core()


def comp(xml, threads, streams):
    cfg = {
        hints.performance_mode: hints.PerformanceMode.THROUGHPUT if streams > 1 else hints.PerformanceMode.LATENCY,
        hints.inference_precision: ov.Type.f32 if prec == "f32" else ov.Type.bf16,
        props.inference_num_threads: threads,
    }
    if streams > 1:
        cfg[props.num_streams] = streams
    model = core.read_model(xml)
    host_forms(model, cpu_info().isa_class, prec)  # the forms the runtime compiles on this CPU (session 21)
    return core.compile_model(model, "CPU", cfg)


x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
for name in names:
    e = man[name]
    xml = "xeonsr/openvino_models/" + e["xml"]
    s = e["scale"]
    r = e["receptive_radius"] + 4
    req = comp(xml, 2, 1).create_infer_request()
    cs = comp(xml, 2, 2)
    reqs = [cs.create_infer_request() for _ in range(2)]

    def whole():
        return next(iter(req.infer({0: x}).values())).copy()

    def bands():
        half = H // 2
        parts = [(0, min(H, half + r)), (max(0, half - r), H)]
        keep = [(0, half), (half, H)]
        for rq, (a, b) in zip(reqs, parts, strict=False):
            rq.start_async({0: np.ascontiguousarray(x[:, :, a:b])})
        out = np.empty((1, 1, H * s, W * s), np.float32)
        for rq, (a, _b), (k0, k1) in zip(reqs, parts, keep, strict=False):
            rq.wait()
            o = rq.get_output_tensor().data
            out[:, :, k0 * s : k1 * s] = o[:, :, (k0 - a) * s : (k1 - a) * s]
        return out

    d = float(np.abs(whole() - bands()).max())
    fns = {"whole": whole, "bands": bands}
    res = {k: [] for k in fns}
    n = 20 if "srcnn" not in name and "dcscn" not in name else 4
    for f in fns.values():
        for _ in range(3):
            f()
    for _rnd in range(5):
        for k, f in fns.items():
            t = []
            for _ in range(n):
                t0 = time.perf_counter()
                f()
                t.append((time.perf_counter() - t0) * 1e3)
            res[k].append(statistics.median(t))
    rat = [a / b for a, b in zip(res["whole"], res["bands"], strict=False)]
    print(
        f"{name:18s} {prec} r={r} maxdiff {d:.2g} whole {statistics.median(res['whole']):.2f} ms bands {statistics.median(res['bands']):.2f} ms  whole/bands {min(rat):.2f}-{max(rat):.2f}",
        flush=True,
    )
