"""The chroma and colour conversion of a band in cache-sized pieces (xeonsr.band_finish): the same
bytes as the whole band at once, whatever the piece size, for every kind of image upscaled."""

import numpy as np
import pytest
from PIL import Image

import xeonsr.band_finish as band_finish
from xeonsr.photo_io import Image16
from xeonsr.upscaler import Upscaler


def _images():
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (37, 29, 3), dtype=np.uint8)
    return {
        "RGB": Image.fromarray(rgb),
        "RGBA": Image.fromarray(np.dstack([rgb, rng.integers(0, 256, (37, 29), dtype=np.uint8)])),
        "L": Image.fromarray(rgb[:, :, 0]),
        "LA": Image.fromarray(rgb[:, :, :2], "LA"),
        "16-bit RGB": Image16(rng.integers(0, 65536, (37, 29, 3), dtype=np.uint16)),
    }


@pytest.mark.parametrize("tile", [0, 16])
def test_pieces_give_the_bytes_of_whole_bands(monkeypatch, tile):
    up = Upscaler("fsrcnn", 3, backend="openvino", precision="fp32", tile=tile, streams=1)
    for name, image in _images().items():
        outs = []
        for piece_bytes in (1 << 40, 1, 3000):  # whole bands, one LR row a piece, a few rows
            monkeypatch.setattr(band_finish, "CHUNK_BYTES", piece_bytes)
            out = up.upscale(image)
            outs.append(out.pixels if isinstance(out, Image16) else np.asarray(out))
        assert outs[0].shape[:2] == (37 * 3, 29 * 3), name
        assert all(np.array_equal(outs[0], o) for o in outs[1:]), name


def test_a_band_is_finished_piece_by_piece(monkeypatch):
    """Each piece is finished on its own: with pieces of one LR row, finish sees scale rows a call."""
    seen = []
    planes = np.random.default_rng(1).random((3, 12, 10), dtype=np.float32)
    y_up = np.random.default_rng(2).random((8 * 2, 10 * 2), dtype=np.float32)
    monkeypatch.setattr(band_finish, "CHUNK_BYTES", 1)
    out = np.empty((16, 20, 3), np.float32)

    def finish(p):
        seen.append(p.shape)
        return np.moveaxis(p, 0, 2)

    band_finish.finish_band(planes, y_up, 2, 10, 2, finish, out)
    assert seen == [(3, 2, 20)] * 8
    from xeonsr.imaging import upscale_planes

    assert np.array_equal(out[:, :, 0], y_up)
    assert np.array_equal(np.moveaxis(out[:, :, 1:], 2, 0), upscale_planes(planes[1:], 2)[:, 4:20])
