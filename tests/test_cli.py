"""The command line: fast help, one clear line and a non-zero exit for bad input."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from xeonsr.cli import main
from xeonsr.errors import UserError


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "xeonsr.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_help_imports_no_heavy_library():
    code = (
        "import sys; from xeonsr.cli import build_parser; build_parser();"
        "heavy = [m for m in ('torch', 'openvino', 'nncf', 'skimage', 'matplotlib') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert run_cli("--help").returncode == 0


def test_version_is_the_installed_packages():
    from importlib.metadata import version

    import xeonsr

    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout == f"xeonsr {xeonsr.__version__}\n"
    assert version("xeonsr") == xeonsr.__version__  # pyproject reads it from xeonsr/__init__.py
    # `python -m xeonsr` (no console script on PATH) said "'xeonsr' is a package and cannot be directly executed"
    by_module = subprocess.run([sys.executable, "-m", "xeonsr", "--version"], capture_output=True, text=True)
    assert by_module.returncode == 0 and by_module.stdout == proc.stdout


def test_every_option_of_every_command_says_what_it_does():
    """`xeonsr upscale --help` once listed --backend and --precision bare, and train 12 options."""
    import argparse

    from xeonsr.cli import build_parser

    [commands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    bare = [
        f"{name} {action.option_strings or action.dest}"
        for name, parser in commands.choices.items()
        for action in parser._actions
        if not action.help and not isinstance(action, argparse._HelpAction)
    ]
    assert bare == []


def test_no_command_says_a_test_set_chooses_anything():
    """The top-level help said quantize worked "under a Set5 PSNR budget"; its budget holds on
    held-out images (Set5 and Set14 only report), and the help must say so."""
    from xeonsr.cli import COMMANDS

    for name, (_, summary) in COMMANDS.items():
        assert "Set5" not in summary and "Set14" not in summary, (name, summary)
    assert "held-out" in COMMANDS["quantize"][1]


def _one_line_error(proc, *needles):
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    for n in needles:
        assert n in lines[0], lines[0]


def test_unknown_dataset_says_where_it_looked(tmp_path):
    _one_line_error(run_cli("eval", "--dataset", "Nope", "--data-dir", str(tmp_path)), "Nope", str(tmp_path / "Nope"))


def test_folder_without_images(tmp_path):
    _one_line_error(run_cli("eval", "--dataset", str(tmp_path)), "no images")


def test_unreadable_image_is_named(tmp_path):
    Image.fromarray(np.zeros((30, 30, 3), np.uint8)).save(tmp_path / "good.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    _one_line_error(run_cli("eval", "--dataset", str(tmp_path)), "broken.png")


def test_unsupported_scale():
    _one_line_error(run_cli("eval", "--scale", "5"), "unsupported scale 5")


def test_negative_int8_budget_refused_before_any_work(tmp_path):
    out = tmp_path / "ir"
    _one_line_error(
        run_cli("quantize", "--model", "fsrcnn", "--scale", "3", "--max-drop", "-1", "--out-dir", str(out)),
        "--max-drop",
        "-1",
    )
    assert not out.exists()


def test_missing_weights_file(tmp_path):
    _one_line_error(
        run_cli("eval", "--model", "fsrcnn", "--dataset", "samples", "--weights", str(tmp_path / "none.safetensors")),
        "none.safetensors",
    )
    # with --model and --scale given too, still the first thing said (was: after the images
    # were loaded and the thread plan printed)
    proc = run_cli("eval", "--model", "srcnn", "--scale", "2", "--weights", str(tmp_path / "none.safetensors"))
    _one_line_error(proc, "none.safetensors: no such weights file")
    assert proc.stdout == ""


def test_eval_default_run_on_sample_photos_writes_json(tmp_path, monkeypatch):
    monkeypatch.delenv("XEONSR_DATA", raising=False)  # no data dir: the shipped sample photos
    out = tmp_path / "r.json"
    assert main(["eval", "--json", str(out)]) == 0
    res = json.loads(out.read_text())
    assert res["model"] == "bicubic" and res["dataset"] == "samples" and res["scale"] == 3
    assert {"name", "psnr", "ssim", "latency_ms"} <= set(res["images"][0])
    assert 20 < res["mean_psnr"] < 40 and 0 < res["mean_ssim"] < 1
    assert res["protocol"]["shave"] == "scale" and "numpy" in res["versions"]


def test_eval_table_has_paper_columns(data_dir, capsys):
    assert main(["eval", "--dataset", "Set14", "--data-dir", str(data_dir), "--no-ssim"]) == 0
    out = capsys.readouterr().out
    assert "paper bicubic" in out and "zebra" in out and "27.54" in out


def test_eval_picks_the_ir_where_only_an_ir_can_answer(data_dir, tmp_path, capsys, monkeypatch):
    out = tmp_path / "r.json"
    argv = ["eval", "--model", "fsrcnn-s", "--dataset", "Set5", "--data-dir", str(data_dir), "--json", str(out)]
    # --precision int8 is an IR (was: "use --backend openvino"); so is --ir-dir's
    assert main([*argv, "--no-ssim", "--precision", "int8"]) == 0
    assert json.loads(out.read_text())["backend"] == "ov-int8"
    assert main([*argv, "--no-ssim", "--ir-dir", str(tmp_path)]) == 1  # an empty store: said, not ignored
    assert f"no fp32 IR for fsrcnn-s x3 in {tmp_path}" in capsys.readouterr().err
    assert main([*argv, "--no-ssim", "--ir-dir", str(tmp_path), "--backend", "torch"]) == 1
    assert "an IR store (--ir-dir) is what the openvino backend runs" in capsys.readouterr().err
    # the same one line for each mixed request as `xeonsr upscale` and the Upscaler give
    assert main([*argv, "--no-ssim", "--backend", "torch", "--precision", "int8"]) == 1
    assert "INT8 is an OpenVINO IR" in capsys.readouterr().err
    from xeonsr.shipped import shipped_weights

    weights = str(shipped_weights("fsrcnn-s", 3))
    assert main([*argv, "--no-ssim", "--backend", "openvino", "--weights", weights]) == 1
    assert "xeonsr export --weights W" in capsys.readouterr().err
    assert main([*argv, "--no-ssim"]) == 0
    assert json.loads(out.read_text())["backend"] == "torch-fp32"  # torch installed: the weights
    # Without torch or scikit-image (the slim install): the FP32 IR, PSNR without SSIM, said once.
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setitem(sys.modules, "skimage", None)
    capsys.readouterr()
    assert main(argv) == 0
    res = json.loads(out.read_text())
    assert res["backend"] == "ov-fp32" and res["images"][0]["ssim"] is None and res["mean_psnr"] > 30
    assert capsys.readouterr().err == "xeonsr eval: SSIM needs scikit-image (pip install scikit-image): PSNR only\n"


def test_eval_on_several_sets_at_once(data_dir, tmp_path, capsys):
    """`--dataset Set5,Set14` was "dataset 'Set5,Set14' not found"; now a table each, one model load."""
    out = tmp_path / "r.json"
    argv = ["eval", "--data-dir", str(data_dir), "--no-ssim", "--json", str(out)]
    assert main([*argv, "--dataset", "Set5,samples"]) == 0
    text = capsys.readouterr().out
    assert "bicubic x3 on Set5 (5 images" in text and "bicubic x3 on samples (5 images" in text
    both = json.loads(out.read_text())
    assert list(both["sets"]) == ["Set5", "samples"] and round(both["sets"]["Set5"]["mean_psnr"], 2) == 30.39
    assert main([*argv, "--dataset", "samples"]) == 0  # one set: the file as it always was
    assert json.loads(out.read_text())["mean_psnr"] == both["sets"]["samples"]["mean_psnr"]
    assert main([*argv, "--model", "fsrcnn-s", "--dataset", "Set5,samples"]) == 0
    assert capsys.readouterr().out.count("runs: ") == 1  # which weights ran: said once, before the tables
    odd = tmp_path / "set,one"  # a folder with a comma in its name is one set, not two
    odd.mkdir()
    (odd / "bird.png").write_bytes((data_dir / "Set5" / "bird.png").read_bytes())
    assert main([*argv, "--dataset", str(odd)]) == 0
    assert json.loads(out.read_text())["dataset"] == "set,one"


CPUS = os.sched_getaffinity(0)  # at collection: tests before one may pin the process to one CPU


def test_info_names_flags_and_backend(capsys):
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, CPUS)
    try:
        assert main(["info"]) == 0
    finally:
        os.sched_setaffinity(0, before)
    out = capsys.readouterr().out
    for key in ("avx2=", "amx_bf16=", "avx512_vnni=", "torch:", "openvino:", "ipex:", "training:"):
        assert key in out
    if len(CPUS) > 1:  # how fast one CPU reads another's writes, now
        assert re.search(r"handoff: +CPU \d+ reads CPU \d+'s writes at \d+ GB/s now, its own at \d+", out)


def test_your_weights_run_as_what_their_card_says(tmp_path, monkeypatch, capsys):
    """--weights alone: the model and scale come from the weights (once, eval ran bicubic x3
    beside them without a word); a --model or --scale that contradicts them is one line."""
    from xeonsr.shipped import shipped_weights

    monkeypatch.delenv("XEONSR_DATA", raising=False)
    mine = tmp_path / "mine.safetensors"
    mine.write_bytes(shipped_weights("fsrcnn-s", 2).read_bytes())
    out = tmp_path / "r.json"
    assert main(["eval", "--weights", str(mine), "--no-ssim", "--json", str(out)]) == 0
    res = json.loads(out.read_text())
    assert (res["model"], res["scale"]) == ("fsrcnn-s", 2)
    assert main(["eval", "--scale", "2", "--no-ssim", "--json", str(tmp_path / "b.json")]) == 0
    assert res["mean_psnr"] > json.loads((tmp_path / "b.json").read_text())["mean_psnr"] + 1  # the network
    _one_line_error(run_cli("eval", "--model", "bicubic", "--weights", str(mine)), "bicubic runs no network: --weights")
    # A store with --backend torch (or --model bicubic) evaluated bicubic as if it were the store's model
    (tmp_path / "irs").mkdir()
    _one_line_error(run_cli("eval", "--ir-dir", str(tmp_path / "irs"), "--backend", "torch"), "give one or the other")
    _one_line_error(run_cli("eval", "--ir-dir", str(tmp_path / "irs"), "--model", "bicubic"), "bicubic runs no network")
    _one_line_error(run_cli("eval", "--weights", str(mine), "--scale", "3"), "for x2, not x3")
    Image.fromarray(np.full((20, 30, 3), 120, np.uint8)).save(tmp_path / "in.png")
    wrong = ("upscale", str(tmp_path / "in.png"), "-o", str(tmp_path / "y.png"), "--weights", str(mine))
    _one_line_error(run_cli(*wrong, "--model", "srcnn"), "fsrcnn-s")
    capsys.readouterr()
    up = ["upscale", str(tmp_path / "in.png"), "-o", str(tmp_path / "up.png"), "--weights", str(mine)]
    assert main(up + ["--threads", "1"]) == 0
    assert Image.open(tmp_path / "up.png").size == (60, 40)
    assert "(torch fp32, 1 thread)" in capsys.readouterr().out  # was "1 threads"
    # export too: an IR store of your own, named after the weights' model and scale
    assert main(["export", "--weights", str(mine), "--ir-dir", str(tmp_path / "ir")]) == 0
    assert (tmp_path / "ir" / "fsrcnn-s_x2_fp32.xml").is_file()
    # and that store alone names them: --ir-dir without --model ran PyTorch's shipped fsrcnn x3
    # (upscale) or bicubic (eval), the store unread and unsaid
    ir = str(tmp_path / "ir")
    capsys.readouterr()
    assert main(["upscale", str(tmp_path / "in.png"), "-o", str(tmp_path / "ir.png"), "--ir-dir", ir]) == 0
    assert Image.open(tmp_path / "ir.png").size == (60, 40)
    assert "x2 with fsrcnn-s (openvino fp32" in capsys.readouterr().out
    assert main(["eval", "--ir-dir", ir, "--no-ssim", "--json", str(tmp_path / "ir.json")]) == 0
    by_ir = json.loads((tmp_path / "ir.json").read_text())
    assert (by_ir["model"], by_ir["scale"]) == ("fsrcnn-s", 2) and abs(by_ir["mean_psnr"] - res["mean_psnr"]) < 0.02
    _one_line_error(run_cli("eval", "--ir-dir", ir, "--scale", "3"), "holds no IR for --scale 3")


def test_counts_and_rates_out_of_range_are_refused_by_the_parser(tmp_path):
    """A zero or negative count or rate stops at the command line (argparse's usage and one error
    line, status 2) instead of an internal error later (bench --repeats 0, train --batch-size 0 and
    --lr -1 once were), or a silent default (upscale --jobs 0, --tile -5)."""
    Image.fromarray(np.full((20, 30, 3), 120, np.uint8)).save(tmp_path / "in.png")
    up = ["upscale", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png")]
    cases = [
        (up + ["--jobs", "0"], "--jobs"),
        (up + ["--jobs", "-2"], "--jobs"),
        (up + ["--tile", "-5"], "--tile"),
        (["bench", "--repeats", "0"], "--repeats"),
        (["train", "--model", "fsrcnn-s", "--batch-size", "0", "--out", str(tmp_path / "t")], "--batch-size"),
        (["train", "--model", "fsrcnn-s", "--lr", "-1", "--out", str(tmp_path / "t")], "--lr"),
        (["eval", "--threads", "0"], "--threads"),
    ]
    for args, flag in cases:
        proc = run_cli(*args)
        last = proc.stderr.strip().splitlines()[-1]
        assert proc.returncode == 2 and f"argument {flag}" in last and "Traceback" not in proc.stderr, proc.stderr
    assert not (tmp_path / "out.png").exists() and not (tmp_path / "t").exists()


def test_an_empty_value_is_refused_before_it_means_the_working_folder(tmp_path, capsys, monkeypatch):
    """`--ir-dir "$STORE"` with STORE unset: export wrote its IR into the working folder; an empty
    INPUT upscaled the working folder's images; --json "" was skipped unsaid."""
    monkeypatch.chdir(tmp_path)
    Image.fromarray(np.full((20, 24, 3), 90, np.uint8)).save(tmp_path / "a.png")
    for argv, says in (
        (["export", "--model", "fsrcnn-s", "--scale", "3", "--ir-dir", ""], "--ir-dir"),
        (["upscale", "", "-o", str(tmp_path / "out")], "INPUT"),
        (["upscale", "a.png", "-o", ""], "--output"),
        (["eval", "--model", "bicubic", "--json", ""], "--json"),
    ):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        last = capsys.readouterr().err.strip().splitlines()[-1]
        assert (
            stop.value.code == 2
            and last == f"xeonsr {argv[0]}: error: {says}: an empty value (an unset shell variable?)"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]


