"""README's first quick-start command, `bash scripts/quickstart.sh`, as a user runs it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def _averages(out: str) -> dict[str, float]:
    """Mean PSNR per evaluated model, from the tables `xeonsr eval` prints."""
    found, model = {}, None
    for line in out.splitlines():
        head = re.match(r"(\S+) x3 on samples", line)
        if head:
            model = head.group(1)
        elif line.startswith("average") and model:
            found[model] = float(line.split()[1])
    return found


@pytest.mark.skipif(
    Path(sys.prefix).resolve() != (ROOT / ".venv").resolve(),
    reason="the script installs into and runs from the checkout's .venv (scripts/test.sh and CI use it)",
)
def test_quickstart_runs_the_main_job_on_its_embedded_default():
    # Without a data dir the main job is the embedded default: scikit-image's photos.
    env = {k: v for k, v in os.environ.items() if k != "XEONSR_DATA"}
    proc = subprocess.run(["bash", "scripts/quickstart.sh"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert out.startswith("CPU:") and "ISA flags:" in out
    means = _averages(out)
    assert set(means) == {"bicubic", "fsrcnn"}, out
    assert 27 < means["bicubic"] < 33 and means["fsrcnn"] > means["bicubic"] + 1.0, means
    assert "runs: OpenVINO int8 IR" in out
    photo = Image.open(ROOT / "runs" / "quickstart" / "astronaut_x3.png")
    assert photo.size == (3 * 512, 3 * 512)
    assert Image.open(ROOT / "runs" / "quickstart" / "compare.png").format == "PNG"
