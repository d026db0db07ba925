"""FSRCNN x3 INT8 with per-channel PReLU (as trained), one shared slope per layer, or ReLU (not
the same function: timing only), each with the IR's kernel plan ("plan") or OpenVINO's own kernels
("default"); interleaved, median ms of 200 calls on a 160x140 LR, 2 threads (session 14).

    python benchmarks/probes/prelu_cost_with_plan.py plan
"""

import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from xeonsr.irs import locate_ir
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir
from xeonsr.runtime import ov_run

xml, entry = locate_ir("fsrcnn", 3, "int8", None)
plan = plan_for(entry, "f32") if sys.argv[1] == "plan" else None
core = ov.Core()
x = np.random.default_rng(0).random((1, 1, 140, 160), dtype=np.float32)


def variant(kind):
    m = core.read_model(str(xml))
    for node in m.get_ordered_ops() if kind != "orig" else []:
        if node.get_type_name() != "PRelu":
            continue
        if kind == "scalar":
            slope = float(np.mean(node.input(1).get_source_output().get_node().get_data()))
            node.input(1).replace_source_output(ops.constant(np.array([slope], np.float32)).output(0))
        else:
            node.output(0).replace(ops.relu(node.input(0).get_source_output()).output(0))
    m.validate_nodes_and_infer_types()
    return m


fns = {k: ov_run(compile_ir(variant(k), 2, kernels=plan)) for k in ("orig", "scalar", "relu")}
for f in fns.values():
    f(x)
times = {k: [] for k in fns}
for _ in range(200):
    for k, f in fns.items():
        t0 = time.perf_counter()
        f(x)
        times[k].append(time.perf_counter() - t0)
print(sys.argv[1], {k: round(statistics.median(v) * 1e3, 3) for k, v in times.items()})
