"""INT8 variants of one FP32 IR: which float layers, their held-out budget loss and their speed."""

import statistics
import sys
import time

import numpy as np
import openvino as ov

from xeonsr.evaluate import load_samples, resolve_dataset
from xeonsr.ir_graph import int8_mac_share
from xeonsr.irs import locate_ir
from xeonsr.ov import compile_ir
from xeonsr.ptq import _compile, _equalized, _quantize, budget_losses, psnr_of
from xeonsr.quantization import calibration_items, load_recipe

model, scale = sys.argv[1], int(sys.argv[2])
variants = [[f"__module.{n}/aten::_convolution/Convolution" for n in v.split(",") if n] for v in sys.argv[3:]]
data = "/work/shared/datasets"
recipe = load_recipe(model, None, None)
xml, _ = locate_ir(model, scale, "fp32", None)
fp32 = ov.Core().read_model(str(xml))
budget = {}
for ds in recipe.budget_sets:
    label, files = resolve_dataset(ds, data)
    budget[label] = load_samples(files, scale)
calib = calibration_items(recipe, scale, data)
c32 = compile_ir(xml)
fp32_psnr = {}
for ds, samples in budget.items():
    vals = psnr_of(c32, samples, scale)[1]
    fp32_psnr.update({(ds, s.name): p for s, p in zip(samples, vals, strict=False)})
eq = _equalized(fp32, recipe, calib)
x = np.random.default_rng(0).random((1, 1, 140, 160), dtype=np.float32)
reqs, info = {}, {}
for v in variants:
    m = _quantize(eq, recipe, calib, list(recipe.ignored_scope) + v, equalized=True)
    lost = budget_losses(_compile(m), budget, fp32_psnr, scale, recipe.budget_worst_k)
    key = "+".join(n.split("/")[0][9:] for n in v) or "all-int8"
    reqs[key] = compile_ir(m, 2).create_infer_request()
    info[key] = (max(lost.values()), int8_mac_share(m))
reqs["fp32"] = compile_ir(xml, 2).create_infer_request()
info["fp32"] = (0, 0)
res = {k: [] for k in reqs}
for _ in range(15):
    for k, r in reqs.items():
        r.infer({0: x})
        t = time.perf_counter()
        for _ in range(5):
            r.infer({0: x})
        res[k].append((time.perf_counter() - t) / 5e-3)
b = statistics.median(res["fp32"])
for k in reqs:
    print(
        f"{k:55s} loss {info[k][0]:.3f} int8 {info[k][1]:.2f}  {statistics.median(res[k]):.3f} ms  {b / statistics.median(res[k]):.2f}x fp32"
    )
