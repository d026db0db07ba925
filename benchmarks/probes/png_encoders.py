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
import statistics
import sys
import time
import zlib

import numpy as np
from _folder_results import folder_results, other_content
from PIL import Image
from zlib_ng import zlib_ng as ZNG  # png_write's deflate from session 41 to 72: pip install zlib-ng

import xeonsr.photo_save as photo_save
import xeonsr.png_write as png_write
from xeonsr.folder import upscale_files

model, rounds = sys.argv[1], int(sys.argv[2])
up, jobs, results = folder_results(model)


def with_deflate(module, level, strategy=0):
    def deflate(filtered, threads=1):
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

others = other_content()
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
