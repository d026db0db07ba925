"""The lowest-highest of several `xeonsr bench` runs (latency or throughput JSON), as the docs'
three-run tables give them: per row, each OpenVINO row against each peer inside each run, and
(latency) OpenVINO INT8 and FP32 against the fastest peer, the table docs/performance.md opens with,
and OpenVINO INT8 against its bf16 where the runs have it.

    python benchmarks/runs_range.py benchmarks/results/set14_x3_..._run[1-3].json
    python benchmarks/runs_range.py --per-image srcnn,ov-fp32,ort benchmarks/results/set14_x3_..._run[1-3].json

``--per-image MODEL,OURS,PEER``: instead, that pair image by image (latency runs): which images a
row loses. ``--slow-vs BASE.json``: each row's latency on the images the runs timed with a slow
handoff, over the same image's in BASE. ``--handoff-ok``: latency ratios over the images each run
timed while its CPUs' handoff was not slow (`xeonsr bench` since session 61; a model's rows share
those images, so the ratios stand; runs without it count every image).
"""

import json
from collections import defaultdict

PEERS = ("torch-fp32", "ort", "ort-int8", "opencv")
# Every peer backend, any precision (PyTorch's bf16 and ONNX Runtime's INT8 where a run has
# them), and those in FP32.
ANY_PEER = ("torch-fp32", "torch-bf16", "ort", "ort-int8", "opencv")
FP32_PEERS = ("torch-fp32", "ort", "opencv")


def span(values, fmt="{:.2f}"):
    if not values:
        return "-"
    lo, hi = fmt.format(min(values)), fmt.format(max(values))
    return lo if lo == hi else f"{lo}-{hi}"


def against_peers(by, vs, speed):
    """Each OpenVINO row's speed over each peer's, inside one run (``by``: (model, backend) -> row)."""
    for (m, b), row in by.items():
        for p in PEERS:
            if b.startswith("ov-") and (m, p) in by:
                vs[(m, b, p)].append(speed(row) / speed(by[(m, p)]))


MS = "mean_latency_ms"  # the summary's latency the ratios use (``--handoff-ok``: over those images)


def ms_of(s: dict) -> float:
    return s.get(MS) or s["mean_latency_ms"]


def against_fastest(runs):
    """Per model: OpenVINO INT8 over the fastest peer at any precision, OpenVINO FP32 over the
    fastest FP32 peer (speed ratios inside each run), and which peer that was in each run."""
    out = defaultdict(lambda: defaultdict(list))
    for run in runs:
        by = {(s["model"], s["backend"]): ms_of(s) for s in run["summary"]}
        for m in dict.fromkeys(m for m, _ in by):
            for ov, peers in (("ov-int8", ANY_PEER), ("ov-fp32", FP32_PEERS)):
                have = [(by[(m, p)], p) for p in peers if (m, p) in by]
                if (m, ov) in by and have:
                    ms, peer = min(have)
                    out[m][ov].append((ms / by[(m, ov)], peer))
    return out


def print_fastest(runs):
    print("\nOpenVINO against the fastest peer (INT8: any precision; FP32: the FP32 peers), inside each run:\n")
    print("| model | OpenVINO INT8 vs fastest peer | OpenVINO FP32 vs fastest FP32 peer |")
    print("|---|---|---|")
    for m, cols in against_fastest(runs).items():
        cells = []
        for ov in ("ov-int8", "ov-fp32"):
            got = cols.get(ov)
            peers = ", ".join(dict.fromkeys(p for _, p in got)) if got else ""
            cells.append(f"{span([r for r, _ in got])}x ({peers})" if got else "-")
        print(f"| {m} | {cells[0]} | {cells[1]} |")


def print_int8_vs_bf16(runs):
    """Per model where the runs have OpenVINO's bf16: its INT8 speed over its bf16 speed inside each
    run. On VNNI/AMX `xeonsr upscale` takes INT8 first; > 1 says INT8 is also the faster there."""
    out = defaultdict(list)
    for run in runs:
        by = {(s["model"], s["backend"]): ms_of(s) for s in run["summary"]}
        for m in dict.fromkeys(m for m, _ in by):
            if (m, "ov-int8") in by and (m, "ov-bf16") in by:
                out[m].append(by[(m, "ov-bf16")] / by[(m, "ov-int8")])
    if out:
        print("\nOpenVINO INT8 against OpenVINO bf16 (the FP32 IR in bf16), inside each run:\n")
        print("| model | INT8 vs bf16 |")
        print("|---|---|")
        for m, v in out.items():
            print(f"| {m} | {span(v)}x |")


def latency(runs):
    cells, vs = defaultdict(lambda: defaultdict(list)), defaultdict(list)
    for run in runs:
        by = {(s["model"], s["backend"]): s for s in run["summary"]}
        against_peers(by, vs, lambda s: 1.0 / ms_of(s))
        for key, s in by.items():
            cells[key]["ms"].append(s["mean_latency_ms"])
            cells[key]["peak"].append(100 * s["fraction_of_peak"])
            for col, field in (("now", "fraction_of_peak_now"), ("ok", "fraction_of_peak_now_handoff_ok")):
                if s.get(field) is not None:
                    cells[key][col].append(100 * s[field])
    print(
        "| model | backend | mean ms / image | of its precision's peak | of that peak at the same moments "
        "| the same, images with a slow handoff left out |"
    )
    print("|---|---|---|---|---|---|")
    for (m, b), c in cells.items():
        pk, now, ok = (span(c[k], "{:.0f}") for k in ("peak", "now", "ok"))
        print(f"| {m} | {b} | {span(c['ms'])} | {pk}% | {now}% | {ok + '%' if c['ok'] else '-'} |")
    return vs


