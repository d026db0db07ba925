"""A band's output rows from the network's Y rows: the other planes (Cb/Cr, alpha) through MATLAB
bicubic, then the caller's colour conversion and rounding, a few rows at a time.

Why in pieces: numpy's passes over a whole band's float planes, each tens of MB for a large image,
ran at memory speed: a 3000 x 2000 photo x4 on one stream spent 4.2-4.8 of its 6.0-6.9 s in the
chroma and the colour conversion (Emerald Rapids Xeon, benchmarks/probes/large_image_profile.py).
In pieces of CHUNK_BYTES a plane they stay in the cache: that photo upscaled 1.51-1.81x faster, a
4000 x 3000 one x2 1.23-1.27x (benchmarks/probes/band_pieces.py). Every pixel gets the values the
whole band gave it (the same elementwise operations on the same inputs; tested)."""

from __future__ import annotations

import numpy as np

from xeonsr.imaging import BICUBIC_PAD, upscale_planes

CHUNK_BYTES = 1 << 20  # of one float32 plane of a piece, at the output's size


def finish_band(planes: np.ndarray, y_up: np.ndarray, k0: int, k1: int, scale: int, finish, out: np.ndarray) -> None:
    """Output rows of LR rows ``k0..k1`` of ``planes`` (C, h, w) into ``out`` ((k1 - k0) * scale
    rows): channel 0 is ``y_up`` (those rows through the network), the others bicubic (it reads 2
    rows either side: ``planes`` holds them, or ends where the image does); ``finish(pieces)``
    turns (C, rows, W) float32 planes into output rows."""
    c, h, w = planes.shape
    step = max(1, CHUNK_BYTES // (4 * w * scale * scale))
    for u0 in range(k0, k1, step):
        u1 = min(u0 + step, k1)
        piece = np.empty((c, (u1 - u0) * scale, w * scale), np.float32)
        piece[0] = y_up[(u0 - k0) * scale : (u1 - k0) * scale]
        if c > 1:
            c0, c1 = max(0, u0 - BICUBIC_PAD), min(h, u1 + BICUBIC_PAD)
            piece[1:] = upscale_planes(planes[1:, c0:c1], scale, np.float32, rows=(u0 - c0, u1 - c0))
        out[(u0 - k0) * scale : (u1 - k0) * scale] = finish(piece)
