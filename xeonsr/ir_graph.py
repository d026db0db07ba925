"""Reading an OpenVINO graph: which convolutions run in INT8, their multiply-adds, the ops of
the bicubic skip branch. Used by quantize (to decide), profile and the tests (to check)."""

from __future__ import annotations

import numpy as np


def module_path(layer: str) -> str:
    """The PyTorch module path of an IR layer ("__module.body.0/aten::_convolution/Convolution"
    -> "body.0"): the exported IRs name each layer after the module it came from."""
    return layer.split("/", 1)[0].removeprefix("__module.")


def skip_branch_ops(ov_model) -> list[str]:
    """Ops of the bicubic skip branch and the residual Add that joins it to the network.

    They must stay float. NNCF otherwise puts separately calibrated quantizers on the pieces of
    the branch's symmetric padding and on both inputs of the final Add, i.e. it rounds the output
    image itself to 8 bits with calibration ranges: about -1.5 dB on Set5 for FSRCNN x3, in any
    single-layer experiment. The branch costs ~3% of FSRCNN's time, so nothing is lost by
    keeping it float.
    """
    names = []
    for op in ov_model.get_ops():
        name = op.get_friendly_name()
        if name.startswith("__module.upsample/"):
            names.append(name)
        elif op.get_type_name() == "Add" and name.startswith("aten::add"):
            names.append(name)  # a `+` in forward() (the skip), not a convolution's bias
    return names


CONVOLUTIONS = ("Convolution", "GroupConvolution", "ConvolutionBackpropData")


def chain_ends(ov_model, float_names) -> list[str]:
    """Convolutions at an end of the INT8 chain: what feeds them (through non-convolution ops)
    is the input image or float convolutions only, or what they feed is the output or float
    convolutions only. Keeping one of these float adds no precision change inside the chain.

    ``float_names``: convolutions already float (the skip branch's count as float too)."""
    floats = set(float_names)
    convs = [op for op in ov_model.get_ordered_ops() if op.get_type_name() in CONVOLUTIONS]

    def reach(op, upstream: bool) -> set:
        """Convolutions (names) or "io" met first from ``op``'s data path, one way."""
        seen, found, todo = set(), set(), [op]
        while todo:
            cur = todo.pop()
            nxt = (
                [cur.input(0).get_source_output().get_node()] if cur is op and upstream
                else [i.get_source_output().get_node() for i in cur.inputs()] if upstream
                else [t.get_node() for o in cur.outputs() for t in o.get_target_inputs()]
            )  # fmt: skip
            for n in nxt:
                key = n.get_friendly_name()
                if key in seen:
                    continue
                seen.add(key)
                kind = n.get_type_name()
                if kind in CONVOLUTIONS:
                    found.add("io" if key.startswith("__module.upsample/") else key)
                elif kind in ("Parameter", "Result"):
                    found.add("io")
                elif kind != "Constant":
                    todo.append(n)
        return found

    ends = []
    for op in convs:
        name = op.get_friendly_name()
        if name in floats or name.startswith("__module.upsample/"):
            continue
        if reach(op, True) <= floats | {"io"} or reach(op, False) <= floats | {"io"}:
            ends.append(name)
    return ends


def float_layers(ov_model) -> list[str]:
    """Convolutions whose activation input is not fake-quantized (kept in floating point)."""
    kept = []
    for op in ov_model.get_ordered_ops():
        if op.get_type_name() in CONVOLUTIONS:
            src = op.input(0).get_source_output().get_node()
            if src.get_type_name() != "FakeQuantize":
                kept.append(op.get_friendly_name())
    return kept


def unquantized_tail(ov_model) -> set[str]:
    """Float convolutions no FakeQuantize is reached from, downstream: in an INT8 IR, the float
    layers whose output goes to the image without being quantized again (FSRCNN's bicubic skip,
    SRCNN's last layer where the AVX2 recipe keeps it float)."""
    floats, tail = set(float_layers(ov_model)), set()
    for op in ov_model.get_ordered_ops():
        if op.get_friendly_name() not in floats:
            continue
        seen, todo, quantized = set(), [op], False
        while todo and not quantized:
            cur = todo.pop()
            for nxt in (t.get_node() for o in cur.outputs() for t in o.get_target_inputs()):
                quantized = nxt.get_type_name() == "FakeQuantize"
                if quantized:
                    break
                if nxt.get_friendly_name() not in seen:
                    seen.add(nxt.get_friendly_name())
                    todo.append(nxt)
        if not quantized:
            tail.add(op.get_friendly_name())
    return tail


