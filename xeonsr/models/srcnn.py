"""SRCNN (Dong et al., ECCV 2014): three convolutions on the bicubic-upscaled Y image."""

from __future__ import annotations

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
        y = self.conv3(self.relu(self.conv2(self.relu(self.conv1(x)))))
        return x + y if self.residual else y
