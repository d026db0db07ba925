"""The protocol reproduces the SRCNN paper's bicubic rows (Tables 1 and 2)."""

import numpy as np
import pytest

from xeonsr.evaluate import bicubic_fn, evaluate, load_samples
from xeonsr.metrics import psnr, ssim
from xeonsr.paper import PAPER, PAPER_MEAN


@pytest.mark.parametrize("dataset,scale", [("Set5", 3), ("Set14", 3), ("Set5", 2), ("Set5", 4)])
def test_bicubic_means_match_paper(data_dir, dataset, scale):
    res = evaluate(bicubic_fn(scale), load_samples(data_dir / dataset, scale), scale, with_ssim=False)
    assert abs(res["mean_psnr"] - PAPER_MEAN[(dataset, scale)][0]) <= 0.01


def test_bicubic_set5_x3_per_image_within_0_02(data_dir):
    res = evaluate(bicubic_fn(3), load_samples(data_dir / "Set5", 3), 3, with_ssim=False)
    for row in res["images"]:
        assert abs(row["psnr"] - PAPER[("Set5", 3)][row["name"]][0]) <= 0.02, row


def test_psnr_known_value():
    a = np.zeros((10, 10), np.uint8)
    b = a.copy()
    b[2:8, 2:8] = 10  # shave 2 leaves the 6x6 block: MSE 100
    assert psnr(b, a, border=2) == pytest.approx(10 * np.log10(255**2 / 100))
    assert psnr(a, a, border=1) == float("inf")


def test_ssim_identity_and_order():
    rng = np.random.default_rng(0)
    a = np.tile(np.linspace(50, 200, 40), (40, 1)).astype(np.uint8)
    slightly = np.clip(a + rng.normal(0, 3, a.shape), 0, 255).astype(np.uint8)
    very = np.clip(a + rng.normal(0, 30, a.shape), 0, 255).astype(np.uint8)
    assert ssim(a, a, 3) == pytest.approx(1.0)
    assert 0 < ssim(very, a, 3) < ssim(slightly, a, 3) < 1
