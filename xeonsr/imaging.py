"""Image IO, BT.601 YCbCr, mod-crop and a MATLAB-exact bicubic ``imresize``.

Conventions: arrays are HWC (or HW for one channel), RGB, values on the 0..255 scale.
The resize is MATLAB's ``imresize(A, scale, 'bicubic')``: cubic kernel a = -0.5,
antialiasing when shrinking (the kernel is widened by 1/scale), symmetric (half-sample)
border padding, dimensions processed smallest scale first.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from xeonsr.errors import UserError

IMAGE_SUFFIXES = (".png", ".bmp", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".gif")

# ITU-R BT.601 "studio swing", as MATLAB's rgb2ycbcr: rows give Y, Cb, Cr from RGB in [0, 1].
_YCBCR_MATRIX = np.array(
    [
        [65.481, 128.553, 24.966],
        [-37.797, -74.203, 112.0],
        [112.0, -93.786, -18.214],
    ]
)
_YCBCR_OFFSET = np.array([16.0, 128.0, 128.0])


class ImageError(UserError, ValueError):
    """An image that cannot be used (unreadable, wrong mode, too small); message names it."""


def _cubic(x: np.ndarray) -> np.ndarray:
    # Keys' cubic convolution kernel with a = -0.5, exactly as MATLAB's imresize.
    ax = np.abs(x)
    ax2 = ax * ax
    ax3 = ax2 * ax
    return (1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1) + (-0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0) * (
        (ax > 1) & (ax <= 2)
    )


@lru_cache(maxsize=256)
def resize_matrix(in_len: int, out_len: int, scale: float, antialias: bool = True) -> np.ndarray:
    """The (out_len, in_len) matrix M with ``out = M @ in`` along one axis (float64).

    Follows MATLAB's ``contributions()``: output pixel x (1-based) samples input position
    u = x / scale + 0.5 * (1 - 1 / scale); taps outside the image are folded back by
    symmetric padding, so their weights add onto the mirrored pixels.
    """
    kernel_width = 4.0
    if scale < 1 and antialias:
        kernel_width /= scale

        def kernel(d):
            return scale * _cubic(scale * d)
    else:
        kernel = _cubic
    x = np.arange(1, out_len + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - kernel_width / 2.0)
    taps = int(math.ceil(kernel_width)) + 2
    idx = left[:, None] + np.arange(taps)[None, :]  # 1-based input positions, (out, taps)
    w = kernel(u[:, None] - idx)
    w /= w.sum(axis=1, keepdims=True)
    # Symmetric padding: 0 -> 1, -1 -> 2, in_len + 1 -> in_len (1-based), period 2 * in_len.
    mirror = np.concatenate([np.arange(in_len), np.arange(in_len - 1, -1, -1)])
    cols = mirror[np.mod(idx.astype(np.int64) - 1, 2 * in_len)]
    m = np.zeros((out_len, in_len), dtype=np.float64)
    rows = np.broadcast_to(np.arange(out_len)[:, None], cols.shape)
    np.add.at(m, (rows, cols), w)
    m.setflags(write=False)
    return m


BICUBIC_PAD = 2  # the cubic kernel reaches 2 LR pixels either side when upscaling


@lru_cache(maxsize=8)
def phase_kernels(scale: int) -> np.ndarray:
    """(scale, 5) taps over LR offsets -2..2 for each output phase of an integer upscale: at an
    integer scale imresize's sampling positions repeat every ``scale`` output pixels (float64)."""
    n = 16  # any length well away from both borders
    m = resize_matrix(n, n * scale, float(scale))
    centre, pad = n // 2, BICUBIC_PAD
    out = np.zeros((scale, 2 * pad + 1))
    for r in range(scale):
        out[r] = m[centre * scale + r, centre - pad : centre + pad + 1]
        assert abs(out[r].sum() - 1.0) < 1e-12  # nothing fell outside the window
    out.setflags(write=False)
    return out


