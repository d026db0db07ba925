"""INT8 IRs within a PSNR budget on held-out images: post-training quantization with the float
layers searched for the budget (xeonsr.ptq) where it keeps enough of the work INT8,
quantization-aware training (xeonsr.qat) where it can't. Calibration uses LR crops of a
training set (T91); the budget is the PSNR change by the protocol of ``xeonsr eval`` on the
held-out images (BSD200-val, scikit-image's photos) that lose most;
Set5/Set14 are only reported. The per-model settings: xeonsr.quant_recipe.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

from xeonsr.errors import UserError
from xeonsr.fileio import atomic_write_text, make_folder
from xeonsr.int8_search import search
from xeonsr.ir_graph import float_layers, int8_mac_share
from xeonsr.irs import (
    REPORTS,
    SHIPPED_IR_DIR,
    int8_stem,
    is_shipped,
    locate_ir,
    manifest_entry,
    read_manifest,
    save_ir,
    update_manifest,
)
from xeonsr.ptq import psnr_of, worst_mean
from xeonsr.quant_recipe import calibration_items, load_recipe, quantized_on


class BudgetError(UserError):
    pass


def budget_reference(recipe, fp32, scale: int, data_dir=None) -> tuple[dict, dict]:
    """What an INT8 IR is judged against: the recipe's held-out budget images ({set: samples},
    made LR by the protocol) and the FP32 IR's PSNR on each ({(set, image): dB}), on this CPU.
    ``fp32``: the FP32 IR's path, or that IR already compiled."""
    from xeonsr.evaluate import load_samples, resolve_dataset
    from xeonsr.ov import compile_ir

    budget = {}
    for ds in recipe.budget_sets:
        label, files = resolve_dataset(ds, data_dir)
        budget[label] = load_samples(files, scale)
    reference = fp32 if hasattr(fp32, "create_infer_request") else compile_ir(fp32)
    fp32_psnr = {}
    for ds, samples in budget.items():
        values = psnr_of(reference, samples, scale)[1]
        fp32_psnr.update({(ds, smp.name): p for smp, p in zip(samples, values, strict=True)})
    return budget, fp32_psnr


def _held_out(recipe, qat: bool, qat_overrides, data_dir) -> None:
    """The budget's images are no test images and none QAT or calibration learns from."""
    from xeonsr.data import dataset_files
    from xeonsr.evaluate import resolve_dataset
    from xeonsr.held_out import HeldOutError, check_held_out, named_test_set
    from xeonsr.qat import QATConfig

    learn = [recipe.calibration_set]
    if qat:
        learn += [d for d in {**recipe.qat, **(qat_overrides or {})}.get("datasets", QATConfig.datasets)]
    learn = list(dict.fromkeys(learn))
    if problem := named_test_set(learn, recipe.budget_sets):
        raise HeldOutError(problem)
    check_held_out(
        {d: dataset_files(d, data_dir, training=True)[1] for d in learn},
        dict(resolve_dataset(d, data_dir) for d in recipe.budget_sets),
        data_dir,
    )


METHODS = ("auto", "ptq", "qat")


