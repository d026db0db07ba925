"""Practical peaks of this CPU, per precision, measured now: what "of peak" divides by.

- fp32: the fastest of two BLAS libraries on a 2048^3 matrix product (torch's MKL takes a slow
  path on AMD CPUs, about 0.6x OpenBLAS on an EPYC; numpy's OpenBLAS may trail MKL on Intel)
  and OpenVINO's FP32 3x3 convolutions (256 -> 256 channels, by node time, as for int8).
- bf16: torch's matrix product in bf16 (oneDNN; native only with AVX512-BF16 or AMX).
- int8: OpenVINO running large INT8 convolutions (256 -> 256 channels, 3x3, 56x56, four in a
  chain), the kernel class its INT8 IRs use, timed by OpenVINO's node counters; the kernel
  OpenVINO picked is reported (e.g. a *_vnni_* or *_amx_* name where the CPU has them), so a
  peak measured on a fallback kernel shows.

A PeakMeter keeps a chain compiled and samples it between a bench's timed calls: the peak at
the moments the rows ran ("now"), beside the run's best.
"""

from __future__ import annotations

import time

import numpy as np

# The side of the FP32 and BF16 peaks' square matrix products: large enough to run at the BLAS's
# full rate (0.13 s a product on one Emerald Rapids core, in the cProfile of tests/conftest.py's
# _quick_peaks; the tests, which only need a real peak, take 512).
MATRIX_SIDE = 2048


def _rate(fn, flop: float, repeats: int, rounds: int = 3) -> float:
    """GFLOP/s: the best of ``rounds`` timed rounds (a peak is what the CPU can do; a shared
    machine's slow moments only ever lower a round)."""
    for _ in range(3):
        fn()
    best = 0.0
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(repeats):
            fn()
        best = max(best, flop * repeats / (time.perf_counter() - t0) / 1e9)
    return best


def fp32_matmul_peak(threads: int, n: int | None = None, repeats: int = 10) -> tuple[float, str]:
    """-> (GFLOP/s, which library) of n x n products (default MATRIX_SIDE). torch's only where it
    is installed (not in the slim install)."""
    n = n or MATRIX_SIDE
    from threadpoolctl import threadpool_info, threadpool_limits

    results = {}
    try:
        import torch
    except ModuleNotFoundError:
        pass
    else:
        torch.set_num_threads(threads)
        a, b = torch.randn(n, n), torch.randn(n, n)
        results["torch (MKL)"] = _rate(lambda: torch.matmul(a, b), 2.0 * n**3, repeats)
    rng = np.random.default_rng(0)
    with threadpool_limits(limits=threads, user_api="blas"):
        x, y = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
        blas = [i["internal_api"] for i in threadpool_info() if "numpy" in i.get("filepath", "")]
        results[f"numpy ({blas[0] if blas else 'BLAS'})"] = _rate(lambda: np.matmul(x, y), 2.0 * n**3, repeats)
    best = max(results, key=results.get)
    return results[best], best


def bf16_matmul_peak(threads: int, n: int | None = None, repeats: int = 10) -> float:
    """GFLOP/s of torch's bf16 matrix product (emulated, and slow, without native bf16)."""
    n = n or MATRIX_SIDE
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(n, n, dtype=torch.bfloat16), torch.randn(n, n, dtype=torch.bfloat16)
    return _rate(lambda: torch.matmul(a, b), 2.0 * n**3, repeats)


