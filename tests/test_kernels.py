"""Kernel plans (xeonsr.kernels): which CPUs get them, that they change the kernel and not the
output, that an AVX2-capped runtime ignores them, and `xeonsr tune` end to end on a small input.
And the exact forms per CPU class (xeonsr.ir_forms.host_forms): the same function, where they apply."""

import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from xeonsr.cli import main
from xeonsr.info import cpu_info
from xeonsr.irs import SHIPPED_IR_DIR, read_manifest
from xeonsr.kernels import (
    MAX_DIFF,
    conv_layers,
    cpu_class,
    cpu_key,
    openvino_version,
    plan_for,
    plan_key,
    with_kernels,
)

ZEN4 = {"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16"}
HERE_AVX512 = cpu_class(cpu_info().flags) in ("avx512_vnni", "avx512_amx")


def test_cpu_class_names_the_cpus_plans_are_for(monkeypatch):
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    monkeypatch.delenv("DNNL_MAX_CPU_ISA", raising=False)
    assert cpu_class(ZEN4) == "avx512_vnni"
    assert cpu_class({"avx2", "fma"}) is None  # AVX2-only: the plugin's own choice
    assert cpu_class({"avx512f", "avx512bw"}) is None  # Skylake-SP: not measured
    assert cpu_class(ZEN4 | {"amx_tile", "amx_int8", "amx_bf16"}) == "avx512_amx"  # its own defaults
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    assert cpu_class(ZEN4) is None


