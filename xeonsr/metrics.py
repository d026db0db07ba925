"""PSNR and SSIM by the papers' protocol (see ../shared/reference/protocol.md).

Both take uint8 Y images (HW) of equal shape and shave ``border`` pixels off every side.
"""

from __future__ import annotations

import numpy as np

from xeonsr.imaging import shave

PEAK = 255.0
SSIM_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03
# The Gaussian window's side: scikit-image takes 2 * int(3.5 * sigma + 0.5) + 1, Wang et al.'s 11 x 11.
SSIM_WINDOW = 2 * int(3.5 * SSIM_SIGMA + 0.5) + 1


def _check(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"images differ in shape: {a.shape} vs {b.shape}")
    if a.ndim != 2:
        raise ValueError(f"expected single-channel (Y) images, got shape {a.shape}")


def psnr(sr_y: np.ndarray, hr_y: np.ndarray, border: int) -> float:
    """PSNR in dB on uint8 Y images, ``border`` pixels shaved, peak 255."""
    _check(sr_y, hr_y)
    diff = shave(sr_y, border).astype(np.float64) - shave(hr_y, border).astype(np.float64)
    mse = float(np.mean(diff * diff))
    return float("inf") if mse == 0 else 10.0 * np.log10(PEAK * PEAK / mse)


def ssim(sr_y: np.ndarray, hr_y: np.ndarray, border: int) -> float:
    """SSIM (Wang et al. 2004): Gaussian window sigma 1.5, K1 0.01, K2 0.03, range 255."""
    from skimage.metrics import structural_similarity

    _check(sr_y, hr_y)
    if min(sr_y.shape) - 2 * border < SSIM_WINDOW:
        need = f"{SSIM_WINDOW} x {SSIM_WINDOW} pixels after a {border}-pixel border"
        raise ValueError(f"SSIM needs {need}, got {sr_y.shape}")
    return float(
        structural_similarity(
            shave(sr_y, border).astype(np.float64),
            shave(hr_y, border).astype(np.float64),
            data_range=PEAK,
            gaussian_weights=True,
            sigma=SSIM_SIGMA,
            use_sample_covariance=False,
            K1=SSIM_K1,
            K2=SSIM_K2,
        )
    )
