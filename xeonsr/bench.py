"""Per-image latency of models x backends, beside the SRCNN paper's CPU timings.

Latency covers the network only (input already a float32 LR Y tensor; SRCNN's bicubic
pre-upscaling is its first layer, so it is included); model load/compile is timed separately.
"""

from __future__ import annotations

import time

import numpy as np

from xeonsr import handoff
from xeonsr.bench_rows import PEAK_PRECISION, image_row, mark_slow_handoffs, summary_row
from xeonsr.errors import UserError, is_user_error, one_line
from xeonsr.peaks import PeakMeter, measure_peaks
from xeonsr.runtime import BACKENDS, load_runner
from xeonsr.threads import apply_threads, plan_threads


def flops_per_lr_pixel(model: str, scale: int, ir_dir: str | None = None) -> float:
    """Multiply-adds x 2 of the paper's convolutions per LR input pixel: the figure export wrote
    to the IR store's manifest (so a slim install, without torch, has it), else counted on the
    registry's network."""
    from xeonsr.irs import ir_stem, read_manifest, store_dir

    entry = read_manifest(store_dir(ir_dir))["models"].get(ir_stem(model, scale, "fp32"), {})
    if entry.get("flops_per_lr_pixel"):
        return float(entry["flops_per_lr_pixel"])
    try:
        from xeonsr.models import count_flops, create_model
    except ModuleNotFoundError as e:
        raise UserError(
            f"{model} x{scale}: its IR's manifest entry has no FLOP count (exported by an older xeonsr) and "
            f"torch is not here to count them: re-export it with `xeonsr export`, or install torch"
        ) from e
    return count_flops(create_model(model, scale).eval())


# A shared host's speed drifts by 25% within minutes, so backends are not timed one after the
# other: each image's timed calls are split into rounds, and every round runs every backend
# (in a rotating order), so a slow minute falls on all of them alike and the ratios between
# rows hold. Before its turn a backend gets a quiet pause (the previous runtime's threads stop
# spinning), then untimed calls at this image's shape for WARM_S (at least one): its caches,
# shape-specific state and threads are back, as when one image is timed alone. One untimed call
# was not enough (benchmarks/probes/rewarm_cost.py, 2-vCPU AMD EPYC Zen 3, session 24): a 92x92
# FSRCNN x3 INT8 call after ONNX Runtime's turn, a 30 ms pause and one call took 3.02-3.27 ms
# against 2.21-2.48 back to back and 1.99-2.23 after 25 ms of calls, a fixed cost that weighed
# most on the fastest row.
ROUNDS = 3
SETTLE_S = 0.03
WARM_S = 0.025


