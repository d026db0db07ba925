"""Where OpenVINO keeps compiled networks between processes (its model cache; xeonsr.ov.compile_ir
uses it for the runner :class:`xeonsr.upscaler.Upscaler` loads)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(create: bool = True) -> Path | None:
    """Where compiled networks are kept between processes: $XEONSR_CACHE_DIR (empty: nowhere),
    else $XDG_CACHE_HOME/xeonsr/openvino or ~/.cache/xeonsr/openvino; None where it can't be made
    (``create``: made here if missing)."""
    path = os.environ.get("XEONSR_CACHE_DIR")
    if path is None:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        path = str(Path(base) / "xeonsr" / "openvino")
    if not path or not create:
        return Path(path) if path else None
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a cache is a saving, never a reason to fail
    return Path(path)
