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


def exported_from(entry: dict | None, weights: str) -> bool:
    """Whether a store's IR entry was exported from the file ``weights`` (by its hash; the
    shipped IRs record the shipped file by its place in the package)."""
    from xeonsr.irs import SHIPPED_IR_DIR, sha256

    if not entry or not entry.get("weights"):
        return False
    recorded = entry["weights"]
    if recorded.startswith("xeonsr/weights/"):
        recorded = str(SHIPPED_IR_DIR.parent.parent / recorded)
    if entry.get("weights_sha256"):
        return entry["weights_sha256"] == sha256(Path(weights))
    return Path(recorded).is_file() and sha256(Path(recorded)) == sha256(Path(weights))


def ir_dir_for(items: list[str], models: list[str], scale: int, ir_dir, backends: list[str]):
    """The store the OpenVINO rows read, holding the IR of each model's --weights: the typed
    --ir-dir, else the shipped store, else the one `xeonsr export --weights` writes to (said).
    With --weights alone the OpenVINO rows ran the shipped IR beside your weights' PyTorch and
    peer rows: two networks in one table (a 3-step model's 7.2 dB beside the shipped 21.4)."""
    typed = parse_weights(items, models)
    if not typed or not any(b.startswith("ov-") for b in backends):
        return ir_dir
    from xeonsr.irs import SHIPPED_IR_DIR, USER_IR_DIR, ir_stem, named_store, read_manifest

    stores = [named_store(ir_dir)] if ir_dir else [SHIPPED_IR_DIR]
    if not ir_dir and set(typed) == set(models) and USER_IR_DIR.is_dir():
        stores.append(USER_IR_DIR)  # every model's IR from there: none left to the shipped store
    for store in stores:
        entries = read_manifest(store)["models"]
        if all(exported_from(entries.get(ir_stem(m, scale, "fp32")), w) for m, w in typed.items()):
            if store == USER_IR_DIR:
                print(f"xeonsr bench: the OpenVINO rows run the IRs of your weights in {store}", file=sys.stderr)
            return str(store) if store != SHIPPED_IR_DIR else None
    entries = read_manifest(stores[0])["models"]
    m, w = next((m, w) for m, w in typed.items() if not exported_from(entries.get(ir_stem(m, scale, "fp32")), w))
    if ir_dir:
        raise UserError(
            f"--weights {w}: the OpenVINO rows would run {ir_dir}'s {m} x{scale} IR, not exported from those "
            f"weights: `xeonsr export --weights {w} --ir-dir {ir_dir}` (--overwrite), or leave the ov-* backends out"
        )
    raise UserError(
        f"--weights {w}: the OpenVINO rows would run the shipped {m} x{scale} IR, another network: "
        f"`xeonsr export --weights {w} --ir-dir D` and --ir-dir D here, or leave the ov-* backends out"
    )
