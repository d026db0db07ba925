"""The weights the package ships, by model and scale (the IRs made from them: xeonsr.irs)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_WEIGHTS = Path(__file__).parent / "weights"


def shipped_weights(model: str, scale: int) -> Path:
    return PACKAGE_WEIGHTS / f"{model}_x{scale}.safetensors"


def ships_for(model: str) -> str:
    """Which scales ``model`` ships weights for, in words."""
    shipped = sorted(int(p.stem.rsplit("_x", 1)[1]) for p in PACKAGE_WEIGHTS.glob(f"{model}_x*.safetensors"))
    return f"{model} ships for " + ", ".join(f"x{s}" for s in shipped) if shipped else f"no {model} ships"
