"""SRCNN's FP32 network on oneDNN's blocked AVX2 and AVX-512 kernels (xeonsr.ir_blocked.blocked_chain):
the same function as the stored IR on a real image, the layers it asks kernels for, and on a host
of each class the kernels OpenVINO then runs."""

import numpy as np
import pytest

from xeonsr.irs import SHIPPED_IR_DIR

LAYER = "__module.{}/aten::_convolution/Convolution"


def _shipped(name):
    import openvino as ov

    return ov.Core().read_model(str(SHIPPED_IR_DIR / f"{name}.xml"))


def _named(model, name):
    (node,) = [op for op in model.get_ordered_ops() if op.get_friendly_name() == LAYER.format(name)]
    return node


@pytest.mark.parametrize(
    "name, middle",
    [("srcnn_x3_fp32", "jit_avx2_1x1"), ("srcnn_x2_fp32", "jit_avx2_1x1"), ("srcnn-955_x3_fp32", "jit_avx2")],
)
def test_the_blocked_chain_is_the_stored_network(name, middle, data_dir):
    from xeonsr.evaluate import load_samples
    from xeonsr.ir_blocked import blocked_chain
    from xeonsr.kernels import asked_kernels
    from xeonsr.ov import compile_ir

    stored, model = _shipped(name), _shipped(name)
    assert blocked_chain(model) == [LAYER.format(n) for n in ("conv1", "conv2", "conv3.columns")]
    assert blocked_chain(model) == []  # nothing left to rewrite
    conv1 = _named(model, "conv1")
    assert list(conv1.input(1).get_shape()) == [64, 3, 3, 9] and list(conv1.get_attributes()["dilations"]) == [3, 1]
    assert _named(model, "conv3.columns").get_type_name() == "GroupConvolution"
    asked = {k.split("/")[0][len("__module.") :]: v for k, v in asked_kernels(model).items()}
    assert asked == {
        "conv1": "jit_avx2",
        "conv2": middle,
        "conv3.columns": "jit_avx2_dw",
        "conv3.combine": "jit_avx2_1x1",
    }
    lr = load_samples([data_dir / "Set5" / "butterfly.png"], 3)[0].lr  # LR Y on 0..255
    for h, w in ((61, 37), (40, 52), (5, 6)):  # odd and even sizes, and smaller than the 9x9
        x = np.ascontiguousarray(lr[None, None, :h, :w], dtype=np.float32) / 255.0
        ours, theirs = compile_ir(model, 1)(x)[0], compile_ir(stored, 1)(x)[0]
        assert ours.shape == theirs.shape and np.abs(ours - theirs).max() < 2e-6


@pytest.mark.parametrize(
    "name, middle",
    [("srcnn_x3_fp32", "jit_avx512_1x1"), ("srcnn_x4_fp32", "jit_avx512_1x1"), ("srcnn-955_x3_fp32", "jit_avx512")],
)
def test_the_avx512_chain_keeps_the_first_layer_and_is_the_stored_network(name, middle, data_dir):
    """AVX-512's first-layer path takes the one-channel 9x9 as stored (no row copies); the same
    function on any CPU (a kernel the CPU lacks falls back to the plugin's own)."""
    from xeonsr.evaluate import load_samples
    from xeonsr.ir_blocked import blocked_chain_avx512
    from xeonsr.kernels import asked_kernels
    from xeonsr.ov import compile_ir

    stored, model = _shipped(name), _shipped(name)
    assert blocked_chain_avx512(model) == [LAYER.format(n) for n in ("conv1", "conv2", "conv3.columns")]
    assert blocked_chain_avx512(model) == []
    assert list(_named(model, "conv1").input(1).get_shape()) == list(_named(stored, "conv1").input(1).get_shape())
    slices = [sum(op.get_type_name() == "Slice" for op in m.get_ordered_ops()) for m in (model, stored)]
    assert slices[0] == slices[1]  # no row copies
    asked = {k.split("/")[0][len("__module.") :]: v for k, v in asked_kernels(model).items()}
    assert asked == {
        "conv1": "jit_avx512",
        "conv2": middle,
        "conv3.columns": "jit_avx512_dw",
        "conv3.combine": "jit_avx512_1x1",
    }
    lr = load_samples([data_dir / "Set5" / "butterfly.png"], 3)[0].lr
    for h, w in ((61, 37), (33, 200), (17, 16), (5, 6)):  # odd, even and 200-wide, and one under the 9x9
        x = np.ascontiguousarray(lr[None, None, :h, :w], dtype=np.float32) / 255.0
        ours, theirs = compile_ir(model, 2)(x)[0], compile_ir(stored, 2)(x)[0]
        assert ours.shape == theirs.shape and np.abs(ours - theirs).max() < 2e-6


