"""A float one-channel first layer as two INT8 layers: the image's 8-bit part and what 8 bits
leave of it, each a u8 image under the same int8 weights, summed. An INT8 first layer rounds its
input to 256 levels, and the protocol's LR image is float (MATLAB's bicubic kept in double): that
rounding alone costs FSRCNN x2's FP32 IR 0.073 dB on BSD200-val's 5 worst, more than the 0.05
budget, so PTQ kept the layer float (28% of FSRCNN x2 INT8's time on a Zen 4). The remainder
carries the next 8 bits, so the pair reads the image to about 16 bits (docs/int8.md)."""

from __future__ import annotations

import numpy as np

from xeonsr.ir_weights import plain_pads, weight_chain

# The image's first 8 bits as floor(255 x) / 255 (FakeQuantize rounds, so it reads x - half a
# step): the remainder x - floor(255 x) / 255 is then in [0, 1/255], a u8 range whose zero is 0,
# which the copies' zero padding needs (xeonsr.ir_rows_u8.keeps_zero) for the blocks form.
STEP = 1.0 / 255.0
REMAINDER = "/remainder"


def int8_weights(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-output-channel int8 weights (-127..127, as NNCF stores them) and their
    scales, each channel's taps rounded so that their sum is the float taps' sum to within half a
    step: a smooth image's error is mostly what the rounding does to the filter's sum (its
    response to a flat patch), and nearest rounding leaves up to half a step per tap in it. The
    taps whose rounding was closest to the other way go that way, each still within one step.
    FSRCNN-s x2's first layer split so lost 0.006 dB on BSD200-val's 5 worst instead of 0.009,
    FSRCNN x2's 0.0015 instead of 0.0023 (with the bias correction; session 65)."""
    peak = np.abs(w).reshape(w.shape[0], -1).max(axis=1)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    exact = w.reshape(w.shape[0], -1) / scale[:, None]
    q = np.round(exact)
    for c in range(len(q)):
        left = exact[c] - q[c]  # what nearest rounding left out of each tap
        k = int(np.round(left.sum()))
        if k:
            q[c, np.argsort(-np.sign(k) * left)[: abs(k)]] += np.sign(k)
    return np.clip(q, -127, 127).astype(np.int8).reshape(w.shape), scale


def _dequantized(ops, q: np.ndarray, scale: np.ndarray, name: str):
    const = ops.constant(q)
    const.set_friendly_name(name + "/int8")
    mul = ops.multiply(ops.convert(const, "f32"), ops.constant(scale.reshape(-1, 1, 1, 1)))
    mul.set_friendly_name(name + "/dequantize")
    return mul


def _quantizer(ops, source, high: float, name: str):
    lo, hi = ops.constant(np.float32(0.0)), ops.constant(np.float32(high))
    fq = ops.fake_quantize(source, lo, hi, lo, hi, 256)
    fq.set_friendly_name(name)
    return fq


def _bias_after(conv):
    """The Add of a constant per-channel bias that alone reads ``conv``'s output, or None."""
    users = list(conv.output(0).get_target_inputs())
    if len(users) != 1 or users[0].get_node().get_type_name() != "Add":
        return None
    add = users[0].get_node()
    other = add.input(1 - users[0].get_index()).get_source_output().get_node()
    return (add, 1 - users[0].get_index()) if other.get_type_name() == "Constant" else None


def _image_layers(ov_model, only):
    """Float one-channel 'same' convolutions that read the model's input image."""
    for conv in list(ov_model.get_ordered_ops()):
        name = conv.get_friendly_name()
        if conv.get_type_name() != "Convolution" or (only is not None and name not in only):
            continue
        chain = weight_chain(conv)
        if conv.input(0).get_source_output().get_node().get_type_name() != "Parameter" or chain is None:
            continue  # a quantized layer, or one that does not read the image
        _, ic, kh, kw = list(conv.input(1).get_partial_shape().to_shape())
        if len(chain) == 1 and ic == 1 and plain_pads(conv, [kh // 2, kw // 2]):
            yield conv, chain[0]


def first_layer_remainder(ov_model, mean: float, only=None, split: bool = True) -> list[str]:
    """Rewrite each float one-channel convolution that reads the model's input image (FSRCNN's
    5 x 5 body.0 where PTQ kept it float) as conv(q8(x)) + conv(q8(x - q8(x))) with the layer's
    weights in int8 (per output channel, symmetric): the two branches are ordinary quantized
    one-channel layers, so on a VNNI CPU each runs in 2 x 2 blocks
    (xeonsr.ir_forms.int8_first_layer_blocks). Not exact: the weights lose what 8 bits lose, the
    image what 16 bits lose. The layer's bias takes the mean of what the weights' rounding moves
    on an image of mean value ``mean`` (the calibration crops'; NNCF's bias correction for this
    layer): the split alone cost FSRCNN-s x2's FP32 IR 0.006 dB on BSD200-val's 5 worst, 0.059
    with nearest rounding and no correction (benchmarks/probes/remainder_first_layer.py).
    ``split=False``: the weights rounded and the bias corrected only, the layer left float (what
    PTQ calibrates the later layers on; splitting after that moves nothing more). In place;
    ``only``: the names that may be rewritten (None: any); returns the names rewritten (the first
    branch keeps the layer's name, the second adds /remainder)."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)
    done = []
    for conv, const in list(_image_layers(ov_model, only)):
        name = conv.get_friendly_name()
        w = const.get_data().astype(np.float32)
        q, scale = int8_weights(w)
        moved = (w - q.astype(np.float32) * scale.reshape(-1, 1, 1, 1)).reshape(w.shape[0], -1).sum(axis=1) * mean
        bias = _bias_after(conv)
        if bias is not None and np.any(moved):
            add, port = bias
            old = add.input(port).get_source_output().get_node().get_data().astype(np.float32)
            add.input(port).replace_source_output(ops.constant(old + moved.reshape(old.shape)).output(0))
        a = conv.get_attributes()
        if not split:
            rounded = q.astype(np.float32) * scale.reshape(-1, 1, 1, 1)
            conv.input(1).replace_source_output(ops.constant(rounded).output(0))
            done.append(name)
            continue
        image = conv.input(0).get_source_output()
        shifted = ops.subtract(image, ops.constant(np.float32(STEP / 2)))
        whole = _quantizer(ops, shifted, 1.0, name + "/fq_input_0")
        part = _quantizer(ops, ops.subtract(image, whole), STEP, name + REMAINDER + "/fq_input_0")
        branches = []
        for src, label in ((whole, name), (part, name + REMAINDER)):
            new = ops.convolution(
                src, _dequantized(ops, q, scale, label), a["strides"], a["pads_begin"], a["pads_end"], a["dilations"]
            )
            new.set_friendly_name(label)
            branches.append(new)
        total = ops.add(*branches)
        total.set_friendly_name(name + "/sum")
        conv.output(0).replace(total.output(0))
        done.append(name)
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done
