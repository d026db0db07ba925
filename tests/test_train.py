"""Training: trains, validates, checkpoints; survives kill -9; clear messages on bad data."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from xeonsr.checkpoint import WeightsError, load_weights, read_card
from xeonsr.data import PatchConfig, build_pairs
from xeonsr.train import TrainConfig, TrainError, loss_margin_hr, make_loss, train

# bf16 runs everywhere: natively with AVX512-BF16/AMX, emulated (slowly, said so) elsewhere.
PRECISIONS = ["fp32", "bf16"]


@pytest.fixture()
def tiny_data(tmp_path, data_dir):
    """Four T91 images for training and two smaller crops of T91 images for validation."""
    root = tmp_path / "data"
    (root / "train").mkdir(parents=True)
    (root / "val").mkdir()
    t91 = sorted((data_dir / "T91").iterdir())
    for p in t91[:4]:
        shutil.copy(p, root / "train" / p.name)
    for p in t91[10:12]:
        Image.open(p).convert("RGB").crop((0, 0, 60, 48)).save(root / "val" / (p.stem + ".png"))
    return root


def _cfg(root, out, **kw):
    base = dict(
        model="fsrcnn-s",
        scale=3,
        out=str(out),
        data_dir=str(root),
        datasets=("train",),
        val_set=str(root / "val"),
        steps=40,
        batch_size=8,
        lq_patch=8,
        threads=1,
        checkpoint_every=20,
        val_every=20,
        cache_dir=str(root / "cache"),
        precision="fp32",  # explicit: the bf16 path has its own parametrised tests
    )
    base.update(kw)
    return TrainConfig(**base)


def _train_args(data: Path, out: Path, steps: int) -> list[str]:
    """`xeonsr train` arguments for a tiny fsrcnn-s x3 run on the test's data."""
    return [
        "xeonsr.cli",
        "train",
        "--model",
        "fsrcnn-s",
        "--scale",
        "3",
        "--data-dir",
        str(data),
        "--datasets",
        "train",
        "--out",
        str(out),
        "--steps",
        str(steps),
        "--batch-size",
        "8",
        "--patch",
        "8",
        "--threads",
        "1",
        "--val-set",
        str(data / "val"),
    ]


@pytest.mark.parametrize("precision", PRECISIONS)
def test_short_run_trains_validates_checkpoints(tiny_data, tmp_path, precision):
    out = tmp_path / "run"
    res = train(_cfg(tiny_data, out, precision=precision), progress=False)
    weights = res.weights
    recs = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert recs[-1]["step"] == 40
    vals = [r["val_psnr"] for r in recs if "val_psnr" in r]
    assert len(vals) == 2 and all(np.isfinite(vals))
    assert res.val == ("val", vals[-1])  # what `xeonsr train` prints beside the weights
    assert (out / "curve.png").stat().st_size > 1000
    ckpts = sorted((out / "checkpoints").glob("step_*.pt"))
    state = torch.load(ckpts[-1], weights_only=True)  # no pickled objects
    assert state["step"] == 40
    card = read_card(weights)
    assert card["model_args"]["d"] == 32 and card["config"]["backend"] in ("native", "ipex")
    assert card["config"]["precision"] == precision  # the path asked for is the path that ran
    assert card["val_images"] == sorted(p.stem for p in (tiny_data / "val").iterdir()) and card["released"].startswith(
        "the last step (40)"
    )
    model, _ = load_weights(weights, "fsrcnn-s", 3)
    assert model(torch.rand(1, 1, 5, 6)).shape == (1, 1, 15, 18)
    # The last checkpoint serves as --weights too, and is the same network as the weights file.
    from_ckpt, ckpt_card = load_weights(ckpts[-1], "fsrcnn-s", 3)
    assert ckpt_card["steps"] == 40 and ckpt_card["from_checkpoint"] == ckpts[-1].name
    x = torch.rand(1, 1, 9, 7)
    with torch.no_grad():
        assert torch.equal(from_ckpt(x), model(x))
    with pytest.raises(WeightsError, match="x3, not x4"):
        load_weights(ckpts[-1], "fsrcnn-s", 4)
    torch.save(model.state_dict(), tmp_path / "plain.pth")  # someone else's state dict
    with pytest.raises(WeightsError, match="not an xeonsr training checkpoint"):
        load_weights(tmp_path / "plain.pth", "fsrcnn-s", 3)


