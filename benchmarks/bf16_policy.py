"""Is bf16 training quality-safe? The same fixed schedule in fp32, bf16, and bf16 with an fp32
final phase, per model: held-out, Set5 and Set14 PSNR of the released weights, and wall time.

Usage (the table in docs/training.md came from this, its CPU named there):
    python benchmarks/bf16_policy.py --data-dir DIR --threads 1 --json benchmarks/results/bf16_policy_<cpu>.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

# model -> (model args, steps, batch, LR patch): schedules short enough to repeat, long enough
# that PSNR is well above bicubic and still moving.
RUNS = {
    "fsrcnn": ({"residual": True}, 3000, 64, 24),
    "srcnn": ({"residual": True}, 2000, 32, 24),
}
POLICIES = {"fp32": ("fp32", None), "bf16": ("bf16", 0.0), "bf16+fp32 last 10%": ("bf16", 0.1)}


def run(model: str, policy: str, data_dir: str, threads: int, work: Path, scale: int = 3, quick: bool = False) -> dict:
    from xeonsr.data import dataset_files
    from xeonsr.evaluate import evaluate, load_samples
    from xeonsr.infer import load_torch_model
    from xeonsr.runtime import plane_fn, torch_run
    from xeonsr.train import TrainConfig, train

    args, steps, batch, patch = RUNS[model]
    if quick:
        steps, batch, patch = 4, 4, 12
    precision, tail = POLICIES[policy]
    cfg = TrainConfig(
        model=model,
        scale=scale,
        out=str(work / f"{model}_{precision}_{tail}"),
        data_dir=data_dir,
        datasets=("T91", "BSD200") if not quick else ("T91",),
        steps=steps,
        batch_size=batch,
        lq_patch=patch,
        lr=1e-3,
        min_lr=1e-6,
        threads=threads,
        precision=precision,
        fp32_tail=tail,
        backend="native",
        val_every=10**9,
        checkpoint_every=10**9,
        model_args=args,
    )
    res = train(cfg, progress=False)
    from xeonsr.checkpoint import read_card

    wall = read_card(res.weights)["train_seconds"]  # the training loop only (no data preparation)
    net, _ = load_torch_model(model, scale, res.weights)
    fn = plane_fn(torch_run(net, channels_last=False))
    psnr = {}
    for ds in ("BSD200-val", "Set5", "Set14"):
        files = dataset_files(ds, data_dir)[1][: 2 if quick else None]
        psnr[ds] = round(evaluate(fn, load_samples(files, scale), scale, with_ssim=False)["mean_psnr"], 3)
    return {
        "model": model,
        "policy": policy,
        "steps": steps,
        "batch": batch,
        "patch": patch,
        "wall_s": round(wall, 1),
        "psnr": psnr,
    }


def markdown(rows: list[dict]) -> str:
    lines = [
        "| model x3 | policy | steps (batch, LR patch) | BSD200-val | Set5 | Set14 | wall s | vs fp32 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    base = {r["model"]: r["wall_s"] for r in rows if r["policy"] == "fp32"}
    for r in rows:
        p = r["psnr"]
        lines.append(
            f"| {r['model']} | {r['policy']} | {r['steps']} ({r['batch']}, {r['patch']}) | {p['BSD200-val']:.3f} "
            f"| {p['Set5']:.3f} | {p['Set14']:.3f} | {r['wall_s']:.0f} | {base[r['model']] / r['wall_s']:.2f}x |"
        )
    return "\n".join(lines)


def main(argv=None) -> list[dict]:
    from xeonsr.info import cpu_info

    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--models", default=",".join(RUNS))
    ap.add_argument("--json")
    ap.add_argument("--quick", action="store_true", help="a few steps each (the test)")
    args = ap.parse_args(argv)
    cpu = cpu_info()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models.split(","):
            for policy in POLICIES:
                rows.append(run(model, policy, args.data_dir, args.threads, Path(tmp), quick=args.quick))
                print(json.dumps(rows[-1]), flush=True)
    print(markdown(rows))
    if args.json:
        meta = {"cpu": cpu.model, "native_bf16": cpu.native_bf16, "threads": args.threads}
        Path(args.json).write_text(json.dumps({**meta, "rows": rows}, indent=2) + "\n")
    return rows


if __name__ == "__main__":
    main()
