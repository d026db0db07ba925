"""SRCNN's FP32 network on oneDNN's blocked-layout AVX2 kernels. OpenVINO runs an AVX2 FP32
convolution on `brgconv_avx2` in channels-last, and that kernel takes SRCNN's 9x9 one-channel first
layer (in rows: 9 copies, a 1 x 9 layer) at about 60-78% of the FP32 peak where ONNX Runtime's MLAS
reaches 95%. oneDNN's older `jit_avx2` kernel has a path for first layers of fewer than 8 input
channels, read planar, written in 8-channel blocks: SRCNN's 9x9 as 3 row copies and a 3 x 9 layer
dilated by 3 rows runs there 1.4x faster. The layers after it then stay in blocks (a reorder
between layouts would move a 32- or 64-channel image once more): the middle layer on `jit_avx2_1x1` (or
`jit_avx2`), the last as a depthwise layer and a channel sum (xeonsr.ir_pairs.last_layer_depthwise)
on `jit_avx2_dw` and `jit_avx2_1x1`, and the bicubic skip added after the output's reorder to
planar, where the sum's fused add would first copy the one-channel skip into 8-channel blocks.

A form asks for a kernel through the layer's rt_info; xeonsr.ov.compile_ir passes it on.

Where the graph is compiled for one input shape (xeonsr.ov_shapes), :func:`depthwise_halves` also
runs the depthwise layer in parts of two channel blocks: `jit_avx2_dw` takes three 8-channel blocks
at a time and then the fourth alone, and its three planes alias in the cache where a plane's size is
near a multiple of 4 KiB (512-pixel images). OpenVINO 2026.4.1 splits and concatenates in place only
in a static graph; in a dynamic one each is a copy of the image's 32 channels.

On AVX-512 (:func:`blocked_chain_avx512`) the same chain runs on the `jit_avx512` kernels in
16-channel blocks. Their first-layer path takes up to 15 input channels, so the 9x9 layer stays as
stored, with no row copies: on an AMD Zen 4 (2 threads) SRCNN FP32 ran 1.28-1.42x faster than on
the default `brgconv_avx512` kernels in channels-last, ahead of ONNX Runtime where it had been
behind (docs/performance.md, session 58)."""

from __future__ import annotations

import numpy as np

from xeonsr.ir_pairs import column_pairs, last_layer_depthwise
from xeonsr.ir_weights import plain_pads

HALF = 16  # channels of each depthwise part: two of AVX2's 8-channel blocks
COPIES = 3  # row copies: fewer than the 8 input channels of jit_avx2's first-layer path, a divisor of 9
# Per ISA: the first layer's row copies (1: as stored) and the kernels asked of the first layer, a
# 1x1 middle layer, a k x k one, the depthwise last layer and its channel sum.
CHAINS = {
    "avx2": (COPIES, "jit_avx2", "jit_avx2_1x1", "jit_avx2", "jit_avx2_dw", "jit_avx2_1x1"),
    "avx512": (1, "jit_avx512", "jit_avx512_1x1", "jit_avx512", "jit_avx512_dw", "jit_avx512_1x1"),
}


def _only_reader(output):
    readers = [i.get_node() for i in output.get_target_inputs()]
    return readers[0] if len(readers) == 1 else None


def _biased_relu(conv):
    """The Relu after ``conv`` and its bias Add (nothing else reading either), or None."""
    add = _only_reader(conv.output(0))
    relu = _only_reader(add.output(0)) if add is not None and add.get_type_name() == "Add" else None
    return relu if relu is not None and relu.get_type_name() == "Relu" else None


def _float_weight(conv):
    node = conv.input(1).get_source_output().get_node()
    return node.get_data() if node.get_type_name() == "Constant" and node.get_element_type().is_real() else None


