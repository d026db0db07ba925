"""SRCNN's last layer and FSRCNN's x2/x3 head as exported: a column pair
(:class:`xeonsr.models.srcnn.ColumnPair`), found in an IR with its taps, the depthwise form of a
one-output pair, and a pair's combine as shifts and sums. The host forms of more than one CPU class
rewrite them (xeonsr.ir_forms, xeonsr.ir_blocked)."""

from __future__ import annotations

import numpy as np

from xeonsr.ir_weights import conv_on, plain_pads


def column_pairs(ov_model, only=None, outputs: int | None = None):
    """Each column pair of ``ov_model`` (:class:`xeonsr.models.srcnn.ColumnPair` as exported: an
    f x 1 convolution to n*f channels, one per output and kernel column, then the 1 x f
    convolution adding each output's columns back) as (columns, combine, taps): ``taps`` (n, f,
    c, f) holds tap (dy, dx) of input channel c for output p at [p, dy, c, dx]. ``only``: the names
    that may be rewritten, both convolutions of a pair (None: any); ``outputs``: only pairs with
    that many outputs (None: any)."""
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
        if outputs is not None and n != outputs:
            continue
        onehot = np.zeros_like(wb)
        for p in range(n):
            onehot[p, p * f : (p + 1) * f, 0] = np.eye(f, dtype=wb.dtype)
        # Column k of output p may carry a factor (INT8 IRs: cross-layer equalization scaled the
        # combine of a float last layer); it moves into that column's taps.
        factor = wb[onehot == 1].reshape(n, f)
        if not np.array_equal(wb, onehot * wb) or not (
            plain_pads(cols, [f // 2, 0]) and plain_pads(combine, [0, f // 2])
        ):
            continue
        # wc[p*f + k, c, dy, 0] is tap (dy, k) of output p.
        yield cols, combine, (wc[:, :, :, 0].reshape(n, f, c, f) * factor[:, :, None, None]).transpose(0, 3, 2, 1)


def last_layer_depthwise(ov_model, only=None) -> list[str]:
    """Rewrite a one-output column pair (SRCNN's last layer, c -> 1, f x f) as a depthwise f x f
    convolution (each of the c channels through its own taps) and a 1 x 1 convolution summing the
    c channels: c more multiply-adds per pixel than the pair's c*f*f + f, every vector lane busy
    in the depthwise one where the pair computes one or f output channels. The same function
    (float summation order aside). In place; returns the names of the column convolutions
    rewritten (the depthwise one takes that name, the sum the combine's).

    On the Intel Xeon with AMX (2 threads, `python benchmarks/probes/srcnn_fp32_graph_forms.py 2 10
    160x140 rowpair,dw`, session 34): SRCNN x3 FP32 1.05-1.12x faster than the stored column pair
    in five runs, 0.98-1.09x the row pair (1.08x at 240x192); on the Zen 4 in session 10 the
    network 1.03x (29.5 -> 28.6 ms)."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)

    done = []
    for cols, combine, taps in column_pairs(ov_model, only, outputs=1):
        _, f, c, _ = taps.shape
        dw_weight = np.ascontiguousarray(taps[0].transpose(1, 0, 2)[:, None, None])  # (c, 1, 1, dy, dx)
        dw = ops.group_convolution(
            cols.input(0).get_source_output(), ops.constant(dw_weight), [1, 1], [f // 2] * 2, [f // 2] * 2, [1, 1]
        )
        dw.set_friendly_name(cols.get_friendly_name())
        total = conv_on(dw, np.ones((1, c, 1, 1), taps.dtype), [0, 0], combine.get_friendly_name())
        combine.output(0).replace(total.output(0))
        done.append(cols.get_friendly_name())
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done


def combine_shifts(ov_model, only=None) -> list[str]:
    """Rewrite each float combine of a column pair (the 1 x f convolution from n*f column channels
    to n outputs, output p adding its f columns, column k shifted by k - f//2) as those shifts, a
    depthwise 1 x f convolution with one tap per channel, and a 1 x 1 convolution adding each
    output's f channels. The stored combine multiplies all but n*f of its n*n*f*f weights by zero, and
    with n outputs (x2's 4 phases) it fills a quarter of each AVX-512 lane; the shifts run on
    oneDNN's depthwise kernel, the sum with f times fewer multiply-adds. The same values (the
    columns' factors, 1 but where equalization scaled them, multiply in the shift; the sum in
    another order). FSRCNN x2's combine (20 -> 4) took 0.044 + 0.057 ms so against 0.25 at 128x128
    LR on a Zen 4, its INT8 IR (combine float) 1.08-1.11x faster, FP32 IRs 1.02-1.10x (session 65,
    benchmarks/probes/combine_shifts_vs_commit.py). Only float combines of two outputs or more:
    one that reads a quantizer computes integer sums the budget was checked with, and SRCNN's
    one-output combine (5 -> 1) gained 1.03-1.06x in its x2 INT8 IR but lost 0.92x at one size of
    x4's and nothing in srcnn-955's. In place; returns the names rewritten (the sum keeps the
    combine's name, the shifts add /shifts)."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)
    done = []
    for combine in list(ov_model.get_ordered_ops()):
        name = combine.get_friendly_name()
        if combine.get_type_name() != "Convolution" or (only is not None and name not in only):
            continue
        weight = combine.input(1).get_source_output().get_node()
        source = combine.input(0).get_source_output()
        if weight.get_type_name() != "Constant" or source.get_node().get_type_name() == "FakeQuantize":
            continue
        wb = weight.get_data()
        n, nf, one, f = wb.shape
        if n < 2 or one != 1 or f < 2 or nf != n * f or not plain_pads(combine, [0, f // 2]):
            continue
        onehot = np.zeros_like(wb)
        for p in range(n):
            onehot[p, p * f : (p + 1) * f, 0] = np.eye(f, dtype=wb.dtype)
        if not np.array_equal(wb, onehot * wb):
            continue
        taps = np.ascontiguousarray((onehot * wb).sum(axis=0)[:, None, None])  # (n*f, 1, 1, 1, f)
        shifts = ops.group_convolution(source, ops.constant(taps), [1, 1], [0, f // 2], [0, f // 2], [1, 1])
        shifts.set_friendly_name(name + "/shifts")
        sums = (onehot.sum(axis=3) > 0).astype(wb.dtype)[..., None]  # (n, n*f, 1, 1)
        combine.output(0).replace(conv_on(shifts, sums, [0, 0], name).output(0))
        done.append(name)
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done
