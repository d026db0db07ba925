"""What this install has: the versions of the packages that shape results, and whether a
module can be imported (the slim install has no torch, NNCF or scikit-image)."""

from __future__ import annotations

import importlib.metadata as md
import platform


def versions_of(*packages: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for p in packages:
        try:
            out[p] = md.version(p)
        except md.PackageNotFoundError:
            out[p] = None
    return out


def installed(module: str) -> bool:
    """Whether ``module`` can be imported here (the slim install has no torch, no scikit-image),
    without importing it."""
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except ValueError:  # in sys.modules without a spec
        return True


def versions() -> dict[str, str]:
    """Python and the installed versions of the packages that shape results (for artefacts)."""
    found = versions_of("xeonsr", "numpy", "pillow", "scikit-image", "torch", "openvino", "nncf")
    return {"python": platform.python_version(), **{k: v for k, v in found.items() if v}}
