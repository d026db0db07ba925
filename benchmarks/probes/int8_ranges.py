"""Activation range estimators for PTQ, every layer INT8: the budget statistic (mean loss of the
five held-out images that lose most, per budget set) with NNCF's MINMAX and HISTOGRAM ranges,
after the same cross-layer equalization. Nothing here decides on Set5/Set14.

    python benchmarks/probes/int8_ranges.py fsrcnn 3 /work/shared/datasets
"""

import sys

import openvino as ov
from nncf.quantization.range_estimator import RangeEstimatorParametersSet

import xeonsr.ptq as ptq
from xeonsr.quant_recipe import calibration_items, load_recipe
from xeonsr.quantization import budget_reference

model, scale, data = sys.argv[1], int(sys.argv[2]), sys.argv[3]
recipe = load_recipe(model)
xml = f"xeonsr/openvino_models/{model}_x{scale}_fp32.xml"
fp32 = ov.Core().read_model(xml)
budget, fp32_psnr = budget_reference(recipe, xml, scale, data)
calib = calibration_items(recipe, scale, data)
equalized = ptq._equalized(fp32, recipe, calib)
settings = ptq.advanced_parameters
for name in ("MINMAX", "HISTOGRAM"):

    def with_ranges(r, name=name):
        params = settings(r)
        params.activations_range_estimator_params = getattr(RangeEstimatorParametersSet, name)
        return params

    ptq.advanced_parameters = with_ranges
    int8 = ptq._quantize(equalized, recipe, calib, list(recipe.ignored_scope), equalized=True)
    lost = ptq.budget_losses(ptq._compile(int8), budget, fp32_psnr, scale, recipe.budget_worst_k)
    print(model, f"x{scale}", name, {k: round(v, 4) for k, v in lost.items()}, flush=True)
