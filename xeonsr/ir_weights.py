"""A convolution's weights as the exact rewrites read and rebuild them: float constants, or int8
constants dequantized per output channel (the INT8 IRs), whose scales a rewrite keeps while it
rearranges the int8 values."""

from __future__ import annotations

import numpy as np


def weight_chain(conv):
    """The ops from ``conv``'s weight input down to its Constant ([Constant] for float weights;
    [Multiply, Convert, Constant] or with a Subtract for int8 weights dequantized per output
    channel), or None for weights of another kind."""
    chain = [conv.input(1).get_source_output().get_node()]
    while chain[-1].get_type_name() in ("Multiply", "Subtract", "Convert"):
        node = chain[-1]
        for other in (i.get_source_output().get_node() for i in list(node.inputs())[1:]):
            shape = list(other.get_output_shape(0))
            if other.get_type_name() != "Constant" or int(np.prod(shape[1:])) != 1:
                return None  # only scalars or one value per output channel broadcast to the rows' shape
        chain.append(node.input(0).get_source_output().get_node())
    if chain[-1].get_type_name() != "Constant" or len(chain[-1].output(0).get_target_inputs()) != 1:
        return None
    return chain


def same_scales(chain, values: np.ndarray):
    """``values`` (the chain's Constant rearranged, same output channels first) under the chain's
    dequantizing ops: the array itself for float weights, else an op's output. Per-output-channel
    scales and zero points broadcast over any shape of the other axes, so they carry over."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)
    if len(chain) == 1:
        return values
    out = ops.constant(np.ascontiguousarray(values)).output(0)
    for node in reversed(chain[:-1]):
        rest = [i.get_source_output() for i in list(node.inputs())[1:]]
        kind = node.get_type_name()
        op = (
            ops.convert(out, node.get_output_element_type(0))
            if kind == "Convert"
            else (ops.multiply if kind == "Multiply" else ops.subtract)(out, *rest)
        )
        op.set_friendly_name(node.get_friendly_name())
        out = op.output(0)
    return out


def conv_on(source, weight, pads: list[int], name: str):
    """A stride-1 convolution with symmetric ``pads`` named ``name``: the
    rewrites keep the stored layer names, which kernel plans, profiles and FP32 layer lists refer
    to. ``weight``: an array, or an op's output (dequantized int8 weights)."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)

    if isinstance(weight, np.ndarray):
        weight = ops.constant(np.ascontiguousarray(weight))
    conv = ops.convolution(source, weight, [1, 1], pads, pads, [1, 1])
    conv.set_friendly_name(name)
    return conv


def plain_pads(conv, pads: list[int]) -> bool:
    """Whether ``conv`` is a plain stride-1, undilated convolution padded by ``pads`` at both ends."""
    a = conv.get_attributes()
    return (
        list(a["pads_begin"]) == pads == list(a["pads_end"])
        and list(a["strides"]) == [1, 1] == list(a["dilations"])
        and a.get("auto_pad", "explicit") in ("explicit", "notset")
    )
