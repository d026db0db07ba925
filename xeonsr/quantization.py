"""NNCF INT8 under a PSNR budget on Set5 (and Set14) (``nncf.quantize_with_accuracy_control``).

Calibration uses LR crops of the *training* set (T91); the validation metric is the worst
mean-PSNR change of the budget sets (Set5, Set14) by the protocol of ``xeonsr eval``; layers
that cost accuracy fall back to float.
The per-model settings live in quantize/recipes.json.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from xeonsr.errors import UserError
from xeonsr.fileio import atomic_write_text
from xeonsr.ir_graph import MIN_INT8_SHARE, float_layers, int8_mac_share, skip_branch_ops
from xeonsr.irs import (
    REPO_ROOT,
    REPORTS,
    SHIPPED_IR_DIR,
    ir_stem,
    is_shipped,
    locate_ir,
    manifest_entry,
    read_manifest,
    save_ir,
    update_manifest,
)

RECIPES = REPO_ROOT / "quantize" / "recipes.json"  # absent from a wheel: QuantRecipe's defaults apply


class BudgetError(UserError):
    pass


@dataclass
class QuantRecipe:
    max_drop_db: float = 0.1  # mean PSNR the INT8 IR may lose against the FP32 IR, per budget set
    calibration_set: str = "T91"  # a training set (or a folder): test images never calibrate
    calibration_crops: int = 300
    crop_lq: int = 64  # LR crop side for calibration
    preset: str = "mixed"  # mixed: asymmetric activations (PReLU outputs are signed)
    ignored_scope: list[str] = field(default_factory=list)  # op names kept in float
    # The budget holds on each of these held-out sets (never trained on, never reported), so
    # the images that decide are not the ones that grade; the report sets are only measured.
    budget_sets: list[str] = field(default_factory=lambda: ["BSD200-val"])
    report_sets: list[str] = field(default_factory=lambda: ["Set5", "Set14"])
    seed: int = 0


def load_recipe(model: str, overrides: dict | None = None) -> QuantRecipe:
    recipes = json.loads(RECIPES.read_text()) if RECIPES.exists() else {}
    base = {**recipes.get("default", {}), **recipes.get(model, {}), **(overrides or {})}
    base.pop("why", None)  # the recipe's reason, for people
    return QuantRecipe(**base)


def calibration_items(recipe: QuantRecipe, scale: int, data_dir) -> list[np.ndarray]:
    """Random LR crops (1, 1, p, p) float32 on [0, 1] from the training set's degraded images."""
    from xeonsr.data import PatchConfig, build_pairs

    pairs = build_pairs(
        PatchConfig(scale=scale, datasets=(recipe.calibration_set,), lq_patch=recipe.crop_lq, down_factors=(1.0,)),
        data_dir,
    )  # an empty or unusable folder raises a one-line DatasetError here
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


def psnr_of(compiled, samples, scale: int) -> tuple[float, list[float]]:
    from xeonsr.evaluate import evaluate
    from xeonsr.runtime import ov_run, plane_fn

    res = evaluate(plane_fn(ov_run(compiled)), samples, scale, with_ssim=False)
    return res["mean_psnr"], [r["psnr"] for r in res["images"]]


