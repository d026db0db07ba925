"""The pixel shuffle as one DepthToSpace, for the probes that time it (depth_to_space.py,
shuffle_d2s_plans.py)."""


def pixel_shuffle_as_depth_to_space(ov_model) -> list[str]:
    """Each exported pixel shuffle (Reshape to (N, C, s, s, H, W), Transpose (0, 1, 4, 2, 5, 3),
    Reshape to (N, C, H*s, W*s)) as one DepthToSpace, depth_first; the names rewritten."""
    from openvino import opset1

    done = []
    for out in list(ov_model.get_ordered_ops()):
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
        d2s = opset1.depth_to_space(split.input(0).get_source_output(), "depth_first", shape[2].get_length())
        d2s.set_friendly_name(out.get_friendly_name())
        out.output(0).replace(d2s.output(0))
        done.append(out.get_friendly_name())
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done


def pixel_shuffle_from_channels_last(ov_model) -> list[str]:
    """Each exported pixel shuffle of one output channel as Transpose to NHWC (what the phases'
    convolution writes), Reshape to (N, H, W, s, s), one rank-5 Transpose (0, 1, 3, 2, 4) and the
    stored final Reshape; the names rewritten."""
    import numpy as np
    from openvino import opset1

    done = []
    for out in list(ov_model.get_ordered_ops()):
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
        s = shape[2].get_length()
        phases = split.input(0).get_partial_shape()[1]
        if not (phases.is_static and phases.get_length() == s * s):
            continue
        nhwc = opset1.transpose(
            split.input(0).get_source_output(), opset1.constant(np.array([0, 2, 3, 1], dtype=np.int64))
        )
        cells = opset1.reshape(nhwc, opset1.constant(np.array([0, 0, 0, s, s], dtype=np.int64)), True)
        rows = opset1.transpose(cells, opset1.constant(np.array([0, 1, 3, 2, 4], dtype=np.int64)))
        back = opset1.reshape(rows, out.input(1).get_source_output(), False)
        back.set_friendly_name(out.get_friendly_name())
        out.output(0).replace(back.output(0))
        done.append(out.get_friendly_name())
    if done:
        ov_model.validate_nodes_and_infer_types()
    return done
