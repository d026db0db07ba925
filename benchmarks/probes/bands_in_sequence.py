"""One image as row bands run one after another on all threads (cache-sized activations)."""

import json
import statistics
import sys
import time

import numpy as np

from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir

man = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
W, H = map(int, sys.argv[1].split("x"))
names = sys.argv[2].split(",")
bands_list = [int(b) for b in sys.argv[3].split(",")]
x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
for name in names:
    e = man[name]
    xml = "xeonsr/openvino_models/" + e["xml"]
    s = e["scale"]
    r = e["receptive_radius"] + int(sys.argv[5] if len(sys.argv) > 5 else 4)
    c = compile_ir(xml, 2, inference_precision="f32", kernels=plan_for(e, "f32"))
    req = c.create_infer_request()

    def whole():
        return next(iter(req.infer({0: x}).values())).copy()

    def make(nb):
        edges = [round(i * H / nb) for i in range(nb + 1)]
        out = np.empty((1, 1, H * s, W * s), np.float32)

        def f():
            for k0, k1 in zip(edges[:-1], edges[1:], strict=False):
                a, b = max(0, k0 - r), min(H, k1 + r)
                o = next(iter(req.infer({0: np.ascontiguousarray(x[:, :, a:b])}).values()))
                out[:, :, k0 * s : k1 * s] = o[:, :, (k0 - a) * s : (k1 - a) * s]
            return out

        return f

    fns = {"whole": whole, **{f"bands{nb}": make(nb) for nb in bands_list}}
    ref = whole()
    diffs = {k: float(np.abs(f() - ref).max()) for k, f in fns.items()}
    res = {k: [] for k in fns}
    for _rnd in range(int(sys.argv[4]) if len(sys.argv) > 4 else 8):
        for k, f in fns.items():
            f()
            t = time.perf_counter()
            f()
            f()
            res[k].append((time.perf_counter() - t) / 2 * 1e3)
    base = statistics.median(res["whole"])
    print(
        name,
        f"{W}x{H}",
        "r",
        r,
        " ".join(
            f"{k}:{statistics.median(v):.2f}ms({base / statistics.median(v):.2f}x,d={diffs[k]:.1e})"
            for k, v in res.items()
        ),
    )
