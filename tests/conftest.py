import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Compiled networks the tests make are kept in a folder of this run's, not in the user's cache
# (the subprocesses the tests start inherit it).
_CACHE = tempfile.TemporaryDirectory(prefix="xeonsr-test-cache-")
os.environ["XEONSR_CACHE_DIR"] = _CACHE.name


def _data_dir() -> Path | None:
    for cand in (os.environ.get("XEONSR_DATA"), REPO.parent / "shared" / "datasets"):
        if cand and (Path(cand) / "Set5").is_dir():
            return Path(cand)
    return None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = _data_dir()
    if d is None:
        pytest.skip("datasets not found: set XEONSR_DATA to the folder holding Set5/, Set14/, T91/")
    return d
