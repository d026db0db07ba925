"""This CPU's forms class as shipped against other lists of xeonsr.ir_forms forms (e.g. another
class's), each IR through the bench's runtime (xeonsr.runtime.load_runner: this class's kernel plan
as shipped), rounds interleaved, LR sizes WIDTHxHEIGHT, IRs MODEL:SCALE:PRECISION, each variant a
"+"-joined list of form function names in the order they run ("shipped": the class's own list,
"none": no form, the IR as exported).

    python benchmarks/probes/class_forms_here.py 2 8 160x140,92x92,240x192 srcnn:3:fp32,fsrcnn:3:fp32 \
        last_layer_depthwise+int8_first_layer_rows+one_pad,blocked_chain_avx512+last_layer_depthwise+int8_first_layer_rows

Per IR, variant and size: median ms of the shipped forms and of the variant, the variant's speed-up
by the median round (lowest - highest round), the outputs' largest difference, and the layers each
variant rewrote (the runner's note).
"""

import sys

import numpy as np
from _rounds import against

import xeonsr.ir_forms as forms
from xeonsr.info import cpu_info
from xeonsr.runtime import load_runner

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
specs = [s.split(":") for s in sys.argv[4].split(",")]
variants = sys.argv[5].split(",")
cls = cpu_info().forms_class
shipped = forms.HOST_FORMS.get(cls, ())
print(f"{cpu_info().model}: forms class {cls}, its forms {[f.__name__ for f in shipped]}", flush=True)


def runner(model, scale, precision, form_list):
    forms.HOST_FORMS[cls] = form_list
    try:
        return load_runner(model, int(scale), f"ov-{precision}", threads=threads)
    finally:
        forms.HOST_FORMS[cls] = shipped


for model, scale, precision in specs:
    base = runner(model, scale, precision, shipped)
    print(f"{model} x{scale} {precision} shipped: {base.note}", flush=True)
    for variant in variants:
        if variant in ("shipped", "none"):
            form_list = shipped if variant == "shipped" else ()
        else:
            form_list = tuple(getattr(forms, n) for n in variant.split("+"))
        new = runner(model, scale, precision, form_list)
        print(f"  {variant}: {new.note}", flush=True)
        for w, h in sizes:
            x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
            b, n, r, lo, hi, diff = against(base.run, new.run, x, rounds)
            print(
                f"    {w}x{h}: shipped {b:.3f} ms, variant {n:.3f} ms, {r:.3f}x ({lo:.2f}-{hi:.2f}), max diff {diff:.1e}",
                flush=True,
            )
