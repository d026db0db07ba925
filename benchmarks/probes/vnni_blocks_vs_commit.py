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

import sys

from _form_commit import form_vs_commit

import xeonsr.ir_forms as forms

rounds = int(sys.argv[1])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[2].split(",")]
specs, commit = sys.argv[3].split(","), sys.argv[4]
for spec in specs:
    model, scale = spec.split(":")
    form_vs_commit(spec, model, int(scale), "int8", forms.int8_first_layer_blocks, commit, sizes, rounds)
