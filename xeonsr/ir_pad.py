"""The bicubic skip's symmetric padding as one Pad node (a host form, :data:`xeonsr.ir_forms.HOST_FORMS`).

The exported IRs pad the LR image for their in-graph bicubic upscale as torch traced it: per axis
a Slice of the first p rows, one of the last p, each flipped by a Slice of step -1, and a Concat,
so ten nodes the plugin dispatches one after another on its threads for a few microseconds of
work each. One Pad in "symmetric" mode gives the same values."""

from __future__ import annotations

import numpy as np

END = np.iinfo(np.int64).max


def _constant(node, i: int):
    src = node.input(i).get_source_output().get_node()
    return src.get_data().tolist() if src.get_type_name() == "Constant" else None


def _side(node, axis: int):
    """(source output, p, "first" | "last") when ``node`` is Slice(step -1) of Slice(x, the first
    or last p entries) along ``axis``: the mirrored edge that symmetric padding adds; else None."""
    if node.get_type_name() != "Slice" or _constant(node, 3) != [-1] or _constant(node, 4) != [axis]:
        return None
    cut = node.input(0).get_source_output().get_node()
    if cut.get_type_name() != "Slice" or _constant(cut, 3) != [1] or _constant(cut, 4) != [axis]:
        return None
    start, stop = _constant(cut, 1), _constant(cut, 2)
    if start == [0] and stop and stop[0] > 0:
        return cut.input(0).get_source_output(), stop[0], "first"
    if stop == [END] and start and start[0] < 0:
        return cut.input(0).get_source_output(), -start[0], "last"
    return None


def _mirrored(concat, axis: int):
    """(x, p) when ``concat`` joins x's first p entries mirrored, x, and its last p mirrored,
    along ``axis``; else None."""
    if concat.get_type_name() != "Concat" or concat.get_attributes()["axis"] != axis or concat.get_input_size() != 3:
        return None
    middle = concat.input(1).get_source_output()
    first, last = (
        _side(concat.input(0).get_source_output().get_node(), axis),
        _side(concat.input(2).get_source_output().get_node(), axis),
    )
    if first is None or last is None or (first[2], last[2]) != ("first", "last") or first[1] != last[1]:
        return None
    if first[0] != middle or last[0] != middle:
        return None
    return middle, first[1]


def one_pad(ov_model, only=None) -> list[str]:
    """Rewrite each symmetric padding of an image by p rows and columns, built as two mirrored
    Concats (rows, then columns), as one Pad(p, "symmetric"). In place; ``only``: the layers
    whose input padding may be rewritten (None: any); returns the names of those layers (the
    bicubic skip's convolution)."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)
    done = []
    for concat in list(ov_model.get_ordered_ops()):
        columns = _mirrored(concat, 3)
        rows = columns and _mirrored(columns[0].get_node(), 2)
        if not rows or rows[1] != columns[1]:
            continue
        readers = [t.get_node() for t in concat.output(0).get_target_inputs()]
        names = [r.get_friendly_name() for r in readers]
        if only is not None and not set(names) <= set(only):
            continue
        p = np.array([0, 0, rows[1], columns[1]], np.int64)
        pad = ops.pad(rows[0], ops.constant(p), ops.constant(p), "symmetric")
        pad.set_friendly_name(concat.get_friendly_name() + "/pad")
        concat.output(0).replace(pad.output(0))
        done += names
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done
