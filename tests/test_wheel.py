"""The wheel is the product for deployers: it carries the shipped IRs and upscales with
OpenVINO in a fresh virtual environment that has no torch (the slim install of README)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd, **kw):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc


@pytest.mark.slow
def test_built_wheel_upscales_with_openvino_in_a_fresh_venv_without_torch(tmp_path):
    _run(sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", tmp_path / "dist")
    wheel = next((tmp_path / "dist").glob("xeonsr-*.whl"))
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    pip = [venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    _run(*pip, "-r", ROOT / "requirements-deploy.txt")
    _run(*pip, "--no-deps", wheel)
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (40, 52, 3), dtype=np.uint8)).save(tmp_path / "bird.png")
    out = _run(
        venv / "bin" / "xeonsr", "upscale", tmp_path / "bird.png", "-o", tmp_path / "out.png", "--scale", "3",
        "--backend", "openvino", cwd=tmp_path,
    )  # fmt: skip
    assert "openvino" in out.stdout and Image.open(tmp_path / "out.png").size == (156, 120)
    # The IRs came from the installed package (verified by sha256 on load), and torch is absent.
    probe = (
        "import importlib.util, xeonsr.irs as i; print(i.SHIPPED_IR_DIR); "
        "print(importlib.util.find_spec('torch') is None); i.locate_ir('fsrcnn', 3, 'fp32')"
    )
    where, no_torch = _run(venv / "bin" / "python", "-c", probe, cwd=tmp_path).stdout.split()
    assert "site-packages" in where and no_torch == "True"
