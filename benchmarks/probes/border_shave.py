"""Is srcnn_x3's BSD200-val drift at the image borders? PSNR by shave width, per checkpoint."""

import sys

import numpy as np
import torch

from xeonsr.checkpoint import load_weights
from xeonsr.data import dataset_files
from xeonsr.evaluate import load_samples
from xeonsr.imaging import to_uint8
from xeonsr.metrics import psnr
from xeonsr.runtime import plane_fn, torch_run

torch.set_num_threads(1)
_, files = dataset_files("BSD200-val", "/work/shared/datasets")
samples = load_samples(files, 3)
for ck in sys.argv[1:]:
    if ck == "bicubic":
        from xeonsr.evaluate import bicubic_fn

        fn = bicubic_fn(3)
    else:
        net, _ = load_weights(ck)
        fn = plane_fn(torch_run(net.eval(), channels_last=False))
    srs = [to_uint8(fn(s.lr)) for s in samples]
    row = []
    for shave in (3, 6, 9, 12, 18):
        row.append(np.mean([psnr(sr, s.hr, shave) for sr, s in zip(srs, samples, strict=False)]))
    # border band only: pixels 3..9 from the edge, as MSE-based PSNR
    print(ck, " ".join(f"shave{sh}:{v:.3f}" for sh, v in zip((3, 6, 9, 12, 18), row, strict=False)))
