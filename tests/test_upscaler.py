"""xeonsr upscale and the Upscaler API on real files the tests make."""

import io
import re
import struct
import subprocess
import sys
import threading
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image

from xeonsr import Upscaler
from xeonsr.errors import UserError
from xeonsr.evaluate import bicubic_fn
from xeonsr.imaging import ImageError, luma, mod_crop, to_uint8
from xeonsr.photo_io import open_image
from xeonsr.photo_save import save_image


def photo(h=41, w=53, seed=0):
    """A smooth-ish RGB test photo with some detail (odd size on purpose)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([128 + 80 * np.sin(xx / 5.0), 128 + 80 * np.cos(yy / 7.0), (xx * yy) % 256], axis=2)
    return np.clip(base + rng.normal(0, 8, base.shape), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def up():
    return Upscaler("fsrcnn", scale=3, backend="torch")


def test_rgb_output_size_and_beats_bicubic_on_y(up, data_dir):
    hr = mod_crop(np.asarray(Image.open(data_dir / "Set5" / "bird.png").convert("RGB")), 3)
    lr = Image.fromarray(hr).resize((hr.shape[1] // 3, hr.shape[0] // 3), Image.Resampling.BICUBIC)
    out = up.upscale(lr)
    assert out.size == (hr.shape[1], hr.shape[0]) and out.mode == "RGB"
    y_sr, y_hr = luma(np.asarray(out)), luma(hr)
    bic = to_uint8(bicubic_fn(3)(luma(np.asarray(lr)).astype(float)))
    err = lambda a: np.mean((a[3:-3, 3:-3].astype(float) - y_hr[3:-3, 3:-3]) ** 2)  # noqa: E731
    assert err(y_sr) < err(bic)


def test_an_image_is_cut_into_even_tiles():
    """260 pixels in tiles of at most 256 go as 130 + 130: before, a 256-pixel tile and a
    4-pixel one, the big tile alone on one stream (benchmarks/probes/even_tiles.py)."""
    from xeonsr.upscaler import even_step

    assert [even_step(n, 256) for n in (1, 255, 256, 257, 260, 512, 513, 700)] == [1, 255, 256, 129, 130, 256, 171, 234]
    up = Upscaler("fsrcnn", 3, backend="torch", tile=256)
    shapes, run = [], up.runner
    up.runner = lambda x: shapes.append(x.shape[2:]) or run(x)
    out = up.upscale(Image.fromarray(photo(260, 260)))
    assert out.size == (780, 780)
    assert len(shapes) == 4 and len(set(shapes)) == 1 and shapes[0] == (130 + up.radius,) * 2


def test_tiled_equals_untiled_to_one_grey_level():
    img = Image.fromarray(photo(67, 45))
    for name in ("fsrcnn", "srcnn", "dcscn"):
        whole = np.asarray(Upscaler(name, 3, backend="torch", tile=0).upscale(img)).astype(int)
        tiled = np.asarray(Upscaler(name, 3, backend="torch", tile=17).upscale(img)).astype(int)
        assert whole.shape == tiled.shape == (201, 135, 3)
        assert np.abs(whole - tiled).max() <= 1, name


def test_modes_grey_alpha_palette_16bit_tiny(up):
    grey = Image.fromarray(photo()[:, :, 0])
    assert up.upscale(grey).mode == "L"
    rgba = Image.fromarray(np.dstack([photo(), np.full((41, 53), 77, np.uint8)]), "RGBA")
    out = up.upscale(rgba)
    assert out.mode == "RGBA" and out.size == (159, 123)
    assert np.abs(np.asarray(out)[:, :, 3].astype(int) - 77).max() <= 1  # constant alpha stays
    la = Image.fromarray(np.dstack([photo()[:, :, 0], np.full((41, 53), 200, np.uint8)]), "LA")
    assert up.upscale(la).mode == "LA"
    pal = Image.fromarray(photo()).convert("P")
    assert up.upscale(pal).mode == "RGB"
    g16 = Image.fromarray(photo()[:, :, 1].astype(np.uint16) * 257)
    assert g16.mode.startswith("I;16")
    o16 = np.asarray(up.upscale(g16))
    assert o16.dtype == np.uint16 and o16.shape == (123, 159) and o16.max() > 255
    tiny = up.upscale(Image.fromarray(np.array([[[10, 200, 30]]], np.uint8)))
    assert tiny.size == (3, 3)


def test_bilevel_float_wide_integer_and_cmyk_modes(up, tmp_path):
    """Before: a 1-bit image came back RGB (grey stays grey: now L); a float image was clipped
    to 8 bits unsaid (one on 0..1 came back black); 32-bit integers were clipped to 16 bits; a
    CMYK JPEG's profile was attached to its RGB result, which it does not describe."""
    bits = Image.fromarray(photo()[:, :, 0] > 128)
    assert bits.mode == "1" and up.upscale(bits).mode == "L"
    for unit in (
        Image.fromarray(photo()[:, :, 0].astype(np.float32) / 255.0),
        Image.fromarray(photo()[:, :, 0].astype(np.int32) * 1000),
    ):
        with pytest.raises(ImageError, match="8 or 16 bits per sample"):
            up.upscale(unit)
        unit.save(tmp_path / "deep.tiff")
        with pytest.raises(ImageError, match="deep.tiff: 32-bit"):
            open_image(tmp_path / "deep.tiff")
    in_16_bits = Image.fromarray(photo()[:, :, 0].astype(np.int32) * 257)
    assert in_16_bits.mode == "I" and np.asarray(up.upscale(in_16_bits)).max() > 255
    Image.fromarray(photo()).convert("CMYK").save(tmp_path / "cmyk.jpg", icc_profile=b"\0" * 128 + b"a CMYK profile")
    out = up.upscale(open_image(tmp_path / "cmyk.jpg"))
    assert out.mode == "RGB" and "icc_profile" not in out.info


def test_premultiplied_alpha_keeps_its_alpha(up):
    """Before: an RGBa image came back RGB, its alpha dropped unsaid; an La one was an internal error."""
    rgba = Image.fromarray(np.dstack([photo(), np.full(photo().shape[:2], 128, np.uint8)]), "RGBA")
    for premultiplied, plain in ((rgba.convert("RGBa"), "RGBA"), (rgba.convert("LA").convert("La"), "LA")):
        out = up.upscale(premultiplied)
        assert out.mode == plain and out.size == (rgba.width * 3, rgba.height * 3)
        assert np.asarray(out)[..., -1].min() >= 127  # the alpha (bicubic of a flat 128)
        same = np.asarray(up.upscale(premultiplied.convert(plain))).astype(int)
        assert np.abs(np.asarray(out).astype(int) - same).max() == 0


