"""FSRCNN (Dong et al., ECCV 2016): works on the LR image, upsamples with a deconvolution."""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F
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
        # The deconvolution runs as its exact conv-to-phases + pixel shuffle rewrite, with the
        # phase weights gathered from the deconvolution's own parameters (so gradients reach
        # them and the weight files keep the paper's layer). A CPU training step is 1.3x
        # (FSRCNN) to 1.6x (FSRCNN-s) faster than through ConvTranspose2d and its backward
        # (1 thread, batch 16 of 40x40 / 48x48 LR patches, x3).
        if type(self.deconv) is not nn.ConvTranspose2d or self.deconv.weight.dim() != 4:
            return self.paper_forward(x)  # ipex.optimize swapped in its own prepacked layer
        s = self.scale
        pad = self.deconv.padding[0]
        w, half = phase_weight(self.deconv.weight, s, pad)
        y = F.conv2d(self.body(x), w, self.deconv.bias.repeat(s * s), padding=half)
        if self.upsample is not None:
            y = y + self.upsample.phases(x)
        return F.pixel_shuffle(y, s)

    def paper_forward(self, x: Tensor) -> Tensor:
        """The same function through the paper's ConvTranspose2d (the form peers run)."""
        y = self.deconv(self.body(x))
        return y if self.upsample is None else y + self.upsample(x)


@lru_cache(maxsize=16)
def _phase_taps(k: int, s: int, p: int) -> tuple[Tensor, int]:
    """Index of the deconvolution tap used by each (phase, qy, qx) of the equivalent
    convolution, k*k where there is none; and that convolution's half-width."""
    qs = [q for q in range(-k, k + 1) for r in range(s) if 0 <= r + p - s * q < k]
    half = max(abs(min(qs)), abs(max(qs)))
    kk = 2 * half + 1
    # Cached across calls, so never an inference tensor: the first call may come from an
    # evaluation under torch.inference_mode, and training indexes with it afterwards.
    with torch.inference_mode(False):
        idx = torch.full((s * s, kk, kk), k * k, dtype=torch.long)
        for ry in range(s):
            for rx in range(s):
                for qy in range(-half, half + 1):
                    iy = ry + p - s * qy
                    for qx in range(-half, half + 1):
                        ix = rx + p - s * qx
                        if 0 <= iy < k and 0 <= ix < k:
                            idx[ry * s + rx, qy + half, qx + half] = iy * k + ix
    return idx, half


def phase_weight(w: Tensor, scale: int, padding: int) -> tuple[Tensor, int]:
    """A stride-``scale`` deconvolution weight (C_in, 1, k, k) as the weight (scale^2, C_in,
    kk, kk) of a convolution whose pixel-shuffled output equals the deconvolution; and kk // 2.

    Deconvolution: out[S*i + r] = sum_j x[j] * w[r + p - S*(j - i)]. With q = j - i this is
    a correlation whose tap q for phase r is w[r + p - S*q] (zero where outside the kernel).
    Differentiable: a gather from ``w``.
    """
    c_in, _, k, _ = w.shape
    idx, half = _phase_taps(k, scale, padding)
    flat = torch.cat([w.reshape(c_in, k * k), w.new_zeros(c_in, 1)], dim=1)
    return flat[:, idx.to(w.device)].transpose(0, 1), half


def deconv_as_conv(deconv: nn.ConvTranspose2d, scale: int, channel_multiple: int = 1) -> nn.Conv2d:
    """The stride-``scale`` deconvolution (1 output channel) as a convolution to scale^2 phase
    channels (:func:`phase_weight`); PixelShuffle(scale) of its first scale^2 channels equals
    the deconvolution.

    ``channel_multiple`` pads more than that many output channels with zero filters up to a
    multiple of it: OpenVINO's AVX2 convolution is slower with 9 outputs than with 16
    (14.0 vs 11.7 ms, 1 thread, 56->n 3x3 on a Set14-sized LR image); 4 (x2) gains nothing
    from 8.
    """
    s = scale
    with torch.no_grad():
        wc, half = phase_weight(deconv.weight, s, deconv.padding[0])
    n_phase, c_in, kk, _ = wc.shape
    n_out = n_phase if n_phase <= channel_multiple else -(-n_phase // channel_multiple) * channel_multiple
    conv = nn.Conv2d(c_in, n_out, kk, padding=half)
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[:n_phase] = wc
        conv.bias.zero_()
        conv.bias[:n_phase] = deconv.bias.detach()[0]
    return conv


class _BicubicPhases(nn.Module):
    # A module (not a method call) so the exported ops keep the "__module.upsample" scope
    # that quantization uses to keep the skip branch in float.
    def __init__(self, up: BicubicUpsample) -> None:
        super().__init__()
        self.up = up

    def forward(self, x: Tensor) -> Tensor:
        return self.up.phases(x)


class DeployFSRCNN(nn.Module):
    """The same function as a trained FSRCNN, in the form that runs fastest in OpenVINO.

    The deconvolution becomes a convolution to scale^2 phase channels; the bicubic skip is
    added to those phases before the single pixel shuffle, so the network does one HR-sized
    shuffle instead of two and no HR-sized Add.

    Convolutions work on groups of output channels: 8 with AVX2, 16 with AVX-512
    (``channel_multiple``, 16: the form that serves both). Phase counts that are a multiple stay
    one convolution (x4: 16). Fewer phases than that (x2: 4, x3: 9) run as their exact
    :class:`ColumnPair` (5 or 9 column channels per phase busy instead of one): FSRCNN x2 in
    OpenVINO FP32 1.18x faster on AVX2; FSRCNN x3 on a Zen 4 (AVX-512) 1.14-1.22x faster in
    FP32 and 1.24x in INT8 than the AVX2-shaped 8 + 1 split, which it equals on AVX2 (the split:
    a convolution to 8 phases and the ninth as a column pair, what ``channel_multiple=8``
    builds). One more than a multiple is split that way; other counts are padded with zero
    filters up to a multiple. For x4 the column form was slower (docs/performance.md).
    """

    def __init__(self, net: FSRCNN, channel_multiple: int = 16) -> None:
        from xeonsr.models.srcnn import ColumnPair

        super().__init__()
        s = self.scale = net.scale
        self.body = net.body
        n = s * s
        self.head = deconv_as_conv(net.deconv, s, channel_multiple)  # padded up to a multiple
        self.head_columns = None
        w, b = self.head.weight.detach()[:n], self.head.bias.detach()[:n]
        if n < channel_multiple:
            self.head, self.head_columns = None, ColumnPair(w, b)
        elif n > channel_multiple and n % channel_multiple == 1:
            self.head = nn.Conv2d(self.head.in_channels, n - 1, self.head.kernel_size, padding=self.head.padding)
            with torch.no_grad():
                self.head.weight.copy_(w[: n - 1])
                self.head.bias.copy_(b[: n - 1])
            self.head_columns = ColumnPair(w[n - 1 :], b[n - 1 :])
        self.upsample = None if net.upsample is None else _BicubicPhases(net.upsample)
        self.padded = self.head is not None and self.head.out_channels > n

    def forward(self, x: Tensor) -> Tensor:
        s = self.scale
        f = self.body(x)
        if self.head is None:
            y = self.head_columns(f)
        elif self.head_columns is not None:
            y = torch.cat([self.head(f), self.head_columns(f)], dim=1)
        else:
            y = self.head(f)
        if self.padded:
            y = y[:, : s * s]
        if self.upsample is not None:
            y = y + self.upsample(x)
        return nn.functional.pixel_shuffle(y, s)