def test_loss_margin_leaves_the_patch_edges_out():
    from xeonsr.models import create_model

    net = create_model("fsrcnn-s", 3)
    assert loss_margin_hr(TrainConfig(model="fsrcnn-s", scale=3, lq_patch=24, loss_margin="auto"), net) == 15
    assert loss_margin_hr(TrainConfig(model="fsrcnn-s", scale=3, lq_patch=24, loss_margin=2), net) == 6
    with pytest.raises(TrainError, match="leaves nothing"):
        loss_margin_hr(TrainConfig(model="fsrcnn-s", scale=3, lq_patch=10, loss_margin="auto"), net)
    gt = torch.rand(2, 1, 24, 24)
    loss = make_loss("l1", 6)
    edge = gt.clone()
    edge[..., :6, :] += 1.0
    edge[..., :, -6:] -= 1.0
    assert loss(edge, gt).item() == 0.0  # edges only: no loss
    inner = gt.clone()
    inner[..., 6, 6] += 1.0
    assert loss(inner, gt).item() == pytest.approx(1.0 / (12 * 12))  # one pixel per image of 2
    assert make_loss("mse", 0)(edge, gt).item() > 0


def test_loss_margin_run_trains(tiny_data, tmp_path):
    out = tmp_path / "run"
    weights = train(_cfg(tiny_data, out, steps=20, loss_margin="auto", lq_patch=12), progress=False).weights
    assert read_card(weights)["config"]["loss_margin"] == "auto"
    recs = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert np.isfinite(recs[-1]["loss"]) and recs[-1]["loss"] > 0


def test_ema_update_is_the_ramped_moving_average():
    from xeonsr.train import ema_update

    model, avg = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
    with torch.no_grad():
        avg.weight.fill_(1.0)
        model.weight.fill_(3.0)
    ema_update(avg, model, decay=0.99, updates=1)  # ramp: d = min(0.99, 2/11)
    assert torch.allclose(avg.weight, torch.full((1, 2), 2 / 11 * 1.0 + 9 / 11 * 3.0))
    ema_update(avg, model, decay=0.5, updates=10_000)  # ramp over: d = 0.5
    assert torch.allclose(avg.weight, torch.full((1, 2), 0.5 * (2 / 11 + 27 / 11) + 1.5))


def test_ema_run_releases_the_average_and_resumes_it(tiny_data, tmp_path):
    out = tmp_path / "ema"
    weights = train(_cfg(tiny_data, out, steps=20, ema=0.9), progress=False).weights
    state = torch.load(sorted((out / "checkpoints").glob("step_*.pt"))[-1], weights_only=True)
    released, card = load_weights(weights, "fsrcnn-s", 3)
    assert card["config"]["ema"] == 0.9
    for k, v in released.state_dict().items():
        assert torch.equal(v, state["ema"][k]), k
    assert any(not torch.equal(state["ema"][k], state["model"][k]) for k in state["model"])
    # Resuming restores the average itself (with nothing left to run, it is released as it was)...
    again, _ = load_weights(train(_cfg(tiny_data, out, steps=20, ema=0.9, resume=True), progress=False).weights)
    for k, v in again.state_dict().items():
        assert torch.equal(v, state["ema"][k]), k
    # ...and goes on from it.
    train(_cfg(tiny_data, out, steps=40, ema=0.9, resume=True), progress=False)
    resumed = torch.load(sorted((out / "checkpoints").glob("step_*.pt"))[-1], weights_only=True)
    assert resumed["step"] == 40 and set(resumed["ema"]) == set(state["ema"])
    # A checkpoint alone evaluates as what it is (fsrcnn-s x3, its moving average).
    from xeonsr.cli import main

    ckpt = sorted((out / "checkpoints").glob("step_*.pt"))[-1]
    res = tmp_path / "eval.json"
    assert main(["eval", "--weights", str(ckpt), "--dataset", str(tiny_data / "val"), "--json", str(res)]) == 0
    assert (json.loads(res.read_text())["model"], json.loads(res.read_text())["scale"]) == ("fsrcnn-s", 3)
    # The same folder without --resume would start over on top of that run: refused, nothing touched.
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(TrainError, match="holds a run"):
        train(_cfg(tiny_data, out, steps=20, ema=0.9), progress=False)
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    with pytest.raises(TrainError, match="--ema"):
        train(_cfg(tiny_data, tmp_path / "bad", ema=1.0), progress=False)


