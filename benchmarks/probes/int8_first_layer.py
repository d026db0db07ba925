"""Where FSRCNN x3's first-layer INT8 loss comes from (session 13): the budget statistic with
every layer INT8, then with the image's quantizer at 16 bits, then with the first layer float
(quantized afresh). Held-out budget images only.

    python benchmarks/probes/int8_first_layer.py fsrcnn 3 /work/shared/datasets
"""

import sys

import openvino as ov

import xeonsr.ptq as ptq
from xeonsr.ir_graph import image_quantizers
from xeonsr.quant_recipe import calibration_items, load_recipe
from xeonsr.quantization import budget_reference

model, scale, data = sys.argv[1], int(sys.argv[2]), sys.argv[3]
recipe = load_recipe(model)
xml = f"xeonsr/openvino_models/{model}_x{scale}_fp32.xml"
fp32 = ov.Core().read_model(xml)
budget, fp32_psnr = budget_reference(recipe, xml, scale, data)
calib = calibration_items(recipe, scale, data)


def stat(m):
    lost = ptq.budget_losses(ptq._compile(m), budget, fp32_psnr, scale, recipe.budget_worst_k)
    return {k: round(v, 4) for k, v in lost.items()}


equalized = ptq._equalized(fp32, recipe, calib)
int8 = ptq._quantize(equalized, recipe, calib, list(recipe.ignored_scope), equalized=True)
print("every layer INT8", stat(int8))
fine = int8.clone()
for fq in image_quantizers(fine):
    fq.set_levels(65536)
print("image quantizer 16-bit", stat(fine))
first = next(op for op in int8.get_ordered_ops() if op.get_type_name() == "Convolution").get_friendly_name()
floated = ptq._quantize(equalized, recipe, calib, [*recipe.ignored_scope, first], equalized=True)
print("first layer float, quantized afresh", stat(floated))