def _chain_before(cols, copies: int = COPIES):
    """(first, middle) when ``cols`` (a column pair's first convolution) reads, through a bias
    and a Relu, a float convolution that reads, the same way, a float one-channel k x k 'same'
    first layer (k a multiple of ``copies``); else None."""

    def before(conv):
        relu = conv.input(0).get_source_output().get_node()
        if relu.get_type_name() != "Relu":
            return None
        add = relu.input(0).get_source_output().get_node()
        prev = add.input(0).get_source_output().get_node() if add.get_type_name() == "Add" else None
        return (
            prev if prev is not None and prev.get_type_name() == "Convolution" and _biased_relu(prev) is relu else None
        )

    middle = before(cols)
    first = before(middle) if middle is not None else None
    if first is None or _float_weight(middle) is None:
        return None
    w = _float_weight(first)
    if w is None or w.shape[1] != 1 or w.shape[2] != w.shape[3] or w.shape[2] % copies:
        return None
    k = w.shape[2]
    return (first, middle) if plain_pads(first, [k // 2, k // 2]) else None


def blocked_chain_avx512(ov_model, only=None) -> list[str]:
    """:func:`blocked_chain` on AVX-512's blocked kernels (the module's docstring)."""
    return blocked_chain(ov_model, only, isa="avx512")


def blocked_chain_avx512_1x1(ov_model, only=None) -> list[str]:
    """:func:`blocked_chain_avx512` for chains whose middle layer is 1 x 1 (SRCNN 9-1-5, not
    9-5-5): on an Intel Xeon with AMX (Emerald Rapids, 2 threads) the 9-1-5 chains ran 1.05-1.22x
    faster, srcnn-955's 5 x 5 middle on `jit_avx512` 0.83-0.95x (session 66)."""
    return blocked_chain(ov_model, only, isa="avx512", kxk_middle=False)


def blocked_chain(ov_model, only=None, isa: str = "avx2", kxk_middle: bool = True) -> list[str]:
    """Rewrite each float SRCNN chain (a one-channel k x k first layer, a middle layer, a
    one-output last layer stored as a column pair, each biased, ReLU between) into the blocked
    form of this module's docstring: on AVX2 the first layer on :data:`COPIES` row copies (a zero
    Pad, row Slices, a Concat) as a k/3 x k layer dilated by 3 rows, the last through
    last_layer_depthwise, and a skip added to the output moved after it; each layer asking for
    its `jit_avx2` kernel. The same function (float summation order aside). In place; ``only``:
    the layer names that may be rewritten (None: any; all four convolutions must be); ``isa``: the
    row copies and kernels of :data:`CHAINS`; ``kxk_middle``: chains whose middle layer is wider
    than 1 x 1 too; returns the first, middle and last layers' names."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)

    def i64(values):
        return ops.constant(np.array(values, np.int64))

    def ask(node, kernel):
        node.get_rt_info()["PrimitivesPriority"] = f"cpu:{kernel}"

    copies, k_first, k_1x1, k_kxk, k_dw, k_sum = CHAINS[isa]
    done = []
    for cols, combine, _ in list(column_pairs(ov_model, only, outputs=1)):
        chain = _chain_before(cols, copies)
        names = {n.get_friendly_name() for n in (*(chain or ()), cols, combine)}
        if chain is None or (only is not None and not names <= set(only)):
            continue
        first, middle = chain
        one = list(middle.input(1).get_partial_shape())[2:] == [1, 1]
        if not (one or kxk_middle):
            continue
        w = _float_weight(first)[:, 0]  # (o, k, k)
        o, k, p = w.shape[0], w.shape[1], w.shape[1] // 2
        conv = first  # one copy: the layer as stored
        if copies > 1:
            end = np.iinfo(np.int64).max
            padded = ops.pad(first.input(0).get_source_output(), i64([0, 0, p, p]), i64([0, 0, p, p]), "constant")
            # copy r: the padded rows from r, k - copies past the height: copies - 1 - r short of the end
            ends = [r - copies + 1 if r < copies - 1 else end for r in range(copies)]
            rows = [ops.slice(padded, i64([r]), i64([e]), i64([1]), i64([2])) for r, e in enumerate(ends)]
            row_copies = ops.concat(rows, 1)
            row_copies.set_friendly_name(first.get_friendly_name() + "/row_blocks")
            taps = w.reshape(o, k // copies, copies, k).transpose(0, 2, 1, 3)  # [o, r, i, j]: row copies * i + r
            taps = ops.constant(np.ascontiguousarray(taps))
            conv = ops.convolution(row_copies, taps, [1, 1], [0, 0], [0, 0], [copies, 1])
            conv.set_friendly_name(first.get_friendly_name())
            first.output(0).replace(conv.output(0))
        ask(conv, k_first)
        ask(middle, k_1x1 if one else k_kxk)
        skip_add = _skip_add(combine)
        last_layer_depthwise(ov_model, only={cols.get_friendly_name(), combine.get_friendly_name()})
        for node in ov_model.get_ordered_ops():
            if node.get_friendly_name() == cols.get_friendly_name():
                ask(node, k_dw)
            elif node.get_friendly_name() == combine.get_friendly_name():
                ask(node, k_sum)
        if skip_add is not None:
            a, b = (skip_add.input(i).get_source_output() for i in (0, 1))
            planar = ops.add(ops.squeeze(a, i64([1])), ops.squeeze(b, i64([1])))
            planar.set_friendly_name(skip_add.get_friendly_name() + "/planar")
            added = ops.unsqueeze(planar, i64([1]))
            added.set_friendly_name(skip_add.get_friendly_name())
            skip_add.output(0).replace(added.output(0))
        done += [first.get_friendly_name(), middle.get_friendly_name(), cols.get_friendly_name()]
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done


def _skip_add(combine):
    """The Add of a skip to the last layer's output after its bias (an image of one channel the
    same size), or None."""
    bias = _only_reader(combine.output(0))
    add = _only_reader(bias.output(0)) if bias is not None and bias.get_type_name() == "Add" else None
    if add is None or add.get_type_name() != "Add":
        return None
    ranks = [add.input(i).get_partial_shape().rank for i in (0, 1)]
    return add if all(r.is_static and r.get_length() == 4 for r in ranks) else None


def depthwise_halves(ov_model, only=None) -> list[str]:
    """Split each depthwise layer the blocked chain put on `jit_avx2_dw` (over a multiple of
    2 x :data:`HALF` channels) into parts of :data:`HALF` channels: a Split, a depthwise layer a
    part, a Concat. The same products summed alike: the same output to the bit. For static graphs
    only (the module's docstring). In place; ``only``: the names that may be rewritten (None: any);
    returns the names of the layers split."""
    from xeonsr.openvino_releases import opset

    ops = opset(13)
    done = []
    for dw in list(ov_model.get_ordered_ops()):
        rt = dw.get_rt_info()
        asked = rt["PrimitivesPriority"].astype(str) if "PrimitivesPriority" in rt else None
        weight = dw.input(1).get_source_output().get_node() if dw.get_type_name() == "GroupConvolution" else None
        if asked != "cpu:jit_avx2_dw" or weight is None or weight.get_type_name() != "Constant":
            continue
        name, w = dw.get_friendly_name(), weight.get_data()  # (channels, 1, 1, kh, kw)
        parts = w.shape[0] // HALF
        if parts < 2 or w.shape[0] % HALF or (only is not None and name not in only):
            continue
        split = ops.split(dw.input(0).get_source_output(), ops.constant(np.int64(1)), parts)
        convs = []
        for i in range(parts):
            part = ops.constant(np.ascontiguousarray(w[i * HALF : (i + 1) * HALF]))
            pads = dw.get_pads_begin(), dw.get_pads_end()
            conv = ops.group_convolution(split.output(i), part, dw.get_strides(), *pads, dw.get_dilations())
            conv.set_friendly_name(f"{name}/half{i}")
            conv.get_rt_info()["PrimitivesPriority"] = "cpu:jit_avx2_dw"
            convs.append(conv)
        joined = ops.concat(convs, 1)
        joined.set_friendly_name(name)
        dw.output(0).replace(joined.output(0))
        done.append(name)
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done
