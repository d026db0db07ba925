"""`xeonsr upscale` writes a result from its array (xeonsr.photo_io.Pixels), with no PIL copy: every
format's file is the one the PIL result of `Upscaler.upscale` makes, ICC profile and EXIF kept."""

import numpy as np
import pytest
from PIL import Image

from xeonsr.photo_io import Pixels, open_image
from xeonsr.photo_save import save_image
from xeonsr.upscaler import Upscaler

ICC = b"\x00" * 128 + b"a profile"


@pytest.fixture(scope="module")
def up():
    return Upscaler("fsrcnn", 2, backend="openvino", precision="fp32")


def _inputs(tmp_path):
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (21, 17, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated on display: the pixels turn, the tag goes
    exif[0x010F] = "a camera"
    images = {
        "RGB": Image.fromarray(rgb),
        "RGBA": Image.fromarray(np.dstack([rgb, rgb[:, :, 0]])),
        "L": Image.fromarray(rgb[:, :, 1]),
        "LA": Image.fromarray(rgb[:, :, :2], "LA"),
        "I;16": Image.fromarray(rng.integers(0, 65536, (21, 17), dtype=np.uint16)),
    }
    for mode, im in images.items():
        im.save(tmp_path / f"{mode.replace(';', '')}.png", icc_profile=ICC, exif=exif)
    return {mode: tmp_path / f"{mode.replace(';', '')}.png" for mode in images}


@pytest.mark.parametrize("fmt", ["png", "tif", "jpg", "webp", "bmp"])
def test_files_from_the_array_are_those_from_the_pil_result(up, tmp_path, fmt):
    for mode, path in _inputs(tmp_path).items():
        pixels = up.upscale_for_saving(open_image(path))
        assert isinstance(pixels, Pixels) and pixels.size == (42, 34), mode  # turned by the EXIF tag
        pil = up.upscale(open_image(path))
        assert pil.mode == pixels.to_pil().mode and np.array_equal(np.asarray(pil), pixels.pixels), mode
        save_image(pixels, tmp_path / f"a_{mode.replace(';', '')}.{fmt}")
        save_image(pil, tmp_path / f"b_{mode.replace(';', '')}.{fmt}")
        a, b = (tmp_path / f"{k}_{mode.replace(';', '')}.{fmt}" for k in "ab")
        assert a.read_bytes() == b.read_bytes(), (mode, fmt)
        if fmt == "png":
            back = Image.open(a)
            assert back.info.get("icc_profile") == ICC and back.getexif().get(0x010F) == "a camera", mode
            assert 0x0112 not in back.getexif(), mode


def test_an_array_comes_back_as_the_pil_result_would(up):
    """An array in gets the result's own array back (no PIL copy): the pixels the PIL path gives."""
    rng = np.random.default_rng(5)
    for arr in (
        rng.integers(0, 256, (15, 11, 3), dtype=np.uint8),
        rng.integers(0, 256, (15, 11, 4), dtype=np.uint8),
        rng.integers(0, 256, (15, 11, 1), dtype=np.uint8),
        rng.integers(0, 256, (15, 11, 2), dtype=np.uint8),
        rng.integers(0, 65536, (15, 11), dtype=np.uint16),
    ):
        out = up.upscale(arr)
        channels = arr.shape[2] if arr.ndim == 3 else 0
        pil_in = Image.fromarray(arr[..., 0] if channels == 1 else arr, "LA" if channels == 2 else None)
        via_pil = np.asarray(up.upscale(pil_in))
        assert isinstance(out, np.ndarray) and out.dtype == arr.dtype and out.shape[:2] == (30, 22)
        assert np.array_equal(out.reshape(via_pil.shape), via_pil) and out.ndim == arr.ndim


def test_a_result_upscales_again(up):
    """A Pixels result handed back to the upscaler (x2 twice) is taken as the image it holds."""
    first = up.upscale_for_saving(Image.fromarray(np.random.default_rng(7).integers(0, 256, (9, 8, 3), dtype=np.uint8)))
    again = up.upscale(first)
    assert again.size == (32, 36) and np.array_equal(np.asarray(again), np.asarray(up.upscale(first.to_pil())))
