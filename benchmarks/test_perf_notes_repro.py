"""Runs the perf-notes reproduction in miniature so it cannot rot (numbers: its JSON in results/)."""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from perf_notes_repro import NOTES_MS, main  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def test_every_probe_of_the_notes_runs_beside_ours():
    data = next((Path(d) for d in (os.environ.get("XEONSR_DATA"), REPO.parent / "shared" / "datasets") if d), None)
    if data is None or not (data / "Set14").is_dir():
        pytest.skip("Set14 not found: set XEONSR_DATA")
    res = main(["--data-dir", str(data), "--images", "1", "--rounds", "1", "--skip-torch"])
    probes = {r["probe"]: r for r in res["rows"]}
    assert res["images"] == 1 and res["peak_gflops"] > 0
    assert set(NOTES_MS) - set(probes) == {"FSRCNN x3, deconvolution, PyTorch FP32"}
    assert all(r["ms"] > 0 for r in probes.values())
    ours = [p for p in probes if p.startswith("xeonsr")]
    assert len(ours) == 2 and all(probes[p]["notes_ms"] is None for p in ours)
