import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import openvino.properties as props
import openvino.properties.hint as hints
from openvino import opset3


def const(a):
    return ov.op.Constant(ov.Tensor(np.ascontiguousarray(a))).output(0)


def rewrite(model, kind):
    for conv in model.get_ordered_ops():
        if conv.get_type_name() != "Convolution":
            continue
        src = conv.input(0).get_source_output().get_node()
        fq = src if src.get_type_name() == "FakeQuantize" else None
        data = fq.input(0).get_source_output() if fq else conv.input(0).get_source_output()
        w = conv.input(1).get_source_output().get_node()
        oc, ic, kh, kw = list(w.get_output_shape(0))
        if ic != 1 or kh < 3:
            continue
        attrs = conv.get_attributes()
        if not (list(attrs["pads_begin"]) == [kh // 2, kw // 2] == list(attrs["pads_end"])):
            continue
        if kind == "full":
            patches = opset3.extract_image_patches(data, [kh, kw], [1, 1], [1, 1], "same_upper")
            shape = (oc, kh * kw, 1, 1)
            pads = [0, 0]
        else:
            patches = opset3.extract_image_patches(data, [kh, 1], [1, 1], [1, 1], "same_upper")
            shape = (oc, kh, 1, kw)
            pads = [0, kw // 2]
        inp = patches.output(0)
        if fq:
            inp = ops.fake_quantize(
                inp, *[fq.input(i).get_source_output() for i in range(1, 5)], fq.get_levels()
            ).output(0)

        def reshaped(node):
            t = node.get_type_name()
            if t == "Constant":
                a = node.get_data()
                return const(a.reshape(shape)) if a.ndim == 4 and a.shape[2] == kh else node.output(0)
            if t == "Convert":
                return ops.convert(
                    reshaped(node.input(0).get_source_output().get_node()), node.get_output_element_type(0)
                ).output(0)
            if t == "Multiply":
                return ops.multiply(*[reshaped(node.input(i).get_source_output().get_node()) for i in range(2)]).output(
                    0
                )
            raise ValueError(t)

        newconv = ops.convolution(inp, reshaped(w), [1, 1], pads, pads, [1, 1])
        newconv.set_friendly_name(conv.get_friendly_name())
        conv.output(0).replace(newconv.output(0))
        model.validate_nodes_and_infer_types()
        return model
    raise ValueError("no 1-channel conv")


if __name__ == "__main__":
    xml = sys.argv[1]
    W, H = map(int, sys.argv[2].split("x"))
    th = int(sys.argv[3])
    kinds = sys.argv[4].split(",")
    n = int(sys.argv[5])
    core = ov.Core()
    cfg = {
        hints.performance_mode: hints.PerformanceMode.LATENCY,
        hints.inference_precision: ov.Type.f32,
        props.inference_num_threads: th,
    }
    reqs = {"orig": core.compile_model(core.read_model(xml), "CPU", cfg).create_infer_request()}
    for k in kinds:
        reqs[k] = core.compile_model(rewrite(core.read_model(xml), k), "CPU", cfg).create_infer_request()
    x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
    outs = {k: next(iter(r.infer({0: x}).values())).copy() for k, r in reqs.items()}
    for k in kinds:
        print(k, "maxdiff", float(np.abs(outs[k] - outs["orig"]).max()))
    res = {k: [] for k in reqs}
    for _rnd in range(5):
        for k, rq in reqs.items():
            t = []
            for _ in range(n):
                t0 = time.perf_counter()
                rq.infer({0: x})
                t.append((time.perf_counter() - t0) * 1e3)
            res[k].append(statistics.median(t))
    for k, v in res.items():
        rat = [a / b for a, b in zip(res["orig"], v, strict=False)]
        print(
            f"{k:6s} median {statistics.median(v):.3f} ms range {min(v):.3f}-{max(v):.3f}  orig/this {min(rat):.2f}-{max(rat):.2f}"
        )
