"""Post-training INT8: the budget statistic, the image's quantizers at the image's range, the
search that keeps the big layers INT8, and NNCF's build lock."""

import os
import time

import numpy as np
import pytest

from xeonsr.export import export
from xeonsr.irs import locate_ir


@pytest.fixture(scope="module")
def fsrcnn_fp32(tmp_path_factory, data_dir):
    import openvino as ov

    d = tmp_path_factory.mktemp("ptq_ir")
    export("fsrcnn", 3, ir_dir=d, data_dir=str(data_dir))
    return ov.Core().read_model(str(locate_ir("fsrcnn", 3, "fp32", d)[0]))


@pytest.fixture(scope="module")
def calib(data_dir):
    from xeonsr.quant_recipe import QuantRecipe, calibration_items

    return calibration_items(QuantRecipe(calibration_crops=30), 3, str(data_dir))


def test_worst_mean_is_the_mean_of_the_largest_losses():
    from xeonsr.ptq import worst_mean

    losses = [0.30, 0.0, 0.01, -0.2, 0.02, 0.04]
    assert worst_mean(losses, 5) == pytest.approx((0.30 + 0.04 + 0.02 + 0.01 + 0.0) / 5)
    assert worst_mean(losses, 2) == pytest.approx(0.17)
    assert worst_mean(losses[:3], 5) == pytest.approx(np.mean(losses[:3]))  # fewer images: all of them
    # The plain mean hides the one clean image that lost 0.3 dB; the statistic does not.
    assert np.mean(losses) < 0.05 < worst_mean(losses, 5)


def _run(model, lr):
    from xeonsr.ov import compile_ir

    compiled = compile_ir(model, 1)
    return compiled(lr[None, None].astype(np.float32))[0][0, 0] * 255.0


def test_bright_image_passes_int8_unclipped(fsrcnn_fp32, calib, data_dir):
    from xeonsr.evaluate import load_samples
    from xeonsr.info import cpu_info
    from xeonsr.ir_graph import image_quantizers
    from xeonsr.ptq import _quantize
    from xeonsr.quant_recipe import QuantRecipe

    # Made for this CPU's class: a VNNI-made IR's 8-bit first layer saturates the int16 sums of
    # AVX2's INT8 kernels on bright images (RMS 0.91 vs 0.56 dark, AMD EPYC Zen 3), the reason
    # such IRs are not taken first there (docs/int8.md).
    int8 = _quantize(fsrcnn_fp32, QuantRecipe(target_isa=cpu_info().isa_class), calib, [])
    # The image's quantizer spans [0, 1] in 256 levels: the uint8 grid, whatever calibration saw.
    fqs = image_quantizers(int8)
    assert fqs and all(fq.get_levels() == 256 for fq in fqs)
    for fq in fqs:
        lo, hi = (float(fq.input(i).get_source_output().get_node().get_vector()[0]) for i in (1, 2))
        assert (lo, hi) == (0.0, 1.0)
    # One textured image, squeezed into the top and into the bottom 30% of the range: INT8 is as
    # close to FP32 on the bright copy as on the dark one. With NNCF's default ranges (a mean of
    # per-crop maxima, the input not pinned) the bright copy was 6.6x the dark one's error: RMS
    # 3.86 vs 0.58 grey levels, 0.73 vs 0.77 as made now (fsrcnn x3, AMD EPYC Zen 4).
    lr = load_samples([data_dir / "Set5" / "butterfly.png"], 3)[0].lr / 255.0
    rms = {}
    for name, x in (("bright", 0.7 + 0.3 * lr), ("dark", 0.3 * lr)):
        err = (_run(int8, x) - _run(fsrcnn_fp32, x))[8:-8, 8:-8]
        rms[name] = float(np.sqrt(np.mean(err**2)))
    assert rms["bright"] < 1.2 and rms["bright"] < 1.5 * rms["dark"], rms