def test_a_capped_onednn_is_named_by_info_and_tune(monkeypatch, capsys):
    """Under ONEDNN_MAX_CPU_ISA no plan applies; `xeonsr info` and `xeonsr tune` say it is the
    cap, not the CPU, that turns them off."""
    from xeonsr.commands.info_cmd import info_text

    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX512_CORE_VNNI")
    kernels = next(line for line in info_text().splitlines() if line.startswith("kernels:"))
    assert main(["tune", "--model", "fsrcnn", "--scale", "3", "--ir-dir", "unused"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    if HERE_AVX512:
        assert "oneDNN held to AVX512_CORE_VNNI by ONEDNN_MAX_CPU_ISA" in kernels
        assert "oneDNN is held to AVX512_CORE_VNNI" in err and "unset it to tune" in err
    else:  # unsetting it would not help on this CPU
        assert "kernel plans are for AVX-512 VNNI CPUs" in kernels and "AVX-512 VNNI" in err


def test_plan_for_applies_only_to_its_class_precision_and_ir_version(monkeypatch):
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    monkeypatch.delenv("DNNL_MAX_CPU_ISA", raising=False)
    layers = {"a/Convolution": "jit_avx512"}
    plan = {"layers": layers, "xml_sha256": "abc", "openvino": openvino_version()}
    entry = {"xml_sha256": "abc", "kernels": {plan_key("avx512_vnni", "f32"): plan}}
    assert plan_for(entry, "f32", ZEN4) == layers
    assert plan_for(entry, "bf16", ZEN4) is None
    assert plan_for(entry, "f32", {"avx2", "fma"}) is None
    assert plan_for({**entry, "xml_sha256": "def"}, "f32", ZEN4) is None  # IR re-exported since
    assert plan_for({"xml_sha256": "abc"}, "f32", ZEN4) is None
    other = {**entry, "kernels": {plan_key("avx512_vnni", "f32"): {**plan, "openvino": "2025.0.0"}}}
    assert plan_for(other, "f32", ZEN4) is None  # checked with another OpenVINO
    assert plan_for(None, "f32", ZEN4) is None


def _run(model, x, threads=1):
    from xeonsr.ov import compile_ir

    req = compile_ir(model, threads, profiling=True).create_infer_request()
    out = next(iter(req.infer({0: x}).values())).copy()
    kernels = {p.node_name: p.exec_type for p in req.profiling_info if p.node_type == "Convolution"}
    return out, kernels


def test_a_plan_changes_the_kernel_not_the_output():
    import openvino as ov

    model = ov.Core().read_model(str(SHIPPED_IR_DIR / "fsrcnn_x3_int8.xml"))
    names = [n for n, _ in conv_layers(model)]
    x = np.random.default_rng(1).random((1, 1, 24, 32), dtype=np.float32)
    ref, default_kernels = _run(model, x)
    out, kernels = _run(with_kernels(model, dict.fromkeys(names, "jit_avx512")), x)
    assert np.abs(out - ref).max() <= MAX_DIFF
    assert set(kernels) == set(default_kernels) == set(names)
    if HERE_AVX512:  # elsewhere the plugin falls back to its own list
        assert all(k.startswith("jit_avx512") for k in kernels.values()), kernels
        assert kernels != default_kernels, default_kernels  # the plugin's own choice differs
    with pytest.raises(ValueError, match="lacks"):
        with_kernels(model, {"no/such/layer": "jit_avx512"})


def _kernels_of(compiled) -> dict[str, str]:
    out = {}
    for op in compiled.get_runtime_model().get_ordered_ops():
        rt = op.get_rt_info()
        if rt["layerType"].astype(str) == "Convolution":
            out[rt["originalLayersNames"].astype(str).split(",")[0]] = rt["primitiveType"].astype(str)
    return out


def test_a_kernel_known_to_crash_is_never_run(monkeypatch):
    """compile_ir moves every convolution off an AVOID kernel, with the same output; shown on
    this host's own kernel for FSRCNN's expanding layer (the one AMX's INT8 1x1 kernel crashes)."""
    import openvino as ov

    import xeonsr.kernels
    from xeonsr.ov import compile_ir

    model = ov.Core().read_model(str(SHIPPED_IR_DIR / "fsrcnn_x3_int8.xml"))
    layer = "__module.body.12/aten::_convolution/Convolution"
    x = np.random.default_rng(2).random((1, 1, 24, 32), dtype=np.float32)
    monkeypatch.setattr(xeonsr.kernels, "AVOID", {})
    plain = compile_ir(model, 1)
    default = _kernels_of(plain)[layer]
    capped = os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA")
    alt = "jit_avx512" if "avx512f" in cpu_info().flags and not capped else "jit_avx2"
    assert default != f"{alt}_I8"  # the plugin's own choice is another kernel than the one asked
    monkeypatch.setattr(xeonsr.kernels, "AVOID", {default: (alt, None)})
    moved = compile_ir(model, 1)
    assert _kernels_of(moved)[layer] == f"{alt}_I8"
    assert default not in _kernels_of(moved).values()
    ref = next(iter(plain.create_infer_request().infer({0: x}).values()))
    out = next(iter(moved.create_infer_request().infer({0: x}).values()))
    assert np.abs(out - ref).max() <= MAX_DIFF


def test_fsrcnn_int8_runs_every_size_as_its_static_form():
    """On Intel AMX CPUs OpenVINO's INT8 1x1 AMX kernel segfaulted FSRCNN's INT8 IRs on about
    half of all input sizes (openvinotoolkit/openvino#37577; 61x37 among them): the runtime's
    dynamic-shape model must run them all, as its static-shape compile does. In a child
    process, so a crash fails this test rather than the whole run."""
    code = r"""
import json, numpy as np, openvino as ov
from xeonsr.irs import SHIPPED_IR_DIR
from xeonsr.ov import compile_ir
m = ov.Core().read_model(str(SHIPPED_IR_DIR / "fsrcnn_x3_int8.xml"))
req = compile_ir(m, 2).create_infer_request()
worst = 0.0
for h, w in [(61, 37), (37, 61), (62, 37), (61, 38), (125, 60), (19, 21), (60, 37)]:
    x = np.random.default_rng(h * w).random((1, 1, h, w), dtype=np.float32)
    out = next(iter(req.infer({0: x}).values())).copy()
    s = m.clone()
    s.reshape([1, 1, h, w])
    ref = next(iter(ov.Core().compile_model(s, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})({0: x}).values()))
    worst = max(worst, float(np.abs(out - ref).max()))
print(json.dumps({"diff": worst}))
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, f"rc {res.returncode}: {res.stderr[-1500:]}"
    assert json.loads(res.stdout.strip().splitlines()[-1])["diff"] <= MAX_DIFF


INT8_OUTPUTS = r"""
import sys, numpy as np
from xeonsr.irs import SHIPPED_IR_DIR, read_manifest
from xeonsr.ov import compile_ir
out = {}
for name, e in sorted(read_manifest(SHIPPED_IR_DIR)["models"].items()):
    if e["precision"] == "int8" and e.get("target_isa", "vnni") in ("vnni", "amx"):
        req = compile_ir(SHIPPED_IR_DIR / e["xml"], 2).create_infer_request()
        for h, w in ((140, 160), (61, 37), (96, 200)):
            x = np.random.default_rng(h * w).random((1, 1, h, w), dtype=np.float32)
            out[f"{name}_{h}x{w}"] = next(iter(req.infer({0: x}).values())).copy()
np.savez(sys.argv[1], **out)
"""


def test_every_int8_ir_computes_here_what_the_vnni_kernels_compute(tmp_path):
    """The VNNI- and AMX-class INT8 IRs through every xeonsr compile, against the same compile with
    oneDNN capped to AVX-512 VNNI. On an AMX CPU OpenVINO's AMX kernels ran FSRCNN's x2 head 14 grey
    levels off on inputs 137+ wide (xeonsr.kernels.AVOID moves it); elsewhere the cap changes
    nothing for the VNNI IRs. The AMX IRs' signed activations run AMX brgemm kernels here, whose
    float requantization rounds a few ties the other way: on an AMX Xeon DCSCN's output moved
    by up to 0.009 (2.3 grey levels) here; a kernel that miscomputes moves whole regions. In child
    processes: the cap is read once per process."""
    got = {}
    for tag, env in (("here", {}), ("vnni", {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_VNNI"})):
        path = tmp_path / f"{tag}.npz"
        res = subprocess.run(
            [sys.executable, "-c", INT8_OUTPUTS, str(path)],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert res.returncode == 0, res.stderr[-1500:]
        got[tag] = np.load(path)
    assert len(got["here"].files) >= 3 * 16
    diff = {k: np.abs(got["here"][k] - got["vnni"][k]) for k in got["here"].files}
    worst = {k: float(d.max()) for k, d in diff.items() if "_int8_amx_" not in k}
    assert max(worst.values()) <= 1e-4, sorted(worst.items(), key=lambda kv: -kv[1])[:3]
    amx = {k: (float(d.max()), float(d.mean())) for k, d in diff.items() if "_int8_amx_" in k}
    assert amx and all(top <= 0.02 and mean <= 5e-4 for top, mean in amx.values()), amx


def test_an_avx2_capped_runtime_ignores_plans_and_still_runs_them_exactly(tmp_path):
    """The AVX2-only path on any host: oneDNN capped to AVX2, as on a first-generation Zen."""
    code = r"""
import json, sys, numpy as np, openvino as ov
from xeonsr.kernels import conv_layers, plan_for, with_kernels
from xeonsr.irs import SHIPPED_IR_DIR
from xeonsr.ov import compile_ir
from xeonsr.kernels import openvino_version
plan = {"layers": {"x": "jit_avx512"}, "xml_sha256": "s", "openvino": openvino_version()}
entry = {"xml_sha256": "s", "kernels": {"avx512_vnni/f32": plan}}
assert plan_for(entry, "f32") is None, "plans must not apply under an ISA cap"
m = ov.Core().read_model(str(SHIPPED_IR_DIR / "fsrcnn_x3_int8.xml"))
x = np.random.default_rng(1).random((1, 1, 24, 32), dtype=np.float32)
outs, kinds = [], []
for mm in (m, with_kernels(m, {n: "jit_avx512" for n, _ in conv_layers(m)})):
    r = compile_ir(mm, 1, profiling=True).create_infer_request()
    outs.append(next(iter(r.infer({0: x}).values())).copy())
    kinds.append(sorted({p.exec_type for p in r.profiling_info if p.node_type == "Convolution"}))
print(json.dumps({"diff": float(np.abs(outs[0] - outs[1]).max()), "kernels": kinds}))
"""
    env = {**os.environ, "ONEDNN_MAX_CPU_ISA": "AVX2"}
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got["diff"] <= MAX_DIFF
    assert not any("avx512" in k for ks in got["kernels"] for k in ks), got["kernels"]


def test_tune_writes_a_verified_plan_that_runs_the_same_function(tmp_path, capsys):
    store = tmp_path / "store"
    store.mkdir()
    man = read_manifest(SHIPPED_IR_DIR)
    entry = man["models"]["fsrcnn-s_x3_int8"]
    for key in ("xml", "bin"):
        shutil.copy(SHIPPED_IR_DIR / entry[key], store / entry[key])
    (store / "manifest.json").write_text(json.dumps({"models": {entry["name"]: entry}}))
    argv = ["tune", "--ir-dir", str(store), "--model", "fsrcnn-s", "--scale", "3", "--precision", "int8"]
    argv += ["--size", "24x16", "--rounds", "1", "--threads", "1"]
    if not HERE_AVX512:
        assert main(argv) != 0
        assert "AVX-512 VNNI" in capsys.readouterr().err
        return
    assert main(argv) == 0
    tuned = read_manifest(store)["models"]["fsrcnn-s_x3_int8"]
    from xeonsr.commands.tune_cmd import record_key

    plan = tuned["kernels"][record_key(entry, cpu_class(cpu_info().flags), cpu_info())]  # the shipped one's design's
    assert plan["xml_sha256"] == entry["xml_sha256"] and plan["lr_size"] == "24x16" and plan["threads"] == 1
    assert plan["cpu"] == cpu_info().model and plan["openvino"] == openvino_version()
    assert "host noise: the same graph compiled twice ran" in capsys.readouterr().out
    assert 0 < plan["noise"][0] <= plan["noise"][1]  # kept, to judge the plan by later
    import openvino as ov

    names = {n for n, _ in conv_layers(ov.Core().read_model(str(store / entry["xml"])))}
    assert set(plan["layers"]) <= names
    if plan["layers"] and plan["layers"] == plan_for(entry, "f32"):  # the plan runs here used: kept unless beaten
        assert plan["speedup"] >= 1 / 1.03
    else:
        assert (plan["speedup"] >= 1.03) == bool(plan["layers"])  # a new plan is kept only for a gain
    # Every OpenVINO run from that store uses the plan, and computes the same image.
    from xeonsr.runtime import load_runner

    x = np.random.default_rng(2).random((1, 1, 20, 28), dtype=np.float32)
    ours = load_runner("fsrcnn-s", 3, "ov-int8", ir_dir=store, threads=1)
    shipped = load_runner("fsrcnn-s", 3, "ov-int8", ir_dir=SHIPPED_IR_DIR, threads=1)
    assert np.abs(ours(x) - shipped(x)).max() <= MAX_DIFF
    if plan["layers"]:
        assert "measured kernels" in ours.note


def test_tune_times_int8_against_bf16_and_auto_takes_the_faster(tmp_path, capsys):
    """On an AMX Xeon FSRCNN-s x2's FP32 IR in bf16 ran 1.15-1.22x its INT8 IR (and loses less
    PSNR), yet `--precision auto` took INT8 on every VNNI/AMX CPU. Now `xeonsr tune` times the two
    on CPUs with native bf16 and auto reads that record; without one, auto stays INT8 first."""
    from xeonsr.infer import choose_backend
    from xeonsr.irs import int8_entry

    store = tmp_path / "store"
    store.mkdir()
    models = read_manifest(SHIPPED_IR_DIR)["models"]
    int8_name = int8_entry(models, "fsrcnn-s", 2, cpu_info().isa_class)["name"]  # the one tune times here
    picked = {k: models[k] for k in (int8_name, "fsrcnn-s_x2_fp32")}
    for e in picked.values():
        for key in ("xml", "bin"):
            shutil.copy(SHIPPED_IR_DIR / e[key], store / e[key])
    key = plan_key(cpu_class(cpu_info().flags) or "avx512_amx", "f32")
    # the class's record, measured on another design: a tune here records this design's beside it
    seeded = {"layers": {}, "speedup": 1.0, "xml_sha256": picked[int8_name]["xml_sha256"], "bf16_vs_int8": 2.0}
    seeded.update(openvino=openvino_version(), fp32_sha256=picked["fsrcnn-s_x2_fp32"]["xml_sha256"])
    seeded["cpu"] = "Another Xeon (family 6 model 1)"
    picked[int8_name] = {**picked[int8_name], "kernels": {key: seeded}}
    (store / "manifest.json").write_text(json.dumps({"models": picked}))
    argv = ["tune", "--ir-dir", str(store), "--model", "fsrcnn-s", "--scale", "2", "--precision", "int8"]
    argv += ["--size", "24x16", "--rounds", "1", "--threads", "1"]
    if not HERE_AVX512:
        assert main(argv) != 0
        return
    assert main(argv) == 0
    records = read_manifest(store)["models"][int8_name]["kernels"]
    mine = f"{key}/{cpu_key(cpu_info())}"
    assert records[key] == seeded and set(records) == {key, mine}
    record = records[mine]
    assert record["cpu"] == cpu_info().model and f"recorded under {mine}" in capsys.readouterr().out
    if not cpu_info().native_bf16:
        assert "bf16_vs_int8" not in record
        assert choose_backend("fsrcnn-s", 2, "auto", "auto", None, str(store))[1] == "int8"
        return
    assert record["bf16_vs_int8"] > 0 and record["fp32_sha256"] == picked["fsrcnn-s_x2_fp32"]["xml_sha256"]
    for ratio, fp32_sha, takes in ((1.2, None, "bf16"), (1.01, None, "int8"), (1.2, "another IR", "int8")):
        man = read_manifest(store)
        recs = man["models"][int8_name]["kernels"]
        recs[mine]["bf16_vs_int8"] = ratio  # this design's timing decides, not the class's 2.0
        for rec in recs.values():  # "another IR": neither timing holds for the FP32 IR in the store
            rec["fp32_sha256"] = fp32_sha or picked["fsrcnn-s_x2_fp32"]["xml_sha256"]
        (store / "manifest.json").write_text(json.dumps(man))
        assert choose_backend("fsrcnn-s", 2, "auto", "auto", None, str(store))[:2] == ("openvino", takes)
        assert choose_backend("fsrcnn-s", 2, "auto", "int8", None, str(store))[1] == "int8"  # asked: kept


def test_tune_times_each_scale_on_set14s_lr_unless_a_size_is_given(tmp_path, monkeypatch):
    """Tuned at 160x140 for every scale, plans lost up to 8% at x2's and x4's Set14 LR (session 75)."""
    if not HERE_AVX512:
        pytest.skip("kernel plans are tuned on AVX-512 CPUs (the AVX2 refusal: the test above)")
    import xeonsr.tune as tuner

    store = tmp_path / "store"
    store.mkdir()
    models = read_manifest(SHIPPED_IR_DIR)["models"]
    picked = {k: models[k] for k in ("fsrcnn-s_x2_fp32", "fsrcnn-s_x4_fp32")}
    for e in picked.values():
        for key in ("xml", "bin"):
            shutil.copy(SHIPPED_IR_DIR / e[key], store / e[key])
    (store / "manifest.json").write_text(json.dumps({"models": picked}))
    sizes = []

    def measured(xml, precision, threads, size, rounds, **kw):
        sizes.append(size)
        return {"layers": {}, "speedup": 1.0, "lr_size": f"{size[1]}x{size[0]}", "threads": threads}

    monkeypatch.setattr(tuner, "tune", measured)
    argv = ["tune", "--ir-dir", str(store), "--model", "fsrcnn-s", "--precision", "fp32", "--threads", "1"]
    assert main(argv) == 0 and sorted(sizes) == [(90, 120), (180, 240)]
    sizes.clear()
    assert main([*argv, "--size", "24x16"]) == 0 and sizes == [(16, 24), (16, 24)]


def test_a_design_tuned_runs_its_own_record_and_the_others_their_class():
    """Two AMX Xeons disagreed on FSRCNN x2 (bf16 0.89x INT8 on one, 1.08x on the other) and on
    three IRs' kernel plans. A design tuned reads its own record (plan and bf16 timing); a design
    nobody tuned runs the class's plan and takes bf16 only where every design of its class did."""
    from xeonsr.commands.tune_cmd import record_key
    from xeonsr.info import CpuInfo
    from xeonsr.kernels import bf16_first, plan_record

    amx = {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni", "avx512_bf16", "amx_int8", "amx_bf16"}

    def xeon(model_number):
        return CpuInfo(f"Xeon (family 6 model {model_number})", 2, 2, 2, amx, 6, model_number)

    def record(model_number, ratio, layers):
        rec = {"layers": layers, "xml_sha256": "i", "fp32_sha256": "f", "openvino": openvino_version()}
        return {**rec, "cpu": f"Xeon (family 6 model {model_number})", "bf16_vs_int8": ratio}

    fp32, cls = {"xml_sha256": "f"}, plan_key("avx512_amx", "f32")
    own = plan_key("avx512_amx", "f32", "family 6 model 167")
    int8 = {"xml_sha256": "i", "kernels": {cls: record(207, 0.894, {}), own: record(167, 1.077, {"a": "jit_avx512"})}}
    assert [bf16_first(int8, fp32, xeon(m)) for m in (207, 167, 143)] == [False, True, False]
    assert [plan_for(int8, "f32", xeon(m)) for m in (207, 167, 143)] == [None, {"a": "jit_avx512"}, None]
    assert plan_for(int8, "f32", amx) is None  # flags alone: the class's
    int8["kernels"][cls]["bf16_vs_int8"] = 1.07
    assert bf16_first(int8, fp32, xeon(143))  # every design tuned ran bf16 faster
    int8["kernels"][own]["xml_sha256"] = "an older IR"  # this design's record no longer holds
    assert plan_record(int8, "f32", xeon(167)) is int8["kernels"][cls] and bf16_first(int8, fp32, xeon(167))
    assert not bf16_first(int8, fp32, CpuInfo("Zen 3", 2, 2, 2, {"avx2", "fma"}, 25, 1))  # no class: no plan
    # where a tune records: its own design's key beside another design's class record, else the class's
    assert record_key(int8, "avx512_amx", xeon(167)) == own
    assert record_key(int8, "avx512_amx", xeon(207)) == cls
    assert record_key({"xml_sha256": "i"}, "avx512_amx", xeon(167)) == cls
    assert record_key({**int8, "xml_sha256": "new"}, "avx512_amx", xeon(167)) == cls  # the class's is stale
    # the shipped store holds the family 6 model 167 Xeon's records beside the class's (session 75)
    from xeonsr.commands.info_cmd import designs_tuned

    said = designs_tuned(xeon(167), "avx512_amx")
    assert said.endswith("shipped IRs with records of this design, family 6 model 167")
    assert int(said.split()[1]) >= 20 and designs_tuned(xeon(207), "avx512_amx") == ""


@pytest.mark.parametrize(
    "name, formed, other",
    [
        ("srcnn-955_x3_fp32", {"conv3.columns", "conv3.combine"}, "conv2"),  # no blocked chain: 5x5 middle
        ("srcnn_x3_int8", {"conv1"}, "conv2"),
    ],
)
def test_tune_measures_the_amx_forms_and_leaves_their_layers_to_them(name, formed, other):
    """A plan measured in a class's forms names none of their layers, so the runtime (which
    keeps a plan's layers stored) rewrites the same layers and runs the graph that was timed."""
    if not HERE_AVX512:
        pytest.skip("kernel plans are tuned on AVX-512 CPUs (the AVX2 refusal: the test above)")
    from xeonsr.tune import tune

    lines = []
    res = tune(SHIPPED_IR_DIR / f"{name}.xml", "f32", 1, (12, 16), 1, log=lines.append, forms_class="avx512_amx")
    assert {n.split("/")[0][len("__module.") :] for n in res["in_forms"]} == formed
    assert not set(res["layers"]) & set(res["in_forms"])
    tried = {line.split(":")[0].strip() for line in lines if line.startswith("  ") and ": " in line}
    assert not tried & formed and other in tried


@pytest.mark.parametrize("case", ["kept", "beaten", "level", "slower"])
def test_tune_keeps_a_recorded_plan_unless_the_new_one_beats_it(monkeypatch, case):
    """A re-tune on a noisy host must not replace a better plan with a worse one. The real tuner
    runs (compiles, output checks, the host-noise measure); its decisions see a fixed 'host' on
    which the recorded plan runs 0.9x the default's time and any other plan 1.0x (or 0.8x); or
    the recorded plan runs level with the default (0.99x: kept, the default not 3% faster than it)
    or behind it (1.1x: the default replaces it)."""
    new_is_faster = case == "beaten"
    if not HERE_AVX512:
        pytest.skip("kernel plans are tuned on AVX-512 CPUs (the AVX2 refusal: the test above)")
    import xeonsr.tune as tuner

    layer = "__module.{}/aten::_convolution/Convolution".format
    recorded = {layer("body.2"): "jit_avx512", layer("body.4"): "jit_avx512"}

    class Tagged:  # a request that knows which plan it was compiled with
        def __init__(self, req, plan):
            self.req, self.plan = req, dict(plan)

        def infer(self, inputs):
            return self.req.infer(inputs)

    real_request = tuner._request
    monkeypatch.setattr(tuner, "_request", lambda m, plan, t, p: Tagged(real_request(m, plan, t, p), plan))

    def cost(plan):
        if plan == recorded:
            return {"level": 0.99, "slower": 1.1}.get(case, 0.9)
        return 0.8 if plan and new_is_faster else 1.0

    monkeypatch.setattr(tuner, "_paired_ratio", lambda a, b, x, rounds, n: cost(a.plan) / cost(b.plan))
    lines = []
    ir = SHIPPED_IR_DIR / "fsrcnn-s_x3_int8.xml"
    res = tuner.tune(ir, "f32", 1, (12, 16), 1, log=lines.append, forms_class="avx512_vnni", recorded=recorded)
    lo, hi = res["noise"]
    assert 0 < lo <= hi and any("host noise" in line for line in lines)
    if new_is_faster:
        assert res["layers"] != recorded and len(res["layers"]) > 2 and res["speedup"] == 1.25
        assert any("the new plan ran 1.12x the recorded one: replaced" in line for line in lines)
    elif case == "kept":
        assert res["layers"] == recorded and res["speedup"] == 1.111
        assert any("the recorded plan kept: the new one ran 0.90x it" in line for line in lines)
    elif case == "level":
        assert res["layers"] == recorded and res["speedup"] == 1.01
        assert any("the recorded plan kept: the new one ran 0.99x it" in line for line in lines)
    else:
        assert res["layers"] == {} and res["speedup"] == 1.0
        assert any("the new plan ran 1.10x the recorded one: replaced" in line for line in lines)


def test_every_shipped_plan_computes_the_same_image():
    """A new OpenVINO may change what a kernel computes: every recorded plan is rechecked on a
    CPU of its class; on any other CPU it must never be applied (there the kernel it names falls
    back to another one, e.g. jit_avx2 on an AVX2-only CPU, which computes otherwise)."""
    import openvino as ov

    from xeonsr.ov import compile_ir

    plans = [
        (e, *key.split("/")[:2], p["layers"])
        for e in read_manifest(SHIPPED_IR_DIR)["models"].values()
        for key, p in (e.get("kernels") or {}).items()
        if p["layers"]
    ]
    assert len(plans) >= 10
    here = cpu_class(cpu_info().flags)
    for entry, cls, infer, _ in plans:
        if cls != here:  # another class's plan never applies here; this class's own (or its design's) may
            ours = [p["layers"] for k, p in entry["kernels"].items() if here and k.split("/")[:2] == [here, infer]]
            assert plan_for(entry, infer) in [None, *ours]
    for entry, _, infer, layers in (p for p in plans if p[1] == here):
        model = ov.Core().read_model(str(SHIPPED_IR_DIR / entry["xml"]))
        a = compile_ir(model, 1, infer).create_infer_request()
        b = compile_ir(model, 1, infer, kernels=layers).create_infer_request()
        for h, w in ((37, 61), (120, 83)):
            x = np.random.default_rng(h + w).random((1, 1, h, w), dtype=np.float32)
            diff = np.abs(next(iter(a.infer({0: x}).values())) - next(iter(b.infer({0: x}).values()))).max()
            assert diff <= MAX_DIFF, (entry["name"], infer, (h, w), float(diff))


def _shipped(name):
    import openvino as ov

    return ov.Core().read_model(str(SHIPPED_IR_DIR / f"{name}.xml"))


def _run_model(model, x):
    from xeonsr.ov import compile_ir

    return compile_ir(model, 1)(x)[0]


CONV3_FLOAT = "srcnn_x3 INT8, conv3 float (made here)"


@pytest.mark.parametrize(
    "name, rewritten",
    # "upsample": the bicubic skip's symmetric padding as one Pad (xeonsr.ir_pad), in every IR
    [
        # the blocked chain (xeonsr.ir_blocked): conv2 asks for its kernel, its graph unchanged
        ("srcnn_x3_fp32", {"conv1", "conv2", "conv3.columns", "upsample"}),
        ("fsrcnn_x3_fp32", {"body.0", "head_columns.columns", "upsample"}),
        ("fsrcnn-s_x2_fp32", {"body.0", "head_columns.columns", "upsample"}),
        ("dcscn_x2_fp32", {"features.0.0", "nin_a.0", "nin_b.0", "recon", "upsample"}),  # the last three: concat_sums
        # INT8 IRs: only the float layers no quantizer follows (here SRCNN's float last layer, whose
        # combine equalization scaled, as PTQ's search leaves it); every quantized layer sees what
        # it was checked with. No shipped INT8 IR has such a layer since SRCNN's went QAT.
        (CONV3_FLOAT, {"conv3.columns", "upsample"}),
        # QAT: conv3's columns INT8, only its combine float; conv1 stored in rows, its copies
        # made after the quantizer here (xeonsr.ir_rows_u8)
        ("srcnn_x3_int8_avx2", {"conv1", "upsample"}),
        # conv1 float but a quantizer follows it; conv3's columns INT8, only its combine float
        ("srcnn-955_x3_int8_avx2", {"upsample"}),
        ("fsrcnn_x3_int8_avx2", {"body.0", "upsample"}),  # every layer INT8, body.0 stored in rows (QAT first)
        ("fsrcnn_x2_int8_avx2", {"upsample"}),
        ("srcnn_x3_int8", {"upsample"}),  # the VNNI-made IR: its last layer is INT8
    ],
)
def test_the_avx2_forms_of_every_ir_are_the_same_function(name, rewritten, data_dir):
    from xeonsr.ir_forms import host_forms
    from xeonsr.ir_graph import conv_macs

    stored, model = _stored_and_copy(name, data_dir)
    done = host_forms(model, "avx2")
    assert {n.split("/")[0][len("__module.") :] for n in done} == rewritten
    # The same multiply-adds, layer names kept (a layer as a sum over a concatenation's inputs in
    # parts LAYER/part{i}); a row pair of fewer than 8 channels (SRCNN's last layer) pads them with
    # zero filters to one AVX2 vector, so that pair does 8/5 the work, FSRCNN's quantized 5 x 5
    # in 2 x 2 blocks of 3 x 3 has taps of zero weight (36 per 25), and the blocked chain's last
    # layer sums 32 depthwise channels where the pair's combine added 5 x 5 (32 per 25).
    macs, stored_macs = {}, conv_macs(stored)
    for layer, n in conv_macs(model).items():
        layer = re.sub(r"/part\d+$", "", layer)
        macs[layer] = macs.get(layer, 0) + n
    assert set(macs) == set(stored_macs)
    grown = {k for k in macs if macs[k] != stored_macs[k]}
    assert all(
        (macs[k] * 5 == stored_macs[k] * 8 and "conv3." in k)
        or (macs[k] * 25 == stored_macs[k] * 36 and ".body.0/" in k)
        or (macs[k] * 25 == stored_macs[k] * 32 and ".conv3.combine/" in k)
        for k in grown
    )
    assert _quantizers(model) == _quantizers(stored)
    rng = np.random.default_rng(0)
    for h, w in ((61, 37), (17, 16)):  # odd and even sizes: every border the forms pad differently
        x = rng.random((1, 1, h, w), dtype=np.float32)
        assert np.abs(_run_model(model, x) - _run_model(stored, x)).max() < MAX_DIFF


@pytest.mark.parametrize(
    "name, grouped_from, weight",
    [
        ("srcnn_x2_int8_avx2", None, [64, 27, 1, 3]),
        # 2 x 2 blocks of 3 x 3 over the 5 x 5: a last row and column of zero weight over zeros
        ("fsrcnn_x4_int8_avx2", None, [56, 4, 3, 3]),
        ("fsrcnn_x3_int8_avx2", None, [56, 4, 3, 3]),
        # its 5 rows by 3 column blocks of 2 over 5, where 15 copies are allowed
        ("fsrcnn_x4_int8_avx2", 5, [56, 15, 1, 2]),
    ],
)
def test_quantized_row_copies_made_after_the_quantizer_give_the_same_integers(
    name, grouped_from, weight, data_dir, monkeypatch
):
    """The copies of a quantized first layer in rows, made from the quantized image (Pad, Slices,
    Concat in u8), reach the layer as the same integers: bit for bit the stored form's output, on
    a real image at odd and even sizes (the padded rows and columns at each border). SRCNN's 9 x 9
    reads them as its 9 rows by 3 column blocks (27 channels, a 1 x 3 layer); FSRCNN's 5 x 5 as 2 x
    2 blocks (4 channels, a 3 x 3 layer)."""
    import xeonsr.ir_rows_u8
    from xeonsr.ir_rows_u8 import blocks, quantized_rows_by_slices

    assert (blocks(9, 9), blocks(5, 5), blocks(3, 3), blocks(1, 1)) == ((9, 3), (2, 2), (3, 1), (1, 1))
    if grouped_from is not None:
        monkeypatch.setattr(xeonsr.ir_rows_u8, "GROUPED_FROM", grouped_from)
    stored, model = _shipped(name), _shipped(name)
    first = "__module.conv1" if name.startswith("srcnn") else "__module.body.0"
    assert [n.split("/")[0] for n in quantized_rows_by_slices(model)] == [first]
    assert quantized_rows_by_slices(model) == []  # nothing left to rewrite
    convs = [op for op in model.get_ops() if op.get_type_name() == "Convolution"]
    (conv,) = [op for op in convs if op.get_friendly_name().startswith(first + "/")]
    assert list(conv.input(1).get_shape()) == weight
    kinds = {op.get_type_name() for op in model.get_ops()}
    assert "ExtractImagePatches" not in kinds and {"Pad", "Slice", "Concat"} <= kinds
    cuts = [op for op in model.get_ops() if op.get_type_name() == "Slice" and "upsample" not in op.get_friendly_name()]
    bounds = {op.input(i).get_source_output().get_node().get_type_name() for op in cuts for i in (1, 2)}
    assert bounds == {"Constant"}  # nothing computes the copies' bounds at run time
    assert _quantizers(model) == _quantizers(stored)
    from xeonsr.evaluate import load_samples

    lr = load_samples([data_dir / "Set5" / "butterfly.png"], 3)[0].lr  # LR Y on 0..255
    for h, w in ((61, 37), (40, 52)):
        x = np.ascontiguousarray(lr[None, None, :h, :w], dtype=np.float32) / 255.0
        assert np.array_equal(_run_model(model, x), _run_model(stored, x))
    assert quantized_rows_by_slices(_shipped("fsrcnn_x2_int8_avx2")) == []  # its body.0 is not in rows


@pytest.mark.parametrize(
    "name, weight",
    [
        ("fsrcnn_x3_int8", [56, 4, 3, 3]),  # 2 x 2 blocks of 3 x 3 over the 5 x 5
        ("fsrcnn_x4_int8", [56, 4, 3, 3]),
        ("fsrcnn-s_x3_int8", [32, 4, 3, 3]),  # every layer INT8 by QAT since session 62
        ("dcscn_x3_int8", [96, 3, 1, 3]),  # the 3 x 3 as its 3 rows
    ],
)
def test_a_vnni_int8_first_layer_in_blocks_on_the_jit_kernel_gives_the_same_integers(name, weight, data_dir):
    """The VNNI class's form of a quantized one-channel first layer smaller than 9 x 9: rows,
    copies made in u8 after the quantizer and read in blocks, the layer asking for the JIT
    kernel. Bit for bit the stored form's output on a real image at odd and even sizes (on any
    CPU: where that kernel can't run the plugin takes its own, the same integers either way)."""
    from xeonsr.ir_forms import int8_first_layer_blocks
    from xeonsr.kernels import asked_kernels

    stored, model = _shipped(name), _shipped(name)
    first = "__module.features.0.0" if name.startswith("dcscn") else "__module.body.0"
    done = int8_first_layer_blocks(model)
    assert [n.split("/")[0] for n in done] == [first]
    (conv,) = [op for op in model.get_ops() if op.get_friendly_name() == done[0]]
    assert list(conv.input(1).get_shape()) == weight
    assert asked_kernels(model) == {done[0]: "jit_avx512"}
    assert "ExtractImagePatches" not in {op.get_type_name() for op in model.get_ops()}
    assert _quantizers(model) == _quantizers(stored)
    from xeonsr.evaluate import load_samples

    lr = load_samples([data_dir / "Set5" / "butterfly.png"], 3)[0].lr
    noise = np.random.default_rng(0).random((1, 1, 129, 255), dtype=np.float32)  # every value, every border
    for h, w in ((61, 37), (40, 52)):
        x = np.ascontiguousarray(lr[None, None, :h, :w], dtype=np.float32) / 255.0
        assert np.array_equal(_run_model(model, x), _run_model(stored, x))
    for h, w in ((129, 255), (17, 16)):
        x = np.ascontiguousarray(noise[:, :, :h, :w])
        assert np.array_equal(_run_model(model, x), _run_model(stored, x))
    # SRCNN's 9 x 9 stays (no gain on a Zen 4), and so does FSRCNN-s x2's float first layer;
    # FSRCNN x2's is stored as the image's 8 bits and their remainder (xeonsr.ir_remainder): both
    assert int8_first_layer_blocks(_shipped("srcnn_x3_int8")) == []
    assert int8_first_layer_blocks(_shipped("fsrcnn-s_x2_int8")) == []
    assert sorted(int8_first_layer_blocks(_shipped("fsrcnn_x2_int8"))) == [
        "__module.body.0/aten::_convolution/Convolution",
        "__module.body.0/aten::_convolution/Convolution/remainder",
    ]


@pytest.mark.parametrize("name", ["srcnn_x3_int8", "srcnn-955_x3_int8", "srcnn_x2_int8"])
def test_the_amx_int8_first_layer_in_rows_has_its_copies_made_after_the_quantizer(name, data_dir):
    """The AMX class's form of a quantized one-channel 9 x 9 first layer: row copies of the
    quantized image made by one convolution with one-hot weights and the image's quantizer again
    (since session 77; in session 76 a Pad, 9 Slices and a Concat, before it ExtractImagePatches on
    the float image and a quantizer of all 9 copies), 2 copies 5 rows apart read by a 5 x 9 layer
    (in session 76 9 copies and a 1 x 9 layer). Bit for bit the stored form's output, on a real
    image and noise at odd and even sizes, on any CPU."""
    from xeonsr.ir_forms import int8_first_layer_rows

    stored, model = _shipped(name), _shipped(name)
    done = int8_first_layer_rows(model)
    assert [n.split("/")[0] for n in done] == ["__module.conv1"]
    (conv,) = [op for op in model.get_ops() if op.get_friendly_name() == done[0]]
    assert list(conv.input(1).get_shape())[1:] == [2, 5, 9]  # 2 copies 5 rows apart, the 9 x 9 as 5 x 9 on them
    requant = conv.input(0).get_source_output().get_node()
    copies = requant.input(0).get_source_output().get_node()
    assert requant.get_type_name() == "FakeQuantize" and copies.get_type_name() == "Convolution"
    assert list(copies.get_output_partial_shape(0)[1:2]) == [2] and copies.get_attributes()["pads_begin"] == [4, 0]
    assert copies.get_rt_info()["PrimitivesPriority"].astype(str) == "cpu:jit_avx512"  # not AMX's k x 1 kernels
    image = copies.input(0).get_source_output().get_node()  # the image's quantizer, nothing between
    assert image.get_type_name() == "FakeQuantize"
    assert "ExtractImagePatches" not in [op.get_type_name() for op in model.get_ops()]
    assert _quantizers(model) == _quantizers(stored)
    assert int8_first_layer_rows(model) == []  # nothing one-channel is left
    from xeonsr.evaluate import load_samples

    lr = load_samples([data_dir / "Set5" / "butterfly.png"], 3)[0].lr
    noise = np.random.default_rng(1).random((1, 1, 33, 48), dtype=np.float32)
    for x in (np.ascontiguousarray(lr[None, None, :61, :37], dtype=np.float32) / 255.0, noise, noise[:, :, :16, :17]):
        assert np.array_equal(_run_model(model, np.ascontiguousarray(x)), _run_model(stored, np.ascontiguousarray(x)))


@pytest.mark.parametrize("row_blocks", [1, 3, 9])
def test_row_copies_by_a_convolution_give_the_same_integers_in_any_row_blocks(row_blocks):
    """quantized_rows_by_conv with other row blocks than the AMX class's 2: one copy and the
    9 x 9 layer (1), 3 copies 3 rows apart and a 3 x 9 layer (3), the 9 rows as they are and a
    1 x 9 layer (9): the layer's input channels and rows as said, the output the stored one's."""
    from xeonsr.ir_forms import _row_quantizers, first_layer_rows
    from xeonsr.ir_rows_u8 import quantized_rows_by_conv

    stored, model = _shipped("srcnn_x3_int8"), _shipped("srcnn_x3_int8")
    (first,) = [
        op.get_friendly_name()
        for op in model.get_ops()
        if op.get_friendly_name().endswith("conv1/aten::_convolution/Convolution")
    ]
    assert first_layer_rows(model, only={first}) == [first]
    assert quantized_rows_by_conv(model, only=_row_quantizers(model), row_blocks=row_blocks) == [first]
    (conv,) = [op for op in model.get_ops() if op.get_friendly_name() == first]
    assert list(conv.input(1).get_shape())[1:] == [row_blocks, -(-9 // row_blocks), 9]
    x = np.random.default_rng(2).random((1, 1, 29, 41), dtype=np.float32)
    assert np.array_equal(_run_model(model, x), _run_model(stored, x))


def _stored_and_copy(name, data_dir):
    if name != CONV3_FLOAT:
        return _shipped(name), _shipped(name)
    # PTQ of the shipped FP32 IR with all of conv3 float
    from xeonsr.ir_graph import conv_macs
    from xeonsr.ptq import _quantize
    from xeonsr.quant_recipe import QuantRecipe, calibration_items

    recipe = QuantRecipe(calibration_crops=8)
    fp32 = _shipped("srcnn_x3_fp32")
    conv3 = [n for n in conv_macs(fp32) if "conv3." in n]
    stored = _quantize(fp32, recipe, calibration_items(recipe, 3, str(data_dir)), conv3)
    return stored, stored.clone()


def _quantizers(model):
    """Each FakeQuantize (by name): what it quantizes and its ranges. One that first_layer_rows
    moved after the image's row copies counts as quantizing the image, as before the move, and
    so does one that quantized_rows_by_slices moved back before them; the one that puts
    quantized_rows_by_conv's copies back on the grid is checked to be the image's own and left out."""
    found, again = {}, {}
    for op in model.get_ops():
        if op.get_type_name() == "FakeQuantize":
            src, name = op.input(0).get_source_output().get_node(), op.get_friendly_name()
            name = name.removesuffix("/rows")
            if src.get_type_name() == "ExtractImagePatches":
                src = src.input(0).get_source_output().get_node()
            ranges = [op.input(i).get_source_output().get_node().get_data().tolist() for i in range(1, 5)]
            if src.get_type_name() == "Convolution" and src.get_friendly_name().endswith("/copies"):
                again[src.input(0).get_source_output().get_node().get_friendly_name()] = (ranges, op.get_levels())
                continue
            found[name] = (src.get_friendly_name(), ranges, op.get_levels())
    assert all(found[name.removesuffix("/rows")][1:] == grid for name, grid in again.items())
    return found


def test_a_concatenation_is_summed_away_only_where_float_convolutions_alone_read_it():
    import openvino as ov

    from xeonsr.ir_concat import concat_sums
    from xeonsr.openvino_releases import opset

    ops = opset(13)
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(shape).astype(np.float32) for shape in ((5, 1, 3, 3), (3, 5, 3, 3), (4, 8, 3, 3))]

    def conv(source, weight):
        return ops.convolution(source, ops.constant(weight), [1, 1], [1, 1], [1, 1], [1, 1])

    def graph(extra_reader: bool):
        x = ops.parameter([1, 1, -1, -1], np.float32)
        a = conv(x, weights[0])
        cat = ops.concat([a, conv(a, weights[1])], 1)  # 5 + 3 channels
        y = conv(cat, weights[2])
        y.set_friendly_name("y")
        outs = [y, ops.reduce_sum(cat, [1], True)] if extra_reader else [y]
        return ov.Model([o.output(0) for o in outs], [x])

    stored, model = graph(False), graph(False)
    assert concat_sums(model) == ["y"] and concat_sums(graph(True)) == []
    assert not any(op.get_type_name() == "Concat" for op in model.get_ops())
    convs = {op.get_friendly_name() for op in model.get_ops() if op.get_type_name() == "Convolution"}
    assert {"y/part0", "y/part1"} <= convs
    x = rng.random((1, 1, 13, 10), dtype=np.float32)
    want = _run_model(stored, x)
    assert np.abs(_run_model(model, x) - want).max() < 1e-6 * np.abs(want).max()  # float sums, reordered


def test_the_row_pair_holds_the_column_pairs_taps_by_row():
    import torch

    from xeonsr.ir_forms import row_pairs
    from xeonsr.models.srcnn import column_weights

    model = _shipped("srcnn_x3_fp32")
    (name,) = row_pairs(model)
    convs = {op.get_friendly_name(): op for op in model.get_ops() if op.get_type_name() == "Convolution"}
    rows = convs[name].input(1).get_source_output().get_node().get_data()
    combine = convs["__module.conv3.combine/aten::_convolution/Convolution"].input(1).get_source_output().get_node()
    # 5 rows padded to 8 with zero filters (one AVX2 vector), which the adding-back reads with zeros.
    assert rows.shape == (8, 32, 1, 5) and combine.get_data().shape == (1, 8, 5, 1)
    assert not rows[5:].any() and not combine.get_data()[:, 5:].any()
    # Undo it by hand: the column pair made from the row pair's taps is the stored one.
    w = torch.from_numpy(rows[:5, :, 0, :].transpose(1, 0, 2)[None].copy())  # (1, 32, dy, dx)
    stored = {op.get_friendly_name(): op for op in _shipped("srcnn_x3_fp32").get_ops()}
    columns = stored[name].input(1).get_source_output().get_node().get_data()
    assert np.array_equal(column_weights(w)[0].numpy(), columns)
    assert row_pairs(model) == []  # nothing left to rewrite


def test_host_forms_leave_other_classes_precisions_and_kernel_plans_alone():
    from xeonsr.ir_forms import host_forms

    assert host_forms(_shipped("srcnn_x3_fp32"), "vnni") == []
    assert host_forms(_shipped("fsrcnn_x3_int8_avx2"), "vnni") == []
    assert host_forms(_shipped("srcnn_x3_fp32"), "avx2", "bf16") == []
    # A layer a kernel plan names keeps its stored form (the plan was measured on it); the
    # others take the forms, a pair only whole, the blocked chain (conv1, conv2, the last layer)
    # only whole.
    conv1, conv2, columns, upsample = (
        f"__module.{n}/aten::_convolution/Convolution" for n in ("conv1", "conv2", "conv3.columns", "upsample")
    )
    assert host_forms(_shipped("srcnn_x3_fp32"), "avx2", "f32", {conv1: "jit_avx512"}) == [columns, upsample]
    assert host_forms(_shipped("srcnn_x3_fp32"), "avx2", "f32", {columns: "jit_avx512"}) == [conv1, upsample]
    # ... but the one Pad, which rewrites only what feeds the bicubic skip, pads for a planned skip too
    planned_skip = host_forms(_shipped("srcnn_x3_fp32"), "avx2", "f32", {upsample: "jit_avx512"})
    assert planned_skip == [conv1, conv2, columns, upsample]
    x4 = _shipped("fsrcnn-s_x4_int8")  # its VNNI plan names the skip: padded by one Pad all the same
    assert host_forms(x4, "avx512_vnni", "f32", {upsample: "jit_avx512"})[-1] == upsample
    assert "Pad" in {op.get_type_name() for op in x4.get_ops()}
    assert host_forms(_shipped("srcnn_x3_fp32"), "avx2", "f32", {conv2: "jit_avx512"}) == [conv1, columns, upsample]
    combine = columns.replace("columns", "combine")
    assert host_forms(_shipped("srcnn_x3_fp32"), "avx512_amx", "f32", {combine: "jit_avx512"}) == [upsample]
    # The INT8 first layer in rows: AMX only, and not where a plan names the layer (the VNNI
    # class pads the bicubic skip's input by one Pad, which leaves conv1 as stored).
    assert host_forms(_shipped("srcnn_x3_int8"), "avx512_vnni") == [upsample]
    assert host_forms(_shipped("srcnn_x3_int8"), "avx512_amx", "f32", {conv1: "jit_avx512"}) == [upsample]
    assert host_forms(_shipped("srcnn_x3_int8"), "avx512_amx", "f32", {combine: "jit_avx512"}) == [conv1, upsample]


@pytest.mark.parametrize(
    "name, rewritten",
    [
        # every IR: the bicubic skip's input padded by one Pad (one_pad reports the skip's layer)
        ("srcnn_x3_fp32", {"conv1", "conv2", "conv3.columns", "upsample"}),  # the blocked chain
        ("srcnn-955_x3_fp32", {"conv3.columns", "upsample"}),  # its 5x5 middle: no blocked chain here
        ("srcnn_x4_fp32", {"conv1", "conv2", "conv3.columns", "upsample"}),
        ("fsrcnn_x3_fp32", {"head_columns.combine", "upsample"}),  # the nine-output combine as shifts
        ("fsrcnn-s_x2_fp32", {"head_columns.combine", "upsample"}),
        ("dcscn_x2_fp32", {"nin_a.0", "nin_b.0", "recon", "upsample"}),  # concat_sums since session 76
        # INT8 IRs: the quantized 9x9 first layer in rows, a smaller one in blocks (the same integer sums)
        ("srcnn_x3_int8", {"conv1", "upsample"}),
        ("srcnn_x2_int8", {"conv1", "upsample"}),
        ("srcnn-955_x3_int8", {"conv1", "upsample"}),
        ("fsrcnn_x3_int8", {"body.0", "upsample"}),
        ("fsrcnn-s_x4_int8", {"body.0", "upsample"}),
        ("dcscn_x3_int8", {"features.0.0", "upsample"}),  # 3x3
        ("fsrcnn_x2_int8", {"body.0", "head_columns.combine", "upsample"}),  # both branches of its split
        (CONV3_FLOAT, {"conv1", "conv3.columns", "upsample"}),  # equalization: the combine's factors in the taps
    ],
)
def test_the_amx_forms_with_the_shipped_amx_plans_are_the_same_function(name, rewritten, data_dir):
    """What an AMX Xeon compiles (its class's forms beside the IR's measured kernel plan for that
    class), on any host: the layers no form rewrote with the same multiply-adds, SRCNN's last
    layer's but the sum's (c per pixel for the pair's f*f), the same quantizers, the same output."""
    import json

    from xeonsr.ir_forms import host_forms
    from xeonsr.ir_graph import conv_macs
    from xeonsr.kernels import plan_key

    entries = json.loads((SHIPPED_IR_DIR / "manifest.json").read_text())["models"]
    plans = entries.get(name, {}).get("kernels", {})
    plan = plans.get(plan_key("avx512_amx", "f32"), {}).get("layers", {})
    stored, model = _stored_and_copy(name, data_dir)
    done = host_forms(model, "avx512_amx", "f32", plan)
    assert {n.split("/")[0][len("__module.") :] for n in done} == rewritten
    assert not {n for n in done if "upsample" not in n} & set(plan)  # one_pad leaves the skip's layer as stored
    macs, stored_macs = {}, conv_macs(stored)
    for layer, n in conv_macs(model).items():  # a layer summed over a concatenation's parts: LAYER/part{i}
        layer = re.sub(r"/part\d+$", "", layer)
        macs[layer] = macs.get(layer, 0) + n
    assert set(stored_macs) <= set(macs)
    combines = {n.replace("columns", "combine") for n in done if "conv3.columns" in n}
    assert all(macs[k] == stored_macs[k] for k in stored_macs if k not in combines and k not in done)
    assert all(macs[k] * 25 == stored_macs[k] * 32 for k in combines)  # 5x5 taps -> 32 channels
    assert _quantizers(model) == _quantizers(stored)
    # Without int8 dot products (AVX2) OpenVINO adds u8 x s8 products in int16 pairs that saturate,
    # and the rows form pairs other products: a full-range image differs there (0.17 on an AMD
    # EPYC Zen 3, session 40), while no such host ever runs these forms. Images of at most 0.35
    # keep the first layer's u8 inputs <= 127 even after the bicubic's overshoot (x 1.27 at most),
    # so no pair passes int16 and the check stays exact there too.
    top = 1.0 if cpu_info().int8_dot or not _quantizers(stored) else 0.35
    rng = np.random.default_rng(0)
    for h, w in ((61, 37), (17, 16)):
        x = rng.random((1, 1, h, w), dtype=np.float32) * top
        assert np.abs(_run_model(model, x) - _run_model(stored, x)).max() < MAX_DIFF


def test_the_fp32_runner_says_when_it_runs_this_cpus_forms():
    from xeonsr.ir_forms import HOST_FORMS
    from xeonsr.runtime import load_runner

    runner = load_runner("srcnn", 3, "ov-fp32", threads=1)
    assert ("exact forms" in runner.note) == (cpu_info().forms_class in HOST_FORMS)  # SRCNN takes a form of each
    x = np.random.default_rng(1).random((1, 1, 23, 31), dtype=np.float32)
    assert np.abs(runner(x) - _run_model(_shipped("srcnn_x3_fp32"), x)).max() < MAX_DIFF


def test_the_compile_cache_keeps_each_plan_apart_and_never_fails_a_compile(tmp_path, monkeypatch):
    """OpenVINO's model cache (Upscaler's loads): a cached network is loaded with the kernels it
    was compiled with, a plan and no plan are two entries, and an unusable cache is skipped."""
    import openvino as ov

    from xeonsr.compile_cache import cache_dir
    from xeonsr.ov import compile_ir

    model = ov.Core().read_model(str(SHIPPED_IR_DIR / "fsrcnn_x3_int8.xml"))
    plan = dict.fromkeys((n for n, _ in conv_layers(model)), "jit_avx512")
    x = np.random.default_rng(1).random((1, 1, 24, 32), dtype=np.float32)
    monkeypatch.setenv("XEONSR_CACHE_DIR", str(tmp_path / "c"))
    compile_ir(model, 1)  # the bench's compiles: nothing kept
    assert not (tmp_path / "c").exists()
    runs = {}
    for label, kernels in (("plan", plan), ("default", None), ("plan again", plan), ("default again", None)):
        compiled = compile_ir(model, 1, kernels=kernels, cache=True)
        runs[label] = (_kernels_of(compiled), compiled(x)[0].copy())
    blobs = list((tmp_path / "c").iterdir())
    assert len(blobs) >= 2  # one per kernel request set (the AMX avoid list may add a recompile)
    for label in ("plan", "default"):
        assert runs[label][0] == runs[f"{label} again"][0]
        assert np.array_equal(runs[label][1], runs[f"{label} again"][1])
    if HERE_AVX512:
        assert runs["plan"][0] != runs["default"][0]
    assert sorted((tmp_path / "c").iterdir()) == sorted(blobs)  # loaded, not compiled again
    (tmp_path / "file").write_text("")
    from xeonsr.commands.info_cmd import info_text

    assert f"kept in {tmp_path / 'c'} for later processes" in info_text()
    for unusable in ("", str(tmp_path / "file" / "sub")):
        monkeypatch.setenv("XEONSR_CACHE_DIR", unusable)
        assert cache_dir() is None
        assert np.array_equal(compile_ir(model, 1, kernels=plan, cache=True)(x)[0], runs["plan"][1])
    monkeypatch.setenv("XEONSR_CACHE_DIR", "")
    assert "compiled:   not kept" in info_text()  # XEONSR_CACHE_DIR= turns it off


@pytest.mark.slow
def test_processes_filling_one_compile_cache_at_once_all_upscale_alike(tmp_path):
    """Several `xeonsr upscale` jobs started together on an empty cache (a batch scheduler's
    array job) each compile and write the same entry; every one, and one after them that
    loads it, gives the same bytes."""
    code = (
        "import hashlib, sys; import numpy as np; from xeonsr import Upscaler;"
        "x = (np.arange(60 * 80 * 3) % 251).astype(np.uint8).reshape(60, 80, 3);"
        "print(hashlib.sha1(Upscaler(sys.argv[1], scale=3).upscale(x).tobytes()).hexdigest())"
    )
    for model in ("fsrcnn", "srcnn"):
        env = {**os.environ, "XEONSR_CACHE_DIR": str(tmp_path / model)}
        run = [sys.executable, "-c", code, model]
        together = [
            subprocess.Popen(run, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)
        ]
        outs = [p.communicate(timeout=300) for p in together]
        digests = [out for out, _ in outs]
        assert all(p.returncode == 0 for p in together), [err[-2000:] for _, err in outs]
        digests.append(subprocess.run(run, env=env, capture_output=True, text=True, check=True).stdout)
        assert len(set(digests)) == 1 and digests[0].strip(), digests
        assert any((tmp_path / model).iterdir())
