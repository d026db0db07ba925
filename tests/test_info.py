from pathlib import Path

from xeonsr.info import cpu_info, ir_precision_order, resolve_precision

AVX2_ONLY = """processor : 0
model name : AMD EPYC
flags : fpu sse avx avx2 fma
physical id : 0
core id : 0
processor : 1
physical id : 0
core id : 1
"""
SAPPHIRE = (
    "model name : Intel(R) Xeon(R) Platinum 8480+\n"
    "flags : avx2 avx512f avx512_bf16 amx_bf16 amx_tile amx_int8 avx512_vnni\n"
)


def test_parses_model_flags_and_cores():
    cpu = cpu_info(AVX2_ONLY)
    assert cpu.model == "AMD EPYC" and cpu.physical_cores == 2
    assert "avx2" in cpu.flags and not cpu.native_bf16 and not cpu.int8_dot


def test_int8_class_of_each_cpu():
    # AMX's own class: OpenVINO's AMX convolutions want activations without a zero point
    assert [cpu_info(t).isa_class for t in (SAPPHIRE, ZEN4, ZEN3)] == ["amx", "vnni", "avx2"]


def test_precision_auto_follows_the_cpu():
    assert resolve_precision("auto", cpu_info(AVX2_ONLY))[0] == "fp32"
    assert resolve_precision("auto", cpu_info(SAPPHIRE))[0] == "bf16"
    # The device that trains decides, not the host CPU: a GPU run is fp32 unless bf16 is asked.
    assert resolve_precision("auto", cpu_info(SAPPHIRE), "cuda")[0] == "fp32"
    assert resolve_precision("bf16", cpu_info(AVX2_ONLY), "cuda")[0] == "bf16"
    prec, note = resolve_precision("bf16", cpu_info(AVX2_ONLY))
    assert prec == "bf16" and "slower" in note


ZEN1 = "model name : AMD EPYC\ncpu family : 23\nmodel : 1\nflags : avx avx2 fma\n"
ZEN2 = "model name : AMD EPYC\ncpu family : 23\nmodel : 49\nflags : avx avx2 fma\n"
ZEN3 = "model name : AMD EPYC\ncpu family : 25\nmodel : 1\nflags : avx avx2 fma\n"
ZEN4 = "model name : AMD EPYC\ncpu family : 25\nmodel : 17\nflags : avx avx2 fma avx512f avx512_vnni avx512_bf16\n"


def test_int8_ir_first_where_int8_pays_and_the_ir_was_made_for_this_cpu_class():
    assert ir_precision_order(cpu_info(SAPPHIRE)) == ["int8", "fp32"]
    assert ir_precision_order(cpu_info(SAPPHIRE), "avx2") == ["int8", "fp32"]
    zen1, zen3 = cpu_info(ZEN1), cpu_info(ZEN3)
    assert zen1.model == "AMD EPYC (family 23 model 1)" and zen1.half_width_avx2
    assert (zen3.family, zen3.model_number, zen3.half_width_avx2) == (25, 1, False)
    # 256-bit AVX2: INT8 first only for an IR made for AVX2 (a VNNI-made one can miss its budget)
    assert ir_precision_order(zen3, "avx2") == ["int8", "fp32"]
    assert ir_precision_order(zen3, "vnni") == ["fp32", "int8"]
    assert ir_precision_order(zen3, None) == ["fp32", "int8"]
    # INT8 at the FP32 rate (128-bit units on Zen 1, one integer multiply pipe on Zen 2): FP32
    # first, whoever made the IR
    zen2 = cpu_info(ZEN2)
    assert zen2.int8_at_fp32_rate and not zen2.half_width_avx2 and not zen2.wide_avx2
    for cpu in (zen1, zen2):
        assert ir_precision_order(cpu, "avx2") == ["fp32", "int8"]
    assert zen3.wide_avx2 and not zen3.int8_at_fp32_rate
    # Intel by model: Haswell-EP (63) one integer multiply port like Zen 2, Skylake (94) two
    haswell, skylake = (cpu_info(f"cpu family : 6\nmodel : {m}\nflags : avx avx2 fma\n") for m in (63, 94))
    assert haswell.int8_at_fp32_rate and ir_precision_order(haswell, "avx2") == ["fp32", "int8"]
    assert skylake.wide_avx2 and ir_precision_order(skylake, "avx2") == ["int8", "fp32"]
    assert ir_precision_order(cpu_info(AVX2_ONLY), "vnni") == ["fp32", "int8"]


def test_info_says_why_the_first_ir_is_the_one_it_takes():
    from xeonsr.info import int8_first_note

    assert "128-bit units" in int8_first_note(cpu_info(ZEN1))
    assert "integer multiply pipe" in int8_first_note(cpu_info(ZEN2))
    assert "made for AVX2 first" in int8_first_note(cpu_info(ZEN3))
    assert "made for AMX" in int8_first_note(cpu_info(SAPPHIRE)).split(":")[1]
    assert "VNNI/AMX" in int8_first_note(cpu_info(ZEN4)).split(":")[1]
    assert "no VNNI/AMX or AVX2" in int8_first_note(cpu_info("model name : Neoverse\nflags : fp asimd\n"))


