"""An exact rewrite of an OpenVINO graph: a convolution of a channel concatenation as the sum of
one convolution per concatenated input (a host form, :data:`xeonsr.ir_forms.HOST_FORMS`)."""

from __future__ import annotations


def concat_sums(ov_model, only=None) -> list[str]:
    """Rewrite each float convolution whose input is a channel Concat that only convolutions read
    (DCSCN's 481-channel skip concatenation before its two 1x1 layers, and the 64 + 32 channels
    before its reconstruction) as the sum over the Concat's inputs of the same convolution on
    that input's channels (its columns of the weights): the same multiply-adds, and no Concat.

    The Concat of seven maps of 96, 88, 80, 72, 62, 51 and 32 channels ran as OpenVINO's reference
    copy on 256-bit AVX2 (AMD EPYC Zen 3: 4-6% of DCSCN x3's FP32 time), and the 1x1 layers on
    the separate maps ran at 68-82 GMAC/s against 45-69 on the concatenation (docs/performance.md,
    exact rewrites). The partial convolutions are named ``LAYER/part{i}``."""
    import numpy as np

    from xeonsr.openvino_releases import opset

    ops = opset(13)
    done = []
    for concat in [op for op in ov_model.get_ordered_ops() if op.get_type_name() == "Concat"]:
        if concat.get_attributes()["axis"] not in (1, -3):
            continue
        readers = [i.get_node() for i in concat.output(0).get_target_inputs()]
        if not readers or not all(_float_conv(r, only) for r in readers):
            continue
        sources = [i.get_source_output() for i in concat.inputs()]
        widths = [s.get_partial_shape()[1] for s in sources]
        if not all(w.is_static for w in widths):
            continue
        bounds = np.cumsum([0] + [w.get_length() for w in widths])
        for conv in readers:
            weight = conv.input(1).get_source_output().get_node().get_data()
            a, name = conv.get_attributes(), conv.get_friendly_name()
            total = None
            for i, src in enumerate(sources):
                part = ops.convolution(
                    src,
                    ops.constant(np.ascontiguousarray(weight[:, bounds[i] : bounds[i + 1]])),
                    list(a["strides"]),
                    list(a["pads_begin"]),
                    list(a["pads_end"]),
                    list(a["dilations"]),
                )
                part.set_friendly_name(f"{name}/part{i}")
                total = part if total is None else ops.add(total, part)
            conv.output(0).replace(total.output(0))
            done.append(name)
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done


def _float_conv(node, only) -> bool:
    """A convolution in ``only`` (None: any) whose weights are a float Constant (not int8 weights
    dequantized), with explicit pads."""
    if node.get_type_name() != "Convolution" or (only is not None and node.get_friendly_name() not in only):
        return False
    weight = node.input(1).get_source_output().get_node()
    explicit = node.get_attributes().get("auto_pad", "explicit") in ("explicit", "notset")
    return weight.get_type_name() == "Constant" and weight.get_output_element_type(0).is_real() and explicit