def throughput(runs):
    vs, rel = defaultdict(list), defaultdict(list)
    for run in runs:
        by = {(r["model"], r["backend"]): r for r in run["rows"]}
        against_peers(by, vs, lambda r: r["best_images_per_s"])
        for key, r in by.items():
            rel[key].append(r["vs_latency"])
    print("| model | backend | folder / one at a time |")
    print("|---|---|---|")
    for (m, b), v in rel.items():
        print(f"| {m} | {b} | {span(v)}x |")
    return vs


def per_image(runs, model: str, ours: str, peer: str) -> None:
    """Per image of latency runs: ``ours`` and ``peer``'s ms and ``ours``'s speed over ``peer``'s
    inside each run (ranges over the runs)."""
    ms, vs, sizes = defaultdict(lambda: defaultdict(list)), defaultdict(list), {}
    for run in runs:
        by = {(r["image"], r["backend"]): r for r in run["rows"] if r["model"] == model}
        for (image, backend), r in by.items():
            ms[image][backend].append(r["latency_ms"])
            sizes[image] = "x".join(str(v) for v in reversed(r["lr_size"]))  # (h, w) -> WxH
            if backend == ours and (image, peer) in by:
                vs[image].append(by[(image, peer)]["latency_ms"] / r["latency_ms"])
    if not vs:
        raise SystemExit(f"no image has both {model} {ours} and {peer} in these runs")
    print(f"| image | LR size | {ours} ms | {peer} ms | {ours} vs {peer} |")
    print("|---|---|---|---|---|")
    for image, v in vs.items():
        times = f"{span(ms[image][ours])} | {span(ms[image][peer])}"
        print(f"| {image} | {sizes[image]} | {times} | {span(v, '{:.3f}')}x |")


def slow_vs(runs, base) -> None:
    """Each model x backend's latency on the images each run flagged as timed with a slow
    handoff, over its latency on the same image in ``base`` (a run with none flagged)."""
    ref = {(r["model"], r["backend"], r["image"]): r["latency_ms"] for r in base["rows"]}
    ratios = defaultdict(list)
    for run in runs:
        for r in run["rows"]:
            if r.get("handoff_slow"):
                ratios[(r["model"], r["backend"])].append(r["latency_ms"] / ref[(r["model"], r["backend"], r["image"])])
    if not ratios:
        raise SystemExit("no image in these runs was timed with a slow handoff")
    print("| model | backend | images | slower than in the base run |")
    print("|---|---|---|---|")
    for (m, b), v in sorted(ratios.items()):
        print(f"| {m} | {b} | {len(v)} | {span(v)}x |")


def main(paths, pair=None, handoff_ok=False):
    global MS
    MS = "mean_latency_ms_handoff_ok" if handoff_ok else "mean_latency_ms"
    if pair:
        per_image([json.loads(open(p).read()) for p in paths], *pair)
        return
    runs = [json.loads(open(p).read()) for p in paths]
    vs = latency(runs) if "summary" in runs[0] else throughput(runs)
    over = ", images timed with a slow handoff left out" if MS != "mean_latency_ms" else ""
    head = f"{runs[0].get('cpu', '?')}, {len(runs)} runs; each OpenVINO row against each peer, inside each run"
    print(f"\n{head}{over}:\n")
    # ONNX Runtime's INT8 (session 36 on) gets a column only where the runs have it
    peers = [p for p in PEERS if p != "ort-int8" or any(k[2] == p for k in vs)]
    print("| model | OpenVINO | " + " | ".join(f"vs {p}" for p in peers) + " |")
    print("|---|---|" + "---|" * len(peers))
    for m, b in dict.fromkeys((m, b) for m, b, _ in vs):
        cells = [vs.get((m, b, p)) for p in peers]
        print(f"| {m} | {b} | " + " | ".join(f"{span(c)}x" if c else "-" for c in cells) + " |")
    if "summary" in runs[0]:
        print_fastest(runs)
        print_int8_vs_bf16(runs)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="the lowest-highest of several `xeonsr bench` runs")
    parser.add_argument("runs", nargs="+", help="the runs' JSON files (latency or throughput, not both)")
    parser.add_argument("--per-image", metavar="MODEL,OURS,PEER", help="one pair image by image (latency runs)")
    parser.add_argument("--handoff-ok", action="store_true", help="ratios over the images timed with a fast handoff")
    parser.add_argument("--slow-vs", metavar="BASE", help="the slow-handoff images' latency over BASE's same image")
    args = parser.parse_args()
    if args.slow_vs:
        slow_vs([json.loads(open(p).read()) for p in args.runs], json.loads(open(args.slow_vs).read()))
        raise SystemExit(0)
    pair = args.per_image.split(",") if args.per_image else None
    if pair and len(pair) != 3:
        parser.error("--per-image takes MODEL,OURS,PEER, e.g. srcnn,ov-fp32,ort")
    main(args.runs, pair, args.handoff_ok)
