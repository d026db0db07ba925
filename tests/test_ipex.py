"""The IPEX backend (run in CI's second environment: torch 2.8 + IPEX 2.8, `-m ipex`)."""

import json

import pytest

from xeonsr.info import cpu_info, ipex_status, resolve_backend
from xeonsr.train import TrainConfig, train

pytestmark = pytest.mark.ipex


def test_ipex_is_importable_and_chosen_by_auto():
    ok, why = ipex_status()
    assert ok, why
    assert resolve_backend("auto")[0] == "ipex"


def _run(tmp_path, data_dir, backend, precision="fp32"):
    out = tmp_path / f"{backend}-{precision}"
    cfg = TrainConfig(
        model="fsrcnn-s",
        scale=3,
        out=str(out),
        data_dir=str(data_dir),
        datasets=("T91",),
        steps=100,
        batch_size=16,
        lq_patch=8,
        threads=1,
        backend=backend,
        precision=precision,
        checkpoint_every=100,
        val_every=100,
        cache_dir=str(tmp_path / "cache"),
        seed=1,
    )
    train(cfg, progress=False)
    return [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]


def test_ipex_training_matches_native_loss(tmp_path, data_dir):
    native = _run(tmp_path, data_dir, "native")
    ipex = _run(tmp_path, data_dir, "ipex")
    assert ipex[-1]["loss"] == pytest.approx(native[-1]["loss"], rel=0.05)
    assert ipex[-1]["val_psnr"] == pytest.approx(native[-1]["val_psnr"], abs=0.3)


def test_bf16_follows_what_the_cpu_supports(tmp_path, data_dir, capsys):
    recs = _run(tmp_path, data_dir, "ipex", precision="bf16")
    out = capsys.readouterr().out
    assert recs[-1]["step"] == 100
    if cpu_info().native_bf16:
        assert "using fp32" not in out
    else:
        # IPEX refuses bf16 without AVX512-BF16/AMX/AVX-NE-CONVERT: one line, then fp32.
        assert "bf16 not supported on this CPU" in out and "using fp32" in out
