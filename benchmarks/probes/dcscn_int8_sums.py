"""Session 47: DCSCN's AVX2 INT8 IR with its quantized channel concatenations as sums of INT8
convolutions (what xeonsr.ir_concat's `concat_sums` does to float layers, here over NNCF's int8
weights, ``Multiply(Convert(int8), scale)``: each part the same dequantization of its int8
columns) against the IR as the bench compiles it. On the Zen 3 `xeonsr profile dcscn --precision
int8` showed the 481-channel Concat as ref_I8 (2% of the time), as the FP32 IR's was before
`concat_sums`. Both compiled as the bench compiles them (this CPU's exact forms), the outputs
compared, timed in interleaved rounds:

    python benchmarks/probes/dcscn_int8_sums.py 2 12 170x150,92x92 3,2,4
"""

import statistics
import sys

import numpy as np
import openvino as ov

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.irs import locate_ir
from xeonsr.openvino_releases import opset
from xeonsr.ov import compile_ir

sys.path.insert(0, "benchmarks/probes")
from _rounds import rounds_ms  # noqa: E402


def int8_columns(conv):
    """(int8 weights, their Convert, scale) of a convolution with NNCF's int8 weights, else None."""
    mul = conv.input(1).get_source_output().get_node()
    if conv.get_type_name() != "Convolution" or mul.get_type_name() != "Multiply":
        return None
    convert, scale = (mul.input(i).get_source_output().get_node() for i in (0, 1))
    if convert.get_type_name() != "Convert":
        return None
    q = convert.input(0).get_source_output().get_node()
    return (q.get_data(), convert, scale) if q.get_type_name() == "Constant" else None


def int8_concat_sums(model) -> list[str]:
    ops, done = opset(13), []
    for concat in [op for op in model.get_ordered_ops() if op.get_type_name() == "Concat"]:
        readers = [i.get_node() for i in concat.output(0).get_target_inputs()]
        if concat.get_attributes()["axis"] != 1 or not all(int8_columns(r) for r in readers):
            continue
        sources = [i.get_source_output() for i in concat.inputs()]
        bounds = np.cumsum([0] + [s.get_partial_shape()[1].get_length() for s in sources])
        for conv in readers:
            q, convert, scale = int8_columns(conv)
            a, total = conv.get_attributes(), None
            for i, src in enumerate(sources):
                cols = ops.constant(np.ascontiguousarray(q[:, bounds[i] : bounds[i + 1]]))
                weight = ops.multiply(ops.convert(cols, convert.get_output_element_type(0)), scale.output(0))
                part = ops.convolution(
                    src, weight, list(a["strides"]), list(a["pads_begin"]), list(a["pads_end"]), list(a["dilations"])
                )
                part.set_friendly_name(f"{conv.get_friendly_name()}/part{i}")
                total = part if total is None else ops.add(total, part)
            conv.output(0).replace(total.output(0))
            done.append(conv.get_friendly_name())
    model.validate_nodes_and_infer_types()
    return done


threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[3].split(",")]
scales = [int(v) for v in sys.argv[4].split(",")]
core = ov.Core()
info = cpu_info()
print(f"{info.model}, {threads} threads, DCSCN INT8 ({info.isa_class} IR), {rounds} rounds, OpenVINO {ov.__version__}")
for scale in scales:
    xml = locate_ir("dcscn", scale, "int8")[0]
    models = {}
    for name in ("nosums", "sums"):
        model = core.read_model(xml)
        host_forms(model, info.forms_class)
        if name == "sums":
            print(f"x{scale} {xml.name}: summed {len(int8_concat_sums(model))} convolutions")
        models[name] = compile_ir(model, threads)
    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        requests = {k: m.create_infer_request() for k, m in models.items()}
        fns = {k: (lambda a, r=r: r.infer({0: a})[0]) for k, r in requests.items()}
        ref = fns["nosums"](x).copy()
        diff = float(np.abs(fns["sums"](x) - ref).max())
        times = rounds_ms(fns, x, rounds)
        r = [b / t for b, t in zip(times["nosums"], times["sums"], strict=True)]
        print(
            f"x{scale} {w}x{h}: nosums {statistics.median(times['nosums']):.2f} ms, sums "
            f"{statistics.median(times['sums']):.2f} ms ({min(r):.2f}-{max(r):.2f}x, median "
            f"{statistics.median(r):.2f}, max diff {diff:.1e})"
        )
