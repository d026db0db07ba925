"""Post-training INT8 (NNCF) of an OpenVINO FP32 model, with the float layers searched for the budget."""

from __future__ import annotations

import numpy as np

from xeonsr.ir_graph import MIN_INT8_SHARE, chain_ends, conv_macs, module_path, pin_image_range, skip_branch_ops
from xeonsr.irs import DOT_CLASSES


def worst_mean(losses, k: int) -> float:
    """Mean of the ``k`` largest per-image PSNR losses (all of them when there are fewer): the
    budget's statistic. A set's plain mean hides its clean images: INT8's noise floor costs an
    image more dB the higher its PSNR (srcnn x2 with every layer INT8: 0.30 dB on BSD200-val's
    43 dB image, 0.01-0.04 on its 25-30 dB ones, mean 0.048), and a test set of a few clean images
    (five is the smallest benchmark) then loses several times the held-out mean."""
    worst = sorted((float(x) for x in losses), reverse=True)[: max(1, k)]
    return float(np.mean(worst)) if worst else 0.0


def psnr_of(compiled, samples, scale: int) -> tuple[float, list[float]]:
    from xeonsr.evaluate import evaluate
    from xeonsr.runtime import ov_run, plane_fn

    res = evaluate(plane_fn(ov_run(compiled, scale)), samples, scale, with_ssim=False)
    return res["mean_psnr"], [r["psnr"] for r in res["images"]]


def nncf_preset(preset: str):
    """NNCF's preset of a recipe's ``preset`` (mixed: asymmetric activations; performance:
    symmetric, the AMX class's), for PTQ and QAT alike."""
    import nncf

    return nncf.QuantizationPreset.MIXED if preset == "mixed" else nncf.QuantizationPreset.PERFORMANCE


def advanced_parameters(recipe):
    """NNCF's quantizer settings for ``recipe`` (PTQ and QAT alike)."""
    from nncf.quantization.advanced_parameters import AdvancedQuantizationParameters, OverflowFix
    from nncf.quantization.range_estimator import RangeEstimatorParametersSet

    ranges = {
        "minmax": RangeEstimatorParametersSet.MINMAX,
        "mean_minmax": RangeEstimatorParametersSet.MEAN_MINMAX,
        "histogram": RangeEstimatorParametersSet.HISTOGRAM,
    }
    fixes = {"enable": OverflowFix.ENABLE, "first_layer": OverflowFix.FIRST_LAYER, "disable": OverflowFix.DISABLE}
    overflow_fix = recipe.overflow_fix
    if overflow_fix == "auto":
        overflow_fix = "disable" if recipe.target_isa in DOT_CLASSES else "enable"
    return AdvancedQuantizationParameters(
        # Pre-VNNI INT8 kernels sum pairs of uint8 x int8 products in saturating int16; 7-bit
        # weights keep every such pair in range. NNCF's default does that for the first layer
        # only, but deeper layers saturate too: FSRCNN x3, every layer INT8, on an AVX2 Zen 3,
        # RMS error vs FP32 on a bright / dark copy of one image: 8-bit 0.91 / 0.56 grey levels,
        # first layer 7-bit 0.91 / 0.57, every layer 7-bit 0.67 / 0.60. VNNI sums in int32, so
        # the 8th bit is free there (SRCNN x3 PTQ, every layer INT8, BSD200-val: 0.067 -> 0.053 dB).
        # A recipe may keep 8 bits for an AVX2 target whose weights are small enough not to
        # saturate (SRCNN: quantize/recipes.json); its budget is still checked on AVX2.
        overflow_fix=fixes[overflow_fix],
        # NNCF's default activation range is the mean over calibration crops of each crop's
        # min/max, which clips what only some crops reach: bright flat regions (SRCNN x3's
        # input quantizer stopped at 0.905). The full min/max: 0.053 -> 0.018 dB (same model).
        # "histogram" takes the range that minimises the quantization error over the histogram
        # of every crop's values: it clips the rare tails that min/max spends levels on (FSRCNN
        # x3, session-12 weights, every layer INT8: 0.063 -> 0.042 dB; see quantize/recipes.json).
        activations_range_estimator_params=ranges[recipe.activation_ranges],
        # NNCF's fast bias correction shifts each layer's bias by its mean quantization error on
        # the calibration crops (textured); measured without it, every layer INT8, the five
        # held-out images that lose most: fsrcnn-s x2 1.86 -> 0.81 dB, fsrcnn x3 0.093 -> 0.079,
        # srcnn x2 0.114 -> 0.114, fsrcnn-s x3 0.099 -> 0.102.
        disable_bias_correction=not recipe.bias_correction,
    )


def budget_losses(compiled, budget: dict, fp32_psnr: dict, scale: int, k: int) -> dict[str, float]:
    """Each budget set's statistic: worst_mean of its images' PSNR losses against FP32."""
    out = {}
    for ds, samples in budget.items():
        values = psnr_of(compiled, samples, scale)[1]
        out[ds] = worst_mean([fp32_psnr[(ds, smp.name)] - p for smp, p in zip(samples, values, strict=True)], k)
    return out


