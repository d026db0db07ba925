"""oneDNN held below a CPU's ISA (ONEDNN_MAX_CPU_ISA) runs that ISA's arithmetic, so the INT8 IR
picked and the bf16 default follow the cap, not the CPU's flags. Held to AVX2, an AVX-512 VNNI
CPU sums int8 pairs in saturating int16 as an AVX2 CPU does: the IR made for AVX2 computes what it
computes uncapped, the VNNI-made IR does not (session 82; the budget probe under the cap measured
fsrcnn x3's VNNI IR at exactly the AMD Zen 3's 0.067 dB)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from xeonsr.info import CpuInfo, cpu_info

AMX = {"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_int8", "amx_bf16"}


@pytest.mark.parametrize(
    "cap, isa_class, int8_dot, bf16",
    [
        (None, "amx", True, True),
        ("ALL", "amx", True, True),
        ("avx512_core_amx", "amx", True, True),
        ("AVX512_CORE_BF16", "vnni", True, True),
        ("AVX512_CORE_VNNI", "vnni", True, False),
        ("AVX2_VNNI", "vnni", True, False),
        ("AVX512_CORE", "avx2", False, False),  # Skylake-SP's kernels
        ("AVX2", "avx2", False, False),
    ],
)
def test_the_int8_class_and_bf16_follow_the_cap(monkeypatch, cap, isa_class, int8_dot, bf16):
    monkeypatch.delenv("DNNL_MAX_CPU_ISA", raising=False)
    if cap is None:
        monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    else:
        monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", cap)
    cpu = CpuInfo(model="x", logical_cpus=2, physical_cores=2, usable_cpus=2, flags=set(AMX))
    assert (cpu.isa_class, cpu.int8_dot, cpu.native_bf16) == (isa_class, int8_dot, bf16)
    # A cap never adds what the CPU lacks.
    plain = CpuInfo(model="x", logical_cpus=2, physical_cores=2, usable_cpus=2, flags={"avx2", "fma"})
    assert (plain.isa_class, plain.int8_dot, plain.native_bf16) == ("avx2", False, False)


RUN = """
import json, sys
import numpy as np
from skimage import data
from xeonsr.info import cpu_info
from xeonsr.irs import locate_ir
from xeonsr.ov import compile_ir

img = data.astronaut()[:120, :150, 0].astype(np.float32)[None, None] / 255
outs = {isa: compile_ir(locate_ir("fsrcnn", 3, "int8", isa=isa)[0])(img)[0] for isa in ("vnni", "avx2")}
np.savez(sys.argv[1], **outs)
print(json.dumps([cpu_info().isa_class, locate_ir("fsrcnn", 3, "int8")[0].name]))
"""


def run_capped(tmp_path, cap):
    env = {k: v for k, v in os.environ.items() if k not in ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")}
    if cap:
        env["ONEDNN_MAX_CPU_ISA"] = cap
    out = tmp_path / f"{cap or 'none'}.npz"
    done = subprocess.run([sys.executable, "-c", RUN, str(out)], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1]), np.load(out)


@pytest.mark.skipif(not cpu_info().int8_dot, reason="the CPU's own INT8 kernels already saturate: no cap to compare")
def test_held_to_avx2_the_avx2_ir_runs_and_computes_what_it_does_uncapped(tmp_path):
    (cls, picked), capped = run_capped(tmp_path, "AVX2")
    _, free = run_capped(tmp_path, None)
    assert cls == "avx2" and picked == "fsrcnn_x3_int8_avx2.xml"
    # 7-bit weights: no pair of products leaves int16, so the same integer sums (float post-ops
    # may round differently in other kernels).
    assert np.abs(capped["avx2"] - free["avx2"]).max() < 1e-5
    # 8-bit weights: pairs saturate under the AVX2 kernels.
    assert np.abs(capped["vnni"] - free["vnni"]).max() > 1e-3


def test_bf16_refused_under_a_cap_names_the_cap_not_the_cpu(monkeypatch, capsys, tmp_path):
    from PIL import Image

    import xeonsr.info
    from xeonsr.cli import main

    parse = xeonsr.info.cpu_info
    text = "model name : Xeon\nflags : avx2 fma avx512f avx512_vnni avx512_bf16 amx_bf16 amx_int8\n"
    monkeypatch.setattr(xeonsr.info, "cpu_info", lambda t=None: parse(text))
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "a.png")
    out = tmp_path / "b.png"
    assert main(["upscale", str(tmp_path / "a.png"), "-o", str(out), "--scale", "3", "--precision", "bf16"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "oneDNN is held to AVX2 by ONEDNN_MAX_CPU_ISA: use --precision fp32 or int8" in err
    assert not out.exists()