def test_with_float_bypasses_exactly_the_named_convolutions(fsrcnn_fp32, calib):
    from xeonsr.ir_graph import conv_macs, float_layers
    from xeonsr.ptq import _quantize, with_float
    from xeonsr.quant_recipe import QuantRecipe

    int8 = _quantize(fsrcnn_fp32, QuantRecipe(), calib, [])
    convs = list(conv_macs(fsrcnn_fp32))  # the network's, not the skip branch's (always float)
    skip = [n for n in float_layers(int8) if n.startswith("__module.upsample/")]
    assert float_layers(int8) == skip
    two = with_float(int8, convs[:2])
    assert sorted(float_layers(two)) == sorted(convs[:2] + skip) and float_layers(int8) == skip  # a copy


@pytest.mark.slow
def test_search_keeps_half_the_work_int8_and_reports_its_float_layers(fsrcnn_fp32, calib, data_dir):
    from xeonsr.evaluate import load_samples
    from xeonsr.ir_graph import MIN_INT8_SHARE, float_layers, int8_mac_share
    from xeonsr.ov import compile_ir
    from xeonsr.ptq import psnr_of, ptq
    from xeonsr.quant_recipe import QuantRecipe

    samples = load_samples([data_dir / "Set5" / "bird.png", data_dir / "Set5" / "head.png"], 3)
    budget = {"few": samples}
    fp32 = compile_ir(fsrcnn_fp32)
    fp32_psnr = {("few", s.name): p for s, p in zip(samples, psnr_of(fp32, samples, 3)[1], strict=True)}
    lines = []
    # A budget every layer INT8 meets: nothing is kept float.
    int8, chosen = ptq(fsrcnn_fp32, QuantRecipe(max_drop_db=5.0), budget, fp32_psnr, calib, 3, log=lines.append)
    assert chosen == [] and int8_mac_share(int8) == 1.0
    # A budget nothing meets: layers go float while half the work stays INT8, then it stops.
    int8, chosen = ptq(fsrcnn_fp32, QuantRecipe(max_drop_db=-1.0), budget, fp32_psnr, calib, 3, log=lines.append)
    net_float = [n for n in float_layers(int8) if not n.startswith("__module.upsample/")]
    assert chosen and sorted(net_float) == sorted(chosen)
    # Float layers grow from the chain's ends, so no precision change lands inside the chain.
    from xeonsr.ir_graph import chain_ends

    assert chosen[0] in chain_ends(fsrcnn_fp32, [])
    assert MIN_INT8_SHARE <= int8_mac_share(int8) < 1.0
    assert any("no other layer may stay float" in line for line in lines)


def test_chain_ends_grow_from_the_input_and_the_output(fsrcnn_fp32):
    """The search's first candidates are the INT8 chain's ends: FSRCNN x3's first layer and its
    head's last convolution; once those are float, the layers next to them."""
    from xeonsr.ir_graph import chain_ends

    def short(names):
        return sorted(n.split("/")[0].removeprefix("__module.") for n in names)

    full = {n: f"__module.{n}/aten::_convolution/Convolution" for n in ("body.0", "head_columns.combine")}
    assert short(chain_ends(fsrcnn_fp32, [])) == ["body.0", "head_columns.combine"]
    assert short(chain_ends(fsrcnn_fp32, list(full.values()))) == ["body.2", "head_columns.columns"]


