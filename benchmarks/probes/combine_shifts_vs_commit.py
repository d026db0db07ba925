"""Each IR as the runtime runs it now (`load_runner`: this CPU's kernel plan and host forms, the VNNI
class's combine_shifts among them) against the same IR with COMMIT's kernel plan
(`git show COMMIT:xeonsr/openvino_models/manifest.json`) and this class's forms without
combine_shifts: what the form and the plans re-tuned for it changed. Interleaved rounds per LR
size WIDTHxHEIGHT; median ms, the speed-up by the median round and its range, the largest output
difference. MODEL:SCALE:PRECISION (fp32 or int8).

    python benchmarks/probes/combine_shifts_vs_commit.py 10 160x140,92x92,240x192 fsrcnn:2:int8,fsrcnn:2:fp32 COMMIT
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
from xeonsr.threads import apply_threads, plan_threads

rounds = int(sys.argv[1])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[2].split(",")]
specs, commit = sys.argv[3].split(","), sys.argv[4]
apply_threads(plan_threads(2), pin=True)
show = ["git", "show", f"{commit}:xeonsr/openvino_models/manifest.json"]
before = json.loads(subprocess.run(show, capture_output=True, text=True, check=True).stdout)["models"]
for spec in specs:
    model, scale, precision = spec.split(":")
    now = load_runner(model, int(scale), f"ov-{precision}", threads=2)
    entry = before[f"{model}_x{scale}_{precision}"]
    plan = plan_for(entry, "f32")
    graph = read_ir(f"xeonsr/openvino_models/{entry['xml']}")
    keep = forms.HOST_FORMS["avx512_vnni"]
    forms.HOST_FORMS["avx512_vnni"] = tuple(f for f in keep if f is not forms.combine_shifts)
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
