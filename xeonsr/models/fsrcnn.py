"""FSRCNN (Dong et al., ECCV 2016): works on the LR image, upsamples with a deconvolution."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from xeonsr.models.bicubic import BicubicUpsample


class FSRCNN(nn.Module):
    """Args:
        d: feature width (paper: 56), s: shrunk width (12), m: mapping layers (4).
        deconv_kernel: the last layer's kernel (paper: 9), stride = scale.
        residual: add MATLAB-bicubic upscaling of the input to the output (not in the paper;
            off by default), so the network learns only the missing detail.

    Input (N, 1, h, w) LR Y on [0, 1] -> output (N, 1, scale*h, scale*w).
    The deconvolution's padding puts LR pixel i's centre tap on HR pixel scale*i + scale//2
    (the centre of its block at odd scales), matching MATLAB's pixel-centre convention.
    """

    upsamples = True

    def __init__(
        self, *, scale: int, d: int = 56, s: int = 12, m: int = 4, deconv_kernel: int = 9, residual: bool = False
    ) -> None:
        super().__init__()
        self.scale = scale
        self.upsample = BicubicUpsample(scale) if residual else None
        layers: list[nn.Module] = [nn.Conv2d(1, d, 5, padding=2), nn.PReLU(d), nn.Conv2d(d, s, 1), nn.PReLU(s)]
        for _ in range(m):
            layers += [nn.Conv2d(s, s, 3, padding=1), nn.PReLU(s)]
        layers += [nn.Conv2d(s, d, 1), nn.PReLU(d)]
        self.body = nn.Sequential(*layers)
        k = deconv_kernel
        # Output size is exactly scale * input: (h-1)*S - 2p + k + op = S*h.
        pad = (k - scale + 1) // 2
        out_pad = scale - k + 2 * pad
        self.deconv = nn.ConvTranspose2d(d, 1, k, stride=scale, padding=pad, output_padding=out_pad)
        self.receptive_radius = 2 + m + (k // 2) // scale + 1  # in LR pixels
        for mod in self.body:
            if isinstance(mod, nn.Conv2d):
                nn.init.kaiming_normal_(mod.weight, a=0.25, nonlinearity="leaky_relu")
                nn.init.zeros_(mod.bias)
        nn.init.normal_(self.deconv.weight, std=1e-3)
        nn.init.zeros_(self.deconv.bias)

    def forward(self, x: Tensor) -> Tensor:
        y = self.deconv(self.body(x))
        return y if self.upsample is None else y + self.upsample(x)


def deconv_as_conv_shuffle(deconv: nn.ConvTranspose2d, scale: int) -> nn.Sequential:
    """An exact rewrite of a stride-``scale`` deconvolution (1 output channel) as a
    convolution to scale^2 channels followed by PixelShuffle (much faster in OpenVINO).

    Deconvolution: out[S*i + r] = sum_j x[j] * w[r + p - S*(j - i)]. With q = j - i this is
    a correlation whose tap q for phase r is w[r + p - S*q] (zero where outside the kernel).
    """
    w = deconv.weight.detach()  # (C_in, 1, k, k)
    c_in, _, k, _ = w.shape
    p = deconv.padding[0]
    s = scale
    qs = [q for q in range(-k, k + 1) for r in range(s) if 0 <= r + p - s * q < k]
    half = max(abs(min(qs)), abs(max(qs)))
    kk = 2 * half + 1
    wc = torch.zeros(s * s, c_in, kk, kk, dtype=w.dtype)
    for ry in range(s):
        for rx in range(s):
            for qy in range(-half, half + 1):
                iy = ry + p - s * qy
                for qx in range(-half, half + 1):
                    ix = rx + p - s * qx
                    if 0 <= iy < k and 0 <= ix < k:
                        wc[ry * s + rx, :, qy + half, qx + half] = w[:, 0, iy, ix]
    conv = nn.Conv2d(c_in, s * s, kk, padding=half)
    with torch.no_grad():
        conv.weight.copy_(wc)
        conv.bias.fill_(float(deconv.bias.detach()[0]))
    return nn.Sequential(conv, nn.PixelShuffle(s))
