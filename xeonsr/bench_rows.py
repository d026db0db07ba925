"""The rows of a bench result: one image's row, a model x backend's summary over the images,
and the marks of the images timed while the CPUs' handoff was slow. Timing lives in
xeonsr.bench."""

from __future__ import annotations

import statistics

import numpy as np

from xeonsr import handoff

# Which practical peak a backend's rows are a fraction of: INT8 IRs of the INT8 convolution
# peak, bf16 (autocast, OpenVINO's bf16 precision) of the bf16 matrix product's, the rest FP32.
PEAK_PRECISION = {"ov-int8": "int8", "ort-int8": "int8", "torch-bf16": "bf16", "ov-bf16": "bf16"}


def image_row(model, backend, smp, times, out, scale: int, fpp: float, paper, now: dict) -> dict:
    """One image's row: its latency over the rounds, PSNR, the paper's figures, GFLOP/s, and the
    peak and the CPUs' handoff sampled around its rounds (``now``: {precision or "handoff":
    [GFLOP/s or GB/s]})."""
    from xeonsr.imaging import to_uint8
    from xeonsr.metrics import psnr

    prec = PEAK_PRECISION.get(backend, "fp32")
    med = statistics.median(times)
    return {
        "model": model,
        "backend": backend,
        "image": smp.name,
        "lr_size": list(smp.lr.shape),
        "latency_ms": med,
        "latency_min_ms": min(times),
        "latency_max_ms": max(times),
        "latency_iqr_ms": float(np.subtract(*np.percentile(times, [75, 25]))),
        "psnr": psnr(to_uint8(out[0, 0] * 255.0), smp.hr, scale),
        "paper_psnr": paper[1] if paper else None,
        "paper_time_s": paper[2] if paper else None,
        "speedup_vs_paper": (paper[2] * 1e3 / med) if paper else None,
        "gflop": fpp * smp.lr.size / 1e9,
        "gflops_per_s": fpp * smp.lr.size / (med * 1e-3) / 1e9,
        # The best of the samples, as the run's peak is a best round: a row reads over 100%
        # only if it beat the chain at its own best in that stretch.
        "peak_now_gflops": max(now[prec]) if prec in now else None,
        "peak_now_samples": now.get(prec),
        "handoff_gbs_samples": now.get("handoff"),
    }


def summary_row(model, backend, note: str, load_ms: float, mine: list[dict], paper_mean) -> dict:
    """A model x backend over the images (``mine``: their rows); its share of the peak is set
    once the run's peaks are final."""
    mean_lat = float(np.mean([r["latency_ms"] for r in mine]))
    return {
        "model": model,
        "backend": backend,
        "note": note,
        "load_ms": load_ms,
        "gflops_per_s": float(np.mean([r["gflops_per_s"] for r in mine])),
        "peak_precision": PEAK_PRECISION.get(backend, "fp32"),
        "fraction_of_peak": None,
        "fraction_of_peak_now": (
            float(np.mean([r["gflops_per_s"] / r["peak_now_gflops"] for r in mine]))
            if all(r["peak_now_gflops"] for r in mine)
            else None
        ),
        "mean_latency_ms": mean_lat,
        "mean_psnr": float(np.mean([r["psnr"] for r in mine])),
        "paper_srcnn_psnr": paper_mean[1] if paper_mean else None,
        "paper_srcnn_time_s": paper_mean[2] if paper_mean else None,
        "speedup_vs_paper": (paper_mean[2] * 1e3 / mean_lat) if paper_mean else None,
    }


def mark_slow_handoffs(rows: list[dict], summary: list[dict], cpus) -> dict | None:
    """Flag the rows of the images timed while the CPUs' handoff ran under half the run's best
    (``handoff_slow``), and give every summary row its figures over the others, so runs in which
    the vCPUs sat apart for a while can still be compared: OpenVINO, ONNX Runtime and OpenCV
    lost 1.5-2x there, PyTorch less (AMD EPYC Zen 4 VM, session 60)."""
    if not cpus:
        return None
    samples = {(r["model"], r["image"]): r["handoff_gbs_samples"] for r in rows}
    slow = set(handoff.slow_images(samples))
    for r in rows:
        r["handoff_slow"] = (r["model"], r["image"]) in slow
    for s in summary:
        mine = [r for r in rows if (r["model"], r["backend"]) == (s["model"], s["backend"])]
        ok = [r for r in mine if not r["handoff_slow"]]
        s["images_handoff_slow"] = len(mine) - len(ok)
        s["mean_latency_ms_handoff_ok"] = float(np.mean([r["latency_ms"] for r in ok])) if ok else None
        s["fraction_of_peak_now_handoff_ok"] = (
            float(np.mean([r["gflops_per_s"] / r["peak_now_gflops"] for r in ok]))
            if ok and all(r["peak_now_gflops"] for r in ok)
            else None
        )
    every = [v for s in samples.values() for v in s]
    return {
        "cpus": list(cpus),
        "best_gbs": max(every),
        "median_gbs": float(np.median(every)),
        "slow_images": sorted(f"{m}/{i}" for m, i in slow),
        "images": len(samples),
    }
