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


def test_precision_auto_follows_the_cpu():
    assert resolve_precision("auto", cpu_info(AVX2_ONLY))[0] == "fp32"
    assert resolve_precision("auto", cpu_info(SAPPHIRE))[0] == "bf16"
    # The device that trains decides, not the host CPU: a GPU run is fp32 unless bf16 is asked.
    assert resolve_precision("auto", cpu_info(SAPPHIRE), "cuda")[0] == "fp32"
    assert resolve_precision("bf16", cpu_info(AVX2_ONLY), "cuda")[0] == "bf16"
    prec, note = resolve_precision("bf16", cpu_info(AVX2_ONLY))
    assert prec == "bf16" and "slower" in note


def test_int8_ir_first_only_with_int8_dot_products():
    assert ir_precision_order(cpu_info(AVX2_ONLY)) == ["fp32", "int8"]
    assert ir_precision_order(cpu_info(SAPPHIRE)) == ["int8", "fp32"]


def test_upscaler_default_ir_follows_this_cpu():
    from xeonsr.upscaler import Upscaler

    up = Upscaler("fsrcnn", 3)
    assert (up.backend, up.precision) == ("openvino", ir_precision_order(cpu_info())[0])
