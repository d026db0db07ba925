"""Release the lent-GPU training runs as the package's shipped weights.

For each (model, scale) this picks the run named in SHIPPED, releases its final weights (or,
for a run stopped by the device call's time limit, its last checkpoint), writes the card with
the lineage of `xeonsr train` commands that produced it, and evaluates it on Set5 and Set14
by the protocol (`xeonsr eval` code path), recording the results in zoo/eval/.

Usage: python scripts/assemble_zoo.py RUNS_ROOT DATA_DIR [model:scale ...]
  RUNS_ROOT holds round1/ round2/ round3/ as returned from the device and cpu4/ ... cpu7/ (the
  CPU fine-tunes of runs/); zoo/runs has their logs. Named model:scale pairs limit the work.
"""

from __future__ import annotations

import json
from pathlib import Path

from xeonsr.checkpoint import load_weights, save_weights, weights_from_checkpoint
from xeonsr.evaluate import evaluate, load_samples
from xeonsr.installed import versions
from xeonsr.protocol import PROTOCOL
from xeonsr.runtime import plane_fn, torch_run
from xeonsr.shipped import PACKAGE_WEIGHTS

# (model, scale) -> [(round, run name), ...] oldest first; the last one is shipped.
SHIPPED = {
    ("srcnn", 2): [("round2", "srcnn-res_2"), ("round3", "srcnn-res_2_ft"), ("cpu4", "cpu_ft_srcnn_x2")],
    ("srcnn", 3): [("round1", "srcnn-res_3"), ("round2", "srcnn-res_3_cont"), ("round3", "srcnn-res_3_ft")],
    ("srcnn", 4): [("round2", "srcnn-res_4"), ("round3", "srcnn-res_4_ft")],
    ("srcnn-955", 3): [("round1", "srcnn-955_3"), ("round2", "srcnn-955_3_cont")],
    ("fsrcnn", 2): [
        ("round2", "fsrcnn-res_2"),
        ("round3", "fsrcnn-res_2_ft"),
        ("cpu4", "cpu_ft_fsrcnn_x2"),
        ("cpu5", "cpu5_fsrcnn_x2_p32"),
    ],
    ("fsrcnn", 3): [
        ("round2", "fsrcnn-res_3"),
        ("round3", "fsrcnn-res_3_ft"),
        ("cpu6", "cpu6_fsrcnn_x3_p40"),
        ("cpu7", "cpu7_fsrcnn_x3_p32"),
    ],
    ("fsrcnn", 4): [("round2", "fsrcnn-res_4"), ("round3", "fsrcnn-res_4_ft")],
    ("fsrcnn-s", 2): [("round1", "fsrcnn-s_2")],
    ("fsrcnn-s", 3): [
        ("round2", "fsrcnn-s-res_3"),
        ("round3", "fsrcnn-s-res_3_ft"),
        ("cpu6", "cpu6_fsrcnn-s_x3_p48m"),
        ("cpu7", "cpu7_fsrcnn-s_x3_p32"),
    ],
    ("fsrcnn-s", 4): [("round1", "fsrcnn-s_4")],
    ("dcscn", 2): [
        ("round1", "dcscn_2"),
        ("round2", "dcscn_2_cont"),
        ("round3", "dcscn_2_ft"),
        ("cpu5", "cpu5_dcscn_x2_b16"),
    ],
    ("dcscn", 3): [("round1", "dcscn_3")],
    ("dcscn", 4): [("round1", "dcscn_4")],
}


def release(run: Path, model: str, scale: int, out: Path) -> dict:
    final = run / f"{model}_x{scale}.safetensors"
    if final.exists():
        m, card = load_weights(final, model, scale)
        save_weights(m, out, card)
        return card
    ckpt = sorted((run / "checkpoints").glob("step_*.pt"))[-1]
    return weights_from_checkpoint(
        ckpt, out, {"note": "run stopped by the device call's time limit; weights of its last checkpoint"}
    )


def main(runs_root: str, data_dir: str, *only: str) -> None:
    root = Path(runs_root)
    eval_dir = Path("zoo/eval")
    eval_dir.mkdir(parents=True, exist_ok=True)
    sets = {name: {s: load_samples(Path(data_dir) / name, s) for s in (2, 3, 4)} for name in ("Set5", "Set14")}
    for (model, scale), lineage in SHIPPED.items():
        if only and f"{model}:{scale}" not in only:
            continue
        rnd, name = lineage[-1]
        out = PACKAGE_WEIGHTS / f"{model}_x{scale}.safetensors"
        card = release(root / rnd / name, model, scale, out)
        steps = []
        for r, n in lineage:
            cmd = Path("zoo/runs") / r / n / "command.txt"
            recs = [json.loads(x) for x in (Path("zoo/runs") / r / n / "metrics.jsonl").read_text().splitlines()]
            steps.append(
                {
                    "round": r,
                    "run": n,
                    "steps": recs[-1]["step"],
                    "wall_s": round(recs[-1]["wall_s"], 1),
                    "command": cmd.read_text().strip() if cmd.exists() else f"see zoo/zoo_{r}.txt ({n})",
                }
            )
        m, _ = load_weights(out, model, scale)
        fn = plane_fn(torch_run(m, channels_last=False))
        results = {}
        for ds, by_scale in sets.items():
            res = evaluate(fn, by_scale[scale], scale)
            results[ds] = {"psnr": round(res["mean_psnr"], 3), "ssim": round(res["mean_ssim"], 4)}
            (eval_dir / f"{model}_x{scale}_{ds}.json").write_text(
                json.dumps(
                    {
                        "model": model,
                        "dataset": ds,
                        "backend": "torch",
                        "precision": "fp32",
                        **res,
                        "protocol": PROTOCOL,
                        "versions": versions(),
                    },
                    indent=1,
                )
                + "\n"
            )
        card.update(
            {
                "lineage": steps,
                "train_seconds_total": round(sum(s["wall_s"] for s in steps), 1),
                "trained_on": "NVIDIA H100 80GB HBM3 (lent device), data T91 + BSD200, --device cuda"
                + ("; last round on AMD EPYC (2 cores, 1 thread), --device cpu" if rnd.startswith("cpu") else ""),
                "params": sum(p.numel() for p in m.parameters()),
                "eval": results,
            }
        )
        save_weights(m, out, card)
        print(model, scale, results, flush=True)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="release the lent-GPU training runs as the shipped weights")
    parser.add_argument("runs_root", help="holds round1/ round2/ round3/ and cpu4/ ... cpu7/")
    parser.add_argument("data_dir", help="the folder holding Set5/ and Set14/")
    parser.add_argument("only", nargs="*", metavar="model:scale", help="limit the work to these")
    args = parser.parse_args()
    main(args.runs_root, args.data_dir, *args.only)
