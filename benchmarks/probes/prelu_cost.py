import sys

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import openvino.properties as props
import openvino.properties.hint as hints

xml = sys.argv[1]
core = ov.Core()
cfg = {
    hints.performance_mode: hints.PerformanceMode.LATENCY,
    hints.inference_precision: ov.Type.f32,
    props.inference_num_threads: int(sys.argv[2]),
    props.enable_profiling: True,
}
x = np.random.default_rng(0).random((1, 1, 140, 160), dtype=np.float32)


def scalar_prelu(m, kind):
    for op in m.get_ordered_ops():
        if op.get_type_name() == "PRelu":
            slope = op.input(1).get_source_output().get_node()
            if kind == "scalar":
                v = float(np.mean(slope.get_data()))
                op.input(1).replace_source_output(ops.constant(np.array([v], np.float32)).output(0))
            else:
                r = ops.relu(op.input(0).get_source_output())
                op.output(0).replace(r.output(0))
    m.validate_nodes_and_infer_types()
    return m


for name in ("orig", "scalar", "relu"):
    m = core.read_model(xml)
    if name != "orig":
        m = scalar_prelu(m, name)
    c = core.compile_model(m, "CPU", cfg)
    r = c.create_infer_request()
    acc = {}
    for i in range(60):
        r.infer({0: x})
        if i >= 10:
            for p in r.get_profiling_info():
                k = (p.node_name, p.exec_type)
                acc[k] = acc.get(k, 0) + p.real_time.total_seconds() * 1e3 / 50
    print(name, "sum", round(sum(acc.values()), 3))
    for k, v in sorted(acc.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {v:.3f} {k[1]:28s} {k[0]}")
