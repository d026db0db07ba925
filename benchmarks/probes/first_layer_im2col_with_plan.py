import json
import statistics
import sys
import time

import numpy as np
import openvino as ov

sys.path.insert(0, "benchmarks/probes")
from first_layer_im2col import rewrite

from xeonsr.kernels import plan_for, with_kernels
from xeonsr.ov import compile_ir

name = sys.argv[1]
W, H = map(int, sys.argv[2].split("x"))
e = json.load(open("xeonsr/openvino_models/manifest.json"))["models"][name]
plan = plan_for(e, "f32") or {}
xml = "xeonsr/openvino_models/" + e["xml"]
core = ov.Core()
orig = with_kernels(core.read_model(xml), plan)
rw = with_kernels(rewrite(core.read_model(xml), "full"), plan)
first = [op.get_friendly_name() for op in rw.get_ordered_ops() if op.get_type_name() == "Convolution"]
reqs = {"plan": compile_ir(orig, 2).create_infer_request(), "im2col+plan": compile_ir(rw, 2).create_infer_request()}
for k2 in ("brgconv_avx512_1x1", "jit_avx512_1x1"):
    p2 = dict(plan)
    fl = [n for n in first if "body.0" in n or "features.0.0" in n][0]
    p2[fl] = k2 if "1x1" in k2 else k2
    try:
        reqs["im2col+" + k2] = compile_ir(
            with_kernels(rewrite(core.read_model(xml), "full"), p2), 2
        ).create_infer_request()
    except Exception as ex:
        print(k2, ex)
x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
outs = {k: next(iter(r.infer({0: x}).values())).copy() for k, r in reqs.items()}
for k in outs:
    print(k, "diff", float(np.abs(outs[k] - outs["plan"]).max()))
res = {k: [] for k in reqs}
for _rnd in range(9):
    for k, r in reqs.items():
        time.sleep(0.03)
        r.infer({0: x})
        t = []
        for _ in range(20):
            t0 = time.perf_counter()
            r.infer({0: x})
            t.append(time.perf_counter() - t0)
        res[k].append(statistics.median(t) * 1e3)
for k, v in res.items():
    rat = sorted(a / b for a, b in zip(res["plan"], v, strict=False))
    print(f"{k:26s} {statistics.median(v):.3f} ms  plan/this {statistics.median(rat):.3f} ({rat[0]:.2f}-{rat[-1]:.2f})")
