"""The float first layer as two INT8 layers, the image's 8 bits and their remainder
(xeonsr.ir_remainder): what it computes, that the VNNI blocks form takes both branches, and how
xeonsr quantize uses it."""

import numpy as np
import pytest

from xeonsr.irs import SHIPPED_IR_DIR

B0 = "__module.body.0/aten::_convolution/Convolution"


def _read(name):
    import openvino as ov

    return ov.Core().read_model(str(SHIPPED_IR_DIR / f"{name}.xml"))


def _run(model, x):
    from xeonsr.ov import compile_ir

    return compile_ir(model, 1)(x)[0]


def _lr(data_dir, scale, h, w):
    from xeonsr.evaluate import load_samples

    lr = load_samples([data_dir / "Set5" / "butterfly.png"], scale)[0].lr
    return np.ascontiguousarray(lr[None, None, :h, :w], dtype=np.float32) / 255.0


def test_int8_weights_are_symmetric_per_channel_and_keep_each_filters_sum():
    from xeonsr.ir_remainder import int8_weights

    w = np.random.default_rng(0).normal(size=(6, 1, 5, 5)).astype(np.float32)
    w[3] = 0.0  # a channel of zeros keeps a usable scale
    q, scale = int8_weights(w)
    step = scale.reshape(-1, 1, 1, 1)
    assert q.dtype == np.int8 and q.min() >= -127 and q.max() <= 127
    assert [int(np.abs(q[c]).max()) for c in range(6)] == [127, 127, 127, 0, 127, 127]
    assert np.all(np.abs(q * step - w) < step + 1e-7)  # each tap within one step
    left = (w - q * step).reshape(6, -1).sum(axis=1) / scale
    assert np.all(np.abs(left) <= 0.5 + 1e-4)  # each filter's sum within half a step
    nearest = np.abs((w / step - np.round(w / step)).reshape(6, -1).sum(axis=1))
    assert nearest.max() > 1  # where nearest rounding would not have kept it


def test_the_remainder_reads_the_image_to_16_bits_where_8_bits_lose_what_an_int8_layer_would(data_dir):
    """FSRCNN x2's FP32 IR with body.0 split, against the same IR with body.0 on the same int8
    weights (split=False): what is left is the image past 16 bits. An INT8 first layer without
    the remainder (the image rounded to 8 bits) is two orders of magnitude further off."""
    from xeonsr.ir_graph import float_layers
    from xeonsr.ir_remainder import REMAINDER, first_layer_remainder

    rounded, split = _read("fsrcnn_x2_fp32"), _read("fsrcnn_x2_fp32")
    assert first_layer_remainder(rounded, 0.45, split=False) == [B0]
    assert first_layer_remainder(split, 0.45) == [B0]
    assert B0 not in float_layers(split) and B0 + REMAINDER not in float_layers(split)
    convs = {op.get_friendly_name() for op in split.get_ops() if op.get_type_name() == "Convolution"}
    assert {B0, B0 + REMAINDER} <= convs
    x = _lr(data_dir, 2, 64, 72)
    want = _run(rounded, x)
    off_16 = np.sqrt(np.mean((_run(split, x) - want) ** 2))
    off_8 = np.sqrt(np.mean((_run(rounded, np.round(x * 255) / 255) - want) ** 2))
    assert off_16 < off_8 / 100 and off_8 > 1e-4
    # Splitting a layer already on its int8 weights moves its bias no further.
    again = rounded.clone()
    assert first_layer_remainder(again, 0.45) == [B0]
    assert np.allclose(_run(again, x), _run(split, x), atol=1e-6)


def test_the_bias_takes_the_mean_of_what_rounding_the_weights_moves():
    from xeonsr.ir_remainder import first_layer_remainder, int8_weights

    model = _read("fsrcnn_x2_fp32")
    (conv,) = [op for op in model.get_ops() if op.get_friendly_name() == B0]
    w = conv.input(1).get_source_output().get_node().get_data().astype(np.float32)
    add = next(iter(conv.output(0).get_target_inputs())).get_node()
    bias = add.input(1).get_source_output().get_node().get_data().ravel().copy()
    first_layer_remainder(model, 0.4, split=False)
    q, scale = int8_weights(w)
    moved = (w - q * scale.reshape(-1, 1, 1, 1)).reshape(len(q), -1).sum(axis=1) * 0.4
    (add,) = [op for op in model.get_ops() if op.get_friendly_name() == add.get_friendly_name()]
    assert np.allclose(add.input(1).get_source_output().get_node().get_data().ravel(), bias + moved, atol=1e-7)