def test_refuses_to_train_on_test_sets(tiny_data, tmp_path, data_dir):
    with pytest.raises(TrainError, match="test set"):
        train(_cfg(tiny_data, tmp_path / "x", datasets=("Set5",)), progress=False)
    # By pixels too (before: a copy under another name trained unsaid, and so did validation on the
    # training images themselves); nothing is written.
    from xeonsr.held_out import HeldOutError

    shutil.copytree(data_dir / "Set5", tiny_data / "Set5")
    (tiny_data / "mine").mkdir()
    Image.open(data_dir / "Set5" / "baby.png").save(tiny_data / "mine" / "photo.bmp")
    with pytest.raises(HeldOutError, match="mine: photo.bmp has the pixels of the test image Set5/baby.png"):
        train(_cfg(tiny_data, tmp_path / "x", datasets=("train", "mine")), progress=False)
    with pytest.raises(HeldOutError, match="photo.bmp has the pixels of the test image Set5/baby.png.*never choose"):
        train(_cfg(tiny_data, tmp_path / "x", val_set=str(tiny_data / "mine")), progress=False)
    with pytest.raises(HeldOutError, match="pixels of the learned-from image train/"):
        train(_cfg(tiny_data, tmp_path / "x", val_set=str(tiny_data / "train")), progress=False)
    assert not (tmp_path / "x").exists()


def test_scikit_images_photos_validate_as_they_choose_int8_budgets(tiny_data, tmp_path):
    """`--val-set samples` (eval's and quantize's held-out photos) was "dataset 'samples' not found"."""
    res = train(_cfg(tiny_data, tmp_path / "r", steps=2, val_set="samples"), progress=False)
    card = read_card(res.weights)
    assert res.val[0] == "samples" and card["val_set"] == "samples" and len(card["val_images"]) >= 5


def test_training_pairs_are_cached_by_the_files_not_the_folder_name(tiny_data, tmp_path, monkeypatch):
    """Before: a folder of your own whose images changed trained on the cached old ones."""
    from xeonsr.data import PatchConfig, build_pairs, cached_pairs

    monkeypatch.chdir(tiny_data)
    cfg = PatchConfig(scale=3, datasets=("./train",), lq_patch=8, down_factors=(1.0,))
    first = cached_pairs(cfg, None, tmp_path / "cache")
    victim = sorted((tiny_data / "train").iterdir())[0]
    Image.open(victim).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(victim)
    again = cached_pairs(cfg, None, tmp_path / "cache")
    fresh = build_pairs(cfg, None)
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(first, again, strict=True))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(again, fresh, strict=True))