def test_a_size_past_memory_is_one_line_not_an_internal_error(capsys):
    """`xeonsr profile --size 100000x100000` (and tune's) ended in "internal error (MemoryError)"
    and a pointer to --traceback; any command out of memory said the same."""
    from xeonsr.errors import is_user_error, one_line

    assert main(["profile", "fsrcnn", "--size", "100000x100000"]) == 1
    assert capsys.readouterr().err.strip() == (
        "xeonsr profile: error: --size 100000x100000: at most 16 megapixels of LR input (4000x4000)"
    )
    oom = MemoryError("Unable to allocate 37.3 GiB for an array with shape (1, 1, 100000, 100000)")
    assert is_user_error(oom) and one_line(oom).startswith("not enough memory: Unable to allocate 37.3 GiB")


def test_an_unknown_option_is_refused_with_its_commands_usage(capsys):
    """Before, `xeonsr zoo --scale 7` printed the top level's usage ("xeonsr [-h] [--traceback]
    COMMAND") and "xeonsr: error": nothing said which options zoo takes."""
    with pytest.raises(SystemExit) as stop:
        main(["zoo", "--scale", "7"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.startswith("usage: xeonsr zoo ") and "--update-readme" in err
    assert err.strip().splitlines()[-1] == "xeonsr zoo: error: unrecognized arguments: --scale 7"


def test_the_upscaler_api_takes_model_and_scale_from_your_weights(tmp_path):
    from xeonsr import Upscaler
    from xeonsr.shipped import shipped_weights

    mine = tmp_path / "mine.safetensors"
    mine.write_bytes(shipped_weights("fsrcnn-s", 2).read_bytes())
    up = Upscaler(weights=str(mine))
    assert (up.model_name, up.scale, up.backend) == ("fsrcnn-s", 2, "torch")
    assert up.upscale(Image.fromarray(np.full((20, 30, 3), 120, np.uint8))).size == (60, 40)
    assert (Upscaler().model_name, Upscaler().scale) == ("fsrcnn", 3)  # no weights: the defaults
    # your weights are PyTorch FP32: asking OpenVINO or INT8 of them is one line, not ignored
    for kw in ({"backend": "openvino"}, {"precision": "int8"}):
        with pytest.raises(UserError, match="xeonsr export --weights"):
            Upscaler(weights=str(mine), **kw)
    with pytest.raises(UserError, match="INT8 is an OpenVINO IR"):
        Upscaler("fsrcnn", 3, backend="torch", precision="int8")
    # an IR store with PyTorch was ignored (the shipped weights ran): now one line too
    for kw in ({"backend": "torch"}, {"weights": str(mine)}):
        with pytest.raises(UserError, match=r"an IR store \(--ir-dir\) is what the openvino backend runs"):
            Upscaler(ir_dir=str(tmp_path), **kw)


def test_upscale_and_export_mistakes_are_one_line_before_any_work(tmp_path, capsys):
    """Each was found by hand: an unknown suffix was reported after the upscale (a missing input
    after the model loaded and the other inputs were done); two inputs
    and `-o single.png` made a folder named single.png; an unwritable output named the
    temporary file; `export --model nope` exported nothing and exited 0."""
    for i in "ab":
        Image.fromarray(np.full((20, 24, 3), 90, np.uint8)).save(tmp_path / f"{i}.png")
    a, b = str(tmp_path / "a.png"), str(tmp_path / "b.png")
    (tmp_path / "blocker").write_text("a file, not a folder")
    cases = [
        (["upscale", a, "-o", str(tmp_path / "out.xyz")], "unknown output format", True),
        (["upscale", str(tmp_path / "typo.png"), "-o", str(tmp_path / "o.png")], "typo.png: no such file", True),
        (
            ["upscale", a, "nope1", "nope2", "-o", str(tmp_path / "o")],
            "nope1: no such file or folder (and 1 more)",
            True,
        ),
        (["upscale", a, b, "-o", str(tmp_path / "single.png")], "2 inputs need an output folder", True),
        (["upscale", a, b, "-o", str(tmp_path / "blocker")], "2 inputs need an output folder, not a file", True),
        # was "1 inputs need an output folder, not an image file"
        (["upscale", a, "-o", str(tmp_path / "blocker")], "blocker is a file, not a folder", True),
        (["upscale", a, b, "-o", str(tmp_path / "o"), "--backend", "torch", "--jobs", "2"], "--threads N", True),
        (["upscale", a, "-o", str(tmp_path / "blocker" / "x.png")], "blocker is a file", True),  # was after it
        (["upscale", a, b, "-o", str(tmp_path / "blocker" / "out")], "blocker is a file", True),  # was internal
        (["export", "--model", "fsrcnn-s", "--ir-dir", str(tmp_path / "blocker")], "not an IR store", True),
        (["quantize", "--model", "fsrcnn", "--ir-dir", str(tmp_path / "blocker")], "a file, not an IR store", True),
        (["export", "--model", "nope"], "unknown model 'nope'", True),
        # a mistyped or empty store ran the shipped PyTorch weights unsaid
        (["upscale", a, "-o", str(tmp_path / "o.png"), "--ir-dir", str(tmp_path / "typo")], "no such IR store", True),
        (["upscale", a, "-o", str(tmp_path / "o.png"), "--ir-dir", str(tmp_path)], "holds no IR", True),
        (["export", "--scale", "7"], "unsupported scale 7", True),
        (["tune", "--scale", "9"], "unsupported scale 9", True),
        (["bench", "--models", "fsrcnn,fsrcnnn"], "unknown model 'fsrcnnn'", True),  # was: a skip per backend
        (["bench", "--backends", "ov-fp32,ov-int9"], "unknown backend(s) ['ov-int9']", True),
        (["bench", "--mode", "throughput", "--backends", "ov-int9"], "unknown backend(s)", True),  # was: a skip
    ]
    for argv, says, before_work in cases:
        assert main(argv) == 1, argv
        captured = capsys.readouterr()
        err = [ln for ln in captured.err.splitlines() if ln.strip()]
        assert len(err) == 1 and says in err[0] and ".tmp" not in err[0], (argv, err)
        assert ("upscaled" not in captured.out) == before_work, (argv, captured.out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png", "blocker"]


def test_an_output_option_naming_a_folder_fails_before_any_work(tmp_path, capsys, monkeypatch):
    """`--json DIR` ran the whole evaluation (or benchmark) and then failed naming a temporary file."""
    import xeonsr.evaluate

    monkeypatch.setattr(xeonsr.evaluate, "evaluate", lambda *a, **k: pytest.fail("evaluated first"))
    for argv in (
        ["eval", "--model", "fsrcnn", "--json", str(tmp_path)],
        ["bench", "--table", str(tmp_path)],
        ["profile", "fsrcnn", "--json", str(tmp_path)],
        ["info", "--json", str(tmp_path)],
    ):
        assert main(argv) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and f"{tmp_path}: a folder; name the file to write" in err[0] and ".tmp" not in err[0]
    from xeonsr.fileio import write_json

    with pytest.raises(UserError, match="a folder, not a file to write"):  # any other writer: its path, no .tmp
        write_json(tmp_path, {})


def test_atomic_writes_give_the_umask_mode_without_setting_it_and_take_long_names(tmp_path, monkeypatch):
    """Each write read the umask by setting it to 0 and back: a folder another worker thread made
    in between (`upscale -r`'s subfolders) got mode 0777, writable by anyone."""
    import os
    import stat

    from xeonsr.fileio import atomic_write_bytes

    old = os.umask(0o027)
    try:
        monkeypatch.setattr(os, "umask", lambda mask: pytest.fail("the umask was set"))
        atomic_write_bytes(tmp_path / "sub" / "a.png", b"x")
    finally:
        monkeypatch.undo()
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "sub" / "a.png").stat().st_mode) == 0o640
    long = tmp_path / ("a" * 246 + ".png")  # 250 bytes: its temporary name was too long to make
    atomic_write_bytes(long, b"x")
    assert long.read_bytes() == b"x" and [p.name for p in tmp_path.iterdir() if p.is_file()] == [long.name]


def test_a_store_of_fp16_irs_only_says_so(tmp_path):
    """It said the store "holds no IR"; it holds the FP16 IR of `xeonsr export --fp16`."""
    import json

    store = tmp_path / "f16"
    store.mkdir()
    entry = {"model": "fsrcnn-s", "scale": 3, "precision": "fp16"}
    (store / "manifest.json").write_text(json.dumps({"models": {"fsrcnn-s_x3_fp16": entry}}))
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "a.png")
    args = ("upscale", str(tmp_path / "a.png"), "-o", str(tmp_path / "b.png"), "--ir-dir", str(store))
    _one_line_error(run_cli(*args), "holds only FP16 IRs (fsrcnn-s x3): `xeonsr export` without --fp16")


