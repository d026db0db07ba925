"""Session 73 (Emerald Rapids Xeon): deflate libraries for PNG results, the largest share of a
folder's time with file IO (benchmarks/probes/folder_io_costs.py: zlib-ng's deflate 34%).

png_write's rows (filtered Up) deflated by zlib-ng at level 2 (png_write's deflate from session 41
to 72; `pip install zlib-ng`) against Intel ISA-L's igzip through python-isal at levels 0-3 (since
session 73 png_write's, at level 2), the same zlib API:
1. the 19 Set5 + Set14 x3 results of MODEL: ms per image, total bytes;
2. bytes on other content upscaled by MODEL: the 20 BSD200-val images x3 (held out of training and
   of grading: what a level is chosen by), a page of text, a grey gradient, two photos;
3. `xeonsr.folder.upscale_files` over the 19 LR images as PNG files, 2 workers, the deflaters in
   rotating rounds: images/s.
Every variant's files decode to the same pixels (checked).

    XEONSR_DATA=../shared/datasets python benchmarks/probes/png_deflaters.py fsrcnn 6
"""

import io
import os
import statistics
import sys
import time

import numpy as np
from _folder_results import folder_results, other_content
from isal import isal_zlib
from PIL import Image
from zlib_ng import zlib_ng

import xeonsr.png_write as png_write
from xeonsr.data import dataset_files
from xeonsr.folder import upscale_files
from xeonsr.imaging import imresize, load_image

model, rounds = sys.argv[1], int(sys.argv[2])
data = os.environ["XEONSR_DATA"]
up, jobs, results = folder_results(model)

SHIPPED = png_write._deflate_rows


def deflater(module, level):
    """png_write's whole-image deflate through ``module`` at ``level`` (results here are < 4 MiB)."""

    def rows(filtered, threads=1):
        c = module.compressobj(level, module.DEFLATED, 15, 9)
        return c.compress(memoryview(filtered).cast("B")) + c.flush()

    return rows


variants = {"zlib-ng 2": deflater(zlib_ng, 2)} | {f"isal {n}": deflater(isal_zlib, n) for n in range(4)}


def encode(name, a):
    png_write._deflate_rows = variants[name]
    try:
        return png_write.encode_png(a)
    finally:
        png_write._deflate_rows = SHIPPED


for name in variants:  # each variant's file holds the same pixels
    for a in results[:3]:
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(encode(name, a)))), a), name
times, size = {k: [] for k in variants}, {}
for r in range(3):
    for k in list(variants)[r % len(variants) :] + list(variants)[: r % len(variants)]:
        t = time.perf_counter()
        size[k] = sum(len(encode(k, a)) for a in results)
        times[k].append(time.perf_counter() - t)
base = min(times["zlib-ng 2"])
for k in variants:
    b = min(times[k])
    print(f"{k:22s} {b * 1e3 / len(results):6.2f} ms/img  {size[k] / 1e6:6.2f} MB  x{base / b:.2f} as fast")

others = other_content()
val = [np.asarray(up.upscale(imresize(load_image(f), 1 / 3))) for f in dataset_files("BSD200-val", data)[1]]
sizes = {k: sum(len(encode(k, a)) for a in val) for k in variants}
ref = sizes["zlib-ng 2"]
print(
    "BSD200-val x3   "
    + ", ".join(f"{k.split(' (')[0]} {v / ref:.3f}x" for k, v in sizes.items())
    + f" of {ref / 1e6:.2f} MB"
)
for name, im in others.items():
    a = np.asarray(up.upscale(im))
    sizes = {k: len(encode(k, a)) for k in variants}
    ref = sizes["zlib-ng 2"]
    print(
        f"{name:14s} "
        + ", ".join(f"{k.split(' (')[0]} {v / ref:.2f}x" for k, v in sizes.items())
        + f" of {ref / 1e3:.0f} KB"
    )

secs = {k: [] for k in variants}
for r in range(rounds):
    for k in list(variants)[r % len(variants) :] + list(variants)[: r % len(variants)]:
        png_write._deflate_rows = variants[k]
        t = time.perf_counter()
        assert not any(d.error for d in upscale_files(up, jobs, workers=2))
        secs[k].append(time.perf_counter() - t)
png_write._deflate_rows = SHIPPED
for k, v in secs.items():
    print(
        f"folder, {k:22s} {len(jobs) / statistics.median(v):6.1f} images/s (rounds {len(jobs) / max(v):.1f}-{len(jobs) / min(v):.1f})"
    )
