"""The IPEX backend (run in CI's second environment: torch 2.8 + IPEX 2.8, `-m ipex`)."""

import json

import pytest

from xeonsr.info import cpu_info, ipex_status, resolve_backend
from xeonsr.train import TrainConfig, train

pytestmark = pytest.mark.ipex


def test_ipex_is_importable_and_chosen_when_asked():
    ok, why = ipex_status()
    assert ok, why
    assert resolve_backend("ipex")[0] == "ipex"
    backend, note = resolve_backend("auto")  # native: faster than IPEX on every CPU measured
    assert backend == "native" and "--backend ipex" in note


def _cfg(tmp_path, data_dir, backend, precision="fp32", **kw):
    base = dict(
        model="fsrcnn-s",
        scale=3,
        out=str(tmp_path / f"{backend}-{precision}"),
        data_dir=str(data_dir),
        datasets=("T91",),
        steps=100,
        batch_size=16,
        lq_patch=8,
        threads=1,
        backend=backend,
        precision=precision,
        checkpoint_every=100,
        val_every=50,
        val_set="BSD200-val",
        cache_dir=str(tmp_path / "cache"),
        seed=1,
    )
    return TrainConfig(**{**base, **kw})


def _metrics(res):
    return [json.loads(x) for x in (res.checkpoint.parent.parent / "metrics.jsonl").read_text().splitlines()]


def test_ipex_training_matches_native_loss(tmp_path, data_dir):
    native = _metrics(train(_cfg(tmp_path, data_dir, "native"), progress=False))
    ipex = _metrics(train(_cfg(tmp_path, data_dir, "ipex"), progress=False))
    assert ipex[-1]["loss"] == pytest.approx(native[-1]["loss"], rel=0.05)
    assert ipex[-1]["val_psnr"] == pytest.approx(native[-1]["val_psnr"], abs=0.3)


def test_bf16_trains_validates_and_releases_where_the_cpu_has_it(tmp_path, data_dir, capsys):
    from xeonsr.checkpoint import read_card

    res = train(_cfg(tmp_path, data_dir, "ipex", precision="bf16"), progress=False)
    out = capsys.readouterr().out
    from xeonsr.checkpoint import load_weights

    load_weights(res.weights, "fsrcnn-s", 3)  # released as plain fp32 PyTorch weights
    recs = _metrics(res)
    # Validation ran twice (it once crashed inside IPEX's prepacked bf16 convolution).
    assert res.finished and recs[-1]["step"] == 100 and sum("val_psnr" in r for r in recs) == 2
    native = _metrics(train(_cfg(tmp_path, data_dir, "native", precision="bf16"), progress=False))
    assert recs[-1]["val_psnr"] == pytest.approx(native[-1]["val_psnr"], abs=0.5)
    if cpu_info().native_bf16:
        # This CPU has AVX512-BF16/AMX: the bf16 path must have run (a fallback fails here).
        assert "using fp32" not in out
        assert read_card(res.weights)["config"]["precision"] == "bf16"
    else:
        # IPEX refuses bf16 without AVX512-BF16/AMX/AVX-NE-CONVERT: one line, then fp32 with
        # no bf16 autocast over its fp32-prepacked weights (that mix once crashed on Zen 3),
        # and the card says what ran.
        assert "bf16 not supported on this CPU" in out and "using fp32" in out
        assert read_card(res.weights)["config"]["precision"] == "fp32"


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_ipex_run_stopped_and_resumed_equals_an_uninterrupted_one(tmp_path, data_dir, precision):
    from safetensors.torch import load_file

    whole = train(_cfg(tmp_path / "a", data_dir, "ipex", precision, steps=30), progress=False)
    cfg = _cfg(tmp_path / "b", data_dir, "ipex", precision, steps=30)
    assert not train(TrainConfig(**{**cfg.__dict__, "stop_at_step": 12}), progress=False).finished
    parts = train(TrainConfig(**{**cfg.__dict__, "resume": True}), progress=False)
    a, b = load_file(str(whole.weights)), load_file(str(parts.weights))
    assert max(float((a[k] - b[k]).abs().max()) for k in a) < 1e-6
