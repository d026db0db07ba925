"""Session 68 (Intel Xeon with AMX, Emerald Rapids): which kernel OpenVINO gives each convolution
of a shipped INT8 IR as stored (PReLU outputs quantized asymmetrically: an input zero point) and
with those quantizers edited symmetric (signed int8 around zero, the range widened to the larger
side; a timing edit, not a budget-checked IR), compiled without forms or plans; node time by
OpenVINO's counters, median of the timed inferences.

    python benchmarks/probes/symmetric_activations.py fsrcnn_x3_int8 160x140 2 40
"""

import sys

import numpy as np
import openvino.opset13 as ops

from xeonsr.info import cpu_info
from xeonsr.irs import SHIPPED_IR_DIR
from xeonsr.ov import compile_ir, read_ir

name, size, threads, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
w, h = (int(v) for v in size.split("x"))


def symmetric(model):
    for fq in [n for n in model.get_ordered_ops() if n.get_type_name() == "FakeQuantize"]:
        if fq.input_value(0).get_node().get_type_name() != "PRelu":
            continue
        lo, hi = (float(fq.input_value(i).get_node().get_data().ravel()[0]) for i in (1, 2))
        a = max(-lo, hi)
        for i, v in ((1, -a), (2, a * 127 / 128), (3, -a), (4, a * 127 / 128)):
            fq.input(i).replace_source_output(ops.constant(np.float32(v)).output(0))
    return model


def conv_times(model):
    req = compile_ir(model, threads, profiling=True).create_infer_request()
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    acc = {}
    for i in range(repeats + 5):
        req.infer({0: x})
        if i >= 5:
            for p in req.profiling_info:
                if p.node_type == "Convolution":
                    acc.setdefault(p.node_name.split("/")[0].removeprefix("__module."), []).append(
                        (p.exec_type, p.real_time.total_seconds() * 1e3)
                    )
    return {k: (v[0][0], float(np.median([t for _, t in v]))) for k, v in acc.items()}


print(f"{cpu_info().model}, {name}, {size} LR, {threads} threads, {repeats} inferences")
stored = conv_times(read_ir(SHIPPED_IR_DIR / f"{name}.xml"))
edited = conv_times(symmetric(read_ir(SHIPPED_IR_DIR / f"{name}.xml")))
for layer in stored:
    (k0, t0), (k1, t1) = stored[layer], edited[layer]
    print(f"{layer:22s} stored {k0:28s} {t0:6.3f} ms   symmetric {k1:28s} {t1:6.3f} ms")
print(
    f"{'sum':22s} stored {'':28s} {sum(t for _, t in stored.values()):6.3f} ms   symmetric "
    f"{'':28s} {sum(t for _, t in edited.values()):6.3f} ms"
)