def _conv_chain(channels: int, side: int, layers: int, seed: int = 0, int8: bool = False, k: int = 3):
    """-> (OpenVINO model: ``layers`` k x k convolutions channels -> channels with ReLU, an input).

    ``int8``: in the form NNCF gives a quantized convolution (u8 activations through a
    FakeQuantize, int8 weights per output channel through Convert and Multiply), built here so
    the INT8 peak needs no NNCF (the slim install has none). The kernel's speed does not depend
    on the values, so the ranges are fixed, not calibrated: it ran the same kernel at the same
    rate as NNCF's chain (benchmarks/probes/int8_peak_chain.py)."""
    import openvino as ov

    from xeonsr.openvino_releases import opset

    ops = opset(13)
    rng = np.random.default_rng(seed)
    x = ops.parameter([1, channels, side, side], ov.Type.f32, name="x")
    h = x
    for i in range(layers):
        w = rng.normal(0, 0.05, (channels, channels, k, k)).astype(np.float32)
        if int8:
            hi = np.float32(1.0 if i == 0 else 4.0)  # the input is on [0, 1), later ReLU outputs
            lo = np.float32(0.0)
            h = ops.fake_quantize(h, lo, hi, lo, hi, 256)
            step = np.abs(w).reshape(channels, -1).max(axis=1).reshape(channels, 1, 1, 1) / 127
            q = np.round(w / step).astype(np.int8)
            w = ops.multiply(ops.convert(ops.constant(q), ov.Type.f32), ops.constant(step.astype(np.float32)))
        else:
            w = ops.constant(w)
        pad = [k // 2, k // 2]
        conv = ops.convolution(h, w, [1, 1], pad, pad, [1, 1])
        conv.set_friendly_name(f"peak_conv{i}")
        h = ops.relu(conv)
    return ov.Model([h], [x], "conv_peak"), rng


def _node_rate(request, inp, flop_per_conv: float, only=None) -> tuple[float, str]:
    """One call: (G(FL)OP/s of its convolution nodes by OpenVINO's own counters, the first one's
    kernel). ``only``: the names of the nodes counted (None: all)."""
    request.infer({0: inp})
    convs = [
        p for p in request.profiling_info if p.node_type == "Convolution" and (only is None or p.node_name in only)
    ]
    seconds = sum(p.real_time.total_seconds() for p in convs)
    if not convs or seconds <= 0:
        return 0.0, "unknown"
    return flop_per_conv * len(convs) / seconds / 1e9, convs[0].exec_type


def _conv_node_rate(model, inp, flop_per_conv: float, threads: int, rounds: int, only=None) -> tuple[float, str]:
    """-> (G(FL)OP/s of the convolution nodes (``only``: those named), best round; kernel)."""
    from xeonsr.ov import compile_ir

    request = compile_ir(model, threads, profiling=True).create_infer_request()
    for _ in range(3):
        request.infer({0: inp})
    best, kernel = 0.0, "unknown"
    for _ in range(rounds):
        rate, k = _node_rate(request, inp, flop_per_conv, only)
        if rate > best:
            best, kernel = rate, k
    return best, kernel


def fp32_conv_peak(
    threads: int, channels: int = 256, side: int = 56, layers: int = 4, rounds: int = 5
) -> tuple[float, str]:
    """-> (GFLOP/s of FP32 3x3 convolutions in OpenVINO, the kernel they ran on). On a Zen 4
    these ran 228-234 GFLOP/s against 185-211 for the matrix products, and a network's own
    convolutions reached 222 (ONNX Runtime, SRCNN's 9x9): a matrix-product-only peak let rows
    read over 100%."""
    model, rng = _conv_chain(channels, side, layers)
    inp = rng.random((1, channels, side, side), dtype=np.float32)
    return _conv_node_rate(model, inp, 2.0 * channels * channels * 9 * side * side, threads, rounds)


class PeakMeter:
    """A precision's convolution chain (fp32 or int8), compiled once and sampled between a
    bench's timed calls: the peak at the moment the rows ran. A shared host's speed moved 1.8x
    within one bench run (AMD EPYC Zen 3, session 24), so a row timed in a slow minute read far
    from a peak taken in a fast one. The same four-layer chain as the run's peak: two layers
    read 0.80-0.97x of four there (the first convolution's share of reorders is larger)."""

    def __init__(self, precision: str, threads: int, channels: int = 256, side: int = 56, layers: int = 4):
        from xeonsr.ov import compile_ir

        model, rng = _conv_chain(channels, side, layers, int8=precision == "int8")
        self.inp = rng.random((1, channels, side, side), dtype=np.float32)
        self.flop = 2.0 * channels * channels * 9 * side * side
        self.request = compile_ir(model, threads, profiling=True).create_infer_request()
        for _ in range(2):
            self.request.infer({0: self.inp})

    def sample(self) -> float:
        return _node_rate(self.request, self.inp, self.flop)[0]


def int8_conv_peak(
    threads: int, channels: int = 256, side: int = 56, layers: int = 4, rounds: int = 5
) -> tuple[float, str]:
    """-> (GOP/s of INT8 3x3 convolutions in OpenVINO, the kernel they ran on).

    A chain of ``layers`` convolutions, u8 between them, timed by OpenVINO's own counters on
    the convolution nodes, best round: the kernel's rate. Timing one convolution by the wall
    clock also timed its f32 input's quantization and output reorder and read 0.7x of this
    (317 vs 453 GOP/s, 1 thread, Zen 4), low enough that DCSCN's INT8 IR showed 99% of it."""
    model, rng = _conv_chain(channels, side, layers, int8=True)
    inp = rng.random((1, channels, side, side), dtype=np.float32)
    return _conv_node_rate(model, inp, 2.0 * channels * channels * 9 * side * side, threads, rounds)


def kernel_peak(kernel: str, threads: int, rounds: int = 3, channels: int = 256, side: int = 56) -> float | None:
    """GOP/s (an INT8 kernel) or GFLOP/s of ``channels``-channel convolutions on ``side`` x ``side``
    run on ``kernel``, an OpenVINO CPU convolution kernel as its counters name it
    (``jit_avx512_I8``, ``brgconv_avx512_1x1_f32``): 1 x 1 layers for a 1x1 kernel, else 3 x 3,
    asked for that implementation; best round by node time. The rate a layer on that kernel could
    reach: on AMX OpenVINO runs FSRCNN's small INT8 layers on the VNNI kernel, whose peak is a
    fraction of the AMX one (docs/performance.md, session 67). None where they do not run on
    ``kernel`` (a depthwise or reference kernel, or one this CPU lacks)."""
    from xeonsr.kernels import with_kernels

    base, _, precision = kernel.rpartition("_")
    if precision not in ("I8", "f32") or not base or "_dw" in base:
        return None
    k, layers = (1 if "1x1" in base else 3), 4
    model, rng = _conv_chain(channels, side, layers, int8=precision == "I8", k=k)
    # The first layer stays the plugin's: asked for some kernels it would read the planar input
    # through a GEMM; it hands the others its blocked layout.
    asked = {f"peak_conv{i}" for i in range(1, layers)}
    model = with_kernels(model, dict.fromkeys(asked, base))
    inp = rng.random((1, channels, side, side), dtype=np.float32)
    try:
        rate, ran = _conv_node_rate(model, inp, 2.0 * channels * channels * k * k * side * side, threads, rounds, asked)
    except RuntimeError:  # an implementation this CPU lacks
        return None
    return rate if ran == kernel and rate > 0 else None


def measure_peaks(threads: int, precisions: set[str]) -> dict[str, dict]:
    """{"fp32": {"gflops": ..., "how": ...}, ...} for the precisions asked (fp32 always)."""
    peak, lib = fp32_matmul_peak(threads)
    conv, kernel = fp32_conv_peak(threads)
    if conv > peak:
        peak, lib = conv, f"OpenVINO FP32 3x3 convs 256->256 on 56x56, kernel {kernel} (node time)"
    else:
        lib = f"{MATRIX_SIDE}^3 matrix product, {lib}"
    out = {"fp32": {"gflops": peak, "how": lib}}
    if "bf16" in precisions:
        from xeonsr.info import cpu_info

        # Emulated bf16 (no AVX512-BF16/AMX) runs ~1 GFLOP/s: a 2048^3 product takes ~15 s there
        # (AMD EPYC Zen 3), so the emulated rate is measured on 512^3.
        n = MATRIX_SIDE if cpu_info().native_bf16 else min(512, MATRIX_SIDE)
        out["bf16"] = {"gflops": bf16_matmul_peak(threads, n), "how": f"{n}^3 matrix product, torch bf16"}
    if "int8" in precisions:
        gops, kernel = int8_conv_peak(threads)
        out["int8"] = {"gflops": gops, "how": f"OpenVINO INT8 3x3 convs 256->256 on 56x56, kernel {kernel} (node time)"}
    return out
