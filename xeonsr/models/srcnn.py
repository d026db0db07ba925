"""SRCNN (Dong et al., ECCV 2014): three convolutions on the bicubic-upscaled Y image."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from xeonsr.models.bicubic import BicubicUpsample


class SRCNN(nn.Module):
    """Args:
        n1, n2: filters of the patch-extraction and mapping layers (paper: 64, 32).
        f1, f2, f3: kernel sizes (9-1-5 is the paper's base model, 9-5-5 its best).
        residual: add the bicubic input to the output (not in the paper; off by default).

    Input (N, 1, h, w) LR Y on [0, 1] -> (N, 1, s*h, s*w). The paper's pre-processing
    (MATLAB bicubic upscaling) is the first, fixed layer, so every registry model shares
    one interface; 'same' padding keeps the HR size.
    """

    def __init__(
        self, *, scale: int, n1: int = 64, n2: int = 32, f1: int = 9, f2: int = 1, f3: int = 5, residual: bool = False
    ) -> None:
        super().__init__()
        self.scale = scale
        self.residual = residual
        self.upsample = BicubicUpsample(scale)
        self.conv1 = nn.Conv2d(1, n1, f1, padding=f1 // 2)
        self.conv2 = nn.Conv2d(n1, n2, f2, padding=f2 // 2)
        self.conv3 = nn.Conv2d(n2, 1, f3, padding=f3 // 2)
        self.relu = nn.ReLU(inplace=True)
        # In LR pixels: HR radius / scale, plus the 2 bicubic taps.
        self.receptive_radius = -(-(f1 // 2 + f2 // 2 + f3 // 2) // scale) + 2
        for conv in (self.conv1, self.conv2):
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
        nn.init.normal_(self.conv3.weight, std=1e-3)
        nn.init.zeros_(self.conv3.bias)

    def forward(self, x: Tensor) -> Tensor:
        x = self.upsample(x)  # (N, 1, h, w) -> (N, 1, s*h, s*w)
        h = self.relu(self.conv2(self.relu(self.conv1(x))))
        # conv3 runs as the exact column pair of DeploySRCNN, with weights taken from conv3 so
        # gradients reach it: its forward + backward 81 -> 32 ms, an SRCNN x3 training step
        # ~1.3x faster (1 thread, batch 16 of 72x72).
        if type(self.conv3) is not nn.Conv2d or self.conv3.weight.dim() != 4:
            y = self.conv3(h)  # ipex.optimize swapped in its own prepacked layer
        else:
            y = conv_by_columns(h, self.conv3.weight, self.conv3.bias)
        return x + y if self.residual else y

    def paper_forward(self, x: Tensor) -> Tensor:
        """The same function with conv3 as one plain convolution."""
        x = self.upsample(x)
        y = self.conv3(self.relu(self.conv2(self.relu(self.conv1(x)))))
        return x + y if self.residual else y


def column_weights(w: Tensor) -> tuple[Tensor, Tensor]:
    """For a weight (n, c, f, f) with few output channels: the f x 1 weight to one channel per
    output channel and kernel column (n*f, c, f, 1), channel p*f + k holding column k of output
    p, and the 1 x f weight adding each output's columns back at their offsets (n, n*f, 1, f)."""
    n, c, f, _ = w.shape
    columns = w.permute(0, 3, 1, 2).reshape(n * f, c, f, 1)  # [p*f + k, c, dy, 0] = w[p, c, dy, k]
    combine = torch.zeros(n, n * f, 1, f, dtype=w.dtype, device=w.device)
    for p in range(n):
        combine[p, p * f : (p + 1) * f, 0] = torch.eye(f, dtype=w.dtype, device=w.device)
    return columns, combine


def conv_by_columns(h: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """conv2d(h, w, b, padding=f // 2) as the column pair (:func:`column_weights`)."""
    f = w.shape[-1]
    columns, combine = column_weights(w)
    return F.conv2d(F.conv2d(h, columns, padding=(f // 2, 0)), combine, b, padding=(0, f // 2))


class ColumnPair(nn.Module):
    """An f x f convolution with few output channels (weight (n, c, f, f), 'same' zero padding)
    as its exact column pair (:func:`column_weights`), as fixed layers for export: a vertical
    f x 1 convolution to one channel per output and kernel column (n*f channels, the same
    multiply-adds, but n*f of AVX2's lanes busy instead of n), then a 1 x f convolution adding
    each output's columns back. The first pads rows, the second columns, as the original pads
    both.
    """

    def __init__(self, weight: Tensor, bias: Tensor) -> None:
        super().__init__()
        n, c, f, _ = weight.shape
        self.columns = nn.Conv2d(c, n * f, (f, 1), padding=(f // 2, 0), bias=False)
        self.combine = nn.Conv2d(n * f, n, (1, f), padding=(0, f // 2))
        with torch.no_grad():
            columns, combine = column_weights(weight)
            self.columns.weight.copy_(columns)
            self.combine.weight.copy_(combine)
            self.combine.bias.copy_(bias.reshape(n))

    def forward(self, h: Tensor) -> Tensor:
        return self.combine(self.columns(h))


class DeploySRCNN(nn.Module):
    """The same function as a trained SRCNN, in the form that runs fastest in OpenVINO.

    The last layer (n2 -> 1 channel, f3 x f3) has a single output channel, which leaves 7 of
    AVX2's 8 lanes idle: it took 47% of SRCNN's time for 10% of its FLOPs. It runs as its
    exact :class:`ColumnPair` (same multiply-adds, plus f3 * f3 per pixel to add the columns).
    """

    def __init__(self, net: SRCNN) -> None:
        super().__init__()
        self.residual = net.residual
        self.upsample, self.conv1, self.conv2, self.relu = net.upsample, net.conv1, net.conv2, net.relu
        self.conv3 = ColumnPair(net.conv3.weight.detach(), net.conv3.bias.detach())

    def forward(self, x: Tensor) -> Tensor:
        x = self.upsample(x)
        y = self.conv3(self.relu(self.conv2(self.relu(self.conv1(x)))))
        return x + y if self.residual else y