def test_kill_9_then_resume_continues_from_last_checkpoint(tiny_data, tmp_path):
    out = tmp_path / "run"
    args = [
        sys.executable,
        "-m",
        *_train_args(tiny_data, out, 400),
        "--checkpoint-every",
        "10",
        "--val-every",
        "1000",
        "--no-progress",
    ]
    env = {**os.environ, "XEONSR_CACHE": str(tiny_data / "cache")}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 240
    while time.time() < deadline and len(list((out / "checkpoints").glob("step_*.pt"))) < 2:
        assert proc.poll() is None, proc.stdout.read().decode()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = max(int(p.stem.split("_")[1]) for p in (out / "checkpoints").glob("step_*.pt"))
    assert 0 < killed_at < 400
    done = subprocess.run(
        args[: args.index("--steps") + 1] + ["60"] + args[args.index("--steps") + 2 :] + ["--resume"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    resumed = [ln for ln in done.stdout.splitlines() if ln.startswith("resumed from")]
    assert resumed and int(resumed[0].rsplit(" ", 1)[1]) >= killed_at
    last = json.loads((out / "metrics.jsonl").read_text().splitlines()[-1])
    assert last["step"] == 60


def test_bad_training_images_are_skipped_with_a_warning(tmp_path):
    folder = tmp_path / "T91"
    folder.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (60, 60, 3), dtype=np.uint8)).save(folder / "ok.png")
    Image.fromarray(rng.integers(0, 256, (60, 60), dtype=np.uint8)).save(folder / "grey.png")
    Image.fromarray(rng.integers(0, 256, (10, 10, 3), dtype=np.uint8)).save(folder / "small.png")
    (folder / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pairs = build_pairs(PatchConfig(scale=3, lq_patch=8, down_factors=(1.0,)), tmp_path)
    msgs = " | ".join(str(w.message) for w in caught)
    assert "corrupt.png" in msgs and "small.png" in msgs and "smaller than" in msgs
    assert len(pairs) == 2  # ok.png and the grey one (its own Y)


def test_training_folder_with_no_usable_images_is_one_line(tmp_path):
    folder = tmp_path / "T91"
    folder.mkdir()
    (folder / "corrupt.png").write_bytes(b"not an image")
    (tmp_path / "val").mkdir()  # a validation set that is there: the training images are the problem
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 40, 3), np.uint8)).save(tmp_path / "val" / "v.png")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "xeonsr.cli",
            "train",
            "--data-dir",
            str(tmp_path),
            "--val-set",
            "val",
            "--out",
            str(tmp_path / "o"),
            "--steps",
            "2",
            "--cache-dir",
            str(tmp_path / "c"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "no usable training images" in proc.stderr
    # where the reasons were warnings held back (quantize's calibration crops): the size it takes
    assert "none readable and at least" in proc.stderr.strip().splitlines()[-1]


def test_wrong_model_or_scale_weights_are_refused(tiny_data, tmp_path):
    weights = train(_cfg(tiny_data, tmp_path / "r", steps=2, val_every=100), progress=False).weights
    with pytest.raises(WeightsError, match="not 'fsrcnn'"):
        load_weights(weights, "fsrcnn", 3)
    with pytest.raises(WeightsError, match="x3, not x2"):
        load_weights(weights, "fsrcnn-s", 2)


@pytest.mark.slow
def test_two_process_data_parallel_replicas_stay_identical_and_stop_and_resume_together(tiny_data, tmp_path):
    whole = _torchrun(tiny_data, tmp_path / "ddp", 30)
    assert whole.returncode == 0, whole.stderr[-2000:]
    card = read_card(tmp_path / "ddp" / "fsrcnn-s_x3.safetensors")
    assert card["world_size"] == 2 and card["replicas_max_abs_diff"] == 0.0
    assert len(list((tmp_path / "ddp" / "checkpoints").glob("step_*.pt"))) == 2  # rank 0 alone writes them
    # Stopped by minutes (decided by both ranks together, at a step both reach), then resumed:
    # each rank's batch stream is restored, so the result is the uninterrupted run's.
    out = tmp_path / "parts"
    stopped = _torchrun(tiny_data, out, 30, "--stop-after-minutes", "0.0001")
    assert stopped.returncode == 0, stopped.stderr[-2000:]
    assert "stopped at step 10 of 30" in stopped.stdout
    state = torch.load(out / "checkpoints" / "step_00000010.pt", weights_only=True)
    assert len(state["rng"]["generators"]) == 2 and not torch.equal(*state["rng"]["generators"])
    resumed = _torchrun(tiny_data, out, 30, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert _max_diff(_final_weights(tmp_path / "ddp"), _final_weights(out)) < 1e-6


def _final_weights(out: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(out / "fsrcnn-s_x3.safetensors"))


def _max_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k] - b[k]).abs().max()) for k in a)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_stopped_and_resumed_twice_equals_one_uninterrupted_run(tiny_data, tmp_path, precision):
    kw = dict(steps=45, ema=0.9, precision=precision, fp32_tail=0.2 if precision == "bf16" else None)
    whole = train(_cfg(tiny_data, tmp_path / "whole", **kw), progress=False)
    assert whole.finished and whole.step == 45
    out = tmp_path / "parts"
    first = train(_cfg(tiny_data, out, stop_at_step=13, **kw), progress=False)
    assert not first.finished and first.step == 13 and first.weights is None
    assert first.checkpoint.name == "step_00000013.pt" and not (out / "fsrcnn-s_x3.safetensors").exists()
    # The resumed runs are given no --steps: the schedule is the checkpoint's.
    second = train(_cfg(tiny_data, out, stop_at_step=31, resume=True, **{**kw, "steps": None}), progress=False)
    assert (second.step, second.steps) == (31, 45)
    third = train(_cfg(tiny_data, out, resume=True, **{**kw, "steps": None}), progress=False)
    assert third.finished
    assert _max_diff(_final_weights(tmp_path / "whole"), _final_weights(out)) < 1e-6
    steps = [json.loads(ln)["step"] for ln in (out / "metrics.jsonl").read_text().splitlines()]
    assert steps == sorted(set(steps)) and steps[-1] == 45  # one log, no step twice
    assert json.loads((out / "state.json").read_text())["step"] == 45


