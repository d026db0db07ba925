"""Runs the training-speed benchmark in miniature so it cannot rot (numbers: train_speed.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from train_speed import main  # noqa: E402


def test_train_speed_runs_every_variant():
    variants = "native-fp32,native-channels-last,paper-layers,ipex,bf16"
    res = main(["--steps", "1", "--models", "fsrcnn-s", "--variants", variants])
    r = res["fsrcnn-s"]
    assert r["native-fp32"] > 0 and r["native-channels-last"] > 0 and r["paper-layers"] > 0
    assert isinstance(r["ipex"], float) or "IPEX" in r["ipex"]