def test_only_float_one_channel_layers_that_read_the_image_are_split():
    from xeonsr.ir_remainder import first_layer_remainder

    assert first_layer_remainder(_read("fsrcnn_x3_int8"), 0.45) == []  # already quantized
    assert first_layer_remainder(_read("srcnn_x3_fp32"), 0.45) == []  # reads the bicubic, not the image
    assert first_layer_remainder(_read("fsrcnn_x2_fp32"), 0.45, only={"another"}) == []


def test_the_vnni_blocks_form_takes_both_branches_with_the_same_integers(data_dir):
    """Both branches are ordinary quantized one-channel layers, u8 with zero at 0, so the VNNI
    class's blocks form rewrites each; the output is the split graph's, bit for bit (on any CPU:
    where the JIT kernel can't run, the plugin takes its own, the same integers)."""
    from xeonsr.ir_forms import int8_first_layer_blocks
    from xeonsr.ir_remainder import REMAINDER, first_layer_remainder

    split = _read("fsrcnn_x2_fp32")
    first_layer_remainder(split, 0.45)
    blocks = split.clone()
    assert sorted(int8_first_layer_blocks(blocks)) == [B0, B0 + REMAINDER]
    for h, w in ((61, 37), (40, 52)):
        x = _lr(data_dir, 2, h, w)
        assert np.array_equal(_run(blocks, x), _run(split, x))


@pytest.mark.parametrize("method", ["ptq", "qat"])
def test_quantize_with_the_remainder_leaves_the_first_layer_to_it(method, data_dir, tmp_path, monkeypatch):
    """A recipe's first_layer_remainder: NNCF never quantizes the first layer (PTQ calibrates the
    later ones on its int8 weights), and the stored IR has it as its two INT8 branches."""
    import shutil

    import openvino as ov

    import xeonsr.int8_search as int8_search
    import xeonsr.qat as qat
    import xeonsr.quantization as q
    from xeonsr.ir_graph import float_layers
    from xeonsr.ir_remainder import REMAINDER
    from xeonsr.irs import locate_ir
    from xeonsr.ptq import _quantize
    from xeonsr.quant_recipe import QuantRecipe

    ir_dir = shutil.copytree(SHIPPED_IR_DIR, tmp_path / "ir")
    fp32 = ov.Core().read_model(str(locate_ir("fsrcnn", 2, "fp32", ir_dir)[0]))
    seen = []

    def ptq(form, recipe, *a, **k):  # every layer INT8 but the recipe's float ones
        seen.append(("ptq", list(recipe.ignored_scope)))
        return _quantize(form, recipe, a[2], list(recipe.ignored_scope)), []

    def qat_int8(net, scale, calib, cfg, data_dir, float_convs=(), **k):  # stands in for QAT's model
        seen.append(("qat", list(float_convs)))
        return _quantize(fp32, QuantRecipe(), calib, list(float_convs)), 1.0

    monkeypatch.setattr(int8_search, "ptq", ptq)
    monkeypatch.setattr(qat, "qat_int8", qat_int8)
    recipe = {"calibration_crops": 8, "first_layer_remainder": True, "max_drop_db": 10.0}
    report = q.quantize("fsrcnn", 2, str(data_dir), ir_dir, recipe, method=method, target_isa="vnni")
    assert seen == [(method, [B0])]
    assert report["status"] == "ok" and B0 not in report["layers_kept_in_fp"]
    stored = ov.Core().read_model(str(locate_ir("fsrcnn", 2, "int8", ir_dir)[0]))
    assert B0 not in float_layers(stored)
    convs = {op.get_friendly_name() for op in stored.get_ops() if op.get_type_name() == "Convolution"}
    assert {B0, B0 + REMAINDER} <= convs
