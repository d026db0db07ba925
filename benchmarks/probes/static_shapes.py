"""SRCNN's FP32 IRs with a network of their own for a shape run again (xeonsr.ov_shapes, whose
static graph has the depthwise layer in halves: xeonsr.ir_blocked.depthwise_halves) against the
dynamic network alone (as before session 56) and against ONNX Runtime, each through the bench's
runtime (xeonsr.runtime.load_runner), rounds interleaved (the warm-up before each round runs a
shape often enough to compile its own), LR sizes WIDTHxHEIGHT, MODEL_xSCALE names.

    python benchmarks/probes/static_shapes.py 2 10 160x140,92x92,170x170,240x192 srcnn_x3,srcnn_x2,srcnn_x4,srcnn-955_x3

Per size and IR: the own runner's first three calls (the second compiles the shape's network);
median ms of the dynamic network, with the shape's own, ONNX Runtime; the
shape's own against the dynamic one and against ONNX Runtime by the median round (lowest -
highest round); the outputs' largest difference.
"""

import statistics
import sys
import time

import numpy as np
from _rounds import rounds_ms

import xeonsr.ir_forms as forms
from xeonsr.runtime import load_runner

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
names = [n.split("_x") for n in sys.argv[4].split(",")]

shipped = dict(forms.STATIC_FORMS)
for model, scale in names:
    scale = int(scale)
    forms.STATIC_FORMS.clear()
    dynamic = load_runner(model, scale, "ov-fp32", threads=threads)
    forms.STATIC_FORMS.update(shipped)
    own = load_runner(model, scale, "ov-fp32", threads=threads)
    ort = load_runner(model, scale, "ort", threads=threads)
    assert "ov_shapes" in own.note and "ov_shapes" not in dynamic.note, own.note
    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        calls = []
        for _ in range(3):  # the dynamic network, the shape's own compiled and run, its own
            t0 = time.perf_counter()
            own.run(x)
            calls.append((time.perf_counter() - t0) * 1e3)
        print(
            f"{model} x{scale} {w}x{h}: first calls {' / '.join(f'{c:.0f}' for c in calls)} ms (the compile in the 2nd)"
        )
        t = rounds_ms({"dynamic": dynamic.run, "own": own.run, "ort": ort.run}, x, rounds)
        diff = float(np.abs(dynamic.run(x) - own.run(x)).max())
        med = {k: statistics.median(v) for k, v in t.items()}
        gain = [a / b for a, b in zip(t["dynamic"], t["own"], strict=True)]
        vs_ort = [a / b for a, b in zip(t["ort"], t["own"], strict=True)]
        print(
            f"{model} x{scale} {w}x{h}: dynamic {med['dynamic']:.2f} ms, own {med['own']:.2f}, "
            f"ort {med['ort']:.2f}; own {statistics.median(gain):.3f}x dynamic ({min(gain):.2f}-{max(gain):.2f}), "
            f"{statistics.median(vs_ort):.3f}x ort ({min(vs_ort):.2f}-{max(vs_ort):.2f}); max diff {diff:.1e}"
        )
