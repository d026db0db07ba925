"""The wheel is the product for deployers: it carries the shipped IRs and upscales with
OpenVINO in a fresh virtual environment that has no torch (the slim install of README), on the
newest OpenVINO and on the oldest that requirements-deploy.txt allows."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "requirements-deploy.txt"


def _run(*cmd, **kw):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", dist)
    return next(dist.glob("xeonsr-*.whl"))


def _slim_venv(where: Path, wheel: Path, floors: bool = False) -> Path:
    """README's slim install (scripts/openvino_versions.py makes it; ``floors``: each requirement
    at the oldest version it allows); -> its bin folder."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from openvino_versions import slim_venv

    return slim_venv(where, wheel, floors=floors).parent


def _bench_runs(xeonsr: Path, data_dir: Path, cwd: Path) -> None:
    """`xeonsr bench` without torch or NNCF: the OpenVINO rows by default, their GFLOP/s from the
    manifest, both practical peaks."""
    bench = _run(
        xeonsr, "bench", "--models", "fsrcnn-s", "--dataset", "Set5", "--data-dir", data_dir, "--repeats", "1",
        "--warmup", "0", "--threads", "2", cwd=cwd,
    ).stdout  # fmt: skip
    assert "practical FP32 peak" in bench and "practical INT8 peak" in bench and "skip" not in bench
    rows = [line.split() for line in bench.splitlines() if line.startswith("fsrcnn-s ") and "|" in line]
    summary = [r for r in rows if r[2].replace(".", "").isdigit()]  # not the per-image rows
    assert [r[1] for r in summary] == ["ov-fp32", "ov-int8"] and all(float(r[5]) > 0 for r in summary), bench


def test_the_openvino_floor_is_stated_once_in_code_and_once_for_pip():
    from xeonsr.openvino_releases import OLDEST

    floor = re.search(r"^openvino>=(\d+)\.(\d+)\s*$", DEPLOY.read_text(), re.M)
    assert floor and (int(floor[1]), int(floor[2])) == OLDEST


@pytest.mark.slow
def test_built_wheel_upscales_with_openvino_in_a_fresh_venv_without_torch(tmp_path, wheel, data_dir):
    bin_dir = _slim_venv(tmp_path / "venv", wheel)
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (40, 52, 3), dtype=np.uint8)).save(tmp_path / "bird.png")
    out = _run(
        bin_dir / "xeonsr", "upscale", tmp_path / "bird.png", "-o", tmp_path / "out.png", "--scale", "3",
        "--backend", "openvino", cwd=tmp_path,
    )  # fmt: skip
    assert "openvino" in out.stdout and Image.open(tmp_path / "out.png").size == (156, 120)
    # The IRs came from the installed package (verified by sha256 on load), and torch is absent.
    probe = (
        "import importlib.util, xeonsr.irs as i; print(i.SHIPPED_IR_DIR); "
        "print(importlib.util.find_spec('torch') is None); i.locate_ir('fsrcnn', 3, 'fp32')"
    )
    where, no_torch = _run(bin_dir / "python", "-c", probe, cwd=tmp_path).stdout.split()
    assert "site-packages" in where and no_torch == "True"
    # Where an IR's time goes, in the service's own environment.
    xeonsr = bin_dir / "xeonsr"
    prof = _run(xeonsr, "profile", "fsrcnn", "--scale", "3", "--size", "40x30", "--repeats", "3", cwd=tmp_path)
    assert "head_columns.columns" in prof.stdout and "ms per inference" in prof.stdout
    _bench_runs(xeonsr, data_dir, tmp_path)
    # eval as it is typed: the IR (no torch), PSNR (no scikit-image for SSIM), each said
    ev = _run(xeonsr, "eval", "--model", "fsrcnn-s", "--dataset", "Set5", "--data-dir", data_dir, cwd=tmp_path)
    assert "runs: OpenVINO fp32 IR" in ev.stdout and "PSNR only" in ev.stderr
    assert "training:   needs torch" in _run(xeonsr, "info", cwd=tmp_path).stdout
    # Asked for PyTorch without it: one line that says what to install, exit status 1.
    proc = subprocess.run(
        [bin_dir / "xeonsr", "upscale", tmp_path / "bird.png", "-o", tmp_path / "t.png", "--backend", "torch"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 1 and not (tmp_path / "t.png").exists()
    assert proc.stderr.count("\n") == 1 and "torch is not installed" in proc.stderr and "pip install" in proc.stderr


@pytest.mark.slow
def test_the_oldest_versions_allowed_run_every_ir_form_as_the_newest_do(tmp_path, wheel, data_dir):
    """Services pin their libraries (OpenVINO 2023.3 is an LTS release): with every deployment
    requirement at its floor the shipped IRs, in this CPU's forms, give the newest OpenVINO's PSNR
    per image, and a tiled image over two streams comes out as it does here."""
    bin_dir = _slim_venv(tmp_path / "venv", wheel, floors=True)
    from xeonsr.openvino_releases import OLDEST

    found = _run(bin_dir / "python", "-c", "import openvino; print(openvino.__version__)").stdout
    assert found.startswith("{}.{}.".format(*OLDEST)), found
    # One IR of each kind of rewrite xeonsr.ir_forms makes: SRCNN FP32 (first layer in rows, last
    # as a row pair), FSRCNN INT8 (quantized rows, column pair), DCSCN INT8 (sub-pixel head), SRCNN
    # INT8 (on AMX its row copies by a one-hot convolution).
    runs = (("srcnn", 3, "fp32"), ("fsrcnn", 3, "int8"), ("dcscn", 2, "int8"), ("srcnn", 3, "int8"))
    for model, scale, precision in runs:
        psnr = {}
        for name, exe in (("oldest", bin_dir / "xeonsr"), ("here", Path(sys.executable).with_name("xeonsr"))):
            out = tmp_path / f"{name}_{model}_{precision}.json"
            _run(
                exe, "eval", "--model", model, "--scale", scale, "--dataset", "Set5,Set14", "--data-dir", data_dir,
                "--backend", "openvino", "--precision", precision, "--no-ssim", "--threads", "2", "--json", out,
            )  # fmt: skip
            sets = json.loads(out.read_text())["sets"]
            psnr[name] = [image["psnr"] for s in ("Set5", "Set14") for image in sets[s]["images"]]
        assert len(psnr["oldest"]) == 19
        # 2023.3 to 2026.4 on an AMD EPYC Zen 3: within 0.0007 dB per image over every shipped IR.
        assert np.abs(np.subtract(psnr["oldest"], psnr["here"])).max() < 0.005, (model, psnr)
    _bench_runs(bin_dir / "xeonsr", data_dir, tmp_path)
    rng = np.random.default_rng(1)
    big = rng.integers(0, 256, (700, 520, 3), dtype=np.uint8)
    big[::2] //= 2  # not pure noise: rows the network makes something of
    Image.fromarray(big).save(tmp_path / "big.png")
    for name, exe in (("oldest", bin_dir / "xeonsr"), ("here", Path(sys.executable).with_name("xeonsr"))):
        _run(
            exe, "upscale", tmp_path / "big.png", "-o", tmp_path / f"{name}.png", "--scale", "2", "--tile", "200",
            "--jobs", "2", "--backend", "openvino", "--precision", "int8",
        )  # fmt: skip
    a, b = (np.asarray(Image.open(tmp_path / f"{n}.png"), dtype=np.float64) for n in ("oldest", "here"))
    assert a.shape == b.shape == (1400, 1040, 3)
    assert 10 * np.log10(255**2 / max(np.mean((a - b) ** 2), 1e-12)) > 50
