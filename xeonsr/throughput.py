"""Folder throughput: images/s and output MP/s over a folder of mixed sizes, each runtime in its
own best throughput setting, beside the rate its one-image-at-a-time latency gives; each
OpenVINO row is then set against every peer in the peer's best setting, folder or one at a time.

- OpenVINO: one stream per physical core (``plan_streams``; fewer, of more threads, where the
  folder has under 4 images a stream), a worker thread per stream; with file IO a worker per
  core (``folder_workers``), as ``xeonsr upscale DIR``.
- ONNX Runtime: one InferenceSession per worker, the threads split between them.
- OpenCV cv2.dnn and PyTorch: one network using every thread, images in turn (their own
  parallelism is inside a call).

"No IO" runs the network over LR Y planes already in memory; "with IO" is the whole
``xeonsr upscale`` path (decode, colour conversion, tiles, encode to PNG) through
:func:`xeonsr.folder.upscale_files`, on the same LR images written as PNG files.
"""

from __future__ import annotations

import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from xeonsr.errors import UserError, is_user_error, one_line
from xeonsr.runtime import load_runner
from xeonsr.threads import apply_threads, folder_workers, plan_streams, plan_threads


def _workers(backend: str, plan, images: int) -> int:
    return plan_streams(plan, images=images) if backend.startswith(("ov-", "ort")) else 1


def _runners(model: str, scale: int, backend: str, plan, workers: int, where: dict):
    if backend.startswith("ov-"):
        first = load_runner(model, scale, backend, threads=plan.used, streams=workers, **where)
        return [first] + [first.for_thread() for _ in range(workers - 1)]
    per = max(1, plan.used // workers)
    return [load_runner(model, scale, backend, threads=per, **where) for _ in range(workers)]


def drain(runners, inputs: list[np.ndarray]) -> float:
    """Seconds to run every input once, the runners pulling from one shared queue."""
    it = iter(range(len(inputs)))
    lock = threading.Lock()

    def worker(run) -> None:
        while True:
            with lock:
                i = next(it, None)
            if i is None:
                return
            run(inputs[i])

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(runners)) as pool:
        list(pool.map(worker, runners))
    return time.perf_counter() - t0


def run_throughput(
    samples,
    files: list[Path],
    scale: int,
    models,
    backends,
    threads,
    rounds: int = 3,
    log=print,
    data_dir=None,
    weights: dict[str, str] | None = None,
    ir_dir: str | None = None,
):
    """Rows of images/s and MP/s per model x backend, no IO and with IO (best of ``rounds``).

    A model's backends are timed in interleaved rounds (each round drains the folder once per
    backend, one at a time and in its folder setting, in a rotating order), so a slow minute on a
    shared host falls on every row alike and the ratios between rows hold. ``data_dir``: the
    datasets (ort-int8 calibrates on the training set); ``weights`` (model -> file: the torch rows
    and peers) and ``ir_dir`` (the ov-* rows' IR store) as for :func:`xeonsr.bench.run_bench`."""
    from xeonsr.bench import check_backends

    check_backends(backends)
    plan = plan_threads(threads)
    apply_threads(plan, pin=True)
    log(plan.describe())
    inputs = [(s.lr.astype(np.float32) / 255.0)[None, None] for s in samples]
    out_mp = sum(s.hr.size for s in samples) / 1e6
    rows = []
    for model in models:
        setups = []
        where = {"weights": (weights or {}).get(model), "ir_dir": ir_dir, "data_dir": data_dir}
        for backend in backends:
            workers = _workers(backend, plan, len(inputs))
            try:
                runners = _runners(model, scale, backend, plan, workers, where)
                one = [load_runner(model, scale, backend, threads=plan.used, **where)]
            except Exception as e:  # noqa: BLE001 - a row people can't run here is skipped, with why
                if not is_user_error(e):
                    raise
                log(f"skip {model} {backend}: {one_line(e)}")
                continue
            drain(one, inputs)  # warm-up: every shape once
            drain(runners, inputs)
            setups.append((backend, workers, one, runners, [], []))
        if not setups:
            continue
        for r in range(rounds):
            for _b, _, one, runners, one_s, folder_s in setups[r % len(setups) :] + setups[: r % len(setups)]:
                one_s.append(drain(one, inputs))
                folder_s.append(drain(runners, inputs))
        model_rows = []
        for backend, workers, _, _, one_s, folder_s in setups:
            row = {
                "model": model,
                "backend": backend,
                "workers": workers,
                "images": len(inputs),
                "latency_images_per_s": len(inputs) / min(one_s),
                "images_per_s": len(inputs) / min(folder_s),
                "mp_per_s": out_mp / min(folder_s),
            }
            row["vs_latency"] = row["images_per_s"] / row["latency_images_per_s"]
            row["best_images_per_s"] = max(row["images_per_s"], row["latency_images_per_s"])
            model_rows.append(row)
        setups = one = runners = None  # the compiled networks go before the IO runs load their own
        for row in model_rows:
            if row["backend"] in ("ov-fp32", "ov-int8", "torch-fp32"):
                row["io_images_per_s"] = _with_io(
                    model, scale, row["backend"], files, plan, row["workers"], rounds, where["weights"], ir_dir
                )
            log(
                f"{model} {row['backend']}: {row['images_per_s']:.1f} img/s ({row['mp_per_s']:.2f} MP/s) with "
                f"{row['workers']} worker(s); one at a time {row['latency_images_per_s']:.1f} img/s "
                f"({row['vs_latency']:.2f}x)"
                + (f"; with file IO {row['io_images_per_s']:.1f} img/s" if "io_images_per_s" in row else "")
            )
        rows += model_rows
    return {"threads": plan.__dict__, "rows": rows, "interleaved_rounds": rounds}


