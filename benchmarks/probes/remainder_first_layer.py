"""What the first layer as the image's 8 bits and their remainder (xeonsr.ir_remainder) costs by
itself, beside what rounding the image to 8 bits costs (an INT8 first layer without the
remainder): the FP32 IR's PSNR loss on the held-out budget sets with its first layer split (int8
weights, bias corrected by the calibration crops' mean), and with the LR images rounded to 8 bits
instead. The budget's statistic (mean loss of each set's 5 worst images) and the mean loss.

Usage (XEONSR_DATA set): python benchmarks/probes/remainder_first_layer.py fsrcnn:2,fsrcnn-s:2
"""

import dataclasses
import sys

import numpy as np

from xeonsr.evaluate import load_samples, resolve_dataset
from xeonsr.ir_remainder import first_layer_remainder
from xeonsr.irs import locate_ir
from xeonsr.ov import compile_ir, read_ir
from xeonsr.ptq import psnr_of, worst_mean
from xeonsr.quant_recipe import calibration_items, load_recipe

for item in sys.argv[1].split(","):
    model, scale = item.split(":")
    scale = int(scale)
    xml = locate_ir(model, scale, "fp32")[0]
    calib = calibration_items(load_recipe(model, None, "vnni", scale), scale, None)
    split = read_ir(xml)
    done = first_layer_remainder(split, float(np.mean([c.mean() for c in calib])))
    stored, split = compile_ir(xml), compile_ir(split)
    for ds in ("BSD200-val", "samples"):
        samples = load_samples(resolve_dataset(ds, None)[1], scale)
        rounded = [dataclasses.replace(s, lr=np.round(s.lr)) for s in samples]
        base = psnr_of(stored, samples, scale)[1]
        for label, compiled, inputs in (("split", split, samples), ("8-bit LR", stored, rounded)):
            losses = [a - b for a, b in zip(base, psnr_of(compiled, inputs, scale)[1], strict=True)]
            print(
                f"{model} x{scale} {ds} {label:8s} ({len(done)} layer split): mean loss {np.mean(losses):.3f}, "
                f"5 worst {worst_mean(losses, 5):.3f}, largest {max(losses):.3f}",
                flush=True,
            )
