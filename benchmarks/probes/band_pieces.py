"""Session 73 (Emerald Rapids Xeon, 2 vCPUs): a large image's chroma and colour conversion in
cache-sized pieces (xeonsr.band_finish.CHUNK_BYTES) against the whole band at once (as before).

An upscaled photo (scikit-image's astronaut resized to W x H by Pillow's bicubic) through
`Upscaler(MODEL, SCALE)` (`xeonsr upscale`'s choice of precision and streams) and through one with
streams=1, each with pieces of CHUNK_BYTES and with one piece a band (CHUNK_BYTES = 2**40), in
interleaved rounds: seconds (best and median), the outputs checked byte for byte.

    python benchmarks/probes/band_pieces.py 3000x2000 fsrcnn 4 5
"""

import statistics
import sys
import time

import numpy as np
import skimage.data
from PIL import Image

import xeonsr.band_finish as band_finish
from xeonsr.upscaler import Upscaler

w, h = (int(v) for v in sys.argv[1].split("x"))
model, scale, rounds = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
photo = Image.fromarray(skimage.data.astronaut()).resize((w, h), Image.BICUBIC)
pieces = band_finish.CHUNK_BYTES
ups = {"default streams": Upscaler(model, scale), "streams=1": Upscaler(model, scale, streams=1)}
print(ups["default streams"].runner.note)
settings = [(u, c) for u in ups for c in (pieces, 1 << 40)]
secs = {k: [] for k in settings}
ref = {}
for r in range(rounds + 1):  # the first round warms up (compiles each stream's shapes), untimed
    for k in settings[r % len(settings) :] + settings[: r % len(settings)]:
        band_finish.CHUNK_BYTES = k[1]
        t = time.perf_counter()
        out = np.asarray(ups[k[0]].upscale(photo))
        if r:
            secs[k].append(time.perf_counter() - t)
        assert np.array_equal(ref.setdefault(k[0], out), out), k
band_finish.CHUNK_BYTES = pieces
print(f"{w}x{h} x{scale} -> {w * scale}x{h * scale}, {model}; the outputs byte for byte the same")
for u in ups:
    a, b = secs[(u, pieces)], secs[(u, 1 << 40)]
    print(
        f"{u:16s} pieces of {pieces >> 10} KiB {min(a):.2f} s (median {statistics.median(a):.2f}), "
        f"whole bands {min(b):.2f} s (median {statistics.median(b):.2f}): {statistics.median(b) / statistics.median(a):.2f}x"
    )
