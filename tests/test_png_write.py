"""xeonsr.png_write: the PNGs it writes decode, in Pillow, OpenCV and libpng, to the very pixels,
profile and EXIF data given, and compress an upscaled photo as Pillow did."""

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from xeonsr import png_write
from xeonsr.png_write import encode_png

RNG = np.random.default_rng(0)
ICC = b"\x00" * 128 + b"a profile"


def _exif() -> bytes:
    tags = Image.Exif()
    tags[0x010F] = "xeonsr test"  # Make
    return tags.tobytes()  # starts "Exif\0\0", as PIL holds a JPEG's


def _pixels(shape, dtype):
    a = RNG.integers(0, np.iinfo(dtype).max + 1, size=shape, dtype=dtype)
    a[: shape[0] // 2] = a[:1]  # flat rows too, where Up filters to zeros
    return a


@pytest.mark.parametrize(
    "shape, dtype, mode",
    [
        ((37, 53), np.uint8, "L"),
        ((37, 53, 2), np.uint8, "LA"),
        ((37, 53, 3), np.uint8, "RGB"),
        ((37, 53, 4), np.uint8, "RGBA"),
        ((37, 53), np.uint16, "I;16"),
        ((1, 1, 3), np.uint8, "RGB"),
        ((1, 700, 3), np.uint8, "RGB"),
    ],
)
def test_pil_reads_back_the_pixels_profile_and_exif(shape, dtype, mode):
    a = _pixels(shape, dtype)
    im = Image.open(io.BytesIO(encode_png(a, ICC, _exif())))
    im.load()
    assert im.mode == mode and np.array_equal(np.asarray(im), a)
    assert im.info["icc_profile"] == ICC
    assert im.getexif()[0x010F] == "xeonsr test"


@pytest.mark.parametrize("channels", [3, 4])
def test_sixteen_bit_colour_reads_back_in_opencv_and_xeonsr(channels, tmp_path):
    cv2 = pytest.importorskip("cv2")  # the test extra installs it; CI always runs this
    from xeonsr.photo_io import Image16, open_image
    from xeonsr.photo_save import save_image

    a = _pixels((29, 31, channels), np.uint16)
    bgr = cv2.imdecode(np.frombuffer(encode_png(a), np.uint8), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(bgr[:, :, [2, 1, 0, 3][:channels]], a)
    save_image(Image16(a, ICC), tmp_path / "x.png")
    back = open_image(tmp_path / "x.png")
    assert isinstance(back, Image16) and np.array_equal(back.pixels, a) and back.icc == ICC


def test_big_endian_sixteen_bits_are_the_same_image():
    a = _pixels((9, 11), np.uint16)
    assert encode_png(a.astype(">u2")) == encode_png(a)


def test_large_image_spans_several_idat_chunks(monkeypatch):
    monkeypatch.setattr(png_write, "IDAT_BYTES", 1000)
    a = _pixels((60, 50, 3), np.uint8)
    data = encode_png(a)
    assert data.count(b"IDAT") > 3
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), a)


@pytest.mark.parametrize("deflate", ["isal", "zlib"])
def test_pieces_deflated_on_threads_make_one_valid_stream_whatever_the_thread_count(monkeypatch, deflate):
    """A large result deflates in pieces on several threads: the bytes are those of one thread,
    the zlib stream (its Adler-32 too) checks, and Pillow and OpenCV read the pixels back."""
    if deflate == "zlib":
        monkeypatch.setattr(png_write, "_deflate", zlib)
    monkeypatch.setattr(png_write, "PIECE_BYTES", 3000)  # 60 rows of 151 filtered bytes: 4 pieces
    monkeypatch.setattr(png_write, "WINDOW", 5000)  # more than a piece: the first primes with all it has
    a = _pixels((60, 50, 3), np.uint8)
    data = encode_png(a, threads=1)
    assert all(encode_png(a, threads=t) == data for t in (2, 3, 8))
    idat, at = b"", 8
    while at < len(data):
        n = int.from_bytes(data[at : at + 4], "big")
        idat += data[at + 8 : at + 8 + n] if data[at + 4 : at + 8] == b"IDAT" else b""
        at += 12 + n
    filtered = zlib.decompress(idat)  # raises on a wrong Adler-32 or a broken stream
    assert filtered == png_write._up_filtered(a.reshape(60, -1)).tobytes()
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), a)
    cv2 = pytest.importorskip("cv2")
    assert np.array_equal(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)[:, :, ::-1], a)


def test_standard_zlib_writes_the_same_image(monkeypatch):
    a = _pixels((20, 30, 3), np.uint8)
    monkeypatch.setattr(png_write, "_deflate", zlib)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(a)))), a)


def test_an_upscaled_photo_compresses_as_pillow_did():
    from skimage.data import astronaut

    from xeonsr.imaging import imresize

    a = imresize(astronaut()[:192, :192], 3.0)  # smooth, like a model's output
    ours = len(encode_png(a))
    pil = io.BytesIO()
    Image.fromarray(a).save(pil, format="PNG", compress_level=1)
    assert ours < 0.6 * a.nbytes and ours < 1.1 * pil.tell()


@pytest.mark.parametrize(
    "bad", [np.zeros((4, 4), np.float32), np.zeros((4, 4, 5), np.uint8), np.zeros((0, 4), np.uint8)]
)
def test_refuses_what_png_cannot_hold(bad):
    with pytest.raises(ValueError, match="encode_png"):
        encode_png(bad)


def test_save_image_writes_other_modes_through_pil(tmp_path):
    from xeonsr.photo_save import save_image

    im = Image.fromarray(_pixels((20, 30), np.uint8)).convert("P")
    save_image(im, tmp_path / "p.png")
    back = Image.open(tmp_path / "p.png")
    assert back.mode == "P" and np.array_equal(np.asarray(back.convert("RGB")), np.asarray(im.convert("RGB")))
