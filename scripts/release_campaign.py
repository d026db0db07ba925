"""Release a finished campaign's final weights as the shipped model, when it clears its floors.

Usage: python scripts/release_campaign.py zoo/campaigns/NAME DATA_DIR [--dry-run]

The campaign's final weights (its last step: nothing is chosen by a score) are evaluated by the
protocol on Set5 and Set14 (graded against the papers' figures, xeonsr.zoo.PAPER_PSNR) and on the
held-out BSD200-val, beside the shipped model's figures. Only when every floor is met, and when
the shipped model left BSD200-val out of its training too, the campaign does at least as well
there (the held-out choice between the two; a test set never picks), are they written over
the package's weights, with a card whose lineage names the campaign's command,
steps, training time, CPU and validation images, and zoo/eval/ is updated. Otherwise it says how
far each floor is and exits 1. The IRs are remade afterwards by their own commands
(`xeonsr export`, `xeonsr quantize`, `xeonsr zoo --update-readme ...`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from xeonsr.checkpoint import load_weights, save_weights
from xeonsr.evaluate import evaluate, load_samples, resolve_dataset
from xeonsr.installed import versions
from xeonsr.protocol import PROTOCOL
from xeonsr.runtime import plane_fn, torch_run
from xeonsr.shipped import PACKAGE_WEIGHTS
from xeonsr.zoo import HELD_OUT, PAPER_PSNR, held_out_of

EVAL_DIR = Path(__file__).resolve().parents[1] / "zoo" / "eval"
VAL = "BSD200-val"  # the held-out set the campaigns validate on


def scores(weights: Path, model: str, scale: int, data_dir: str) -> dict:
    net, _ = load_weights(weights, model, scale)
    fn = plane_fn(torch_run(net.eval(), channels_last=False))
    out = {}
    for ds in ("Set5", "Set14", *HELD_OUT):
        res = evaluate(fn, load_samples(resolve_dataset(HELD_OUT.get(ds, ds), data_dir)[1], scale), scale)
        out[ds] = {"psnr": round(res["mean_psnr"], 3), "ssim": round(res["mean_ssim"], 4), "result": res}
    return out


def command_of(campaign: Path) -> str | None:
    """The command that ran a campaign: its script beside it (zoo/campaigns/NAME.sh), or the
    command.txt a lent-GPU run writes into its folder (scripts/gpu_campaigns.sh); None if neither."""
    script = campaign.parent / f"{campaign.name}.sh"
    if script.is_file():
        lines = script.read_text().split("exec ", 1)[1].replace("\\\n", " ").split()
        return "MINUTES=150 bash " + str(script) + "  # runs: " + " ".join(lines).replace("${XEONSR:-xeonsr}", "xeonsr")
    recorded = campaign / "command.txt"
    return recorded.read_text().strip() if recorded.is_file() else None


def lineage(campaign: Path, card: dict) -> list[dict]:
    """The campaign's round, after the rounds of the campaign it started from (``--init-from``
    weights inside zoo/campaigns: a fine-tuning phase names its whole history)."""
    entry = {
        "round": "campaign",
        "run": str(campaign),
        "steps": card["steps"],
        "wall_s": round(card["train_seconds"], 1),
        "command": command_of(campaign),
        "cpu": card["cpu"],
        "device": card.get("device", "cpu"),
    }
    parent = (card.get("config") or {}).get("init_from")
    if parent:
        src = Path(parent)
        parent_card = src.with_suffix(".json")
        if parent_card.is_file() and command_of(src.parent):  # another campaign's (or GPU run's) weights
            *before, last = lineage(src.parent, json.loads(parent_card.read_text()))
            # The weights this phase started from: a campaign may go on after them.
            return [*before, {**last, "weights": parent}, entry]
        entry["init_from"] = parent
    return [entry]


def cpus_of(rounds: list[dict]) -> str:
    """Every CPU the lineage trained on, in order (a phase moved to another machine names both)."""
    return " + ".join(dict.fromkeys(r["cpu"] for r in rounds if r.get("cpu")))


def main(campaign_dir: str, data_dir: str, dry_run: bool = False) -> int:
    campaign = Path(campaign_dir)
    cards = sorted(campaign.glob("*_x[234].json"))
    if len(cards) != 1:
        print(f"{campaign}: no finished run (its final weights and card are written at the last step)")
        return 1
    card = json.loads(cards[0].read_text())
    model, scale = card["model"], card["scale"]
    new = scores(cards[0].with_suffix(".safetensors"), model, scale, data_dir)
    shipped = PACKAGE_WEIGHTS / f"{model}_x{scale}.safetensors"
    old = scores(shipped, model, scale, data_dir)
    floors = PAPER_PSNR.get((model, scale), {})
    short = {ds: round(p - new[ds]["psnr"], 3) for ds, p in floors.items() if new[ds]["psnr"] < p}
    for ds in new:
        print(f"{model} x{scale} {ds}: campaign {new[ds]['psnr']:.3f}, shipped {old[ds]['psnr']:.3f}"
              + (f", paper {floors[ds]}" if ds in floors else ""))  # fmt: skip
    if short:
        print(f"not released: short of the paper by {short} dB")
        return 1
    shipped_json = shipped.with_suffix(".json")
    shipped_held_out = shipped_json.is_file() and held_out_of(json.loads(shipped_json.read_text()))
    if shipped_held_out and new[VAL]["psnr"] < old[VAL]["psnr"]:
        # Both left BSD200-val out, so it can choose between them; Set5/Set14 only grade.
        print(f"not released: {VAL} {new[VAL]['psnr']:.3f} under the shipped model's {old[VAL]['psnr']:.3f}")
        return 1
    if dry_run:
        print("would release (dry run)")
        return 0
    if command_of(campaign) is None:
        print(f"not released: no {campaign.name}.sh beside {campaign} and no command.txt in it (a card needs one)")
        return 1
    net, _ = load_weights(cards[0].with_suffix(".safetensors"), model, scale)
    rounds = lineage(campaign, card)
    replaced_note = "the model shipped before" + ("" if shipped_held_out else "; it had trained on BSD200-val")
    card.update(
        {
            "lineage": rounds,
            "train_seconds_total": round(sum(r["wall_s"] for r in rounds), 1),
            "trained_on": f"{cpus_of(rounds)}, --device {card.get('device', 'cpu')}, data T91 + BSD200 less BSD200-val",
            "params": sum(p.numel() for p in net.parameters()),
            "eval": {ds: {"psnr": v["psnr"], "ssim": v["ssim"]} for ds, v in new.items()},
            "replaced": {
                "eval": {ds: {"psnr": v["psnr"]} for ds, v in old.items()},
                "note": replaced_note,
            },  # fmt: skip
        }
    )
    save_weights(net, shipped, card)
    for ds in ("Set5", "Set14"):
        record = {"model": model, "dataset": ds, "backend": "torch", "precision": "fp32", **new[ds]["result"]}
        record.update({"protocol": PROTOCOL, "versions": versions()})
        (EVAL_DIR / f"{model}_x{scale}_{ds}.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"released {shipped}")
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="release a finished campaign's final weights over the floors")
    parser.add_argument("campaign_dir", help="the campaign's folder, e.g. zoo/campaigns/fsrcnn_x3_border")
    parser.add_argument("data_dir", help="the folder holding Set5/, Set14/ and BSD200/")
    parser.add_argument("--dry-run", action="store_true", help="grade and say, writing nothing")
    args = parser.parse_args()
    sys.exit(main(args.campaign_dir, args.data_dir, args.dry_run))
