"""A one-channel 9 x 9 first layer in rows (xeonsr.ir_forms.first_layer_rows) or in columns, chosen
by the image's width: one graph that holds both and an If on the width.

On a Zen 2 (2 threads, `brgconv_avx2_f32`) the rows form's 1 x 9 layer ran 12-24% slower per pixel
when its output width is 3 mod 4 (`python benchmarks/probes/node_times_by_size.py ... static rows`),
and SRCNN x3 FP32 as shipped with the switch 1.06-1.10x faster than in rows only at such widths,
0.97-1.02x at the others (the If costs about 1% on small images; `python
benchmarks/probes/rows_or_columns.py 2 20 ...`; always in columns loses 1-5% there). At x3 a
quarter of the LR widths give such an output (Set14's coastguard and foreman, Set5's butterfly and
head); at x2 and x4 none does. Both forms sum the same products: the outputs agree to ~4e-7."""

from __future__ import annotations

import numpy as np

from xeonsr.ir_weights import conv_on, weight_chain

COLUMNS_FROM = 9  # measured on SRCNN's 9 x 9; FSRCNN's 5 x 5 in columns ran level at every width
COLUMNS_MOD, COLUMNS_AT = 4, 3  # columns where the width is COLUMNS_AT mod COLUMNS_MOD


def columns_wanted(width: int) -> bool:
    """Whether a first layer of this output width runs in columns (else in rows)."""
    return width % COLUMNS_MOD == COLUMNS_AT


def _rows_layer(ov_model, only):
    """(at, conv, copies) of the first float 1 x k layer on k >= COLUMNS_FROM row copies of one
    channel (``at``: its place in the model's op order), or None."""
    for at, conv in enumerate(ov_model.get_ordered_ops()):
        if conv.get_type_name() != "Convolution" or (only is not None and conv.get_friendly_name() not in only):
            continue
        copies = conv.input(0).get_source_output().get_node()
        chain = weight_chain(conv)
        if copies.get_type_name() != "ExtractImagePatches" or chain is None or len(chain) != 1:
            continue
        k = list(copies.get_attributes()["sizes"])[0]
        if k >= COLUMNS_FROM and list(copies.get_attributes()["sizes"]) == [k, 1]:
            if list(chain[0].get_output_shape(0))[1:] == [k, 1, k]:
                return at, conv, copies
    return None


def _to_columns(conv, copies) -> None:
    """Replace a rows-form layer by the same sums on the image's column-shifted copies."""
    from xeonsr.openvino_releases import opset

    k = list(copies.get_attributes()["sizes"])[0]
    rows = weight_chain(conv)[0].get_data()  # [oc, dy, 0, dx]
    image = copies.input(0).get_source_output()
    cols = opset(3).extract_image_patches(image, [1, k], [1, 1], [1, 1], "same_upper")
    cols.set_friendly_name(conv.get_friendly_name() + "/columns")
    new = conv_on(cols, rows.transpose(0, 3, 1, 2), [k // 2, 0], conv.get_friendly_name())  # [oc, dx, dy, 0]
    conv.output(0).replace(new.output(0))


def _body(ov_model, at: int, name: str, columns: bool):
    """A copy of ``ov_model`` from the image the copies are made of to its results, or None where
    the results read the model's input by another way too. ``at``: the layer's place in the
    model's op order (which a clone keeps)."""
    import openvino as ov

    from xeonsr.openvino_releases import opset

    model = ov_model.clone()
    conv = model.get_ordered_ops()[at]
    if conv.get_friendly_name() != name:
        return None
    copies = conv.input(0).get_source_output().get_node()
    image = copies.input(0).get_source_output()
    if columns:
        _to_columns(conv, copies)
    param = opset(13).parameter(image.get_partial_shape(), image.get_element_type())
    for target in list(image.get_target_inputs()):
        target.replace_source_output(param.output(0))
    try:
        return ov.Model(model.get_results(), [param])
    except RuntimeError:
        return None


def _image_width(ov_model, at: int, lr_size: tuple[int, int]) -> int:
    """The width of the image the copies of the layer at ``at`` are made of, for an LR size."""
    model = ov_model.clone()
    model.reshape([1, 1, *lr_size])
    return int(model.get_ordered_ops()[at].input(0).get_source_output().get_node().get_input_shape(0)[3])


def rows_or_columns(ov_model, only=None, lr_size: tuple[int, int] | None = None) -> list[str]:
    """Make a rows-form first layer run in columns where the image's width wants it
    (:func:`columns_wanted`): for an LR size (height, width) ``lr_size``, the one form that size
    takes; else an If on the width of the image the copies are made of, both forms compiled
    once. Apply after the other forms: the If holds the graph from that image on as it is (so
    one such layer at most). Returns [] (first_layer_rows names the layer already)."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)
    found = _rows_layer(ov_model, only)
    if found is None:
        return []
    at, conv, copies = found
    image = copies.input(0).get_source_output()
    if lr_size is not None:
        try:
            width = _image_width(ov_model, at, lr_size)
        except RuntimeError:  # not a (1, 1, H, W) model: left in rows
            return []
        if columns_wanted(width):
            _to_columns(conv, copies)
            ov_model.validate_nodes_and_infer_types()
        return []
    cols, rows = (_body(ov_model, at, conv.get_friendly_name(), columns) for columns in (True, False))
    if cols is None or rows is None:
        return []
    width = ops.gather(ops.shape_of(image), ops.constant(np.array([3])), ops.constant(np.int64(0)))
    wanted = ops.equal(ops.mod(width, ops.constant(np.array([COLUMNS_MOD]))), ops.constant(np.array([COLUMNS_AT])))
    switch = ops.if_op(ops.squeeze(wanted, ops.constant(np.array([0]))).output(0))
    switch.set_friendly_name(conv.get_friendly_name() + "/rows_or_columns")
    switch.set_then_body(cols)
    switch.set_else_body(rows)
    switch.set_input(image, cols.get_parameters()[0], rows.get_parameters()[0])
    for result, then, other in zip(ov_model.get_results(), cols.get_results(), rows.get_results(), strict=True):
        names = result.input(0).get_source_output().get_names()  # what a service reads the output by
        out = switch.set_output(then, other)
        result.input(0).replace_source_output(out)
        out.get_tensor().set_names(names)
    ov_model.validate_nodes_and_infer_types()
    return []