def test_upscaler_takes_an_avx2_made_int8_ir_first_on_a_256_bit_avx2_cpu(tmp_path, monkeypatch):
    import json
    import shutil

    import xeonsr.info
    from xeonsr.irs import SHIPPED_IR_DIR
    from xeonsr.upscaler import Upscaler

    models = json.loads((SHIPPED_IR_DIR / "manifest.json").read_text())["models"]
    keep = {n: models[n] for n in ("fsrcnn_x3_fp32", "fsrcnn_x3_int8")}
    for entry in keep.values():
        for f in (entry["xml"], entry["bin"]):
            shutil.copy(SHIPPED_IR_DIR / f, tmp_path / f)
    parse = xeonsr.info.cpu_info
    monkeypatch.setattr(xeonsr.info, "cpu_info", lambda text=None: parse(ZEN3))
    (tmp_path / "manifest.json").write_text(json.dumps({"models": keep}))
    assert Upscaler("fsrcnn", 3, ir_dir=str(tmp_path)).precision == "fp32"  # made for VNNI
    asked = Upscaler("fsrcnn", 3, precision="int8", ir_dir=str(tmp_path))
    assert asked.precision == "int8" and "made for VNNI" in asked.caveat
    keep["fsrcnn_x3_int8"]["target_isa"] = "avx2"
    (tmp_path / "manifest.json").write_text(json.dumps({"models": keep}))
    chosen = Upscaler("fsrcnn", 3, ir_dir=str(tmp_path))
    assert chosen.precision == "int8" and chosen.caveat is None


def test_a_store_with_an_int8_ir_per_cpu_class_gives_each_cpu_its_own(tmp_path, monkeypatch):
    import json
    import shutil

    import xeonsr.info
    from xeonsr.irs import SHIPPED_IR_DIR, locate_ir
    from xeonsr.upscaler import Upscaler

    models = json.loads((SHIPPED_IR_DIR / "manifest.json").read_text())["models"]
    keep = {n: models[n] for n in ("fsrcnn_x3_fp32", "fsrcnn_x3_int8", "fsrcnn_x3_int8_avx2")}
    assert (keep["fsrcnn_x3_int8"]["target_isa"], keep["fsrcnn_x3_int8_avx2"]["target_isa"]) == ("vnni", "avx2")
    for entry in keep.values():
        for f in (entry["xml"], entry["bin"]):
            shutil.copy(SHIPPED_IR_DIR / f, tmp_path / f)
    # An AMX one: the VNNI IR's files under the AMX name (which file is taken is what is tested).
    amx = {**keep["fsrcnn_x3_int8"], "name": "fsrcnn_x3_int8_amx", "target_isa": "amx"}
    amx.update(xml="fsrcnn_x3_int8_amx.xml", bin="fsrcnn_x3_int8_amx.bin")
    keep["fsrcnn_x3_int8_amx"] = amx
    for src, dst in (("fsrcnn_x3_int8.xml", amx["xml"]), ("fsrcnn_x3_int8.bin", amx["bin"])):
        shutil.copy(SHIPPED_IR_DIR / src, tmp_path / dst)
    (tmp_path / "manifest.json").write_text(json.dumps({"models": keep}))
    assert locate_ir("fsrcnn", 3, "int8", tmp_path, isa="vnni")[0].name == "fsrcnn_x3_int8.xml"
    assert locate_ir("fsrcnn", 3, "int8", tmp_path, isa="amx")[0].name == "fsrcnn_x3_int8_amx.xml"
    assert locate_ir("fsrcnn", 3, "int8", tmp_path, isa="avx2")[0].name == "fsrcnn_x3_int8_avx2.xml"
    parse = xeonsr.info.cpu_info
    cases = ((ZEN3, "fsrcnn_x3_int8_avx2.xml"), (SAPPHIRE, "fsrcnn_x3_int8_amx.xml"), (ZEN4, "fsrcnn_x3_int8.xml"))
    for text, xml in cases:
        monkeypatch.setattr(xeonsr.info, "cpu_info", lambda t=None, text=text: parse(text))
        up = Upscaler("fsrcnn", 3, ir_dir=str(tmp_path))
        assert (up.precision, up.caveat, Path(up.runner.source).name) == ("int8", None, xml)
    # Without its class's IR a CPU gets the next one (xeonsr.irs.FALLBACK), and says what it costs.
    del keep["fsrcnn_x3_int8_avx2"], keep["fsrcnn_x3_int8_amx"]
    (tmp_path / "manifest.json").write_text(json.dumps({"models": keep}))
    assert locate_ir("fsrcnn", 3, "int8", tmp_path, isa="avx2")[0].name == "fsrcnn_x3_int8.xml"
    assert locate_ir("fsrcnn", 3, "int8", tmp_path, isa="amx")[0].name == "fsrcnn_x3_int8.xml"
    keep = {"fsrcnn_x3_fp32": keep["fsrcnn_x3_fp32"], "fsrcnn_x3_int8_amx": amx}
    (tmp_path / "manifest.json").write_text(json.dumps({"models": keep}))
    assert locate_ir("fsrcnn", 3, "int8", tmp_path, isa="vnni")[0].name == "fsrcnn_x3_int8_amx.xml"
    monkeypatch.setattr(xeonsr.info, "cpu_info", lambda t=None: parse(ZEN3))
    up = Upscaler("fsrcnn", 3, ir_dir=str(tmp_path), precision="int8")
    assert "made for AMX CPUs" in up.caveat


