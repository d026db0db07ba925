"""Session 63 (AMD EPYC Zen 4): the pixel shuffle at the end of an upsampling IR (torch's export:
Reshape to rank 6, Transpose (0, 1, 4, 2, 5, 3), Reshape back) as one DepthToSpace (depth_first,
torch's order), each IR as the runtime compiles it here (this CPU's forms, its kernel plan; no
counters), without that rewrite and with it; outputs compared, rounds interleaved, LR sizes
WIDTHxHEIGHT, IRs model:precision:scale.

    python benchmarks/probes/shuffle_d2s_plans.py 2 12 92x92,128x128,160x140,240x192 fsrcnn:fp32:4,fsrcnn:int8:4,fsrcnn-s:fp32:4,fsrcnn-s:int8:4
"""

import sys

import numpy as np
from _rounds import against

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.irs import locate_ir
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
models = [m.split(":") for m in sys.argv[4].split(",")]
print(cpu_info().model, f"{threads} threads", flush=True)


def shuffle_as_depth_to_space(ov_model) -> int:
    from openvino import opset1

    done = 0
    for out in list(ov_model.get_ordered_ops()):
        if out.get_type_name() != "Reshape" or out.get_output_partial_shape(0).rank.get_length() != 4:
            continue
        tr = out.input(0).get_source_output().get_node()
        if tr.get_type_name() != "Transpose":
            continue
        perm = tr.input(1).get_source_output().get_node()
        if perm.get_type_name() != "Constant" or list(perm.get_data()) != [0, 1, 4, 2, 5, 3]:
            continue
        split = tr.input(0).get_source_output().get_node()
        shape = split.get_output_partial_shape(0)
        if split.get_type_name() != "Reshape" or shape.rank.get_length() != 6 or not shape[2].is_static:
            continue
        d2s = opset1.depth_to_space(split.input(0).get_source_output(), "depth_first", shape[2].get_length())
        out.output(0).replace(d2s.output(0))
        done += 1
    ov_model.validate_nodes_and_infer_types()
    return done


def runner(model: str, precision: str, scale: int, rewrite: bool):
    xml, entry = locate_ir(model, scale, precision)
    kernels = plan_for(entry, "f32")
    graph = read_ir(xml)
    host_forms(graph, cpu_info().forms_class, "f32", kernels)
    n = shuffle_as_depth_to_space(graph) if rewrite else 0
    request = compile_ir(graph, threads, kernels=kernels).create_infer_request()
    return (lambda x: next(iter(request.infer({0: x}).values())).copy()), n


for model, precision, scale in models:
    stored, _ = runner(model, precision, int(scale), False)
    d2s, n = runner(model, precision, int(scale), True)
    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        before, after, ratio, low, high, diff = against(stored, d2s, x, rounds)
        print(
            f"{model} x{scale} {precision} {w}x{h}: stored {before:.3f} ms, DepthToSpace ({n}) {after:.3f} ms: "
            f"{ratio:.3f}x by the median round ({low:.2f}-{high:.2f}), max diff {diff:.1e}",
            flush=True,
        )