def test_stale_nncf_build_lock_is_removed_and_a_fresh_one_kept(tmp_path, monkeypatch):
    from xeonsr.qat import STALE_LOCK_S, _clear_stale_build_lock

    monkeypatch.setenv("TORCH_EXTENSIONS_DIR", str(tmp_path))
    old = tmp_path / "py311_cpu" / "nncf" / "quantized_functions_cpu" / "2.13.0+cpu" / "lock"
    fresh = tmp_path / "py311_cpu" / "nncf" / "quantized_functions_cuda" / "2.13.0+cpu" / "lock"
    other = tmp_path / "py311_cpu" / "someone_else" / "lock"
    for p in (old, fresh, other):
        p.parent.mkdir(parents=True)
        p.touch()
    then = time.time() - STALE_LOCK_S - 60
    os.utime(old, (then, then))
    os.utime(other, (then, then))
    said = []
    assert _clear_stale_build_lock(said.append) == [old]
    assert not old.exists() and fresh.exists() and other.exists() and "interrupted build" in said[0]


# fsrcnn-s x2: 4 (conv, PReLU, conv) chains + the head's column pair; srcnn x3: 2 + conv3's pair.
@pytest.mark.parametrize(("model", "scale", "chains"), [("fsrcnn-s", 2, 5), ("srcnn", 3, 3), ("dcscn", 2, None)])
def test_equalization_keeps_the_function_and_evens_the_channels(model, scale, chains, data_dir, tmp_path):
    import openvino as ov

    from xeonsr.equalize import _activation_ranges, _pairs, equalize
    from xeonsr.evaluate import load_samples
    from xeonsr.quant_recipe import QuantRecipe, calibration_items

    export(model, scale, ir_dir=tmp_path, data_dir=str(data_dir))
    fp32 = ov.Core().read_model(str(locate_ir(model, scale, "fp32", tmp_path)[0]))
    calib = calibration_items(QuantRecipe(calibration_crops=8, crop_lq=32), scale, str(data_dir))
    eq, applied = equalize(fp32, calib)
    n = len(applied)
    if chains is not None:
        assert n == chains
    else:  # DCSCN's activations also feed its concatenation: only single-reader chains qualify
        assert n == len(_pairs(fp32)) and all(len(list(p[2].output(0).get_target_inputs())) == 1 for p in _pairs(fp32))
    lr = load_samples([data_dir / "Set5" / "bird.png"], scale)[0].lr / 255.0
    assert np.abs(_run(eq, lr) - _run(fp32, lr)).max() < 1e-3  # grey levels: the same function
    if n:
        # The channels of each equalized activation are closer in range than before.
        before = _activation_ranges(fp32, [p[2] for p in _pairs(fp32)], calib)
        after = _activation_ranges(eq, [p[2] for p in _pairs(eq)], calib)
        # (dead channels, under 1e-6 of the widest, get no levels either way)
        ratio = [[r.max() / r[r > 1e-6 * r.max()].min() for r in rs] for rs in (before, after)]
        assert sum(ratio[1]) < sum(ratio[0]), ratio
    # QAT's PyTorch module takes the same scales and still computes the same function.
    import torch

    from xeonsr.equalize import equalize_torch
    from xeonsr.infer import load_torch_model
    from xeonsr.models import deploy_form

    deploy = deploy_form(load_torch_model(model, scale)[0]).eval()
    x = torch.from_numpy(lr.astype(np.float32))[None, None]
    with torch.no_grad():
        y0 = deploy(x)
        assert equalize_torch(deploy, applied) == n
        y1 = deploy(x)
    assert float((y1 - y0).abs().max()) * 255 < 1e-3