def against_peers(rows: list[dict]) -> list[dict]:
    """Per model, each OpenVINO row against each other backend, both in their best setting (the
    folder setting or one image at a time with every thread, whichever ran faster)."""
    out = []
    for model in dict.fromkeys(r["model"] for r in rows):
        here = [r for r in rows if r["model"] == model]
        for mine in (r for r in here if r["backend"].startswith("ov-")):
            for other in (r for r in here if not r["backend"].startswith("ov-")):
                out.append(
                    {
                        "model": model,
                        "ours": mine["backend"],
                        "ours_setting": _setting(mine),
                        "peer": other["backend"],
                        "peer_setting": _setting(other),
                        "ratio": mine["best_images_per_s"] / other["best_images_per_s"],
                    }
                )
    return out


def _setting(row: dict) -> str:
    if row["workers"] == 1:
        return "one network, every thread"
    if row["images_per_s"] >= row["latency_images_per_s"]:
        return f"{row['workers']} workers"
    return "one image at a time"


def _with_io(
    model: str, scale: int, backend: str, files: list[Path], plan, workers: int, rounds: int, weights, ir_dir
) -> float:
    from xeonsr.folder import upscale_files
    from xeonsr.upscaler import Upscaler

    prec, torch = backend.split("-")[1], backend.startswith("torch")
    up = Upscaler(
        model, scale, backend="torch" if torch else "openvino", precision=prec, threads=plan.used, streams=workers,
        weights=weights if torch else None, ir_dir=None if torch else ir_dir,
    )  # fmt: skip
    from PIL import Image

    from xeonsr.imaging import imresize, load_image

    best = float("inf")
    with tempfile.TemporaryDirectory(prefix="xeonsr-throughput-") as tmp:
        # The folder a user upscales: the LR images (MATLAB bicubic 1/scale of the test images),
        # so the files hold the same pixels the no-IO rows start from.
        jobs = []
        for i, f in enumerate(files):
            lr = Path(tmp) / f"lr{i}.png"
            Image.fromarray(imresize(load_image(f), 1.0 / scale)).save(lr)
            jobs.append((lr, Path(tmp) / f"sr{i}.png"))
        workers = folder_workers(workers, plan) if up.backend == "openvino" else 1  # as `xeonsr upscale DIR`
        upscale_files(up, jobs, workers)
        for _ in range(rounds):
            t0 = time.perf_counter()
            results = upscale_files(up, jobs, workers)
            best = min(best, time.perf_counter() - t0)
            bad = [r.error for r in results if r.error]
            if bad:
                raise UserError(f"throughput with IO: {bad[0]}")
    return len(files) / best


def markdown(result: dict, cpu: str, command: str) -> str:
    t = result["threads"]
    lines = [
        f"`{command}`",
        "",
        f"{cpu}; threads used {t['used']}; best of the rounds; output megapixels per second over the folder",
        "",
        "| model | backend | workers | images/s | MP/s | one at a time, images/s | folder / one at a time "
        "| with file IO, images/s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        io = f"{r['io_images_per_s']:.1f}" if "io_images_per_s" in r else "-"
        lines.append(
            f"| {r['model']} | {r['backend']} | {r['workers']} | {r['images_per_s']:.1f} | {r['mp_per_s']:.2f} | "
            f"{r['latency_images_per_s']:.1f} | {r['vs_latency']:.2f}x | {io} |"
        )
    peers = against_peers(result["rows"])
    if peers:
        names = list(dict.fromkeys(p["peer"] for p in peers))
        lines += [
            "",
            "Each OpenVINO row against each peer, images/s in the faster of each one's settings (its folder "
            "setting, or one image at a time with every thread):",
            "",
            "| model | OpenVINO | " + " | ".join(f"vs {n}" for n in names) + " |",
            "|---|---|" + "---|" * len(names),
        ]
        for model, ours in dict.fromkeys((p["model"], p["ours"]) for p in peers):
            got = {p["peer"]: p for p in peers if p["model"] == model and p["ours"] == ours}
            setting = next(iter(got.values()))["ours_setting"]
            cells = [f"{got[n]['ratio']:.2f}x ({got[n]['peer_setting']})" if n in got else "-" for n in names]
            lines.append(f"| {model} | {ours} ({setting}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)
