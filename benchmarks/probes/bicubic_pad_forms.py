"""The bicubic skip's symmetric padding as one Pad node. The exported IRs pad the LR image for
their in-graph bicubic upscale as torch wrote it: per axis two 2-row Slices, two flipping Slices
and a Concat (8 Slices and 2 Concats, each a node the plugin dispatches on its threads). One
Pad in "symmetric" mode gives the same values (`xeonsr.ir_pad.one_pad`, since session 54 a form
of the AVX2 class). Each IR compiled as the runtime compiles it on this CPU (its forms, its kernel
plan), without that form and with it; outputs compared, rounds interleaved, LR sizes WIDTHxHEIGHT.

    python benchmarks/probes/bicubic_pad_forms.py 2 20 160x140,92x92 fsrcnn:int8,srcnn:fp32

Session 54 (AMD EPYC Zen 2, busy: numpy's product 163-176 GFLOP/s against 183 quiet), two runs
(the first with every model but FSRCNN-s FP32 and DCSCN FP32), each row the same output to the bit,
by the median round at 160x140 / 92x92: FSRCNN x3 INT8 1.003-1.021x / 1.029-1.030x, FSRCNN-s x3
INT8 1.039-1.040x / 1.041-1.046x, FSRCNN x3 FP32 1.012-1.026x / 1.019-1.032x, FSRCNN-s FP32 1.018x
/ 1.011x, SRCNN x3 FP32 0.993-1.027x / 1.029-1.042x, SRCNN INT8 1.000-1.001x / 1.005-1.009x, DCSCN
INT8 1.001-1.003x / 1.003x, DCSCN FP32 1.010x / 1.010x: in the AVX2 class's forms since.

Session 62 (AMD EPYC Zen 4, quiet, the vCPUs together before and after), two runs, each row the
same output to the bit, by the median round at 160x140 / 92x92: FSRCNN x3 INT8 1.023-1.036x /
1.027-1.044x, FSRCNN-s x3 INT8 1.040-1.044x / 1.074-1.089x, FSRCNN x3 FP32 1.008-1.039x /
1.022-1.026x, FSRCNN-s FP32 1.024-1.027x / 1.035-1.036x, SRCNN x3 FP32 1.013-1.014x / 1.019-1.027x,
SRCNN INT8 1.017-1.019x / 1.002-1.015x, DCSCN INT8 1.002-1.004x / 1.005-1.035x, DCSCN FP32 1.014x /
1.013x: in the VNNI class's forms since.
"""

import sys

import numpy as np
from _rounds import against

import xeonsr.ir_forms as forms
from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.ir_pad import one_pad
from xeonsr.irs import locate_ir
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
models = [(m.split(":") + ["3"])[:3] for m in sys.argv[4].split(",")]  # model:precision[:scale]


def runner(model: str, precision: str, scale: int, rewrite: bool):
    """The IR as the runtime compiles it here, with or without :func:`xeonsr.ir_pad.one_pad` (which
    rewrites the skip's padding even where the IR's kernel plan names the skip's convolution)."""
    xml, entry = locate_ir(model, scale, precision)
    kernels = plan_for(entry, "f32")
    graph = read_ir(xml)
    cls = cpu_info().forms_class
    shipped = forms.HOST_FORMS.get(cls, ())
    forms.HOST_FORMS[cls] = tuple(f for f in shipped if f is not one_pad)
    try:
        host_forms(graph, cls, "f32", kernels)
    finally:
        forms.HOST_FORMS[cls] = shipped
    before = sum(op.get_type_name() in ("Slice", "Concat") for op in graph.get_ordered_ops())
    if rewrite:
        one_pad(graph)
    gone = before - sum(op.get_type_name() in ("Slice", "Concat") for op in graph.get_ordered_ops())
    request = compile_ir(graph, threads, kernels=kernels).create_infer_request()
    return (lambda x: next(iter(request.infer({0: x}).values())).copy()), gone


for model, precision, scale in models:
    stored, _ = runner(model, precision, int(scale), False)
    padded, gone = runner(model, precision, int(scale), True)
    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        before, after, ratio, low, high, diff = against(stored, padded, x, rounds)
        print(
            f"{model} x{scale} {precision} {w}x{h}: stored {before:.3f} ms, one Pad {after:.3f} ms ({gone} Slices and "
            f"Concats fewer): {ratio:.3f}x by the median round ({low:.2f}-{high:.2f}), max diff {diff:.1e}",
            flush=True,
        )
