import statistics
import sys
import time

import numpy as np

from xeonsr.ov import compile_ir

x = np.random.default_rng(0).random((1, 1, 140, 160), dtype=np.float32)
reqs = {p: compile_ir(p, 2).create_infer_request() for p in sys.argv[1:]}
res = {p: [] for p in reqs}
for _ in range(20):
    for p, r in reqs.items():
        r.infer({0: x})
        t = time.perf_counter()
        for _ in range(5):
            r.infer({0: x})
        res[p].append((time.perf_counter() - t) / 5e-3)
for p in reqs:
    print(f"{statistics.median(res[p]):.3f} ms  {p}")
