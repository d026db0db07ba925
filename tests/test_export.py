"""OpenVINO IR: FP32 equals PyTorch, corrupted IRs are refused, INT8 keeps its budget."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

from xeonsr.evaluate import evaluate, load_samples
from xeonsr.export import export
from xeonsr.infer import load_torch_model
from xeonsr.info import cpu_info
from xeonsr.irs import SHIPPED_IR_DIR, IRError, int8_stem, locate_ir, read_manifest
from xeonsr.models import deploy_form
from xeonsr.ov import compile_ir
from xeonsr.runtime import ov_run, plane_fn, torch_run

# The INT8 IR `xeonsr quantize` makes on this CPU: named for its class (vnni or avx2).
F3 = int8_stem("fsrcnn", 3, cpu_info().isa_class)


@pytest.mark.parametrize("name", ["fsrcnn", "fsrcnn-s", "srcnn", "srcnn-955", "dcscn"])
def test_deploy_form_equals_training_form(name):
    model, _ = load_torch_model(name, 3)
    x = torch.rand(1, 1, 17, 23)
    with torch.no_grad():
        assert (deploy_form(model)(x) - model(x)).abs().max() < 1e-5


@pytest.fixture(scope="module")
def ir_dir(tmp_path_factory, data_dir):
    d = tmp_path_factory.mktemp("ir")
    export("fsrcnn", 3, ir_dir=d, data_dir=str(data_dir))
    return d


def test_fp32_ir_matches_pytorch_on_real_images(ir_dir, data_dir):
    samples = load_samples(data_dir / "Set5", 3)
    model, _ = load_torch_model("fsrcnn", 3)
    xml, entry = locate_ir("fsrcnn", 3, "fp32", ir_dir)
    ov_fn, pt_fn = plane_fn(ov_run(compile_ir(xml))), plane_fn(torch_run(model, channels_last=False))
    for smp in samples[:2]:
        assert np.abs(ov_fn(smp.lr) - pt_fn(smp.lr)).max() < 1e-3 * 255
    ov_res = evaluate(ov_fn, samples, 3, with_ssim=False)
    pt_res = evaluate(pt_fn, samples, 3, with_ssim=False)
    assert ov_res["mean_psnr"] == pytest.approx(pt_res["mean_psnr"], abs=0.01)
    assert entry["psnr"]["Set5"] == pytest.approx(ov_res["mean_psnr"], abs=0.001)
    assert entry["precision"] == "fp32" and entry["input"]["layout"] == "NCHW"
    # The bench's GFLOP/s where torch is not installed: FSRCNN(56,12,4), 9x9 deconvolution.
    assert entry["flops_per_lr_pixel"] == 2 * (25 * 56 + 56 * 12 + 4 * 9 * 12 * 12 + 12 * 56 + 81 * 56)


def test_one_ir_serves_every_size(ir_dir):
    fn = plane_fn(ov_run(compile_ir(locate_ir("fsrcnn", 3, "fp32", ir_dir)[0])))
    for h, w in [(5, 7), (31, 12), (64, 64)]:
        assert fn(np.full((h, w), 100.0)).shape == (3 * h, 3 * w)


def test_the_runtime_call_without_copies_gives_the_copying_calls_output(ir_dir):
    """xeonsr.ov.infer_fn: the request reads the caller's array and writes a fresh one each call,
    the same to the bit as request.infer's copies, for odd sizes, a batch, and inputs that are
    read-only, strided or float64; an output held by the caller survives the next call."""
    from xeonsr.ov import infer_fn

    compiled = compile_ir(locate_ir("fsrcnn", 3, "fp32", ir_dir)[0])
    run, plain = infer_fn(compiled.create_infer_request(), 3), compiled.create_infer_request()
    rng = np.random.default_rng(1)
    held = []
    for shape in [(1, 1, 7, 5), (2, 1, 33, 20), (1, 1, 64, 81)]:
        x = rng.random(shape, dtype=np.float32)
        want = next(iter(plain.infer({0: x}).values())).copy()
        ro = x.copy()
        ro.flags.writeable = False
        strided = np.zeros(shape[:3] + (shape[3] * 2,), np.float32)
        strided[..., ::2] = x
        for arg in (x, ro, strided[..., ::2], x.astype(np.float64)):
            out = run(arg)
            assert out.shape == (shape[0], 1, shape[2] * 3, shape[3] * 3) and np.array_equal(out, want)
        held.append((out, want))
    assert all(np.array_equal(o, w) for o, w in held)


def test_corrupted_or_missing_ir_is_refused(ir_dir, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(ir_dir, bad)
    with open(bad / "fsrcnn_x3_fp32.bin", "r+b") as f:
        f.seek(100)
        f.write(b"\x00\x01\x02\x03")
    with pytest.raises(IRError, match="sha256"):
        locate_ir("fsrcnn", 3, "fp32", bad)
    (bad / "fsrcnn_x3_fp32.xml").unlink()
    with pytest.raises(IRError, match="missing"):
        locate_ir("fsrcnn", 3, "fp32", bad)
    with pytest.raises(IRError, match="no int8 IR"):
        locate_ir("fsrcnn", 3, "int8", ir_dir)


def test_a_missing_ir_names_the_commands_that_make_it(ir_dir, tmp_path):
    """From what is at hand: the store's FP32 IR (quantize), else shipped weights (export), else
    training first; a model that ships for x3 only was told to export x4 from weights it lacks."""
    from xeonsr.errors import UserError
    from xeonsr.infer import choose_backend

    store = f" --ir-dir {ir_dir}"
    with pytest.raises(IRError, match=f"make it with `xeonsr quantize --model fsrcnn --scale 3{store}`$"):
        locate_ir("fsrcnn", 3, "int8", ir_dir)
    with pytest.raises(
        IRError, match=f"make it with `xeonsr export --model srcnn --scale 2{store}`, then `xeonsr quan"
    ):
        locate_ir("srcnn", 2, "int8", ir_dir)
    train = "srcnn-955 ships for x3, so make it with `xeonsr train --model srcnn-955 --scale 4`, then "
    with pytest.raises(IRError, match=f"{train}`xeonsr export --weights YOUR_WEIGHTS`$"):
        locate_ir("srcnn-955", 4, "fp32")  # the shipped store: no --ir-dir
    with pytest.raises(UserError, match=f"no OpenVINO .*fp32.* IR for srcnn-955 x4; {train}`xeonsr export --weights"):
        choose_backend("srcnn-955", 4, "openvino", "auto", None, None)


def test_cli_refuses_edited_bin_with_one_line(ir_dir, tmp_path, data_dir):
    bad = tmp_path / "bad"
    shutil.copytree(ir_dir, bad)
    man = json.loads((bad / "manifest.json").read_text())
    man["models"]["fsrcnn_x3_fp32"]["bin_sha256"] = "0" * 64
    (bad / "manifest.json").write_text(json.dumps(man))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "xeonsr.cli",
            "eval",
            "--model",
            "fsrcnn",
            "--backend",
            "openvino",
            "--dataset",
            "Set5",
            "--data-dir",
            str(data_dir),
            "--ir-dir",
            str(bad),
        ],
        env=os.environ,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "sha256" in proc.stderr


def test_shipped_manifest_entries_verify():
    for name, e in read_manifest()["models"].items():
        # INT8: one IR per CPU class it was made for; each class gets its own
        xml, _ = locate_ir(e["model"], e["scale"], e["precision"], isa=e.get("target_isa"))
        assert xml.name == e["xml"], name


def test_missing_int8_ir_says_why_quantize_refused_it(tmp_path, monkeypatch):
    import xeonsr.irs as irs

    # A shipped store whose srcnn-955 x3 INT8 IR was refused: its report says why.
    man = read_manifest()
    man["models"].pop("srcnn-955_x3_int8", None)
    man["models"].pop("srcnn-955_x3_int8_avx2", None)
    monkeypatch.setattr(irs, "read_manifest", lambda ir_dir=SHIPPED_IR_DIR: man)
    status = "only 0.04% of the multiply-adds stay INT8 within the 0.05 dB budget: no INT8 IR written"
    (tmp_path / "srcnn-955_x3_int8.json").write_text(json.dumps({"status": status}))
    monkeypatch.setattr(irs, "REPORTS", tmp_path)
    with pytest.raises(
        IRError, match=r"srcnn-955 x3: `xeonsr quantize` refused it \(only 0.04% .*srcnn-955_x3_int8.json"
    ):
        locate_ir("srcnn-955", 3, "int8")


def test_every_shipped_fp32_ir_computes_its_shipped_weights():
    # Each IR is the exact deploy form of the weights beside it (x2's column-pair head, x3's
    # 8 + 1 split, ...): same output as PyTorch on a real image crop, so an IR left behind by
    # new weights or a broken rewrite fails here.
    from xeonsr.evaluate import sample_photo_paths
    from xeonsr.imaging import load_image, luma

    y = luma(load_image(sample_photo_paths()[0]))[40:71, 60:97] / 255.0
    x = np.ascontiguousarray(y, dtype=np.float32)[None, None]
    fp32 = [e for e in read_manifest()["models"].values() if e["precision"] == "fp32"]
    assert len(fp32) == 13
    for e in fp32:
        model, _ = load_torch_model(e["model"], e["scale"])
        with torch.no_grad():
            ref = model(torch.from_numpy(x)).numpy()
        request = compile_ir(locate_ir(e["model"], e["scale"], "fp32")[0]).create_infer_request()
        out = next(iter(request.infer({0: x}).values()))
        assert np.abs(out - ref).max() < 1e-4, e["name"]


@pytest.mark.slow
def test_int8_within_budget_and_impossible_budget_writes_nothing(ir_dir, data_dir, tmp_path):
    from xeonsr.quantization import BudgetError, quantize

    ir_dir = shutil.copytree(ir_dir, tmp_path / "ir")  # leave the module's IR folder as it was
    reports = ir_dir / "reports"
    rep = quantize("fsrcnn", 3, str(data_dir), ir_dir, {"calibration_crops": 60}, reports_dir=reports, method="ptq")
    # The budget held on the held-out images (on each set's five that lose most, so on its
    # mean too); Set5 and Set14 were only measured.
    for ds in ("BSD200-val", "samples"):
        r = rep["psnr"][ds]
        assert r["drop_db"] <= r["worst5_drop_db"] <= 0.05 and r["worst5_drop_db"] <= r["max_image_drop_db"]
    assert rep["status"] == "ok" and list(rep["budget_sets"]) == ["BSD200-val", "samples"]
    assert len(rep["budget_sets"]["BSD200-val"]) == 20 and len(rep["budget_sets"]["samples"]) == 5
    assert rep["reported_sets"] == ["Set5", "Set14"] and rep["method"].startswith("ptq")
    entry = locate_ir("fsrcnn", 3, "int8", ir_dir)[1]
    assert entry["psnr"]["Set5"] == rep["psnr"]["Set5"]["int8"]
    assert entry["quantized_on"] == rep["quantized_on"] and rep["quantized_on"]["isa"] in (
        "amx_int8", "avx512_vnni", "avx_vnni", "avx512f", "avx2", "other"
    )  # fmt: skip
    # The bicubic skip branch and the residual Add stay float: no quantizer touches them.
    import openvino as ov

    int8 = ov.Core().read_model(str(ir_dir / f"{F3}.xml"))
    for op in int8.get_ops():
        if op.get_type_name() == "FakeQuantize":
            users = [i.get_node().get_friendly_name() for i in op.output(0).get_target_inputs()]
            assert not any(u.startswith("__module.upsample/") or u.startswith("aten::add") for u in users)
    assert "__module.upsample/aten::_convolution/Convolution" in rep["layers_kept_in_fp"]
    # A failed retry (here an impossible budget) keeps the INT8 IR there is, and its report.
    with pytest.raises(BudgetError, match="earlier INT8 IR kept"):
        quantize(
            "fsrcnn",
            3,
            str(data_dir),
            ir_dir,
            {"calibration_crops": 30, "max_drop_db": -1.0},
            reports_dir=reports,
            method="ptq",
        )
    assert json.loads((reports / f"{F3}.json").read_text())["status"] == "ok"
    assert json.loads((reports / f"{F3}.rejected.json").read_text())["status"].startswith("budget not met")
    assert locate_ir("fsrcnn", 3, "int8", ir_dir)
    # Re-exporting the same weights keeps the INT8 IR; new weights make it stale: it goes.
    export("fsrcnn", 3, ir_dir=ir_dir)
    assert locate_ir("fsrcnn", 3, "int8", ir_dir)
    from xeonsr.checkpoint import save_weights

    model, card = load_torch_model("fsrcnn", 3)
    with torch.no_grad():
        model.deconv.bias.add_(0.01)
    save_weights(model, tmp_path / "other.safetensors", card)
    with pytest.raises(IRError, match="exported from xeonsr/weights/fsrcnn_x3.safetensors: --overwrite"):
        export("fsrcnn", 3, weights=str(tmp_path / "other.safetensors"), ir_dir=ir_dir)
    assert locate_ir("fsrcnn", 3, "int8", ir_dir)  # refused: nothing went
    export("fsrcnn", 3, weights=str(tmp_path / "other.safetensors"), ir_dir=ir_dir, overwrite=True)
    with pytest.raises(IRError, match="no int8 IR"):
        locate_ir("fsrcnn", 3, "int8", ir_dir)
    assert not (ir_dir / f"{F3}.bin").exists()
    with pytest.raises(IRError, match="other.safetensors: --overwrite"):  # the shipped ones over yours too
        export("fsrcnn", 3, ir_dir=ir_dir)
    export("fsrcnn", 3, ir_dir=ir_dir, overwrite=True)  # back to the shipped weights for what follows
    # A negative budget cannot be met: no INT8 file may be written, FP32 stays as it was.
    fp32_before = (ir_dir / "fsrcnn_x3_fp32.bin").read_bytes()
    with pytest.raises(BudgetError, match="no INT8 IR written"):
        quantize(
            "fsrcnn",
            3,
            str(data_dir),
            ir_dir,
            {"calibration_crops": 30, "max_drop_db": -1.0},
            reports_dir=reports,
            method="ptq",
        )
    assert json.loads((reports / f"{F3}.json").read_text())["status"].startswith("budget not met")
    assert not (ir_dir / f"{F3}.xml").exists()
    assert (ir_dir / "fsrcnn_x3_fp32.bin").read_bytes() == fp32_before


def test_quantize_your_model_on_your_own_folders(ir_dir, data_dir, tmp_path):
    from xeonsr.cli import main

    store = shutil.copytree(ir_dir, tmp_path / "store")
    calib, val = tmp_path / "calib", tmp_path / "val"
    calib.mkdir()
    val.mkdir()
    for p in sorted((data_dir / "BSD200").iterdir())[-6:]:  # not among BSD200-val's images
        shutil.copy(p, calib / p.name)
    for p in sorted((data_dir / "T91").iterdir())[-4:]:
        shutil.copy(p, val / p.name)
    args = ["quantize", "--model", "fsrcnn", "--scale", "3", "--ir-dir", str(store), "--data-dir", str(data_dir)]
    assert main(args + ["--calib", str(calib), "--val", str(val), "--method", "ptq"]) == 0
    rep = json.loads((store / "reports" / f"{F3}.json").read_text())
    assert list(rep["budget_sets"]) == ["val"] and rep["recipe"]["calibration_set"] == str(calib)
    assert rep["psnr"]["val"]["worst5_drop_db"] <= 0.05 and "Set5" in rep["psnr"]
    # An empty or unreadable folder is one line, and nothing is written.
    (tmp_path / "empty").mkdir()
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "a.png").write_text("not an image")
    other = shutil.copytree(ir_dir, tmp_path / "other")
    before = sorted(p.name for p in other.iterdir())
    for bad in ("--calib", "--val"):
        for folder in ("empty", "junk"):
            proc = subprocess.run(
                [sys.executable, "-m", "xeonsr.cli", *args[:5], "--ir-dir", str(other), "--data-dir", str(data_dir)]
                + [bad, str(tmp_path / folder)],
                capture_output=True,
                text=True,
            )
            assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
            errors = [line for line in proc.stderr.splitlines() if ": error:" in line]
            assert len(errors) == 1 and folder in errors[0]
            assert all(line.startswith("xeonsr") for line in proc.stderr.strip().splitlines())  # warnings: one line
    assert sorted(p.name for p in other.iterdir()) == before


def test_quantize_chooses_on_no_test_image_and_none_it_learns_from(ir_dir, data_dir, tmp_path, capsys):
    """Before: `--val Set5` (or a copy of it) chose the INT8 IR on the test set, and a --val of
    T91 images chose it on the images QAT trains on."""
    from xeonsr.cli import main

    store = shutil.copytree(ir_dir, tmp_path / "store")
    before = sorted(p.name for p in store.iterdir())
    mine, t91 = tmp_path / "mine", tmp_path / "t91"
    mine.mkdir()
    t91.mkdir()
    shutil.copy(data_dir / "Set14" / "zebra.png", mine / "stripes.png")
    for p in sorted((data_dir / "T91").iterdir())[:3]:
        shutil.copy(p, t91 / p.name)
    args = ["quantize", "--model", "fsrcnn", "--scale", "3", "--ir-dir", str(store), "--data-dir", str(data_dir)]
    for extra, says in (
        (["--val", str(data_dir / "Set5")], "refusing to validate or choose on the test set"),
        (["--calib", "Set14"], "refusing to train or calibrate on test set"),
        (["--val", str(mine)], "mine: stripes.png has the pixels of the test image Set14/zebra.png"),
        (["--calib", str(mine)], "test sets grade, they never train or calibrate"),
        (["--val", str(t91)], "t91: t1.bmp has the pixels of the learned-from image T91/t1.bmp"),
    ):
        assert main(args + extra) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and says in err[0], err
    assert sorted(p.name for p in store.iterdir()) == before


def test_ovms_layout_loads_with_openvino(ir_dir, tmp_path):
    import openvino as ov

    from xeonsr.export import ovms_layout

    cfg = json.loads(ovms_layout(tmp_path / "repo", ir_dir).read_text())
    names = [m["config"]["name"] for m in cfg["model_config_list"]]
    assert "fsrcnn_x3_fp32" in names
    compiled = ov.Core().compile_model(str(tmp_path / "repo" / "fsrcnn_x3_fp32" / "1" / "model.xml"), "CPU")
    out = compiled({"lr": np.full((1, 1, 8, 9), 0.5, np.float32)})[compiled.output("sr")]
    assert out.shape == (1, 1, 24, 27) and abs(float(out.mean()) - 0.5) < 0.05
    # A second store laid out beside: both in the config (it held only the second's); the same name
    # from other weights is refused unless overwrite, nothing copied first.
    mine = tmp_path / "mine"
    mine.mkdir()
    entry = read_manifest(ir_dir)["models"]["fsrcnn_x3_fp32"]
    shutil.copy(ir_dir / entry["xml"], mine / "x.xml")
    shutil.copy(ir_dir / entry["bin"], mine / "x.bin")
    (mine / "manifest.json").write_text(
        json.dumps({"models": {"mine_x3_fp32": {**entry, "xml": "x.xml", "bin": "x.bin"}}})
    )
    cfg = json.loads(ovms_layout(tmp_path / "repo", mine).read_text())
    assert {"fsrcnn_x3_fp32", "mine_x3_fp32"} <= {m["config"]["name"] for m in cfg["model_config_list"]}
    other = read_manifest(SHIPPED_IR_DIR)["models"]["fsrcnn-s_x3_fp32"]
    for f in ("xml", "bin"):
        shutil.copy(SHIPPED_IR_DIR / other[f], mine / f"x.{f}")
    (mine / "manifest.json").write_text(
        json.dumps({"models": {"mine_x3_fp32": {**other, "xml": "x.xml", "bin": "x.bin"}}})
    )
    before = (tmp_path / "repo" / "mine_x3_fp32" / "1" / "model.bin").read_bytes()
    with pytest.raises(IRError, match="holds other IRs named mine_x3_fp32: --overwrite replaces them"):
        ovms_layout(tmp_path / "repo", mine)
    assert (tmp_path / "repo" / "mine_x3_fp32" / "1" / "model.bin").read_bytes() == before
    ovms_layout(tmp_path / "repo", mine, overwrite=True)
    assert (tmp_path / "repo" / "mine_x3_fp32" / "1" / "model.bin").read_bytes() == (mine / "x.bin").read_bytes()


@pytest.mark.parametrize("name", ["fsrcnn", "srcnn", "dcscn"])
def test_skip_branch_ops_found(name):
    from xeonsr.export import convert
    from xeonsr.ir_graph import skip_branch_ops

    names = skip_branch_ops(convert(load_torch_model(name, 3)[0]))
    assert "aten::add/Add" in names
    assert "__module.upsample/aten::_convolution/Convolution" in names
    assert not any(n.startswith(("__module.body", "__module.conv", "__module.features")) for n in names)


@pytest.mark.parametrize("name", ["fsrcnn_x3", "dcscn_x2"])
def test_shipped_int8_irs_really_run_convolutions_in_int8(name):
    import openvino as ov

    from xeonsr.ir_graph import int8_layer_count

    core = ov.Core()
    assert int8_layer_count(core.read_model(str(SHIPPED_IR_DIR / f"{name}_fp32.xml"))) == 0
    assert int8_layer_count(core.read_model(str(SHIPPED_IR_DIR / f"{name}_int8.xml"))) >= 3


def test_every_shipped_int8_ir_does_a_real_share_of_its_work_in_int8():
    import openvino as ov

    from xeonsr.ir_graph import MIN_INT8_SHARE, int8_mac_share
    from xeonsr.irs import read_manifest

    core = ov.Core()
    entries = [e for e in read_manifest(SHIPPED_IR_DIR)["models"].values() if e["precision"] == "int8"]
    assert len(entries) >= 5
    for e in entries:
        share = int8_mac_share(core.read_model(str(SHIPPED_IR_DIR / e["xml"])))
        assert share >= MIN_INT8_SHARE, (e["name"], share)
        fp32 = core.read_model(str(SHIPPED_IR_DIR / e["fp32_ir"]))
        assert int8_mac_share(fp32) == 0.0


def test_every_shipped_fp32_entry_holds_its_networks_flop_count():
    from xeonsr.bench import flops_per_lr_pixel
    from xeonsr.models import count_flops, create_model

    for e in (e for e in read_manifest()["models"].values() if e["precision"] == "fp32"):
        args = {k: v for k, v in e["model_args"].items() if k != "scale"}
        flops = count_flops(create_model(e["model"], e["scale"], **args))
        assert e["flops_per_lr_pixel"] == flops == flops_per_lr_pixel(e["model"], e["scale"]), e["name"]


def test_conv_macs_counts_what_the_torch_model_does():
    # DCSCN's IR is its torch layers one for one, so both counts must agree exactly.
    import openvino as ov

    from xeonsr.bench import flops_per_lr_pixel
    from xeonsr.ir_graph import conv_macs

    macs = conv_macs(ov.Core().read_model(str(SHIPPED_IR_DIR / "dcscn_x2_fp32.xml")), side=24)
    assert 2 * sum(macs.values()) / 24**2 == flops_per_lr_pixel("dcscn", 2)


@pytest.mark.slow
def test_int8_ir_with_too_little_int8_work_is_refused(ir_dir, data_dir, tmp_path):
    import openvino as ov

    from xeonsr.ir_graph import float_layers
    from xeonsr.quantization import BudgetError, quantize

    ir_dir = shutil.copytree(ir_dir, tmp_path / "ir")
    reports = ir_dir / "reports"
    convs = float_layers(ov.Core().read_model(str(ir_dir / "fsrcnn_x3_fp32.xml")))
    # Everything float but the 1x1 shrink (body.2): ~5% of the multiply-adds.
    keep = [c for c in convs if not c.startswith(("__module.body.2/", "__module.upsample/"))]
    with pytest.raises(BudgetError, match="of the multiply-adds stay INT8"):
        quantize(
            "fsrcnn",
            3,
            str(data_dir),
            ir_dir,
            {"calibration_crops": 20, "ignored_scope": keep},
            reports_dir=reports,
            method="ptq",
        )
    rep = json.loads((reports / f"{F3}.json").read_text())
    assert 0 < rep["int8_mac_share"] < 0.1 and "no INT8 IR written" in rep["status"]
    assert not (ir_dir / f"{F3}.xml").exists()


def test_installed_package_reads_shipped_irs_from_the_package_and_writes_to_user_data(tmp_path):
    """Outside a checkout (a wheel install) the shipped IRs are read from the package, and
    exports, INT8 IRs and reports go to ~/.local/share/xeonsr."""
    pkg = tmp_path / "site"
    src = os.path.join(os.path.dirname(__file__), "..", "xeonsr")
    shutil.copytree(src, pkg / "xeonsr", ignore=shutil.ignore_patterns("weights"))
    env = {k: v for k, v in os.environ.items() if k not in ("XEONSR_IR_DIR", "XDG_DATA_HOME")}
    env.update(HOME=str(tmp_path / "home"), PYTHONPATH=str(pkg))
    code = (
        "import xeonsr.irs as i, xeonsr.export as e\n"
        "print(i.SHIPPED_IR_DIR); print(e.export_dir(None, None)); print(e.export_dir('w.safetensors', None))\n"
        "print(i.REPORTS); print(i.locate_ir('fsrcnn', 3, 'int8')[0])"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    shipped, mine, yours, reports, located = out.stdout.split()
    user = str(tmp_path / "home" / ".local" / "share" / "xeonsr" / "openvino_models")
    assert shipped == str(pkg / "xeonsr" / "openvino_models") and located.startswith(shipped)
    assert mine == yours == user and reports.startswith(str(tmp_path / "home"))


def test_your_weights_never_replace_a_shipped_ir(tmp_path):
    from xeonsr.export import export_dir

    with pytest.raises(IRError, match="store of its own"):
        export_dir("mine.safetensors", SHIPPED_IR_DIR)
    assert export_dir("mine.safetensors", tmp_path / "mine") == tmp_path / "mine"


def test_concurrent_manifest_writers_lose_no_entry(tmp_path):
    # Two quantize runs into one store each read, add and write the manifest; under the lock
    # neither write drops the other's entries.
    code = (
        "import sys\nfrom pathlib import Path\nfrom xeonsr.irs import update_manifest\n"
        "for i in range(60):\n"
        "    update_manifest({'name': f'{sys.argv[1]}{i}'}, Path(sys.argv[2]))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, tag, str(tmp_path)]) for tag in ("a", "b", "c")]
    assert all(p.wait() == 0 for p in procs)
    assert len(read_manifest(tmp_path)["models"]) == 180


def test_ptq_tries_the_recipes_fallback_before_giving_up(ir_dir, data_dir, tmp_path, monkeypatch):
    import xeonsr.int8_search as int8_search
    import xeonsr.quantization as q
    from xeonsr.errors import UserError
    from xeonsr.quant_recipe import load_recipe

    ir_dir = shutil.copytree(ir_dir, tmp_path / "ir")
    seen = []

    def ptq(fp32_model, recipe, *a, **k):  # keeps every layer float: a budget no variant meets
        kinds = {op.get_type_name() for op in fp32_model.get_ops()}
        seen.append((recipe.first_layer_rows, recipe.overflow_fix, "ExtractImagePatches" in kinds))
        return fp32_model, []

    monkeypatch.setattr(int8_search, "ptq", ptq)
    recipe = {"calibration_crops": 8, "first_layer_rows": True, "overflow_fix": "first_layer"}
    recipe["ptq_fallback"] = {"first_layer_rows": False, "overflow_fix": "disable"}
    with pytest.raises(q.BudgetError, match="no INT8 IR written"):
        q.quantize("fsrcnn", 3, str(data_dir), ir_dir, recipe, method="ptq")
    # The rows form with 7-bit first-layer weights, then the plain form with 8-bit ones.
    assert seen == [(True, "first_layer", True), (False, "disable", False)]
    report = json.loads((ir_dir / "reports" / f"{F3}.json").read_text())
    assert report["recipe"]["first_layer_rows"] is False and "first layer in rows" in report["why_method"]
    with pytest.raises(UserError, match="ptq_fallback sets no recipe field"):
        load_recipe("fsrcnn", {"ptq_fallback": {"first_layer_row": False}})


def test_a_qat_first_recipe_tries_qat_then_ptq_and_stores_qats_first_layer_in_rows(
    ir_dir, data_dir, tmp_path, monkeypatch
):
    import openvino as ov

    import xeonsr.int8_search as int8_search
    import xeonsr.qat as qat
    import xeonsr.quantization as q
    from xeonsr.ptq import _quantize
    from xeonsr.quant_recipe import QuantRecipe

    ir_dir = shutil.copytree(ir_dir, tmp_path / "ir")
    fp32 = ov.Core().read_model(str(locate_ir("fsrcnn", 3, "fp32", ir_dir)[0]))
    calls = []

    def every_layer_int8(net, scale, calib, cfg, data_dir, float_convs=(), **k):  # stands in for QAT's model
        calls.append(("qat", list(float_convs)))
        return _quantize(fp32, QuantRecipe(target_isa="avx2"), calib, []), 1.0

    def ptq(form, recipe, *a, **k):
        calls.append(("ptq", "ExtractImagePatches" in {op.get_type_name() for op in form.get_ops()}))
        return _quantize(form, recipe, a[2], []), []  # a: budget, FP32 PSNR, calibration, scale

    monkeypatch.setattr(qat, "qat_int8", every_layer_int8)
    monkeypatch.setattr(int8_search, "ptq", ptq)
    recipe = {"calibration_crops": 8, "qat_first": True, "first_layer_rows": True, "max_drop_db": 10.0}
    report = q.quantize("fsrcnn", 3, str(data_dir), ir_dir, recipe, target_isa="avx2")
    assert calls == [("qat", [])]  # every layer INT8 (the bicubic skip aside); PTQ not needed
    assert report["why_method"] == "qat met the budget (tried first: the recipe's qat_first)"
    assert (
        report["method"].startswith("qat")
        and report["status"] == "ok"
        and report["layers_kept_in_fp"] == ["__module.upsample/aten::_convolution/Convolution"]
    )
    stored = ov.Core().read_model(ir_dir / f"{int8_stem('fsrcnn', 3, 'avx2')}.xml")
    assert "ExtractImagePatches" in {op.get_type_name() for op in stored.get_ops()}  # QAT's body.0 in rows

    # Where QAT misses (here: nothing INT8), PTQ runs next, in the recipe's form, and says why.
    calls.clear()
    monkeypatch.setattr(qat, "qat_int8", lambda *a, **k: (calls.append(("qat", None)), (fp32.clone(), 1.0))[1])
    report = q.quantize("fsrcnn", 3, str(data_dir), ir_dir, recipe, target_isa="avx2")
    assert calls == [("qat", None), ("ptq", True)]
    assert report["method"].startswith("ptq") and report["why_method"].startswith("qat: only 0")
    assert "qat" not in report


VNNI_FLAGS = "avx avx2 fma avx512f avx512_vnni"


@pytest.mark.parametrize(
    "flags,cap,isa,noted",
    [
        ("avx avx2 fma", None, "vnni", "no VNNI in these INT8 kernels: "),
        (VNNI_FLAGS, None, "vnni", None),
        (VNNI_FLAGS, "AVX2", "vnni", "no VNNI in these INT8 kernels (oneDNN held to AVX2)"),
        (VNNI_FLAGS, None, "avx2", "For its exact sums run this under ONEDNN_MAX_CPU_ISA=AVX2."),
        (VNNI_FLAGS, "AVX2", "avx2", None),
        ("avx avx2 fma", None, "avx2", None),
    ],
)
def test_quantize_says_where_its_kernels_sum_unlike_the_target(monkeypatch, capsys, flags, cap, isa, noted):
    import xeonsr.info
    import xeonsr.quantization
    from xeonsr.cli import main
    from xeonsr.errors import UserError

    monkeypatch.delenv("DNNL_MAX_CPU_ISA", raising=False)
    if cap:
        monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", cap)
    else:
        monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    parse = xeonsr.info.cpu_info
    text = f"model name : AMD EPYC\ncpu family : 25\nmodel : 1\nflags : {flags}\n"
    monkeypatch.setattr(xeonsr.info, "cpu_info", lambda t=None: parse(text))

    def stop(*_a, **_kw):
        raise UserError("stopped before NNCF (test)")

    monkeypatch.setattr(xeonsr.quantization, "quantize", stop)
    assert main(["quantize", "--model", "fsrcnn", "--scale", "2", "--isa", isa]) != 0
    err = capsys.readouterr().err
    assert "stopped before NNCF (test)" in err
    assert ("note:" in err) == bool(noted) and (not noted or noted in err)
