"""Renderers of a bench result: the per-image text table, the README/docs markdown block and
the PSNR-vs-latency plot. Measuring lives in xeonsr.bench; this module only formats."""

from __future__ import annotations


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
        f"{'model':<10} {'backend':<10} {'mean ms':>8} {'PSNR':>6} {'load ms':>8} {'GFLOP/s':>8} {'of peak':>7} "
        f"{'now':>5} {'ok now':>6} | "
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
            f"{s['load_ms']:8.0f} {s['gflops_per_s']:8.1f} {s['fraction_of_peak']:7.0%} {_now(s):>5} "
            f"{_now(s, '_handoff_ok'):>6} | {pp}"
        )
    note = handoff_note(result)
    return "\n".join(lines + ([note] if note else []))


def handoff_note(result: dict) -> str:
    """One line on the CPUs' handoff over the run: which images were timed while it was slow
    ("ok now": the rows' share of the peak over the other images); "" if it was not measured."""
    h = result.get("handoff")
    if not h:
        return ""
    src, dst = h["cpus"]
    slow = h["slow_images"]
    head = (
        f"CPU {dst} reading CPU {src}'s writes: best {h['best_gbs']:.0f} GB/s, median {h['median_gbs']:.0f}, "
        f"sampled before every backend's turn"
    )
    if not slow:
        return head + "; never under half the best."
    return (
        head + f"; under half the best while {len(slow)} of {h['images']} images were timed "
        f"({_which(slow)}): the CPUs shared no cache then, and engines whose threads trade data slow down "
        '("ok now" leaves those images out).'
    )


NAMED_SLOW_IMAGES = 8  # beyond this a table's note counts them per model (the JSON names each)


def _which(slow: list[str]) -> str:
    if len(slow) <= NAMED_SLOW_IMAGES:
        return ", ".join(slow)
    per_model: dict[str, int] = {}
    for name in slow:
        model = name.split("/", 1)[0]
        per_model[model] = per_model.get(model, 0) + 1
    return ", ".join(f"{model} {n}" for model, n in sorted(per_model.items())) + "; named in the JSON"


def _now(s: dict, over: str = "") -> str:
    """Of the peak sampled around the row's own timed rounds ("-": not sampled, e.g. bf16);
    ``over="_handoff_ok"``: over the images timed while the CPUs' handoff was not slow."""
    f = s.get("fraction_of_peak_now" + over)
    return f"{f:.0%}" if f is not None else "-"


PEER_PACKAGES = {"opencv": "opencv-contrib-python-headless", "ort": "onnxruntime", "ort-int8": "onnxruntime"}


def peer_versions(backends) -> dict[str, str]:
    """Installed versions of the peer runtimes among ``backends``."""
    from xeonsr.installed import versions_of

    pkgs = list(dict.fromkeys(PEER_PACKAGES[b] for b in backends if b in PEER_PACKAGES))
    return {k: v for k, v in versions_of(*pkgs).items() if v}


def _peaks(result: dict) -> dict:
    """The run's peaks (results written before per-precision peaks had the FP32 one only)."""
    return result.get("peaks") or {
        "fp32": {"gflops": result["matmul_peak_gflops"], "how": result.get("matmul_peak_library", "matrix product")}
    }


def markdown_summary(result: dict, command: str) -> str:
    """The README block: machine, peak, and one row per model/backend."""
    t = result["threads"]
    slow = (result.get("handoff") or {}).get("slow_images")  # then a column over the other images
    lines = [
        f"`{command}`",
        "",
        f"{result.get('cpu', '?')} ({', '.join(result.get('flags', [])) or 'no AVX flags read'}); threads asked "
        f"{t['requested']}, available {t['available']}, used {t['used']}; practical peaks in the same run: "
        + "; ".join(f"{k.upper()} {v['gflops']:.0f} GFLOP/s ({v['how']})" for k, v in _peaks(result).items())
        + f"; median of {result['repeats']} after {result['warmup']} warm-ups; "
        + ", ".join(
            f"{k} {v}"
            for k, v in result.get("versions", {}).items()
            if k in ("torch", "openvino", "nncf", *PEER_PACKAGES.values())
        ),
        "",
        f"| model | backend | mean ms / image | {result['dataset']} x{result['scale']} PSNR | speed-up vs paper SRCNN "
        "| GFLOP/s | of its precision's peak | of that peak at the same moments | load ms |"
        + (" ok now |" if slow else ""),
        "|---|---|---|---|---|---|---|---|---|" + ("---|" if slow else ""),
    ]
    for s in result["summary"]:
        sp = f"{s['speedup_vs_paper']:.1f}x" if s["speedup_vs_paper"] else "-"
        lines.append(
            f"| {s['model']} | {s['backend']} | {s['mean_latency_ms']:.2f} | {s['mean_psnr']:.2f} | {sp} | "
            f"{s['gflops_per_s']:.1f} | {s['fraction_of_peak']:.0%} {s.get('peak_precision', 'fp32').upper()} | "
            f"{_now(s)} | {s['load_ms']:.0f} |" + (f" {_now(s, '_handoff_ok')} |" if slow else "")
        )
    note = handoff_note(result)
    if note:
        lines += ["", note]
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

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, (p, t) in PAPER_METHODS.get((result["dataset"], result["scale"]), {}).items():
        ax.scatter(t * 1e3, p, marker="s", color="grey")
        right = t > 30  # the slowest methods' labels go left of their point, inside the axes
        ax.annotate(
            f"{name} (paper)",
            (t * 1e3, p),
            fontsize=8,
            xytext=(-4 if right else 4, -10),
            textcoords="offset points",
            ha="right" if right else "left",
        )
    markers = {
        "torch-fp32": "o",
        "torch-bf16": "v",
        "ipex": "D",
        "ov-fp32": "^",
        "ov-bf16": "h",
        "ov-int8": "*",
        "opencv": "P",
        "ort": "X",
        "ort-int8": "x",
    }
    models = sorted({s["model"] for s in result["summary"]})
    backends = list(dict.fromkeys(s["backend"] for s in result["summary"]))
    colours = {m: plt.cm.tab10(i) for i, m in enumerate(models)}
    for s in result["summary"]:
        ax.scatter(
            s["mean_latency_ms"],
            s["mean_psnr"],
            marker=markers.get(s["backend"], "o"),
            s=70,
            color=colours[s["model"]],
            edgecolors="black",
            linewidths=0.4,
        )
    # Colour says the model, the marker the backend: two short keys beside the axes, where no
    # point can hide under them (one key per row covered the points it named).
    from matplotlib.lines import Line2D

    def key(marker, colour):
        return Line2D([], [], ls="", marker=marker, ms=8, mfc=colour, mec="black", mew=0.4)

    style = {"fontsize": 7, "title_fontsize": 8}
    keys = (
        ("model", [key("o", colours[m]) for m in models], models, "upper left", 1.0),
        ("backend", [key(markers.get(b, "o"), "white") for b in backends], backends, "lower left", 0.0),
    )
    for name, handles, labels, loc, y in keys:
        ax.add_artist(ax.legend(handles, labels, title=name, loc=loc, bbox_to_anchor=(1.01, y), **style))
    ax.set_xscale("log")
    ax.set_xlabel("ms per image (log)")
    ax.set_ylabel(f"{result['dataset']} x{result['scale']} mean PSNR (dB)")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png", bbox_inches="tight"))
    plt.close(fig)
