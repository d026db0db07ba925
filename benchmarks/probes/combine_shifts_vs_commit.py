"""Each IR as the runtime runs it now (`load_runner`: this CPU's kernel plan and host forms, the VNNI
class's combine_shifts among them) against the same IR with COMMIT's kernel plan
(`git show COMMIT:xeonsr/openvino_models/manifest.json`) and this class's forms without
combine_shifts: what the form and the plans re-tuned for it changed. Interleaved rounds per LR
size WIDTHxHEIGHT; median ms, the speed-up by the median round and its range, the largest output
difference. MODEL:SCALE:PRECISION (fp32 or int8).

    python benchmarks/probes/combine_shifts_vs_commit.py 10 160x140,92x92,240x192 fsrcnn:2:int8,fsrcnn:2:fp32 COMMIT
"""

import sys

from _form_commit import form_vs_commit

import xeonsr.ir_forms as forms
from xeonsr.threads import apply_threads, plan_threads

rounds = int(sys.argv[1])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[2].split(",")]
specs, commit = sys.argv[3].split(","), sys.argv[4]
apply_threads(plan_threads(2), pin=True)
for spec in specs:
    model, scale, precision = spec.split(":")
    form_vs_commit(spec, model, int(scale), precision, forms.combine_shifts, commit, sizes, rounds)
