"""OpenVINO: compile an IR with explicit precision, threads and hint (xeonsr.runtime runs it).

One image at a time: the LATENCY hint, one stream using every thread asked for. A folder:
``streams`` > 1 selects the THROUGHPUT hint with that many streams (xeonsr.threads.plan_streams
chooses them per socket), each stream serving one infer request at a time.

The inference precision is always set (f32 unless asked otherwise): on CPUs with bf16 or AMX
the runtime would otherwise switch to bf16 by itself, and "fp32" figures would not be fp32.
"""

from __future__ import annotations

import threading
from pathlib import Path

_bridge_lock = threading.Lock()
_bridge_ready = False


def ready_numpy_bridge() -> None:
    """Make OpenVINO's first tensor-to-numpy view of the process on one thread, before requests
    run on several: two threads making that first view at once can deadlock for good (pybind11
    sets up its numpy API in a static under the GIL; one thread waits for the static's guard
    holding the GIL, the other holds the guard waiting for the GIL). Seen as a hung
    ``xeonsr upscale`` of an image tiled over 2 streams, about 1 start in 7 on a 2-core Zen 3."""
    global _bridge_ready
    if _bridge_ready:
        return
    import openvino as ov

    with _bridge_lock:  # a Python lock: a second caller waits here, not inside pybind11
        if not _bridge_ready:
            ov.Tensor(ov.Type.f32, ov.Shape([1])).data[:] = 0.0
            _bridge_ready = True


def compile_ir(
    xml: Path,
    threads: int | None = None,
    inference_precision: str = "f32",
    profiling: bool = False,
    streams: int = 1,
    kernels: dict[str, str] | None = None,
    cache: bool = False,
):
    """``kernels``: {layer: kernel} asked of the plugin (a plan measured by xeonsr.kernels).
    ``cache``: keep the compiled network in :func:`xeonsr.compile_cache.cache_dir` and load it
    from there the next time (OpenVINO's model cache: keyed by the graph, its kernel requests,
    the settings and the OpenVINO version; the same kernels; benchmarks/load_cache.py)."""
    import openvino as ov

    from xeonsr.openvino_releases import check_version

    check_version(ov.__version__)  # before the modules an older release lacks
    import openvino.properties as props
    import openvino.properties.hint as hints

    from xeonsr.kernels import asked_kernels, avoided, with_kernels

    ready_numpy_bridge()
    core = ov.Core()
    mode = hints.PerformanceMode.THROUGHPUT if streams > 1 else hints.PerformanceMode.LATENCY
    config = {
        hints.performance_mode: mode,
        hints.inference_precision: ov.Type.f32 if inference_precision == "f32" else ov.Type.bf16,
    }
    if threads:
        config[props.inference_num_threads] = int(threads)
    if streams > 1:
        config[props.num_streams] = int(streams)
    if profiling:  # per-node counters (xeonsr profile); they cost a little time, so off otherwise
        config[props.enable_profiling] = True
    from xeonsr.compile_cache import cache_dir, held

    where = cache_dir() if cache and not profiling else None
    if where is not None:
        config[props.cache_dir] = str(where)
    model = xml if isinstance(xml, ov.Model) else read_ir(xml)
    kernels = {**asked_kernels(model), **(kernels or {})}  # a form's requests, then the plan's

    def build(graph):
        try:
            with held(where if props.cache_dir in config else None):
                return core.compile_model(graph, "CPU", config)
        except RuntimeError:
            if props.cache_dir not in config:
                raise
            del config[props.cache_dir]  # an unwritable cache: compiled as if there were none
            return core.compile_model(graph, "CPU", config)

    compiled = build(with_kernels(model, kernels))
    moves = avoided(compiled, model)
    if moves:  # a kernel known to crash or miscompute (xeonsr.kernels.AVOID): compiled again without it
        compiled = build(with_kernels(model, {**kernels, **moves}))
        left = avoided(compiled, model)
        if left:
            raise RuntimeError(f"OpenVINO keeps a kernel known to fail for {sorted(left)[:3]}")
    return compiled


def read_ir(xml: Path):
    """The IR at ``xml`` as an ov.Model, or one line saying why it cannot be read."""
    import openvino as ov

    try:
        return ov.Core().read_model(str(xml))
    except Exception as e:  # noqa: BLE001 - OpenVINO raises RuntimeError with pages of text
        from xeonsr.irs import IRError

        raise IRError(f"{xml}: OpenVINO cannot read this IR ({str(e).strip().splitlines()[0][:200]})") from None


def infer_fn(request, scale: int | None = None):
    """``request`` as a function (N, 1, h, w) float32 -> its output. With ``scale`` (the network
    maps h x w to scale*h x scale*w, as every IR of the store does) the request reads the caller's
    array in place and writes into a fresh array of the caller's: ~25 us less per call than
    ``request.infer({0: x})``, which copies both through Python's wrappers (AMD EPYC Zen 4, 2
    threads, five IRs: 1.05-1.23x at 16x16 LR, 1.01-1.12x at 48x48, 0.99-1.07x from 92x92 to
    170x170, 1.00-1.07x at 320x240; `python benchmarks/probes/ov_call_paths.py 2 11 ...`, session
    63; the output the same to the bit; over Set14 through the bench's runner, level: 0.975-1.031x,
    benchmarks/probes/call_paths_set14.py). Taking the request's own output tensor and copying it instead ran
    0.90-0.97x at 160x140. Without ``scale``, the copying call."""
    import numpy as np

    if scale is None:
        return lambda x: next(iter(request.infer({0: np.ascontiguousarray(x, dtype=np.float32)}).values()))
    import openvino as ov

    def run(x):
        x = np.ascontiguousarray(x, dtype=np.float32)
        if not x.flags.writeable:  # OpenVINO shares only writeable memory
            x = x.copy()
        n, c, h, w = x.shape
        out = np.empty((n, c, h * scale, w * scale), np.float32)
        request.set_input_tensor(ov.Tensor(x, shared_memory=True))
        request.set_output_tensor(ov.Tensor(out, shared_memory=True))
        request.infer()
        return out

    return run
