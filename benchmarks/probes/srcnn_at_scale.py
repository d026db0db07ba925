"""SRCNN weights run at another scale (SRCNN works on the bicubic-upscaled image): BSD200-val
PSNR by the protocol at scale S (session 13: the released x3 weights gave 26.557 at x4).

    python benchmarks/probes/srcnn_at_scale.py 4 xeonsr/weights/srcnn_x3.safetensors [bicubic]
"""

import sys

import numpy as np
import torch

from xeonsr.checkpoint import load_weights
from xeonsr.data import dataset_files
from xeonsr.evaluate import bicubic_fn, load_samples
from xeonsr.imaging import to_uint8
from xeonsr.metrics import psnr
from xeonsr.models.bicubic import BicubicUpsample
from xeonsr.runtime import plane_fn, torch_run

scale = int(sys.argv[1])
_, files = dataset_files("BSD200-val", "/work/shared/datasets")
samples = load_samples(files, scale)
for ck in sys.argv[2:]:
    if ck == "bicubic":
        fn = bicubic_fn(scale)
    else:
        net, _ = load_weights(ck)
        net.scale, net.upsample = scale, BicubicUpsample(scale)
        fn = plane_fn(torch_run(net.eval(), channels_last=False))
    with torch.no_grad():
        srs = [to_uint8(fn(s.lr)) for s in samples]
    print(ck, f"x{scale}", round(float(np.mean([psnr(a, s.hr, scale) for a, s in zip(srs, samples, strict=True)])), 3))
