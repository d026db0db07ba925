"""Per-layer kernel alternatives for one IR: time of each (layer, kernel) vs the shipped plan."""

import json
import statistics
import sys
import time

import numpy as np

from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir

man = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
name = sys.argv[1]
W, H = map(int, sys.argv[2].split("x"))
trials = sys.argv[3].split(";")
e = man[name]
xml = "xeonsr/openvino_models/" + e["xml"]
base = dict(plan_for(e, "f32") or {})
print("plan", base)
x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)


def req(k):
    c = compile_ir(xml, 2, inference_precision="f32", kernels=k, profiling=True)
    return c.create_infer_request()


reqs = {"plan": req(base)}
for t in trials:
    k = dict(base)
    for kv in t.split(","):
        layer, v = kv.split("=")
        layer = f"__module.{layer}/aten::_convolution/Convolution"
        if v == "default":
            k.pop(layer, None)
        else:
            k[layer] = v
    try:
        reqs[t] = req(k)
    except Exception as ex:
        print(t, "FAILED", str(ex)[:200])
ref = reqs["plan"].infer({0: x})[0].copy()
res = {k: [] for k in reqs}
for _ in range(6):
    for k, r in reqs.items():
        r.infer({0: x})
        t0 = time.perf_counter()
        r.infer({0: x})
        r.infer({0: x})
        res[k].append((time.perf_counter() - t0) / 2e-3)
for k, r in reqs.items():
    out = r.infer({0: x})[0]
    prof = {
        p.node_name: (p.exec_type, p.real_time.total_seconds() * 1e3)
        for p in r.profiling_info
        if p.node_type == "Convolution"
    }
    print(
        f"{k:50s} {statistics.median(res[k]):7.2f} ms d={np.abs(out - ref).max():.1e}",
        " ".join(f"{n.split('/')[0][9:]}:{t}:{ms:.2f}" for n, (t, ms) in prof.items()),
    )