def taken_ops(model):
    """``model``'s ops in order, an If (xeonsr.ir_switch) replaced by the ops of the body that a
    static input shape takes: only that body's shapes are known."""
    for op in model.get_ordered_ops():
        if op.get_type_name() != "If":
            yield op
            continue
        for body in (op.get_then_body(), op.get_else_body()):
            if all(p.get_partial_shape().is_static for p in body.get_parameters()):
                yield from taken_ops(body)


def conv_macs(ov_model, side: int = 24, *, size: tuple[int, int] | None = None, skip: bool = False) -> dict[str, int]:
    """Multiply-adds of each convolution (by name) on a side x side input (or ``size`` =
    (height, width)), the bicubic skip branch excluded unless ``skip``."""
    model = ov_model.clone()
    model.reshape([1, 1, *(size or (side, side))])
    macs = {}
    for op in taken_ops(model):
        name = op.get_friendly_name()
        if op.get_type_name() not in CONVOLUTIONS or (name.startswith("__module.upsample/") and not skip):
            continue
        per_pixel = int(np.prod(op.input(1).get_shape()))  # every weight once per output pixel...
        # ...of the output, or of the input for a transposed convolution.
        where = op.input(0) if op.get_type_name() == "ConvolutionBackpropData" else op.output(0)
        macs[name] = per_pixel * int(np.prod(where.get_shape()[2:]))
    return macs


def int8_mac_share(ov_model) -> float:
    """Fraction of the network's convolution multiply-adds that run in INT8."""
    macs = conv_macs(ov_model)
    float_ = set(float_layers(ov_model))
    return sum(v for k, v in macs.items() if k not in float_) / max(1, sum(macs.values()))


# An "INT8" IR whose INT8 layers do little of the work runs at about FP32 speed: srcnn-955 x3
# with only its tiny column-adding layer INT8 (0.04%) took 770 vs 767 ms FP32, fsrcnn-s x2 (8%)
# 13.8 vs 13.6 ms (2 threads, the AVX2 EPYC). xeonsr writes none under half (quantize then
# goes on to QAT, which keeps the big layers INT8).
MIN_INT8_SHARE = 0.5


def int8_layer_count(ov_model) -> int:
    """Convolutions that run in INT8 (0: an "INT8" model that is really the FP32 one)."""
    convs = sum(op.get_type_name() in CONVOLUTIONS for op in ov_model.get_ordered_ops())
    return convs - len(float_layers(ov_model))


def image_quantizers(ov_model) -> list:
    """FakeQuantize ops that quantize the image itself: the input of the first convolution,
    fed by the model's input or by the bicubic skip branch (SRCNN's interpolated image)."""
    found = []
    for op in ov_model.get_ordered_ops():
        if op.get_type_name() != "FakeQuantize":
            continue
        src = op.input(0).get_source_output().get_node()
        while src.get_type_name() == "ExtractImagePatches":  # the image in rows (first_layer_rows)
            src = src.input(0).get_source_output().get_node()
        if src.get_type_name() == "Parameter" or src.get_friendly_name().startswith("__module.upsample/"):
            found.append(op)
    return found


def pin_image_range(ov_model) -> int:
    """Set the image's quantizers to the whole image range [0, 1] in 256 levels.

    Calibrated ranges are those of the calibration crops ([0.0, 0.905] for SRCNN x3 on T91 with
    NNCF's default estimator), so brighter pixels were clipped; the grid of [0, 1] in 256 levels
    is the uint8 grid, so an 8-bit image passes through unchanged. Returns how many were set."""
    from xeonsr.openvino_releases import opset

    fqs = [fq for fq in image_quantizers(ov_model) if fq.get_levels() == 256]
    for fq in fqs:
        for port, value in ((1, 0.0), (2, 1.0), (3, 0.0), (4, 1.0)):
            old = fq.input(port).get_source_output()
            const = opset(13).constant(np.full(list(old.get_shape()), value, dtype=np.float32))
            fq.input(port).replace_source_output(const.output(0))
    return len(fqs)
