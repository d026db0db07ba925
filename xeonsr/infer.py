"""PyTorch weights: the shipped ones by model and scale, or a file of the user's."""

from __future__ import annotations

from pathlib import Path

PACKAGE_WEIGHTS = Path(__file__).parent / "weights"


def shipped_weights(model: str, scale: int) -> Path:
    return PACKAGE_WEIGHTS / f"{model}_x{scale}.safetensors"


def load_torch_model(model: str, scale: int, weights: str | Path | None = None):
    """The shipped (or given) weights for ``model`` at ``scale``, as an eval-mode module."""
    from xeonsr.checkpoint import WeightsError, load_weights
    from xeonsr.models import get_spec

    get_spec(model)  # unknown names fail here with the list of known ones
    path = Path(weights) if weights else shipped_weights(model, scale)
    if not path.is_file():
        if weights:
            raise WeightsError(f"{path}: no such weights file")
        raise WeightsError(
            f"no shipped weights for {model} x{scale} (looked for {path}); train them with "
            f"`xeonsr train --model {model} --scale {scale}` and pass --weights"
        )
    return load_weights(path, model_name=model, scale=scale)
