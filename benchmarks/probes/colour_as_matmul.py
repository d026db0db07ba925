"""Session 42 (AVX2 Zen 3): the colour path of `xeonsr upscale` as matrix products. A folder
with file IO spends ~15% of its time in the chroma planes' MATLAB bicubic
(xeonsr.imaging.upscale_planes: per axis, a few numpy multiply-adds per output phase) and the
YCbCr -> RGB rounding (ycbcr_planes_to_rgb: plane by plane). Here both as matrix products:
the upscale as banded (B+4) x (B*s) blocks over windows of B input pixels (one matmul per axis,
the output written in order), the colour as (N, 3) @ (3, 3). Per shape: the largest difference
from today's functions, then medians of interleaved rounds (ms).

    python benchmarks/probes/colour_as_matmul.py 3 10 120x170,260x256,96x117,400x600
"""

import statistics
import sys

import numpy as np
from _rounds import rounds_ms
from numpy.lib.stride_tricks import as_strided

from xeonsr.imaging import _YCBCR_MATRIX, _YCBCR_OFFSET, BICUBIC_PAD, phase_kernels, upscale_planes, ycbcr_planes_to_rgb


def band_matrix(scale: int, b: int) -> np.ndarray:
    k, m = phase_kernels(scale), np.zeros((b + 2 * BICUBIC_PAD, b * scale), np.float32)
    for i in range(b):
        for p in range(scale):
            m[i : i + 2 * BICUBIC_PAD + 1, i * scale + p] = k[p]
    return m


def upscale_matmul(x: np.ndarray, scale: int, b: int) -> np.ndarray:
    x, pad, m = np.asarray(x, np.float32), BICUBIC_PAD, band_matrix(scale, b)
    for axis in (-2, -1):  # rows first, as upscale_planes
        n = x.shape[axis]
        nb = -(-n // b)
        idx = np.concatenate([np.arange(pad)[::-1], np.arange(n), np.arange(n - pad, n)[::-1]])
        xp = np.take(x, idx, axis=axis)
        widths = [(0, 0)] * xp.ndim
        widths[axis] = (0, nb * b + 2 * pad - xp.shape[axis])
        xp = np.pad(xp, widths)
        st = xp.strides
        if axis == -2:
            win = as_strided(xp, xp.shape[:-2] + (nb, b + 2 * pad, xp.shape[-1]), st[:-2] + (b * st[-2],) + st[-2:])
            y = np.matmul(m.T, win)
            x = y.reshape(y.shape[:-3] + (nb * b * scale, y.shape[-1]))[..., : n * scale, :]
        else:
            win = as_strided(xp, xp.shape[:-1] + (nb, b + 2 * pad), st[:-1] + (b * st[-1], st[-1]))
            y = np.matmul(win, m)
            x = y.reshape(y.shape[:-2] + (nb * b * scale,))[..., : n * scale]
    return np.ascontiguousarray(x)


def rgb_matmul(planes: np.ndarray) -> np.ndarray:
    m = np.linalg.inv(_YCBCR_MATRIX) * 255.0 * 255.0
    bias = (0.5 - m @ _YCBCR_OFFSET / 255.0).astype(np.float32)
    acc = np.matmul(planes.reshape(3, -1).T, m.T.astype(np.float32))
    acc += bias
    np.clip(np.floor(acc, out=acc), 0, 255, out=acc)
    return acc.astype(np.uint8).reshape(planes.shape[1:] + (3,))


scale, rounds = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
for size in sys.argv[3].split(","):
    h, w = (int(v) for v in size.split("x"))
    x = rng.random((2, h, w), dtype=np.float32)
    planes = np.concatenate(
        [
            rng.random((1, h * scale, w * scale), dtype=np.float32) * 0.7 + 0.06,
            rng.random((2, h * scale, w * scale), dtype=np.float32) * 0.6 + 0.2,
        ]
    )
    ups = {"upscale_planes": lambda v: upscale_planes(v, scale)}
    ups.update({f"matmul B={b}": (lambda v, b=b: upscale_matmul(v, scale, b)) for b in (8, 16, 32)})
    diff = max(float(np.abs(f(x) - ups["upscale_planes"](x)).max()) for f in ups.values())
    flips = int((rgb_matmul(planes) != ycbcr_planes_to_rgb(planes, 255.0, np.uint8)).sum())
    med = {k: statistics.median(v) for k, v in rounds_ms(ups, x, rounds).items()}
    cols = {"ycbcr_planes_to_rgb": lambda p: ycbcr_planes_to_rgb(p, 255.0, np.uint8), "matmul": rgb_matmul}
    med.update({f"colour {k}": statistics.median(v) for k, v in rounds_ms(cols, planes, rounds).items()})
    print(f"{size} (2 planes; colour at x{scale}): upscale maxdiff {diff:.1e}, colour values that differ {flips}")
    print("   " + "  ".join(f"{k} {m:.2f} ms" for k, m in med.items()), flush=True)
