"""xeonsr profile: per-layer times of the shipped IRs, from OpenVINO's own counters."""

import json

import pytest

from xeonsr.cli import main
from xeonsr.irs import SHIPPED_IR_DIR


def test_fsrcnn_x3_int8_profile_names_each_layer_with_its_kernel_and_work():
    import openvino as ov

    from xeonsr.ir_graph import float_layers
    from xeonsr.profile import profile_ir

    xml = SHIPPED_IR_DIR / "fsrcnn_x3_int8.xml"
    h, w = 32, 40
    res = profile_ir(xml, (h, w), threads=1, warmup=1, repeats=3)
    layers = {r.name: r for r in res["layers"]}
    # The deploy form's head: the 9 phases' column pair, 3 columns (3x1 taps) over 56 channels.
    assert layers["head_columns.columns"].macs == 9 * 3 * 56 * 3 * h * w
    assert layers["body.0"].macs == 56 * 25 * h * w
    # What the counters say runs in INT8 is what the IR's quantization says.
    kept_float = {n.split("/")[0][len("__module.") :] for n in float_layers(ov.Core().read_model(str(xml)))}
    convs = [r for r in res["layers"] if r.op == "Convolution"]
    assert {r.name for r in convs if "I8" not in r.kernel} == kept_float
    # The shipped IR keeps float what its quantization report says (and the skip branch).
    import json

    from xeonsr.irs import REPORTS

    report = json.loads((REPORTS / "fsrcnn_x3_int8.json").read_text())
    assert kept_float == {n.split("/")[0][len("__module.") :] for n in report["layers_kept_in_fp"]}
    assert "upsample" in kept_float and "head_columns.columns" not in kept_float
    assert abs(sum(r.share for r in res["layers"]) - 1) < 1e-6
    assert 0 < res["summed_node_ms"] and 0 < res["wall_ms"]
    assert all(r.ms > 0 for r in res["layers"])
    assert res["macs"] == sum(r.macs for r in convs)


def test_a_layer_in_parts_shows_each_parts_work(monkeypatch):
    """DCSCN in the AVX2 forms (on any CPU: the forms are exact everywhere): its 1x1 layer on the
    481-channel concatenation runs as seven parts, whose multiply-adds add up to the layer's."""
    import xeonsr.info
    from xeonsr.profile import profile_ir

    class Avx2:
        forms_class = "avx2"

    monkeypatch.setattr(xeonsr.info, "cpu_info", lambda *a, **k: Avx2())
    h, w = 24, 20
    res = profile_ir(SHIPPED_IR_DIR / "dcscn_x2_fp32.xml", (h, w), threads=1, warmup=1, repeats=2)
    parts = [r for r in res["layers"] if r.name.startswith("nin_a.0/part")]
    assert len(parts) == 7 and sum(r.macs for r in parts) == 481 * 64 * h * w
    assert "nin_a.0" not in {r.name for r in res["layers"]}
    convs = [r for r in res["layers"] if r.op == "Convolution" and r.macs]
    assert res["macs"] == sum(r.macs for r in convs)  # the total is the stored layers'


def test_conv_macs_scales_with_a_non_square_size():
    import openvino as ov

    from xeonsr.ir_graph import conv_macs

    model = ov.Core().read_model(str(SHIPPED_IR_DIR / "fsrcnn_x3_fp32.xml"))
    square = conv_macs(model, side=24)
    rect = conv_macs(model, size=(24, 48), skip=True)
    assert all(rect[k] == 2 * v for k, v in square.items())
    assert set(rect) - set(square) == {"__module.upsample/aten::_convolution/Convolution"}


