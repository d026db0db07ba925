"""The evaluation protocol of the SR papers, as one set of pure functions.

HR image -> mod-crop -> Y (uint8, BT.601) -> LR by MATLAB bicubic (float, not rounded: the
papers' MATLAB code keeps ``im_l`` in single precision) -> method -> round to uint8 ->
PSNR/SSIM on Y with ``scale`` pixels shaved. Arrays are HW, Y on the 0..255 scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xeonsr.errors import UserError
from xeonsr.imaging import imresize, luma, mod_crop

SCALES = (2, 3, 4)
PROTOCOL = {
    "colour": "Y of BT.601 YCbCr (studio swing), uint8 as MATLAB rgb2ycbcr; grey images as is",
    "resize": "MATLAB imresize bicubic, antialiased when shrinking, symmetric padding",
    "lr": "float (unrounded), as the SRCNN/FSRCNN MATLAB test code",
    "output_rounding": "uint8, round half away from zero",
    "shave": "scale",
    "psnr_peak": 255,
    "ssim": "Gaussian sigma 1.5, K1 0.01, K2 0.03, data range 255",
}


class ScaleError(UserError, ValueError):
    pass


def check_scale(scale: int) -> int:
    if scale not in SCALES or isinstance(scale, (bool, float)):  # 3.0 and True compare equal to ints
        raise ScaleError(f"unsupported scale {scale!r}: choose one of {', '.join(map(str, SCALES))} (a whole number)")
    return scale


@dataclass(frozen=True)
class Sample:
    """One test image under the protocol: ``hr`` uint8 Y, ``lr`` float Y (HW, 0..255)."""

    name: str
    hr: np.ndarray
    lr: np.ndarray


def make_sample(name: str, img: np.ndarray, scale: int) -> Sample:
    """Mod-crop ``img`` (uint8 HWC RGB or HW grey), take Y, and degrade it by ``scale``."""
    check_scale(scale)
    hr = luma(mod_crop(img, scale))
    lr = imresize(hr.astype(np.float64), 1.0 / scale)
    return Sample(name=name, hr=hr, lr=lr)


def bicubic_upscale(lr: np.ndarray, scale: int) -> np.ndarray:
    """LR Y (float, 0..255) -> HR-size Y by MATLAB bicubic (float, unclipped)."""
    return imresize(lr, float(scale))
