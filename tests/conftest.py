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


@pytest.fixture(autouse=True)
def _every_cpu_as_found():
    """A test that pins this process to fewer CPUs (a bench or throughput run with --threads 1:
    xeonsr.threads.apply_threads(pin=True)) leaves the tests after it the CPUs it found, not one."""
    before = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    yield
    if before is not None and os.sched_getaffinity(0) != before:
        os.sched_setaffinity(0, before)


@pytest.fixture(autouse=True)
def _quick_peaks(monkeypatch):
    """The bench's FP32 and BF16 peaks on 512^3 products, not 2048^3: a real peak still (the rows'
    share of it is checked), in 1/64 of the work (a bench in a test spent ~20 s on them: `python -m cProfile
    -s cumtime -m pytest tests/test_bench.py::test_opencv_peer_computes_our_function`)."""
    monkeypatch.setattr("xeonsr.peaks.MATRIX_SIDE", 512)
