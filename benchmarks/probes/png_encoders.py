"""Session 41 (AVX2 Zen 3): PNG encoders for upscaled results, and what they do to a folder.

1. The 19 Set5 + Set14 x3 results of MODEL (what `xeonsr upscale` writes): ms per image and total
   bytes for xeonsr.png_write (rows filtered Up in numpy, zlib-ng level 2), its variants (the
   standard zlib; zlib-ng level 1; run-length matching; the Average filter), Pillow at zlib level
   1 (xeonsr's writer before) and, where installed, libpng through imagecodecs.
2. Bytes on other content, upscaled by MODEL: a page of text, a grey gradient, scikit-image's
   astronaut and coffee, for png_write and Pillow level 1.
3. `xeonsr.folder.upscale_files` over the 19 LR images as PNG files, 2 workers, Pillow level 1
   against png_write in alternating rounds: images/s.

    XEONSR_DATA=../shared/datasets python benchmarks/probes/png_encoders.py fsrcnn 6
"""

import io
import os
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image, ImageDraw
from zlib_ng import zlib_ng as ZNG  # png_write's deflate from session 41 to 72: pip install zlib-ng

import xeonsr.photo_save as photo_save
import xeonsr.png_write as png_write
from xeonsr.evaluate import resolve_dataset
from xeonsr.folder import upscale_files
from xeonsr.imaging import imresize, load_image
from xeonsr.upscaler import Upscaler

model, rounds = sys.argv[1], int(sys.argv[2])
data = os.environ["XEONSR_DATA"]
up = Upscaler(model, 3, streams=2)
print(up.runner.note)
files = resolve_dataset("Set5", data)[1] + resolve_dataset("Set14", data)[1]
tmp, out = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
jobs, results = [], []
for i, f in enumerate(files):
    lr = Image.fromarray(imresize(load_image(f), 1 / 3))
    lr.save(tmp / f"lr{i}.png")
    jobs.append((tmp / f"lr{i}.png", out / f"sr{i}.png"))
    results.append(np.asarray(up.upscale(lr)))


def with_deflate(module, level, strategy=0):
    def deflate(filtered):
        c = module.compressobj(level, module.DEFLATED, 15, 9, strategy)
        return c.compress(filtered) + c.flush()

    return deflate


def average_filtered(rows, bpp=3):
    wide = rows.astype(np.uint16)
    above, left = np.zeros_like(wide), np.zeros_like(wide)
    above[1:], left[:, bpp:] = wide[:-1], wide[:, :-bpp]
    out = np.empty((rows.shape[0], rows.shape[1] + 1), np.uint8)
    out[:, 0] = 3
    np.subtract(rows, ((left + above) >> 1).astype(np.uint8), out=out[:, 1:])
    return out


SHIPPED = (png_write._up_filtered, png_write._deflate_rows)


def variant(filt=None, deflate=None):
    def encode(a):
        png_write._up_filtered, png_write._deflate_rows = filt or SHIPPED[0], deflate or SHIPPED[1]
        try:
            return len(png_write.encode_png(a))
        finally:
            png_write._up_filtered, png_write._deflate_rows = SHIPPED

    return encode


def pil_level1(a):
    b = io.BytesIO()
    Image.fromarray(a).save(b, format="PNG", compress_level=1)
    return b.getbuffer().nbytes


variants = {
    "png_write (Up; zlib-ng 2 until session 73)": variant(deflate=with_deflate(ZNG, 2)),
    "  standard zlib 2": variant(deflate=with_deflate(zlib, 2)),
    "  zlib-ng 1": variant(deflate=with_deflate(ZNG, 1)),
    "  zlib-ng 1 run-length": variant(deflate=with_deflate(ZNG, 1, 3)),
    "  Average filter": variant(filt=average_filtered),
    "Pillow level 1": pil_level1,
}
try:
    import imagecodecs

    variants["libpng level 1 (imagecodecs)"] = lambda a: len(imagecodecs.png_encode(a, level=1))
except ImportError:
    print("imagecodecs not installed: libpng skipped")
times, size = {k: [] for k in variants}, {}
for _ in range(3):
    for k, f in variants.items():
        t = time.perf_counter()
        size[k] = sum(f(a) for a in results)
        times[k].append(time.perf_counter() - t)
for k in variants:
    print(f"{k:30s} {min(times[k]) * 1e3 / len(results):6.2f} ms/img  {size[k] / 1e6:6.2f} MB")

page = Image.new("RGB", (400, 300), "white")
for y in range(10, 290, 14):
    ImageDraw.Draw(page).text((10, y), "The quick brown fox jumps over the lazy dog 0123456789 " * 2, fill="black")
ramp = np.tile(np.linspace(0, 255, 400).astype(np.uint8), (300, 1))
others = {
    "page of text": page,
    "gradient": Image.fromarray(ramp).convert("RGB"),
    "astronaut": Image.fromarray(skimage.data.astronaut()).resize((256, 256)),
    "coffee": Image.fromarray(skimage.data.coffee()).resize((200, 133)),
}
for name, im in others.items():
    a = np.asarray(up.upscale(im))
    ours, pil = variant()(a), pil_level1(a)
    print(f"{name:14s} png_write {ours / 1e3:6.0f} KB, Pillow level 1 {pil / 1e3:6.0f} KB: {ours / pil:.2f}x")

modes = photo_save.PNG_MODES
folder = {"Pillow level 1": (), "png_write": modes}
secs = {k: [] for k in folder}
for r in range(rounds):
    for k in list(folder) if r % 2 == 0 else list(folder)[::-1]:
        photo_save.PNG_MODES = folder[k]  # () sends every result through Pillow, as before
        time.sleep(0.05)
        t = time.perf_counter()
        assert not any(d.error for d in upscale_files(up, jobs, workers=2))
        secs[k].append(time.perf_counter() - t)
photo_save.PNG_MODES = modes
for k, v in secs.items():
    print(
        f"folder, {k:15s} {len(jobs) / statistics.median(v):6.1f} images/s (rounds {len(jobs) / max(v):.1f}-{len(jobs) / min(v):.1f})"
    )
