import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.properties as props
import openvino.properties.hint as hints

xml = sys.argv[1]
W, H = map(int, sys.argv[2].split("x"))
th = int(sys.argv[3])
core = ov.Core()
cfg = {
    hints.performance_mode: hints.PerformanceMode.LATENCY,
    hints.inference_precision: ov.Type.f32,
    props.inference_num_threads: th,
}
x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
md = core.read_model(xml)
ms = core.read_model(xml)
ms.reshape([1, 1, H, W])
reqs = {
    "dynamic": core.compile_model(md, "CPU", cfg).create_infer_request(),
    "static": core.compile_model(ms, "CPU", cfg).create_infer_request(),
}
outs = {k: next(iter(r.infer({0: x}).values())).copy() for k, r in reqs.items()}
print("maxdiff", float(np.abs(outs["dynamic"] - outs["static"]).max()))
res = {k: [] for k in reqs}
for _rnd in range(5):
    for k, r in reqs.items():
        for _ in range(3):
            r.infer({0: x})
        t = []
        for _ in range(20):
            t0 = time.perf_counter()
            r.infer({0: x})
            t.append((time.perf_counter() - t0) * 1e3)
        res[k].append(statistics.median(t))
for k, v in res.items():
    print(f"{k:8s} median {statistics.median(v):.3f} range {min(v):.3f}-{max(v):.3f}")
