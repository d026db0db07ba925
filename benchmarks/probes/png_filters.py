"""Session 42 (AVX2 Zen 3): PNG row filters for xeonsr.png_write. It filters every row Up and
deflates at zlib-ng level 2; here the other fixed filters (Sub, Average, Paeth, filtered in numpy)
at levels 1 and 2 on the 19 Set5 + Set14 x3 results of MODEL: ms per image for the filter and for
deflate, and total bytes (one pass each, one thread).

    XEONSR_DATA=../shared/datasets python benchmarks/probes/png_filters.py fsrcnn
"""

import os
import sys
import time

import numpy as np
from PIL import Image
from zlib_ng import zlib_ng

from xeonsr.evaluate import resolve_dataset
from xeonsr.imaging import load_image
from xeonsr.upscaler import Upscaler


def shifted(a, dy, dx):
    out = np.zeros_like(a)
    out[dy:, dx:] = a[: a.shape[0] - dy, : a.shape[1] - dx]
    return out


def up(a, bpp):
    return a - shifted(a, 1, 0), 2


def sub(a, bpp):
    return a - shifted(a, 0, bpp), 1


def average(a, bpp):
    a16 = a.astype(np.int16)
    return (a16 - (shifted(a16, 0, bpp) + shifted(a16, 1, 0)) // 2).astype(np.uint8), 3


def paeth(a, bpp):
    a16 = a.astype(np.int16)
    left, above, corner = shifted(a16, 0, bpp), shifted(a16, 1, 0), shifted(a16, 1, bpp)
    p = left + above - corner
    pa, pb, pc = np.abs(p - left), np.abs(p - above), np.abs(p - corner)
    pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, above, corner))
    return (a16 - pred).astype(np.uint8), 4


model = sys.argv[1]
upscaler = Upscaler(model, 3)
files = resolve_dataset("Set5", os.environ["XEONSR_DATA"])[1] + resolve_dataset("Set14", os.environ["XEONSR_DATA"])[1]
images = []
for f in files:
    a = load_image(f)
    h, w = a.shape[0] // 3 * 3, a.shape[1] // 3 * 3
    lr = Image.fromarray(a[:h, :w]).resize((w // 3, h // 3), Image.BICUBIC)
    images.append(np.asarray(upscaler.upscale(lr)))
for name, filt in (("Up", up), ("Sub", sub), ("Average", average), ("Paeth", paeth)):
    for level in (1, 2):
        t_filter = t_deflate = size = 0
        for a in images:
            bpp = a.shape[2] if a.ndim == 3 else 1
            t0 = time.perf_counter()
            f, code = filt(a.reshape(a.shape[0], -1), bpp)
            raw = np.concatenate([np.full((f.shape[0], 1), code, np.uint8), f], axis=1).tobytes()
            t1 = time.perf_counter()
            size += len(zlib_ng.compress(raw, level))
            t_filter, t_deflate = t_filter + t1 - t0, t_deflate + time.perf_counter() - t1
        n = len(images)
        print(
            f"{name:8s} level {level}: filter {t_filter / n * 1e3:5.2f} ms, deflate {t_deflate / n * 1e3:5.2f} ms,"
            f" {(t_filter + t_deflate) / n * 1e3:5.2f} ms per image, {size / 1e6:.2f} MB"
        )
