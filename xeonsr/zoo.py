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
    """The zoo beside the papers. Set5 and Set14 grade; BSD200-val (20 BSD200 images the campaigns
    keep out of training) and the photos (scikit-image's five, no model's training data) show
    whether a model generalises; "validated on" is the set its last run validated on (Set5 for the
    models trained before the held-out rule: their Set5 figures carry that selection)."""
    rows = [
        "| model | scale | Set5 PSNR / SSIM | paper Set5 | Set14 PSNR / SSIM | paper Set14 | floor met "
        "| BSD200-val | photos | validated on | params | trained (steps, wall time, device) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
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
        validated = c.get("val_set") or c.get("config", {}).get("val_set") or "-"
        cell = lambda d, ev=ev: f"{ev[d]['psnr']:.3f} / {ev[d]['ssim']:.4f}" if d in ev else "-"  # noqa: E731
        rows.append(
            f"| {c['model']}{variant} | x{c['scale']} | {cell('Set5')} | {paper.get('Set5', '-')} "
            f"| {cell('Set14')} | {paper.get('Set14', '-')} | {floor} | {_held_out_cell(c, 'BSD200-val')} "
            f"| {_held_out_cell(c, 'photos')} | {validated} | {c.get('params', '-')} "
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
    for p in int8_reports(reports_dir):
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


def int8_reports(reports_dir: Path) -> list[Path]:
    """The reports of a store's INT8 IRs, one per CPU class made for (not the *.rejected.json of
    failed retries)."""
    return sorted(p for p in reports_dir.glob("*_int8*.json") if not p.name.endswith(".rejected.json"))


def _budget_drop(ds: str, r: dict) -> str:
    """What decided: the mean loss of the set's images that lose most (older reports: the mean)."""
    worst = next(((k[5:-8], v) for k, v in r.items() if k.startswith("worst")), None)
    return f"{ds} {worst[1]:+.3f} ({worst[0]} worst)" if worst else f"{ds} {r['drop_db']:+.3f} (mean)"


def _device(card: dict) -> str:
    where = card.get("trained_on", card.get("device", "?"))
    return where.split(",")[0] + (" + AMD EPYC CPU (last round)" if "last round on" in where else "")


# Sets no model is graded on, measured into the cards by `xeonsr zoo --measure-held-out`.
HELD_OUT = {"BSD200-val": "BSD200-val", "photos": "samples"}


def held_out_of(card: dict) -> bool:
    """Whether the card's training data left BSD200-val out (the campaigns' cards say so)."""
    return "less BSD200-val" in card.get("trained_on", "")


def _held_out_cell(card: dict, name: str) -> str:
    ev = card.get("eval", {}).get(name)
    if not ev:
        return "-"
    trained_on = name == "BSD200-val" and not held_out_of(card)
    return f"{ev['psnr']:.3f}" + (" (trained on)" if trained_on else "")


def measure_held_out(data_dir, log=print) -> int:
    """Evaluate every shipped model (PyTorch fp32, the protocol) on the held-out sets and write
    the figures into its card (atomically; other fields untouched). Returns the cards written."""
    from xeonsr.evaluate import bicubic_fn, evaluate, load_samples, resolve_dataset
    from xeonsr.fileio import write_json
    from xeonsr.infer import load_torch_model
    from xeonsr.runtime import plane_fn, torch_run

    sets = {name: resolve_dataset(source, data_dir)[1] for name, source in HELD_OUT.items()}
    for scale in (2, 3, 4):  # the baseline the figures are read against (README)
        psnrs = {
            n: evaluate(bicubic_fn(scale), load_samples(f, scale), scale, with_ssim=False)["mean_psnr"]
            for n, f in sets.items()
        }
        log(f"MATLAB bicubic x{scale}: " + ", ".join(f"{n} {v:.3f}" for n, v in psnrs.items()))
    written = 0
    for path in sorted(WEIGHTS_DIR.glob("*.json")):
        card = json.loads(path.read_text())
        net, _ = load_torch_model(card["model"], card["scale"])
        fn = plane_fn(torch_run(net.eval(), channels_last=False))
        for name, files in sets.items():
            res = evaluate(fn, load_samples(files, card["scale"]), card["scale"])
            card.setdefault("eval", {})[name] = {"psnr": round(res["mean_psnr"], 3), "ssim": round(res["mean_ssim"], 4)}
        write_json(path, card)
        written += 1
        log(f"{path.name}: " + ", ".join(f"{n} {card['eval'][n]['psnr']:.3f}" for n in sets))
    return written
