"""Y-channel upscalers over PyTorch or OpenVINO, sharing one interface.

An upscale function maps an LR Y image (h, w) float on 0..255 to (s*h, s*w) float on 0..255.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

UpscaleFn = Callable[[np.ndarray], np.ndarray]

PACKAGE_WEIGHTS = Path(__file__).parent / "weights"


def shipped_weights(model: str, scale: int) -> Path:
    return PACKAGE_WEIGHTS / f"{model}_x{scale}.safetensors"


def torch_upscale_fn(model, device: str = "cpu") -> UpscaleFn:
    import torch

    def fn(lr: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.ascontiguousarray(lr, dtype=np.float32) / 255.0)[None, None]
        with torch.inference_mode():
            y = model(x.to(device)).float().cpu().numpy()[0, 0]
        return y * 255.0

    return fn


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
