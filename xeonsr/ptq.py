"""Post-training INT8 with NNCF's accuracy control on an OpenVINO FP32 model."""

from __future__ import annotations

import numpy as np

from xeonsr.ir_graph import skip_branch_ops


def psnr_of(compiled, samples, scale: int) -> tuple[float, list[float]]:
    from xeonsr.evaluate import evaluate
    from xeonsr.runtime import ov_run, plane_fn

    res = evaluate(plane_fn(ov_run(compiled)), samples, scale, with_ssim=False)
    return res["mean_psnr"], [r["psnr"] for r in res["images"]]


def ptq(fp32_model, recipe, budget: dict, fp32_psnr: dict, calib: list, scale: int):
    """NNCF post-training quantization with accuracy control: layers that cost accuracy on the
    budget sets fall back to float."""
    import nncf

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
    scope = nncf.IgnoredScope(names=skip_branch_ops(fp32_model) + list(recipe.ignored_scope))
    return nncf.quantize_with_accuracy_control(
        fp32_model,
        calibration_dataset=nncf.Dataset(calib),
        validation_dataset=nncf.Dataset(tagged, lambda item: (item[1].lr / 255.0).astype(np.float32)[None, None]),
        validation_fn=validate,
        max_drop=recipe.max_drop_db,
        drop_type=nncf.DropType.ABSOLUTE,
        preset=nncf.QuantizationPreset.MIXED if recipe.preset == "mixed" else nncf.QuantizationPreset.PERFORMANCE,
        subset_size=len(calib),
        ignored_scope=scope,
    )