def test_quantizer_settings_follow_the_target_cpu_class():
    from nncf.quantization.advanced_parameters import OverflowFix

    from xeonsr.errors import UserError
    from xeonsr.ptq import advanced_parameters
    from xeonsr.quant_recipe import load_recipe

    # VNNI sums int8 products in int32: all 8 bits of the weights are safe there; pre-VNNI
    # kernels sum pairs in int16, which every layer can saturate, so AVX2 targets get 7-bit weights.
    assert advanced_parameters(load_recipe("srcnn", target_isa="vnni")).overflow_fix == OverflowFix.DISABLE
    assert advanced_parameters(load_recipe("fsrcnn", target_isa="avx2")).overflow_fix == OverflowFix.ENABLE
    # SRCNN's recipe keeps 8 bits past its first layer (its weights do not saturate; the
    # budget is checked on AVX2 all the same) and runs that layer in rows.
    srcnn = load_recipe("srcnn", target_isa="avx2")
    assert advanced_parameters(srcnn).overflow_fix == OverflowFix.FIRST_LAYER and srcnn.first_layer_rows
    # FSRCNN on AVX2: QAT first, in rows, but at x2 (a class's per-scale entry); not on VNNI.
    by_scale = {s: load_recipe("fsrcnn", target_isa="avx2", scale=s) for s in (2, 3, 4)}
    assert [(r.qat_first, r.first_layer_rows) for r in by_scale.values()] == [(False, False), *[(True, True)] * 2]
    assert not load_recipe("fsrcnn", target_isa="vnni", scale=3).qat_first
    # SRCNN on AVX2: QAT first in rows with its own float layer, a layer each shipped FP32 IR
    # has (a renamed op would silently leave it INT8); SRCNN's patch settings kept beside each
    # scale's lr. Not on VNNI, where PTQ's plain conv1 runs the fast kernel.
    import openvino as ov

    for scale, lr in ((2, 5e-5), (3, 2.5e-5), (4, 2.5e-5)):
        r = load_recipe("srcnn", target_isa="avx2", scale=scale)
        assert r.qat_first and r.first_layer_rows and r.qat == {"lq_patch": 16, "batch_size": 16, "lr": lr}
        fp32 = ov.Core().read_model(str(locate_ir("srcnn", scale, "fp32")[0]))
        assert r.qat_ignored_scope and set(r.qat_ignored_scope) <= {op.get_friendly_name() for op in fp32.get_ops()}
    assert not load_recipe("srcnn", target_isa="vnni", scale=2).qat_first
    # SRCNN 9-5-5 x3 on VNNI: QAT first, only conv3.combine float (PTQ kept conv1 float too,
    # an IR half as fast), at SRCNN x3's lr and patch settings.
    r = load_recipe("srcnn-955", target_isa="vnni", scale=3)
    assert r.qat_first and not r.first_layer_rows and r.qat == {"lq_patch": 16, "batch_size": 16, "lr": 2.5e-5}
    fp32 = ov.Core().read_model(str(locate_ir("srcnn-955", 3, "fp32")[0]))
    assert r.qat_ignored_scope == ["__module.conv3.combine/aten::_convolution/Convolution"]
    assert set(r.qat_ignored_scope) <= {op.get_friendly_name() for op in fp32.get_ops()}
    # FSRCNN-s x3 on VNNI: QAT first with every layer INT8 (the model's QAT float layers cleared
    # for that scale only), at its own lr; x2 keeps the model's QAT float layers and PTQ first.
    s3, s2 = (load_recipe("fsrcnn-s", target_isa="vnni", scale=s) for s in (3, 2))
    assert s3.qat_first and s3.qat_ignored_scope == [] and s3.qat == {"lr": 1e-5} and not s3.ignored_scope
    assert not s2.qat_first and len(s2.qat_ignored_scope) == 2
    assert not load_recipe("fsrcnn-s", target_isa="avx2", scale=3).qat_first
    # AMX: VNNI's recipe (its per-scale entries too) with signed activations, no zero points.
    for model, scale in (("fsrcnn-s", 3), ("fsrcnn", 2), ("dcscn", 3)):
        amx, vnni = (load_recipe(model, target_isa=c, scale=scale) for c in ("amx", "vnni"))
        assert (amx.preset, vnni.preset) == ("performance", "mixed")
        assert {**vars(amx), "preset": "", "target_isa": ""} == {**vars(vnni), "preset": "", "target_isa": ""}
        assert advanced_parameters(amx).overflow_fix == OverflowFix.DISABLE
    with pytest.raises(UserError, match="preset"):
        load_recipe("fsrcnn", {"preset": "fast"})
    with pytest.raises(UserError, match="overflow_fix"):
        load_recipe("fsrcnn", {"overflow_fix": "sometimes"})
    params = advanced_parameters(load_recipe("fsrcnn", target_isa="vnni"))
    ranges = params.activations_range_estimator_params
    assert params.disable_bias_correction and ranges.max.aggregator_type.value == "histogram"
    with pytest.raises(UserError, match="activation_ranges"):
        load_recipe("fsrcnn", {"activation_ranges": "median"})


