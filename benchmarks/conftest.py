import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]

# Compiled networks these runs make are kept in a folder of the run's, not in the user's cache.
_CACHE = tempfile.TemporaryDirectory(prefix="xeonsr-bench-cache-")
os.environ["XEONSR_CACHE_DIR"] = _CACHE.name


@pytest.fixture(scope="session")
def lr_images():
    """LR Y inputs of a few sizes (a Set14-average image is about 170x150 at x3)."""
    rng = np.random.default_rng(0)
    sizes = [(64, 64), (150, 170)] if os.environ.get("XEONSR_BENCH_QUICK") else [(64, 64), (150, 170), (256, 256)]
    return {f"{h}x{w}": rng.random((1, 1, h, w), dtype=np.float32) for h, w in sizes}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    for cand in (os.environ.get("XEONSR_DATA"), REPO.parent / "shared" / "datasets"):
        if cand and (Path(cand) / "Set5").is_dir():
            return Path(cand)
    pytest.skip("datasets not found: set XEONSR_DATA to the folder holding Set5/, Set14/, T91/")
