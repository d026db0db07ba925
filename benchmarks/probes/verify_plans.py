import json
import sys

import numpy as np
import openvino as ov

from xeonsr.ov import compile_ir

man = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
sizes = [tuple(map(int, s.split("x")))[::-1] for s in sys.argv[1].split(",")]
for name, e in man.items():
    for key, plan in (e.get("kernels") or {}).items():
        if not plan["layers"]:
            continue
        infer = key.split("/")[1]
        m = ov.Core().read_model("xeonsr/openvino_models/" + e["xml"])
        a = compile_ir(m, 2, infer).create_infer_request()
        b = compile_ir(m, 2, infer, kernels=plan["layers"]).create_infer_request()
        worst = []
        for h, w in sizes:
            x = np.random.default_rng(h * w).random((1, 1, h, w), dtype=np.float32)
            oa = next(iter(a.infer({0: x}).values())).copy()
            ob = next(iter(b.infer({0: x}).values())).copy()
            worst.append(float(np.abs(oa - ob).max()))
        bad = [f"{s[1]}x{s[0]}:{d:.2g}" for s, d in zip(sizes, worst, strict=False) if d > 2e-5]
        print(f"{name:20s} {key:18s} max {max(worst):.2g} {'BAD ' + ' '.join(bad) if bad else 'ok'}", flush=True)