def test_histogram_ranges_clip_the_tails_that_minmax_spends_levels_on(data_dir, tmp_path):
    """The default activation ranges (histogram: the range with the least quantization error on
    the calibration values) sit inside the full min/max of the same crops, narrower for some
    activation; the image's quantizer stays the uint8 grid either way."""
    import openvino as ov

    from xeonsr.ir_graph import image_quantizers
    from xeonsr.ptq import _quantize
    from xeonsr.quant_recipe import calibration_items, load_recipe

    export("fsrcnn-s", 2, ir_dir=tmp_path, data_dir=str(data_dir))
    fp32 = ov.Core().read_model(str(locate_ir("fsrcnn-s", 2, "fp32", tmp_path)[0]))
    ranges = {}
    for how in ("minmax", "histogram"):
        recipe = load_recipe("fsrcnn-s", {"activation_ranges": how, "calibration_crops": 16, "crop_lq": 32})
        int8 = _quantize(fp32, recipe, calibration_items(recipe, 2, str(data_dir)), [])
        image = {fq.get_friendly_name() for fq in image_quantizers(int8)}
        ranges[how] = {}
        for op in int8.get_ordered_ops():
            if op.get_type_name() == "FakeQuantize" and op.get_levels() == 256:
                lo, hi = (float(op.input(i).get_source_output().get_node().get_data().min()) for i in (1, 2))
                if op.get_friendly_name() in image:
                    assert (lo, hi) == (0.0, 1.0)
                else:
                    ranges[how][op.get_friendly_name()] = (lo, hi)
    assert ranges["histogram"].keys() == ranges["minmax"].keys() and ranges["minmax"]
    narrower = 0
    for name, (lo, hi) in ranges["histogram"].items():
        mlo, mhi = ranges["minmax"][name]
        tol = 0.01 * (mhi - mlo)  # both are nudged so that zero falls on the grid
        assert mlo - tol <= lo < hi <= mhi + tol, (name, (lo, hi), (mlo, mhi))
        narrower += (hi - lo) < 0.99 * (mhi - mlo)
    assert narrower >= 1


def test_first_layer_rows_is_the_same_function_and_its_image_quantizer_is_pinned(fsrcnn_fp32, calib, data_dir):
    from xeonsr.evaluate import load_samples
    from xeonsr.ir_forms import first_layer_rows
    from xeonsr.ir_graph import conv_macs, image_quantizers
    from xeonsr.ptq import _quantize
    from xeonsr.quant_recipe import QuantRecipe

    rows = fsrcnn_fp32.clone()
    assert first_layer_rows(rows) == ["__module.body.0/aten::_convolution/Convolution"]  # 5x5, 1 -> 56
    assert first_layer_rows(rows) == []  # nothing one-channel is left
    assert conv_macs(rows) == conv_macs(fsrcnn_fp32)  # the same multiply-adds, names kept
    kinds = {op.get_type_name() for op in rows.get_ops()}
    assert "ExtractImagePatches" in kinds
    lr = load_samples([data_dir / "Set5" / "bird.png"], 3)[0].lr / 255.0
    assert np.abs(_run(rows, lr) - _run(fsrcnn_fp32, lr)).max() < 1e-3  # grey levels
    # Quantized, the image still enters through one quantizer on the uint8 grid of [0, 1].
    int8 = _quantize(rows, QuantRecipe(target_isa="avx2"), calib, [])
    (fq,) = image_quantizers(int8)
    lo, hi = (float(fq.input(i).get_source_output().get_node().get_data().ravel()[0]) for i in (1, 2))
    assert (lo, hi, fq.get_levels()) == (0.0, 1.0, 256)
    assert np.abs(_run(int8, lr) - _run(fsrcnn_fp32, lr)).mean() < 1.0


