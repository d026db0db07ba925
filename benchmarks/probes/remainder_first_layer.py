"""What the first layer as the image's 8 bits and their remainder (xeonsr.ir_remainder) costs by
itself, beside what rounding the image to 8 bits costs (an INT8 first layer without the
remainder): the FP32 IR's PSNR loss on the held-out budget sets with its first layer split, and
with the LR images rounded to 8 bits instead. The split four ways: int8 weights as shipped (each
filter's sum kept) or rounded to nearest, with the bias corrected by the calibration crops' mean
or not. The budget's statistic (mean loss of each set's 5 worst images) and the mean loss.

Usage (XEONSR_DATA set): python benchmarks/probes/remainder_first_layer.py fsrcnn:2,fsrcnn-s:2
"""

import dataclasses
import sys

import numpy as np

import xeonsr.ir_remainder as remainder
from xeonsr.evaluate import load_samples, resolve_dataset
from xeonsr.irs import locate_ir
from xeonsr.ov import compile_ir, read_ir
from xeonsr.ptq import psnr_of, worst_mean
from xeonsr.quant_recipe import calibration_items, load_recipe

kept_sum = remainder.int8_weights


def nearest(w):
    peak = np.abs(w).reshape(w.shape[0], -1).max(axis=1)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    return np.clip(np.round(w / scale.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8), scale


for item in sys.argv[1].split(","):
    model, scale = item.split(":")
    scale = int(scale)
    xml = locate_ir(model, scale, "fp32")[0]
    calib = calibration_items(load_recipe(model, None, "vnni", scale), scale, None)
    mean = float(np.mean([c.mean() for c in calib]))
    stored = compile_ir(xml)
    variants = {"8-bit LR": None}
    for label, rounding, bias_mean in (
        ("split", kept_sum, mean),
        ("split, no bias correction", kept_sum, 0.0),
        ("split, nearest", nearest, mean),
        ("split, nearest, no bias correction", nearest, 0.0),
    ):
        remainder.int8_weights = rounding
        graph = read_ir(xml)
        remainder.first_layer_remainder(graph, bias_mean)
        variants[label] = compile_ir(graph)
    remainder.int8_weights = kept_sum
    for ds in ("BSD200-val", "samples"):
        samples = load_samples(resolve_dataset(ds, None)[1], scale)
        base = psnr_of(stored, samples, scale)[1]
        for label, compiled in variants.items():
            inputs = samples if compiled else [dataclasses.replace(s, lr=np.round(s.lr)) for s in samples]
            losses = [a - b for a, b in zip(base, psnr_of(compiled or stored, inputs, scale)[1], strict=True)]
            print(
                f"{model} x{scale} {ds} {label}: mean loss {np.mean(losses):.4f}, "
                f"5 worst {worst_mean(losses, 5):.4f}, largest {max(losses):.4f}",
                flush=True,
            )
