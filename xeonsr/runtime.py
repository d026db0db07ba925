"""One runtime: every command runs a network through a Runner made here.

A Runner maps (N, 1, h, w) float32 LR Y on [0, 1] to (N, 1, s*h, s*w) float32, whatever runs
it: PyTorch (the exact deploy form, channels-last; fp32, bf16 autocast or IPEX), OpenVINO (a
verified IR of a store) or a peer (OpenCV cv2.dnn, ONNX Runtime). eval, bench, upscale,
quantize's PSNR and training's validation all take their runner from here, so the same
backend name means the same graph everywhere. The OpenVINO path never imports torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from xeonsr.errors import UserError

BACKENDS = ("torch-fp32", "torch-bf16", "ipex", "ov-fp32", "ov-bf16", "ov-int8", "opencv", "ort", "ort-int8")
RunFn = Callable[[np.ndarray], np.ndarray]


@dataclass
class Runner:
    run: RunFn  # (N, 1, h, w) float32 on [0, 1] -> (N, 1, s*h, s*w) float32
    model: str
    scale: int
    backend: str
    note: str  # what runs, in words (runtime, precision, graph)
    threads: int | None
    source: str  # the weights or IR file it runs
    receptive_radius: int | None  # LR pixels an output pixel depends on (None: unknown)
    # Another run function on the same loaded network, for another thread (OpenVINO: a new
    # infer request, served by a stream of its own); None where the backend has no such thing.
    spawn: Callable[[], RunFn] | None = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.run(x)

    def for_thread(self) -> Runner:
        """A runner for one more worker thread: its own request on the same compiled network."""
        if self.spawn is None:
            return self
        return replace(self, run=self.spawn())

    def plane_fn(self) -> Callable[[np.ndarray], np.ndarray]:
        """LR Y (h, w) on 0..255 -> SR Y (s*h, s*w) on 0..255 (the protocol's convention)."""
        return plane_fn(self.run)


def plane_fn(run: RunFn) -> Callable[[np.ndarray], np.ndarray]:
    def fn(lr: np.ndarray) -> np.ndarray:
        x = (np.ascontiguousarray(lr, dtype=np.float32) / 255.0)[None, None]
        return run(x)[0, 0] * 255.0

    return fn


def ov_run(compiled, scale: int | None = None) -> RunFn:
    """A compiled OpenVINO model as a run function (one infer request, reused; ``scale``: the
    network's, for the call without copies, xeonsr.ov.infer_fn)."""
    from xeonsr.ov import infer_fn

    return infer_fn(compiled.create_infer_request(), scale)


def torch_run(net, *, bf16: bool = False, channels_last: bool = True) -> RunFn:
    """A PyTorch module as a run function (inference mode; bf16 autocast if asked)."""
    import contextlib

    import torch

    ctx = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if bf16 else contextlib.nullcontext
    fmt = torch.channels_last if channels_last else torch.contiguous_format

    def run(x: np.ndarray) -> np.ndarray:
        t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).contiguous(memory_format=fmt)
        with torch.inference_mode(), ctx():
            return net(t).float().numpy()

    return run


