"""Session 33 (Intel Xeon with AMX, 2 threads): what xeonsr.kernels.AVOID's column-layer rule
costs, interleaved at 160x140, against the 1x1 (crash) rule alone. Two runs: FSRCNN x3 INT8
0.96-0.98x, SRCNN x3 INT8 0.91-0.92x, FSRCNN-s x3 INT8 0.97-1.01x, FSRCNN x2 INT8 0.91-0.93x
(benchmarks/results/amx_column_rule_cost_intel_xeon_amx_2c_s33.txt).

    python benchmarks/probes/amx_column_rule_cost.py
"""

import time

import numpy as np

import xeonsr.kernels as K
from xeonsr.ov import compile_ir

both = dict(K.AVOID)
x = np.random.default_rng(0).random((1, 1, 140, 160), dtype=np.float32)
for name in ["fsrcnn_x3_int8", "srcnn_x3_int8", "fsrcnn-s_x3_int8", "fsrcnn_x2_int8"]:
    xml = f"xeonsr/openvino_models/{name}.xml"
    K.AVOID = {"jit_avx512_amx_1x1_I8": both["jit_avx512_amx_1x1_I8"]}
    a = compile_ir(xml, 2).create_infer_request()
    K.AVOID = both
    b = compile_ir(xml, 2).create_infer_request()
    ts = {0: [], 1: []}
    for _ in range(8):
        for i, r in ((0, a), (1, b)):
            for _ in range(3):
                r.infer({0: x})
            t = time.perf_counter()
            for _ in range(8):
                r.infer({0: x})
            ts[i].append((time.perf_counter() - t) / 8 * 1e3)
    m0, m1 = np.median(ts[0]), np.median(ts[1])
    print(name, f"1x1 rule only {m0:.3f} ms, both rules {m1:.3f} ms ({m0 / m1:.2f}x)", flush=True)
