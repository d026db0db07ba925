"""The pixel shuffle's other forms, for the probes that time them (depth_to_space.py,
shuffle_d2s_plans.py, shuffle_nodes.py): one DepthToSpace (xeonsr.ir_shuffle, the runtime's form
for the sizes that alias), or done from channels-last in the graph."""

import numpy as np

from xeonsr.ir_shuffle import as_depth_to_space as pixel_shuffle_as_depth_to_space
from xeonsr.ir_shuffle import pixel_shuffles

__all__ = ["pixel_shuffle_as_depth_to_space", "pixel_shuffle_from_channels_last"]


def pixel_shuffle_from_channels_last(ov_model) -> list[str]:
    """Each exported pixel shuffle of one output channel as Transpose to NHWC (what the phases'
    convolution writes), Reshape to (N, H, W, s, s), one rank-5 Transpose (0, 1, 3, 2, 4) and the
    stored final Reshape; the names rewritten."""
    from openvino import opset1

    done = []
    for out, split, s in pixel_shuffles(ov_model):
        phases = split.input(0).get_partial_shape()[1]
        if not (phases.is_static and phases.get_length() == s * s):
            continue
        order = opset1.constant(np.array([0, 2, 3, 1], dtype=np.int64))
        nhwc = opset1.transpose(split.input(0).get_source_output(), order)
        cells = opset1.reshape(nhwc, opset1.constant(np.array([0, 0, 0, s, s], dtype=np.int64)), True)
        rows = opset1.transpose(cells, opset1.constant(np.array([0, 1, 3, 2, 4], dtype=np.int64)))
        back = opset1.reshape(rows, out.input(1).get_source_output(), False)
        back.set_friendly_name(out.get_friendly_name())
        out.output(0).replace(back.output(0))
        done.append(out.get_friendly_name())
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done
