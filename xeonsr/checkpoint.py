"""Checkpoints and released weights: atomic writes, safe loading (no pickle of objects).

Training checkpoints are torch.save files of tensors and plain containers, read back with
``weights_only=True``. Released weights are safetensors files whose metadata (and a JSON
card beside them) record the model name, scale and constructor arguments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn

from xeonsr.errors import UserError
from xeonsr.fileio import atomic_write, atomic_write_text

CKPT_GLOB = "step_*.pt"


class WeightsError(UserError, ValueError):
    pass


def save_checkpoint(directory: str | Path, step: int, state: dict[str, Any], keep: int = 2) -> Path:
    """Write ``step_<step>.pt`` atomically and prune all but the newest ``keep``."""
    directory = Path(directory)
    path = directory / f"step_{step:08d}.pt"
    atomic_write(path, lambda tmp: torch.save(state, tmp))
    for old in sorted(directory.glob(CKPT_GLOB))[:-keep]:
        old.unlink(missing_ok=True)
    return path


def latest_checkpoint(directory: str | Path) -> tuple[Path, dict[str, Any]] | None:
    """The newest readable checkpoint in ``directory`` (a damaged one is skipped)."""
    for path in sorted(Path(directory).glob(CKPT_GLOB), reverse=True):
        try:
            return path, torch.load(path, map_location="cpu", weights_only=True)
        except Exception:  # noqa: BLE001 - any unreadable file just means "try the older one"
            continue
    return None


def run_in(out: str | Path) -> Path | None:
    """A file showing that folder ``out`` holds a training run (its newest checkpoint, or its
    state), or None."""
    held = sorted((Path(out) / "checkpoints").glob(CKPT_GLOB)) + [p for p in [Path(out) / "state.json"] if p.exists()]
    return held[-1] if held else None


def missing_weights(path: Path) -> WeightsError:
    """The error for a weights file that is not there, naming the weights beside it, or the run
    there that has not written them yet (a run stopped before its last step writes checkpoints only)."""
    there = sorted(p.name for p in path.parent.glob("*.safetensors"))
    if there:  # a finished run's weights, named otherwise (its model and scale)
        return WeightsError(f"{path}: no such weights file; {path.parent} holds {', '.join(there)}")
    held = max((path.parent / "checkpoints").glob(CKPT_GLOB), default=None)
    if held is not None:
        return WeightsError(
            f"{path}: no such weights file; {path.parent} holds a run stopped at step {int(held.stem.split('_')[-1])}: "
            f"`xeonsr train --resume --out {path.parent}` finishes it, or pass its checkpoint {held} as the weights"
        )
    return WeightsError(f"{path}: no such weights file")


def save_weights(model: nn.Module, path: str | Path, card: dict[str, Any]) -> None:
    """safetensors weights with the card in their metadata, plus ``<path>.json``."""
    from safetensors.torch import save_file

    path = Path(path)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta = {"xeonsr": json.dumps(card, sort_keys=True)}
    atomic_write(path, lambda tmp: save_file(tensors, tmp, metadata=meta))
    text = json.dumps(card, indent=2, sort_keys=True) + "\n"
    atomic_write_text(path.with_suffix(".json"), text)


def read_card(path: str | Path) -> dict[str, Any]:
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise missing_weights(path)
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
    except Exception as e:  # noqa: BLE001
        raise WeightsError(f"{path}: not a safetensors weights file ({e})") from None
    if "xeonsr" not in meta:
        raise WeightsError(f"{path}: has no xeonsr metadata (model, scale); was it made by xeonsr?")
    return json.loads(meta["xeonsr"])


def weights_card(path: str | Path) -> dict[str, Any]:
    """The card (model, scale, model_args, ...) of a weights file or a training checkpoint."""
    path = Path(path)
    return checkpoint_card(_read_checkpoint(path), path.name) if _is_torch_zip(path) else read_card(path)


def load_weights(path: str | Path, model_name: str | None = None, scale: int | None = None) -> tuple[nn.Module, dict]:
    """Rebuild the model a weights file (or a training checkpoint) describes; refuse one made
    for another model/scale."""
    from safetensors.torch import load_file

    from xeonsr.models import get_spec

    path = Path(path)
    if _is_torch_zip(path):  # a training checkpoint (runs/*/checkpoints/step_*.pt)
        state = _read_checkpoint(path)
        # With --ema the average is what the run releases, so it is what a checkpoint serves.
        card, tensors = checkpoint_card(state, path.name), state.get("ema", state["model"])
    else:
        card, tensors = read_card(path), None
    if model_name is not None and card.get("model") != model_name:
        raise WeightsError(f"{path}: weights are for model '{card.get('model')}', not '{model_name}'")
    if scale is not None and card.get("scale") != scale:
        raise WeightsError(f"{path}: weights are for x{card.get('scale')}, not x{scale}")
    model = get_spec(card["model"]).cls(**card["model_args"])
    try:
        model.load_state_dict(load_file(str(path)) if tensors is None else tensors)
    except RuntimeError as e:
        first = str(e).splitlines()[1].strip() if "\n" in str(e) else str(e)
        raise WeightsError(f"{path}: weights do not fit {card['model']} x{card['scale']} ({first})") from None
    return model.eval(), card


def _is_torch_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PK\x03\x04"  # torch.save's zip container
    except OSError:
        return False


def _read_checkpoint(path: Path) -> dict[str, Any]:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)  # tensors only, no pickled code
    except Exception as e:  # noqa: BLE001 - torch raises many kinds for foreign or damaged files
        raise WeightsError(f"{path}: not a readable xeonsr checkpoint ({str(e).splitlines()[0]})") from None
    if not (isinstance(state, dict) and "model" in state and "config" in state):
        raise WeightsError(
            f"{path}: a PyTorch file, but not an xeonsr training checkpoint (no model and config); "
            "xeonsr reads its own .safetensors weights and runs/*/checkpoints/step_*.pt"
        )
    return state


def checkpoint_card(state: dict[str, Any], name: str) -> dict[str, Any]:
    """The weights card of a training checkpoint (model, scale and arguments from its config)."""
    cfg = json.loads(state["config"])
    return {
        "model": cfg["model"],
        "scale": cfg["scale"],
        "model_args": cfg["model_args"],
        "config": cfg,
        "steps": int(state["step"]),
        "from_checkpoint": name,
        **({"train_seconds": round(float(state["train_seconds"]), 1)} if "train_seconds" in state else {}),
    }


def weights_from_checkpoint(ckpt: str | Path, out: str | Path, extra: dict[str, Any] | None = None) -> dict:
    """Release a training checkpoint (e.g. of a run stopped by a time limit) as weights + card."""
    model, card = load_weights(ckpt)
    card = {**card, **(extra or {})}
    save_weights(model, out, card)
    return card
