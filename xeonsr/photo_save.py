"""Image files out: the formats written (OUTPUT_FORMATS), each result saved atomically (a
temporary name, then rename) with its ICC profile and EXIF data, PNG by xeonsr.png_write, 16-bit
colour TIFF through OpenCV, and what a format cannot hold (alpha in JPEG or BMP, 16 bits in JPEG,
WebP or BMP) converted and said. Public: save_image, output_format, OUTPUT_FORMATS."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np

from xeonsr.errors import UserError, note
from xeonsr.photo_io import Image16, Pixels, eight_bit


def _save_16_bit_tiff(image: Image16, path: Path, defer: bool):
    import cv2

    from xeonsr.fileio import atomic_write_bytes

    bgr = np.ascontiguousarray(image.pixels[:, :, [2, 1, 0, 3][: image.pixels.shape[2]]])
    ok, buf = cv2.imencode(".tiff", bgr)
    if not ok:
        raise UserError(f"{path}: OpenCV could not encode a 16-bit TIFF")
    if image.icc:
        note(f"{path}: the ICC profile is not kept in a 16-bit TIFF")
    return atomic_write_bytes(path, buf.tobytes(), defer)


# PIL modes xeonsr.png_write encodes (what an upscale gives back); anything else goes through PIL.
PNG_MODES = ("L", "LA", "RGB", "RGBA", "I;16")


OUTPUT_FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".bmp": "BMP",
    ".webp": "WEBP",
}


def output_format(path: Path) -> str:
    """PIL's format name for an output path, or one line saying which suffixes are written."""
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise UserError(f"{path}: unknown output format (use .png, .jpg, .tif, .bmp or .webp)")
    return fmt


JPEG_QUALITY = 95  # PIL's default for JPEG and WebP is 75-80: visibly lossy on an upscale


def save_image(image, path: Path, quality: int | None = None, threads: int = 1, defer: bool = False):
    """Save atomically (a temporary name, then rename), keeping the ICC profile; ``quality``:
    JPEG's and WebP's (default JPEG_QUALITY), unused by the lossless formats; ``threads``: how
    many may encode a large PNG (xeonsr.png_write). ``defer``: the file is written whole under a
    temporary name and the commit (fsync, rename) returned to be called, in a thread of its
    own (xeonsr.fileio.atomic_write); its errors are this function's."""
    fmt = output_format(path)
    with _cannot_write(path):
        commit = _save(image, path, fmt, quality or JPEG_QUALITY, threads, defer)
    if commit is None:
        return None

    def committed() -> None:
        with _cannot_write(path):
            commit()

    return committed


@contextlib.contextmanager
def _cannot_write(path: Path):
    try:
        yield
    except OSError as e:  # no such folder, no permission, disk full: the file the user named
        raise UserError(f"{path}: cannot write it ({e.strerror or e})") from None


def _save(image, path: Path, fmt: str, quality: int, threads: int, defer: bool):
    from xeonsr.fileio import atomic_write, atomic_write_bytes
    from xeonsr.png_write import encode_png

    if isinstance(image, Image16):
        if fmt == "PNG":
            return atomic_write_bytes(path, encode_png(image.pixels, image.icc, threads=threads), defer)
        if fmt == "TIFF":
            return _save_16_bit_tiff(image, path, defer)
    elif isinstance(image, Pixels) and not (fmt == "PNG" and image.mode in PNG_MODES):
        image = image.to_pil()  # the other formats are PIL's to write
    if fmt not in ("PNG", "TIFF") and (isinstance(image, Image16) or image.mode.startswith("I")):
        note(f"{path}: {fmt} holds 8 bits per sample; the result's 16 are rounded to 8")  # JPEG, WebP, BMP
        image = eight_bit(image)  # its ICC profile and EXIF data kept
    kwargs = {}
    if image.info.get("icc_profile"):
        kwargs["icc_profile"] = image.info["icc_profile"]
    exif = image.info.get("exif") or b""
    if exif and fmt != "BMP" and not (fmt == "JPEG" and len(exif) > 65000):  # a JPEG segment holds 64 KB
        kwargs["exif"] = exif
    if fmt == "PNG" and image.mode in PNG_MODES:
        pixels = image.pixels if isinstance(image, Pixels) else np.asarray(image)
        icc, exif = kwargs.get("icc_profile"), kwargs.get("exif")
        return atomic_write_bytes(path, encode_png(pixels, icc, exif, threads), defer)
    if fmt == "PNG":
        kwargs["compress_level"] = 1  # zlib level 1 (OpenCV's default): PIL's level 6 took 5x longer
    if fmt == "TIFF" and not _has_exif_ifd(kwargs.get("exif")):
        # LZW: lossless, as fast as none, OpenCV's default for 16-bit. Not with an Exif sub-IFD
        # (date taken, exposure): PIL's libtiff writer fails on its offset, so that TIFF stays raw.
        kwargs["compression"] = "tiff_lzw"
    if fmt in ("JPEG", "WEBP"):
        kwargs["quality"] = quality
    if fmt in ("JPEG", "BMP") and image.mode in ("RGBA", "LA"):  # PIL's BMP drops alpha, or fails (LA)
        note(f"{path}: {fmt} holds no transparency; the alpha channel is left out")
        image = image.convert(image.mode[:-1])  # grey stays grey
    return atomic_write(path, lambda tmp: image.save(tmp, format=fmt, **kwargs), defer)


def _has_exif_ifd(exif: bytes | None) -> bool:
    from PIL import Image

    if not exif:
        return False
    tags = Image.Exif()
    tags.load(exif)
    return 0x8769 in tags
