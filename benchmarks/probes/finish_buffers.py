"""Session 75 (family 6 model 167 Xeon): the finish of a band (xeonsr.band_finish: Cb/Cr through
MATLAB bicubic, then YCbCr -> RGB) as it was before session 75 against as it is now: each bicubic
pass's products in two preallocated buffers instead of two new arrays per tap, and the colour
conversion's floor left to the cast (it truncates, which on the clipped [0, top] is the floor).
Both give the same bits (checked here). Timed in interleaved rounds, one thread:

1. upscale_planes on two float32 planes of an LR of each size, then ycbcr_planes_to_rgb on its
   output, before / now;
2. a folder: Set5 + Set14 LR PNGs (MATLAB bicubic 1/scale) through `xeonsr upscale`'s folder path
   (xeonsr.folder: PNG out, fsync), 1 and 2 workers (threads and streams alike), the old functions
   patched in / the current ones, each round's two runs back to back, which goes first alternating.

    XEONSR_DATA=../shared/datasets python benchmarks/probes/finish_buffers.py fsrcnn 3 7
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

import xeonsr.band_finish as band_finish
import xeonsr.upscaler as upscaler
from xeonsr.evaluate import resolve_dataset
from xeonsr.folder import upscale_files
from xeonsr.imaging import (
    _YCBCR_MATRIX,
    _YCBCR_OFFSET,
    BICUBIC_PAD,
    _slice,
    imresize,
    load_image,
    phase_kernels,
    upscale_planes,
    ycbcr_planes_to_rgb,
)
from xeonsr.upscaler import Upscaler


def old_upscale_planes(x, scale, dtype=np.float32, rows=None):
    """xeonsr.imaging.upscale_planes before session 75."""
    k = phase_kernels(scale)
    pad = BICUBIC_PAD
    x = np.asarray(x, dtype=dtype)
    for axis in (x.ndim - 2, x.ndim - 1):
        n = x.shape[axis]
        i0, i1 = rows if rows is not None and axis == x.ndim - 2 else (0, n)
        idx = np.concatenate([np.arange(pad)[::-1], np.arange(n), np.arange(n - pad, n)[::-1]])
        xp = np.take(x, idx, axis=axis)
        out = np.empty(x.shape[:axis] + (i1 - i0, scale) + x.shape[axis + 1 :], dtype)
        for p in range(scale):
            acc = None
            for t in range(2 * pad + 1):
                if k[p, t] != 0.0:
                    term = _slice(xp, axis, i0 + t, i1 - i0)
                    acc = term * dtype(k[p, t]) if acc is None else acc + term * dtype(k[p, t])
            out[(slice(None),) * axis + (slice(None), p)] = acc
        x = out.reshape(x.shape[:axis] + ((i1 - i0) * scale,) + x.shape[axis + 1 :])
    return x


def old_ycbcr_planes_to_rgb(planes, top, out_dtype):
    """xeonsr.imaging.ycbcr_planes_to_rgb before session 75."""
    work = np.float32 if top <= 255 else np.float64
    m = np.linalg.inv(_YCBCR_MATRIX) * 255.0 * top
    bias = 0.5 - m @ _YCBCR_OFFSET / 255.0
    out = np.empty(planes.shape[1:] + (planes.shape[0],), out_dtype)
    acc = np.empty(planes.shape[1:], work)
    tmp = np.empty_like(acc)
    for c in range(3):
        np.multiply(planes[0], work(m[c, 0]), out=acc)
        for j in (1, 2):
            acc += np.multiply(planes[j], work(m[c, j]), out=tmp)
        acc += work(bias[c])
        out[:, :, c] = np.clip(np.floor(acc, out=acc), 0, top, out=acc)
    if planes.shape[0] == 4:
        np.multiply(planes[3], work(top), out=acc)
        acc += work(0.5)
        out[:, :, 3] = np.clip(np.floor(acc, out=acc), 0, top, out=acc)
    return out


def ms(fn, calls=5):
    fn()
    ts = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts) * 1e3


model, scale, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
print("1. one band's finish, one thread (ms: before / now, ratio by the median round)")
for w, h in ((170, 120), (500, 333), (1000, 750)):
    lr = rng.random((2, h, w), dtype=np.float32)
    y = rng.random((1, h * scale, w * scale), dtype=np.float32)
    fns = {}
    for label, up, rgb in (
        ("before", old_upscale_planes, old_ycbcr_planes_to_rgb),
        ("now", upscale_planes, ycbcr_planes_to_rgb),
    ):
        fns[label] = lambda up=up, rgb=rgb: rgb(np.concatenate([y, up(lr, scale)]), 255, np.uint8)
    assert np.array_equal(fns["before"](), fns["now"]())
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            times[k].append(ms(fn))
    ratio = statistics.median(b / n for b, n in zip(times["before"], times["now"], strict=True))
    print(
        f"  {w}x{h} LR x{scale}: {statistics.median(times['before']):.2f} / {statistics.median(times['now']):.2f} ms, now {ratio:.2f}x as fast"
    )

data = os.environ["XEONSR_DATA"]
files = resolve_dataset("Set5", data)[1] + resolve_dataset("Set14", data)[1]
tmp = Path(tempfile.mkdtemp())
lrs = []
for i, f in enumerate(files):
    lrs.append(tmp / f"lr{i}.png")
    Image.fromarray(imresize(load_image(f), 1 / scale)).save(lrs[-1])
print(f"2. a folder: {len(lrs)} Set5 + Set14 x{scale} LR PNGs to PNG, {model} (images/s: before / now)")
CURRENT = (band_finish.upscale_planes, upscaler.ycbcr_planes_to_rgb)
OLD = (old_upscale_planes, old_ycbcr_planes_to_rgb)
for workers in (1, 2):
    up = Upscaler(model, scale, threads=workers, streams=workers)  # as `xeonsr upscale DIR --threads N`
    rates = {"before": [], "now": []}
    outs = {}
    for r in range(rounds + 1):
        for label, (a, b) in (("before", OLD), ("now", CURRENT))[:: 1 if r % 2 else -1]:  # order alternates
            band_finish.upscale_planes, upscaler.ycbcr_planes_to_rgb = a, b
            dest = tmp / f"out_{label}_{workers}_{r}"
            dest.mkdir()
            t0 = time.perf_counter()
            upscale_files(up, [(p, dest / p.name) for p in lrs], workers=workers)
            if r:  # the first round warms both
                rates[label].append(len(lrs) / (time.perf_counter() - t0))
            outs[label] = dest
    band_finish.upscale_planes, upscaler.ycbcr_planes_to_rgb = CURRENT
    same = all((outs["before"] / p.name).read_bytes() == (outs["now"] / p.name).read_bytes() for p in lrs)
    ratio = statistics.median(n / b for b, n in zip(rates["before"], rates["now"], strict=True))
    print(
        f"  {workers} worker(s): {statistics.median(rates['before']):.1f} / {statistics.median(rates['now']):.1f} "
        f"images/s, now {ratio:.2f}x (rounds {min(n / b for b, n in zip(rates['before'], rates['now'], strict=True)):.2f}"
        f"-{max(n / b for b, n in zip(rates['before'], rates['now'], strict=True)):.2f}x); the same files: {same}"
    )