def test_the_blocked_chain_takes_only_whole_float_srcnn_chains():
    from xeonsr.ir_blocked import blocked_chain

    assert blocked_chain(_shipped("fsrcnn_x3_fp32")) == []  # its last layer has nine outputs
    assert blocked_chain(_shipped("dcscn_x2_fp32")) == []
    assert blocked_chain(_shipped("srcnn_x3_int8_avx2")) == []  # conv1 and conv2 quantized
    names = {op.get_friendly_name() for op in _shipped("srcnn_x3_fp32").get_ordered_ops()}
    assert blocked_chain(_shipped("srcnn_x3_fp32"), only=names - {LAYER.format("conv2")}) == []


def test_the_amx_class_chain_takes_only_a_1x1_middle():
    """blocked_chain_avx512_1x1 (the AMX class's): SRCNN 9-1-5's chain as blocked_chain_avx512
    makes it, srcnn-955's (a 5x5 middle, slower so on an AMX Xeon) left as stored."""
    from xeonsr.ir_blocked import blocked_chain_avx512, blocked_chain_avx512_1x1
    from xeonsr.kernels import asked_kernels

    assert blocked_chain_avx512_1x1(_shipped("srcnn-955_x3_fp32")) == []
    ours, theirs = _shipped("srcnn_x3_fp32"), _shipped("srcnn_x3_fp32")
    assert blocked_chain_avx512_1x1(ours) == blocked_chain_avx512(theirs) != []
    assert asked_kernels(ours) == asked_kernels(theirs)


def test_this_host_runs_the_kernels_its_chain_asks_for():
    """OpenVINO honours a kernel asked through rt_info only in a model it reads: compile_ir passes
    the form's requests on, so the in-memory rewritten graph runs on them (on an AVX2 host the
    AVX2 chain, on an AVX-512 host the AVX-512 one: with AMX too since session 66)."""
    from xeonsr.info import cpu_info
    from xeonsr.ir_forms import host_forms
    from xeonsr.ov import compile_ir

    isa = {"avx2": "avx2", "avx512_vnni": "avx512", "avx512_amx": "avx512"}.get(cpu_info().forms_class)
    if isa is None:
        pytest.skip("the blocked chain is a form of AVX2 and AVX-512 hosts; checked on such a CPU")
    model = _shipped("srcnn_x3_fp32")
    host_forms(model, cpu_info().forms_class)
    compiled = compile_ir(model, 2)
    kernels = {}
    for op in compiled.get_runtime_model().get_ordered_ops():
        rt = op.get_rt_info()
        for layer in rt["originalLayersNames"].astype(str).split(",") if "originalLayersNames" in rt else []:
            kernels[layer] = rt["primitiveType"].astype(str)
    got = {n: kernels[LAYER.format(n)] for n in ("conv1", "conv2", "conv3.columns", "conv3.combine")}
    assert got == {
        "conv1": f"jit_{isa}_f32",
        "conv2": f"jit_{isa}_1x1_f32",
        "conv3.columns": f"jit_{isa}_dw_f32",
        "conv3.combine": f"jit_{isa}_1x1_f32",
    }


def test_the_depthwise_halves_are_the_same_network_split_in_place(data_dir):
    """The static form (xeonsr.ir_blocked.depthwise_halves): the chain's 32-channel depthwise layer
    as two of 16 channels, the same output to the bit; in a static graph OpenVINO splits and
    concatenates in place (in a dynamic one each is a copy, and the form would lose)."""
    import openvino as ov

    from xeonsr.evaluate import load_samples
    from xeonsr.ir_blocked import depthwise_halves
    from xeonsr.ir_forms import host_forms
    from xeonsr.ov import compile_ir

    assert depthwise_halves(_shipped("fsrcnn_x3_fp32")) == []  # nothing on jit_avx2_dw
    lr = load_samples([data_dir / "Set5" / "butterfly.png"], 3)[0].lr
    for h, w in ((61, 37), (5, 6)):
        x = np.ascontiguousarray(lr[None, None, :h, :w], dtype=np.float32) / 255.0
        whole, halves = _shipped("srcnn_x3_fp32"), _shipped("srcnn_x3_fp32")
        host_forms(whole, "avx2")
        host_forms(halves, "avx2")
        assert depthwise_halves(halves) == [LAYER.format("conv3.columns")]
        assert depthwise_halves(halves) == []  # the halves are parts of one already
        weights = [
            list(op.input(1).get_shape()) for op in halves.get_ordered_ops() if op.get_type_name() == "GroupConvolution"
        ]
        assert weights == [[16, 1, 1, 5, 5]] * 2
        for graph in (whole, halves):
            graph.reshape({graph.inputs[0]: ov.PartialShape([1, 1, h, w])})
        compiled = compile_ir(halves, 2)
        assert np.array_equal(compiled(x)[0], compile_ir(whole, 2)(x)[0])
        made = {}
        for op in compiled.get_runtime_model().get_ordered_ops():
            rt = op.get_rt_info()
            made.setdefault(rt["layerType"].astype(str), []).append(rt["primitiveType"].astype(str))
        assert made["Split"] == ["unknown_f32"]  # in place: no kernel, no copy
        # two depthwise kernels: jit_avx2_dw on AVX2; an AVX-512 CPU's plugin runs its jit_avx512_dw
        assert sum(k.endswith("_dw_f32") for k in made["Convolution"]) == 2
