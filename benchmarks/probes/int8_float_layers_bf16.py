"""Session 69 (Intel Xeon with AMX, Emerald Rapids): each INT8 IR as `xeonsr upscale` loads it
(forms, kernel plans; its float layers in f32) against the same IR with OpenVINO's bf16 inference
precision, which moves the layers no quantizer covers (FSRCNN-s x2's body.0 and body.2, FSRCNN
x2's body.2 and combine, the bicubic skip's convolution) to bf16; the FP32 IR in bf16 beside.
Interleaved rounds (3 calls each) on the LR of a 480x360 HR; ratios per round, min-median-max.

    python benchmarks/probes/int8_float_layers_bf16.py 2 20 fsrcnn-s:2,fsrcnn:2
"""

import statistics
import sys

import numpy as np
from _rounds import rounds_ms

import xeonsr.ov as xov
from xeonsr.info import cpu_info
from xeonsr.runtime import load_runner

threads, rounds, items = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
plain_compile = xov.compile_ir


def bf16_compile(*a, **kw):
    kw["inference_precision"] = "bf16"
    return plain_compile(*a, **kw)


def int8_bf16_runner(model, scale):
    xov.compile_ir = bf16_compile  # the runtime's compiles, forms and plans as for INT8
    try:
        return load_runner(model, scale, "ov-int8", threads=threads).run
    finally:
        xov.compile_ir = plain_compile


print(f"{cpu_info().model}, {threads} threads, {rounds} rounds")
for item in items:
    model, scale = item.split(":")[0], int(item.split(":")[1])
    runs = {
        "int8": load_runner(model, scale, "ov-int8", threads=threads).run,
        "int8+bf16": int8_bf16_runner(model, scale),
        "bf16": load_runner(model, scale, "ov-bf16", threads=threads).run,
    }
    x = np.random.default_rng(0).random((1, 1, 360 // scale, 480 // scale), dtype=np.float32)
    diff = float(np.abs(runs["int8"](x) - runs["int8+bf16"](x)).max())
    t = rounds_ms(runs, x, rounds)
    line = [f"{model} x{scale}"] + [f"{k} {statistics.median(v):.3f} ms" for k, v in t.items()]
    for k in ("int8+bf16", "bf16"):
        r = sorted(a / b for a, b in zip(t["int8"], t[k], strict=True))
        line.append(f"int8/{k} {r[0]:.2f}-{statistics.median(r):.2f}-{r[-1]:.2f}x")
    print("  ".join(line) + f"  max |int8 - int8+bf16| {diff:.4f}", flush=True)