def _compile(model):
    from xeonsr.ov import compile_ir

    return compile_ir(model)


def _equalized(fp32_model, recipe, calib: list):
    if not recipe.equalize:
        return fp32_model
    from xeonsr.equalize import equalize

    return equalize(fp32_model, calib)[0]


def _quantize(fp32_model, recipe, calib: list, float_names: list[str], equalized: bool = False):
    """``equalized``: the caller already equalized ``fp32_model`` (the search quantizes it once
    per round; equalizing costs a calibration pass)."""
    import nncf

    if not equalized:
        fp32_model = _equalized(fp32_model, recipe, calib)
    int8 = nncf.quantize(
        fp32_model,
        nncf.Dataset(calib),
        preset=nncf_preset(recipe.preset),
        subset_size=len(calib),
        ignored_scope=nncf.IgnoredScope(names=skip_branch_ops(fp32_model) + float_names),
        advanced_parameters=advanced_parameters(recipe),
    )
    pin_image_range(int8)
    return int8


def with_float(int8_model, names: list[str]):
    """A copy of ``int8_model`` whose convolutions ``names`` read their input and weights
    unquantized (their FakeQuantize ops bypassed): what quantizing without them gives, to the
    search's precision, with no new calibration."""
    model = int8_model.clone()
    wanted = set(names)
    for op in model.get_ordered_ops():
        if op.get_friendly_name() in wanted:
            for port in (0, 1):
                src = op.input(port).get_source_output().get_node()
                if src.get_type_name() == "FakeQuantize":
                    op.input(port).replace_source_output(src.input(0).get_source_output())
    return model


def ptq(fp32_model, recipe, budget: dict, fp32_psnr: dict, calib: list, scale: int, log=print):
    """PTQ that keeps the fewest multiply-adds float at the ends of the INT8 chain: every
    convolution INT8, then greedily the layer whose float form buys the most budget per
    multiply-add, until the budget holds. Candidates are the chain's ends (``chain_ends``: fed by
    the image or float layers, or feeding the output or float layers); a middle layer only when
    no end helps.

    Why ends first: a float layer inside the chain costs two precision changes besides its float
    arithmetic. Ranked over every layer, FSRCNN x3 (session-12 weights) kept its two small 1x1
    layers body.12 and body.2 float beside the head's combine: 4.98 ms per 160x140 LR, 0.049 dB;
    from the ends it keeps the first layer float instead: 4.67 ms, 0.043 dB (every layer INT8:
    0.072 dB; 2 threads of a Zen 4, interleaved). NNCF's accuracy control reverts
    the layers that help most regardless of their size (SRCNN x2's 9x9 first layer first: 36%
    INT8 left, where conv2 and conv3 float, 64% INT8, met the same budget). -> (INT8 model, its
    float layers); the model misses the budget where no set of float layers that leaves
    MIN_INT8_SHARE of the work INT8 meets it (the caller checks)."""
    k, limit = recipe.budget_worst_k, recipe.max_drop_db
    macs = conv_macs(fp32_model)
    total = sum(macs.values())
    fixed = sum(v for n, v in macs.items() if n in recipe.ignored_scope)

    def stat(model) -> float:
        return max(budget_losses(_compile(model), budget, fp32_psnr, scale, k).values())

    chosen = []
    fp32_model = _equalized(fp32_model, recipe, calib)
    model = _quantize(fp32_model, recipe, calib, list(recipe.ignored_scope), equalized=True)
    current = stat(model)
    log(f"ptq search: every layer INT8 loses {current:.3f} dB (budget {limit})")
    while current > limit:
        best = None  # ranked on the bypassed copy, then quantized afresh and measured
        ends = set(chain_ends(fp32_model, list(recipe.ignored_scope) + chosen))
        for pool in ([n for n in macs if n in ends], list(macs)):
            for name in pool:
                if name in chosen or name in recipe.ignored_scope:
                    continue
                if 1 - (fixed + sum(macs[n] for n in chosen) + macs[name]) / total < MIN_INT8_SHARE:
                    continue
                # Ends are few: each is quantized afresh; the fallback ranks on a bypassed copy.
                trial = (
                    _quantize(fp32_model, recipe, calib, [*recipe.ignored_scope, *chosen, name], equalized=True)
                    if name in ends else with_float(model, [name])
                )  # fmt: skip
                gain = (current - stat(trial)) / macs[name]
                if gain > 0 and (best is None or gain > best[0]):
                    best = (gain, name)
            if best is not None:
                break
        if best is None:
            log("ptq search: no other layer may stay float (half the work stays INT8) or helps")
            break
        chosen.append(best[1])
        model = _quantize(fp32_model, recipe, calib, list(recipe.ignored_scope) + chosen, equalized=True)
        current = stat(model)
        log(f"ptq search: + {module_path(best[1])} float -> {current:.3f} dB")
    return model, chosen