def test_exif_orientation_applied_and_icc_kept(up, tmp_path):
    img = Image.fromarray(photo(20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    icc = b"\x00" * 128 + b"fake icc profile payload"
    path = tmp_path / "rot.jpg"
    img.save(path, exif=exif, icc_profile=icc)
    out_path = tmp_path / "out.png"
    assert (
        subprocess.run(
            [sys.executable, "-m", "xeonsr.cli", "upscale", str(path), "-o", str(out_path), "--backend", "torch"],
            capture_output=True,
        ).returncode
        == 0
    )
    out = Image.open(out_path)
    assert out.size == (60, 90)  # 20x30 shown rotated: 30 wide... as (w, h) = (20*3, 30*3)
    assert out.info.get("icc_profile") == icc


def test_exif_data_is_kept_with_the_orientation_applied_once(up, tmp_path):
    """Before, the date taken, the camera and every other EXIF tag were dropped."""
    exif = Image.Exif()
    exif[0x0112], exif[0x010F] = 6, "Camera Maker"
    exif.get_ifd(0x8769).update({0x9003: "2024:05:06 07:08:09", 0xA002: 30, 0xA003: 20})
    Image.fromarray(photo(20, 30)).save(tmp_path / "cam.jpg", exif=exif)
    for suffix in (".jpg", ".png", ".webp", ".tif"):
        out = up.upscale(open_image(tmp_path / "cam.jpg"))
        save_image(out, tmp_path / f"big{suffix}")
        back = Image.open(tmp_path / f"big{suffix}")
        kept = back.getexif()
        assert back.size == (60, 90) and kept.get(0x0112, 1) == 1, suffix  # upright, and said so
        assert kept[0x010F] == "Camera Maker" and kept.get_ifd(0x8769)[0x9003] == "2024:05:06 07:08:09", suffix
        assert (kept.get_ifd(0x8769)[0xA002], kept.get_ifd(0x8769)[0xA003]) == (60, 90), suffix


def _bomb_png(path, w=100_000, h=100_000):
    def chunk(t, data):
        return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )


def test_the_pixel_limit_is_yours_to_set(tmp_path):
    """A 100 MP camera's photo was refused as a bomb with no way past the limit."""
    Image.fromarray(photo(1000, 1200)).save(tmp_path / "photo.png")
    _bomb_png(tmp_path / "huge.png", 20_000, 20_000)  # 400 MP by its header, no pixels
    _bomb_png(tmp_path / "camera.png", 11_648, 8_736)  # a 100 MP camera's size: over Pillow's warning
    for name, limit, says in (
        ("photo.png", "1", "photo.png: 1200x1000 is over the 1 megapixel limit (a decompression bomb? if not, --max"),
        ("huge.png", None, "over the 64 megapixel limit"),
        ("camera.png", None, "camera.png: 101756928 pixels by its header, over the 64 megapixel limit"),
        ("camera.png", "120", "camera.png: not a readable image"),
        ("huge.png", "500", "huge.png: not a readable image"),  # past ours and Pillow's own check: read
    ):
        argv = ["upscale", str(tmp_path / name), "-o", str(tmp_path / "out.png")]
        argv += ["--max-megapixels", limit] if limit else []
        proc = subprocess.run([sys.executable, "-m", "xeonsr.cli", *argv], capture_output=True, text=True)
        assert proc.returncode == 1 and says in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr  # Pillow's warning was a line too
    assert not (tmp_path / "out.png").exists()


def test_hostile_files_each_give_one_named_line(tmp_path):
    good = tmp_path / "good.png"
    Image.fromarray(photo()).save(good)
    buf = io.BytesIO()
    Image.fromarray(photo()).save(buf, format="PNG")
    (tmp_path / "truncated.png").write_bytes(buf.getvalue()[:300])
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("hello, not an image")
    _bomb_png(tmp_path / "bomb.png")
    frames = [Image.fromarray(photo(seed=i)) for i in range(3)]
    frames[0].save(tmp_path / "anim.png", save_all=True, append_images=frames[1:])  # an APNG
    for name in ("truncated.png", "empty.png", "text.png", "bomb.png", "anim.png"):
        with pytest.raises(ImageError, match=name):
            open_image(tmp_path / name)
    with pytest.raises(ImageError, match="3 frames"):
        open_image(tmp_path / "anim.png")
    # a camera's MPO JPEG (the photo, then a preview) is a still photo: its first frame is read
    frames[0].save(tmp_path / "camera.mpo", format="MPO", save_all=True, append_images=frames[1:2])
    assert open_image(tmp_path / "camera.mpo").size == frames[0].size
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "xeonsr.cli", "upscale", str(tmp_path / "*.png"), "-o", str(out), "--backend", "torch"]
        + ["--compare", str(tmp_path / "crop.jpg")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "upscaled 1/6" in proc.stdout and "failed: 5" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == ["good.png"]  # no partial or temporary files
    assert (tmp_path / "crop.jpg").is_file()  # of good.png, the one that upscaled, though anim.png came first
    assert f"good.png compared in {tmp_path / 'crop.jpg'}" in proc.stdout  # said, not left to be found
    single = subprocess.run(
        [sys.executable, "-m", "xeonsr.cli", "upscale", str(tmp_path / "bomb.png"), "-o", str(tmp_path / "b_out.png")]
        + ["--compare", str(tmp_path / "c2.png")],
        capture_output=True,
        text=True,
    )
    assert single.returncode == 1 and "bomb.png" in single.stderr and not (tmp_path / "b_out.png").exists()
    assert "no " + str(tmp_path / "c2.png") + " written" in single.stderr and not (tmp_path / "c2.png").exists()


def test_compare_crop_of_16_bit_grey_shows_its_pixels(up):
    """The --compare crop of a 16-bit grey image converted it to RGB with PIL, which clips 16-bit
    samples: its three panels came out white (means 248-254 for a photo of mean ~110)."""
    from xeonsr.commands.upscale_cmd import compare_crop

    grey = photo()[:, :, 1].astype(np.uint16) * 257
    src = Image.fromarray(grey)
    crop = np.asarray(compare_crop(src, up.upscale(src), 3, "fsrcnn", crop=30)).astype(float)
    assert abs(crop[22:, :90].mean() - (grey[5:35, 11:41] / 257).mean()) < 1  # the nearest panel: its input


@pytest.mark.slow
def test_12_megapixel_photo_peak_memory_under_3gb(tmp_path):
    src = tmp_path / "big.jpg"
    Image.fromarray(np.tile(photo(300, 400), (10, 10, 1))).save(src, quality=90)  # 4000x3000
    code = (
        "import resource, sys; from xeonsr.cli import main; rc = main(sys.argv[1:]);"
        "print('peak_kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "upscale", str(src), "-o", str(tmp_path / "big_x3.png"), "--backend", "torch"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stderr
    peak_gb = int(proc.stdout.split("peak_kb")[1].split()[0]) / 1024**2
    assert peak_gb < 3.0, peak_gb
    with warnings.catch_warnings():  # 108 MP is over Pillow's bomb warning; it is ours
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        assert Image.open(tmp_path / "big_x3.png").size == (12000, 9000)


def _rgb16(h=30, w=40, alpha=False):
    """A smooth 16-bit colour image whose low 8 bits matter (8-bit steps would show)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    rgb = np.stack([20000 + 300 * xx + 7 * yy, 40000 - 250 * yy + 3 * xx, 30000 + 90 * (xx + yy)], axis=2)
    if alpha:
        rgb = np.concatenate([rgb, np.full((h, w, 1), 50000.0)], axis=2)
    return np.round(rgb).astype(np.uint16)


def test_16_bit_colour_png_keeps_16_bits_and_its_icc_profile(up, tmp_path):
    cv2 = pytest.importorskip("cv2")  # the test extra installs it; CI always runs this
    from xeonsr.png_write import encode_png

    icc = b"\x00" * 128 + b"a 16-bit profile"
    rgb = _rgb16()
    src = tmp_path / "in16.png"
    src.write_bytes(encode_png(rgb, icc))
    assert Image.open(src).info["icc_profile"] == icc  # PIL accepts the chunk we wrote
    out_path = tmp_path / "out16.png"
    run = subprocess.run(
        [sys.executable, "-m", "xeonsr.cli", "upscale", str(src), "-o", str(out_path), "--backend", "torch"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    out16 = cv2.imread(str(out_path), cv2.IMREAD_UNCHANGED)[:, :, ::-1]
    assert out16.dtype == np.uint16 and out16.shape == (90, 120, 3)
    assert Image.open(out_path).info["icc_profile"] == icc
    # The same picture through the 8-bit path: 16-bit output agrees with it to rounding...
    out8 = np.asarray(up.upscale(Image.fromarray(np.floor(rgb / 257.0 + 0.5).astype(np.uint8))))
    assert np.abs(out16 / 257.0 - out8).max() <= 2.5
    # ...and keeps the levels that 8 bits lose.
    assert np.mean(out16 % 257 != 0) > 0.9
    assert len(np.unique(out16[:, :, 0])) > 4 * len(np.unique(out8[:, :, 0]))


def test_16_bit_rgba_tiff_and_8_bit_outputs(up, tmp_path):
    cv2 = pytest.importorskip("cv2")
    from xeonsr.photo_io import Image16, open_image
    from xeonsr.photo_save import save_image

    rgba = _rgb16(alpha=True)
    src = tmp_path / "in16.tif"
    cv2.imwrite(str(src), rgba[:, :, [2, 1, 0, 3]])
    im = open_image(src)
    assert isinstance(im, Image16) and im.size == (40, 30)
    assert np.array_equal(im.pixels, rgba)
    out = up.upscale(im)
    assert isinstance(out, Image16) and out.pixels.shape == (90, 120, 4)
    assert np.abs(out.pixels[:, :, 3].astype(int) - 50000).max() <= 1  # constant alpha stays
    save_image(out, tmp_path / "o.tif")
    assert cv2.imread(str(tmp_path / "o.tif"), cv2.IMREAD_UNCHANGED).dtype == np.uint16
    save_image(out, tmp_path / "o.jpg")  # JPEG holds 8 bits: converted, not refused
    jpg = Image.open(tmp_path / "o.jpg")
    assert jpg.mode == "RGB" and jpg.size == (120, 90)


def test_a_note_is_a_line_of_its_own_above_a_progress_bar(capsys):
    """A folder's worker said "JPEG holds no transparency" with a bare print, glued to the end of
    the bar's line: `33%|###  | 1/3 [00:00<00:00, 13.11img/s, 0.39 MP/s]xeonsr: note: ...`."""
    from tqdm import tqdm

    from xeonsr.errors import note

    bar = tqdm(total=3, unit="img", file=sys.stderr)
    bar.update(1)
    note("out/a.jpg: JPEG holds no transparency; the alpha channel is left out")
    bar.close()
    err = capsys.readouterr().err
    before, found, after = err.partition("xeonsr: note: out/a.jpg: JPEG holds no transparency;")
    assert (
        found and before.endswith("\r") and before.count("img") and after.startswith(" the alpha channel is left out\n")
    )


def test_16_bit_grey_and_alpha_to_8_bit_formats(up, tmp_path, capsys):
    """Before, a 16-bit grey result failed to write as JPEG, WebP or BMP after its whole upscale
    ("cannot write mode I;16"), a grey+alpha JPEG came out RGB, and JPEG dropped alpha unsaid."""
    from xeonsr.photo_save import save_image

    g16 = up.upscale(Image.fromarray(photo()[:, :, 1].astype(np.uint16) * 257))
    for suffix in (".jpg", ".webp", ".bmp"):
        save_image(g16, tmp_path / f"g{suffix}")
        assert "holds 8 bits per sample" in capsys.readouterr().err  # was converted unsaid
        back = np.asarray(Image.open(tmp_path / f"g{suffix}").convert("L")).astype(int)
        error = np.abs(back - np.floor(np.asarray(g16) / 257 + 0.5))
        assert back.shape == (123, 159) and (error.max() == 0 if suffix == ".bmp" else error.mean() < 3)
    for mode in ("LA", "RGBA"):
        planes = [photo()[:, :, 0]] if mode == "LA" else [photo()]
        im = up.upscale(Image.fromarray(np.dstack([*planes, np.full((41, 53), 9, np.uint8)]), mode))
        for suffix in (".jpg", ".bmp"):  # BMP: LA failed, RGBA lost its alpha unsaid
            save_image(im, tmp_path / f"{mode}{suffix}")
            assert Image.open(tmp_path / f"{mode}{suffix}").mode == mode[:-1]
            assert "holds no transparency" in capsys.readouterr().err
        save_image(im, tmp_path / f"{mode}.webp")  # WebP keeps it
        assert Image.open(tmp_path / f"{mode}.webp").mode == "RGBA"
        save_image(im, tmp_path / f"{mode}.tif")  # TIFF keeps it, losslessly, LZW-compressed (was raw)
        tif = Image.open(tmp_path / f"{mode}.tif")
        assert tif.info["compression"] == "tiff_lzw" and np.array_equal(np.asarray(tif), np.asarray(im))


def test_16_bit_colour_without_opencv_reads_8_bits_and_says_so(tmp_path, monkeypatch, capsys):
    cv2 = pytest.importorskip("cv2")
    from xeonsr.photo_io import open_image

    src = tmp_path / "in16.png"
    cv2.imwrite(str(src), _rgb16()[:, :, ::-1].copy())
    monkeypatch.setitem(sys.modules, "cv2", None)  # import cv2 now raises ImportError
    im = open_image(src)
    assert isinstance(im, Image.Image) and im.mode == "RGB"
    assert "16 bits per colour channel" in capsys.readouterr().err


@pytest.mark.parametrize("orientation", range(2, 9))
def test_16_bit_exif_orientation_table_matches_pil(orientation):
    from PIL import ImageOps

    from xeonsr.photo_io import EXIF_ORIENTATION

    img = Image.fromarray(photo(5, 7))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif, quality=100)
    decoded = Image.open(buf)
    want = np.asarray(ImageOps.exif_transpose(decoded))
    assert np.array_equal(EXIF_ORIENTATION[orientation](np.asarray(decoded)), want)


def test_openvino_upscale_never_imports_torch(tmp_path):
    Image.fromarray(photo()).save(tmp_path / "in.png")
    code = (
        "import sys\n"
        "from xeonsr.cli import main\n"
        f"rc = main(['upscale', {str(tmp_path / 'in.png')!r}, '-o', {str(tmp_path / 'out.png')!r}, '--backend', "
        "'openvino'])\n"
        "from PIL import Image\n"
        "import numpy as np\n"
        "from xeonsr import Upscaler\n"
        "big = Upscaler('fsrcnn', scale=2, backend='openvino', precision='fp32').upscale(Image.new('RGB', (9, 7)))\n"
        "assert big.size == (18, 14)\n"
        "print(rc, 'torch' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "0 False"
    assert Image.open(tmp_path / "out.png").size == (53 * 3, 41 * 3)


def test_openvino_upscale_equals_the_torch_path_to_one_grey_level(up):
    img = Image.fromarray(photo(37, 45, seed=3))
    ov = Upscaler("fsrcnn", scale=3, backend="openvino", precision="fp32").upscale(img)
    diff = np.abs(np.asarray(ov, np.int16) - np.asarray(up.upscale(img), np.int16))
    assert diff.max() <= 1  # FP32 IR vs PyTorch, numpy vs torch bicubic chroma


def test_colliding_names_ppm_inputs_and_a_failing_file_in_one_batch(tmp_path, monkeypatch):
    from xeonsr.cli import main
    from xeonsr.upscaler import Upscaler as U

    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        Image.fromarray(photo(seed=ord(sub))).save(tmp_path / sub / "x.png")
    Image.fromarray(photo()).save(tmp_path / "p.ppm")
    Image.fromarray(photo()[..., 0]).save(tmp_path / "g.pgm")
    out = tmp_path / "out"
    args = [str(tmp_path / "a" / "x.png"), str(tmp_path / "b" / "x.png"), str(tmp_path / "p.ppm")]
    assert main(["upscale", *args, str(tmp_path / "g.pgm"), "-o", str(out), "--scale", "2"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["g.png", "p.png", "x-b.png", "x.png"]
    a, b = (np.asarray(Image.open(out / n)) for n in ("x.png", "x-b.png"))
    assert a.shape == b.shape and not np.array_equal(a, b)  # both results kept
    # An unexpected failure (not the file's fault) fails that file only; the batch goes on.
    real = U.upscale_for_saving  # what a batch calls
    calls = []

    def flaky(self, image):
        calls.append(1)
        if len(calls) == 1:
            raise MemoryError("out of memory")
        return real(self, image)

    monkeypatch.setattr(U, "upscale_for_saving", flaky)
    assert main(["upscale", *args[:2], "-o", str(tmp_path / "out2"), "--scale", "2", "--jobs", "1"]) == 1
    assert [p.name for p in (tmp_path / "out2").iterdir()] == ["x-b.png"]


def test_a_folder_takes_its_gifs(tmp_path):
    """A GIF named alone was upscaled (to PNG) but a folder's GIFs were left out unsaid."""
    from xeonsr.cli import main

    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(photo(seed=4)).convert("P").save(src / "p.gif")
    Image.fromarray(photo(seed=5)).save(src / "a.png")
    assert main(["upscale", str(src), "-o", str(tmp_path / "out"), "--scale", "2"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "p.png"]
    assert main(["upscale", str(src / "p.gif"), "-o", str(tmp_path / "one.png"), "--scale", "2"]) == 0
    one = np.asarray(Image.open(tmp_path / "one.png"))
    assert one.shape == (82, 106, 3) and np.array_equal(np.asarray(Image.open(tmp_path / "out" / "p.png")), one)


def test_format_and_quality_write_a_folders_results(tmp_path, capsys):
    from xeonsr.cli import main

    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(photo(seed=1)).save(src / "a.png")
    Image.fromarray(photo(seed=2)).save(src / "a.jpg", quality=95)
    Image.fromarray(photo(seed=3)[..., 0]).save(src / "g.pgm")
    out = tmp_path / "out"
    assert main(["upscale", str(src), "-o", str(out), "--scale", "2", "--format", "jpg"]) == 0
    # a.jpg and a.png (in that order) would both be a.jpg: the second gets its folder's name
    assert sorted(p.name for p in out.iterdir()) == ["a-in.jpg", "a.jpg", "g.jpg"]
    for p in out.iterdir():
        with Image.open(p) as im:
            assert im.format == "JPEG" and im.size == (106, 82)
            assert im.mode == ("L" if p.name == "g.jpg" else "RGB")  # grey stays grey
    # the same results as PNG: the JPEG is the PNG's pixels, lossily
    assert main(["upscale", str(src / "a.jpg"), "-o", str(tmp_path / "png"), "--scale", "2", "--format", "png"]) == 0
    exact = np.asarray(Image.open(tmp_path / "png" / "a.png"), np.int16)
    assert np.abs(np.asarray(Image.open(out / "a.jpg"), np.int16) - exact).mean() < 3
    # one input to a named file: its suffix decides, and a --format that disagrees is refused
    capsys.readouterr()
    assert main(["upscale", str(src / "a.png"), "-o", str(tmp_path / "b.png"), "--format", "webp"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "b.png" in err[0] and "--format" in err[0] and not (tmp_path / "b.png").exists()
    assert main(["upscale", str(src / "a.png"), "-o", str(tmp_path / "b.webp"), "--format", "webp"]) == 0
    assert Image.open(tmp_path / "b.webp").format == "WEBP"
    # --quality: JPEG's and WebP's (95 unless asked), 1 to 100
    low = tmp_path / "low"
    assert main(["upscale", str(src), "-o", str(low), "--scale", "2", "--format", "jpg", "--quality", "50"]) == 0
    for name in ("a.jpg", "a-in.jpg", "g.jpg"):
        assert (low / name).stat().st_size < 0.8 * (out / name).stat().st_size
    for bad in ("0", "101"):
        with pytest.raises(SystemExit) as e:
            main(["upscale", str(src), "-o", str(tmp_path / "bad"), "--quality", bad])
        assert e.value.code == 2 and "must be 1 to 100" in capsys.readouterr().err


def test_more_jobs_than_threads_is_said_and_run_as_one_stream_a_thread(tmp_path, capsys):
    """`--jobs 8` on 2 threads reported 8 streams; OpenVINO runs one stream per thread at most."""
    from xeonsr.cli import main

    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        Image.fromarray(photo(20, 24, seed=i)).save(src / f"p{i}.png")
    assert main(["upscale", str(src), "-o", str(tmp_path / "out"), "--jobs", "8", "--threads", "1"]) == 0
    said = capsys.readouterr()
    assert "--jobs 8: OpenVINO runs a stream per thread at most, 1 here" in said.err
    assert re.search(r"\(openvino \w+, 1 thread\)", said.out), said.out
    assert len(list((tmp_path / "out").iterdir())) == 3


def test_a_folder_through_several_streams_equals_the_sequential_path(tmp_path, data_dir):
    from xeonsr.cli import main

    src = tmp_path / "in"
    src.mkdir()
    for p in sorted((data_dir / "Set5").iterdir()):
        Image.open(p).save(src / p.name)
    for i, (h, w) in enumerate([(9, 7), (70, 33), (300, 20)]):  # odd sizes, one taller than a tile
        Image.fromarray(photo(h, w, seed=i)).save(src / f"odd{i}.png")
    outs = {}
    for jobs in (1, 3):
        out = tmp_path / f"out{jobs}"
        assert main(["upscale", str(src), "-o", str(out), "--scale", "3", "--jobs", str(jobs), "--tile", "128"]) == 0
        outs[jobs] = {p.name: np.asarray(Image.open(p)) for p in sorted(out.iterdir())}
    assert len(outs[1]) == 8 and outs[1].keys() == outs[3].keys()
    for name, arr in outs[1].items():
        assert np.array_equal(arr, outs[3][name]), name
    # More workers than streams (the folder plan's wide streams): the workers queue for the stream.
    from xeonsr.folder import upscale_files

    up = Upscaler("fsrcnn", 3, backend="openvino", tile=128, streams=1)
    (tmp_path / "w").mkdir()
    done = upscale_files(up, [(p, tmp_path / "w" / p.name) for p in sorted(src.iterdir())], 3)
    assert [d.error for d in done] == [None] * 8
    assert {p.name: np.asarray(Image.open(p)).tolist() for p in (tmp_path / "w").iterdir()} == {
        k: v.tolist() for k, v in outs[1].items()
    }


@pytest.mark.parametrize("streams", [1, 2])
def test_one_upscaler_shared_by_threads_gives_each_its_sequential_result(streams):
    """A server's threads sharing one Upscaler: before, all but one raised "Infer Request is
    busy"; now a thread that finds it busy runs on a spare request."""
    import threading

    shared = Upscaler("fsrcnn", 3, backend="openvino", tile=32, streams=streams)
    images = [Image.fromarray(photo(70 + 9 * i, 61, seed=i)) for i in range(4)]
    want = [np.asarray(shared.upscale(im)) for im in images]
    got, errors = [], []

    def serve(k: int) -> None:
        try:
            for i in (k, k + 1, k + 2):
                got.append((i % 4, np.asarray(shared.upscale(images[i % 4]))))
        except Exception as e:  # noqa: BLE001 - what a request would get back
            errors.append(repr(e))

    threads = [threading.Thread(target=serve, args=(k,)) for k in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors and len(got) == 12
    for i, arr in got:
        assert np.array_equal(arr, want[i]), i


FIRST_INFERENCES_AT_ONCE = """
import sys, threading
sys.setswitchinterval(1e-6)  # switch the GIL as often as it can: the race is then the rule
import numpy as np
import openvino as ov
from xeonsr.irs import locate_ir
from xeonsr.ov import compile_ir, read_ir
xml, _ = locate_ir("fsrcnn", 3, "fp32", None)
compile_ir(xml, 1)  # what every xeonsr runner does before its requests exist
n = 8  # requests on a plain OpenVINO compile, first used by 8 threads at the same moment
config = {"PERFORMANCE_HINT": "THROUGHPUT", "NUM_STREAMS": n, "INFERENCE_NUM_THREADS": 2}
compiled = ov.Core().compile_model(read_ir(xml), "CPU", config)
requests = [compiled.create_infer_request() for _ in range(n)]
start = threading.Barrier(n)
def first(request):
    x = np.random.rand(1, 1, 20, 20).astype(np.float32)
    start.wait()
    request.infer({0: x})
threads = [threading.Thread(target=first, args=(r,)) for r in requests]
[t.start() for t in threads]
[t.join() for t in threads]
print("done")
"""


def test_first_inferences_of_a_process_on_several_threads_at_once_do_not_hang():
    """A fresh process whose first OpenVINO tensor views happen on several threads at once
    deadlocked in pybind11's one-time numpy set-up (a tiled upscale over 2 streams hung); this
    start hung in 4 processes of 8 (on a 2-core Zen 3) when xeonsr's compile did not set it up."""
    for _ in range(4):
        out = subprocess.run(
            [sys.executable, "-c", FIRST_INFERENCES_AT_ONCE], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0 and out.stdout.strip() == "done", out.stderr[-2000:]


def test_one_image_tiles_spread_over_streams_equal_the_sequential_path(monkeypatch):
    """One image on 3 infer requests at once (bands in flight together, each band's tiles on
    whichever request is free) gives the sequential bytes, RGBA and 16-bit grey alike."""
    import threading

    img = Image.fromarray(np.dstack([photo(150, 97), np.full((150, 97), 200, np.uint8)]), "RGBA")
    grey16 = Image.fromarray(photo(61, 90)[:, :, 0].astype(np.uint16) * 257).convert("I;16")
    one = Upscaler("fsrcnn", 3, backend="openvino", tile=32, streams=1)
    three = Upscaler("fsrcnn", 3, backend="openvino", tile=32, streams=3)
    assert one.tile_streams == 1 and three.tile_streams == 3
    tiles, threads = [], set()
    real = three._on_streams

    def spy(crops):
        tiles.append(len(crops))
        threads.add(threading.get_ident())
        return real(crops)

    three._on_streams = spy
    for im in (img, grey16):
        assert np.array_equal(np.asarray(one.upscale(im)), np.asarray(three.upscale(im)))
    assert sum(tiles) == 5 * 4 + 2 * 3  # every tile of both images, once (a row of tiles per band)
    assert len(threads) > 1 and three._free.qsize() == 3  # bands ran in parallel; requests all back
    assert three.for_thread().tile_streams == 1  # a folder worker runs its image's tiles in turn
    import xeonsr.upscaler as U

    tiles.clear()
    threads.clear()
    monkeypatch.setattr(U, "BAND_MEMORY", 1)  # every band over the memory cap: one at a time,
    assert np.array_equal(np.asarray(one.upscale(img)), np.asarray(three.upscale(img)))
    assert len(threads) == 1 and sum(tiles) == 20  # its tiles still spread over the streams


def test_upscale_one_large_file_spreads_its_tiles(tmp_path, capsys):
    from xeonsr.cli import main
    from xeonsr.threads import plan_streams, plan_threads

    plan = plan_threads(2)  # what the command plans here (an earlier test may have pinned us to one CPU)
    n = plan_streams(plan, images=9)  # its tiles of 32: 3 x 3
    Image.fromarray(photo(80, 70)).save(tmp_path / "a.png")
    for tile, want in (("32", f"{n} streams" if n > 1 else f"{plan.used} thread"), ("0", "thread")):
        assert main(["upscale", str(tmp_path / "a.png"), "-o", str(tmp_path / f"b{tile}.png"), "--tile", tile,
                     "--backend", "openvino", "--threads", "2"]) == 0  # fmt: skip
        assert want in capsys.readouterr().out
    a, b = (np.asarray(Image.open(tmp_path / f"b{t}.png")).astype(int) for t in ("32", "0"))
    assert np.abs(a - b).max() <= 1


def test_a_file_named_like_a_pattern_is_that_file_and_a_pattern_matching_nothing_is_said(tmp_path):
    """A browser's "photo[1].png" was read as a pattern ("[1]": the name "photo1.png"): alone it
    was "no images found", beside another input it was left out unsaid, and so was a pattern that
    matched nothing (`*.JPG` where the files are .jpg), which a shell passes on as typed."""
    from xeonsr.batch_paths import expand_inputs

    for name in ("photo[1].png", "a?.png", "b.png"):
        Image.fromarray(photo(12, 14)).save(tmp_path / name)
    literal, other = str(tmp_path / "photo[1].png"), str(tmp_path / "b.png")
    assert expand_inputs([literal, other]).files == [tmp_path / "photo[1].png", tmp_path / "b.png"]
    assert [p.name for p in expand_inputs([str(tmp_path / "[ab]*.png")]).files] == ["a?.png", "b.png"]
    with pytest.raises(UserError, match=r"\*.JPG: no file matches this pattern"):
        expand_inputs([other, str(tmp_path / "*.JPG")])


@pytest.mark.parametrize(
    "kw, says",
    [
        ({"scale": "3"}, r"unsupported scale '3'.*\(a whole number\)"),  # was "unsupported scale 3: choose 2, 3, 4"
        ({"scale": 3.0}, r"unsupported scale 3.0"),
        ({"tile": 1.5}, r"tile must be a whole number"),  # was taken, a float tile side
        ({"tile": -1}, r"tile must be a whole number, 0 \(no tiles\) or more"),
        ({"streams": 0}, r"streams 1 or more"),
    ],
)
def test_the_api_refuses_arguments_that_are_not_what_they_say(kw, says):
    with pytest.raises(UserError, match=says):
        Upscaler("fsrcnn", **{"scale": 3, "backend": "torch", **kw})


def test_an_input_named_with_no_output_suffix_gives_png(tmp_path):
    """A photo named `scan` or `pic.jfif` (JPEG's other suffix) was upscaled, then failed: its
    result took its suffix, one no format is written in ("unknown output format")."""
    from xeonsr.batch_paths import output_paths

    files = [tmp_path / n for n in ("scan", "pic.jfif", "a.gif", "b.JPG", "c.tiff")]
    assert [p.name for p in output_paths(files, tmp_path / "out")] == [
        "scan.png",
        "pic.png",
        "a.png",
        "b.JPG",
        "c.tiff",
    ]


def test_hidden_files_in_a_folder_are_no_inputs(tmp_path):
    """macOS leaves `._photo.png` (AppleDouble metadata, no image) beside each photo on a shared
    drive: a folder's upscale failed on each of them and exited 1, where a glob skipped them."""
    from xeonsr.batch_paths import expand_inputs

    (tmp_path / "sub").mkdir()
    for folder in (tmp_path, tmp_path / "sub"):
        Image.fromarray(photo(12, 14)).save(folder / "photo.png")
        (folder / "._photo.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble metadata")
    assert [p.name for p in expand_inputs([str(tmp_path)]).files] == ["photo.png"]
    assert [str(p.relative_to(tmp_path)) for p in expand_inputs([str(tmp_path)], recursive=True).files] == [
        "photo.png",
        "sub/photo.png",
    ]
    assert expand_inputs([str(tmp_path / "._photo.png")]).files == [tmp_path / "._photo.png"]  # named: taken


def test_folder_trees_recursive_and_globs_across_folders(tmp_path, capsys):
    """Before, a folder's subfolders were left out unsaid and `**` in a glob matched one level.
    Now -r keeps the tree under the output folder, leaves hidden folders and its own output
    folder out (a second run does not upscale the first one's results), and without -r says
    how many images it left out."""
    from xeonsr.cli import main

    src = tmp_path / "in"
    for i, rel in enumerate(["a.png", "sub/b.png", "sub/a.png", "sub/deeper/c.jpg", ".hidden/d.png"]):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(photo(12, 14, seed=i)).save(src / rel)
    (src / "empty_sub").mkdir()
    flat = tmp_path / "flat"
    assert main(["upscale", str(src), "-o", str(flat), "--scale", "2", "--backend", "torch"]) == 0
    assert sorted(p.name for p in flat.iterdir()) == ["a.png"]
    assert "3 image(s) in subfolders of" in capsys.readouterr().err

    globbed = tmp_path / "globbed"
    assert main(["upscale", str(src / "**" / "*.png"), "-o", str(globbed), "--scale", "2", "--backend", "torch"]) == 0
    assert sorted(p.name for p in globbed.iterdir()) == ["a-sub.png", "a.png", "b.png"]
    twice = tmp_path / "twice"  # a file named twice is upscaled once
    assert main(["upscale", str(src), str(src / "a.png"), "-o", str(twice), "--scale", "2", "--backend", "torch"]) == 0
    assert sorted(p.name for p in twice.iterdir()) == ["a.png"]

    tree = src / "big"  # the output folder inside the input tree
    args = ["upscale", str(src), "-o", str(tree), "-r", "--scale", "2", "--backend", "torch"]
    assert main(args) == 0
    made = sorted(str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file())
    assert made == ["a.png", "sub/a.png", "sub/b.png", "sub/deeper/c.jpg"]
    assert Image.open(tree / "sub/deeper/c.jpg").size == (28, 24)
    capsys.readouterr()
    assert main([*args, "--skip-existing"]) == 0
    assert "nothing to upscale: all 4 outputs exist" in capsys.readouterr().out
    glob_in = ["upscale", str(src / "**" / "*.png"), "-o", str(tree), "--skip-existing", "--backend", "torch"]
    assert main([*glob_in, "--scale", "2"]) == 0  # the output folder's files are no inputs
    assert "upscaled 2/2" in capsys.readouterr().out and not list(tree.glob("*-big*"))


def test_nothing_is_replaced_unasked_and_an_input_never(tmp_path, capsys):
    """An output that is an input is refused whatever the flags; existing outputs are refused
    unless --overwrite (replaced) or --skip-existing (kept; the rest upscaled: a resumed folder)."""
    from xeonsr.cli import main

    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        Image.fromarray(photo(seed=i)).save(src / f"p{i}.png")
    originals = {p.name: p.read_bytes() for p in src.iterdir()}
    for args in (["-o", str(src)], ["-o", str(src), "--overwrite"], ["-o", str(src), "--skip-existing"]):
        assert main(["upscale", str(src), *args, "--scale", "2"]) == 1
        assert "is one of the inputs" in capsys.readouterr().err
    assert main(["upscale", str(src / "p0.png"), "-o", str(src / "p0.png"), "--overwrite"]) == 1
    crop = tmp_path / "c.png"
    assert main(["upscale", str(src / "p0.png"), "-o", str(crop), "--compare", str(crop)]) == 1
    assert "also an output" in capsys.readouterr().err and not crop.exists()
    assert {p.name: p.read_bytes() for p in src.iterdir()} == originals

    out = tmp_path / "out"
    assert main(["upscale", str(src), "-o", str(out), "--scale", "2"]) == 0
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(first) == ["p0.png", "p1.png", "p2.png"]
    (out / "p1.png").write_bytes(b"mine")  # a file the user changed since
    assert main(["upscale", str(src), "-o", str(out), "--scale", "2"]) == 1
    assert "3 of the outputs already exist" in capsys.readouterr().err
    assert (out / "p1.png").read_bytes() == b"mine"

    (out / "p2.png").unlink()  # an interrupted run: one result missing
    assert main(["upscale", str(src), "-o", str(out), "--scale", "2", "--skip-existing"]) == 0
    said = capsys.readouterr().out
    assert "upscaled 1/1" in said and "kept 2 existing" in said
    assert (out / "p1.png").read_bytes() == b"mine" and (out / "p2.png").read_bytes() == first["p2.png"]

    assert main(["upscale", str(src), "-o", str(out), "--scale", "2", "--overwrite"]) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first


# Each Ctrl-C runs in a process of its own, as a user's does: in the full suite (`scripts/test.sh
# --all`, AMD EPYC Zen 3, session 40) the same tests run in pytest's process saw main() return 0,
# the key lost somewhere in the state of fifteen minutes of earlier tests, while alone, and after
# the slow tests alone, they passed; no test had left another SIGINT handler (Python's or C's).
CTRL_C = """
import _thread, signal, sys, threading
import xeonsr.folder, xeonsr.photo_save
from xeonsr.cli import main
from xeonsr.upscaler import Upscaler
mode, args, calls, saved = sys.argv[1], sys.argv[2:], [], []
# As in a terminal: a shell that starts the tests in the background (`cmd &`) hands them SIGINT
# ignored, and Python then leaves Ctrl-C ignored (nohup's convention), which xeonsr keeps.
signal.signal(signal.SIGINT, signal.default_int_handler)
if mode == "bands":  # a real SIGINT at the main thread, as a terminal's Ctrl-C
    real = Upscaler._tiled
    def tiled(self, *a):
        calls.append(1)
        if len(calls) == 2:
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
        return real(self, *a)
    Upscaler._tiled = tiled
else:  # Ctrl-C as the main thread gets it, on the third image
    real_one, real_save = xeonsr.folder._one, xeonsr.photo_save.save_image
    def one(up, s, d, *a):
        calls.append(s)
        if len(calls) == 3:
            _thread.interrupt_main()
        return real_one(up, s, d, *a)
    def save(image, dest, *a, **k):
        commit = real_save(image, dest, *a, **k)
        saved.append(dest)
        return commit
    xeonsr.folder._one, xeonsr.photo_save.save_image = one, save
print(main(args), len(calls), len(saved))
"""


def _ctrl_c(mode, *args):
    """-> (exit status, calls before the stop, files saved, stderr) of ``xeonsr ARGS`` interrupted."""
    run = subprocess.run([sys.executable, "-c", CTRL_C, mode, *args], capture_output=True, text=True, timeout=300)
    *_, last = ["", *run.stdout.splitlines()]  # main()'s own output may come before it
    assert len(last.split()) == 3, run.stderr[-1000:]
    rc, calls, saved = (int(v) for v in last.split())
    return rc, calls, saved, run.stderr


def _sixteen(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(16):
        Image.fromarray(photo(30, 40, seed=i)).save(src / f"p{i:02d}.png")
    out = tmp_path / "out"
    return src, out, ["upscale", str(src), "-o", str(out), "--scale", "2", "--jobs", "2"]


def test_ctrl_c_stops_a_folder_after_the_images_in_hand(tmp_path, capsys):
    """Before, Ctrl-C printed "interrupted" and went on to upscale the whole folder (56 images
    of Set14 x2 sizes: 73 s more). Now no image starts after it, the ones in hand stop at their
    next band, nothing is written half, and --skip-existing does the rest with the bytes of an
    uninterrupted run."""
    from xeonsr.cli import main

    src, out, args = _sixteen(tmp_path)
    rc, calls, _, err = _ctrl_c("folder", *args)
    assert rc == 130, err[-1000:]
    written = sorted(p.name for p in out.iterdir())
    assert calls <= 3 + 2 and len(written) <= 4  # the two workers' next images at most
    assert f"stopped with {len(written)} of 16 written" in err and "xeonsr: interrupted" in err
    for name in written:
        Image.open(out / name).load()  # each one whole

    assert main([*args, "--skip-existing"]) == 0
    assert f"kept {len(written)} existing" in capsys.readouterr().out
    whole = tmp_path / "whole"
    assert main(["upscale", str(src), "-o", str(whole), "--scale", "2"]) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {p.name: p.read_bytes() for p in whole.iterdir()}


def test_ctrl_c_under_overwrite_counts_what_this_run_wrote(tmp_path):
    """Before, the stop message counted the outputs that existed, so an --overwrite run stopped
    after 3 images said "16 of 16 written" and advised --skip-existing, which would have kept
    the 13 old files it had not replaced."""
    from xeonsr.cli import main

    _, _, args = _sixteen(tmp_path)
    assert main(args) == 0
    rc, _, saved, err = _ctrl_c("folder", *args, "--overwrite")
    assert rc == 130, err[-1000:]
    assert 0 < saved <= 4 and f"stopped with {saved} of 16 written" in err
    assert "--skip-existing" not in err and "replaces them all" in err


def test_ctrl_c_stops_one_large_image_at_its_next_bands(tmp_path):
    """One image in bands over 2 streams: Ctrl-C ran the whole image to its end and wrote it
    (a 2500x2400 photo: 9 s after the key). Now the bands in hand finish, no other starts, and
    no file is written. The key is a real SIGINT at the main thread, as a terminal's Ctrl-C:
    it wakes the main thread's wait at once (``_thread.interrupt_main`` only sets a flag the
    wait sees when a band ends, and on a fast CPU a fifth band had started by then)."""
    Image.fromarray(photo(320, 90)).save(tmp_path / "a.png")
    dest = tmp_path / "a_x3.png"
    args = ["upscale", str(tmp_path / "a.png"), "-o", str(dest), "--tile", "32", "--jobs", "2"]
    rc, calls, _, err = _ctrl_c("bands", *args)
    assert rc == 130, err[-1000:]
    assert calls <= 2 + 2 and not dest.exists()  # of 10 bands


SIGTERM_MID_FOLDER = """
import os, signal, sys
from pathlib import Path
import numpy as np
from PIL import Image
import xeonsr.folder
from xeonsr.cli import main
src, out = Path(sys.argv[1]), Path(sys.argv[2])
real, calls = xeonsr.folder._one, []
def one(up, s, d, *a):
    calls.append(s)
    if len(calls) == 3:
        os.kill(os.getpid(), signal.SIGTERM)  # kill, timeout, a container stopping
    return real(up, s, d, *a)
xeonsr.folder._one = one
rc = main(["upscale", str(src), "-o", str(out), "--scale", "2", "--jobs", "2"])
print(rc, len(calls), sorted(p.name for p in out.iterdir()))
"""


def test_sigterm_stops_a_folder_as_ctrl_c_does_and_leaves_no_temporary_file(tmp_path):
    """SIGTERM killed the process mid-write: `timeout 60 xeonsr upscale DIR -o OUT` left
    .NAME.xxxx.tmp files in OUT. Now it stops as Ctrl-C does, with exit status 143."""
    import ast

    src = tmp_path / "in"
    src.mkdir()
    for i in range(16):
        Image.fromarray(photo(30, 40, seed=i)).save(src / f"p{i:02d}.png")
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-c", SIGTERM_MID_FOLDER, str(src), str(out)], capture_output=True, text=True, timeout=300
    )
    rc, calls, names = run.stdout.split(maxsplit=2)
    names = ast.literal_eval(names)
    assert (int(rc), int(calls) <= 5, len(names) <= 4) == (143, True, True), run.stderr[-1000:]
    assert all(n.endswith(".png") and not n.startswith(".") for n in names)
    assert "stopped with" in run.stderr and "xeonsr: terminated" in run.stderr


def test_numpy_arrays_and_paths_upscale_as_their_images_do(up, tmp_path):
    """`up.upscale(array)` raised AttributeError ('numpy.ndarray' object has no attribute
    'info'); arrays now come back as arrays of their own kind, equal to the image path."""
    from xeonsr.photo_io import Image16

    rgb = photo(20, 24)
    grey16 = (rgb[:, :, 0].astype(np.uint16) * 257) ^ 0x55
    cases = [
        (rgb, Image.fromarray(rgb)),
        (rgb[:, :, 1].copy(), Image.fromarray(rgb[:, :, 1].copy())),
        (np.dstack([rgb, rgb[:, :, 2]]), Image.fromarray(np.dstack([rgb, rgb[:, :, 2]]))),
        (grey16, Image.fromarray(grey16)),
        (rgb.astype(np.uint16) * 257, Image16(rgb.astype(np.uint16) * 257)),
        # grey as ML pipelines hold it (H, W, 1), and grey with alpha: refused before
        (rgb[:, :, 1:2].copy(), Image.fromarray(rgb[:, :, 1].copy())),
        (grey16[:, :, None], Image.fromarray(grey16)),
        (rgb[:, :, :2].copy(), Image.fromarray(rgb[:, :, :2].copy(), "LA")),
    ]
    for arr, image in cases:
        got = up.upscale(arr)
        want = up.upscale(image)
        want = want.pixels if isinstance(want, Image16) else np.asarray(want).reshape(got.shape)
        assert got.dtype == arr.dtype and got.shape == (60, 72, *arr.shape[2:]) and np.array_equal(got, want)
    Image.fromarray(rgb).save(tmp_path / "a.png")
    assert np.array_equal(np.asarray(up.upscale(tmp_path / "a.png")), up.upscale(rgb))
    for bad in (np.zeros((5, 5, 2), np.uint16), np.zeros((5, 5, 5), np.uint8), np.zeros((5, 5), np.float32), 3):
        with pytest.raises(UserError):
            up.upscale(bad)
    # an empty image of any kind: one line, not numpy's padding error from inside the tiles
    for empty in (np.zeros((0, 5, 3), np.uint8), np.zeros((4, 0), np.uint16), Image.new("L", (0, 3))):
        with pytest.raises(UserError, match="nothing to upscale"):
            up.upscale(empty)


def test_a_misspelt_backend_or_precision_is_one_line_not_another_runtime():
    """Upscaler(backend="nope") ran OpenVINO INT8 and precision="fp16" PyTorch FP32, unsaid."""
    for kw, says in ((dict(backend="nope"), "backend 'nope'"), (dict(precision="fp16"), "precision 'fp16'")):
        with pytest.raises(UserError, match=says):
            Upscaler("fsrcnn", 3, **kw)


def test_bf16_upscale_where_the_cpu_has_it_and_one_line_where_it_does_not(tmp_path, data_dir):
    """`--precision bf16`: the FP32 IR computed in OpenVINO's bf16 (PyTorch autocast on the
    torch backend), only where the CPU has native bf16; elsewhere one line and status 1."""
    from xeonsr.cli import main
    from xeonsr.info import cpu_info
    from xeonsr.metrics import psnr

    hr = mod_crop(np.asarray(Image.open(data_dir / "Set5" / "butterfly.png").convert("RGB")), 3)
    lr = Image.fromarray(hr).resize((hr.shape[1] // 3, hr.shape[0] // 3), Image.Resampling.BICUBIC)
    lr.save(tmp_path / "lr.png")
    args = ["upscale", str(tmp_path / "lr.png"), "-o", str(tmp_path / "sr.png"), "--scale", "3"]
    if not cpu_info().native_bf16:
        assert main([*args, "--precision", "bf16"]) == 1
        assert not (tmp_path / "sr.png").exists()
        return
    assert main([*args, "--precision", "bf16", "--tile", "40"]) == 0
    tiled = np.asarray(Image.open(tmp_path / "sr.png"))
    for backend in ("openvino", "torch"):
        bf16 = Upscaler("fsrcnn", 3, backend=backend, precision="bf16", tile=0)
        fp32 = Upscaler("fsrcnn", 3, backend=backend, precision="fp32", tile=0)
        assert (bf16.precision, bf16.runner.backend) == ("bf16", f"{'ov' if backend == 'openvino' else 'torch'}-bf16")
        out, ref = np.asarray(bf16.upscale(lr)), np.asarray(fp32.upscale(lr))
        if backend == "openvino" and "amx_bf16" not in cpu_info().flags:
            assert np.array_equal(out, tiled)  # tiles of 40 LR pixels give the whole image's pixels
        elif backend == "openvino":
            # OpenVINO's AMX bf16 kernels sum a layer's taps in an order that depends on the input's
            # shape (17-47 pixels wide, not 32, against wider; Emerald Rapids, session 66): a tile's
            # bf16 rounding can land one level off on a few pixels (58 of 195075 values here)
            diff = np.abs(out.astype(int) - tiled)
            assert diff.max() <= 1 and (diff > 0).mean() < 0.002
        diff = np.abs(out.astype(int) - ref)
        assert 0 < diff.max() <= 8 and diff.mean() < 0.6  # really bf16, and close to FP32
        assert abs(psnr(luma(out), luma(hr), 3) - psnr(luma(ref), luma(hr), 3)) < 0.05


def test_upscale_many_yields_in_order_what_one_at_a_time_gives_and_stops_at_a_bad_image():
    sizes = [(40, 31), (9, 7), (75, 60), (33, 90), (50, 50), (12, 44), (61, 23)]
    images = [Image.fromarray(photo(h, w, seed=i)) for i, (h, w) in enumerate(sizes)]
    up = Upscaler("fsrcnn", 3, backend="openvino", tile=32, streams=2)
    want = [np.asarray(up.upscale(im)) for im in images]
    for jobs in (None, 1, 3):
        got = [np.asarray(im) for im in up.upscale_many(iter(images), jobs=jobs)]  # an iterator, read lazily
        assert len(got) == len(want) and all(np.array_equal(a, b) for a, b in zip(got, want, strict=True)), jobs
    arrays = list(up.upscale_many([np.asarray(im) for im in images[:2]]))  # arrays in, arrays out
    assert all(np.array_equal(a, b) for a, b in zip(arrays, want[:2], strict=True))
    # a bad image raises where its result would come, after the good ones before it
    stream = up.upscale_many([images[0], images[1], np.zeros((5, 5, 7), np.uint8), images[2]], jobs=2)
    assert np.array_equal(np.asarray(next(stream)), want[0]) and np.array_equal(np.asarray(next(stream)), want[1])
    with pytest.raises(UserError):
        next(stream)
    with pytest.raises(UserError, match="jobs must be 1 or more"):
        up.upscale_many(images, jobs=0)
    early = up.upscale_many(iter(images), jobs=2)  # a caller that stops early: the rest is dropped
    assert np.array_equal(np.asarray(next(early)), want[0])
    early.close()
    torch_up = Upscaler("fsrcnn", 3, backend="torch")  # no infer requests to spread over: one at a time
    first = next(torch_up.upscale_many(images[:1], jobs=4))
    assert np.array_equal(np.asarray(first), np.asarray(torch_up.upscale(images[0])))


def test_a_short_folder_on_many_cores_gets_fewer_wider_streams(tmp_path, capsys, monkeypatch):
    """`xeonsr upscale DIR` plans its streams by the images: 5 images on 8 cores run on 2 streams
    of 4 threads (16 streams of 1 were the slowest split for a short folder on a 16-core Xeon)."""
    import torch

    from xeonsr import threads
    from xeonsr.cli import main

    monkeypatch.setattr(threads, "usable_cpus", lambda: list(range(8)))
    monkeypatch.setattr(threads, "core_of_cpu", lambda c: (0, c))
    monkeypatch.setattr(threads, "cpu_quota", lambda: None)  # a CI container's quota would cap the 8
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # set back after, whatever the command sets
    for i in range(5):
        Image.fromarray(photo(20 + 3 * i, 17, seed=i)).save(tmp_path / f"{i}.png")
    before = torch.get_num_threads()
    try:  # the command sets torch's threads to its 8: the tests after this one keep theirs
        assert main(["upscale", str(tmp_path), "-o", str(tmp_path / "out"), "--scale", "3"]) == 0
    finally:
        torch.set_num_threads(before)
    assert "2 streams of 4 threads" in capsys.readouterr().out
    assert len(list((tmp_path / "out").iterdir())) == 5


def test_an_image_through_pipes_is_the_file_upscale_byte_for_byte(tmp_path):
    """`xeonsr upscale - -o -` (as other image tools take a pipe): `-o -` made a folder named "-"
    and `-` was "no such file". The summary goes to standard error; the stream holds the image."""
    Image.fromarray(photo(30, 40)).save(tmp_path / "a.png")
    cli = [sys.executable, "-m", "xeonsr", "upscale"]
    assert subprocess.run([*cli, str(tmp_path / "a.png"), "-o", str(tmp_path / "file.png")], check=True).returncode == 0
    piped = subprocess.run([*cli, "-", "-o", "-"], input=(tmp_path / "a.png").read_bytes(), capture_output=True)
    assert piped.returncode == 0 and piped.stdout == (tmp_path / "file.png").read_bytes()
    assert "-> standard output" in piped.stderr.decode() and not (tmp_path / "-").exists()
    jpg = subprocess.run(
        [*cli, "-", "-o", "-", "--format", "jpg"], input=(tmp_path / "a.png").read_bytes(), capture_output=True
    )
    assert Image.open(io.BytesIO(jpg.stdout)).format == "JPEG" and Image.open(io.BytesIO(jpg.stdout)).size == (120, 90)
    bad = subprocess.run([*cli, "-", "-o", "-"], input=b"not an image", capture_output=True, text=False)
    said = bad.stderr.decode()
    assert bad.returncode == 1 and not bad.stdout and "error: standard input: not a readable image" in said
    assert "xeonsr-pipe" not in said  # no temporary folder's name
    two = subprocess.run([*cli, str(tmp_path / "a.png"), str(tmp_path / "a.png"), "-o", "-"], capture_output=True)
    assert two.returncode == 1 and b"standard output takes one image" in two.stderr
    (tmp_path / "b.png").write_bytes((tmp_path / "a.png").read_bytes())
    glob = subprocess.run([*cli, str(tmp_path / "[ab].png"), "-o", "-"], capture_output=True)
    assert glob.returncode == 1 and glob.stderr.startswith(b"xeonsr upscale: error: standard output: 2 inputs")


def test_an_upscaler_made_without_streams_runs_large_images_and_many_on_a_stream_per_core():
    """Upscaler(model) ran every image on one stream: a 1000x750 photo 1.12-1.24x slower than on
    the two `xeonsr upscale` gives it (2 vCPUs). Now one tile stays on the one-stream network,
    larger images and upscale_many go to one made on first need; the bytes are the same."""
    from xeonsr.threads import plan_streams, plan_threads

    cores = plan_streams(plan_threads(None))
    assert cores >= 2, "this test needs two cores"  # every machine the project runs on has them
    up, one = Upscaler("fsrcnn-s", 3), Upscaler("fsrcnn-s", 3, streams=1)
    small, big = Image.fromarray(photo(60, 80)), Image.fromarray(photo(300, 520, seed=1))  # 1 tile; 3 x 2
    assert np.array_equal(np.asarray(up.upscale(small)), np.asarray(one.upscale(small))) and not up._wide._by
    assert np.array_equal(np.asarray(up.upscale(big)), np.asarray(one.upscale(big)))
    assert list(up._wide._by) == [2] and up._wide._by[2].tile_streams == 2  # 6 tiles on 2 cores
    got = [np.asarray(r) for r in up.upscale_many([small, big, small])]
    assert all(np.array_equal(g, np.asarray(one.upscale(i))) for g, i in zip(got, [small, big, small], strict=True))
    assert set(up._wide._by) == {2, cores}
    worker = up.for_thread()
    worker.stop = threading.Event()  # a folder's worker: its stop reaches only its own bands
    assert up._wide.for_image(worker, big.size) is worker
    assert Upscaler("fsrcnn-s", 3, backend="torch")._wide is None  # PyTorch: its threads inside each call
