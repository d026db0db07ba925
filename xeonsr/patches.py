"""Training batches cut from whole LR/HR Y planes held as tensors on the training device.

Every (lq, gt) pair is flattened into two buffers once; a batch is one gather from each,
with the crop positions, the image (chosen in proportion to its area, so every pixel is
equally likely) and one of the 8 flips/rotations drawn from a ``torch.Generator`` on that
device. No per-patch Python, no host-to-device copy per step, and the generator's state is
all a checkpoint needs to replay the exact batches.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor


def dihedral(x: np.ndarray, k: int) -> np.ndarray:
    """One of the 8 flips/rotations of the last two axes, k in [0, 8)."""
    if k >= 4:
        x = x[..., ::-1]
    return np.rot90(x, k % 4, axes=(-2, -1))


def dihedral_maps(p: int) -> tuple[Tensor, Tensor]:
    """Source (row, col) of every output pixel of a p x p patch under each of the 8
    transforms: (8, p, p) each, so that ``out[u, v] = patch[rows[k, u, v], cols[k, u, v]]``
    is ``dihedral(patch, k)``."""
    r, c = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    rows = np.stack([dihedral(r, k) for k in range(8)])
    cols = np.stack([dihedral(c, k) for k in range(8)])
    return torch.from_numpy(rows.copy()), torch.from_numpy(cols.copy())


class PatchBank:
    """Random aligned (lq, gt) crops of ``pairs`` on ``device``.

    Args:
        pairs: [(lq, gt)]: lq (h, w) float32 Y on [0, 255] (unrounded, as the protocol makes
            it), gt (scale*h, scale*w) uint8 Y.
        scale, lq_patch: the crop is lq_patch (LR) and scale*lq_patch (HR) pixels square.
        generator: a ``torch.Generator`` on ``device``: the only source of randomness.
        shard, num_shards: a data-parallel rank's own subset of the images.
    """

    def __init__(
        self,
        pairs,
        scale: int,
        lq_patch: int,
        device: torch.device | str,
        generator: torch.Generator,
        shard: int = 0,
        num_shards: int = 1,
    ) -> None:
        mine = [pr for i, pr in enumerate(pairs) if i % num_shards == shard]
        p = lq_patch
        mine = [(lq, gt) for lq, gt in mine if min(lq.shape) >= p]
        if not mine:
            raise ValueError(f"no training image holds a {p}x{p} LR patch")
        for lq, gt in mine:
            if gt.shape != (lq.shape[0] * scale, lq.shape[1] * scale):
                raise ValueError(f"pair of LR {lq.shape} and HR {gt.shape} is not x{scale}")
        self.scale, self.lq_patch, self.device, self.generator = scale, p, torch.device(device), generator
        h = np.array([lq.shape[0] for lq, _ in mine], np.int64)
        w = np.array([lq.shape[1] for lq, _ in mine], np.int64)
        area = h * w
        lq_off = np.concatenate([[0], np.cumsum(area)[:-1]])
        to = lambda a, dt=torch.int64: torch.as_tensor(a, dtype=dt).to(self.device)  # noqa: E731
        self.lq = to(np.concatenate([lq.ravel() for lq, _ in mine]), torch.float32)
        self.gt = to(np.concatenate([gt.ravel() for _, gt in mine]), torch.uint8)
        self.h, self.w = to(h), to(w)
        self.lq_off, self.gt_off = to(lq_off), to(lq_off * scale * scale)
        self.weights = to(area / area.sum(), torch.float64)  # every pixel equally likely
        rows, cols = dihedral_maps(p)
        self.lq_rows, self.lq_cols = rows.to(self.device), cols.to(self.device)
        rows, cols = dihedral_maps(p * scale)
        self.gt_rows, self.gt_cols = rows.to(self.device), cols.to(self.device)
        self.num_images = len(mine)

    def sample(self, batch: int) -> tuple[Tensor, Tensor]:
        """-> lq (B, 1, p, p) float32 on [0, 1], gt (B, 1, s*p, s*p) float32 on [0, 1]."""
        g, p, s = self.generator, self.lq_patch, self.scale
        i = torch.multinomial(self.weights, batch, replacement=True, generator=g)
        u = torch.rand(2, batch, generator=g, device=self.device, dtype=torch.float64)
        k = torch.randint(0, 8, (batch,), generator=g, device=self.device)
        h, w = self.h[i], self.w[i]
        y = (u[0] * (h - p + 1)).long().clamp_(max=h - p)  # top-left corner, uniform
        x = (u[1] * (w - p + 1)).long().clamp_(max=w - p)
        # (B, 1, 1) broadcast against the (B, p, p) source maps of each patch's transform.
        y, x, w3 = y[:, None, None], x[:, None, None], w[:, None, None]
        lq_idx = self.lq_off[i, None, None] + (y + self.lq_rows[k]) * w3 + x + self.lq_cols[k]
        gt_idx = self.gt_off[i, None, None] + (y * s + self.gt_rows[k]) * (w3 * s) + x * s + self.gt_cols[k]
        lq = self.lq[lq_idx].unsqueeze(1) * (1.0 / 255.0)
        gt = self.gt[gt_idx].unsqueeze(1).float() * (1.0 / 255.0)
        return lq, gt
