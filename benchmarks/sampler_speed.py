"""Batches per second of the training patch sampler, old (numpy crops per patch on the host)
vs new (xeonsr.patches.PatchBank: one gather on the training device), beside one full FSRCNN
training step at the same batch, so the sampler's share of a step is measured, not guessed.

Usage: python benchmarks/sampler_speed.py --data-dir DIR [--threads 1] [--batch 64 --patch 24]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch


class NumpyPatchSampler:
    """The sampler xeonsr trained with before the patch bank (kept here as the reference the
    new one is measured against): a Python loop of numpy crops, then a host-to-device copy."""

    def __init__(self, pairs, scale: int, lq_patch: int, rng: np.random.Generator) -> None:
        self.pairs, self.scale, self.lq_patch, self.rng = pairs, scale, lq_patch, rng
        areas = np.array([lq.shape[0] * lq.shape[1] for lq, _ in pairs], dtype=np.float64)
        self.weights = areas / areas.sum()

    def sample(self, batch: int, device: str = "cpu"):
        from xeonsr.patches import dihedral

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
        return torch.from_numpy(lqs).to(device), torch.from_numpy(gts).to(device)


def rate(fn, seconds: float) -> float:
    fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - t0)


def main(argv=None) -> dict:
    from xeonsr.data import PatchConfig, cached_pairs
    from xeonsr.info import cpu_info
    from xeonsr.models import create_model
    from xeonsr.patches import PatchBank
    from xeonsr.threads import apply_threads, plan_threads

    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--datasets", default="T91,BSD200")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--patch", type=int, default=24)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--device", default="cpu", help="cpu or cuda (the new sampler and the step run there)")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    plan = plan_threads(args.threads)
    apply_threads(plan, pin=True)
    import os
    import tempfile

    cache = args.cache_dir or os.environ.get("XEONSR_CACHE") or tempfile.gettempdir()
    pairs = cached_pairs(PatchConfig(3, tuple(args.datasets.split(",")), lq_patch=args.patch), args.data_dir, cache)
    old = NumpyPatchSampler(pairs, 3, args.patch, np.random.default_rng(0))
    dev = torch.device(args.device)
    new = PatchBank(pairs, 3, args.patch, dev, torch.Generator(device=dev).manual_seed(0))
    b = args.batch
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    res = {
        "old": rate(lambda: (old.sample(b, args.device), sync()), args.seconds),
        "new": rate(lambda: (new.sample(b), sync()), args.seconds),
    }
    net = create_model("fsrcnn", 3, residual=True).to(dev, memory_format=torch.channels_last)
    opt = torch.optim.Adam(net.parameters(), 1e-4)
    lq, gt = new.sample(b)

    def step() -> None:
        loss = torch.nn.functional.l1_loss(net(lq.contiguous(memory_format=torch.channels_last)), gt)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sync()

    def sample_and_step() -> None:
        nonlocal lq, gt
        lq, gt = new.sample(b)
        step()

    res["fsrcnn_step"] = rate(step, args.seconds)
    res["fsrcnn_sample_and_step"] = rate(sample_and_step, args.seconds)
    out = {
        "cpu": cpu_info().model,
        "device": torch.cuda.get_device_name() if dev.type == "cuda" else "cpu",
        "threads": plan.used,
        "batch": b,
        "lq_patch": args.patch,
        "batches_per_s": {k: round(v, 1) for k, v in res.items()},
        "sampler_share_of_step": {k: round(res["fsrcnn_step"] / res[k], 4) for k in ("old", "new")},
    }
    print(
        f"{out['cpu']}, {plan.used} thread(s), batch {b} of {args.patch}x{args.patch} LR: sampler old "
        f"{res['old']:.0f}/s, new {res['new']:.0f}/s ({res['new'] / res['old']:.1f}x); FSRCNN x3 step "
        f"{res['fsrcnn_step']:.1f}/s (with sampling {res['fsrcnn_sample_and_step']:.1f}/s); sampler share "
        f"of a step old {out['sampler_share_of_step']['old']:.1%}, new {out['sampler_share_of_step']['new']:.1%}"
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    return out


if __name__ == "__main__":
    main()