def test_profile_command_writes_json(tmp_path, capsys):
    out = tmp_path / "p.json"
    argv = ["profile", "fsrcnn-s", "--precision", "fp32", "--size", "40x24", "--repeats", "2", "--top", "3"]
    assert main(argv + ["--threads", "1", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "fsrcnn-s_x3_fp32.xml on a 40x24 LR input" in printed
    assert len(printed.strip().splitlines()) == 6  # thread plan, summary, header, the 3 slowest nodes
    data = json.loads(out.read_text())
    assert data["lr_size"] == [24, 40] and data["threads"] == 1
    assert data["layers"][0]["ms"] >= data["layers"][-1]["ms"] and data["layers"][0]["kernel"]


def test_profile_takes_the_ir_of_a_store_you_name(tmp_path, capsys):
    """Every other command took --ir-dir; profile only a shipped model's name or an .xml path."""
    import shutil

    from xeonsr.irs import SHIPPED_IR_DIR, read_manifest

    store = tmp_path / "mine"
    store.mkdir()
    entry = read_manifest(SHIPPED_IR_DIR)["models"]["fsrcnn-s_x2_fp32"]
    for f in (entry["xml"], entry["bin"]):
        shutil.copy(SHIPPED_IR_DIR / f, store / f)
    (store / "manifest.json").write_text(json.dumps({"models": {"fsrcnn-s_x2_fp32": entry}}))
    argv = ["profile", "--ir-dir", str(store), "--precision", "fp32", "--size", "40x24", "--repeats", "2"]
    assert main(argv) == 0  # its one model and scale
    assert f"{store / 'fsrcnn-s_x2_fp32.xml'} on a 40x24 LR input" in capsys.readouterr().out
    assert main(["profile", "fsrcnn", "--ir-dir", str(store), "--precision", "fp32"]) == 1
    assert "no fp32 IR for fsrcnn x3 in" in capsys.readouterr().err


def test_profile_in_bf16_is_the_fp32_ir_as_ov_bf16_runs_it(tmp_path, capsys):
    """`--precision bf16` was refused: the precision `xeonsr upscale --precision bf16` and the
    bench's ov-bf16 rows run could not be profiled. Where the CPU has no native bf16: one line."""
    from xeonsr.info import cpu_info

    out = tmp_path / "p.json"
    argv = ["profile", "fsrcnn-s", "--precision", "bf16", "--size", "40x24", "--repeats", "2", "--json", str(out)]
    if not cpu_info().native_bf16:
        assert main(argv) == 1
        assert "bf16 needs a CPU with native bf16" in capsys.readouterr().err
        return
    assert main(argv) == 0
    assert "fsrcnn-s_x3_fp32.xml in bf16 on a 40x24 LR input" in capsys.readouterr().out
    data = json.loads(out.read_text())
    assert data["inference_precision"] == "bf16"
    assert any("bf16" in r["kernel"] for r in data["layers"] if r["op"] == "Convolution")


@pytest.mark.parametrize(
    "argv, says",
    [
        (["profile", "fsrcnn", "--size", "160"], "--size wants WIDTHxHEIGHT"),
        (["profile", "nosuch"], "unknown model 'nosuch'"),
        (["profile", "missing/model.xml"], "no IR at missing/model.xml"),
        (["profile", "fsrcnn", "--scale", "5"], "scale"),
        (["profile", "fsrcnn", "--scale", "3", "--precision", "fp16"], "--precision is fp32, int8 or bf16"),
        (["profile"], "name the model to profile"),
        (["profile", "--ir-dir", "no/such/store"], "no/such/store: no such IR store"),
        (["profile", "x.xml", "--ir-dir", "."], "x.xml is an IR of its own"),
    ],
)
def test_profile_mistakes_are_one_line(argv, says, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0] and "error:" in err[0]


def test_an_ir_with_another_input_is_refused_in_one_line(tmp_path, capsys):
    import openvino as ov
    import torch

    rgb = ov.convert_model(torch.nn.Conv2d(3, 3, 3, padding=1).eval(), example_input=torch.rand(1, 3, 16, 16))
    ov.save_model(rgb, str(tmp_path / "rgb.xml"))
    assert main(["profile", str(tmp_path / "rgb.xml"), "--repeats", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot run it on a (1, 1, H, W) input" in err[0]


def test_kernel_peak_runs_the_kernel_asked_and_says_none_where_it_cannot():
    from xeonsr.peaks import int8_conv_peak, kernel_peak

    _, kernel = int8_conv_peak(1, channels=64, side=24, layers=2, rounds=1)  # this CPU's INT8 kernel
    assert kernel.endswith("_I8") and kernel_peak(kernel, 1, rounds=1, channels=64, side=24) > 0
    assert kernel_peak("brgconv_avx512_dw_f32", 1) is None  # depthwise: no peak of its own
    assert kernel_peak("nosuch_kernel_f32", 1, rounds=1, channels=32, side=16) is None
    assert kernel_peak("unknown_f32", 1, rounds=1, channels=32, side=16) is None


def test_profile_with_peaks_sets_each_layer_against_its_own_kernels_peak(tmp_path, capsys):
    out = tmp_path / "p.json"
    argv = ["profile", "fsrcnn-s", "--precision", "int8", "--size", "40x24", "--repeats", "2", "--peaks"]
    assert main(argv + ["--threads", "1", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "kernel peaks (G(FL)OP/s" in printed and "of peak" in printed
    data = json.loads(out.read_text())
    peaks = data["kernel_peaks"]
    convs = [r for r in data["layers"] if r["macs"]]
    assert {r["kernel"] for r in convs} == set(peaks)
    assert any(k.endswith("_I8") and v for k, v in peaks.items())  # its INT8 layers' kernel measured
    for r in convs:
        if peaks[r["kernel"]]:
            assert r["of_peak"] == pytest.approx(2 * r["gmacs_per_s"] / peaks[r["kernel"]])
        else:
            assert r["of_peak"] is None
