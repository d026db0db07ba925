"""A network of its own for a shape run again (xeonsr.ov_shapes): when a shape gets one, that its
output is the dynamic network's, that threads share it, and that only the last few are kept."""

import threading

import numpy as np

from xeonsr.irs import SHIPPED_IR_DIR


def _networks(name="srcnn_x3_fp32", keep=None):
    import openvino as ov

    from xeonsr.ir_forms import host_forms
    from xeonsr.ov import compile_ir
    from xeonsr.ov_shapes import shape_networks

    source = ov.Core().read_model(str(SHIPPED_IR_DIR / f"{name}.xml"))
    formed = source.clone()
    host_forms(formed, "avx2")  # the class whose static forms exist; its kernels run on any AVX2 CPU
    scale = int(name.split("_x")[1].split("_")[0])
    nets = shape_networks(source, formed, compile_ir(formed, 2), "avx2", "f32", None, {"threads": 2}, scale)
    if nets is not None and keep is not None:
        nets.keep = keep
    return nets


def _image(h, w, seed=0):
    return np.random.default_rng(seed).random((1, 1, h, w), dtype=np.float32)


def test_a_shape_gets_its_own_network_at_its_second_call_with_the_same_output():
    nets = _networks()
    run = nets.run_fn()
    x = _image(23, 31)
    first = run(x)
    assert nets.shapes() == []  # a shape seen once runs on the dynamic network: no compile
    second = run(x)
    assert nets.shapes() == [(1, 1, 23, 31)]
    assert second.shape == first.shape == (1, 1, 69, 93)
    assert np.abs(second - first).max() < 2e-6  # kernels for a fixed shape may sum in another order
    assert np.array_equal(run(x), second)
    # the calls without copies (xeonsr.ov.infer_fn) give what the copying call gives
    assert np.array_equal(next(iter(nets.dynamic.create_infer_request().infer({0: x}).values())), first)
    other = nets.run_fn()  # another thread's requests on the same networks
    assert np.array_equal(other(x), second) and nets.shapes() == [(1, 1, 23, 31)]


def test_only_the_last_shapes_keep_a_network_and_threads_compile_each_once():
    """Three threads at once on the same shapes: one compile a shape, whoever asks."""
    nets = _networks(keep=2)
    compiles = []
    compile_for = nets.compile_for

    def counted(shape):
        compiles.append(shape)
        return compile_for(shape)

    nets.compile_for = counted
    shapes = [(12, 14), (13, 14), (14, 14)]
    runs = [nets.run_fn() for _ in range(3)]
    # The threads go shape by shape together: a thread still on the first shape after the others
    # have made the third its own would find the first's network dropped (keep=2) and compile it again.
    together = threading.Barrier(len(runs))

    def work(run):
        for h, w in shapes:
            for _ in range(3):
                run(_image(h, w))
            together.wait()

    threads = [threading.Thread(target=work, args=(run,)) for run in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(compiles) == [(1, 1, h, w) for h, w in shapes]  # one compile a shape, whatever the threads
    assert nets.shapes() == [(1, 1, 13, 14), (1, 1, 14, 14)]  # the least recently used went
    x = _image(12, 14)
    runs[0](x)  # the dropped shape back, after two others: the dynamic network again
    assert nets.shapes() == [(1, 1, 13, 14), (1, 1, 14, 14)]
    runs[0](x)
    assert nets.shapes() == [(1, 1, 14, 14), (1, 1, 12, 14)] and len(compiles) == 4


def test_a_folder_of_more_sizes_than_kept_never_compiles_however_often_it_runs():
    nets = _networks(keep=2)
    nets.compile_for = lambda shape: (_ for _ in ()).throw(AssertionError(f"compiled {shape}"))
    run = nets.run_fn()
    for _ in range(3):
        for h in (10, 11, 12):  # each size comes back only after two others
            assert run(_image(h, 9)).shape == (1, 1, 3 * h, 27)
    assert nets.shapes() == []


def test_a_shape_whose_compile_fails_warns_once_and_runs_on_the_dynamic_network():
    """A static form's bug or a failed allocation must not cost the user the image."""
    import warnings

    nets = _networks()
    calls = []

    def failing(shape):
        calls.append(shape)
        raise RuntimeError("no memory for the buffers")

    nets.compile_for = failing
    run = nets.run_fn()
    x = _image(16, 17)
    first = run(x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outputs = [run(x) for _ in range(3)]
    assert calls == [(1, 1, 16, 17)]  # tried once, not at every call
    message = "input shape (1, 1, 16, 17): its own network did not compile (no memory for the buffers); runs dynamic"
    assert [str(w.message) for w in caught] == [message]
    assert all(np.array_equal(y, first) for y in outputs) and nets.shapes() == []


def test_a_shape_past_the_pixel_cap_stays_on_the_dynamic_network():
    nets = _networks()
    nets.most_pixels = 20 * 20  # memory: a shape's own network holds buffers for its size
    run = nets.run_fn()
    for _ in range(3):
        run(_image(20, 21))
        run(_image(20, 20))
    assert nets.shapes() == [(1, 1, 20, 20)]


def test_networks_without_a_static_form_stay_dynamic():
    from xeonsr.runtime import load_runner

    assert _networks("fsrcnn_x3_fp32") is None
    assert _networks("srcnn_x3_int8_avx2") is None  # its layers are quantized: no blocked chain
    assert "ov_shapes" not in load_runner("fsrcnn", 3, "ov-int8", threads=1).note


def test_a_runner_of_several_streams_keeps_the_one_network():
    from xeonsr.info import cpu_info
    from xeonsr.runtime import load_runner

    one = load_runner("srcnn", 3, "ov-fp32", threads=2)
    assert ("ov_shapes" in one.note) == (cpu_info().forms_class == "avx2"), one.note  # the class with a static form
    assert "ov_shapes" not in load_runner("srcnn", 3, "ov-fp32", threads=2, streams=2).note


def test_a_shapes_own_network_stays_out_of_the_model_cache(tmp_path, monkeypatch):
    """OpenVINO never drops a cache entry, and a service's sizes are unbounded."""
    from xeonsr.info import cpu_info
    from xeonsr.runtime import load_runner

    monkeypatch.setenv("XEONSR_CACHE_DIR", str(tmp_path))
    runner = load_runner("srcnn", 3, "ov-fp32", threads=2, compile_cache=True)
    entries = {p.name for p in tmp_path.iterdir()}
    assert any(name.endswith(".blob") for name in entries)  # the dynamic network's
    for _ in range(3):
        runner.run(_image(14, 15))
    assert ("ov_shapes" in runner.note) == (cpu_info().forms_class == "avx2")
    assert {p.name for p in tmp_path.iterdir()} == entries
