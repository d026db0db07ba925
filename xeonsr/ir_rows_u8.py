"""The quantized rows form with its copies made after the quantizer: the image's k row-shifted
copies that a quantized one-channel first layer reads in rows (xeonsr.ir_forms.first_layer_rows)
built from the quantized image by a zero Pad, k row Slices and a Concat, instead of
ExtractImagePatches on the float image and a FakeQuantize of all k copies."""

from __future__ import annotations

import numpy as np


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

    In place; ``only``: the FakeQuantize names that may be rewritten (None: any); returns the
    names of the convolutions that read the copies (layer names, as the other forms return)."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)

    def i64(values):
        return ops.constant(np.array(values, np.int64))

    done = []
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
        r = k // 2
        padded = ops.pad(q, i64([0, 0, r, 0]), i64([0, 0, r, 0]), "constant")
        height = ops.gather(ops.shape_of(q, "i64"), i64([2]), i64(0))
        copies = []
        for dy in range(k):
            start = i64([dy])
            copies.append(ops.slice(padded, start, ops.add(start, height), i64([1]), i64([2])))
        rows = ops.concat(copies, 1)
        rows.set_friendly_name(name + "/copies")
        readers = [i.get_node().get_friendly_name() for i in fq.output(0).get_target_inputs()]
        fq.output(0).replace(rows.output(0))
        done += readers
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done
