"""Session 21 (AVX2 Zen 3, 1 thread): where a folder's time goes with file IO, and PNG encoders.

1. `xeonsr upscale`'s per-file work (decode, colour, the network, chroma, PNG encode, fsync) on
   the Set5 + Set14 x3 LR images written as PNG, under cProfile in this thread.
2. PNG encoding of the Set14 images: PIL at levels 0/1/6 and strategies RLE / Huffman-only, and,
   where installed, imagecodecs' libpng and libspng encoders (`pip install imagecodecs`).

    XEONSR_DATA=../shared/datasets python benchmarks/probes/folder_io_costs.py fsrcnn 3
"""

import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from xeonsr.evaluate import resolve_dataset
from xeonsr.folder import _one
from xeonsr.imaging import imresize, load_image
from xeonsr.upscaler import Upscaler

model, scale = sys.argv[1], int(sys.argv[2])
data = os.environ["XEONSR_DATA"]
files = resolve_dataset("Set5", data)[1] + resolve_dataset("Set14", data)[1]
tmp = Path(tempfile.mkdtemp())
jobs = []
for i, f in enumerate(files):
    lr = tmp / f"lr{i}.png"
    Image.fromarray(imresize(load_image(f), 1 / scale)).save(lr)
    jobs.append((lr, tmp / f"sr{i}.png"))
up = Upscaler(model, scale, threads=1)
print(up.runner.note)


def each():
    for s, d in jobs:
        done, _ = _one(up, s, d)  # decode, upscale, encode, then the file's fsync and rename
        assert done.error is None, done.error


each()
pr = cProfile.Profile()
pr.enable()
each()
pr.disable()
pstats.Stats(pr).sort_stats("tottime").print_stats(12)

ims = [np.asarray(Image.open(f).convert("RGB")) for f in resolve_dataset("Set14", data)[1]]


def pil(**kw):
    def f(a):
        b = io.BytesIO()
        Image.fromarray(a).save(b, format="PNG", **kw)
        return b.getbuffer().nbytes

    return f


variants = {
    "pil level1": pil(compress_level=1),
    "pil level1 rle": pil(compress_level=1, compress_type=3),
    "pil level1 huffman": pil(compress_level=1, compress_type=2),
    "pil level0": pil(compress_level=0),
    "pil level6": pil(compress_level=6),
}
try:
    import imagecodecs as ic

    variants["imagecodecs png level1"] = lambda a: len(ic.png_encode(a, level=1))
    variants["imagecodecs spng level1"] = lambda a: len(ic.spng_encode(a, level=1))
except ImportError:
    print("imagecodecs not installed: its encoders skipped")
times, size = {k: [] for k in variants}, {}
for _ in range(3):
    for k, f in variants.items():
        t = time.perf_counter()
        size[k] = sum(f(a) for a in ims)
        times[k].append(time.perf_counter() - t)
base = min(times["pil level1"])
for k in variants:
    b = min(times[k])
    print(f"{k:24s} {b * 1e3 / len(ims):7.2f} ms/img  {size[k] / 1e6:6.2f} MB  x{base / b:.2f}")
