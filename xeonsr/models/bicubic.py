"""MATLAB-exact bicubic upscaling by an integer factor as a fixed torch module.

At an integer scale s, imresize's sampling positions repeat every s output pixels, so the
upscale is s*s fixed 4x4 filters (outer products of 1-D phase kernels) on the LR image with
2 pixels of symmetric padding, followed by a pixel shuffle. Only Slice/Concat/Conv/
DepthToSpace ops, so it exports to OpenVINO with dynamic H and W.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from xeonsr.imaging import BICUBIC_PAD, phase_kernels

PAD = BICUBIC_PAD  # the cubic kernel reaches 2 LR pixels either side when upscaling


def symmetric_pad(x: Tensor, pad: int) -> Tensor:
    """Half-sample symmetric padding of H and W (MATLAB's 'symmetric'); needs H, W >= pad."""
    x = torch.cat([x[:, :, :pad].flip(2), x, x[:, :, -pad:].flip(2)], dim=2)
    return torch.cat([x[:, :, :, :pad].flip(3), x, x[:, :, :, -pad:].flip(3)], dim=3)


class BicubicUpsample(nn.Module):
    """(N, 1, h, w) -> (N, 1, s*h, s*w), equal to MATLAB imresize(x, s, 'bicubic')."""

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale
        k1 = phase_kernels(scale)
        k2 = np.einsum("ai,bj->abij", k1, k1).reshape(scale * scale, 1, 2 * PAD + 1, 2 * PAD + 1)
        self.register_buffer("weight", torch.from_numpy(k2).float(), persistent=False)

    def phases(self, x: Tensor) -> Tensor:
        """(N, 1, h, w) -> (N, s*s, h, w): the upscale before its pixel shuffle."""
        # Needs h, w >= 2; the upscaler pads smaller images before they get here.
        return F.conv2d(symmetric_pad(x, PAD), self.weight.to(x.dtype))

    def forward(self, x: Tensor) -> Tensor:
        return F.pixel_shuffle(self.phases(x), self.scale)
