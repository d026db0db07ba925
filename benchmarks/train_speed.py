"""Training speed (patches/s) per model for native fp32, native channels-last, ipex and bf16,
measured in one run so the ratios compare like with like. ``paper-layers`` is native
channels-last through the paper's layers (FSRCNN's ConvTranspose2d, SRCNN's one-channel conv3)
instead of the exact rewrites that ``forward`` trains through. ``compile`` is native
channels-last through ``torch.compile`` (its compile time, the first steps, is reported apart).

Usage: python benchmarks/train_speed.py [--steps 30] [--models fsrcnn,srcnn] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from torch import nn


def patches_per_s(model_name: str, variant: str, steps: int, batch: int = 64, patch: int = 16) -> float | str:
    from xeonsr.info import cpu_info, ipex_status
    from xeonsr.models import create_model

    torch.manual_seed(0)
    model = create_model(model_name, 3)
    opt = torch.optim.Adam(model.parameters(), 1e-4)
    cl = variant != "native-fp32"
    if cl:
        model = model.to(memory_format=torch.channels_last)
    bf16 = variant in ("bf16", "ipex-bf16")
    if variant in ("ipex", "ipex-bf16"):
        ok, why = ipex_status()
        if not ok:
            return f"n/a (IPEX {why})"
        import intel_extension_for_pytorch as ipex

        # ipex-bf16: weights prepacked for bf16 and bf16 autocast, as `xeonsr train --backend ipex`
        # does where the CPU has native bf16.
        model, opt = ipex.optimize(model, optimizer=opt, dtype=torch.bfloat16 if bf16 else torch.float32)
    if bf16 and not cpu_info().native_bf16:
        note = "emulated"
    else:
        note = ""
    if variant == "paper-layers" and not hasattr(model, "paper_forward"):
        return "n/a (no rewrite)"
    fwd = model.paper_forward if variant == "paper-layers" else model
    if variant == "compile":
        fwd = torch.compile(model)
    x = torch.rand(batch, 1, patch, patch)
    y = torch.rand(batch, 1, 3 * patch, 3 * patch)
    if cl:
        x = x.contiguous(memory_format=torch.channels_last)
    loss_fn = nn.L1Loss()

    def step():
        if bf16:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = fwd(x)
        else:
            out = fwd(x)
        loss = loss_fn(out.float(), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    t0 = time.perf_counter()
    for _ in range(3):
        step()
    if variant == "compile":
        note = f"compile {time.perf_counter() - t0:.0f} s"
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    rate = steps * batch / (time.perf_counter() - t0)
    return f"{rate:.0f} ({note})" if note else rate


def _cell(r, base) -> str:
    if isinstance(r, float):
        return f"{r:.0f}/s ({r / base:.2f}x)"
    num = r.split(" ", 1)[0]
    return f"{r} ({float(num) / base:.2f}x)" if num.replace(".", "").isdigit() else r


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--models", default="fsrcnn,fsrcnn-s,srcnn,dcscn")
    ap.add_argument("--variants", default="native-fp32,native-channels-last,paper-layers,ipex,bf16,compile")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--patch", type=int, default=16, help="LR patch side")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    res = {}
    for m in args.models.split(","):
        res[m] = {v: patches_per_s(m, v, args.steps, args.batch, args.patch) for v in args.variants.split(",")}
        base = next((r for r in res[m].values() if isinstance(r, float)), 1.0)  # ratios to the first variant
        cells = [f"{v}: {_cell(r, base)}" for v, r in res[m].items()]
        print(f"{m:<9} " + "  ".join(cells))
    if args.json:
        with open(args.json, "w") as f:
            from xeonsr.info import cpu_info

            meta = {"cpu": cpu_info().model, "threads": torch.get_num_threads()}
            meta.update(batch=args.batch, patch=args.patch)
            json.dump({**meta, "results": res}, f, indent=2)
    return res


if __name__ == "__main__":
    main()
