"""SRCNN's FP32 IRs with their chain on the blocked jit_avx512 kernels (the AVX-512 host form since
session 58: xeonsr.ir_blocked.blocked_chain_avx512) against the same IR without it (the plugin's
default brgconv_avx512 kernels in channels-last, as before) and against ONNX Runtime, each through
the bench's runtime (xeonsr.runtime.load_runner), rounds interleaved, LR sizes WIDTHxHEIGHT,
MODEL_xSCALE names. On a CPU of another forms class it measures that class's forms instead.

    python benchmarks/probes/blocked_avx512.py 2 5 160x140,92x92,170x170,240x192 srcnn_x3,srcnn_x2,srcnn_x4,srcnn-955_x3

Per size and IR: median ms of each; the form against the IR without it and against ONNX Runtime
by the median round (lowest - highest round); the outputs' largest difference.
"""

import statistics
import sys

import numpy as np
from _rounds import rounds_ms

import xeonsr.ir_forms as forms
from xeonsr.info import cpu_info
from xeonsr.runtime import load_runner

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
names = [n.split("_x") for n in sys.argv[4].split(",")]
cls = cpu_info().forms_class
shipped = forms.HOST_FORMS.get(cls, ())
print(f"{cpu_info().model}: forms class {cls}, its forms {[f.__name__ for f in shipped]}")
for model, scale in names:
    scale = int(scale)
    forms.HOST_FORMS[cls] = ()
    plain = load_runner(model, scale, "ov-fp32", threads=threads)
    forms.HOST_FORMS[cls] = shipped
    formed = load_runner(model, scale, "ov-fp32", threads=threads)
    ort = load_runner(model, scale, "ort", threads=threads)
    print(f"{model} x{scale}: {formed.note}")
    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        diff = float(np.abs(plain.run(x) - formed.run(x)).max())
        t = rounds_ms({"plain": plain.run, "formed": formed.run, "ort": ort.run}, x, rounds)
        med = {k: statistics.median(v) for k, v in t.items()}
        gain = [a / b for a, b in zip(t["plain"], t["formed"], strict=True)]
        vs_ort = [a / b for a, b in zip(t["ort"], t["formed"], strict=True)]
        print(
            f"{model} x{scale} {w}x{h}: without {med['plain']:.2f} ms, with {med['formed']:.2f}, ort {med['ort']:.2f}; "
            f"{statistics.median(gain):.3f}x without ({min(gain):.2f}-{max(gain):.2f}), "
            f"{statistics.median(vs_ort):.3f}x ort ({min(vs_ort):.2f}-{max(vs_ort):.2f}); max diff {diff:.1e}",
            flush=True,
        )
