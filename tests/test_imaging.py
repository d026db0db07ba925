"""The MATLAB bicubic resize against values worked out by hand, not against itself."""

import numpy as np
import pytest

from xeonsr.imaging import imresize, luma, mod_crop, resize_matrix, rgb_to_ycbcr, to_uint8, ycbcr_to_rgb

# Keys' cubic (a = -0.5) at the distances a x2 upscale samples: 1.75, 0.75, 0.25, 1.25.
# cubic(0.25) = 1.5/64 - 2.5/16 + 1 = 0.8671875; cubic(0.75) = 1.5*27/64 - 2.5*9/16 + 1 = 0.2265625
# cubic(1.25) = -0.5*125/64 + 2.5*25/16 - 5 + 2 = -0.0703125; cubic(1.75) = -0.0234375
UP2 = [-0.0234375, 0.2265625, 0.8671875, -0.0703125]
# A x2 downscale widens the kernel: weights 0.5*cubic(d/2) at d = 3.5, 2.5, 1.5, 0.5 (and
# mirrored), which already sum to 1: cubic(1.75)/2, cubic(1.25)/2, cubic(.75)/2, cubic(.25)/2.
DOWN2 = [-0.01171875, -0.03515625, 0.11328125, 0.43359375]
DOWN2 = DOWN2 + DOWN2[::-1]


def test_upscale_x2_interior_weights_by_hand():
    m = resize_matrix(10, 20, 2.0)
    # Output 8 (0-based) samples u = 9/2 + 0.25 = 4.75 (1-based), i.e. 0-based 3.75:
    # taps at inputs 2, 3, 4, 5 with distances 1.75, 0.75, 0.25, 1.25.
    np.testing.assert_allclose(m[8, 2:6], UP2, atol=1e-15)
    assert np.count_nonzero(m[8]) == 4


def test_downscale_x2_interior_weights_by_hand():
    m = resize_matrix(16, 8, 0.5)
    # Output 3 (0-based) is centred between inputs 6 and 7: 8 taps, inputs 3..10.
    np.testing.assert_allclose(m[3, 3:11], DOWN2, atol=1e-15)
    assert np.count_nonzero(m[3]) == 8


def test_symmetric_border_folds_weights_back():
    m = resize_matrix(10, 20, 2.0)
    # Output 0 samples 0-based -0.25: taps at -2, -1, 0, 1 -> mirrored to 1, 0, 0, 1.
    expected = np.zeros(10)
    for idx, w in zip([1, 0, 0, 1], UP2, strict=True):
        expected[idx] += w
    np.testing.assert_allclose(m[0], expected, atol=1e-15)


def test_impulse_response_matches_hand_kernel():
    x = np.zeros((9, 9))
    x[4, 4] = 1.0
    y = imresize(x, 2)
    # Row 8, column 8 of the output take 0.8671875 from input 4 in each direction.
    assert y.shape == (18, 18)
    assert y[8, 8] == pytest.approx(0.8671875**2, abs=1e-12)
    assert y[9, 9] == pytest.approx(0.8671875**2, abs=1e-12)
    assert y[7, 8] == pytest.approx(0.2265625 * 0.8671875, abs=1e-12)


@pytest.mark.parametrize("scale", [2, 3, 4, 1 / 2, 1 / 3, 1 / 4, 0.7])
def test_constant_image_stays_constant(scale):
    x = np.full((23, 17), 123.0)
    np.testing.assert_allclose(imresize(x, scale), 123.0, atol=1e-9)
    u8 = np.full((23, 17, 3), 200, np.uint8)
    assert (imresize(u8, scale) == 200).all()


@pytest.mark.parametrize(
    "h,w,scale,shape", [(7, 11, 2, (14, 22)), (7, 11, 1 / 3, (3, 4)), (13, 5, 3, (39, 15)), (9, 9, 0.5, (5, 5))]
)
def test_shapes_for_odd_sizes(h, w, scale, shape):
    assert imresize(np.zeros((h, w)), scale).shape == shape


def test_linear_ramp_is_preserved_in_the_interior():
    # The cubic kernel reproduces linear functions exactly, away from the borders.
    x = np.tile(np.arange(40, dtype=float), (5, 1))
    y = imresize(x, 1 / 2)[:, 4:-4]
    np.testing.assert_allclose(np.diff(y, axis=1), 2.0, atol=1e-9)


def test_uint8_matches_matlab_rounding():
    assert to_uint8(np.array([0.5, 1.5, 2.4999, -3, 300])).tolist() == [1, 2, 2, 0, 255]


def test_luma_bt601_studio_swing():
    rgb = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0]]], np.uint8)
    # 16 + 65.481 = 81.481 -> 81 for pure red; white 235, black 16.
    assert luma(rgb).tolist() == [[16, 235, 81]]
    grey = np.array([[7, 250]], np.uint8)
    assert luma(grey).tolist() == [[7, 250]]  # a grey image is its own Y


def test_ycbcr_round_trip():
    rgb = np.random.default_rng(0).integers(0, 256, (4, 5, 3))
    np.testing.assert_allclose(ycbcr_to_rgb(rgb_to_ycbcr(rgb)), rgb, atol=1e-9)


