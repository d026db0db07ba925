"""SRCNN's 9x9 first layer in rows or in columns by the image's width (xeonsr.ir_switch): one
graph with an If on the width, the same function as the stored IR at every width, and each width
in the form its rule names."""

import numpy as np
import pytest

from xeonsr.irs import SHIPPED_IR_DIR

MAX_DIFF = 2e-6  # float summation order: rows, columns and the stored 9x9 add the same products


def _shipped(name):
    import openvino as ov

    return ov.Core().read_model(str(SHIPPED_IR_DIR / f"{name}.xml"))


def _run(model, x):
    from xeonsr.ov import compile_ir

    return compile_ir(model, 1)(x)[0]


def _copies(model) -> list[tuple[str, list[int]]]:
    return [
        (op.get_friendly_name().rsplit("/", 1)[-1], list(op.get_attributes()["sizes"]))
        for op in model.get_ordered_ops()
        if op.get_type_name() == "ExtractImagePatches"
    ]


def _formed(name, lr_size=None):
    from xeonsr.ir_forms import host_forms

    model = _shipped(name)
    host_forms(model, "avx2", lr_size=lr_size)
    return model


@pytest.fixture
def without_blocked_chain(monkeypatch):
    """Since session 55 the shipped SRCNN FP32 IRs run whole on the blocked AVX2 kernels
    (xeonsr.ir_blocked), which take their 9x9 first: the switch is this class's form for such a
    layer outside a whole chain, tested here on the shipped IRs without the chain."""
    import xeonsr.ir_forms as forms

    kept = tuple(f for f in forms.HOST_FORMS["avx2"] if f is not forms.blocked_chain)
    monkeypatch.setitem(forms.HOST_FORMS, "avx2", kept)


@pytest.mark.parametrize("name", ["srcnn_x3_fp32", "srcnn-955_x3_fp32"])
def test_each_width_runs_the_form_its_rule_names_and_the_same_function(name, data_dir, without_blocked_chain):
    from PIL import Image

    from xeonsr.imaging import rgb_to_ycbcr_planes
    from xeonsr.ir_switch import columns_wanted

    switched = _formed(name)
    assert [op.get_type_name() for op in switched.get_ordered_ops()].count("If") == 1
    assert switched.outputs[0].get_names() == _shipped(name).outputs[0].get_names()
    y = rgb_to_ycbcr_planes(np.asarray(Image.open(data_dir / "Set5" / "butterfly.png").convert("RGB")), 255)[0]
    seen = set()
    for w in (37, 38, 39, 40, 85):  # x3: HR widths 111, 114, 117, 120, 255 -> 3, 2, 1, 0, 3 mod 4
        x = np.ascontiguousarray(y[:29, :w])[None, None]
        columns = columns_wanted(3 * w)
        seen.add(columns)
        alone = _formed(name, lr_size=(29, w))  # the one form this size takes, no If
        assert _copies(alone) == [("columns", [1, 9])] if columns else [("rows", [9, 1])]
        out = _run(switched, x)
        assert np.array_equal(out, _run(alone, x))  # the If took that form, bit for bit
        assert np.abs(out - _run(_shipped(name), x)).max() < MAX_DIFF
    assert seen == {True, False}


# srcnn_x3_fp32: its whole chain on the blocked kernels, the 9x9 with it
@pytest.mark.parametrize(
    "name", ["fsrcnn_x3_fp32", "dcscn_x2_fp32", "srcnn_x3_int8_avx2", "srcnn_x2_int8", "srcnn_x3_fp32"]
)
def test_only_a_float_nine_by_nine_first_layer_gets_the_switch(name):
    ops = [op.get_type_name() for op in _formed(name).get_ordered_ops()]
    assert "If" not in ops


def test_a_kernel_plan_keeps_its_layers_out_of_the_switch():
    from xeonsr.ir_forms import host_forms

    model = _shipped("srcnn_x3_fp32")
    conv2 = next(op.get_friendly_name() for op in model.get_ordered_ops() if "conv2/" in op.get_friendly_name())
    host_forms(model, "avx2", "f32", {conv2: "jit_avx2"})
    assert "If" not in [op.get_type_name() for op in model.get_ordered_ops()]


def test_a_profile_at_a_columns_width_names_the_layers_it_times(monkeypatch):
    import xeonsr.info
    from xeonsr.profile import profile_ir

    parse = xeonsr.info.cpu_info
    avx2 = "model name : AMD EPYC\ncpu family : 25\nmodel : 1\nflags : avx2 fma\n"  # a Zen 3, whatever runs this
    monkeypatch.setattr(xeonsr.info, "cpu_info", lambda text=None: parse(avx2))
    assert xeonsr.info.cpu_info().forms_class == "avx2"
    res = profile_ir(SHIPPED_IR_DIR / "srcnn_x3_fp32.xml", (20, 37), threads=1, warmup=1, repeats=2)
    layers = {r.name: r for r in res["layers"]}
    assert layers["conv1"].macs == 64 * 81 * 60 * 111
    assert {"conv1", "conv2"} <= {r.name for r in res["layers"] if r.op == "Convolution"}
