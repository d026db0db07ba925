"""xeonsr tune: measure a kernel plan (xeonsr.kernels) for one IR on this CPU."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

from xeonsr.kernels import CANDIDATES, MAX_DIFF, MIN_GAIN, VERIFY_SIZES, conv_layers
from xeonsr.profile import short_name


def _request(ov_model, layers, threads, inference_precision):
    from xeonsr.ov import compile_ir

    return compile_ir(ov_model, threads, inference_precision, kernels=layers).create_infer_request()


def _paired_ratio(a, b, x, rounds: int, n: int) -> float:
    """Median over interleaved rounds of (time of a) / (time of b): > 1 when b is faster."""
    ratios = []
    for _ in range(rounds):
        med = []
        for req in (a, b):
            ts = []
            for _ in range(n):
                t0 = time.perf_counter()
                req.infer({0: x})
                ts.append(time.perf_counter() - t0)
            med.append(statistics.median(ts))
        ratios.append(med[0] / med[1])
    return statistics.median(ratios)


def _out(req, x) -> np.ndarray:
    return next(iter(req.infer({0: x}).values())).copy()


def tune(
    xml: Path,
    inference_precision: str = "f32",
    threads: int | None = None,
    size: tuple[int, int] = (140, 160),
    rounds: int = 5,
    log=print,
    forms_class: str | None = None,
) -> dict:
    """Measure a plan for ``xml``. Layouts couple neighbouring layers (a JIT layer between two
    brgemm ones pays two reorders), so it starts from whole-network plans (every convolution,
    every 1x1, every larger one on a JIT kernel) and then changes one layer at a time, keeping a
    change that is faster by MIN_GAIN in interleaved timing. A kernel is allowed only where it
    gives the default's output (MAX_DIFF, on a noise image and a smooth one).

    It measures the graph every run here compiles: the IR in the exact forms of ``forms_class``
    (default: this CPU's, xeonsr.ir_forms.host_forms), whose layers it leaves to the plugin. A
    plan then names none of them, so the runtime rewrites the same layers and runs what was timed
    (a layer a plan names keeps its stored form there).
    Returns {"layers", "speedup", "lr_size", "threads", "in_forms"}."""
    import openvino as ov

    from xeonsr.info import cpu_info
    from xeonsr.ir_forms import host_forms

    model = ov.Core().read_model(str(xml))
    before = _conv_signatures(model)
    host_forms(model, forms_class or cpu_info().forms_class, inference_precision)
    in_forms = sorted(n for n, sig in _conv_signatures(model).items() if before.get(n) != sig)
    if in_forms:
        log(f"  in this CPU's exact forms, left to the plugin: {', '.join(short_name(n) for n in in_forms)}")
    h, w = size
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    checks = [v for hw in VERIFY_SIZES for v in _test_images(*hw)]
    base = _request(model, {}, threads, inference_precision)
    refs = [_out(base, v) for v in checks]

    def same(req) -> float:
        return max(float(np.abs(_out(req, v) - r).max()) for v, r in zip(checks, refs, strict=True))

    layers = [(name, kind) for name, kind in conv_layers(model) if name not in in_forms]
    allowed: dict[str, list[str]] = {}
    for name, _kind in layers:
        for kernel in CANDIDATES:
            diff = same(_request(model, {name: kernel}, threads, inference_precision))
            if diff <= MAX_DIFF:
                allowed.setdefault(name, []).append(kernel)
            else:
                log(f"  {short_name(name)}: {kernel} refused (output differs by {diff:.2g})")
    n = max(3, min(30, int(0.05 / _time_one(base, x))))  # ~50 ms a side per round

    def whole(kinds) -> dict[str, str]:
        return {nm: allowed[nm][0] for nm, kind in layers if kind in kinds and nm in allowed}

    plan: dict[str, str] = {}
    best, best_gain = base, 1.0
    for label, cand in (("all", whole({"1x1", "kxk"})), ("1x1", whole({"1x1"})), ("kxk", whole({"kxk"}))):
        if not cand or cand == plan:
            continue
        req = _request(model, cand, threads, inference_precision)
        if same(req) > MAX_DIFF:
            continue
        gain = _paired_ratio(base, req, x, rounds, n)
        log(f"  start {label}: {gain:.2f}x")
        if gain >= MIN_GAIN * best_gain:
            plan, best, best_gain = cand, req, gain
    for name, _kind in layers:
        options = [k for k in allowed.get(name, []) if k != plan.get(name)]
        if name in plan:
            options.insert(0, "")  # back to the plugin's own choice
        for kernel in options:
            trial = {k: v for k, v in {**plan, name: kernel}.items() if v}
            req = _request(model, trial, threads, inference_precision)
            if same(req) > MAX_DIFF:
                continue
            gain = _paired_ratio(best, req, x, rounds, n)
            kept = gain >= MIN_GAIN
            log(f"  {short_name(name)}: {kernel or 'default'} {gain:.2f}x {'kept' if kept else ''}".rstrip())
            if kept:
                plan, best = trial, req
                break
    final = _paired_ratio(base, best, x, rounds * 2, n) if plan else 1.0
    if plan and same(best) > MAX_DIFF:
        raise RuntimeError(f"{xml}: the kernel plan changes the output; not recorded")
    if final < MIN_GAIN:  # the steps' gains did not add up against the default: keep the default
        plan, final = {}, 1.0
    return {"layers": plan, "speedup": round(final, 3), "lr_size": f"{w}x{h}", "threads": threads, "in_forms": in_forms}


def _conv_signatures(ov_model) -> dict[str, tuple]:
    """{name: (op type, weight shape)} of every convolution: what a rewrite changes."""
    return {
        op.get_friendly_name(): (op.get_type_name(), str(op.input(1).get_partial_shape()))
        for op in ov_model.get_ordered_ops()
        if op.get_type_name() in ("Convolution", "GroupConvolution")
    }


def _test_images(h: int, w: int) -> list[np.ndarray]:
    noise = np.random.default_rng(h * 1000 + w).random((1, 1, h, w), dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    smooth = (0.5 + 0.45 * np.sin(xx / 7.0) * np.cos(yy / 11.0)).astype(np.float32)[None, None]
    return [noise, smooth]


def _time_one(req, x) -> float:
    req.infer({0: x})
    t0 = time.perf_counter()
    req.infer({0: x})
    return time.perf_counter() - t0