def interleaved(loaded, x, warmup: int, repeats: int, each_round=None, each_turn=None):
    """Yield (backend, times ms, output) of every loaded backend on ``x``: ``warmup`` calls,
    then ``repeats`` timed calls spread over up to ROUNDS interleaved rounds. ``each_round()``
    (if given) runs before every round and after the last (the peak at the same moments);
    ``each_turn()`` before every backend's turn, after its quiet pause (the CPUs' handoff)."""
    outs, times = {}, {b: [] for b, _, _ in loaded}
    for backend, runner, _ in loaded:
        for _ in range(warmup):
            outs[backend] = runner.run(x)
    rounds = max(1, min(ROUNDS, repeats))
    share = [repeats // rounds + (i < repeats % rounds) for i in range(rounds)]
    for r, n in enumerate(share):
        if each_round:
            each_round()
        for i in range(len(loaded)):
            backend, runner, _ = loaded[(i + r) % len(loaded)]
            time.sleep(SETTLE_S)
            if each_turn:
                each_turn()
            t0 = time.perf_counter()
            runner.run(x)
            while time.perf_counter() - t0 < WARM_S:
                runner.run(x)
            for _ in range(n):
                t0 = time.perf_counter()
                outs[backend] = runner.run(x)
                times[backend].append((time.perf_counter() - t0) * 1e3)
    if each_round:
        each_round()
    for backend, _, _ in loaded:
        yield backend, times[backend], outs[backend]


def time_calls(fn, x, warmup: int, repeats: int) -> tuple[list[float], np.ndarray]:
    out = None
    for _ in range(warmup):
        out = fn(x)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(x)
        times.append((time.perf_counter() - t0) * 1e3)
    return times, out


def check_backends(backends: list[str]) -> list[str]:
    """``backends`` if every one is known, else the one line naming those that are not."""
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        raise UserError(f"unknown backend(s) {unknown}: choose from {', '.join(BACKENDS)}")
    return backends


def _load(model, scale, backends, weights, ir_dir, threads, data_dir, skipped: list, log) -> list:
    """[(backend, runner, load ms)] of every backend of ``model`` that runs here, alive at once;
    one that can't (a user error: no IR, no bf16, a peer not installed) goes to ``skipped``."""
    loaded = []
    for backend in backends:
        t0 = time.perf_counter()
        try:
            runner = load_runner(
                model,
                scale,
                backend,
                weights=(weights or {}).get(model),
                ir_dir=ir_dir,
                threads=threads,
                data_dir=data_dir,
            )
        except Exception as e:  # noqa: BLE001 - a row people can't run here is skipped, with why
            if not is_user_error(e):
                raise
            skipped.append({"model": model, "backend": backend, "why": one_line(e)})
            log(f"skip {model} {backend}: {one_line(e)}")
            continue
        loaded.append((backend, runner, (time.perf_counter() - t0) * 1e3))
        if "emulated" in runner.note:
            log(f"note {model} {backend}: {runner.note}")
    return loaded


def run_bench(
    samples,
    dataset: str,
    scale: int,
    models: list[str],
    backends: list[str],
    threads: int | None,
    warmup: int,
    repeats: int,
    log=print,
    weights: dict[str, str] | None = None,
    ir_dir: str | None = None,
    data_dir: str | None = None,
) -> dict:
    """Every model x backend on every sample. ``weights``: model -> your weights file (torch
    rows and peers); ``ir_dir``: the IR store of the OpenVINO rows (default: shipped);
    ``data_dir``: the datasets (ort-int8 calibrates on the training set)."""
    from xeonsr.paper import PAPER, PAPER_MEAN

    check_backends(backends)
    plan = plan_threads(threads)
    apply_threads(plan, pin=True)
    log(plan.describe())
    paper = PAPER.get((dataset, scale), {})
    from xeonsr.info import cpu_info

    # ov-bf16 is refused without native bf16 (its row is skipped): no bf16 peak to measure for it.
    runnable = [b for b in backends if b != "ov-bf16" or cpu_info().native_bf16]
    needed = {PEAK_PRECISION.get(b, "fp32") for b in runnable}
    flops = {m: flops_per_lr_pixel(m, scale, ir_dir) for m in models}  # one without a count stops us now
    peaks = measure_peaks(plan.used, needed)
    for prec, pk in peaks.items():
        log(f"practical {prec.upper()} peak now ({pk['how']}, {plan.used} threads): {pk['gflops']:.0f} GFLOP/s")
    # The peak again beside every image's rounds: "of peak now" divides each image's rate by it.
    meters = {p: PeakMeter(p, plan.used) for p in ("fp32", "int8") if p in needed}
    cpus = handoff.pair(plan.pinned) if plan.used > 1 else None
    rows, summary, skipped = [], [], []
    for model in models:
        loaded = _load(model, scale, backends, weights, ir_dir, plan.used, data_dir, skipped, log)
        if not loaded:
            continue
        fpp = flops[model]
        timed = {b: [] for b, _, _ in loaded}  # backend -> [(sample, times, output)]
        now = {}  # sample name -> {precision or "handoff": [the peak or handoff sampled around its rounds]}
        for smp in samples:
            x = (smp.lr.astype(np.float32) / 255.0)[None, None]
            seen = {p: [] for p in meters} | ({"handoff": []} if cpus else {})

            def sample_peaks(seen=seen):
                for p, m in meters.items():
                    time.sleep(SETTLE_S)
                    seen[p] += [m.sample(), m.sample()]  # the second with its threads awake

            def sample_handoff(seen=seen):
                # after the turn's quiet pause: a runtime's threads still spinning would read as a slow
                # handoff; before every turn, as the vCPUs' placement can change within an image's rounds
                seen["handoff"].append(handoff.measure(*cpus).cross_gbs)

            turns = interleaved(loaded, x, warmup, repeats, sample_peaks, sample_handoff if cpus else None)
            for backend, times, out in turns:
                timed[backend].append((smp, times, out))
            now[smp.name] = seen
        for backend, runner, load_ms in loaded:
            mine = [
                image_row(model, backend, smp, times, out, scale, fpp, paper.get(smp.name), now[smp.name])
                for smp, times, out in timed[backend]
            ]
            rows += mine
            summary.append(summary_row(model, backend, runner.note, load_ms, mine, PAPER_MEAN.get((dataset, scale))))
        loaded = timed = None  # release these runtimes (and their threads) before the next model's
    if not rows:
        raise UserError("nothing measured: every model/backend asked for was skipped (reasons above)")
    # Measured again after the models: a shared machine's slow moment at the start would
    # otherwise make a peak too low (and rows over 100% of it). The higher of the two counts.
    again = measure_peaks(plan.used, set(peaks))
    for prec, pk in again.items():
        if pk["gflops"] > peaks[prec]["gflops"]:
            peaks[prec] = pk
    for row in summary:
        row["fraction_of_peak"] = row["gflops_per_s"] / peaks[row["peak_precision"]]["gflops"]
    hand = mark_slow_handoffs(rows, summary, cpus)
    return {
        "dataset": dataset,
        "scale": scale,
        "threads": plan.__dict__,
        "matmul_peak_gflops": peaks["fp32"]["gflops"],
        "matmul_peak_library": peaks["fp32"]["how"],
        "peaks": peaks,
        "warmup": warmup,
        "repeats": repeats,
        "rows": rows,
        "summary": summary,
        "skipped": skipped,
        "handoff": hand,
    }
