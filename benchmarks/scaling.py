"""Latency and throughput against the number of cores: one image at a time with 1..N threads
(LATENCY hint), and a folder with 1..N streams of one thread each (THROUGHPUT hint), for an
OpenVINO IR over Set5 + Set14 at x3. Writes JSON and a plot for docs/performance.md.

Usage: python benchmarks/scaling.py --data-dir DIR [--model fsrcnn] [--precision int8]
       [--max-cores N] [--json PATH] [--plot PATH]
"""

from __future__ import annotations

import argparse
import json


def main(argv=None) -> dict:
    from xeonsr.evaluate import load_samples, resolve_dataset
    from xeonsr.info import cpu_info
    from xeonsr.runtime import load_runner
    from xeonsr.threads import plan_threads
    from xeonsr.throughput import drain

    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--model", default="fsrcnn")
    ap.add_argument("--precision", default="int8")
    ap.add_argument("--max-cores", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--plot")
    args = ap.parse_args(argv)
    files = resolve_dataset("Set5", args.data_dir)[1] + resolve_dataset("Set14", args.data_dir)[1]
    samples = load_samples(files, 3)
    inputs = [(s.lr.astype("float32") / 255.0)[None, None] for s in samples]
    cores = plan_threads(args.max_cores).used
    backend = f"ov-{args.precision}"
    points = []
    for n in range(1, cores + 1):
        lat = load_runner(args.model, 3, backend, threads=n)
        drain([lat], inputs)
        lat_s = min(drain([lat], inputs) for _ in range(args.rounds))
        first = load_runner(args.model, 3, backend, threads=n, streams=n)
        runners = [first] + [first.for_thread() for _ in range(n - 1)]
        drain(runners, inputs)
        tp_s = min(drain(runners, inputs) for _ in range(args.rounds))
        points.append(
            {
                "cores": n,
                "latency_ms_per_image": lat_s / len(inputs) * 1e3,
                "latency_images_per_s": len(inputs) / lat_s,
                "throughput_images_per_s": len(inputs) / tp_s,
            }
        )
        p = points[-1]
        print(
            f"{n} core(s): one at a time {p['latency_ms_per_image']:.2f} ms/img ({p['latency_images_per_s']:.1f}/s); "
            f"{n} stream(s) {p['throughput_images_per_s']:.1f} img/s"
        )
    res = {"cpu": cpu_info().model, "model": args.model, "precision": args.precision, "points": points}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    if args.plot:
        _plot(res, args.plot)
    return res


def _plot(res: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [p["cores"] for p in res["points"]]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(n, [p["latency_images_per_s"] for p in res["points"]], "o-", label="one image at a time, n threads")
    ax.plot(n, [p["throughput_images_per_s"] for p in res["points"]], "s-", label="folder, n streams x 1 thread")
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
