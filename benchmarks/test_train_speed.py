"""Runs the training-speed benchmark in miniature so it cannot rot (numbers: train_speed.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from train_speed import main  # noqa: E402


def test_train_speed_runs_every_variant():
    res = main(["--steps", "1", "--models", "fsrcnn-s", "--variants", "native-fp32,native-channels-last,ipex,bf16"])
    r = res["fsrcnn-s"]
    assert r["native-fp32"] > 0 and r["native-channels-last"] > 0
    assert isinstance(r["ipex"], float) or "IPEX" in r["ipex"]
