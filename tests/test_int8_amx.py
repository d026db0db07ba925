"""The INT8 IRs made for AMX (`xeonsr quantize --isa amx`): activations quantized without zero
points, which is what lets OpenVINO run its AMX convolutions on them."""

import numpy as np
import pytest

from xeonsr.info import cpu_info, onednn_cap
from xeonsr.irs import SHIPPED_IR_DIR, read_manifest

AMX_IRS = sorted(n for n, e in read_manifest()["models"].items() if e.get("target_isa") == "amx")


def _activation_ranges(ov_model):
    """(input_low, input_high) of every quantizer on a computed tensor (not on weights)."""
    out = []
    for op in ov_model.get_ordered_ops():
        if op.get_type_name() != "FakeQuantize" or op.input_value(0).get_node().get_type_name() == "Constant":
            continue
        lo, hi = (op.input_value(i).get_node().get_data().ravel() for i in (1, 2))
        out.append((lo, hi))
    return out


def test_the_shipped_store_has_amx_irs_for_dcscn_beside_its_vnni_ones():
    models = read_manifest()["models"]
    assert AMX_IRS == [f"dcscn_x{s}_int8_amx" for s in (2, 3, 4)]
    for name in AMX_IRS:
        e = models[name]
        assert e["method"] == "ptq" and e["quantized_on"]["isa"] == "amx_int8"
        assert name.removesuffix("_amx") in models  # the VNNI one stays for VNNI CPUs


@pytest.mark.parametrize("name", AMX_IRS)
def test_amx_irs_quantize_activations_without_zero_points(name):
    """Each activation quantizer is unsigned from 0 (the image) or signed around 0 (int8: low is
    -128/127 of high): no zero point for the convolution to take, unlike the VNNI IR's."""
    from xeonsr.ov import read_ir

    ranges = _activation_ranges(read_ir(SHIPPED_IR_DIR / f"{name}.xml"))
    assert len(ranges) >= 5
    signed = 0
    for lo, hi in ranges:
        assert np.all(hi > 0)
        if np.any(lo != 0):
            np.testing.assert_allclose(lo / hi, -128 / 127, rtol=1e-5)
            signed += 1
    assert signed >= 4  # PReLU outputs: signed, where the VNNI IR shifts them by a zero point
    vnni = _activation_ranges(read_ir(SHIPPED_IR_DIR / f"{name.removesuffix('_amx')}.xml"))
    assert any(np.any(lo < 0) and not np.allclose(lo / hi, -128 / 127, rtol=1e-5) for lo, hi in vnni)


@pytest.mark.skipif(
    cpu_info().isa_class != "amx" or bool(onednn_cap()), reason="AMX kernels: an AMX CPU, oneDNN uncapped"
)
def test_on_amx_the_amx_irs_run_their_int8_convolutions_on_amx_brgemm_kernels():
    """The point of the class: the VNNI IR's zero points held DCSCN to OpenVINO's older
    jit AMX kernels (or jit_avx512_I8); the AMX IR's INT8 convolutions run brgconv AMX."""
    from xeonsr.ov import compile_ir

    compiled = compile_ir(SHIPPED_IR_DIR / "dcscn_x3_int8_amx.xml", 2, profiling=True)
    req = compiled.create_infer_request()
    req.infer({0: np.random.default_rng(0).random((1, 1, 40, 48), dtype=np.float32)})
    kernels = {p.node_name: p.exec_type for p in req.profiling_info if p.node_type == "Convolution"}
    int8 = {n: k for n, k in kernels.items() if k.lower().endswith(("_i8", "_u8"))}
    assert len(int8) >= 8, kernels
    brg = [n for n, k in int8.items() if k.startswith("brgconv_avx512_amx")]
    assert len(brg) >= len(int8) - 2, int8