def upscale_planes(x: np.ndarray, scale: int, dtype: type = np.float32, rows: tuple | None = None) -> np.ndarray:
    """MATLAB ``imresize(x, scale, 'bicubic')`` at an integer scale for (..., h, w) planes, in
    ``dtype``: per axis, ``scale`` phases of 5 taps on a symmetric 2-pixel border (what
    :func:`imresize`'s matrices hold, without multiplying their zeros: 60x less work on a
    256-pixel tile). Needs h, w >= 2. ``rows`` (i0, i1): only the rows that LR rows i0..i1
    become (the rows either side still feed them; the same values)."""
    k = phase_kernels(scale)
    pad = BICUBIC_PAD
    x = np.asarray(x, dtype=dtype)
    for axis in (x.ndim - 2, x.ndim - 1):  # rows first, as MATLAB at equal scales
        n = x.shape[axis]
        i0, i1 = rows if rows is not None and axis == x.ndim - 2 else (0, n)
        idx = np.concatenate([np.arange(pad)[::-1], np.arange(n), np.arange(n - pad, n)[::-1]])
        xp = np.take(x, idx, axis=axis)
        out = np.empty(x.shape[:axis] + (i1 - i0, scale) + x.shape[axis + 1 :], dtype)
        # Two buffers for the taps' products and sums, not two new arrays a tap: the same bits, a
        # band's finish 1.00-1.07x as fast (benchmarks/probes/finish_buffers.py).
        acc = np.empty(x.shape[:axis] + (i1 - i0,) + x.shape[axis + 1 :], dtype)
        tmp = np.empty_like(acc)
        for p in range(scale):
            taps = [(_slice(xp, axis, i0 + t, i1 - i0), dtype(k[p, t])) for t in range(2 * pad + 1) if k[p, t]]
            np.multiply(*taps[0], out=acc)
            for term, weight in taps[1:]:
                acc += np.multiply(term, weight, out=tmp)
            out[(slice(None),) * axis + (slice(None), p)] = acc
        x = out.reshape(x.shape[:axis] + ((i1 - i0) * scale,) + x.shape[axis + 1 :])
    return x


def _slice(x: np.ndarray, axis: int, start: int, n: int) -> np.ndarray:
    return x[(slice(None),) * axis + (slice(start, start + n),)]


def _round_uint8(x: np.ndarray) -> np.ndarray:
    # MATLAB's uint8(): round half away from zero, then saturate.
    return np.clip(np.floor(x + 0.5), 0, 255).astype(np.uint8)


def imresize(
    img: np.ndarray, scale: float, out_shape: tuple[int, int] | None = None, dtype: type = np.float64
) -> np.ndarray:
    """MATLAB ``imresize(img, scale, 'bicubic')`` for HW or HWC arrays.

    Float input is resized in float64 (or ``dtype``) and returned as such (no clipping, like
    MATLAB on single/double). uint8 input is rounded after each pass, as MATLAB does, and returned as
    uint8. ``out_shape`` (H, W) overrides ``ceil(scale * size)``.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    h, w = img.shape[:2]
    if out_shape is None:
        out_shape = (int(math.ceil(h * scale)), int(math.ceil(w * scale)))
    is_uint8 = img.dtype == np.uint8
    work = np.float64 if is_uint8 else dtype
    out = img.astype(work)
    # MATLAB resizes the dimension with the smaller scale first (ties: rows first).
    for axis in (0, 1):
        m = resize_matrix(img.shape[axis], out_shape[axis], float(scale)).astype(work, copy=False)
        # (out, in) x (in, ...) along the chosen axis.
        out = np.moveaxis(np.tensordot(m, np.moveaxis(out, axis, 0), axes=(1, 0)), 0, axis)
        if is_uint8:
            out = _round_uint8(out)
    return out.astype(np.uint8) if is_uint8 else out


def rgb_to_ycbcr(rgb: np.ndarray) -> np.ndarray:
    """RGB on 0..255 (HWC) -> YCbCr float64 on the studio-swing scale (Y in [16, 235])."""
    return rgb.astype(np.float64) / 255.0 @ _YCBCR_MATRIX.T + _YCBCR_OFFSET


def ycbcr_to_rgb(ycbcr: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb_to_ycbcr`: YCbCr float (HWC) -> RGB float64 on 0..255."""
    inv = np.linalg.inv(_YCBCR_MATRIX)
    return (ycbcr.astype(np.float64) - _YCBCR_OFFSET) @ inv.T * 255.0


def rgb_to_ycbcr_planes(pixels: np.ndarray, top: float) -> np.ndarray:
    """(h, w, 3 or 4) RGB(A) integers on 0..top -> (3 or 4, h, w) float32 planes of YCbCr/255
    (and alpha on 0..1): :func:`rgb_to_ycbcr` fused with the scaling, plane by plane in float32
    (within an ulp or two of the float64 path, about 3x faster)."""
    m = _YCBCR_MATRIX / (top * 255.0)
    out = np.empty((pixels.shape[2],) + pixels.shape[:2], np.float32)
    tmp = np.empty(pixels.shape[:2], np.float32)
    for c in range(3):
        np.multiply(pixels[:, :, 0], np.float32(m[c, 0]), out=out[c], casting="unsafe")
        for j in (1, 2):
            out[c] += np.multiply(pixels[:, :, j], np.float32(m[c, j]), out=tmp, casting="unsafe")
        out[c] += np.float32(_YCBCR_OFFSET[c] / 255.0)
    if pixels.shape[2] == 4:
        np.divide(pixels[:, :, 3], np.float32(top), out=out[3], casting="unsafe")
    return out