def test_resume_with_only_out_continues_the_run_as_it_was_started(tiny_data, tmp_path, monkeypatch, capsys):
    """`xeonsr train --resume --out DIR` took the defaults for what was not typed again: another
    model was refused, another batch size, learning rate or patch ran unsaid, not the run."""
    from xeonsr.cli import main

    monkeypatch.chdir(tmp_path)  # the val folder, relative, is recorded as typed
    shutil.copytree(tiny_data / "val", tmp_path / "val")
    args = _train_args(tiny_data, tmp_path / "whole", 24)[1:]  # train fsrcnn-s x3, batch 8, patch 8
    args[args.index("--val-set") + 1] = "val"
    args += ["--lr", "5e-4", "--seed", "3", "--model-args", '{"d": 24}', "--precision", "fp32"]
    args += ["--checkpoint-every", "5", "--val-every", "10", "--cache-dir", str(tiny_data / "cache"), "--no-progress"]
    assert main(args) == 0
    parts = str(tmp_path / "parts")
    out_at = args.index("--out") + 1
    assert main([*args[:out_at], parts, *args[out_at + 1 :], "--stop-at-step", "9"]) == 0
    capsys.readouterr()
    again = ["train", "--resume", "--out", parts, "--data-dir", str(tiny_data), "--threads", "1", "--no-progress"]
    assert main([*again, "--cache-dir", str(tiny_data / "cache")]) == 0
    said = capsys.readouterr().out
    for setting in ("--model fsrcnn-s", "--batch-size 8", "--patch 8", "--lr 0.0005", "--seed 3", '{"d": 24}'):
        assert setting in said, said
    assert "--val-set val" in said and "--precision fp32" in said and "--scale" not in said  # x3: the default
    assert "settings change" not in said
    assert _max_diff(_final_weights(tmp_path / "whole"), _final_weights(tmp_path / "parts")) < 1e-6
    # A setting typed again that differs is yours, and said (a learning rate pasted from another run).
    more = str(tmp_path / "more")
    assert main([*args[:out_at], more, *args[out_at + 1 :], "--stop-at-step", "3"]) == 0
    capsys.readouterr()
    assert main([*again[:3], more, *again[4:], "--lr", "2e-3", "--batch-size", "8", "--stop-at-step", "4"]) == 0
    said = capsys.readouterr().out
    assert "settings change: --lr 0.002 (the run's 0.0005)" in said and "--batch-size 8 (" not in said, said


def test_stop_after_minutes_checkpoints_and_max_minutes_fixes_the_schedule_once(tiny_data, tmp_path, capsys):
    out = tmp_path / "timed"
    res = train(_cfg(tiny_data, out, steps=None, max_minutes=0.05, stop_after_minutes=1e-4), progress=False)
    said = capsys.readouterr().out
    assert "schedule fixed at" in said and not res.finished and res.step >= 1
    fixed = res.steps
    state = torch.load(res.checkpoint, weights_only=True)
    assert json.loads(state["config"])["steps"] == fixed
    # A resume keeps that schedule even with --max-minutes still on the command line.
    done = train(_cfg(tiny_data, out, steps=None, max_minutes=0.05, resume=True), progress=False)
    assert done.finished and done.steps == fixed and "schedule fixed at" not in capsys.readouterr().out
    # And the recorded --steps repeats the run exactly: the probe drew no batches of the run's.
    again = train(_cfg(tiny_data, tmp_path / "again", steps=fixed), progress=False)
    assert _max_diff(_final_weights(out), _final_weights(tmp_path / "again")) < 1e-6
    del again


