"""A column pair's float combine as shifts and sums (xeonsr.ir_pairs.combine_shifts): which IRs it
takes, that it computes the same values, and that the VNNI class's host forms run it."""

import numpy as np
import pytest

from xeonsr.irs import SHIPPED_IR_DIR

COMBINE = "__module.head_columns.combine/aten::_convolution/Convolution"


def _read(name):
    import openvino as ov

    return ov.Core().read_model(str(SHIPPED_IR_DIR / f"{name}.xml"))


def _run(model, x):
    from xeonsr.ov import compile_ir

    return compile_ir(model, 1)(x)[0]


@pytest.mark.parametrize("name", ["fsrcnn_x2_int8", "fsrcnn_x2_fp32", "fsrcnn-s_x3_fp32"])
def test_a_float_combine_as_shifts_and_sums_gives_the_same_values(name, data_dir):
    from xeonsr.evaluate import load_samples
    from xeonsr.ir_pairs import combine_shifts

    stored, model = _read(name), _read(name)
    assert combine_shifts(model) == [COMBINE]
    ops = {op.get_friendly_name(): op for op in model.get_ops()}
    shifts, total = ops[COMBINE + "/shifts"], ops[COMBINE]
    assert shifts.get_type_name() == "GroupConvolution" and total.get_type_name() == "Convolution"
    n, nf = list(total.input(1).get_shape())[:2]
    assert list(shifts.input(1).get_shape()) == [nf, 1, 1, 1, nf // n]  # one tap per column channel
    assert list(total.input(1).get_shape()) == [n, nf, 1, 1]
    lr = load_samples([data_dir / "Set5" / "butterfly.png"], 3)[0].lr
    for h, w in ((61, 37), (40, 52)):
        x = np.ascontiguousarray(lr[None, None, :h, :w], dtype=np.float32) / 255.0
        assert np.allclose(_run(model, x), _run(stored, x), atol=1e-6, rtol=0)


def test_quantized_and_one_output_combines_stay():
    from xeonsr.ir_pairs import combine_shifts

    assert combine_shifts(_read("fsrcnn_x3_int8")) == []  # its combine reads a quantizer: integer sums
    assert combine_shifts(_read("srcnn_x2_int8")) == []  # SRCNN's 5 -> 1 combine: no gain measured
    assert combine_shifts(_read("fsrcnn_x4_fp32")) == []  # x4's head is no column pair
    assert combine_shifts(_read("fsrcnn_x2_fp32"), only={"another"}) == []


def test_the_avx512_classes_run_it_unless_a_kernel_plan_names_the_combine():
    from xeonsr.ir_forms import host_forms

    done = host_forms(_read("fsrcnn_x2_int8"), "avx512_vnni")
    assert COMBINE in done
    assert COMBINE not in host_forms(_read("fsrcnn_x2_int8"), "avx512_vnni", kernels={COMBINE: "jit_avx512"})
    assert COMBINE in host_forms(_read("fsrcnn_x2_int8"), "avx512_amx")  # and the AMX class (session 66)
    assert COMBINE not in host_forms(_read("fsrcnn_x2_int8"), "avx2")  # unmeasured there
