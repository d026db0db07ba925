"""Per-image latency of models x backends, beside the SRCNN paper's CPU timings.

Latency covers the network only (input already a float32 LR Y tensor; SRCNN's bicubic
pre-upscaling is its first layer, so it is included); model load/compile is timed separately.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from xeonsr.errors import UserError
from xeonsr.threads import apply_threads, plan_threads

BACKENDS = ("torch-fp32", "torch-bf16", "ipex", "ov-fp32", "ov-int8", "opencv", "ort")


def make_runner(model: str, scale: int, backend: str, threads: int) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    """-> (fn on a (1, 1, h, w) float32 array returning the output array, precision note)."""
    if backend == "opencv":
        from xeonsr.peers import opencv_runner

        return opencv_runner(model, scale, threads)
    if backend == "ort":
        from xeonsr.peers import onnxruntime_runner

        return onnxruntime_runner(model, scale, threads)
    if backend.startswith("ov-"):
        from xeonsr.export import locate_ir
        from xeonsr.ov import compile_ir

        prec = backend[3:]
        compiled = compile_ir(locate_ir(model, scale, prec)[0], threads)
        req = compiled.create_infer_request()
        return (lambda x: next(iter(req.infer({0: x}).values()))), f"OpenVINO {prec} IR, inference precision f32"
    import torch

    from xeonsr.export import deploy_form
    from xeonsr.infer import load_torch_model
    from xeonsr.info import cpu_info, ipex_status

    net, _ = load_torch_model(model, scale)
    # The exact deploy form: FSRCNN's conv + shuffle is ~2x faster than its deconvolution in
    # PyTorch too (95 vs 187 ms, 1 thread, Set14-sized image, channels-last).
    net = deploy_form(net).to(memory_format=torch.channels_last)
    note = "PyTorch fp32 channels-last"
    ctx = None
    if backend == "torch-bf16":
        ctx = lambda: torch.autocast("cpu", dtype=torch.bfloat16)  # noqa: E731
        note = "PyTorch bf16 autocast" + ("" if cpu_info().native_bf16 else " (emulated: no native bf16 on this CPU)")
    elif backend == "ipex":
        ok, why = ipex_status()
        if not ok:
            raise UserError(f"ipex backend unavailable: intel-extension-for-pytorch {why}")
        import intel_extension_for_pytorch as ipex

        net = ipex.optimize(net, dtype=torch.float32)
        note = f"IPEX {why} fp32"

    def fn(x: np.ndarray) -> np.ndarray:
        t = torch.from_numpy(x).contiguous(memory_format=torch.channels_last)
        with torch.inference_mode():
            if ctx is None:
                return net(t).float().numpy()
            with ctx():
                return net(t).float().numpy()

    return fn, note


def flops_per_lr_pixel(model: str, scale: int) -> float:
    """Multiply-adds x 2 of every convolution, per LR input pixel (they scale with the area)."""
    import torch
    from torch import nn

    from xeonsr.models import create_model

    net = create_model(model, scale).eval()
    total = [0.0]

    def hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1]
        if isinstance(mod, nn.ConvTranspose2d):
            total[0] += 2.0 * mod.in_channels * mod.out_channels * k * inp[0].shape[2] * inp[0].shape[3]
        else:
            total[0] += 2.0 * mod.in_channels // mod.groups * mod.out_channels * k * out.shape[2] * out.shape[3]

    hooks = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    # The paper's layers define the FLOP count (forward() runs exact rewrites of some of them).
    run = getattr(net, "paper_forward", net)
    with torch.no_grad():
        run(torch.zeros(1, 1, 32, 32))
    for h in hooks:
        h.remove()
    return total[0] / (32 * 32)


def matmul_peak_gflops(threads: int, n: int = 2048, repeats: int = 10) -> tuple[float, str]:
    """The practical FP32 peak now: the faster of two BLAS libraries on a large matrix product.

    Both, because neither is best everywhere: torch's MKL takes a slow path on AMD CPUs (about
    0.6x OpenBLAS on this EPYC), numpy's OpenBLAS may trail MKL on Intel. -> (GFLOP/s, which).
    """
    import torch
    from threadpoolctl import threadpool_info, threadpool_limits

    def rate(mm, a, b) -> float:
        for _ in range(3):
            mm(a, b)
        t0 = time.perf_counter()
        for _ in range(repeats):
            mm(a, b)
        return 2.0 * n**3 * repeats / (time.perf_counter() - t0) / 1e9

    torch.set_num_threads(threads)
    results = {"torch (MKL)": rate(torch.matmul, torch.randn(n, n), torch.randn(n, n))}
    rng = np.random.default_rng(0)
    with threadpool_limits(limits=threads, user_api="blas"):
        a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
        blas = [i["internal_api"] for i in threadpool_info() if "numpy" in i.get("filepath", "")]
        results[f"numpy ({blas[0] if blas else 'BLAS'})"] = rate(np.matmul, a, b)
    best = max(results, key=results.get)
    return results[best], best


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
) -> dict:
    from xeonsr.imaging import to_uint8
    from xeonsr.metrics import psnr
    from xeonsr.paper import PAPER, PAPER_MEAN

    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        raise UserError(f"unknown backend(s) {unknown}: choose from {', '.join(BACKENDS)}")
    plan = plan_threads(threads)
    apply_threads(plan, pin=True)
    log(plan.describe())
    paper = PAPER.get((dataset, scale), {})
    peak, peak_lib = matmul_peak_gflops(plan.used)
    log(f"practical FP32 peak now (2048^3 matrix product, {plan.used} threads, {peak_lib}): {peak:.0f} GFLOP/s")
    rows, summary, skipped = [], [], []
    for model in models:
        for backend in backends:
            t0 = time.perf_counter()
            try:
                fn, note = make_runner(model, scale, backend, plan.used)
            except UserError as e:
                skipped.append({"model": model, "backend": backend, "why": str(e)})
                log(f"skip {model} {backend}: {e}")
                continue
            load_ms = (time.perf_counter() - t0) * 1e3
            if "emulated" in note:
                log(f"note {model} {backend}: {note}")
            fpp = flops_per_lr_pixel(model, scale)
            mine = []
            for smp in samples:
                x = (smp.lr.astype(np.float32) / 255.0)[None, None]
                times, out = time_calls(fn, x, warmup, repeats)
                p = psnr(to_uint8(out[0, 0] * 255.0), smp.hr, scale)
                pr = paper.get(smp.name)
                med = statistics.median(times)
                row = {
                    "model": model,
                    "backend": backend,
                    "image": smp.name,
                    "lr_size": list(smp.lr.shape),
                    "latency_ms": med,
                    "latency_min_ms": min(times),
                    "latency_max_ms": max(times),
                    "latency_iqr_ms": float(np.subtract(*np.percentile(times, [75, 25]))),
                    "psnr": p,
                    "paper_psnr": pr[1] if pr else None,
                    "paper_time_s": pr[2] if pr else None,
                    "speedup_vs_paper": (pr[2] * 1e3 / med) if pr else None,
                    "gflop": fpp * smp.lr.size / 1e9,
                    "gflops_per_s": fpp * smp.lr.size / (med * 1e-3) / 1e9,
                }
                rows.append(row)
                mine.append(row)
            fn = None  # release this runtime (and any spinning threads) before the next one loads
            mean_lat = float(np.mean([r["latency_ms"] for r in mine]))
            gfs = float(np.mean([r["gflops_per_s"] for r in mine]))
            pm = PAPER_MEAN.get((dataset, scale))
            summary.append(
                {
                    "model": model,
                    "backend": backend,
                    "note": note,
                    "load_ms": load_ms,
                    "gflops_per_s": gfs,
                    "fraction_of_peak": gfs / peak,
                    "mean_latency_ms": mean_lat,
                    "mean_psnr": float(np.mean([r["psnr"] for r in mine])),
                    "paper_srcnn_psnr": pm[1] if pm else None,
                    "paper_srcnn_time_s": pm[2] if pm else None,
                    "speedup_vs_paper": (pm[2] * 1e3 / mean_lat) if pm else None,
                }
            )
    if not rows:
        raise UserError("nothing measured: every model/backend asked for was skipped (reasons above)")
    return {
        "dataset": dataset,
        "scale": scale,
        "threads": plan.__dict__,
        "matmul_peak_gflops": peak,
        "matmul_peak_library": peak_lib,
        "warmup": warmup,
        "repeats": repeats,
        "rows": rows,
        "summary": summary,
        "skipped": skipped,
    }


def table(result: dict) -> str:
    lines = [
        f"{'model':<10} {'backend':<10} {'image':<11} {'ms':>8} {'spread':>7} {'PSNR':>6} | "
        f"{'paper PSNR':>10} {'paper s':>7} {'speed-up':>8}"
    ]
    for r in result["rows"]:
        pp = (
            f"{r['paper_psnr']:10.2f} {r['paper_time_s']:7.2f} {r['speedup_vs_paper']:7.1f}x"
            if r["paper_psnr"]
            else f"{'-':>10} {'-':>7} {'-':>8}"
        )
        lines.append(
            f"{r['model']:<10} {r['backend']:<10} {r['image']:<11} {r['latency_ms']:8.2f} "
            f"{r['latency_iqr_ms']:7.2f} {r['psnr']:6.2f} | {pp}"
        )
    lines.append("")
    lines.append(
        f"{'model':<10} {'backend':<10} {'mean ms':>8} {'PSNR':>6} {'load ms':>8} {'GFLOP/s':>8} {'of peak':>7} | "
        f"{'paper SRCNN':>11} {'speed-up':>8}"
    )
    for s in result["summary"]:
        pp = (
            f"{s['paper_srcnn_psnr']:.2f}/{s['paper_srcnn_time_s']:.2f}s {s['speedup_vs_paper']:7.1f}x"
            if s["paper_srcnn_psnr"]
            else "-"
        )
        lines.append(
            f"{s['model']:<10} {s['backend']:<10} {s['mean_latency_ms']:8.2f} {s['mean_psnr']:6.2f} "
            f"{s['load_ms']:8.0f} {s['gflops_per_s']:8.1f} {s['fraction_of_peak']:7.0%} | {pp}"
        )
    return "\n".join(lines)


PEER_PACKAGES = {"opencv": "opencv-contrib-python-headless", "ort": "onnxruntime"}


def peer_versions(backends) -> dict[str, str]:
    """Installed versions of the peer runtimes among ``backends``."""
    from xeonsr.info import versions_of

    pkgs = [PEER_PACKAGES[b] for b in dict.fromkeys(backends) if b in PEER_PACKAGES]
    return {k: v for k, v in versions_of(*pkgs).items() if v}


def markdown_summary(result: dict, command: str) -> str:
    """The README block: machine, peak, and one row per model/backend."""
    t = result["threads"]
    lines = [
        f"`{command}`",
        "",
        f"{result.get('cpu', '?')} ({', '.join(result.get('flags', [])) or 'no AVX flags read'}); threads asked "
        f"{t['requested']}, available {t['available']}, used {t['used']}; practical FP32 peak in the same run "
        f"{result['matmul_peak_gflops']:.0f} GFLOP/s ({result.get('matmul_peak_library', 'matrix product')}); "
        f"median of {result['repeats']} after {result['warmup']} warm-ups; "
        + ", ".join(
            f"{k} {v}"
            for k, v in result.get("versions", {}).items()
            if k in ("torch", "openvino", "nncf", *PEER_PACKAGES.values())
        ),
        "",
        f"| model | backend | mean ms / image | {result['dataset']} x{result['scale']} PSNR | speed-up vs paper SRCNN "
        "| GFLOP/s | of peak | load ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in result["summary"]:
        sp = f"{s['speedup_vs_paper']:.1f}x" if s["speedup_vs_paper"] else "-"
        lines.append(
            f"| {s['model']} | {s['backend']} | {s['mean_latency_ms']:.2f} | {s['mean_psnr']:.2f} | {sp} | "
            f"{s['gflops_per_s']:.1f} | {s['fraction_of_peak']:.0%} | {s['load_ms']:.0f} |"
        )
    ref = next((s for s in result["summary"] if s["paper_srcnn_time_s"]), None)
    if ref:
        lines += [
            "",
            f"Paper SRCNN (Table 2 means): {ref['paper_srcnn_psnr']:.2f} dB, {ref['paper_srcnn_time_s']} s per image.",
        ]
    return "\n".join(lines)


def plot(result: dict, path, title: str) -> None:
    """PSNR vs latency (log) per model/backend, with the paper's methods (its Figure 4 kind)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from xeonsr.fileio import atomic_write
    from xeonsr.paper import PAPER_METHODS

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, (p, t) in PAPER_METHODS.get((result["dataset"], result["scale"]), {}).items():
        ax.scatter(t * 1e3, p, marker="s", color="grey")
        ax.annotate(f"{name} (paper)", (t * 1e3, p), fontsize=8, xytext=(4, -10), textcoords="offset points")
    markers = {
        "torch-fp32": "o",
        "torch-bf16": "v",
        "ipex": "D",
        "ov-fp32": "^",
        "ov-int8": "*",
        "opencv": "P",
        "ort": "X",
    }
    models = sorted({s["model"] for s in result["summary"]})
    colours = {m: plt.cm.tab10(i) for i, m in enumerate(models)}
    for s in result["summary"]:
        ax.scatter(
            s["mean_latency_ms"],
            s["mean_psnr"],
            marker=markers.get(s["backend"], "o"),
            s=70,
            color=colours[s["model"]],
            label=f"{s['model']} {s['backend']}",
            edgecolors="black",
            linewidths=0.4,
        )
    ax.legend(fontsize=7, ncol=2, loc="lower left")
    ax.set_xscale("log")
    ax.set_xlabel("ms per image (log)")
    ax.set_ylabel(f"{result['dataset']} x{result['scale']} mean PSNR (dB)")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
