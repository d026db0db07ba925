"""Latency and throughput against the number of cores: one image at a time with 1..N threads
(LATENCY hint), and a folder with 1..N streams of one thread each (THROUGHPUT hint), for an
OpenVINO IR over Set5 + Set14 at x3. Writes JSON and a plot for docs/performance.md.

Every setting is compiled and warmed first, then timed in interleaved rounds (each round drains
the folder once per setting, the order rotating), so a busy minute on a shared host falls on
every core count alike: the ratios between points hold, and each point gives its best round
(the curve) and its median. Since session 38; the Zen 3 and Zen 4 curves were measured one
core count after the other.

Usage: python benchmarks/scaling.py --data-dir DIR [--model fsrcnn] [--precision int8]
       [--max-cores N] [--rounds 5] [--passes 1] [--json PATH] [--plot PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics


def main(argv=None) -> dict:
    from xeonsr.evaluate import load_samples, resolve_dataset
    from xeonsr.info import cpu_info
    from xeonsr.runtime import load_runner
    from xeonsr.threads import plan_threads

    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--model", default="fsrcnn")
    ap.add_argument("--precision", default="int8")
    ap.add_argument("--max-cores", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--passes", type=int, default=1, help="times each round drains the folder (longer rounds)")
    ap.add_argument("--json")
    ap.add_argument("--plot")
    args = ap.parse_args(argv)
    files = resolve_dataset("Set5", args.data_dir)[1] + resolve_dataset("Set14", args.data_dir)[1]
    samples = load_samples(files, 3)
    inputs = [(s.lr.astype("float32") / 255.0)[None, None] for s in samples] * args.passes
    cores = plan_threads(args.max_cores).used
    backend = f"ov-{args.precision}"
    settings = {}  # (kind, n) -> the runners that drain the folder together
    for n in range(1, cores + 1):
        settings["latency", n] = [load_runner(args.model, 3, backend, threads=n)]
        first = load_runner(args.model, 3, backend, threads=n, streams=n)
        settings["throughput", n] = [first] + [first.for_thread() for _ in range(n - 1)]
    seconds = drain_settings({k: (runners, inputs) for k, runners in settings.items()}, args.rounds)
    points = []
    for n in range(1, cores + 1):
        lat, tp = seconds["latency", n], seconds["throughput", n]
        points.append(
            {
                "cores": n,
                "latency_ms_per_image": min(lat) / len(inputs) * 1e3,
                "latency_images_per_s": len(inputs) / min(lat),
                "throughput_images_per_s": len(inputs) / min(tp),
                "latency_images_per_s_median": len(inputs) / statistics.median(lat),
                "throughput_images_per_s_median": len(inputs) / statistics.median(tp),
                "rounds_s": {"latency": lat, "throughput": tp},
            }
        )
        p = points[-1]
        print(
            f"{n} core(s): one at a time {p['latency_ms_per_image']:.2f} ms/img ({p['latency_images_per_s']:.1f}/s, "
            f"median {p['latency_images_per_s_median']:.1f}); {n} stream(s) {p['throughput_images_per_s']:.1f} img/s "
            f"(median {p['throughput_images_per_s_median']:.1f})"
        )
    for n in range(2, cores + 1):  # per round: the same minute's 1-core figure is the baseline
        for kind in ("latency", "throughput"):
            ratios = [a / b for a, b in zip(seconds[kind, 1], seconds[kind, n], strict=True)]
            points[n - 1][f"{kind}_speedup_over_1_core_per_round"] = ratios
            print(f"{n} cores over 1, {kind}: {min(ratios):.2f}-{max(ratios):.2f}x per round")
    res = {
        "cpu": cpu_info().model,
        "model": args.model,
        "precision": args.precision,
        "rounds": args.rounds,
        "passes": args.passes,
        "interleaved": True,
        "points": points,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    if args.plot:
        _plot(res, args.plot)
    return res


def drain_settings(settings: dict, rounds: int) -> dict:
    """{key: (runners, inputs)} -> {key: seconds of each round}: every setting drained once
    first (every shape compiled before any round is timed), then ``rounds`` rounds, each draining
    every setting once in an order that rotates, so a busy minute falls on all of them alike."""
    from xeonsr.throughput import drain

    for runners, inputs in settings.values():
        drain(runners, inputs)
    seconds = {k: [] for k in settings}
    keys = list(settings)
    for r in range(rounds):
        for k in keys[r % len(keys) :] + keys[: r % len(keys)]:
            seconds[k].append(drain(*settings[k]))
    return seconds


def _plot(res: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [p["cores"] for p in res["points"]]
    fig, ax = plt.subplots(figsize=(6, 4))
    best = {k: [p[f"{k}_images_per_s"] for p in res["points"]] for k in ("latency", "throughput")}
    ax.plot(n, best["latency"], "o-", c="C0", label="one image at a time, n threads")
    ax.plot(n, best["throughput"], "s-", c="C1", label="folder, n streams x 1 thread")
    if all("latency_images_per_s_median" in p for p in res["points"]):  # interleaved runs: the median round too
        for kind, c in (("latency", "C0"), ("throughput", "C1")):
            ax.plot(n, [p[f"{kind}_images_per_s_median"] for p in res["points"]], ":", c=c, alpha=0.6)
        ax.plot([], [], "k:", alpha=0.6, label=f"median of {res['rounds']} interleaved rounds (solid: best)")
    ax.set_xlabel("physical cores")
    ax.set_ylabel("images/s (Set5 + Set14, x3)")
    ax.set_title(f"{res['model']} x3 {res['precision']} IR, {res['cpu']}", fontsize=9)
    ax.set_xticks(n)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    main()
