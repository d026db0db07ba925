"""SRCNN's FP32 IRs on oneDNN's blocked AVX2 kernels (xeonsr.ir_blocked.blocked_chain) against
the AVX2 forms without it and against ONNX Runtime, each through the bench's runtime
(xeonsr.runtime.load_runner), rounds interleaved, LR sizes WIDTHxHEIGHT (widths 3 mod 4 too:
the rows form's slow case), MODEL_xSCALE names.

    python benchmarks/probes/srcnn_blocked.py 2 12 160x140,92x92,240x192,117x96 srcnn_x3,srcnn_x2,srcnn_x4,srcnn-955_x3

Per size and IR: median ms of the forms before, with the blocked chain, ONNX Runtime; the
blocked chain against the forms before and against ONNX Runtime by the median round (lowest -
highest round); the outputs' largest difference.
"""

import statistics
import sys

import numpy as np
from _rounds import rounds_ms

import xeonsr.ir_forms as forms
from xeonsr.runtime import load_runner

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
names = [n.split("_x") for n in sys.argv[4].split(",")]

shipped = forms.HOST_FORMS["avx2"]
for model, scale in names:
    scale = int(scale)
    forms.HOST_FORMS["avx2"] = tuple(f for f in shipped if f is not forms.blocked_chain)
    before = load_runner(model, scale, "ov-fp32", threads=threads)
    forms.HOST_FORMS["avx2"] = shipped
    blocked = load_runner(model, scale, "ov-fp32", threads=threads)
    ort = load_runner(model, scale, "ort", threads=threads)
    assert "exact forms" in blocked.note, blocked.note
    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        diff = float(np.abs(before.run(x) - blocked.run(x)).max())
        t = rounds_ms({"before": before.run, "blocked": blocked.run, "ort": ort.run}, x, rounds)
        med = {k: statistics.median(v) for k, v in t.items()}
        gain = [a / b for a, b in zip(t["before"], t["blocked"], strict=True)]
        vs_ort = [a / b for a, b in zip(t["ort"], t["blocked"], strict=True)]
        print(
            f"{model} x{scale} {w}x{h}: before {med['before']:.2f} ms, blocked {med['blocked']:.2f}, "
            f"ort {med['ort']:.2f}; blocked {statistics.median(gain):.3f}x before ({min(gain):.2f}-{max(gain):.2f}), "
            f"{statistics.median(vs_ort):.3f}x ort ({min(vs_ort):.2f}-{max(vs_ort):.2f}); max diff {diff:.1e}"
        )