def load_runner(
    model: str,
    scale: int,
    backend: str = "ov-fp32",
    *,
    weights: str | Path | None = None,
    ir_dir: str | Path | None = None,
    threads: int | None = None,
    streams: int = 1,
    data_dir: str | Path | None = None,
    compile_cache: bool = False,
) -> Runner:
    """A runner for ``model`` x``scale`` on ``backend`` (one of BACKENDS).

    ``weights``: your own weights for the torch backends and the peers (default: shipped).
    ``ir_dir``: the IR store for the OpenVINO backends (default: the shipped store).
    ``threads``: the thread count to run with (the caller's thread plan decides it).
    ``streams``: OpenVINO streams for several images at once (``Runner.for_thread`` per worker).
    ``data_dir``: where ort-int8 finds the training set it calibrates on (default: $XEONSR_DATA).
    ``compile_cache``: OpenVINO backends load a compiled network kept by an earlier process
    (``xeonsr.ov.cache_dir``; the bench leaves it off, so its load times are compiles).
    """
    from xeonsr.protocol import check_scale

    check_scale(scale)
    if backend not in BACKENDS:
        raise UserError(f"unknown backend {backend!r}: choose from {', '.join(BACKENDS)}")
    if backend.startswith("ov-"):
        from xeonsr.info import cpu_info
        from xeonsr.ir_forms import host_forms
        from xeonsr.irs import locate_ir
        from xeonsr.ov import compile_ir, read_ir
        from xeonsr.ov_shapes import aliasing_shapes, shape_networks

        # ov-bf16: the FP32 IR with OpenVINO's bf16 inference precision (native bf16 CPUs only).
        prec = backend[3:]
        xml, entry = locate_ir(model, scale, "fp32" if prec == "bf16" else prec, ir_dir)
        infer = "bf16" if prec == "bf16" else "f32"
        note = f"OpenVINO {'fp32' if prec == 'bf16' else prec} IR, inference precision {infer}"
        if prec == "int8":
            note += f", made for {entry.get('target_isa', 'vnni')}"
        if prec == "bf16":
            if not cpu_info().native_bf16:
                raise UserError("ov-bf16 needs a CPU with native bf16 (AVX512-BF16 or AMX); OpenVINO would run f32")
        from xeonsr.kernels import plan_for

        kernels = plan_for(entry, infer)
        graph = read_ir(xml)
        source = graph.clone()  # as read: a shape's own network starts from it
        forms = host_forms(graph, cpu_info().forms_class, infer, kernels)
        settings = {"threads": threads, "streams": streams, "cache": compile_cache}
        compiled = compile_ir(graph, inference_precision=infer, kernels=kernels, **settings)
        # One stream (one image, or a band's tiles, at a time): a shape run again gets a network of
        # its own. Several streams keep the one network: per-shape networks, each with stream
        # threads of its own, took a large image's tiles on 2 streams 0.33-0.50 s against 0.36-0.43
        # (`benchmarks/tile_streams.py --lr 600x400 --model srcnn --precision fp32`, Zen 2).
        shapes = (
            None
            if streams > 1
            else shape_networks(source, graph, compiled, cpu_info().forms_class, infer, kernels, settings, scale)
        )
        # The pixel shuffle's other form for the sizes where the stored one is slow (xeonsr.ir_shuffle),
        # where no network of a shape's own is made; one stream, for the same reason as those.
        aliasing = (
            aliasing_shapes(source, graph, compiled, cpu_info().forms_class, infer, kernels, settings, scale)
            if shapes is None and streams == 1
            else None
        )
        if kernels:
            note += f", {len(kernels)} layers on measured kernels"
        if forms:
            layers = f"{len(forms)} layer{'s' if len(forms) > 1 else ''}"
            note += f", {layers} in this CPU's exact forms (xeonsr.ir_forms.HOST_FORMS)"
        if shapes is not None:
            note += ", a network of its own for a shape run again (xeonsr.ov_shapes)"
        if aliasing is not None:
            note += ", the pixel shuffle as DepthToSpace where H x W is a multiple of 1024 (xeonsr.ir_shuffle)"
        if streams > 1:
            note += f", {streams} streams (throughput)"
        spawn = next(
            (n.run_fn for n in (shapes, aliasing) if n is not None), lambda: ov_run(compiled, scale)
        )  # fmt: skip
        return Runner(
            spawn(), model, scale, backend, note, threads, str(xml), entry.get("receptive_radius"), spawn=spawn
        )  # fmt: skip
    if backend in ("opencv", "ort", "ort-int8"):
        from xeonsr import peers

        if backend == "ort-int8":
            run, note, net = peers.onnxruntime_int8_runner(model, scale, threads, weights, data_dir)
        else:
            make = peers.opencv_runner if backend == "opencv" else peers.onnxruntime_runner
            run, note, net = make(model, scale, threads, weights)
        return Runner(run, model, scale, backend, note, threads, str(weights or "shipped"), _radius(net))
    return _torch_runner(model, scale, backend, weights, threads)


def _radius(net) -> int | None:
    r = getattr(net, "receptive_radius", None)
    return None if r is None else int(r)


def keep_freed_memory() -> bool:
    """Have glibc keep freed memory for the next allocation instead of handing it back to the
    system. PyTorch allocates every intermediate tensor afresh per call; by default glibc maps
    large blocks anew and unmaps them on free, so each call faults its pages back in: FSRCNN-s
    x3 FP32 on a 170x170 input ran 7.48-7.77 ms per call, 3.00-3.22 with both settings (Zen 4,
    2 threads, benchmarks/probes/torch_malloc.py; either one alone did not help). The peer at
    its best, as PyTorch's CPU tuning guides get from tcmalloc or jemalloc. False where the C
    library is not glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    return bool(mallopt(m_trim_threshold, 1 << 30)) and bool(mallopt(m_mmap_threshold, 32 << 20))


def _torch_runner(model: str, scale: int, backend: str, weights, threads: int | None) -> Runner:
    import torch

    from xeonsr.infer import load_torch_model
    from xeonsr.info import cpu_info, ipex_status
    from xeonsr.models import deploy_form

    if threads:
        torch.set_num_threads(threads)
    net, _ = load_torch_model(model, scale, weights)
    radius = _radius(net)
    # The exact deploy form: FSRCNN's conv + shuffle is ~2x faster than its deconvolution in
    # PyTorch too (95 vs 187 ms, 1 thread, Set14-sized image, channels-last).
    graph = deploy_form(net).to(memory_format=torch.channels_last)
    note = "PyTorch fp32 channels-last, deploy form"
    if backend == "torch-bf16":
        note = "PyTorch bf16 autocast" + ("" if cpu_info().native_bf16 else " (emulated: no native bf16 on this CPU)")
    elif backend == "ipex":
        ok, why = ipex_status()
        if not ok:
            raise UserError(f"ipex backend unavailable: intel-extension-for-pytorch {why}")
        import intel_extension_for_pytorch as ipex

        graph = ipex.optimize(graph, dtype=torch.float32)
        note = f"IPEX {why} fp32"
    run = torch_run(graph, bf16=backend == "torch-bf16")
    keep_freed_memory()
    return Runner(run, model, scale, backend, note, threads, str(weights or "shipped"), radius)
