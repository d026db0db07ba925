"""DCSCN (Yamanaka et al., 2017): deep CNN with skip connection and network in network."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from xeonsr.models.bicubic import BicubicUpsample


def decayed_filters(layers: int, first: int, last: int, gamma: float) -> list[int]:
    """The paper's filter schedule: first -> last over ``layers`` with decay exponent 1/gamma."""
    if layers == 1:
        return [first]
    return [int((first - last) * (1 - i / (layers - 1)) ** (1.0 / gamma) + last) for i in range(layers)]


class DCSCN(nn.Module):
    """Args:
        layers, first_filters, last_filters, gamma: feature extractor (paper: 7, 96, 32, 1.5).
        nin_a, nin_b: widths of the two network-in-network branches (paper: 64, 32).

    Input (N, 1, h, w) LR Y on [0, 1] -> (N, 1, s*h, s*w): the network predicts the residual
    over MATLAB-exact bicubic upscaling, in s*s channels rearranged by a pixel shuffle.
    """

    def __init__(
        self,
        *,
        scale: int,
        layers: int = 7,
        first_filters: int = 96,
        last_filters: int = 32,
        gamma: float = 1.5,
        nin_a: int = 64,
        nin_b: int = 32,
    ) -> None:
        super().__init__()
        self.scale = scale
        widths = decayed_filters(layers, first_filters, last_filters, gamma)
        self.features = nn.ModuleList()
        c_in = 1
        for w in widths:
            self.features.append(nn.Sequential(nn.Conv2d(c_in, w, 3, padding=1), nn.PReLU(w)))
            c_in = w
        total = sum(widths)
        self.nin_a = nn.Sequential(nn.Conv2d(total, nin_a, 1), nn.PReLU(nin_a))
        self.nin_b = nn.Sequential(
            nn.Conv2d(total, nin_b, 1), nn.PReLU(nin_b), nn.Conv2d(nin_b, nin_b, 3, padding=1), nn.PReLU(nin_b)
        )
        self.recon = nn.Conv2d(nin_a + nin_b, scale * scale, 3, padding=1)
        self.subpixel_head = "recon"  # scale^2 outputs in PixelShuffle order (moved between scales)
        self.shuffle = nn.PixelShuffle(scale)
        self.upsample = BicubicUpsample(scale)
        self.receptive_radius = layers + 2 + 2  # LR pixels (+2 for the bicubic taps)
        for mod in self.modules():
            if isinstance(mod, nn.Conv2d):
                nn.init.kaiming_normal_(mod.weight, a=0.25, nonlinearity="leaky_relu")
                nn.init.zeros_(mod.bias)
        nn.init.normal_(self.recon.weight, std=1e-3)

    def forward(self, x: Tensor) -> Tensor:
        feats = []
        h = x
        for layer in self.features:
            h = layer(h)
            feats.append(h)
        h = torch.cat(feats, dim=1)  # skip connections: (N, sum(widths), h, w)
        h = torch.cat([self.nin_a(h), self.nin_b(h)], dim=1)
        return self.upsample(x) + self.shuffle(self.recon(h))  # (N, 1, s*h, s*w)