def test_first_layer_rows_rewrites_a_quantized_first_layer_into_the_same_int8_function(
    fsrcnn_fp32, calib, data_dir, tmp_path
):
    # A QAT IR quantizes body.0 in its plain form (the PyTorch graph); saved, its weights are
    # int8 constants dequantized per output channel. The rows form keeps both quantizers.
    import openvino as ov

    from xeonsr.evaluate import load_samples
    from xeonsr.ir_forms import first_layer_rows
    from xeonsr.ir_graph import conv_macs, float_layers, image_quantizers
    from xeonsr.ptq import _quantize
    from xeonsr.quant_recipe import QuantRecipe

    # 7-bit weights: no int16 pair saturates on AVX2 in either form, so both are exact.
    ov.save_model(_quantize(fsrcnn_fp32, QuantRecipe(target_isa="avx2"), calib, []), tmp_path / "q.xml")
    plain = ov.Core().read_model(tmp_path / "q.xml")
    rows = ov.Core().read_model(tmp_path / "q.xml")
    assert float_layers(plain) == ["__module.upsample/aten::_convolution/Convolution"]  # the bicubic skip
    body0_name = "__module.body.0/aten::_convolution/Convolution"
    assert first_layer_rows(rows) == [body0_name]
    assert float_layers(rows) == float_layers(plain) and conv_macs(rows) == conv_macs(plain)
    (fq,) = image_quantizers(rows)  # now after the copies, still [0, 1] in 256 levels
    assert fq.input(0).get_source_output().get_node().get_type_name() == "ExtractImagePatches"
    body0 = next(op for op in rows.get_ops() if op.get_friendly_name() == body0_name)
    weights = body0.input(1).get_source_output().get_node()
    stored = weights.input(0).get_source_output().get_node().input(0).get_source_output().get_node()
    assert (weights.get_type_name(), stored.get_element_type().get_type_name()) == ("Multiply", "i8")
    assert list(stored.get_output_shape(0)) == [56, 5, 1, 5]
    lr = load_samples([data_dir / "Set5" / "bird.png"], 3)[0].lr / 255.0
    diff = np.abs(_run(rows, lr) - _run(plain, lr))  # grey levels
    assert diff.mean() < 1e-3 and diff.max() < 0.5
    assert first_layer_rows(rows) == []  # nothing one-channel is left
    # An image quantizer that moves 0 would not commute with the copies' zero padding.
    (fq,) = image_quantizers(plain)
    fq.input(1).replace_source_output(ov.opset13.constant(np.full([1, 1, 1, 1], -0.1, np.float32)).output(0))
    assert first_layer_rows(plain) == []


def test_calibration_says_in_one_line_which_images_are_too_small(data_dir, recwarn, capsys):
    """Before, `xeonsr quantize` printed a "smaller than one training patch" warning for each T91
    image under the crop (a dozen lines, naming training where none happens)."""
    from xeonsr.quant_recipe import QuantRecipe, calibration_items

    items = calibration_items(QuantRecipe(calibration_crops=4, crop_lq=64), 3, str(data_dir))
    assert len(items) == 4 and items[0].shape == (1, 1, 64, 64)
    assert not [w for w in recwarn if "smaller than" in str(w.message)]
    lines = [ln for ln in capsys.readouterr().err.splitlines() if "calibration:" in ln]
    assert (
        len(lines) == 1 and lines[0].startswith("xeonsr: note:") and "smaller than a 192x192 crop left out" in lines[0]
    )
