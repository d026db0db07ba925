"""The pixel shuffle at the end of an upsampling IR, and the sizes where its other form is faster.

torch exports ``pixel_shuffle`` as Reshape to (N, C, s, s, H, W), Transpose (0, 1, 4, 2, 5, 3) and
Reshape back. OpenVINO 2026.4.1 first moves the phases, which the convolution before wrote
channels-last, into planes; for 16 to 64 f32 channels (x4's 16 phases) the CPU plugin does that
with a loop of its own that writes every plane at once, and where a plane is a multiple of 4 KiB
(H x W a multiple of 1024) those writes land on the same L1 sets: FSRCNN x4 FP32's move took
0.38-0.50 ms at 128x128, 128x120 and 160x128 LR against 0.07-0.08 ms at 127x128, 125x120 and
160x140 (AMD EPYC Zen 4, 2 threads; benchmarks/probes/shuffle_nodes.py). One DepthToSpace reads
the channels-last phases as they are: 0.22-0.34 ms at every size, so faster on the sizes that
alias and slower on the others (docs/performance.md, session 64).
"""

from __future__ import annotations

# Phase counts OpenVINO moves with that loop (its Reorder's nspc-to-ncsp case, 16 to 64 channels)
SLOW_PHASES = range(16, 65)
ALIAS_PIXELS = 1024  # f32 planes of a multiple of 4 KiB


def planes_alias(shape) -> bool:
    """Whether an input of ``shape`` (..., H, W) makes planes whose writes share L1 sets."""
    h, w = shape[-2:]
    return (h * w) % ALIAS_PIXELS == 0


def pixel_shuffles(ov_model, last_only: bool = False):
    """(the final Reshape, the rank-6 Reshape, s) of each exported pixel shuffle (``last_only``:
    of those whose output is the network's)."""
    found = []
    for out in ov_model.get_ordered_ops():
        if out.get_type_name() != "Reshape" or out.get_output_partial_shape(0).rank.get_length() != 4:
            continue
        tr = out.input(0).get_source_output().get_node()
        if tr.get_type_name() != "Transpose":
            continue
        perm = tr.input(1).get_source_output().get_node()
        if perm.get_type_name() != "Constant" or list(perm.get_data()) != [0, 1, 4, 2, 5, 3]:
            continue
        split = tr.input(0).get_source_output().get_node()
        shape = split.get_output_partial_shape(0)
        if split.get_type_name() != "Reshape" or shape.rank.get_length() != 6 or not shape[2].is_static:
            continue
        if last_only and not all(d.get_node().get_type_name() == "Result" for d in out.output(0).get_target_inputs()):
            continue
        found.append((out, split, shape[2].get_length()))
    return found


def slow_shuffle(ov_model) -> bool:
    """Whether the pixel shuffle that makes ``ov_model``'s output moves 16-64 phases (see the
    module's note). Only that one: a shuffle inside the network (SRCNN's and DCSCN's bicubic,
    DCSCN's before its Add) as DepthToSpace ran SRCNN x4 FP32 0.93-0.97x and DCSCN x4 INT8
    0.97-1.00x at 128x128 and 192x128 (the next layer reads its output in another layout)."""
    for _, split, _ in pixel_shuffles(ov_model, last_only=True):
        phases = split.input(0).get_partial_shape()[1]
        if phases.is_static and phases.get_length() in SLOW_PHASES:
            return True
    return False


def as_depth_to_space(ov_model, last_only: bool = False) -> list[str]:
    """Each exported pixel shuffle (``last_only``: the one that makes the output) as one
    DepthToSpace (depth_first: torch's order), in place -> the names of the shuffles rewritten
    (each keeps its final Reshape's name). The same values."""
    from openvino import opset1

    done = []
    for out, split, s in pixel_shuffles(ov_model, last_only):
        d2s = opset1.depth_to_space(split.input(0).get_source_output(), "depth_first", s)
        d2s.set_friendly_name(out.get_friendly_name())
        out.output(0).replace(d2s.output(0))
        done.append(out.get_friendly_name())
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done
