"""Session 48 (AVX2 Zen 3): the colour path of one large image, piece by piece.

1. RGB -> YCbCr planes of a band, as `Upscaler` made them before (a float64 matrix product over
   (h, w, 3), cast to float32) and as `xeonsr.imaging.rgb_to_ycbcr_planes` makes them now (one
   float32 pass per plane).
2. The chroma planes' MATLAB bicubic (`upscale_planes`) against the same taps accumulated in place
   into the output's strided phase slices (no temporaries): the same bytes.

Per band shape: the largest difference, then medians of interleaved rounds (ms). With a fourth
argument WxH, also the whole of benchmarks/tile_streams.py's photo of that LR size through
FSRCNN x3 INT8 (`Upscaler`) with the planes made each way: how many output values differ, by how much.

    python benchmarks/probes/colour_planes.py 9 1000x4000,262x1200 2,3 [1200x800]
"""

import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.imaging import BICUBIC_PAD, _slice, phase_kernels, rgb_to_ycbcr, rgb_to_ycbcr_planes, upscale_planes


def float64_planes(a: np.ndarray) -> np.ndarray:
    """What `Upscaler._upscale_rgb` did before session 48 (8-bit RGB)."""
    return np.ascontiguousarray(np.moveaxis(rgb_to_ycbcr(a.astype(np.float64)).astype(np.float32) / 255.0, 2, 0))


def upscale_in_place(x: np.ndarray, scale: int) -> np.ndarray:
    k, pad = phase_kernels(scale), BICUBIC_PAD
    for axis in (x.ndim - 2, x.ndim - 1):
        n = x.shape[axis]
        idx = np.concatenate([np.arange(pad)[::-1], np.arange(n), np.arange(n - pad, n)[::-1]])
        xp = np.take(x, idx, axis=axis)
        out = np.empty(x.shape[:axis] + (n, scale) + x.shape[axis + 1 :], np.float32)
        tmp = np.empty(x.shape, np.float32)
        for p in range(scale):
            acc = out[(slice(None),) * axis + (slice(None), p)]
            taps = [t for t in range(2 * pad + 1) if k[p, t] != 0.0]
            np.multiply(_slice(xp, axis, taps[0], n), np.float32(k[p, taps[0]]), out=acc)
            for t in taps[1:]:
                acc += np.multiply(_slice(xp, axis, t, n), np.float32(k[p, t]), out=tmp)
        x = out.reshape(x.shape[:axis] + (n * scale,) + x.shape[axis + 1 :])
    return x


rounds = int(sys.argv[1])
sizes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[2].split(",")]
scales = [int(s) for s in sys.argv[3].split(",")]
rng = np.random.default_rng(0)
for h, w in sizes:
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    diff = np.abs(float64_planes(rgb) - rgb_to_ycbcr_planes(rgb, 255.0)).max()
    t = rounds_ms({"float64": float64_planes, "planes": lambda a: rgb_to_ycbcr_planes(a, 255.0)}, rgb, rounds)
    print(
        f"RGB -> YCbCr {h}x{w}: max diff {diff:.2e}; "
        + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in t.items())
    )
    chroma = rng.random((2, h, w), dtype=np.float32)
    for s in scales:
        same = np.array_equal(upscale_planes(chroma, s), upscale_in_place(chroma, s))
        t = rounds_ms(
            {"upscale_planes": lambda c: upscale_planes(c, s), "in place": lambda c: upscale_in_place(c, s)},
            chroma,
            rounds,
        )
        print(
            f"  chroma x{s}: same bytes {same}; " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in t.items())
        )

if len(sys.argv) > 4:
    from PIL import Image

    import xeonsr.upscaler as upscaler
    from xeonsr import Upscaler

    sys.path.insert(0, "benchmarks")
    from tile_streams import photo

    w, h = (int(v) for v in sys.argv[4].split("x"))
    image, up = Image.fromarray(photo(h, w)), Upscaler("fsrcnn", scale=3)
    now = np.asarray(up.upscale(image)).astype(int)
    upscaler.rgb_to_ycbcr_planes = lambda a, top: float64_planes(a)  # 8-bit RGB: as before
    before = np.asarray(up.upscale(image)).astype(int)
    d = np.abs(now - before)
    print(f"FSRCNN x3 INT8 on a {w}x{h} photo: {(d > 0).sum()} of {d.size} output values differ, by at most {d.max()}")
