"""PNG encoding for results: 8- or 16-bit grey, grey+alpha, RGB or RGBA, with the ICC profile and
EXIF data, as bytes.

Written here because the library writers took longer than the network. On the 19 Set5 + Set14
FSRCNN x3 results (AMD EPYC Zen 3, session 41; benchmarks/probes/png_encoders.py) Pillow at zlib
level 1 took 15.2 ms an image and libpng 12.6 (through imagecodecs); every row filtered Up in
numpy, then deflated by zlib-ng at level 2, 6.1 ms. Since session 73 Intel ISA-L's igzip deflates
(python-isal, a dependency, the zlib API): on an Emerald Rapids Xeon 3.0-3.1x zlib-ng's level 2
(8.6-10.8 -> 2.7-3.5 ms an image), the files 1.3% bigger (BSD200-val 1.8%, an upscaled page of text
1%, a gradient 36% smaller) and a folder with file IO 1.27-1.36x faster end to end
(benchmarks/probes/png_deflaters.py). Its level 2 makes the smallest files of its four on the
held-out BSD200-val. The standard zlib where isal is not installed (no wheel for the machine).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

try:  # the same API as zlib; its levels are 0-3
    from isal import isal_zlib as _deflate

    DEFLATER = "Intel ISA-L (python-isal)"
except ImportError:  # pragma: no cover - isal is a dependency where it has wheels; elsewhere zlib writes PNGs
    _deflate = zlib
    DEFLATER = "the standard zlib (pip install isal: 3x the speed)"
LEVEL = 2  # isal's (and, as a fallback, zlib's): both a fast level

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type (grey, grey+alpha, RGB, RGBA)
IDAT_BYTES = 1 << 20  # the deflated data split into IDAT chunks of 1 MiB (a chunk holds < 2 GiB)
# Filtered bytes deflated in pieces of this size, each primed with the 32 KiB before it (as pigz does): the
# pieces deflate on several threads (isal and zlib let go of the GIL) and the file's bytes are the same
# whatever the thread count. A 96 MP RGB result (12000 x 8000, 288 MB) deflated in 1.25-1.38 s on
# one thread, 0.79-0.87 on two (Emerald Rapids Xeon, 2 vCPUs, isal; benchmarks/probes/png_threads.py).
PIECE_BYTES = 1 << 22
WINDOW = 1 << 15


def encode_png(pixels: np.ndarray, icc: bytes | None = None, exif: bytes | None = None, threads: int = 1) -> bytes:
    """(H, W) or (H, W, C) uint8 or uint16 pixels, C = 1..4 -> the bytes of a PNG file.
    ``threads``: how many deflate a large image's pieces at once (the bytes do not depend on it)."""
    if pixels.dtype.kind != "u" or pixels.itemsize not in (1, 2) or pixels.ndim not in (2, 3) or 0 in pixels.shape:
        raise ValueError(f"encode_png takes (H, W[, C]) uint8 or uint16 pixels, not {pixels.dtype} {pixels.shape}")
    h, w = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    if channels not in COLOUR_TYPES:
        raise ValueError(f"encode_png takes 1 to 4 channels, not {channels}")
    rows = np.ascontiguousarray(pixels, dtype=pixels.dtype.newbyteorder(">")).view(np.uint8).reshape(h, -1)
    header = struct.pack(">IIBBBBB", w, h, pixels.itemsize * 8, COLOUR_TYPES[channels], 0, 0, 0)  # no interlace
    parts = [SIGNATURE, _chunk(b"IHDR", header)]
    if icc:
        parts.append(_chunk(b"iCCP", b"ICC profile\x00\x00" + zlib.compress(icc)))
    if exif:
        parts.append(_chunk(b"eXIf", exif[6:] if exif.startswith(b"Exif\x00\x00") else exif))
    data = _deflate_rows(_up_filtered(rows), threads)
    parts += [_chunk(b"IDAT", data[i : i + IDAT_BYTES]) for i in range(0, len(data), IDAT_BYTES)]
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)


def _up_filtered(rows: np.ndarray) -> np.ndarray:
    """Each row as filter type 2 (Up: the byte minus the one above, mod 256), type byte first."""
    out = np.empty((rows.shape[0], rows.shape[1] + 1), np.uint8)
    out[:, 0] = 2
    out[0, 1:] = rows[0]  # the row above the first is zeros
    np.subtract(rows[1:], rows[:-1], out=out[1:, 1:])
    return out


def _deflate_rows(filtered: np.ndarray, threads: int = 1) -> bytes:
    data = memoryview(filtered).cast("B")
    if len(data) <= PIECE_BYTES:
        c = _deflate.compressobj(LEVEL, _deflate.DEFLATED, 15, 9)
        return c.compress(data) + c.flush()
    starts = range(0, len(data), PIECE_BYTES)

    def piece(start: int) -> tuple[bytes, int]:
        end = min(start + PIECE_BYTES, len(data))
        primed = {"zdict": data[max(0, start - WINDOW) : start]} if start else {}
        c = _deflate.compressobj(LEVEL, _deflate.DEFLATED, -15, 9, **primed)  # raw deflate: one stream of pieces
        last = end == len(data)
        body = c.compress(data[start:end]) + c.flush(_deflate.Z_FINISH if last else _deflate.Z_SYNC_FLUSH)
        return body, zlib.adler32(data[start:end])

    if threads > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(threads, len(starts)), thread_name_prefix="xeonsr-png") as pool:
            pieces = list(pool.map(piece, starts))
    else:
        pieces = [piece(s) for s in starts]
    check = 1
    for (_, adler), start in zip(pieces, starts, strict=True):
        check = _adler32_combine(check, adler, min(PIECE_BYTES, len(data) - start))
    # zlib's header (deflate, 32 KiB window, a "fast" level), the pieces, the Adler-32 of all
    return b"\x78\x5e" + b"".join(body for body, _ in pieces) + struct.pack(">I", check)


def _adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two byte strings end to end, from each one's (zlib's adler32_combine)."""
    base = 65521
    rem = second_length % base
    low = ((first & 0xFFFF) + (second & 0xFFFF) + base - 1) % base
    high = (rem * (first & 0xFFFF) + (first >> 16) + (second >> 16) + base - rem) % base
    return low | high << 16


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))
