"""The quantized rows form with its copies made after the quantizer: the image's k row-shifted
copies that a quantized one-channel first layer reads in rows (xeonsr.ir_forms.first_layer_rows)
built from the quantized image (by a zero Pad, k row Slices and a Concat, or by one convolution
with one-hot weights), instead of ExtractImagePatches on the float image and a FakeQuantize of
all k copies."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from xeonsr.ir_weights import conv_on, plain_pads, same_scales, weight_chain


def keeps_zero(fq) -> bool:
    """Whether FakeQuantize ``fq`` has one range for the whole tensor and maps 0 to 0 (so it
    commutes with copies padded with zeros)."""
    nodes = [fq.input(i).get_source_output().get_node() for i in range(1, 5)]
    if any(n.get_type_name() != "Constant" or n.get_data().size != 1 for n in nodes):
        return False
    return float(nodes[0].get_data().item()) == 0.0 == float(nodes[2].get_data().item())


def _row_copies(fq):
    """(image, k) when ``fq`` quantizes ExtractImagePatches' k x 1 'same' copies of a one-channel
    image for convolutions alone, and nothing else reads those copies; else None. The image's
    channel count may be dynamic (SRCNN's comes out of the bicubic's pixel shuffle): convolutions
    of k input channels over k copies say it is one."""
    eip = fq.input(0).get_source_output().get_node()
    if eip.get_type_name() != "ExtractImagePatches" or len(eip.output(0).get_target_inputs()) != 1:
        return None
    a = eip.get_attributes()
    k, width = (int(v) for v in a["sizes"])
    plain = [int(v) for v in a["strides"]] == [1, 1] == [int(v) for v in a["rates"]]
    if not plain or width != 1 or k % 2 == 0 or a["auto_pad"] != "same_upper":
        return None
    for reader in (i.get_node() for i in fq.output(0).get_target_inputs()):
        weight = reader.input(1).get_partial_shape() if reader.get_type_name() == "Convolution" else None
        if weight is None or not weight[1].is_static or weight[1].get_length() != k:
            return None
    return eip.input(0).get_source_output(), k


def blocks(k: int, kw: int) -> tuple[int, int]:
    """How a 1 x kw layer over k row copies reads the image best: (a, b), a row blocks of
    ceil(k / a) rows by b column blocks of ceil(kw / b) columns, so a*b copies and a
    ceil(k / a) x ceil(kw / b) layer. The fewest products once the INT8 kernel pads the a*b input
    channels to a multiple of 4, then the fewest copies, then more rows; never more copies than
    the k rows, or :data:`MAX_GROUPS` times them from :data:`GROUPED_FROM` rows. (k, 1): the rows
    as they are."""
    most = k * (MAX_GROUPS if k >= GROUPED_FROM else 1)

    def cost(ab):
        a, b = ab
        return (-(-a * b // 4) * 4 * -(-k // a) * -(-kw // b), a * b, -a)

    return min(((a, b) for a in range(1, k + 1) for b in range(1, kw + 1) if a * b <= most), key=cost)


# SRCNN's 9 x 9: 27 channels (9 rows by 3 column blocks; 28 padded, 3 taps), 84 products per 81
# instead of 108; FSRCNN's 5 x 5: 2 x 2 blocks of 3 x 3 (4 copies, 36 products per 25 instead of
# 40; FSRCNN x3 INT8 1.005-1.018x on a Zen 2, session 55). FSRCNN's 5 x 5 as 15 or 25
# channels lost what its layer gained to the extra copies, and so did SRCNN's as 81 (an im2col,
# 0.85x): session 51 and earlier, benchmarks/probes/int8_rows_by_blocks.py and
# benchmarks/probes/README.md.
GROUPED_FROM, MAX_GROUPS = 9, 3


def quantized_rows_by_slices(ov_model, only=None) -> list[str]:
    """Rewrite each FakeQuantize of a one-channel image's k x 1 row copies (a quantized first
    layer in rows, as quantize stores it in the AVX2 INT8 IRs) as that FakeQuantize on the image,
    then the copies: a zero Pad of k//2 rows above and below, k row Slices, one Concat.

    The same integers reach the layer, so the output is bit for bit the stored form's: the
    quantizer is elementwise with one range and maps 0 (the copies' padding) to 0. OpenVINO
    keeps Pad, Slice and Concat in u8, so it quantizes one plane instead of k and moves bytes
    instead of floats: on an AMD EPYC Zen 2 (160x140 LR, 2 threads) SRCNN x3's INT8 IR spent 1.63
    ms instead of 2.75 in copies, quantizers and reorders and ran 1.04x faster
    (docs/performance.md).

    Where :func:`blocks` finds fewer products, the layer reads a x b blocks instead: the image
    padded by kw//2 columns too (and zero rows and columns past the kernel's last ones), a row
    Slices fr = ceil(k/a) rows apart, b column Slices fc = ceil(kw/b) columns apart over them
    (channel C*a + R), and the layer an fr x fc convolution without padding, its int8 weights
    rearranged under the same per-channel scales. The same integer sums again: SRCNN's 9 x 9 as 9
    rows by 3 column blocks (27 channels where `jit_avx2_I8` padded 9 to 12: SRCNN x2/x3/x4 INT8
    1.07-1.08x faster on the Zen 2), FSRCNN's 5 x 5 as 2 x 2 blocks of 3 x 3 (docs/performance.md).

    In place; ``only``: the FakeQuantize names that may be rewritten (None: any); returns the
    names of the convolutions that read the copies (layer names, as the other forms return)."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)

    def i64(values):
        return ops.constant(np.array(values, np.int64))

    def slices(x, starts, short, axis):
        """[s, end - short + s) along ``axis`` for each s: stops counted from the end, so no
        node computes them from the image's shape at run time (7 to 16 nodes fewer)."""
        end = np.iinfo(np.int64).max
        return [ops.slice(x, i64([s]), i64([s - short if s < short else end]), i64([1]), i64([axis])) for s in starts]

    done = []
    for fq, q, k, readers in _quantized_images(ov_model, only):
        name = fq.get_friendly_name()
        done += [reader.get_friendly_name() for reader in readers]
        in_blocks, r = _blocked_reader(readers, k), k // 2
        if in_blocks is None:
            padded = ops.pad(q, i64([0, 0, r, 0]), i64([0, 0, r, 0]), "constant")
            rows = ops.concat(slices(padded, range(k), 2 * r, 2), 1)
            rows.set_friendly_name(name + "/copies")
            fq.output(0).replace(rows.output(0))
            continue
        (a, b), (fr, fc), c = in_blocks.blocks, in_blocks.taps, in_blocks.width // 2
        er, ec = a * fr - k, b * fc - in_blocks.width  # rows and columns past the kernel: zero weight over zeros
        padded = ops.pad(q, i64([0, 0, r, c]), i64([0, 0, r + er, c + ec]), "constant")
        rows = ops.concat(slices(padded, range(0, a * fr, fr), 2 * r + er - (fr - 1), 2), 1)
        rows.set_friendly_name(name + "/copies")
        if b > 1:  # each block fc - 1 columns past the width
            rows = ops.concat(slices(rows, range(0, b * fc, fc), 2 * c + ec - (fc - 1), 3), 1)
            rows.set_friendly_name(name + "/copies/columns")
        new = conv_on(rows, in_blocks.weight, [0, 0], in_blocks.conv.get_friendly_name())
        in_blocks.conv.output(0).replace(new.output(0))
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done


def quantized_rows_by_conv(ov_model, only=None, row_blocks: int = 2) -> list[str]:
    """As :func:`quantized_rows_by_slices`, the copies made by one convolution of the quantized
    image and read in ``row_blocks`` blocks of fr = ceil(k / row_blocks) rows: copy R is the image
    shifted R*fr - k//2 rows (an int8 kernel of scale 1 with a 1 at row R*fr, padded k//2 rows
    above), back through the image's own quantizer, and the layer an fr x kw convolution over the
    copies, its int8 weights rearranged under the same per-channel scales (zeros for rows past
    the kernel's k). Each copy is its integers times 1, so the layer sums the same integer
    products and the output is bit for bit the stored form's. ``row_blocks`` k: the k rows as they
    are, a 1 x kw layer.

    The copies by Pad, k Slices and Concat ran as 11 reference-kernel nodes into a planar tensor
    that a Reorder then moved to the channels-last layout the layer reads; the convolution writes
    that layout itself, on oneDNN's JIT kernel (its AMX kernels are avoided on k x 1 layers,
    xeonsr.kernels.AVOID). SRCNN x3 INT8 at 160x140 LR on a family 6 model 167 Xeon, 2 threads
    (`xeonsr profile`, two runs each): the 9 copies by Pad, Slices and Concat took 0.54-0.56 ms of
    5.36-5.45 in nodes, by a convolution 0.40 of 5.21-5.23; 2 blocks of 5 rows (two copies, a 5 x
    9 layer over 2 channels) ran faster again on its AMX kernel (docs/performance.md). In place;
    ``only`` and the return as :func:`quantized_rows_by_slices`."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)
    done = []
    for fq, q, k, readers in _quantized_images(ov_model, only):
        done += [reader.get_friendly_name() for reader in readers]
        in_blocks = _blocked_reader(readers, k, (row_blocks, 1)) if row_blocks < k else None
        a, r = row_blocks if in_blocks else k, k // 2
        fr = -(-k // a)
        onehot = np.zeros((a, 1, (a - 1) * fr + 1, 1), np.int8)  # (copies, 1 channel, rows, 1 column)
        onehot[np.arange(a), 0, np.arange(a) * fr, 0] = 1
        weight = ops.multiply(ops.convert(ops.constant(onehot), "f32"), ops.constant(np.ones((a, 1, 1, 1), np.float32)))
        copies = ops.convolution(q, weight, [1, 1], [r, 0], [a * fr - 1 - r, 0], [1, 1])
        copies.set_friendly_name(fq.get_friendly_name() + "/copies")
        copies.get_rt_info()["PrimitivesPriority"] = "cpu:jit_avx512"
        rows = ops.fake_quantize(copies, *(fq.input(i).get_source_output() for i in range(1, 5)), fq.get_levels())
        rows.set_friendly_name(fq.get_friendly_name() + "/copies/quantized")
        if in_blocks is None:
            fq.output(0).replace(rows.output(0))
            continue
        layer = conv_on(rows, in_blocks.weight, [0, in_blocks.width // 2], in_blocks.conv.get_friendly_name())
        in_blocks.conv.output(0).replace(layer.output(0))
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done


def _quantized_images(ov_model, only):
    """(the row copies' FakeQuantize, that quantizer on the image, k, the copies' readers) for each
    quantizer of a one-channel image's k x 1 row copies in ``only`` (None: any) that maps 0 to 0;
    the quantizer on the image is made here, named as the one it replaces."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)
    for fq in list(ov_model.get_ordered_ops()):
        name = fq.get_friendly_name()
        if fq.get_type_name() != "FakeQuantize" or (only is not None and name not in only) or not keeps_zero(fq):
            continue
        found = _row_copies(fq)
        if found is None:
            continue
        image, k = found
        q = ops.fake_quantize(image, *(fq.input(i).get_source_output() for i in range(1, 5)), fq.get_levels())
        q.set_friendly_name(name)
        yield fq, q, k, [i.get_node() for i in fq.output(0).get_target_inputs()]


class _Blocked(NamedTuple):
    conv: object  # the layer that reads the copies
    blocks: tuple[int, int]  # (a, b): a row blocks by b column blocks (xeonsr.ir_rows_u8.blocks)
    taps: tuple[int, int]  # (fr, fc): the blocks' spacing, the new layer's size
    width: int  # kw: the stored 1 x kw layer's
    weight: object  # its weight: the int8 values rearranged under the same dequantizing ops


def _blocked_reader(readers, k: int, ab: tuple[int, int] | None = None) -> _Blocked | None:
    """How the copies' one reader, a 1 x kw layer padded kw//2 columns, reads the image in
    :func:`blocks` (``ab``: in those (a, b) blocks instead); None where it reads the k rows as they are."""
    if len(readers) != 1 or readers[0].get_type_name() != "Convolution":
        return None
    conv = readers[0]
    chain = weight_chain(conv)
    if chain is None:
        return None
    w = chain[-1].get_data()
    oc, _, one, kw = w.shape
    a, b = ab or blocks(k, kw)
    if (a, b) == (k, 1) or one != 1 or not plain_pads(conv, [0, kw // 2]):
        return None
    fr, fc = -(-k // a), -(-kw // b)
    w = np.pad(w[:, :, 0, :], ((0, 0), (0, a * fr - k), (0, b * fc - kw)))  # zero taps past the kernel
    w = w.reshape(oc, a, fr, b, fc).transpose(0, 3, 1, 2, 4).reshape(oc, b * a, fr, fc)  # [o, C*a + R, i, j]
    return _Blocked(conv, (a, b), (fr, fc), kw, same_scales(chain, w))