def quantize(
    model: str,
    scale: int,
    data_dir=None,
    ir_dir: Path = SHIPPED_IR_DIR,
    overrides: dict | None = None,
    reports_dir: Path | None = None,
    calib_dir: str | Path | None = None,
    val_dir: str | Path | None = None,
    method: str = "auto",
    weights: str | Path | None = None,
    qat_overrides: dict | None = None,
    target_isa: str | None = None,
) -> dict:
    """Write <model>_x<scale>_int8 IR + manifest entry + report, or raise BudgetError.

    The accuracy budget holds on held-out images (BSD200-val and scikit-image's photos, or
    ``val_dir``: any folder of images, made LR by the protocol) for the budget_worst_k images of
    each set that lose most; calibration uses T91 crops (or ``calib_dir``); Set5 and Set14 are
    reported, never decide. ``method``: ptq (NNCF post-training quantization, the float layers
    chosen by ptq.ptq's search), qat (quantization-aware fine-tuning of the PyTorch ``weights``, by
    default those the FP32 IR was exported from) or auto (ptq, then qat where ptq can't keep
    MIN_INT8_SHARE of the multiply-adds INT8 within the budget; qat first, then ptq, for a
    recipe with ``qat_first``). Reports of the shipped store
    go to quantize/reports; of another store, to its reports/."""
    import openvino as ov

    from xeonsr.data import DatasetError, dataset_files
    from xeonsr.evaluate import load_samples
    from xeonsr.ov import compile_ir

    if method not in METHODS:
        raise UserError(f"unknown quantization method {method!r}: choose one of {', '.join(METHODS)}")
    ir_dir = Path(ir_dir)
    if reports_dir is None:
        reports_dir = REPORTS if is_shipped(ir_dir) else ir_dir / "reports"
    t0 = time.perf_counter()
    recipe = load_recipe(model, overrides, target_isa, scale)
    if calib_dir is not None:
        recipe.calibration_set = str(calib_dir)
    if val_dir is not None:
        recipe.budget_sets = [str(val_dir)]
    xml, fp32_entry = locate_ir(model, scale, "fp32", ir_dir)
    fp32_model = ov.Core().read_model(str(xml))
    net = None
    fp32_compiled = compile_ir(xml)
    if method == "qat" or weights is not None:  # a missing or other weights file fails here, before any work
        from xeonsr.qat import check_exported_from, torch_weights

        net = torch_weights(model, scale, weights, fp32_entry, ir_dir)
        check_exported_from(net, fp32_compiled, weights or fp32_entry.get("weights"), xml)
    order = [method] if method != "auto" else (["qat", "ptq"] if recipe.qat_first else ["ptq", "qat"])
    _held_out(recipe, "qat" in order, qat_overrides, data_dir)
    # Everything is read before NNCF runs: a bad folder fails in one line with nothing written.
    calib = calibration_items(recipe, scale, data_dir)
    budget, fp32_psnr = budget_reference(recipe, fp32_compiled, scale, data_dir)

    def torch_net():
        from xeonsr.qat import torch_weights

        return net if net is not None else torch_weights(model, scale, weights, fp32_entry, ir_dir)

    found = search(order, recipe, fp32_model, torch_net, calib, budget, fp32_psnr, scale, data_dir, qat_overrides)
    int8, used, why, tried, recipe = found.int8, found.used, found.why, found.tried, found.recipe
    sets = dict(budget)
    for ds in recipe.report_sets:
        try:
            sets.setdefault(ds, load_samples(dataset_files(ds, data_dir)[1], scale))
        except DatasetError:
            continue  # reported only where the data is
    results = _psnr_table(fp32_compiled, compile_ir(int8), sets, scale, recipe.budget_worst_k)
    share = int8_mac_share(int8)
    report = {
        "model": model,
        "scale": scale,
        "recipe": asdict(recipe),
        "method": METHOD_TEXT[used],
        "method_asked": method,
        "why_method": "; ".join(tried)
        or (f"{order[0]} met the budget{FIRST_WHY[order[0]]}" if method == "auto" else f"asked for {method}"),
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
    if used == "qat":
        report["qat"] = {**asdict(found.qat_config), "seconds": found.qat_seconds}
    make_folder(reports_dir)
    stem = int8_stem(model, scale, recipe.target_isa)  # one INT8 IR per CPU class in a store
    if why:
        report["status"] = ("budget not met" if why.startswith("INT8 loses") else why) + ": no INT8 IR written"
        # An INT8 IR made earlier stays, and so does the report that describes it.
        kept = stem in read_manifest(ir_dir)["models"]
        where = reports_dir / (f"{stem}.rejected.json" if kept else f"{stem}.json")
        atomic_write_text(where, json.dumps(report, indent=2) + "\n")
        raise BudgetError(
            f"{model} x{scale}: {why} ({used}); no INT8 IR written (FP32 untouched"
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
            "target_isa": recipe.target_isa,
            "method": used,
        },
    )
    update_manifest(entry, ir_dir)
    atomic_write_text(reports_dir / f"{stem}.json", json.dumps(report, indent=2) + "\n")
    return report


def _psnr_table(fp32_compiled, int8_compiled, sets: dict, scale: int, worst_k: int) -> dict:
    """{set: FP32 and INT8 PSNR, the drop, the mean drop of the worst_k images, the largest}."""
    results = {}
    for ds, samples in sets.items():
        fp, fp_images = psnr_of(fp32_compiled, samples, scale)
        q, q_images = psnr_of(int8_compiled, samples, scale)
        losses = [a - b for a, b in zip(fp_images, q_images, strict=True)]
        results[ds] = {
            "fp32": round(fp, 3),
            "int8": round(q, 3),
            "drop_db": round(fp - q, 3),
            f"worst{worst_k}_drop_db": round(worst_mean(losses, worst_k), 3),
            "max_image_drop_db": round(max(losses), 3),
        }
    return results


FIRST_WHY = {"ptq": "", "qat": " (tried first: the recipe's qat_first)"}
METHOD_TEXT = {
    "ptq": "ptq (NNCF post-training quantization, float layers searched for the budget)",
    "qat": "qat (NNCF quantization-aware training of the PyTorch weights)",
}
