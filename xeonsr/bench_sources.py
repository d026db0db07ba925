"""What each `xeonsr bench` row runs: the model and scale left out of the command (from your
weights' card or the one model a store holds), and the weights of its PyTorch and peer rows
(yours, or those the store's IR was exported from, so that every row times one network)."""

from __future__ import annotations

import sys
from pathlib import Path

from xeonsr.errors import UserError


def own_model(weights: list[str], ir_dir: str | None, scale: int | None) -> tuple[str, int | None]:
    """--models (and --scale) left out: those of one --weights FILE's card, else the models an
    --ir-dir store holds (at --scale where given; none is one line), else srcnn,fsrcnn. `xeonsr bench --weights W`
    said to name the model of W, and benchmarked W's scale as x3."""
    if len(weights) == 1 and "=" not in weights[0]:
        from xeonsr.checkpoint import weights_card

        card = weights_card(weights[0])
        return card["model"], scale or card["scale"]
    if ir_dir:
        from xeonsr.irs import held_models, named_store

        held = held_models(named_store(ir_dir), scale=scale)
        if not held:  # nothing of it to time: said as every command says it
            from xeonsr.infer import store_model

            store_model(None, scale, Path(ir_dir), lambda s: "fsrcnn")
        scales = {s for _, s in held}
        return ",".join(dict.fromkeys(m for m, _ in held)), scale or (scales.pop() if len(scales) == 1 else None)
    return "srcnn,fsrcnn", scale


def parse_weights(items: list[str], models: list[str]) -> dict[str, str]:
    """``--weights FILE`` (one model) or ``--weights MODEL=FILE`` -> {model: file}."""
    out = {}
    for item in items:
        model, sep, path = item.partition("=")
        if not sep:
            if len(models) != 1:
                raise UserError(f"--weights {item}: name the model (MODEL=FILE) when benchmarking {len(models)} models")
            model, path = models[0], item
        if model not in models:
            raise UserError(f"--weights {item}: {model} is not among --models {','.join(models)}")
        out[model] = path
    return out


def weights_for(items: list[str], models: list[str], scale: int, ir_dir, backends: list[str]) -> dict[str, str]:
    """--weights, and for the models it leaves out, the file an --ir-dir store's FP32 IR was
    exported from: the IR rows and the PyTorch and peer rows then time one network (with
    --ir-dir alone, the PyTorch and peer rows ran the shipped weights beside your IR, unsaid)."""
    out = parse_weights(items, models)
    if not ir_dir or all(b.startswith("ov-") for b in backends):
        return out
    from xeonsr.irs import ir_stem, named_store, read_manifest

    entries = read_manifest(named_store(ir_dir))["models"]
    for m in models:
        recorded = entries.get(ir_stem(m, scale, "fp32"), {}).get("weights")
        if m in out or not recorded or recorded.startswith("xeonsr/weights/"):
            continue
        if not Path(recorded).is_file():
            raise UserError(
                f"{ir_dir}'s {m} x{scale} IR was exported from {recorded}, which is not there: the PyTorch and "
                f"peer rows run those weights (--weights {m}=FILE)"
            )
        print(f"xeonsr bench: {m}'s PyTorch and peer rows run {recorded}, as its IR in {ir_dir}", file=sys.stderr)
        out[m] = recorded
    return out
