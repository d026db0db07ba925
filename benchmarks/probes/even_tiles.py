"""Session 41 (AVX2 Zen 3): an image's tiles and bands cut at a fixed 256 LR pixels (256 + 4 for
260) against the fewest pieces of at most 256 made as even as can be (130 + 130;
xeonsr.upscaler.even_step), through one Upscaler (an RGB image, colour and chroma included), in
alternating rounds; median ms per image, the ratio, and whether both give the same bytes.

    python benchmarks/probes/even_tiles.py fsrcnn 2 8 260x260,300x280,520x270,700x500,1000x750
"""

import statistics
import sys
import time

import numpy as np
from PIL import Image

import xeonsr.upscaler as upscaler
from xeonsr import Upscaler

model, streams, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[4].split(",")]
steps = {"256 + rest": lambda n, most: most, "even": upscaler.even_step}
up = Upscaler(model, scale=3, streams=streams)
rng = np.random.default_rng(0)
for w, h in sizes:
    img = Image.fromarray((rng.random((h, w, 3)) * 255).astype(np.uint8))
    outs, times = {}, {k: [] for k in steps}
    for k, step in steps.items():
        upscaler.even_step = step
        outs[k] = np.asarray(up.upscale(img))
    for r in range(rounds):
        for k in list(steps) if r % 2 == 0 else list(steps)[::-1]:
            upscaler.even_step = steps[k]
            time.sleep(0.03)
            up.upscale(img)
            t0 = time.perf_counter()
            up.upscale(img)
            times[k].append((time.perf_counter() - t0) * 1e3)
    upscaler.even_step = steps["even"]
    med = {k: statistics.median(v) for k, v in times.items()}
    per = sorted(a / b for a, b in zip(times["256 + rest"], times["even"], strict=True))
    same = np.array_equal(*outs.values())
    print(
        f"{model} ({up.precision}) {w}x{h}, {streams} stream(s): 256 + rest {med['256 + rest']:.1f} ms, even"
        f" {med['even']:.1f} ms: {med['256 + rest'] / med['even']:.2f}x (rounds {per[0]:.2f}-{per[-1]:.2f}), same bytes {same}",
        flush=True,
    )
