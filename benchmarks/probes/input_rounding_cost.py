"""What an INT8 IR's first quantizer costs by itself: the FP32 IR's PSNR on the held-out budget
sets with the protocol's float LR images (MATLAB bicubic kept in float) and with the same LR images
rounded to 8 bits, which is all an INT8 first layer's input quantizer ([0, 1] in 256 levels) does
to them. The budget's statistic (mean loss of each set's 5 worst images) and the mean loss.

Usage (XEONSR_DATA set): python benchmarks/probes/input_rounding_cost.py fsrcnn:2,fsrcnn:3,fsrcnn-s:2
"""

import dataclasses
import sys

import numpy as np

from xeonsr.evaluate import load_samples, resolve_dataset
from xeonsr.irs import locate_ir
from xeonsr.ov import compile_ir
from xeonsr.ptq import psnr_of, worst_mean

for item in sys.argv[1].split(","):
    model, scale = item.split(":")
    scale = int(scale)
    compiled = compile_ir(locate_ir(model, scale, "fp32")[0])
    for ds in ("BSD200-val", "samples"):
        samples = load_samples(resolve_dataset(ds, None)[1], scale)
        rounded = [dataclasses.replace(s, lr=np.round(s.lr)) for s in samples]
        base, per = psnr_of(compiled, samples, scale)
        r, per_r = psnr_of(compiled, rounded, scale)
        losses = [a - b for a, b in zip(per, per_r, strict=True)]
        print(
            f"{model} x{scale} {ds}: float LR {base:.3f} dB, 8-bit LR {r:.3f} dB: mean loss {base - r:.3f}, "
            f"5 worst {worst_mean(losses, 5):.3f}, largest {max(losses):.3f}",
            flush=True,
        )
