"""Reading an OpenVINO graph: which convolutions run in INT8, their multiply-adds, the ops of
the bicubic skip branch. Used by quantize (to decide), profile and the tests (to check)."""

from __future__ import annotations

import numpy as np


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


def conv_macs(ov_model, side: int = 24, *, size: tuple[int, int] | None = None, skip: bool = False) -> dict[str, int]:
    """Multiply-adds of each convolution (by name) on a side x side input (or ``size`` =
    (height, width)), the bicubic skip branch excluded unless ``skip``."""
    model = ov_model.clone()
    model.reshape([1, 1, *(size or (side, side))])
    macs = {}
    for op in model.get_ordered_ops():
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
    import openvino as ov

    fqs = [fq for fq in image_quantizers(ov_model) if fq.get_levels() == 256]
    for fq in fqs:
        for port, value in ((1, 0.0), (2, 1.0), (3, 0.0), (4, 1.0)):
            old = fq.input(port).get_source_output()
            const = ov.opset13.constant(np.full(list(old.get_shape()), value, dtype=np.float32))
            fq.input(port).replace_source_output(const.output(0))
    return len(fqs)


def first_layer_rows(ov_model, only=None) -> list[str]:
    """Rewrite each k x k 'same' convolution of a one-channel input (SRCNN's 9x9 conv1) as the
    same function on the image's k row-shifted copies: ExtractImagePatches (k x 1) makes the k
    channels, then a 1 x k convolution whose weight (oc, k, 1, k) is the original's rows.

    The same multiply-adds, but k input channels instead of one: on 256-bit AVX2 without VNNI
    (AMD EPYC Zen 3) the INT8 kernel of the one-channel form reached 34 GMAC/s and SRCNN x3's
    INT8 IR ran 1.59-1.81x faster in this form (docs/performance.md). The copies made by a
    one-hot k x 1 convolution or by row slices instead ran no faster in FP32 (session 18,
    benchmarks/probes/rows_builders.py). In place; ``only``: the names that may be rewritten
    (None: any); returns the names of the convolutions rewritten (names kept)."""
    from openvino import opset3

    done = []
    for conv in list(ov_model.get_ordered_ops()):
        if conv.get_type_name() != "Convolution" or (only is not None and conv.get_friendly_name() not in only):
            continue
        w = conv.input(1).get_source_output().get_node()
        if w.get_type_name() != "Constant":
            continue
        oc, ic, kh, kw = list(w.get_output_shape(0))
        if ic != 1 or kh < 3 or kh % 2 == 0 or not _plain_pads(conv, [kh // 2, kw // 2]):
            continue
        rows = opset3.extract_image_patches(conv.input(0).get_source_output(), [kh, 1], [1, 1], [1, 1], "same_upper")
        rows.set_friendly_name(conv.get_friendly_name() + "/rows")
        new = _conv(rows, w.get_data().reshape(oc, kh, 1, kw), [0, kw // 2], conv.get_friendly_name())
        conv.output(0).replace(new.output(0))
        done.append(conv.get_friendly_name())
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done


def row_pairs(ov_model, only=None) -> list[str]:
    """Rewrite each column pair (:class:`xeonsr.models.srcnn.ColumnPair` as exported: an f x 1
    convolution to n*f channels, one per output and kernel column, then the 1 x f convolution
    adding each output's columns back) as its row pair: a 1 x f convolution to n*f channels, one
    per output and kernel row, then the f x 1 convolution adding the rows back.

    The same multiply-adds and the same function (float summation order aside). On 256-bit AVX2
    (AMD EPYC Zen 3, FP32, 2 threads, 160x140 LR) SRCNN x3's last layer ran 1.6x faster in this
    form (8.3 vs 13.1 ms; the vertical pass reads whole rows of the n*f-channel map). In place;
    returns the names of the column convolutions rewritten (names kept). ``only``: the names
    that may be rewritten, both convolutions of a pair (None: any)."""
    done = []
    for combine in list(ov_model.get_ordered_ops()):
        if combine.get_type_name() != "Convolution":
            continue
        cols = combine.input(0).get_source_output().get_node()
        if cols.get_type_name() != "Convolution" or len(cols.output(0).get_target_inputs()) != 1:
            continue
        if only is not None and not {cols.get_friendly_name(), combine.get_friendly_name()} <= set(only):
            continue
        wc_node, wb_node = (n.input(1).get_source_output().get_node() for n in (cols, combine))
        if wc_node.get_type_name() != "Constant" or wb_node.get_type_name() != "Constant":
            continue
        wc, wb = wc_node.get_data(), wb_node.get_data()
        nf, c, f, one = wc.shape
        if one != 1 or f < 2 or nf % f or wb.shape != (nf // f, nf, 1, f):
            continue
        n = nf // f
        onehot = np.zeros_like(wb)
        for p in range(n):
            onehot[p, p * f : (p + 1) * f, 0] = np.eye(f, dtype=wb.dtype)
        # Column k of output p may carry a factor (INT8 IRs: cross-layer equalization scaled the
        # combine of a float last layer); it moves into that column's taps.
        factor = wb[onehot == 1].reshape(n, f)
        if not np.array_equal(wb, onehot * wb) or not (
            _plain_pads(cols, [f // 2, 0]) and _plain_pads(combine, [0, f // 2])
        ):
            continue
        # wc[p*f + k, c, dy, 0] is tap (dy, k) of output p; the rows weight holds it at p*f + dy, dx = k.
        taps = (wc[:, :, :, 0].reshape(n, f, c, f) * factor[:, :, None, None]).transpose(0, 3, 2, 1)  # (p, dy, c, k)
        image = cols.input(0).get_source_output()
        rows = _conv(image, taps.reshape(nf, c, 1, f), [0, f // 2], cols.get_friendly_name())
        add = _conv(rows, onehot.reshape(n, nf, f, 1), [f // 2, 0], combine.get_friendly_name())
        combine.output(0).replace(add.output(0))
        done.append(cols.get_friendly_name())
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done


def _conv(source, weight: np.ndarray, pads: list[int], name: str):
    """A stride-1 convolution with symmetric ``pads`` named ``name``: the rewrites keep the
    stored layer names, which kernel plans, profiles and FP32 layer lists refer to."""
    import openvino.opset13 as ops

    conv = ops.convolution(source, ops.constant(np.ascontiguousarray(weight)), [1, 1], pads, pads, [1, 1])
    conv.set_friendly_name(name)
    return conv


def _plain_pads(conv, pads: list[int]) -> bool:
    a = conv.get_attributes()
    return (
        list(a["pads_begin"]) == pads == list(a["pads_end"])
        and list(a["strides"]) == [1, 1] == list(a["dilations"])
        and a.get("auto_pad", "explicit") in ("explicit", "notset")
    )


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


# Exact rewrites an FP32 IR gets where it is compiled, per CPU class: the store keeps one FP32 IR
# for every CPU and these forms pay on one class. 256-bit AVX2 (AMD EPYC Zen 3, 2 threads, 160x140
# LR, `python benchmarks/probes/fp32_forms.py 2 15 ...`): SRCNN x3 1.42x faster with both,
# srcnn-955 1.10x, FSRCNN x3 1.06x, FSRCNN-s 1.05x, DCSCN 1.04x (its first layer in rows). On the
# Zen 4 (AVX-512) the rows form was not faster (docs/performance.md), so the VNNI class keeps the
# stored graph (and its measured kernel plans, xeonsr.kernels, named after the stored layers).
# In an INT8 IR they touch only the float layers no quantizer follows: SRCNN x3's AVX2 IR (float
# last layer) 1.20x faster, srcnn-955 1.05x (`python benchmarks/probes/host_forms_now.py 2 12 ...`).
HOST_FORMS = {"avx2": (first_layer_rows, row_pairs)}


def host_forms(ov_model, isa_class: str, inference_precision: str = "f32", kernels=None) -> list[str]:
    """Rewrite ``ov_model`` in place into the exact FP32 forms of CPU class ``isa_class``
    (``xeonsr.info.cpu_info().isa_class``; :data:`HOST_FORMS`); returns the layers rewritten.
    In an INT8 IR only the float layers whose output is not quantized again
    (:func:`unquantized_tail`): every quantized layer sees the values it was budget-checked
    with. Nothing for another inference precision, or an IR run on a kernel plan."""
    if inference_precision != "f32" or kernels:
        return []
    only = None
    if any(op.get_type_name() == "FakeQuantize" for op in ov_model.get_ops()):
        only = unquantized_tail(ov_model)
    done = []
    for rewrite in HOST_FORMS.get(isa_class, ()):
        done += rewrite(ov_model, only=only)
    return done
