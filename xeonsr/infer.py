"""PyTorch weights: the shipped ones by model and scale, or a file of the user's."""

from __future__ import annotations

from collections.abc import Callable
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


def model_and_scale(model: str | None, scale: int | None, weights, default_model: Callable[[int], str]):
    """``model`` and ``scale`` as given; what was not given comes from the card of ``weights``
    (so your weights run as what they are), else scale 3 and ``default_model(scale)``."""
    from xeonsr.protocol import check_scale

    if weights and (model is None or scale is None):
        from xeonsr.checkpoint import weights_card

        card = weights_card(weights)
        model, scale = model or card.get("model"), scale or card.get("scale")
    scale = check_scale(scale or 3)
    return model or default_model(scale), scale
