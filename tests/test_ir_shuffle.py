"""The output's pixel shuffle as one DepthToSpace for the sizes whose planes alias
(xeonsr.ir_shuffle, xeonsr.ov_shapes.AliasingShapes): which IRs get it, that it gives the stored
network's output to the bit, and that the second network is compiled once, when first needed."""

import warnings

import numpy as np
import pytest

from xeonsr.irs import SHIPPED_IR_DIR


def _read(name):
    import openvino as ov

    return ov.Core().read_model(str(SHIPPED_IR_DIR / f"{name}.xml"))


def _aliasing(name):
    from xeonsr.info import cpu_info
    from xeonsr.ir_forms import host_forms
    from xeonsr.ov import compile_ir
    from xeonsr.ov_shapes import aliasing_shapes

    source = _read(name)
    formed = source.clone()
    forms_class = cpu_info().forms_class
    host_forms(formed, forms_class)
    scale = int(name.split("_x")[1].split("_")[0])
    return aliasing_shapes(source, formed, compile_ir(formed, 2), forms_class, "f32", None, {"threads": 2}, scale)


def _stored(name):
    """The stored form, compiled on its own: a copying request on the runner's own network,
    beside its shared-memory requests, crashed OpenVINO 2026.4.1 in a test's sequence of sizes
    (xeonsr runs every request of a runner through xeonsr.ov.infer_fn, which never mixes them)."""
    from xeonsr.info import cpu_info
    from xeonsr.ir_forms import host_forms
    from xeonsr.ov import compile_ir

    graph = _read(name)
    host_forms(graph, cpu_info().forms_class)
    request = compile_ir(graph, 2).create_infer_request()
    return lambda x: next(iter(request.infer({0: x}).values())).copy()


def _image(h, w, seed=0):
    return np.random.default_rng(seed).random((1, 1, h, w), dtype=np.float32)


def test_planes_alias_where_a_plane_is_a_multiple_of_4_kib():
    from xeonsr.ir_shuffle import planes_alias

    assert planes_alias((1, 1, 128, 128)) and planes_alias((1, 1, 120, 128)) and planes_alias((2, 1, 32, 32))
    assert not planes_alias((1, 1, 128, 127)) and not planes_alias((1, 1, 140, 160)) and not planes_alias((1, 1, 1, 1))


def test_only_an_output_shuffle_of_16_to_64_phases_is_slow():
    """FSRCNN's x4 heads (16 phases into the output); not x2/x3 (4, 9), nor a shuffle inside the
    network (SRCNN's bicubic, DCSCN's before its Add), where DepthToSpace ran slower."""
    from xeonsr.ir_shuffle import as_depth_to_space, pixel_shuffles, slow_shuffle

    slow = ["fsrcnn_x4_fp32", "fsrcnn_x4_int8", "fsrcnn-s_x4_fp32", "fsrcnn-s_x4_int8_avx2"]
    fast = ["fsrcnn_x3_fp32", "fsrcnn-s_x2_int8", "srcnn_x4_fp32", "dcscn_x4_int8"]
    assert [slow_shuffle(_read(n)) for n in slow + fast] == [True] * 4 + [False] * 4
    dcscn = _read("dcscn_x4_fp32")
    assert len(pixel_shuffles(dcscn)) == 2 and as_depth_to_space(dcscn, last_only=True) == []
    assert len(as_depth_to_space(dcscn)) == 2  # every shuffle where asked (the probes)


@pytest.mark.parametrize("name", ["fsrcnn_x4_fp32", "fsrcnn-s_x4_int8"])
def test_aliasing_sizes_run_depth_to_space_with_the_stored_output_compiled_once(name):
    nets = _aliasing(name)
    compiles = []
    compile_other = nets._compile_other

    def counted():
        compiles.append(1)
        return compile_other()

    nets._compile_other = counted
    stored = _stored(name)
    run, other_thread = nets.run_fn(), nets.run_fn()
    x = _image(31, 33)
    assert np.array_equal(run(x), stored(x))
    assert compiles == []  # no size that aliases yet: no second network
    for h, w in ((32, 32), (24, 64), (32, 32)):
        x = _image(h, w, seed=h + w)
        y = run(x)
        assert y.shape == (1, 1, 4 * h, 4 * w)
        assert np.array_equal(y, stored(x))
        assert np.array_equal(other_thread(x), y)
    assert compiles == [1]  # one compile, shared by both threads' run functions
    assert nets.other() is not nets.dynamic


def test_a_depth_to_space_network_that_fails_to_compile_warns_once_and_runs_stored():
    nets = _aliasing("fsrcnn_x4_int8")
    calls = []

    def failing():
        calls.append(1)
        raise RuntimeError("no memory")

    nets._compile_other = failing
    run = nets.run_fn()
    x = _image(32, 32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outputs = [run(x) for _ in range(3)] + [nets.run_fn()(x)]
    assert calls == [1]
    assert [str(w.message) for w in caught] == [
        "the pixel shuffle as DepthToSpace did not compile (no memory); runs stored"
    ]
    stored = _stored("fsrcnn_x4_int8")(x)
    assert all(np.array_equal(y, stored) for y in outputs)


def test_the_runtime_gives_x4_fsrcnn_runners_the_other_form_and_no_one_else():
    from xeonsr.runtime import load_runner

    said = "the pixel shuffle as DepthToSpace"
    assert said in load_runner("fsrcnn", 4, "ov-int8", threads=1).note
    assert said in load_runner("fsrcnn-s", 4, "ov-fp32", threads=1).note
    assert said not in load_runner("fsrcnn", 3, "ov-int8", threads=1).note
    assert said not in load_runner("srcnn", 4, "ov-fp32", threads=1).note
    assert said not in load_runner("fsrcnn", 4, "ov-fp32", threads=2, streams=2).note  # one network per runner