def quantize(
    model: str,
    scale: int,
    data_dir=None,
    ir_dir: Path = SHIPPED_IR_DIR,
    overrides: dict | None = None,
    reports_dir: Path | None = None,
    calib_dir: str | Path | None = None,
    val_dir: str | Path | None = None,
) -> dict:
    """Write <model>_x<scale>_int8 IR + manifest entry + report, or raise BudgetError.

    The accuracy budget holds on held-out images (BSD200-val, or ``val_dir``: any folder of
    images, made LR by the protocol); calibration uses T91 crops (or ``calib_dir``); Set5 and
    Set14 are reported, never decide. Reports of the shipped store go to quantize/reports; of
    another store, to its reports/."""
    import nncf
    import openvino as ov

    from xeonsr.data import DatasetError, dataset_files
    from xeonsr.evaluate import load_samples
    from xeonsr.ov import compile_ir

    ir_dir = Path(ir_dir)
    if reports_dir is None:
        reports_dir = REPORTS if is_shipped(ir_dir) else ir_dir / "reports"
    t0 = time.perf_counter()
    recipe = load_recipe(model, overrides)
    if calib_dir is not None:
        recipe.calibration_set = str(calib_dir)
    if val_dir is not None:
        recipe.budget_sets = [str(val_dir)]
    xml, fp32_entry = locate_ir(model, scale, "fp32", ir_dir)
    fp32_model = ov.Core().read_model(str(xml))
    # Everything is read before NNCF runs: a bad folder fails in one line with nothing written.
    budget = {}
    for ds in recipe.budget_sets:
        label, files = dataset_files(ds, data_dir)
        budget[label] = load_samples(files, scale)
    calib = calibration_items(recipe, scale, data_dir)
    fp32_compiled = compile_ir(xml)
    fp32_psnr = {}
    for ds, samples in budget.items():
        values = psnr_of(fp32_compiled, samples, scale)[1]
        fp32_psnr.update({(ds, smp.name): p for smp, p in zip(samples, values, strict=True)})

    first = next(iter(budget))
    fp32_first = float(np.mean([p for (ds, _), p in fp32_psnr.items() if ds == first]))

    def validate(compiled, items) -> tuple[float, list[float]]:
        # Metric: FP32's mean on the first budget set plus the worst set's mean PSNR change
        # against FP32 (so NNCF's max_drop bounds every budget set's loss); the per-image
        # changes let it rank the layers.
        items = list(items)
        per_image, by_set = [], {}
        for ds in budget:
            mine = [smp for tag, smp in items if tag == ds]
            if mine:
                values = psnr_of(compiled, mine, scale)[1]
                diffs = [p - fp32_psnr[(ds, smp.name)] for smp, p in zip(mine, values, strict=True)]
                by_set[ds] = float(np.mean(diffs))
                per_image += diffs
        return fp32_first + min(by_set.values()), per_image

    tagged = [(ds, smp) for ds, samples in budget.items() for smp in samples]
    by_design = skip_branch_ops(fp32_model)
    kwargs = {"ignored_scope": nncf.IgnoredScope(names=by_design + list(recipe.ignored_scope))}
    int8 = nncf.quantize_with_accuracy_control(
        fp32_model,
        calibration_dataset=nncf.Dataset(calib),
        validation_dataset=nncf.Dataset(tagged, lambda item: (item[1].lr / 255.0).astype(np.float32)[None, None]),
        validation_fn=validate,
        max_drop=recipe.max_drop_db,
        drop_type=nncf.DropType.ABSOLUTE,
        preset=nncf.QuantizationPreset.MIXED if recipe.preset == "mixed" else nncf.QuantizationPreset.PERFORMANCE,
        subset_size=len(calib),
        **kwargs,
    )
    results = {}
    int8_compiled = ov.Core().compile_model(int8, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    sets = dict(budget)
    for ds in recipe.report_sets:
        try:
            sets.setdefault(ds, load_samples(dataset_files(ds, data_dir)[1], scale))
        except DatasetError:
            continue  # reported only where the data is
    for ds, samples in sets.items():
        fp = psnr_of(fp32_compiled, samples, scale)[0]
        q = psnr_of(int8_compiled, samples, scale)[0]
        results[ds] = {"fp32": round(fp, 3), "int8": round(q, 3), "drop_db": round(fp - q, 3)}
    share = int8_mac_share(int8)
    report = {
        "model": model,
        "scale": scale,
        "recipe": asdict(recipe),
        "method": "ptq (NNCF post-training quantization with accuracy control)",
        "budget_sets": {ds: [smp.name for smp in budget[ds]] for ds in budget},
        "reported_sets": [ds for ds in sets if ds not in budget],
        "quantized_on": quantized_on(),
        "psnr": results,
        "kept_float_by_design": "bicubic skip branch and the residual Add (see skip_branch_ops)",
        "layers_kept_in_fp": float_layers(int8),
        "int8_mac_share": round(share, 3),
        "calibration_size": len(calib),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    reports_dir.mkdir(parents=True, exist_ok=True)
    stem = ir_stem(model, scale, "int8")
    over = [ds for ds in budget if results[ds]["drop_db"] > recipe.max_drop_db]
    if over or share < MIN_INT8_SHARE:
        if over:
            report["status"] = "budget not met: no INT8 IR written"
            why = (
                f"INT8 loses {results[over[0]]['drop_db']:.3f} dB on {over[0]}, over the {recipe.max_drop_db} dB budget"
            )
        else:  # NNCF met the budget by reverting (nearly) every layer: FP32 named INT8
            pct = f"{100 * share:.0f}%" if share >= 0.01 else f"{100 * share:.2f}%"
            report["status"] = f"only {pct} of the multiply-adds stay INT8 within the budget: no INT8 IR written"
            why = (
                f"only {pct} of the multiply-adds stay INT8 within the {recipe.max_drop_db} dB budget "
                f"(under {MIN_INT8_SHARE:.0%}, an INT8 IR runs at FP32 speed)"
            )
        # An INT8 IR made earlier stays, and so does the report that describes it.
        kept = stem in read_manifest(ir_dir)["models"]
        where = reports_dir / (f"{stem}.rejected.json" if kept else f"{stem}.json")
        atomic_write_text(where, json.dumps(report, indent=2) + "\n")
        raise BudgetError(
            f"{model} x{scale}: {why}; no INT8 IR written (FP32 untouched"
            + (", the earlier INT8 IR kept)" if kept else ")")
        )
    xml8, bin8 = save_ir(int8, ir_dir, stem)
    report["status"] = "ok"
    entry = manifest_entry(
        stem,
        model,
        scale,
        "int8",
        xml8,
        bin8,
        {
            "psnr": {ds: r["int8"] for ds, r in results.items()},
            "fp32_ir": fp32_entry["xml"],
            "receptive_radius": fp32_entry.get("receptive_radius"),
            "report": f"quantize/reports/{stem}.json" if reports_dir == REPORTS else str(reports_dir / f"{stem}.json"),
            "ov_inference_precision": "f32 (non-quantized ops)",
            "quantized_on": report["quantized_on"],
        },
    )
    update_manifest(entry, ir_dir)
    atomic_write_text(reports_dir / f"{stem}.json", json.dumps(report, indent=2) + "\n")
    return report
