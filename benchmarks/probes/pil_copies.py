"""Session 73 (Emerald Rapids Xeon): what a PIL copy of an upscaled RGB result costs, in and back
out (PIL keeps RGB in 4 bytes a pixel, so both convert), the copies `xeonsr upscale` no longer
makes (xeonsr.photo_io.Pixels): seconds, best and worst of ROUNDS.

    python benchmarks/probes/pil_copies.py 12000x8000 3
"""

import sys
import time

import numpy as np
from PIL import Image

w, h = (int(v) for v in sys.argv[1].split("x"))
rounds = int(sys.argv[2])
a = np.random.default_rng(0).integers(0, 256, (h, w, 3), dtype=np.uint8)
into, out = [], []
for _ in range(rounds):
    t0 = time.perf_counter()
    im = Image.fromarray(a)
    t1 = time.perf_counter()
    back = np.asarray(im)
    into.append(t1 - t0)
    out.append(time.perf_counter() - t1)
    assert np.array_equal(back, a)
print(
    f"{w}x{h} RGB: Image.fromarray {min(into):.3f}-{max(into):.3f} s, np.asarray of it {min(out):.3f}-{max(out):.3f} s"
)
