"""Session 38: the VNNI class's kernel plans (measured on an AMD EPYC Zen 4) on an Intel core held to
AVX-512 VNNI, as on a Cascade Lake or Ice Lake Xeon: run under ``ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI``
on the Xeon with AMX (OpenVINO's oneDNN then picks the kernels such a Xeon gets). Each IR with an
``avx512_vnni/f32`` plan, compiled with the plan and without it (the stored graph: that class takes
no exact forms), timed in interleaved rounds (the ratio of medians and the median of each round's ratio, with its
middle half); the kernels each run names, the largest difference.

    ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI python benchmarks/probes/vnni_plans_on_intel.py 2 15 160x140 [IR,...]
"""

import json
import os
import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.kernels import plan_key
from xeonsr.ov import compile_ir, read_ir

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
w_, h_ = (int(v) for v in (sys.argv[3] if len(sys.argv) > 3 else "160x140").split("x"))
manifest = json.load(open("xeonsr/openvino_models/manifest.json"))["models"]
key = plan_key("avx512_vnni", "f32")
names = (
    sys.argv[4].split(",")
    if len(sys.argv) > 4
    else [k for k, e in manifest.items() if (e.get("kernels") or {}).get(key, {}).get("layers")]
)
print(f"ONEDNN_MAX_CPU_ISA={os.environ.get('ONEDNN_MAX_CPU_ISA', '(unset)')}, {threads} threads, {w_}x{h_} LR")
x = np.random.default_rng(0).random((1, 1, h_, w_), dtype=np.float32)
for name in names:
    entry = manifest[name]
    plan = entry["kernels"][key]["layers"]
    fns, kernels = {}, {}
    for label, k in (("stored", {}), ("plan", plan)):
        compiled = compile_ir(read_ir(f"xeonsr/openvino_models/{entry['xml']}"), threads, kernels=k)
        kinds = {}
        for op in compiled.get_runtime_model().get_ordered_ops():
            rt = op.get_rt_info()
            if rt["layerType"].astype(str) == "Convolution":
                t = rt["primitiveType"].astype(str)
                kinds[t] = kinds.get(t, 0) + 1
        kernels[label] = kinds
        req = compiled.create_infer_request()
        fns[label] = (lambda r: lambda a: r.infer({0: a})[0])(req)
    diff = float(np.abs(fns["plan"](x) - fns["stored"](x)).max())
    times = rounds_ms(fns, x, rounds)
    med = {k: statistics.median(v) for k, v in times.items()}
    paired = sorted(a / b for a, b in zip(times["stored"], times["plan"], strict=True))  # the same round's pair
    q = len(paired) // 4
    print(
        f"{name}: plan {med['plan']:.2f} ms vs stored {med['stored']:.2f} ms -> {med['stored'] / med['plan']:.2f}x, "
        f"per round {statistics.median(paired):.2f}x (middle half {paired[q]:.2f}-{paired[-q - 1]:.2f}) "
        f"(Zen 4: {entry['kernels'][key]['speedup']:.2f}x), diff {diff:.1e}; kernels plan {kernels['plan']}, "
        f"stored {kernels['stored']}"
    )