def test_upscaler_default_ir_follows_this_cpu():
    from xeonsr.irs import int8_entry, read_manifest
    from xeonsr.upscaler import Upscaler

    cpu = cpu_info()
    int8 = int8_entry(read_manifest()["models"], "fsrcnn", 3, cpu.isa_class)
    # the shipped store has one for each class, or (AMX, where it was no faster) the VNNI one
    own = cpu.isa_class != "amx" or "fsrcnn_x3_int8_amx" in read_manifest()["models"]
    assert int8["target_isa"] == (cpu.isa_class if own else "vnni")
    up = Upscaler("fsrcnn", 3)
    assert (up.backend, up.precision) == ("openvino", ir_precision_order(cpu, cpu.isa_class)[0])
    assert Path(up.runner.source).name == (int8["xml"] if up.precision == "int8" else "fsrcnn_x3_fp32.xml")


def test_info_names_the_exact_forms_each_cpu_class_compiles(monkeypatch):
    import xeonsr.info
    from xeonsr.commands.info_cmd import info_text
    from xeonsr.ir_forms import HOST_FORMS

    parse = xeonsr.info.cpu_info
    zen4 = "model name : AMD EPYC\ncpu family : 25\nmodel : 17\nflags : avx2 avx512f avx512_vnni avx512_bf16\n"
    for text, want in ((SAPPHIRE, "avx512_amx"), (ZEN3, "avx2"), (zen4, "avx512_vnni")):
        monkeypatch.setattr(xeonsr.info, "cpu_info", lambda t=None, text=text: parse(text))
        line = next(s for s in info_text().splitlines() if s.startswith("exact forms:"))
        forms = HOST_FORMS.get(want, ())
        assert all(f.__name__ in line for f in forms) and ("as stored" in line) == (not forms), line
        # the INT8 form is named apart: it takes quantized layers, the others float ones only
        assert ("int8_first_layer_rows" in line) == (want == "avx512_amx"), line
        assert "(INT8 IRs: the same integer sums)" in line, line
        assert "one_pad (every IR: the same values)" in line, line
        assert ("depthwise_halves (a shape run again" in line) == (want == "avx2"), line


def test_bf16_is_chosen_only_where_asked_and_refused_without_native_bf16(monkeypatch, tmp_path):
    import pytest

    import xeonsr.info
    from xeonsr.errors import UserError
    from xeonsr.infer import choose_backend
    from xeonsr.upscaler import Upscaler

    parse = xeonsr.info.cpu_info
    monkeypatch.setattr(xeonsr.info, "cpu_info", lambda text=None: parse(SAPPHIRE))
    assert choose_backend("fsrcnn", 3, "auto", "auto", None, None)[:2] == ("openvino", "int8")  # never by default
    assert choose_backend("fsrcnn", 3, "auto", "bf16", None, None) == ("openvino", "bf16", None)
    assert choose_backend("fsrcnn", 3, "torch", "bf16", None, None) == ("torch", "bf16", None)
    with pytest.raises(UserError, match="no OpenVINO fp32 IR for srcnn x2"):
        choose_backend("srcnn", 2, "openvino", "bf16", None, str(tmp_path))  # an empty store
    with pytest.raises(UserError, match="no such IR store"):
        choose_backend("srcnn", 2, "auto", "auto", None, str(tmp_path / "typo"))
    monkeypatch.setattr(xeonsr.info, "cpu_info", lambda text=None: parse(ZEN3))
    for backend in ("auto", "openvino", "torch"):
        with pytest.raises(UserError, match=r"bf16 needs a CPU with native bf16 .*AMD EPYC.*--precision fp32 or int8"):
            Upscaler("fsrcnn", 3, backend=backend, precision="bf16")


def test_info_names_what_deflates_the_pngs():
    import importlib.util

    from xeonsr.commands.info_cmd import info_text

    line = next(s for s in info_text().splitlines() if s.startswith("PNG out:"))
    has_isal = importlib.util.find_spec("isal") is not None
    assert ("Intel ISA-L" in line) == has_isal and ("pip install isal" in line) == (not has_isal), line
