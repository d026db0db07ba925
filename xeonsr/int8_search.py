"""The search behind ``xeonsr quantize``: INT8 models made by each method in turn (NNCF
post-training quantization with its recipe's fallback form, quantization-aware training) until
one keeps the PSNR budget on the held-out images with enough of the work INT8."""

from __future__ import annotations

from dataclasses import dataclass, replace

from xeonsr.ir_forms import first_layer_rows
from xeonsr.ir_graph import MIN_INT8_SHARE, conv_macs, int8_mac_share
from xeonsr.ir_remainder import first_layer_remainder
from xeonsr.ptq import advanced_parameters, budget_losses, ptq


@dataclass
class Found:
    """What the search ends with: the last INT8 model made and why it can't ship
    (None: it can), the method that made it, the recipe variant it used, what failed before."""

    int8: object
    used: str
    why: str | None
    tried: list[str]
    recipe: object
    qat_seconds: float | None = None
    qat_config: object = None


def verdict(int8, recipe, budget, fp32_psnr, scale: int) -> str | None:
    """Why ``int8`` can't ship (None: it can): over the budget, or too little of it INT8."""
    from xeonsr.ov import compile_ir

    lost = budget_losses(compile_ir(int8), budget, fp32_psnr, scale, recipe.budget_worst_k)
    over = [ds for ds, d in lost.items() if d > recipe.max_drop_db]
    if over:
        return (
            f"INT8 loses {lost[over[0]]:.3f} dB on the {recipe.budget_worst_k} images of {over[0]} "
            f"that lose most, over the {recipe.max_drop_db} dB budget"
        )
    share = int8_mac_share(int8)
    if share < MIN_INT8_SHARE:
        pct = f"{100 * share:.0f}%" if share >= 0.01 else f"{100 * share:.2f}%"
        return (
            f"only {pct} of the multiply-adds stay INT8 within the {recipe.max_drop_db} dB budget "
            f"(under {MIN_INT8_SHARE:.0%}: too little of the work gains from INT8)"
        )
    return None


def search(order, recipe, fp32_model, torch_net, calib, budget, fp32_psnr, scale, data_dir, qat_overrides):
    """Each method of ``order`` in turn until one makes an INT8 model that can ship (or the last
    has tried) -> Found."""
    tried: list[str] = []
    searched: list[str] = []  # the float layers PTQ's search chose: QAT after PTQ starts from them
    found = None
    for used in order:
        if used == "ptq":
            # The recipe, then its ptq_fallback (another form of the first layer, another weight
            # width) where the first misses; the report records the one that made the IR.
            variants = [recipe] + (
                [replace(recipe, **recipe.ptq_fallback, ptq_fallback={})] if recipe.ptq_fallback else []
            )
            for variant in variants:
                form = fp32_model.clone()
                if variant.first_layer_rows:
                    first_layer_rows(form)
                recipe = _remainder_scope(variant, form, calib)
                int8, searched = ptq(form, recipe, budget, fp32_psnr, calib, scale, log=_progress)
                _split(int8, recipe, calib)
                found = Found(int8, used, verdict(int8, recipe, budget, fp32_psnr, scale), tried, recipe)
                if not found.why:
                    break
                if variant is not variants[-1]:
                    tried.append(f"ptq{' (first layer in rows)' if variant.first_layer_rows else ''}: {found.why}")
                    _progress(f"ptq: {found.why}; trying the recipe's ptq_fallback {recipe.ptq_fallback}")
        else:
            int8, seconds, config = _qat(
                torch_net(), fp32_model, recipe, searched, scale, calib, data_dir, qat_overrides
            )
            found = Found(int8, used, verdict(int8, recipe, budget, fp32_psnr, scale), tried, recipe, seconds, config)
        if not found.why or used == order[-1]:
            return found
        tried.append(f"{used}: {found.why}")
        _progress(f"{used}: {found.why}; trying {order[order.index(used) + 1]}")
    return found


def _qat(net, fp32_model, recipe, searched: list[str], scale: int, calib: list, data_dir, qat_overrides):
    """QAT of ``net`` -> (INT8 model in the recipe's form, seconds, QATConfig). Its float layers: the
    recipe's, and PTQ's searched ones where INT8 keeps MIN_INT8_SHARE of the work with them."""
    from xeonsr.equalize import equalize
    from xeonsr.qat import QATConfig, qat_int8

    qat_config = QATConfig(**{**recipe.qat, **(qat_overrides or {})})
    # The recipe names layers of every scale's graph (x2/x3's column-pair head, x4's plain one).
    present = {op.get_friendly_name() for op in fp32_model.get_ops()}
    if recipe.first_layer_remainder:  # NNCF leaves it float; _split makes it INT8 after training
        recipe = _remainder_scope(recipe, fp32_model.clone(), calib)
    floats = [n for n in dict.fromkeys(recipe.ignored_scope + recipe.qat_ignored_scope) if n in present]
    macs = conv_macs(fp32_model)
    with_searched = list(dict.fromkeys(floats + searched))
    if 1 - sum(macs.get(n, 0) for n in with_searched) / sum(macs.values()) >= MIN_INT8_SHARE:
        floats = with_searched
    elif searched:
        floats = list(dict.fromkeys(recipe.ignored_scope + searched))
    int8, seconds = qat_int8(
        net,
        scale,
        calib,
        qat_config,
        data_dir,
        float_convs=floats,
        advanced=advanced_parameters(recipe),
        equalized=equalize(fp32_model, calib)[1] if recipe.equalize else (),
        log=_progress,
        preset=recipe.preset,
    )
    if recipe.first_layer_rows:  # the form PTQ would quantize in: the same INT8 function (ir_forms)
        first_layer_rows(int8)
    _split(int8, recipe, calib)
    return int8, seconds, qat_config


def _image_mean(calib: list) -> float:
    import numpy as np

    return float(np.mean([c.mean() for c in calib]))


def _remainder_scope(recipe, form, calib: list):
    """With ``first_layer_remainder``: ``form``'s first layer on its int8 weights (bias corrected),
    still float, and out of NNCF's scope, so PTQ calibrates the later layers on what it will
    compute; the recipe with that layer in its ignored_scope."""
    if not recipe.first_layer_remainder:
        return recipe
    names = first_layer_remainder(form, _image_mean(calib), split=False)
    return replace(recipe, ignored_scope=list(dict.fromkeys([*recipe.ignored_scope, *names])))


def _split(int8, recipe, calib: list) -> None:
    if recipe.first_layer_remainder:
        first_layer_remainder(int8, _image_mean(calib))


def _progress(line: str) -> None:
    import sys

    print(line, file=sys.stderr, flush=True)
