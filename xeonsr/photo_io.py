"""Image files in for upscaling: open (refusing bombs and broken files in one line), 16-bit
colour through OpenCV (PIL holds colour in 8 bits), modes a person would expect, EXIF orientation
applied, ICC profile and EXIF data carried to the result (written by xeonsr.photo_save). Public:
Image16, Pixels, as_upscalable, open_image, sample_problem, upright_in_upscalable_mode,
carry_metadata, EXIF_ORIENTATION."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from xeonsr.errors import UserError, note
from xeonsr.imaging import sample_problem, to_eight_bits

MAX_INPUT_PIXELS = 64_000_000  # refuse larger inputs (decompression bombs) before decoding
_limit = {"pixels": MAX_INPUT_PIXELS}


def allow_pixels(megapixels: float) -> None:
    """Take inputs up to ``megapixels`` in this process (`xeonsr upscale --max-megapixels`): a
    100 MP camera's photo is no bomb. PIL's own check moves with it."""
    from PIL import Image

    _limit["pixels"] = int(megapixels * 1_000_000)
    Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, _limit["pixels"])


def eight_bit(image):
    """``image`` (PIL or :class:`Image16`) with 8 bits per sample, as a PIL image: 16-bit grey
    rounded to its nearest 8 bits (PIL's convert clips it: 1000 -> 255), 16-bit colour through
    :meth:`Image16.to_pil`; anything else as it is."""
    from PIL import Image

    if isinstance(image, Image16):
        return image.to_pil()
    if image.mode.startswith("I"):
        eight = Image.fromarray(to_eight_bits(image), "L")
        eight.info.update(image.info)
        return eight
    return image


@dataclass
class Image16:
    """A colour image with 16 bits per channel, which PIL cannot hold: ``pixels`` is an RGB or
    RGBA uint16 array (H, W, C), ``icc`` the ICC profile it carried, if any."""

    pixels: np.ndarray
    icc: bytes | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.pixels.shape[1], self.pixels.shape[0]

    def to_pil(self):
        """An 8-bit PIL copy (for formats and views that hold 8 bits only)."""
        from PIL import Image

        eight = to_eight_bits(self.pixels)
        im = Image.fromarray(eight, "RGBA" if eight.shape[2] == 4 else "RGB")
        if self.icc:
            im.info["icc_profile"] = self.icc
        return im


@dataclass
class Pixels:
    """An upscaled image PIL holds (8-bit grey, grey+alpha, RGB, RGBA; 16-bit grey) as its array,
    ``pixels`` (H, W[, C]), PIL's ``mode`` for it and its ``info`` (ICC profile, EXIF data): what
    `xeonsr upscale` writes, with no PIL copy of it (PIL keeps RGB in 4 bytes a pixel: a copy in
    and back out cost a 96 MP result 0.8-0.9 s on an Emerald Rapids Xeon, pil_copies.py)."""

    pixels: np.ndarray
    mode: str
    info: dict = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        return self.pixels.shape[1], self.pixels.shape[0]

    def __array__(self, dtype=None, copy=None):  # np.asarray: the pixels themselves; np.array: a copy
        a = self.pixels if dtype is None else self.pixels.astype(dtype)
        return a.copy() if copy and a is self.pixels else a

    def to_pil(self):
        from PIL import Image

        im = Image.fromarray(self.pixels, None if self.mode.startswith("I") else self.mode)
        im.info.update(self.info)
        return im


def as_upscalable(obj):
    """(a PIL image or Image16, a function turning the upscaled one (Image16 or Pixels) back into
    obj's kind; an array gets the result's own) for what people hand ``Upscaler.upscale``: a PIL
    image, an Image16, a path, or a numpy array (H, W) grey or (H, W, 3|4) RGB(A), uint8 or
    uint16 (RGB order: OpenCV's BGR needs ``cv2.cvtColor`` first)."""
    import os

    from PIL import Image

    def as_pil(out):  # the upscaler's Pixels result as the PIL image it holds
        return out.to_pil() if isinstance(out, Pixels) else out

    if isinstance(obj, Pixels):  # a result of upscale_for_saving, upscaled again
        image, back = obj.to_pil(), as_pil
    elif isinstance(obj, Image16) or hasattr(obj, "mode"):
        image, back = obj, as_pil
    elif isinstance(obj, (str, os.PathLike)):
        image, back = open_image(Path(obj)), as_pil
    elif isinstance(obj, np.ndarray):
        channels = obj.shape[2] if obj.ndim == 3 else 0
        if obj.dtype not in (np.uint8, np.uint16) or not (
            obj.ndim == 2 or channels in (1, 3, 4) or (channels == 2 and obj.dtype == np.uint8)
        ):
            raise UserError(
                "an array to upscale is (H, W) or (H, W, 1|3|4), uint8 or uint16, or (H, W, 2) uint8 (grey and "
                f"alpha); not {obj.dtype} {obj.shape}"
            )
        arr = np.ascontiguousarray(obj[..., 0] if channels == 1 else obj)
        if arr.dtype == np.uint16 and arr.ndim == 3:
            image, back = Image16(arr), lambda out: out.pixels
        elif channels == 1:  # as ML pipelines hold grey: the same shape back
            image, back = Image.fromarray(arr), lambda out: np.asarray(out)[..., None]
        else:
            image, back = Image.fromarray(arr, "LA" if channels == 2 else None), np.asarray  # 16-bit grey: I;16
    else:
        raise UserError(f"upscale takes a PIL image, a path or a numpy array, not {type(obj).__name__}")
    w, h = image.size
    if not w or not h:
        raise UserError(f"an image of {w}x{h} pixels: nothing to upscale")
    return image, back


def open_image(path: Path):
    """Open an image for upscaling, refusing bombs and broken files with a one-line error."""
    import warnings

    from PIL import Image

    from xeonsr.imaging import ImageError

    if not path.is_file():
        raise ImageError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise ImageError(f"{path}: empty file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(path)
            if im.width * im.height > _limit["pixels"]:
                raise ImageError(
                    f"{path}: {im.width}x{im.height} is over the {_limit['pixels'] / 1e6:g} megapixel limit "
                    "(a decompression bomb? if not, --max-megapixels N takes it)"
                )
            # Upscaling the first frame alone would drop the rest unsaid. A camera's MPO JPEG is
            # the exception: its first frame is the photo, the others previews or depth.
            frames = getattr(im, "n_frames", 1) if im.format != "MPO" else 1
            if frames > 1:
                raise ImageError(
                    f"{path}: {frames} frames (an animation or a multi-page file); upscale them one by one"
                )
            sixteen = im.mode in ("RGB", "RGBA") and _has_16_bit_samples(im)
            im.load()
            problem = sample_problem(im)
            if problem:
                raise ImageError(f"{path}: {problem}")
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        # Pillow's own check, before ours: the same limit to the person who meets it
        size = str(e).split(" pixels)")[0].split("(")[-1]
        raise ImageError(
            f"{path}: {size} pixels by its header, over the {_limit['pixels'] / 1e6:g} megapixel limit "
            "(a decompression bomb? if not, --max-megapixels N takes it)"
        ) from None
    except Exception as e:  # noqa: BLE001 - PIL raises many kinds for broken files
        raise ImageError(
            f"{path}: not a readable image ({str(e).splitlines()[0] if str(e) else type(e).__name__})"
        ) from None
    if sixteen:
        return _read_16_bit_colour(path, im)
    return im


UPSCALABLE_MODES = ("RGB", "RGBA", "L", "LA", "I;16", "I;16B", "I;16L", "I")


def upright_in_upscalable_mode(image):
    """(image, its ICC profile or None): EXIF orientation applied, and in one of the modes the
    upscaler takes (UPSCALABLE_MODES), converted as a person would expect."""
    from PIL import ImageOps

    from xeonsr.imaging import ImageError

    problem = sample_problem(image)
    if problem:
        raise ImageError(problem)
    icc = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    if image.mode in ("P", "PA"):
        alpha = image.mode == "PA" or "transparency" in image.info
        image = image.convert("RGBA" if alpha else "RGB")
    elif image.mode == "1":
        image = image.convert("L")  # grey stays grey
    elif image.mode in ("La", "RGBa"):
        image = image.convert(image.mode.upper())  # premultiplied alpha: the colours divided back out, alpha kept
    elif image.mode not in UPSCALABLE_MODES:
        # CMYK, Lab, HSV, ...: their profile describes the space the pixels leave, not sRGB.
        image, icc = image.convert("RGB"), None
    return image, icc


def carry_metadata(src, result, icc: bytes | None) -> None:
    """The ICC profile and EXIF data (date taken, camera, ...) of ``src`` onto its upscaled
    ``result``: the orientation tag is gone already (applied to the pixels), the pixel size
    tags are the result's."""
    if icc:
        result.info["icc_profile"] = icc
    if src.info.get("exif"):
        try:
            exif = src.getexif()
            sizes = exif.get_ifd(0x8769)  # the Exif IFD: 0xA002/0xA003 are the image's width and height
            if 0xA002 in sizes or 0xA003 in sizes:
                sizes[0xA002], sizes[0xA003] = result.size
            result.info["exif"] = exif.tobytes()
        except Exception:  # noqa: BLE001 - a camera's malformed EXIF must not cost the image
            pass


def _has_16_bit_samples(im) -> bool:
    """Whether the file stores 16 bits per sample (PIL's raw mode says so before it decodes)."""
    for tile in im.tile[:1]:
        args = tile[3]  # (codec, extents, offset, args): a plain tuple before Pillow 11, named since
        raw = args if isinstance(args, str) else (args or ("",))[0]
        return isinstance(raw, str) and ";16" in raw
    return False


EXIF_ORIENTATION = {  # EXIF orientation -> the array operation that undoes it (as ImageOps.exif_transpose)
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a.transpose(1, 0, 2)[::-1, ::-1],
    8: lambda a: np.rot90(a, 1),
}


def _read_16_bit_colour(path: Path, im):
    """A 16-bit RGB(A) PNG/TIFF as :class:`Image16` through OpenCV; without OpenCV, PIL's 8 bits
    and one line saying so (PIL keeps only 8 bits of colour)."""
    from xeonsr.imaging import ImageError

    try:
        import cv2
    except ImportError:
        keep = "pip install opencv-python-headless to keep all 16"
        note(f"{path} has 16 bits per colour channel; reading 8 of them ({keep})")
        return im
    pixels = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels is None or pixels.dtype != np.uint16 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ImageError(f"{path}: not a readable 16-bit colour image")
    pixels = pixels[:, :, [2, 1, 0, 3][: pixels.shape[2]]]  # OpenCV's BGR(A) -> RGB(A)
    undo = EXIF_ORIENTATION.get(im.getexif().get(0x0112, 1))
    if undo is not None:
        pixels = undo(pixels)
    return Image16(np.ascontiguousarray(pixels), im.info.get("icc_profile"))
