"""One host form against its code at an earlier commit: each IR compiled as the runtime compiles it
on this CPU (its forms, its kernel plan), once with the form as it is now and once with the
form's function loaded from `git show COMMIT:xeonsr/MODULE.py`; outputs compared, rounds
interleaved, LR sizes WIDTHxHEIGHT, MODEL:PRECISION[:SCALE] (x3 unless said).

    python benchmarks/probes/form_vs_commit.py 2 20 160x140,92x92 fsrcnn:int8,srcnn:int8 bd2df49 ir_rows_u8 quantized_rows_by_slices

MODULE may be several, comma-separated (`ir_rows_u8,ir_forms`): all loaded at COMMIT, the last
one's FUNCTION importing the others as they were then.

Session 54 (AMD EPYC Zen 2, busy), two runs: the u8 row copies' Slice bounds as constants counted
from the end (now) against bounds computed from the image's shape (bd2df49): FSRCNN x3 INT8 21 ->
14 Add/ShapeOf/Gather nodes, 0.997-1.010x at 160x140 and 1.008-1.020x at 92x92 by the median
round; SRCNN x3 INT8 25 -> 9, 0.986-0.992x and 0.992-1.000x; the same output to the bit. Level
within the host's noise, kept for the simpler graph.

Session 55 (the same Zen 2, busy: 159-163 GFLOP/s), two runs, `2 20 160x140,92x92,240x192
fsrcnn:int8 bff3855 ir_rows_u8 quantized_rows_by_slices`: FSRCNN's quantized 5 x 5 in 2 x 2 blocks
of 3 x 3 (now) against its 5 row copies (bff3855): 1.017-1.018x, 1.005-1.010x and 1.012-1.013x by
the median round, the same output to the bit.

Session 76 (Intel Xeon family 6 model 167, AMX), two runs, `2 20 160x140,92x92,240x192
srcnn:int8:2,srcnn:int8,srcnn:int8:4,srcnn-955:int8 4be8292 ir_forms int8_first_layer_rows`: the
AMX class's SRCNN 9 x 9 INT8 first layer in rows with its copies made in u8 after the quantizer
(now) against ExtractImagePatches and a quantizer of the 9 float copies (4be8292): 1.01-1.06x,
1.00-1.07x and 1.06-1.10x at the three sizes by the median round, the same output to the bit
(benchmarks/results/srcnn_rows_u8_amx_intel_xeon_m167_2c_s76_run[12].txt).

Session 77 (the same Xeon), two runs, `2 20 160x140,92x92,240x192 srcnn:int8:2,srcnn:int8,srcnn:int8:4,
srcnn-955:int8 039a971 ir_rows_u8,ir_forms int8_first_layer_rows`: those copies made by one convolution with
one-hot weights (now) against the Pad, Slices, Concat and Reorder (039a971): 1.01-1.07x, 1.02-1.08x and
1.02-1.05x at the three sizes by the median round, the same output to the bit
(benchmarks/results/srcnn_rows_conv_amx_intel_xeon_m167_2c_s77_run[12].txt). Then 2 copies 5 rows apart and a
5 x 9 layer (now) against those 9 copies and a 1 x 9 layer (67559ac), the same command with 67559ac: 1.05-1.08x,
1.02-1.09x and 1.00-1.08x, bit for bit (benchmarks/results/srcnn_rows_blocks_conv_amx_intel_xeon_m167_2c_s77_run[12].txt).
"""

import importlib.util
import subprocess
import sys
import tempfile

import numpy as np
from _rounds import against

import xeonsr.ir_forms as forms
from xeonsr.info import cpu_info
from xeonsr.irs import locate_ir
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
models = [(m.split(":") + ["3"])[:3] for m in sys.argv[4].split(",")]
commit, module, function = sys.argv[5], sys.argv[6], sys.argv[7]

# MODULE may name several, comma-separated: each is loaded as it was at COMMIT in that order, and
# the later ones import the earlier ones' COMMIT versions (a form whose helper changed module too).
folder, loaded = tempfile.mkdtemp(), {}
for name in module.split(","):
    source = subprocess.run(
        ["git", "show", f"{commit}:xeonsr/{name}.py"], capture_output=True, text=True, check=True
    ).stdout
    path = f"{folder}/{name}_then.py"
    with open(path, "w") as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location(f"{name}_then", path)
    then_module = importlib.util.module_from_spec(spec)
    saved = {k: sys.modules.get(f"xeonsr.{k}") for k in loaded}
    sys.modules.update({f"xeonsr.{k}": m for k, m in loaded.items()})
    try:
        spec.loader.exec_module(then_module)
    finally:
        for k, m in saved.items():
            if m is None:
                sys.modules.pop(f"xeonsr.{k}", None)
            else:
                sys.modules[f"xeonsr.{k}"] = m
    loaded[name] = then_module
module = module.split(",")[-1]
now = getattr(importlib.import_module(f"xeonsr.{module}"), function)
then = getattr(then_module, function)
cls = cpu_info().forms_class


def swapped(group):
    return tuple(then if f is now else f for f in group)


def runner(model: str, precision: str, scale: str, old: bool):
    xml, entry = locate_ir(model, int(scale), precision)
    kernels = plan_for(entry, "f32")
    graph = read_ir(xml)
    saved = forms.HOST_FORMS[cls], forms.INT8_FORMS, forms.EVERY_IR_FORMS
    if old:
        forms.HOST_FORMS[cls], forms.INT8_FORMS, forms.EVERY_IR_FORMS = (swapped(g) for g in saved)
    try:
        forms.host_forms(graph, cls, "f32", kernels)
    finally:
        forms.HOST_FORMS[cls], forms.INT8_FORMS, forms.EVERY_IR_FORMS = saved
    nodes = sum(op.get_type_name() in ("Add", "ShapeOf", "Gather") for op in graph.get_ordered_ops())
    request = compile_ir(graph, threads, kernels=kernels).create_infer_request()
    return (lambda x: next(iter(request.infer({0: x}).values())).copy()), nodes


for model, precision, scale in models:
    run_then, n_then = runner(model, precision, scale, True)
    run_now, n_now = runner(model, precision, scale, False)
    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        before, after, ratio, low, high, diff = against(run_then, run_now, x, rounds)
        print(
            f"{model} x{scale} {precision} {w}x{h}: Add/ShapeOf/Gather nodes {n_then} -> {n_now}; {commit} {before:.3f} ms, "
            f"now {after:.3f} ms: {ratio:.3f}x by the median round ({low:.2f}-{high:.2f}), max diff {diff:.1e}",
            flush=True,
        )
