"""Session 63 (AMD EPYC Zen 4): the pixel shuffle at the end of an upsampling IR (torch's export:
Reshape to rank 6, Transpose (0, 1, 4, 2, 5, 3), Reshape back) as one DepthToSpace (depth_first,
torch's order), each IR as the runtime compiles it here (this CPU's forms, its kernel plan; no
counters), without that rewrite and with it; outputs compared, rounds interleaved, LR sizes
WIDTHxHEIGHT, IRs model:precision:scale.

    python benchmarks/probes/shuffle_d2s_plans.py 2 12 92x92,128x128,160x140,240x192 fsrcnn:fp32:4,fsrcnn:int8:4,fsrcnn-s:fp32:4,fsrcnn-s:int8:4

Session 64: a fifth argument `nhwc` times the shuffle done from channels-last in the graph instead
(_shuffle.pixel_shuffle_from_channels_last).
"""

import sys

import numpy as np
from _rounds import against
from _shuffle import pixel_shuffle_as_depth_to_space, pixel_shuffle_from_channels_last

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.irs import locate_ir
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
models = [m.split(":") for m in sys.argv[4].split(",")]
form = sys.argv[5] if len(sys.argv) > 5 else "d2s"
rewrite_as = {"d2s": pixel_shuffle_as_depth_to_space, "nhwc": pixel_shuffle_from_channels_last}[form]
label = {"d2s": "DepthToSpace", "nhwc": "from channels-last"}[form]
print(cpu_info().model, f"{threads} threads", flush=True)


def runner(model: str, precision: str, scale: int, rewrite: bool):
    xml, entry = locate_ir(model, scale, precision)
    kernels = plan_for(entry, "f32")
    graph = read_ir(xml)
    host_forms(graph, cpu_info().forms_class, "f32", kernels)
    n = len(rewrite_as(graph)) if rewrite else 0
    request = compile_ir(graph, threads, kernels=kernels).create_infer_request()
    return (lambda x: next(iter(request.infer({0: x}).values())).copy()), n


for model, precision, scale in models:
    stored, _ = runner(model, precision, int(scale), False)
    d2s, n = runner(model, precision, int(scale), True)
    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        before, after, ratio, low, high, diff = against(stored, d2s, x, rounds)
        print(
            f"{model} x{scale} {precision} {w}x{h}: stored {before:.3f} ms, {label} ({n}) {after:.3f} ms: "
            f"{ratio:.3f}x by the median round ({low:.2f}-{high:.2f}), max diff {diff:.1e}",
            flush=True,
        )
