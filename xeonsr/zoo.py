"""The shipped model zoo: cards of the weights inside the package, as a table beside the papers."""

from __future__ import annotations

import json
from pathlib import Path

WEIGHTS_DIR = Path(__file__).parent / "weights"

# (model, scale) -> {dataset: PSNR} from the papers that introduced each model (issue 4's floors).
PAPER_PSNR = {
    ("srcnn", 2): {"Set5": 36.34},
    ("srcnn", 3): {"Set5": 32.39, "Set14": 29.00},
    ("srcnn", 4): {"Set5": 30.09},
    ("srcnn-955", 3): {"Set5": 32.75, "Set14": 29.30},
    ("fsrcnn", 2): {"Set5": 37.00, "Set14": 32.63},
    ("fsrcnn", 3): {"Set5": 33.16, "Set14": 29.43},
    ("fsrcnn", 4): {"Set5": 30.71, "Set14": 27.59},
    ("fsrcnn-s", 3): {"Set5": 32.39},
    ("dcscn", 2): {"Set5": 37.62, "Set14": 33.05},
    ("dcscn", 3): {"Set5": 33.09},
    ("dcscn", 4): {"Set5": 30.85},
}


def shipped_cards() -> list[dict]:
    """Cards (JSON beside each .safetensors) of every shipped model, sorted by name and scale."""
    cards = [json.loads(p.read_text()) for p in sorted(WEIGHTS_DIR.glob("*.json"))]
    return sorted(cards, key=lambda c: (c["model"], c["scale"]))


def markdown_table() -> str:
    rows = [
        "| model | scale | Set5 PSNR / SSIM | paper Set5 | Set14 PSNR / SSIM | paper Set14 | floor met "
        "| params | trained (steps, wall time, device) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in shipped_cards():
        ev = c.get("eval", {})
        paper = PAPER_PSNR.get((c["model"], c["scale"]), {})
        met = [ev[d]["psnr"] >= p for d, p in paper.items() if d in ev]
        floor = "-" if not met else ("yes" if all(met) else "**no**")
        args = c["model_args"]
        variant = " (+bicubic skip)" if args.get("residual") else ""
        steps = sum(s["steps"] for s in c.get("lineage", [])) or c.get("steps")
        wall = c.get("train_seconds_total") or c.get("train_seconds") or 0
        cell = lambda d, ev=ev: f"{ev[d]['psnr']:.3f} / {ev[d]['ssim']:.4f}" if d in ev else "-"  # noqa: E731
        rows.append(
            f"| {c['model']}{variant} | x{c['scale']} | {cell('Set5')} | {paper.get('Set5', '-')} "
            f"| {cell('Set14')} | {paper.get('Set14', '-')} | {floor} | {c.get('params', '-')} "
            f"| {steps} steps, {wall / 60:.1f} min, {_device(c)} |"
        )
    return "\n".join(rows)


def int8_table(reports_dir: Path | None = None) -> str:
    """FP32 vs INT8 IR PSNR per shipped model, from quantize/reports/ (written by xeonsr quantize):
    the held-out budget set's drop (what decided), Set5 and Set14 (reported only)."""
    reports_dir = reports_dir or Path(__file__).resolve().parents[1] / "quantize" / "reports"
    rows = [
        "| IR | method | held-out drop (decides) | Set5 FP32 | Set5 INT8 | drop | Set14 FP32 | Set14 INT8 | drop "
        "| multiply-adds in INT8 | layers kept in float | quantized on | made for |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in sorted(reports_dir.glob("*_int8.json")):  # not the *.rejected.json of failed retries
        r = json.loads(p.read_text())
        s5, s14 = r["psnr"]["Set5"], r["psnr"]["Set14"]
        drop = ", ".join(_budget_drop(ds, r["psnr"][ds]) for ds in r.get("budget_sets", {}) if ds in r["psnr"])
        if r.get("status") == "ok":
            int8 = [f"{s5['int8']:.2f}", f"{s5['drop_db']:+.3f}", f"{s14['int8']:.2f}", f"{s14['drop_db']:+.3f}"]
            label = f"{r['model']} x{r['scale']}"
        else:  # no INT8 IR ships: its figures would describe a file that does not exist
            int8 = ["-"] * 4
            label = f"{r['model']} x{r['scale']} ({r.get('status')})"
        on, target = r.get("quantized_on", {}), r["recipe"].get("target_isa", "avx2 (older)")
        rows.append(
            f"| {label} | {r.get('method', 'ptq').split(' ')[0]} | {drop} | {s5['fp32']:.2f} | {int8[0]} | {int8[1]} "
            f"| {s14['fp32']:.2f} | {int8[2]} | {int8[3]} | {r.get('int8_mac_share', 0):.0%} "
            f"| {len(r['layers_kept_in_fp'])} | {on.get('isa', '?')} | {target} |"
        )
    return "\n".join(rows)


def _budget_drop(ds: str, r: dict) -> str:
    """What decided: the mean loss of the set's images that lose most (older reports: the mean)."""
    worst = next(((k[5:-8], v) for k, v in r.items() if k.startswith("worst")), None)
    return f"{ds} {worst[1]:+.3f} ({worst[0]} worst)" if worst else f"{ds} {r['drop_db']:+.3f} (mean)"


def _device(card: dict) -> str:
    where = card.get("trained_on", card.get("device", "?"))
    return where.split(",")[0] + (" + AMD EPYC CPU (last round)" if "last round on" in where else "")