def test_tune_names_what_it_cannot_tune(tmp_path, capsys):
    """A mistyped store read as an empty one, and the error said "--model all --scale None"."""
    import json

    from xeonsr.info import cpu_info
    from xeonsr.kernels import cpu_class

    store = tmp_path / "f16"
    store.mkdir()
    entry = {"model": "fsrcnn-s", "scale": 3, "precision": "fp16"}
    (store / "manifest.json").write_text(json.dumps({"models": {"fsrcnn-s_x3_fp16": entry}}))
    tunable = cpu_class(cpu_info().flags) is not None
    for argv, says in (
        (["--ir-dir", str(tmp_path / "typo")], "typo: no such IR store"),
        (["--ir-dir", str(store)], "f16 holds no IR of fp32 or int8 to tune"),
        (["--ir-dir", str(store), "--model", "fsrcnn", "--scale", "2"], "holds no fsrcnn IR at x2 of fp32 or int8"),
    ):
        assert main(["tune", *argv]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and (says if tunable else "nothing to tune") in err[0], err


def test_eval_of_an_unknown_model_says_so_first(tmp_path, capsys):
    """The thread plan's line came before the error; now the error is all that is printed."""
    (tmp_path / "set").mkdir()
    Image.fromarray(np.full((24, 24, 3), 90, np.uint8)).save(tmp_path / "set" / "a.png")
    assert main(["eval", "--model", "nope", "--scale", "3", "--dataset", str(tmp_path / "set")]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.strip().splitlines() == [
        "xeonsr eval: error: unknown model 'nope': choose one of srcnn, srcnn-955, fsrcnn, fsrcnn-s, dcscn"
    ]


def test_an_os_error_is_one_line_naming_its_path_first(tmp_path):
    from xeonsr.errors import is_user_error, one_line

    try:
        (tmp_path / "nope" / "x").read_text()
    except OSError as e:
        assert one_line(e) == f"{tmp_path / 'nope' / 'x'}: No such file or directory"  # not "[Errno 2] ..."
    disk_full = OSError(28, "No space left on device")
    assert is_user_error(disk_full) and one_line(disk_full) == "No space left on device"
    assert not is_user_error(ValueError("a bug of ours"))


def test_a_library_this_install_lacks_or_an_old_openvino_is_one_line_saying_what_to_install(tmp_path):
    Image.fromarray(np.zeros((20, 20, 3), np.uint8)).save(tmp_path / "a.png")
    # As if OpenVINO were not installed: None in sys.modules makes its import fail as a missing one does.
    code = (
        "import sys; sys.modules['openvino'] = None; from xeonsr.cli import main; "
        f"sys.exit(main(['upscale', {str(tmp_path / 'a.png')!r}, '-o', {str(tmp_path / 'b.png')!r}, "
        "'--backend', 'openvino']))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and not (tmp_path / "b.png").exists()
    _one_line_error(proc, "openvino is not installed", "pip install 'openvino>=2023.3'")
    # Without torch (the slim install) bench's models are those of the IR store, and its default
    # rows the OpenVINO ones.
    code = (
        "import sys; sys.modules['torch'] = None; from xeonsr.commands.bench_cmd import backend_list; "
        "print(backend_list(None)); from xeonsr.cli import main; "
        "sys.exit(main(['bench', '--models', 'fsrcnn,fsrnn', '--dataset', 'Set5']))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.stdout.strip() == "['ov-fp32', 'ov-int8']"
    _one_line_error(proc, "unknown model(s) fsrnn:", "has IRs of dcscn, fsrcnn-s, fsrcnn, srcnn-955, srcnn")
    from xeonsr.openvino_releases import OLDEST, check_version

    assert OLDEST == (2023, 3)
    for fine in ("2023.3.0-13775-ceeafaf64f3-releases/2023/3", "2026.4.1-20426-abc", "a-build-of-its-own"):
        check_version(fine)
    with pytest.raises(UserError, match=r"OpenVINO 2023.2.0 is older than 2023.3.*pip install -U 'openvino>=2023.3'"):
        check_version("2023.2.0-13089-cfd42bd2cb0-HEAD")


def test_quantize_takes_the_model_of_your_store_when_it_holds_one(tmp_path, capsys):
    """`xeonsr export --weights W --ir-dir D` then `xeonsr quantize --ir-dir D` needed --model
    and --scale repeated; now a store (or --weights) with one model names it."""
    import json

    from xeonsr.commands.quantize_cmd import _model_in_store

    store = tmp_path / "irs"
    store.mkdir()
    entries = {"fsrcnn-s_x3_fp32": ("fsrcnn-s", 3, "fp32"), "fsrcnn-s_x3_int8_avx2": ("fsrcnn-s", 3, "int8")}
    manifest = {"models": {k: {"model": m, "scale": s, "precision": p} for k, (m, s, p) in entries.items()}}
    (store / "manifest.json").write_text(json.dumps(manifest))
    assert _model_in_store(None, None, None, store) == ("fsrcnn-s", 3)
    assert _model_in_store(None, 3, None, store) == ("fsrcnn-s", 3)
    for argv, says in (
        (["--ir-dir", str(store), "--scale", "2"], "holds no FP32 IR for --scale 2"),
        (["--ir-dir", str(tmp_path)], "holds no FP32 IR: `xeonsr export` makes one"),
        ([], "dcscn x2, dcscn x3"),  # the shipped store holds many
    ):
        assert main(["quantize", *argv]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and says in err[0], err


def test_quantize_of_your_weights_reads_their_store_and_no_other_network(tmp_path, monkeypatch, capsys):
    """`xeonsr export --weights W` writes to the user store, but `xeonsr quantize --weights W`
    read the shipped store: it fine-tuned W by QAT against the shipped IR of the same model (5.8
    dB "lost"), then quantized that IR by PTQ and wrote the INT8 IR into the shipped store."""
    import skimage.data
    from safetensors import safe_open
    from safetensors.numpy import save_file

    import xeonsr.export
    from xeonsr.info import cpu_info
    from xeonsr.irs import SHIPPED_IR_DIR, int8_stem
    from xeonsr.shipped import shipped_weights

    monkeypatch.setattr(xeonsr.export, "USER_IR_DIR", tmp_path / "user")
    mine, other = tmp_path / "mine.safetensors", tmp_path / "other.safetensors"
    mine.write_bytes(shipped_weights("fsrcnn-s", 3).read_bytes())
    with safe_open(str(mine), "np") as f:
        tensors, meta = {k: f.get_tensor(k) for k in f.keys()}, f.metadata()
    bias = next(k for k in tensors if k.endswith("bias"))
    save_file({**tensors, bias: tensors[bias] + 0.05}, str(other), metadata=meta)
    shipped = (SHIPPED_IR_DIR / "manifest.json").read_bytes()
    assert main(["export", "--weights", str(mine)]) == 0
    capsys.readouterr()
    assert main(["quantize", "--weights", str(other), "--method", "qat"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not what" in err[0] and "was exported from" in err[0], err
    # the weights it was exported from: quantized in their own store
    images, held = tmp_path / "images", tmp_path / "held"  # the budget's images are none it calibrates on
    for folder, names in ((images, ("astronaut", "chelsea", "coffee")), (held, ("rocket", "immunohistochemistry"))):
        folder.mkdir()
        for name in names:
            Image.fromarray(getattr(skimage.data, name)()[:240, :264]).save(folder / f"{name}.png")
    argv = ["quantize", "--weights", str(mine), "--method", "ptq", "--calib", str(images), "--val", str(held)]
    assert main([*argv, "--max-drop", "0.5"]) == 0
    made = int8_stem("fsrcnn-s", 3, cpu_info().isa_class)
    assert [p.name for p in (tmp_path / "user").glob("*int8*.xml")] == [f"{made}.xml"]
    assert (SHIPPED_IR_DIR / "manifest.json").read_bytes() == shipped
    # Other weights of the same model exported to that store replaced its IR and dropped the INT8
    # IR just made (a printed line); now refused unless --overwrite. The same weights again: kept.
    store = tmp_path / "user" / "manifest.json"
    kept = store.read_bytes()
    capsys.readouterr()
    assert main(["export", "--weights", str(other)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"exported from {mine}: --overwrite replaces it" in err[0], err
    assert store.read_bytes() == kept
    monkeypatch.chdir(tmp_path / "images")  # the recorded weights are a full path: found from anywhere
    assert main(["export", "--weights", str(mine)]) == 0 and f"{made}.xml" in store.read_text()
    assert main(["export", "--weights", str(other), "--overwrite"]) == 0
    assert "removed the INT8 IR" in capsys.readouterr().out and made not in store.read_text()


def test_bench_takes_the_model_and_scale_of_your_weights_or_store(tmp_path):
    """`xeonsr bench --weights W` said to name W's model, and with it named timed W at x3 whatever
    W's scale; `--ir-dir D` alone benchmarked srcnn and fsrcnn, which D need not hold."""
    import json

    from xeonsr.bench_sources import own_model
    from xeonsr.shipped import shipped_weights

    w = str(shipped_weights("fsrcnn-s", 2))
    assert own_model([w], None, None) == ("fsrcnn-s", 2)
    assert own_model([w], None, 4) == ("fsrcnn-s", 4)  # --scale given: kept (the load then refuses a mismatch)
    assert own_model([f"fsrcnn-s={w}", f"srcnn={w}"], None, None) == ("srcnn,fsrcnn", None)
    store = tmp_path / "irs"
    store.mkdir()
    precs = ("fp32", "int8")
    models = {f"dcscn_x{s}_{p}": {"model": "dcscn", "scale": s, "precision": p} for s in (2, 4) for p in precs}
    (store / "manifest.json").write_text(json.dumps({"models": models}))
    assert own_model([], str(store), None) == ("dcscn", None)  # two scales: --scale chooses, else x3
    assert own_model([], str(store), 4) == ("dcscn", 4)
    del models["dcscn_x4_fp32"], models["dcscn_x4_int8"]
    (store / "manifest.json").write_text(json.dumps({"models": models}))
    assert own_model([], str(store), None) == ("dcscn", 2)
    assert own_model([], None, None) == ("srcnn,fsrcnn", None)
    # several models: each of them (they were srcnn,fsrcnn, which the store need not hold); none: one line
    models["fsrcnn_x2_fp32"] = {"model": "fsrcnn", "scale": 2, "precision": "fp32"}
    (store / "manifest.json").write_text(json.dumps({"models": models}))
    assert own_model([], str(store), None) == ("dcscn,fsrcnn", 2)
    (store / "manifest.json").write_text(
        json.dumps({"models": {"fsrcnn_x2_fp16": {**models["fsrcnn_x2_fp32"], "precision": "fp16"}}})
    )
    with pytest.raises(UserError, match="holds only FP16 IRs"):
        own_model([], str(store), None)
    with pytest.raises(UserError, match="no such IR store"):
        own_model([], str(tmp_path / "typo"), None)


def test_bench_of_a_store_times_the_weights_its_ir_was_exported_from(tmp_path):
    """`xeonsr bench --ir-dir D` ran D's IR in the OpenVINO rows and the shipped weights in the
    PyTorch and peer rows, two networks in one table unsaid."""
    import json

    from xeonsr.bench_sources import weights_for

    mine = tmp_path / "mine.safetensors"
    mine.write_bytes(b"weights")  # only its path is read here
    store = tmp_path / "irs"
    store.mkdir()
    entry = {"model": "fsrcnn-s", "scale": 3, "precision": "fp32", "weights": str(mine)}
    (store / "manifest.json").write_text(json.dumps({"models": {"fsrcnn-s_x3_fp32": entry}}))
    both = ["ov-int8", "torch-fp32", "ort"]
    assert weights_for([], ["fsrcnn-s"], 3, str(store), both) == {"fsrcnn-s": str(mine)}
    assert weights_for([], ["fsrcnn-s"], 3, str(store), ["ov-int8", "ov-fp32"]) == {}  # no row runs weights
    assert weights_for([f"fsrcnn-s={tmp_path}/x"], ["fsrcnn-s"], 3, str(store), both) == {"fsrcnn-s": f"{tmp_path}/x"}
    assert weights_for([], ["fsrcnn-s"], 3, None, both) == {}  # the shipped store: the shipped weights
    mine.unlink()
    with pytest.raises(UserError, match=r"exported from .*mine.safetensors, which is not there.*--weights fsrcnn-s="):
        weights_for([], ["fsrcnn-s"], 3, str(store), both)


def test_bench_of_your_weights_times_the_ir_exported_from_them(tmp_path, monkeypatch, capsys):
    """`xeonsr bench --weights W` ran W in the PyTorch and peer rows and the shipped IR in the
    OpenVINO rows: two networks in one table (a 3-step model's 7.2 dB beside the shipped 21.4)."""
    import json

    import xeonsr.irs
    from xeonsr.bench_sources import ir_dir_for
    from xeonsr.irs import sha256

    mine, other = tmp_path / "mine.safetensors", tmp_path / "other.safetensors"
    mine.write_bytes(b"my weights")  # only their hash is read here
    other.write_bytes(b"other weights")
    store = tmp_path / "irs"
    store.mkdir()
    entry = {"model": "fsrcnn-s", "scale": 3, "precision": "fp32", "weights": str(mine)}
    (store / "manifest.json").write_text(
        json.dumps({"models": {"fsrcnn-s_x3_fp32": {**entry, "weights_sha256": sha256(mine)}}})
    )
    monkeypatch.setattr(xeonsr.irs, "USER_IR_DIR", tmp_path / "no_user_store")
    ov, peers = ["ov-int8", "torch-fp32"], ["torch-fp32", "ort"]
    assert ir_dir_for([str(mine)], ["fsrcnn-s"], 3, str(store), ov) == str(store)
    assert ir_dir_for([str(other)], ["fsrcnn-s"], 3, None, peers) is None  # no OpenVINO row: nothing to match
    with pytest.raises(UserError, match=r"would run the shipped fsrcnn-s x3 IR, another network: `xeonsr export"):
        ir_dir_for([str(other)], ["fsrcnn-s"], 3, None, ov)
    with pytest.raises(UserError, match=r"would run .*irs's fsrcnn-s x3 IR, not exported from those weights"):
        ir_dir_for([str(other)], ["fsrcnn-s"], 3, str(store), ov)
    shipped = xeonsr.irs.SHIPPED_IR_DIR.parent / "weights" / "fsrcnn-s_x3.safetensors"
    assert ir_dir_for([str(shipped)], ["fsrcnn-s"], 3, None, ov) is None  # the shipped file: the shipped IR
    # Exported to the store `xeonsr export --weights` writes by default: the rows read it, said.
    monkeypatch.setattr(xeonsr.irs, "USER_IR_DIR", store)
    assert ir_dir_for([str(mine)], ["fsrcnn-s"], 3, None, ov) == str(store)
    assert f"the OpenVINO rows run the IRs of your weights in {store}" in capsys.readouterr().err


def test_bench_times_a_model_or_backend_typed_twice_once():
    """`--models fsrcnn,fsrcnn --backends ov-int8,ov-int8` timed it four times, in four rows."""
    from xeonsr.commands.bench_cmd import backend_list, model_list

    assert model_list("fsrcnn, fsrcnn,srcnn") == ["fsrcnn", "srcnn"]
    assert backend_list("ov-int8,ov-int8,ort") == ["ov-int8", "ort"]


def test_a_scale_a_model_does_not_ship_names_the_scales_it_does(tmp_path):
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "a.png")
    args = ("upscale", str(tmp_path / "a.png"), "-o", str(tmp_path / "b.png"), "--model", "srcnn-955", "--scale", "2")
    _one_line_error(run_cli(*args), "no shipped weights for srcnn-955 x2", "srcnn-955 ships for x3")
