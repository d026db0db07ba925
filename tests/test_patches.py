"""The on-device patch bank: aligned crops, every transform, area-weighted images, replayable."""

import numpy as np
import pytest
import torch

from xeonsr.patches import PatchBank, dihedral


def _pairs(rng, sizes, s=3):
    out = []
    for h, w in sizes:
        gt = rng.integers(0, 256, (h * s, w * s), dtype=np.uint8)
        lq = rng.random((h, w), dtype=np.float32) * 255
        out.append((lq, gt))
    return out


def test_the_batch_transforms_are_the_eight_dihedral_ones():
    from xeonsr.patches import _dihedral_copies, _dihedral_selects

    x = torch.arange(8 * 25, dtype=torch.float32).view(8, 1, 5, 5)
    for form in (_dihedral_copies, _dihedral_selects):  # the CPU's and the GPU's
        out = form(x, torch.arange(8))
        for k in range(8):
            assert np.array_equal(out[k, 0].numpy(), dihedral(x[k, 0].numpy(), k)), (form.__name__, k)
    assert len({dihedral(x[0, 0].numpy(), k).tobytes() for k in range(8)}) == 8


def test_every_crop_is_an_aligned_pair_under_one_transform():
    rng = np.random.default_rng(0)
    s, p = 3, 4
    pairs = _pairs(rng, [(9, 11), (7, 8)], s)
    gen = torch.Generator().manual_seed(0)
    bank = PatchBank(pairs, s, p, "cpu", gen)
    lq, gt = bank.sample(64)
    assert lq.shape == (64, 1, p, p) and gt.shape == (64, 1, p * s, p * s)
    assert lq.dtype == gt.dtype == torch.float32 and 0 <= float(gt.min()) and float(gt.max()) <= 1
    seen_k = set()
    for b in range(64):
        found = []
        for img_lq, img_gt in pairs:
            h, w = img_lq.shape
            for y in range(h - p + 1):
                for x in range(w - p + 1):
                    for k in range(8):
                        if np.allclose(dihedral(img_lq[y : y + p, x : x + p], k) / 255, lq[b, 0].numpy(), atol=1e-6):
                            found.append((img_gt, y, x, k))
        assert len(found) == 1, b  # random values: one place and transform only
        img_gt, y, x, k = found[0]
        want = dihedral(img_gt[y * s : (y + p) * s, x * s : (x + p) * s], k) / 255.0
        assert np.allclose(gt[b, 0].numpy(), want, atol=1e-6)  # the HR crop of the same place
        seen_k.add(k)
    assert len(seen_k) >= 6


def test_images_are_drawn_in_proportion_to_their_area_and_replay_from_the_generator():
    rng = np.random.default_rng(1)
    pairs = [
        (np.zeros((10, 10), np.float32), np.zeros((20, 20), np.uint8)),
        (np.full((10, 30), 255, np.float32), np.zeros((20, 60), np.uint8)),
    ]
    gen = torch.Generator().manual_seed(3)
    bank = PatchBank(pairs, 2, 4, "cpu", gen)
    state = gen.get_state()
    lq, _ = bank.sample(4000)
    share = float((lq[:, 0, 0, 0] > 0.5).float().mean())
    assert share == pytest.approx(0.75, abs=0.03)  # 300 of 400 LR pixels are in the second image
    gen.set_state(state)
    again, _ = bank.sample(4000)
    assert torch.equal(lq, again)
    del rng


def test_shards_split_the_images_and_small_images_are_left_out():
    rng = np.random.default_rng(2)
    pairs = _pairs(rng, [(8, 8), (9, 9), (3, 3), (10, 10)], 2)
    g = torch.Generator().manual_seed(0)
    assert PatchBank(pairs, 2, 4, "cpu", g, shard=0, num_shards=2).num_images == 1  # (3, 3) is too small
    assert PatchBank(pairs, 2, 4, "cpu", g, shard=1, num_shards=2).num_images == 2
    with pytest.raises(ValueError, match="holds a 4x4"):
        PatchBank(pairs[2:3], 2, 4, "cpu", g)
