"""Where OpenVINO keeps compiled networks between processes (its model cache; xeonsr.ov.compile_ir
uses it for the runner :class:`xeonsr.upscaler.Upscaler` loads)."""

from __future__ import annotations

import os
from contextlib import contextmanager
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


@contextmanager
def held(where: Path | None):
    """The cache's lock, for as long as a process compiles into it or loads from it: OpenVINO
    writes a compiled network's file in place, so a process started beside another could load a
    half-written one (a shape error or a crash at its first inference: 1 in 10 runs of four
    processes at once on the Zen 2, session 55). ``where`` None: no cache, no lock; a lock that
    can't be taken (no fcntl, a read-only folder) is waited for by nobody."""
    if where is None:
        yield
        return
    try:
        import fcntl

        f = open(where / ".lock", "a")  # noqa: SIM115 - held across the yield
    except (ImportError, OSError):
        yield
        return
    with f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
