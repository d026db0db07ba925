"""Exact rewrites of an OpenVINO graph: the same function in a form that runs faster on one CPU
class. Quantize uses them before PTQ (the form an INT8 IR is checked in); the runtime and profile
apply :data:`HOST_FORMS` where an IR is compiled."""

from __future__ import annotations

import numpy as np

from xeonsr.ir_blocked import blocked_chain, blocked_chain_avx512, blocked_chain_avx512_1x1, depthwise_halves
from xeonsr.ir_concat import concat_sums
from xeonsr.ir_graph import float_layers, unquantized_tail
from xeonsr.ir_pad import one_pad
from xeonsr.ir_pairs import column_pairs, combine_shifts, last_layer_depthwise
from xeonsr.ir_rows_u8 import keeps_zero, quantized_rows_by_conv, quantized_rows_by_slices
from xeonsr.ir_switch import rows_or_columns
from xeonsr.ir_weights import conv_on, plain_pads, same_scales, weight_chain


def first_layer_rows(ov_model, only=None) -> list[str]:
    """Rewrite each k x k 'same' convolution of a one-channel input (SRCNN's 9x9 conv1) as the
    same function on the image's k row-shifted copies: ExtractImagePatches (k x 1) makes the k
    channels, then a 1 x k convolution whose weight (oc, k, 1, k) is the original's rows.

    The same multiply-adds, but k input channels instead of one: on 256-bit AVX2 without VNNI
    (AMD EPYC Zen 3) the INT8 kernel of the one-channel form reached 34 GMAC/s and SRCNN x3's
    INT8 IR ran 1.59-1.81x faster in this form (docs/performance.md). The copies made by a
    one-hot k x 1 convolution or by row slices instead ran no faster in FP32 (session 18,
    benchmarks/probes/rows_builders.py). In place; ``only``: the names that may be rewritten
    (None: any); returns the names of the convolutions rewritten (names kept).

    A quantized layer (a QAT IR: the image's FakeQuantize before it, int8 weights dequantized
    per output channel) keeps its quantizers: the image's moves after the copies (it is
    elementwise and maps 0, the copies' padding, to 0) and the weights' int8 constant is
    reshaped under the same per-channel scales, so the INT8 function is the same too."""
    from xeonsr.openvino_releases import opset

    ops, opset3 = opset(13), opset(3)

    done = []
    for conv in list(ov_model.get_ordered_ops()):
        if conv.get_type_name() != "Convolution" or (only is not None and conv.get_friendly_name() not in only):
            continue
        chain = weight_chain(conv)
        if chain is None:
            continue
        w = chain[-1]
        oc, ic, kh, kw = list(w.get_output_shape(0))
        if ic != 1 or kh < 3 or kh % 2 == 0 or not plain_pads(conv, [kh // 2, kw // 2]):
            continue
        image = conv.input(0).get_source_output()
        fq = image.get_node() if image.get_node().get_type_name() == "FakeQuantize" else None
        if fq is not None:
            if not keeps_zero(fq):
                continue
            image = fq.input(0).get_source_output()
        rows = opset3.extract_image_patches(image, [kh, 1], [1, 1], [1, 1], "same_upper")
        rows.set_friendly_name(conv.get_friendly_name() + "/rows")
        if fq is not None:
            ranges = [fq.input(i).get_source_output() for i in range(1, 5)]
            rows = ops.fake_quantize(rows, *ranges, fq.get_levels())
            rows.set_friendly_name(fq.get_friendly_name() + "/rows")
        new = conv_on(
            rows, same_scales(chain, w.get_data().reshape(oc, kh, 1, kw)), [0, kw // 2], conv.get_friendly_name()
        )
        conv.output(0).replace(new.output(0))
        done.append(conv.get_friendly_name())
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done


def int8_first_layer_rows(ov_model, only=None) -> list[str]:
    """:func:`first_layer_rows` for a quantized one-channel first layer of 9 x 9 or more (SRCNN's
    conv1 in a VNNI-made INT8 IR), its row copies made from the quantized image by a one-hot
    convolution and read in 2 blocks of 5 rows (:func:`xeonsr.ir_rows_u8.quantized_rows_by_conv`),
    the int8 weights rearranged, so the layer sums the same integer products (bit for bit the
    stored output). AMX multiplies tiles 64 int8 values deep, which one input channel leaves nearly
    empty: there the 9 x 9 layer ran in half the node time as 9 channels and a 1 x 9 convolution.
    On a family 6 model 167 Xeon, 9 copies in u8 by Pad, Slices and Concat (session 76; before,
    ExtractImagePatches and a quantizer of 9 float planes) 1.00-1.10x, by the convolution (session
    77) 1.01-1.08x again, 2 copies and a 5 x 9 layer 1.00-1.09x on top (docs/performance.md).
    Float layers and 5 x 5 or 3 x 3 first layers (FSRCNN, DCSCN: copies cost what they gained) stay."""
    quantized = set()
    floats = set(float_layers(ov_model))
    for op in ov_model.get_ordered_ops():
        name = op.get_friendly_name()
        if op.get_type_name() == "Convolution" and name not in floats and (only is None or name in only):
            kernel = op.input(1).get_partial_shape()
            if kernel[1].get_length() == 1 and kernel[2].get_length() >= 9 and kernel[3].get_length() > 1:  # not copies
                quantized.add(name)
    done = first_layer_rows(ov_model, only=quantized) if quantized else []
    if done:
        quantized_rows_by_conv(ov_model, only=_row_quantizers(ov_model))
    return done


def _row_quantizers(ov_model) -> set[str]:
    """The FakeQuantizes :func:`first_layer_rows` put on a quantized layer's row copies."""
    return {
        op.get_friendly_name()
        for op in ov_model.get_ordered_ops()
        if op.get_type_name() == "FakeQuantize" and op.get_friendly_name().endswith("/rows")
    }


def int8_first_layer_blocks(ov_model, only=None) -> list[str]:
    """A quantized one-channel first layer smaller than 9 x 9 (FSRCNN's 5 x 5, DCSCN's 3 x 3 in a
    VNNI-made INT8 IR) in rows (:func:`first_layer_rows`), its copies made in u8 after the
    quantizer and read in blocks (:func:`xeonsr.ir_rows_u8.quantized_rows_by_slices`: FSRCNN's
    5 x 5 as 2 x 2 blocks of 3 x 3, 4 channels), on oneDNN's JIT kernel: the same integer sums,
    the output bit for bit the stored one's. VNNI sums 4 int8 products per lane, so one input
    channel fills a quarter of each: on an AMD EPYC Zen 4 (2 threads) FSRCNN x3's first layer took
    0.20-0.22 ms in blocks instead of 0.39-0.40, on the plugin's own brgemm kernel 0.46, and
    FSRCNN x3 INT8 ran 1.08-1.11x faster at four sizes, x4 1.08-1.10x, FSRCNN-s x4 1.02-1.05x,
    DCSCN level (0.97-1.02x; session 61, `python benchmarks/probes/vnni_blocks_vs_commit.py 10
    160x140,92x92,240x192,170x170 fsrcnn:3,... cdc2f63`). SRCNN's 9 x 9 gained
    nothing there (0.96-1.02x), so it stays. Returns the layers rewritten (names kept)."""
    floats = set(float_layers(ov_model))
    small = set()
    for op in ov_model.get_ordered_ops():
        name = op.get_friendly_name()
        if op.get_type_name() == "Convolution" and name not in floats and (only is None or name in only):
            kernel = op.input(1).get_partial_shape()
            if kernel[1].get_length() == 1 and kernel[2].get_length() < 9:
                small.add(name)
    done = first_layer_rows(ov_model, only=small) if small else []
    if not done:
        return []
    quantized_rows_by_slices(ov_model, only=_row_quantizers(ov_model))
    for op in ov_model.get_ordered_ops():
        if op.get_friendly_name() in done and op.get_type_name() == "Convolution":
            op.get_rt_info()["PrimitivesPriority"] = "cpu:jit_avx512"  # the plugin's brgemm kernel: 0.46 ms
    return done


def row_pairs(ov_model, only=None, lanes: int = 8, outputs: int | None = None) -> list[str]:
    """Rewrite each column pair (:func:`_column_pairs`) as its row pair: a 1 x f convolution to
    n*f channels, one per output and kernel row, then the f x 1 convolution adding the rows back.

    The same multiply-adds and the same function (float summation order aside). On 256-bit AVX2
    (AMD EPYC Zen 3, FP32, 2 threads, 160x140 LR) SRCNN x3's last layer ran 1.6x faster in this
    form (8.3 vs 13.1 ms; the vertical pass reads whole rows of the n*f-channel map). In place;
    returns the names of the column convolutions rewritten (names kept). ``only``, ``outputs``:
    which pairs (:func:`_column_pairs`).

    Fewer than ``lanes`` row channels (SRCNN's 5) are padded with zero filters to ``lanes``, one
    full vector per pixel, and the adding-back convolution reads the zero channels with zero
    weights: the same output to the bit. Session 21, Zen 3, 160x140 LR, three interleaved runs
    (`python benchmarks/probes/last_layer_pad.py 2 10 160x140 IR`): SRCNN x3 FP32 1.08x faster on 2
    threads (1.03-1.06x on one), its AVX2 INT8 IR 1.02-1.04x, srcnn-955 x3 FP32 1.01-1.04x."""
    done = []
    for cols, combine, taps in column_pairs(ov_model, only, outputs):
        n, f, c, _ = taps.shape
        nf = n * f
        onehot = np.zeros((n, nf, f, 1), taps.dtype)
        for p in range(n):
            onehot[p, p * f : (p + 1) * f, :, 0] = np.eye(f, dtype=taps.dtype)
        taps = taps.reshape(nf, c, 1, f)  # the rows weight holds tap (dy, dx) of output p at p*f + dy, dx
        if nf < lanes:
            taps = np.concatenate([taps, np.zeros((lanes - nf, c, 1, f), taps.dtype)])
            onehot = np.concatenate([onehot, np.zeros((n, lanes - nf, f, 1), onehot.dtype)], axis=1)
        rows = conv_on(cols.input(0).get_source_output(), taps, [0, f // 2], cols.get_friendly_name())
        add = conv_on(rows, onehot, [f // 2, 0], combine.get_friendly_name())
        combine.output(0).replace(add.output(0))
        done.append(cols.get_friendly_name())
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done


# Exact rewrites an FP32 IR gets where it is compiled, per CPU class: the store keeps one FP32 IR
# for every CPU and these forms pay on one class. 256-bit AVX2 (AMD EPYC Zen 3, 2 threads, 160x140
# LR, `python benchmarks/probes/fp32_forms.py 2 15 ...`): SRCNN x3 1.42x faster with both,
# srcnn-955 1.10x, FSRCNN x3 1.06x, FSRCNN-s 1.05x, DCSCN 1.04x (its first layer in rows). On the
# Zen 4 (AVX-512 VNNI) neither form was faster (docs/performance.md): that class keeps the stored
# graph. On the Intel Xeon with AMX (session 34, `python benchmarks/probes/amx_row_pairs.py 2 10
# ... 160x140 shipped,rp5,dw`, three runs) SRCNN's last layer as a depthwise convolution and a
# channel sum ran SRCNN x3 FP32 1.07-1.13x faster, x2 1.05-1.08x, srcnn-955 x3 1.00-1.03x (as its
# 5-channel row pair: 1.06-1.08x, 1.01-1.03x, 1.01-1.02x); FSRCNN's nine-output heads as row pairs
# 0.96-1.05x and the first layer in rows 0.98x, so that class gets the depthwise last layer only.
# In an INT8 IR they touch only the float layers no quantizer follows: SRCNN x3's AVX2 IR (float
# last layer) 1.20x faster, srcnn-955 1.05x (`python benchmarks/probes/host_forms_now.py 2 12 ...`).
# The forms in INT8_FORMS are exact on quantized layers too (the same integer sums) and take them:
# on AMX SRCNN's INT8 first layer in rows ran SRCNN x2/x3/x4 and srcnn-955 x3 INT8 1.05-1.36x
# faster, bit for bit the same output (session 35, `python benchmarks/probes/amx_int8_rows_builders.py
# 2 30 ...` at three sizes on a busy host; benchmarks/results/amx_int8_first_rows_intel_xeon_amx_2c_s35.txt).
# Since session 46 the AVX2 class also computes DCSCN's convolutions of channel concatenations as
# sums of convolutions (xeonsr.ir_concat): DCSCN x2/x3/x4 FP32 0.97-1.08x, 16 of 18 at 1.01x or more
# (`python benchmarks/probes/dcscn_fp32_forms.py 2 12 170x150,92x92 3,2,4 nosums,sums`, 3 runs).
# Since session 50 the AVX2 INT8 IRs' quantized first layers in rows get their copies after the
# quantizer (xeonsr.ir_rows_u8), bit for bit: on a Zen 2 SRCNN x2/x3/x4 INT8 1.04-1.05x, FSRCNN
# x3/x4 1.00x (`python benchmarks/probes/int8_rows_slices.py 2 10 160x140,121x83,255x190 ...`);
# since session 51 SRCNN's 9 x 9 reads them as 27 channels (3 column groups of the 9 rows, a 1 x 3
# layer): SRCNN x2/x3/x4 INT8 1.07-1.08x more on the Zen 2, bit for bit
# (`python benchmarks/probes/int8_rows_by_blocks.py 2 6 160x140,121x83,255x190 IR 3 twostage`).
# Since session 52 an FP32 9 x 9 first layer in rows runs in columns where the image's width is 3
# mod 4 (xeonsr.ir_switch, an If on the width): SRCNN x3 FP32 1.06-1.10x there on the Zen 2, the If
# about 1% elsewhere (`python benchmarks/probes/rows_or_columns.py 2 20 117x96,85x85,93x93,...`).
# Since session 54 the AVX2 class pads the bicubic skip's input by one symmetric Pad instead of
# torch's ten Slices and Concats (xeonsr.ir_pad): the same values, on the Zen 2 FSRCNN x3 INT8
# 1.00-1.03x, FSRCNN-s INT8 1.04-1.05x, the FP32 IRs 0.99-1.04x, SRCNN and DCSCN INT8 1.00-1.01x
# (`python benchmarks/probes/bicubic_pad_forms.py 2 20 160x140,92x92 fsrcnn:int8,...`, two runs).
# Since session 55 FSRCNN's quantized 5 x 5 reads its u8 copies in 2 x 2 blocks of 3 x 3
# (xeonsr.ir_rows_u8.blocks), bit for bit: FSRCNN x3 INT8 1.005-1.018x on the Zen 2
# (`python benchmarks/probes/form_vs_commit.py 2 20 160x140,92x92,240x192 fsrcnn:int8 bff3855 ...`).
# Since session 55 SRCNN's FP32 IRs run on oneDNN's blocked AVX2 kernels (xeonsr.ir_blocked: the
# first layer on 3 row copies on `jit_avx2`, every layer after it kept in 8-channel blocks): on the
# Zen 2 SRCNN x2/x3/x4 and srcnn-955 x3 1.06-1.41x faster than this class's forms before
# (`python benchmarks/probes/srcnn_blocked.py 2 10 160x140,92x92,240x192,117x96 ...`).
HOST_FORMS = {
    "avx2": (
        blocked_chain,
        first_layer_rows,
        row_pairs,
        concat_sums,
        quantized_rows_by_slices,
        rows_or_columns,
        one_pad,
    ),
    # Since session 66 (an Intel Xeon with AMX, Emerald Rapids, 2 threads, a noisy host) the VNNI
    # class's forms too, SRCNN's chain only with its 1 x 1 middle and the 9 x 9 INT8 first layer
    # still in rows: SRCNN x2/x3/x4 FP32 1.05-1.22x by the median round, FSRCNN x2/x3 INT8 (their
    # first layers in blocks) 1.18-1.32x, the rest 0.94-1.15x, the same outputs (FP32 within 8e-7)
    # (`python benchmarks/probes/class_forms_here.py 2 10 160x140,92x92,240x192 srcnn:3:fp32,... VARIANTS`).
    # Since session 76 DCSCN's FP32 concatenations summed away: 0.98-1.08x by the median round (model 167).
    "avx512_amx": (
        blocked_chain_avx512_1x1,
        last_layer_depthwise,
        int8_first_layer_rows,
        int8_first_layer_blocks,
        one_pad,
        combine_shifts,
        concat_sums,
    ),
    # Since session 58: SRCNN's FP32 chain on the jit_avx512 kernels, 1.28-1.42x the default kernels
    # on a Zen 4 (`python benchmarks/probes/blocked_avx512.py 2 5 160x140,92x92,170x170,240x192 ...`).
    # Since session 62 the bicubic skip's one Pad too: on the Zen 4 every x3 IR 1.00-1.09x by the
    # median round, FSRCNN-s INT8 1.04-1.09x, FSRCNN INT8 1.02-1.04x, the same output to the bit
    # (`python benchmarks/probes/bicubic_pad_forms.py 2 20 160x140,92x92 fsrcnn:int8,...`, two runs).
    # Since session 65 a column pair's float combine as shifts and sums (xeonsr.ir_pairs.combine_shifts):
    # FSRCNN x2 INT8 (its combine float) 1.08-1.11x on the Zen 4, FSRCNN and FSRCNN-s x2/x3 FP32
    # 1.02-1.10x, the same values
    # (`python benchmarks/probes/combine_shifts_vs_commit.py 10 160x140,92x92,240x192 fsrcnn:2:int8,... COMMIT`).
    "avx512_vnni": (blocked_chain_avx512, int8_first_layer_blocks, one_pad, combine_shifts),
}
INT8_FORMS = (int8_first_layer_rows, quantized_rows_by_slices, int8_first_layer_blocks)
EVERY_IR_FORMS = (one_pad,)  # float ops whose values do not change at all: any IR, quantized or not
SIZED_FORMS = (rows_or_columns,)  # a form per image width: one for a given LR size, else an If
# Forms for a graph compiled for one input shape (xeonsr.ov_shapes), after a class's forms: where
# OpenVINO splits in place. Since session 56: SRCNN x2/x3/x4 FP32 1.04-1.56x faster on the Zen 2,
# srcnn-955 1.005-1.03x (`python benchmarks/probes/static_shapes.py 2 8 160x140,92x92,170x170,240x192 ...`).
STATIC_FORMS = {"avx2": (depthwise_halves,)}


def host_forms(
    ov_model,
    forms_class: str,
    inference_precision: str = "f32",
    kernels=None,
    lr_size: tuple[int, int] | None = None,
    static: bool = False,
) -> list[str]:
    """Rewrite ``ov_model`` in place into the exact forms of CPU class ``forms_class``
    (``xeonsr.info.cpu_info().forms_class``; :data:`HOST_FORMS`); returns the layers rewritten.
    In an INT8 IR a float form takes only the float layers whose output is not quantized again
    (:func:`unquantized_tail`): every quantized layer sees the values it was budget-checked
    with; an :data:`INT8_FORMS` form computes the same integers, an :data:`EVERY_IR_FORMS` one the
    same values (so quantized or not, they take any layer). Nothing for another inference
    precision. A layer a kernel plan (``kernels``, named after the stored graph) puts on a kernel
    keeps its stored form, so the plan means what was measured (an :data:`EVERY_IR_FORMS` form
    leaves the layer itself as stored and rewrites only what feeds it: it takes those layers
    too; session 62, FSRCNN x2/x4 and FSRCNN-s x4 INT8 on their plans 0.96-1.07x on a Zen 4, level to faster,
    `python benchmarks/probes/bicubic_pad_forms.py 2 20 160x140,92x92 fsrcnn:int8:4,...`); a rewrite takes both
    convolutions of a pair or neither. ``lr_size`` (height, width): the graph only ever runs at
    that size (a profile, a tuning run), so a :data:`SIZED_FORMS` form takes that size's form
    where it would otherwise compile a choice (xeonsr.ir_switch). ``static``: the graph has been
    reshaped to one input shape, so the class's :data:`STATIC_FORMS` follow."""
    if inference_precision != "f32":
        return []
    every = {op.get_friendly_name() for op in ov_model.get_ordered_ops()}
    names = every - set(kernels or {})
    only = names
    if any(op.get_type_name() == "FakeQuantize" for op in ov_model.get_ops()):
        only = names & unquantized_tail(ov_model)
    done = []
    for rewrite in HOST_FORMS.get(forms_class, ()):
        if rewrite in SIZED_FORMS and kernels and lr_size is None:
            continue  # its If would hide the planned layers from the plan
        sized = {"lr_size": lr_size} if rewrite in SIZED_FORMS else {}
        scope = every if rewrite in EVERY_IR_FORMS else names if rewrite in INT8_FORMS else only
        done += rewrite(ov_model, only=scope, **sized)
    for rewrite in STATIC_FORMS.get(forms_class, ()) if static else ():
        done += rewrite(ov_model, only=only)
    return done


def static_forms_apply(ov_model, forms_class: str) -> bool:
    """Whether any of the class's :data:`STATIC_FORMS` would rewrite ``ov_model`` (already in
    the class's host forms): whether compiling it for each shape it runs at can pay."""
    return any(rewrite(ov_model.clone()) for rewrite in STATIC_FORMS.get(forms_class, ()))