def test_test_sets_never_validate_and_cards_name_no_machine_paths(tiny_data, tmp_path):
    with pytest.raises(TrainError, match="never choose"):
        train(_cfg(tiny_data, tmp_path / "x", val_set="Set5"), progress=False)
    with pytest.raises(TrainError, match="--fp32-tail"):
        train(_cfg(tiny_data, tmp_path / "x", fp32_tail=1.5), progress=False)
    res = train(_cfg(tiny_data, tmp_path / "r", steps=2, val_every=100), progress=False)
    card = read_card(res.weights)
    text = json.dumps(card)
    assert str(tmp_path) not in text and str(tiny_data) not in text
    assert card["config"]["out"] == ".../r"


@pytest.mark.parametrize(
    "bad, says",
    [
        ({"min_lr": -1e-4}, "--min-lr"),  # the schedule's end below 0: the last steps ascend the loss
        ({"min_lr": float("nan")}, "--min-lr"),
        ({"lr": 1e-4, "min_lr": 1e-3}, "--min-lr"),  # a floor above the start
        ({"max_minutes": -5.0}, "--max-minutes"),  # probed a schedule of no steps
        ({"max_minutes": float("inf")}, "--max-minutes"),
        ({"seed": 2**47}, "--seed"),  # torch's "Overflow when unpacking long long" after loading the data
    ],
)
def test_numbers_that_cannot_train_are_one_line_before_any_work(tiny_data, tmp_path, bad, says):
    with pytest.raises(TrainError, match=says):
        train(_cfg(tiny_data, tmp_path / "x", **bad), progress=False)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "bad, says",
    [
        ({"batch_size": 10**9}, r"--batch-size 1000000000: fsrcnn-s's activations take about \d+ GB"),  # the OOM killer
        ({"model_args": {"d": 0}}, "cannot be built and run"),  # torch's error after the data was read
        ({"model_args": {"d": "8"}}, "fsrcnn-s's d is a whole number"),
        ({"model_args": {"residual": 1}}, "residual is true or false"),
        ({"model_args": [1]}, "--model-args is a JSON object"),  # an internal TypeError
    ],
)
def test_a_network_or_batch_that_cannot_train_is_one_line_before_any_data(tiny_data, tmp_path, bad, says):
    from xeonsr.errors import UserError

    with pytest.raises(UserError, match=says):
        train(_cfg(tiny_data, tmp_path / "x", cache_dir=str(tmp_path / "cache"), **bad), progress=False)
    assert not (tmp_path / "x").exists() and not (tmp_path / "cache").exists()


def test_each_training_set_is_named_once(tiny_data, tmp_path):
    """`--datasets ""` said "no usable training images in :", and `T91,T91` (or T91 and its path)
    trained that set twice as often, unsaid."""
    from xeonsr.data import DatasetError

    with pytest.raises(DatasetError, match="--datasets names no training set"):
        train(_cfg(tiny_data, tmp_path / "x", datasets=()), progress=False)
    twice = ("train", str(tiny_data / "train"))
    with pytest.raises(DatasetError, match=r"--datasets names .*train twice \(train and "):
        train(_cfg(tiny_data, tmp_path / "x", datasets=twice), progress=False)
    assert not (tmp_path / "x").exists()


def test_resume_refuses_another_models_checkpoint(tiny_data, tmp_path):
    out = tmp_path / "r"
    train(_cfg(tiny_data, out, steps=2), progress=False)
    with pytest.raises(TrainError, match="use another --out"):
        train(_cfg(tiny_data, out, steps=4, resume=True, model="fsrcnn"), progress=False)


def _torchrun(tiny_data: Path, out: Path, steps: int, *extra: str) -> subprocess.CompletedProcess:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-addr", "127.0.0.1"]
        + ["--master-port", str(port), "-m", *_train_args(tiny_data, out, steps)]
        + ["--val-every", "20", "--checkpoint-every", "10", "--no-progress", "--precision", "fp32"]
        + ["--cache-dir", str(tiny_data / "cache"), *extra],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )


@pytest.mark.slow
def test_compiled_training_runs_and_resumes(tiny_data, tmp_path):
    out = tmp_path / "compiled"
    first = train(_cfg(tiny_data, out, steps=8, compile=True, stop_at_step=4), progress=False)
    assert not first.finished
    done = train(_cfg(tiny_data, out, steps=None, compile=True, resume=True), progress=False)
    card = read_card(done.weights)
    assert done.finished and card["config"]["compile"] is True and np.isfinite(card["val_psnr"])


