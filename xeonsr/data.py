"""Training data: paired (lq, gt) Y images degraded by the protocol's MATLAB bicubic.

Each training image (and its FSRCNN-style down-scaled copies) is degraded once and cached
as whole LR/HR pairs; batches are random crops drawn from that cache with a dihedral
augmentation (flips/rotations) drawn once for both members of a pair.
Conventions: ``lq`` float32 Y on [0, 255] (unrounded, as the protocol), ``gt`` uint8 Y.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from xeonsr.errors import UserError
from xeonsr.fileio import atomic_write
from xeonsr.imaging import ImageError, imresize, list_images, load_image, luma, mod_crop

CACHE_VERSION = 1


class DatasetError(UserError, ValueError):
    pass


def find_dataset(name_or_path: str, data_dir: str | Path | None) -> Path:
    """A dataset folder from a name under ``data_dir`` (or $XEONSR_DATA) or a path."""
    p = Path(name_or_path).expanduser()
    if p.is_dir():
        return p
    root = data_dir or os.environ.get("XEONSR_DATA")
    if root:
        cand = Path(root).expanduser() / name_or_path
        if cand.is_dir():
            return cand
        raise DatasetError(f"dataset '{name_or_path}' not found: looked for {cand} and ./{name_or_path}")
    raise DatasetError(
        f"dataset '{name_or_path}' not found: ./{name_or_path} is not a folder and no data "
        "directory is set (pass --data-dir DIR or set XEONSR_DATA)"
    )


@dataclass(frozen=True)
class PatchConfig:
    scale: int
    datasets: tuple[str, ...] = ("T91",)
    down_factors: tuple[float, ...] = (1.0, 0.9, 0.8, 0.7, 0.6)  # FSRCNN's scaling augmentation
    lq_patch: int = 16  # LR patch side; the HR patch is scale times larger


def _load_training_y(path: Path, min_side: int) -> np.ndarray | None:
    try:
        y = luma(load_image(path))
    except ImageError as e:
        warnings.warn(f"skipping {e}", stacklevel=2)
        return None
    if min(y.shape) < min_side:
        warnings.warn(
            f"skipping {path}: {y.shape[1]}x{y.shape[0]} is smaller than one {min_side}x{min_side} training patch",
            stacklevel=2,
        )
        return None
    return y


def build_pairs(cfg: PatchConfig, data_dir: str | Path | None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Degrade every training image (and its down-scaled copies) once: [(lq, gt), ...]."""
    s = cfg.scale
    hr_patch = cfg.lq_patch * s
    pairs = []
    for name in cfg.datasets:
        folder = find_dataset(name, data_dir)
        files = list_images(folder)
        if not files:
            raise DatasetError(f"no images in {folder}")
        for path in files:
            y = _load_training_y(path, hr_patch)
            if y is None:
                continue
            for f in cfg.down_factors:
                img = y if f == 1.0 else imresize(y, f)  # uint8 in, uint8 out (as MATLAB)
                gt = mod_crop(img, s)
                if min(gt.shape) < hr_patch:
                    continue
                lq = imresize(gt.astype(np.float64), 1.0 / s).astype(np.float32)
                pairs.append((lq, gt))
    if not pairs:
        raise DatasetError(f"no usable training images in {', '.join(cfg.datasets)}")
    return pairs


def cached_pairs(
    cfg: PatchConfig, data_dir: str | Path | None, cache_dir: str | Path
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`build_pairs`, computed once per config and kept in ``cache_dir`` as .npz."""
    key_src = json.dumps({**asdict(cfg), "v": CACHE_VERSION, "root": str(data_dir)}, sort_keys=True)
    key = hashlib.sha256(key_src.encode()).hexdigest()[:16]
    cache = Path(cache_dir) / f"pairs_x{cfg.scale}_{key}.npz"
    if cache.exists():
        try:
            with np.load(cache, allow_pickle=False) as z:
                n = int(z["n"])
                return [(z[f"lq{i}"], z[f"gt{i}"]) for i in range(n)]
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is rebuilt below
    pairs = build_pairs(cfg, data_dir)
    cache.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"n": np.array(len(pairs))}
    for i, (lq, gt) in enumerate(pairs):
        arrays[f"lq{i}"], arrays[f"gt{i}"] = lq, gt

    def write(tmp: str) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)

    atomic_write(cache, write)
    return pairs


def dihedral(x: np.ndarray, k: int) -> np.ndarray:
    """One of the 8 flips/rotations of the last two axes, k in [0, 8)."""
    if k >= 4:
        x = x[..., ::-1]
    return np.rot90(x, k % 4, axes=(-2, -1))


class PatchSampler:
    """Random aligned (lq, gt) crops from a list of pairs, reproducible from ``rng``.

    ``shard``/``num_shards`` give each data-parallel rank its own subset of the images.
    """

    def __init__(
        self, pairs, scale: int, lq_patch: int, rng: np.random.Generator, shard: int = 0, num_shards: int = 1
    ) -> None:
        self.pairs = [p for i, p in enumerate(pairs) if i % num_shards == shard]
        self.scale, self.lq_patch, self.rng = scale, lq_patch, rng
        areas = np.array([lq.shape[0] * lq.shape[1] for lq, _ in self.pairs], dtype=np.float64)
        self.weights = areas / areas.sum()  # every pixel equally likely to be sampled

    def sample(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """-> lq (B, 1, p, p) float32 on [0, 1], gt (B, 1, s*p, s*p) float32 on [0, 1]."""
        p, s, rng = self.lq_patch, self.scale, self.rng
        idx = rng.choice(len(self.pairs), size=batch, p=self.weights)
        lqs = np.empty((batch, 1, p, p), np.float32)
        gts = np.empty((batch, 1, p * s, p * s), np.float32)
        for b, i in enumerate(idx):
            lq, gt = self.pairs[i]
            y = int(rng.integers(0, lq.shape[0] - p + 1))
            x = int(rng.integers(0, lq.shape[1] - p + 1))
            k = int(rng.integers(0, 8))
            lqs[b, 0] = dihedral(lq[y : y + p, x : x + p], k)
            gts[b, 0] = dihedral(gt[y * s : (y + p) * s, x * s : (x + p) * s], k)
        lqs /= 255.0
        gts /= 255.0
        return lqs, gts
