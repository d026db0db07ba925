"""Quantization recipes: the per-model settings (quantize/recipes.json, per CPU class) and the
calibration crops they name."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from xeonsr.errors import UserError, note
from xeonsr.irs import INT8_CLASSES, REPO_ROOT

RECIPES = REPO_ROOT / "quantize" / "recipes.json"  # absent from a wheel: QuantRecipe's defaults apply


@dataclass
class QuantRecipe:
    max_drop_db: float = 0.05  # mean PSNR the INT8 IR may lose against the FP32 IR, per budget set
    # ... on the budget_worst_k held-out images of a set that lose most (ptq.worst_mean): the
    # budget holds for any few of them, the clean ones included, not only on the set's average.
    budget_worst_k: int = 5
    calibration_set: str = "T91"  # a training set (or a folder): test images never calibrate
    calibration_crops: int = 300
    crop_lq: int = 64  # LR crop side for calibration
    preset: str = "mixed"  # mixed: asymmetric activations (PReLU outputs are signed)
    activation_ranges: str = "histogram"  # or "minmax", "mean_minmax" (NNCF's default); see ptq.advanced_parameters
    equalize: bool = True  # cross-layer equalization before PTQ (xeonsr.equalize)
    bias_correction: bool = False  # NNCF's fast bias correction (see ptq.advanced_parameters)
    ignored_scope: list[str] = field(default_factory=list)  # op names kept in float
    # QAT: its own float layers (OpenVINO names, besides ignored_scope) and QATConfig fields
    qat_ignored_scope: list[str] = field(default_factory=list)
    qat: dict = field(default_factory=dict)
    # The budget holds on each of these held-out sets (never trained on, never reported), so
    # the images that decide are not the ones that grade; the report sets are only measured.
    # "samples": the photos scikit-image ships (a dependency), held out by construction.
    budget_sets: list[str] = field(default_factory=lambda: ["BSD200-val", "samples"])
    report_sets: list[str] = field(default_factory=lambda: ["Set5", "Set14"])
    seed: int = 0
    # The CPU class the float/INT8 choices are made for: "vnni" (VNNI int8 dot products),
    # "amx" (VNNI's recipe with signed activations, :data:`CLASS_SETTINGS`) or "avx2" (no int8
    # dot product: a 1-input-channel convolution is slower in INT8 there).
    target_isa: str = "vnni"
    # PTQ quantizes the one-channel k x k first layer as k row-shifted channels and a 1 x k
    # convolution (ir_forms.first_layer_rows; the same function, another INT8 kernel).
    first_layer_rows: bool = False
    # The one-channel first layer left out of NNCF (float: its input is the float LR image) and
    # then made two INT8 layers, the image's 8 bits and their remainder (ir_remainder): INT8
    # speed without rounding the image to 8 bits.
    first_layer_remainder: bool = False
    # Weights in 7 bits against pre-VNNI int16 saturation (ptq.advanced_parameters): "auto"
    # (every layer for avx2 targets, none for vnni), "enable", "first_layer" or "disable". The
    # budget is checked on the CPU that quantizes either way.
    overflow_fix: str = "auto"
    # --method auto tries QAT with every layer INT8 (but the recipe's float ones) before PTQ's
    # search for float layers: where the layers PTQ must keep float cost more time than QAT
    # takes once (FSRCNN x3 on AVX2: quantize/recipes.json). PTQ still runs where QAT misses.
    qat_first: bool = False
    # Fields PTQ tries second where this recipe misses the budget (before QAT), e.g. the first
    # layer in its plain form with 8-bit weights (SRCNN x4 on AVX2: quantize/recipes.json).
    ptq_fallback: dict = field(default_factory=dict)


ISA_CLASSES = INT8_CLASSES
# A class that starts from another's recipe (a model's "isa" entry for it, then its own).
BASE_CLASS = {"amx": "vnni"}
# What a class sets before a model's recipe does. AMX: activations quantized symmetric
# (NNCF's performance preset: PReLU outputs as int8 around zero, no zero point). OpenVINO
# 2026.4's AMX convolutions take no input zero point, so the mixed preset's asymmetric
# activations ran on its older jit kernels: DCSCN x2/x3/x4 INT8 1.37-1.45x faster (median
# round) in the symmetric IR on an Intel Xeon with AMX (Emerald Rapids, 2 threads), for about
# 0.01 dB more; on VNNI kernels (ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI) 0.94-1.08x, hence a class
# of its own (docs/int8.md, benchmarks/probes/int8_class_irs.py).
CLASS_SETTINGS = {"amx": {"preset": "performance"}}
PRESETS = ("mixed", "performance")
ACTIVATION_RANGES = ("minmax", "mean_minmax", "histogram")
OVERFLOW_FIXES = ("auto", "enable", "first_layer", "disable")


def load_recipe(
    model: str, overrides: dict | None = None, target_isa: str | None = None, scale: int | None = None
) -> QuantRecipe:
    """The recipe of ``model`` for a CPU class (default: this host's) and ``scale`` (a class's
    ``scales`` entry, where it has one), with ``overrides``."""
    recipes = json.loads(RECIPES.read_text()) if RECIPES.exists() else {}
    if target_isa is None:
        from xeonsr.info import cpu_info

        target_isa = cpu_info().isa_class
    if target_isa not in ISA_CLASSES:
        raise UserError(f"unknown CPU class {target_isa!r}: choose one of {', '.join(ISA_CLASSES)}")
    own = dict(recipes.get(model, {}))
    classes = own.pop("isa", {})
    layers = [recipes.get("default", {}), CLASS_SETTINGS.get(target_isa, {}), own]
    for cls in (BASE_CLASS.get(target_isa), target_isa):
        per_isa = dict(classes.get(cls, {})) if cls else {}
        per_scale = per_isa.pop("scales", {}).get(str(scale), {})
        layers += [per_isa, per_scale]
    layers.append(overrides or {})
    base = {k: v for layer in layers for k, v in layer.items()}
    # QAT settings merge field by field: a class or scale names only what it changes (an lr)
    base["qat"] = {k: v for layer in layers for k, v in layer.get("qat", {}).items()}
    base["target_isa"] = target_isa
    for key in [k for k in base if k.startswith("why")]:
        base.pop(key)  # the recipe's reasons, for people
    recipe = QuantRecipe(**base)
    if recipe.preset not in PRESETS:
        raise UserError(f"recipe of {model}: preset {recipe.preset!r}: one of {', '.join(PRESETS)}")
    if recipe.activation_ranges not in ACTIVATION_RANGES:
        raise UserError(
            f"recipe of {model}: activation_ranges {recipe.activation_ranges!r}: one of {', '.join(ACTIVATION_RANGES)}"
        )
    fields = set(QuantRecipe.__dataclass_fields__) - {"ptq_fallback"}
    unknown = sorted(set(recipe.ptq_fallback) - fields)
    if unknown:
        raise UserError(f"recipe of {model}: ptq_fallback sets no recipe field(s) {unknown}")
    for fix in (recipe.overflow_fix, recipe.ptq_fallback.get("overflow_fix", "auto")):
        if fix not in OVERFLOW_FIXES:
            raise UserError(f"recipe of {model}: overflow_fix {fix!r}: one of {', '.join(OVERFLOW_FIXES)}")
    if recipe.budget_worst_k < 1:
        raise UserError(f"recipe of {model}: budget_worst_k must be 1 or more, not {recipe.budget_worst_k}")
    return recipe


def calibration_items(recipe: QuantRecipe, scale: int, data_dir) -> list[np.ndarray]:
    """Random LR crops (1, 1, p, p) float32 on [0, 1] from the training set's degraded images."""
    import warnings

    from xeonsr.data import PatchConfig, build_pairs

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        pairs = build_pairs(
            PatchConfig(scale=scale, datasets=(recipe.calibration_set,), lq_patch=recipe.crop_lq, down_factors=(1.0,)),
            data_dir,
        )  # an empty or unusable folder raises a one-line DatasetError here
    # Images smaller than a crop are simply not drawn from: one line, not one warning each.
    small = [w for w in said if "smaller than one" in str(w.message)]
    for w in said:
        if w not in small:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if small:
        side = recipe.crop_lq * scale
        note(
            f"calibration: {len(small)} image(s) of {recipe.calibration_set} smaller than a {side}x{side} crop "
            f"left out, {len(pairs)} used"
        )
    rng = np.random.default_rng(recipe.seed)
    p = recipe.crop_lq
    items = []
    for _ in range(recipe.calibration_crops):
        lq, _gt = pairs[int(rng.integers(len(pairs)))]
        y, x = int(rng.integers(lq.shape[0] - p + 1)), int(rng.integers(lq.shape[1] - p + 1))
        items.append((lq[y : y + p, x : x + p] / 255.0).astype(np.float32)[None, None])
    return items


def quantized_on() -> dict:
    """The CPU class a recipe's float/INT8 choices were made and checked on."""
    from xeonsr.info import cpu_info

    cpu = cpu_info()
    isa = next((f for f in ("amx_int8", "avx512_vnni", "avx_vnni", "avx512f", "avx2") if f in cpu.flags), "other")
    return {"cpu": cpu.model, "isa": isa}