def ycbcr_planes_to_rgb(planes: np.ndarray, top: float, out_dtype: type) -> np.ndarray:
    """(3 or 4, h, w) planes of YCbCr/255 (and alpha on 0..1) -> (h, w, 3 or 4) RGB(A) rounded
    to integers on 0..top: :func:`ycbcr_to_rgb` fused with the scaling, rounding and clipping,
    plane by plane, in float32 for 8-bit output (within 2e-5 of float64) and float64 for 16."""
    work = np.float32 if top <= 255 else np.float64
    m = np.linalg.inv(_YCBCR_MATRIX) * 255.0 * top  # RGB/255 * top from YCbCr/255
    bias = 0.5 - m @ _YCBCR_OFFSET / 255.0  # + 0.5: round half up by floor
    out = np.empty(planes.shape[1:] + (planes.shape[0],), out_dtype)
    acc = np.empty(planes.shape[1:], work)
    tmp = np.empty_like(acc)
    for c in range(3):
        np.multiply(planes[0], work(m[c, 0]), out=acc)
        for j in (1, 2):
            acc += np.multiply(planes[j], work(m[c, j]), out=tmp)
        acc += work(bias[c])
        # the cast truncates, which on the clipped [0, top] is the floor: one pass fewer
        out[:, :, c] = np.clip(acc, 0, top, out=acc)
    if planes.shape[0] == 4:
        np.multiply(planes[3], work(top), out=acc)
        acc += work(0.5)
        out[:, :, 3] = np.clip(acc, 0, top, out=acc)
    return out


def luma(img: np.ndarray) -> np.ndarray:
    """The protocol's Y channel as uint8 (HW).

    A 3-channel uint8 image goes through MATLAB's ``rgb2ycbcr`` (which rounds to uint8);
    a single-channel image is its own Y, as in the papers' MATLAB code.
    """
    if img.ndim == 2:
        return img.astype(np.uint8)
    if img.shape[2] == 1:
        return img[:, :, 0].astype(np.uint8)
    return _round_uint8(rgb_to_ycbcr(img[:, :, :3])[:, :, 0])


def mod_crop(img: np.ndarray, scale: int) -> np.ndarray:
    """Crop H and W down to multiples of ``scale`` (top-left kept, as MATLAB's modcrop)."""
    h, w = img.shape[:2]
    return img[: h - h % scale, : w - w % scale]


def shave(img: np.ndarray, border: int) -> np.ndarray:
    return img[border:-border, border:-border] if border > 0 else img


def to_uint8(x: np.ndarray) -> np.ndarray:
    """Float on 0..255 -> uint8 with MATLAB rounding (half away from zero) and saturation."""
    return _round_uint8(np.asarray(x, dtype=np.float64))


def to_eight_bits(pixels) -> np.ndarray:
    """16-bit samples rounded to the nearest 8-bit ones (65535 -> 255, as 255 * 257 = 65535)."""
    return np.floor(np.asarray(pixels).astype(np.float64) / 257.0 + 0.5).astype(np.uint8)


def sample_problem(im) -> str | None:
    """Why an image's samples can't be upscaled as they are, or None. Converting them would
    be a guess: PIL clips float samples to 0..255 (an image on 0..1 comes out black) and 32-bit
    integers to 8 bits."""
    if im.mode == "F":
        return "32-bit float samples (of a range only its maker knows); save it with 8 or 16 bits per sample first"
    if im.mode in ("I", "I;32", "I;32B", "I;32L", "I;32S"):
        lo, hi = im.getextrema()
        if lo < 0 or hi > 65535:
            return f"32-bit integer samples ({lo}..{hi}, beyond 16 bits); save it with 8 or 16 bits per sample first"
    return None


def load_image(path: str | Path) -> np.ndarray:
    """Read an image file as uint8 HWC RGB, or HW for single-channel images.

    Raises ImageError with the file's name for anything unreadable.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as im:
            im.load()
            problem = sample_problem(im)  # float or beyond 16 bits: no range to read 8 bits from
            if problem:
                raise ImageError(f"{path}: {problem}")
            if im.mode.startswith("I"):  # 16-bit grey: PIL's convert("L") clips it (1000 -> 255)
                arr = to_eight_bits(np.asarray(im))
            elif im.mode in ("L", "1"):
                arr = np.asarray(im.convert("L"))
            else:
                arr = np.asarray(im.convert("RGB"))
    except ImageError:
        raise
    except FileNotFoundError:
        raise ImageError(f"{path}: no such file") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise ImageError(f"{path}: not a readable image ({e.__class__.__name__}: {e})") from None
    except Image.DecompressionBombError as e:
        raise ImageError(f"{path}: refused, dimensions too large ({e})") from None
    return arr


def list_images(folder: str | Path) -> list[Path]:
    """Image files directly inside ``folder``, sorted by name; hidden ones left out, as a glob
    leaves them (macOS writes ``._IMG_0001.JPG`` beside each photo on a shared drive: no image)."""
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if is_image_name(p.name) and p.is_file())


def is_image_name(name: str) -> bool:
    """A file name a folder's images are taken by: an image suffix, not hidden."""
    return not name.startswith(".") and Path(name).suffix.lower() in IMAGE_SUFFIXES