def test_mod_crop():
    assert mod_crop(np.zeros((13, 17, 3)), 3).shape == (12, 15, 3)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_upscale_planes_is_imresize_at_integer_scales(scale):
    from xeonsr.imaging import upscale_planes

    rng = np.random.default_rng(scale)
    for shape in [(2, 2), (3, 7), (17, 5), (40, 33)]:
        x = rng.random(shape) * 255
        np.testing.assert_allclose(upscale_planes(x, scale, np.float64), imresize(x, scale), atol=1e-9)
        np.testing.assert_allclose(upscale_planes(x, scale), imresize(x, scale), atol=1e-3)  # float32
    stack = rng.random((2, 9, 11))
    assert np.allclose(upscale_planes(stack, scale)[1], imresize(stack[1], scale), atol=1e-5)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_upscale_planes_rows_are_those_rows_of_the_whole(scale):
    from xeonsr.imaging import upscale_planes

    x = np.random.default_rng(scale).random((2, 13, 9), dtype=np.float32)
    whole = upscale_planes(x, scale)
    for i0, i1 in [(0, 13), (0, 1), (2, 5), (12, 13), (4, 11)]:
        assert np.array_equal(upscale_planes(x, scale, rows=(i0, i1)), whole[:, i0 * scale : i1 * scale])


def test_ycbcr_planes_to_rgb_rounds_like_the_float64_path():
    from xeonsr.imaging import ycbcr_planes_to_rgb

    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (30, 40, 3)).astype(np.float64)
    ycc = rgb_to_ycbcr(rgb) / 255.0 + rng.normal(0, 0.01, rgb.shape)  # off the integer grid
    alpha = rng.random((30, 40))
    planes = np.concatenate([np.moveaxis(ycc, 2, 0), alpha[None]])
    got = ycbcr_planes_to_rgb(planes.astype(np.float32), 255.0, np.uint8)
    want = np.clip(np.floor(ycbcr_to_rgb(np.moveaxis(planes[:3].astype(np.float32), 0, 2) * 255.0) + 0.5), 0, 255)
    assert got.shape == (30, 40, 4) and got.dtype == np.uint8
    assert np.abs(got[:, :, :3].astype(int) - want).max() <= 1 and (got[:, :, :3] != want).mean() < 1e-3
    assert np.array_equal(got[:, :, 3], np.clip(np.floor(alpha * 255 + 0.5), 0, 255).astype(np.uint8))
    assert np.array_equal(ycbcr_planes_to_rgb(np.moveaxis(rgb_to_ycbcr(rgb), 2, 0) / 255.0, 255.0, np.uint8), rgb)
    rgb16 = rng.integers(0, 65536, (30, 40, 3)).astype(np.float64)  # 16 bits: float64 inside
    planes16 = np.moveaxis(rgb_to_ycbcr(rgb16 * (255.0 / 65535.0)), 2, 0) / 255.0
    assert np.array_equal(ycbcr_planes_to_rgb(planes16, 65535.0, np.uint16), rgb16.astype(np.uint16))


def test_rgb_to_ycbcr_planes_is_the_float64_path_in_float32_and_round_trips():
    from xeonsr.imaging import rgb_to_ycbcr_planes, ycbcr_planes_to_rgb

    rng = np.random.default_rng(1)
    for top, dtype in ((255.0, np.uint8), (65535.0, np.uint16)):
        rgba = rng.integers(0, int(top) + 1, (64, 80, 4)).astype(dtype)
        rgba[0, :8, :3] = [[0, 0, 0], [int(top)] * 3, [int(top), 0, 0], [0, int(top), 0], [0, 0, int(top)]] + [
            [7] * 3
        ] * 3
        got = rgb_to_ycbcr_planes(rgba, top)
        want = np.moveaxis(rgb_to_ycbcr(rgba[:, :, :3].astype(np.float64) * (255.0 / top)), 2, 0) / 255.0
        assert got.shape == (4, 64, 80) and got.dtype == np.float32
        assert np.abs(got[:3] - want).max() <= 2.5e-7  # two float32 ulps at 1.0
        assert np.array_equal(got[3], (rgba[:, :, 3] / top).astype(np.float32))
        # grey stays grey: its Cb and Cr are 128/255 (to an ulp), and every colour comes back
        assert np.abs(got[1:3, 0, [0, 1, 5, 6, 7]] - 128 / 255).max() <= 6e-8
        assert np.array_equal(ycbcr_planes_to_rgb(got, top, dtype), rgba)


def test_load_image_reads_16_bit_grey_as_its_8_bits_and_refuses_floats(tmp_path):
    """Evaluation and training read 16-bit grey through PIL's convert("L"), which clips: a 16-bit
    scan came out nearly all 255, and eval graded one 39.8 dB where its 8 bits grade 11.2."""
    from PIL import Image

    from xeonsr.imaging import ImageError, load_image
    from xeonsr.photo_io import to_eight_bits

    wide = (np.random.default_rng(0).random((24, 30)) * 65535).astype(np.uint16)
    Image.fromarray(wide).save(tmp_path / "g16.png")
    got = load_image(tmp_path / "g16.png")
    assert got.dtype == np.uint8 and np.array_equal(got, to_eight_bits(wide)) and got.mean() < 200
    Image.fromarray(wide.astype(np.int32)).save(tmp_path / "i32.tif")  # 32-bit integers within 16 bits
    assert np.array_equal(load_image(tmp_path / "i32.tif"), to_eight_bits(wide))
    Image.fromarray(wide.astype(np.float32) / 65535).save(tmp_path / "f.tif")  # on 0..1: PIL made it black
    with pytest.raises(ImageError, match="f.tif: 32-bit float samples"):
        load_image(tmp_path / "f.tif")
    Image.fromarray(to_eight_bits(wide)).save(tmp_path / "g8.png")  # 8-bit grey as before
    assert np.array_equal(load_image(tmp_path / "g8.png"), to_eight_bits(wide))
