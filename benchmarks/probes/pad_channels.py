import statistics
import sys
import time

import numpy as np
import openvino as ov
import openvino.opset13 as ops
import openvino.properties as props
import openvino.properties.hint as hints


def const(a):
    return ov.op.Constant(ov.Tensor(np.ascontiguousarray(a))).output(0)


def rebuild_weights(node, axis, new):
    """Rebuild the weights subgraph with the innermost constants padded along axis (0 out, 1 in)."""
    t = node.get_type_name()
    if t == "Constant":
        a = node.get_data()
        if (
            a.ndim == 4
            and a.shape[1] > 1
            or (a.ndim == 4 and axis == 0)
            or (a.ndim == 4 and a.shape[0] > 1 and axis == 0)
        ):
            pass
        if a.ndim != 4:
            return node.output(0)
        if axis == 1 and a.shape[1] == 1:  # a per-output scale: not padded along inputs
            return node.output(0)
        pad = [(0, 0)] * 4
        pad[axis] = (0, new - a.shape[axis])
        fill = (
            1
            if (
                axis == 0
                and a.shape[1] == 1
                and a.shape[2] == 1
                and a.dtype == np.float32
                and node.get_output_element_type(0) == ov.Type.f32
                and False
            )
            else 0
        )
        return const(np.pad(a, pad, constant_values=fill))
    if t == "Convert":
        return ops.convert(
            rebuild_weights(node.input(0).get_source_output().get_node(), axis, new), node.get_output_element_type(0)
        ).output(0)
    if t == "Multiply":
        a, b = [node.input(i).get_source_output().get_node() for i in range(2)]
        return ops.multiply(rebuild_weights(a, axis, new), rebuild_weights(b, axis, new)).output(0)
    raise ValueError(t)


def pad_conv(model, name, new):
    ops_ = {op.get_friendly_name(): op for op in model.get_ordered_ops()}
    conv = ops_[name]
    w = conv.input(1).get_source_output().get_node()
    a = conv.get_attributes()
    neww = rebuild_weights(w, 0, new)
    c = ops.convolution(
        conv.input(0).get_source_output(), neww, a["strides"], a["pads_begin"], a["pads_end"], a["dilations"]
    )
    # following: Add(bias) -> PRelu -> FQ -> consumers
    add = list(conv.output(0).get_target_inputs())[0].get_node()
    bias = add.input(1).get_source_output().get_node().get_data()
    nb = np.pad(bias, [(0, 0), (0, new - bias.shape[1]), (0, 0), (0, 0)])
    add2 = ops.add(c, const(nb))
    pr = list(add.output(0).get_target_inputs())[0].get_node()
    slope = pr.input(1).get_source_output().get_node().get_data()
    pr2 = ops.prelu(add2, const(np.pad(slope, (0, new - slope.shape[0]), constant_values=0.25)))
    fq = list(pr.output(0).get_target_inputs())[0].get_node()
    assert fq.get_type_name() == "FakeQuantize", fq.get_type_name()
    fq2 = ops.fake_quantize(pr2, *[fq.input(i).get_source_output() for i in range(1, 5)], fq.get_levels())
    for tin in list(fq.output(0).get_target_inputs()):
        nxt = tin.get_node()
        assert nxt.get_type_name() == "Convolution"
        na = nxt.get_attributes()
        nw = rebuild_weights(nxt.input(1).get_source_output().get_node(), 1, new)
        nc = ops.convolution(fq2, nw, na["strides"], na["pads_begin"], na["pads_end"], na["dilations"])
        nc.set_friendly_name(nxt.get_friendly_name())
        nxt.output(0).replace(nc.output(0))
    c.set_friendly_name(name)
    model.validate_nodes_and_infer_types()
    return model


if __name__ == "__main__":
    xml = sys.argv[1]
    th = int(sys.argv[2])
    names = sys.argv[3].split(",")
    new = int(sys.argv[4])
    core = ov.Core()
    H, W = 140, 160
    cfg = {
        hints.performance_mode: hints.PerformanceMode.LATENCY,
        hints.inference_precision: ov.Type.f32,
        props.inference_num_threads: th,
        props.enable_profiling: True,
    }
    x = np.random.default_rng(0).random((1, 1, H, W), dtype=np.float32)
    m2 = core.read_model(xml)
    for n in names:
        m2 = pad_conv(m2, n, new)
    models = {"orig": core.read_model(xml), "pad": m2}
    ref = None
    for k, m in models.items():
        r = core.compile_model(m, "CPU", cfg).create_infer_request()
        acc = {}
        t = []
        for i in range(80):
            t0 = time.perf_counter()
            out = next(iter(r.infer({0: x}).values())).copy()
            t.append(time.perf_counter() - t0)
            if i >= 10:
                for p in r.get_profiling_info():
                    kk = (p.node_name, p.exec_type)
                    acc[kk] = acc.get(kk, 0) + p.real_time.total_seconds() * 1e3 / 70
        if ref is None:
            ref = out
        print(
            k,
            "wall median",
            round(statistics.median(t[10:]) * 1e3, 3),
            "node sum",
            round(sum(acc.values()), 3),
            "maxdiff",
            float(np.abs(out - ref).max()),
        )
        for kk, v in sorted(acc.items(), key=lambda kv: -kv[1])[:6]:
            print(f"  {v:.3f} {kk[1]:26s} {kk[0]}")