def test_init_from_widens_a_smaller_kernel_and_keeps_the_function():
    """SRCNN 9-1-5 weights start a 9-5-5 model exactly (its 1x1 layer at the centre of a zero
    5x5 kernel); weights of another network are refused, not silently skipped."""
    from xeonsr.shipped import shipped_weights as weights_path
    from xeonsr.train_model import build_model

    src, _ = load_weights(weights_path("srcnn", 3))
    cfg = TrainConfig(
        model="srcnn-955", scale=3, init_from=str(weights_path("srcnn", 3)), model_args={"residual": True}
    )
    net = build_model(cfg, torch.device("cpu")).eval()
    assert net.conv2.weight.shape[-1] == 5 and float(net.conv2.weight[:, :, 2, 2].abs().sum()) > 0
    x = torch.rand(1, 1, 23, 31, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert float((net.paper_forward(x) - src.paper_forward(x)).abs().max()) < 1e-5
    with pytest.raises(WeightsError, match="not 'srcnn'"):
        build_model(TrainConfig(model="srcnn", scale=3, init_from=str(weights_path("fsrcnn", 3))), torch.device("cpu"))


def test_init_from_moves_a_pixel_shuffle_head_to_another_scale(data_dir):
    """DCSCN's head has scale^2 outputs, so x3 weights gave an x2/x4 model a fresh head: it
    started at plain bicubic. Each sub-pixel now starts as the x3 one nearest to it; on the
    first 8 BSD200-val images (shipped x3 as the start) x2 began at 32.38 dB instead of 30.30,
    x4 at 27.74 instead of 26.65."""
    from xeonsr.evaluate import evaluate, load_samples
    from xeonsr.runtime import plane_fn, torch_run
    from xeonsr.shipped import shipped_weights
    from xeonsr.train_model import build_model

    x3 = str(shipped_weights("dcscn", 3))
    src, _ = load_weights(x3)
    image = sorted((data_dir / "T91").iterdir())[0]
    for scale, rows in ((2, [0, 2, 6, 8]), (4, [0, 1, 1, 2, 3, 4, 4, 5, 3, 4, 4, 5, 6, 7, 7, 8])):
        moved = build_model(TrainConfig(model="dcscn", scale=scale, init_from=x3), torch.device("cpu")).eval()
        assert torch.equal(moved.recon.weight, src.recon.weight[rows])
        fresh = build_model(TrainConfig(model="dcscn", scale=scale), torch.device("cpu")).eval()
        fresh.load_state_dict({k: v for k, v in src.state_dict().items() if not k.startswith("recon.")}, strict=False)
        samples = load_samples([image], scale)
        psnr = {
            n: evaluate(plane_fn(torch_run(m, channels_last=False)), samples, scale)["mean_psnr"]
            for n, m in (("moved", moved), ("fresh", fresh))
        }
        assert psnr["moved"] > psnr["fresh"] + 0.5, (scale, psnr)


def test_a_missing_weights_file_names_the_run_or_weights_beside_it(tiny_data, tmp_path):
    """A run stopped before its last step writes checkpoints only: `--weights OUT/model.safetensors`
    said just "no such weights file", and a misnamed file in a finished run's folder too."""
    from xeonsr.infer import load_torch_model

    out = tmp_path / "stopped"
    res = train(_cfg(tiny_data, out, steps=10, stop_at_step=4, checkpoint_every=100), progress=False)
    assert not res.finished
    wanted = out / "fsrcnn-s_x3.safetensors"
    with pytest.raises(WeightsError, match=f"stopped at step 4: `xeonsr train --resume --out {out}` finishes it"):
        read_card(wanted)
    with pytest.raises(WeightsError, match=r"or pass its checkpoint .*step_00000004.pt as the weights"):
        load_torch_model("fsrcnn-s", 3, wanted)
    assert load_torch_model("fsrcnn-s", 3, out / "checkpoints" / "step_00000004.pt")[0] is not None  # as it says
    train(_cfg(tiny_data, out, steps=10, resume=True, checkpoint_every=100), progress=False)
    with pytest.raises(WeightsError, match=f"no such weights file; {out} holds fsrcnn-s_x3.safetensors$"):
        read_card(out / "fsrcnn_x3.safetensors")
