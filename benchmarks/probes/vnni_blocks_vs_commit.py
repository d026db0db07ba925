"""Session 61 (AMD EPYC Zen 4): each INT8 IR as the runtime runs it now (`load_runner`: this CPU's
kernel plan and host forms, the VNNI class's int8_first_layer_blocks among them) against the same
IR compiled with COMMIT's kernel plan (`git show COMMIT:xeonsr/openvino_models/manifest.json`) and
this class's forms without int8_first_layer_blocks: what the form and the plans re-tuned for it
changed. Interleaved rounds per LR size WIDTHxHEIGHT; median ms, the speed-up by the median round
and its range, the largest output difference.

    python benchmarks/probes/vnni_blocks_vs_commit.py 10 160x140,92x92,240x192,170x170 fsrcnn:3,fsrcnn:4,fsrcnn-s:4,dcscn:3 cdc2f63

Session 61, 2 threads (`xeonsr info`'s handoff 59-60 GB/s before and after: the vCPUs together), the
plans as re-tuned (FSRCNN x3's bicubic skip on the plugin's kernel, as tune's head-to-head against
the recorded plan kept it): FSRCNN x3 INT8 1.091x / 1.076x / 1.096x
/ 1.108x at 160x140 / 92x92 / 240x192 / 170x170 by the median round, x4 1.102x / 1.077x / 1.079x /
1.100x, FSRCNN-s x4 1.038x / 1.023x / 1.029x / 1.048x, every output the same to the bit. DCSCN x3
and x2 (`... dcscn:3,dcscn:2 cdc2f63`, two runs) 0.970-1.019x: level, its first layer 0.62 -> 0.44 ms.
"""

import json
import statistics
import subprocess
import sys

import numpy as np
from _rounds import rounds_ms

import xeonsr.ir_forms as forms
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir
from xeonsr.runtime import load_runner

rounds = int(sys.argv[1])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[2].split(",")]
specs, commit = sys.argv[3].split(","), sys.argv[4]
show = ["git", "show", f"{commit}:xeonsr/openvino_models/manifest.json"]
before = json.loads(subprocess.run(show, capture_output=True, text=True, check=True).stdout)["models"]
for spec in specs:
    model, scale = spec.split(":")
    now = load_runner(model, int(scale), "ov-int8", threads=2)
    entry = before[f"{model}_x{scale}_int8"]
    plan = plan_for(entry, "f32")
    graph = read_ir(f"xeonsr/openvino_models/{entry['xml']}")
    keep = forms.HOST_FORMS["avx512_vnni"]
    forms.HOST_FORMS["avx512_vnni"] = tuple(f for f in keep if f is not forms.int8_first_layer_blocks)
    forms.host_forms(graph, "avx512_vnni", "f32", plan)
    forms.HOST_FORMS["avx512_vnni"] = keep
    req = compile_ir(graph, 2, kernels=plan).create_infer_request()

    def then(x, req=req):
        return req.infer({0: x})[0]

    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        diff = float(np.abs(now.run(x) - then(x)).max())
        t = rounds_ms({"then": then, "now": now.run}, x, rounds)
        per = [a / b for a, b in zip(t["then"], t["now"], strict=True)]
        print(
            f"{spec} {w}x{h}: {commit} {statistics.median(t['then']):.3f} ms, now {statistics.median(t['now']):.3f} ms, "
            f"now {statistics.median(per):.3f}x ({min(per):.2f}-{max(per):.2f}), max diff {diff:.1e}",
            flush=True,
        )
