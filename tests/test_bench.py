"""xeonsr bench: thread reporting, rows against the paper, the plot."""

import json
import sys

import pytest

from xeonsr.cli import main
from xeonsr.threads import plan_threads


def test_more_threads_than_cores_is_reported_and_capped():
    plan = plan_threads(28)
    assert plan.requested == 28 and plan.used <= plan.available
    assert "asked 28" in plan.describe() and f"used {plan.used}" in plan.describe()


def test_bench_rows_beside_paper_table_2(data_dir, tmp_path, capsys):
    out, png, txt, readme = tmp_path / "b.json", tmp_path / "b.png", tmp_path / "b.txt", tmp_path / "README.md"
    readme.write_text("# x\n<!-- bench-table:begin -->\nold\n<!-- bench-table:end -->\ntail\n")
    assert (
        main(
            [
                "bench",
                "--dataset",
                "Set14",
                "--data-dir",
                str(data_dir),
                "--models",
                "fsrcnn-s",
                "--backends",
                "torch-fp32",
                "--threads",
                "28",
                "--warmup",
                "0",
                "--repeats",
                "1",
                "--json",
                str(out),
                "--plot",
                str(png),
                "--table",
                str(txt),
                "--update-readme",
                str(readme),
            ]
        )
        == 0
    )
    res = json.loads(out.read_text())
    assert len(res["rows"]) == 14
    zebra = next(r for r in res["rows"] if r["image"] == "zebra")
    assert zebra["paper_psnr"] == 28.87 and zebra["paper_time_s"] == 0.38
    assert abs(zebra["speedup_vs_paper"] - 380 / zebra["latency_ms"]) < 1e-9
    assert {"model", "backend", "image", "latency_ms", "psnr", "paper_psnr", "paper_time_s"} <= set(zebra)
    assert res["summary"][0]["paper_srcnn_time_s"] == 0.39
    assert res["matmul_peak_gflops"] > 0 and 0 < res["summary"][0]["fraction_of_peak"] < 1.5
    assert png.stat().st_size > 5000
    assert "asked 28" in capsys.readouterr().out
    assert "zebra" in txt.read_text()
    if res["threads"]["used"] > 1:  # the CPUs' handoff sampled before each backend's turn (1 with one repeat)
        assert all(len(r["handoff_gbs_samples"]) == 1 and min(r["handoff_gbs_samples"]) > 0 for r in res["rows"])
        assert res["handoff"]["images"] == 14 and res["handoff"]["best_gbs"] > 0
        assert "mean_latency_ms_handoff_ok" in res["summary"][0] and "reading CPU" in txt.read_text()
    else:
        assert res["handoff"] is None
    block = readme.read_text()
    assert "old" not in block and block.endswith("<!-- bench-table:end -->\ntail\n")
    assert "| fsrcnn-s | torch-fp32 |" in block and "asked 28" in block and res["cpu"] in block


def test_what_would_fail_after_the_measuring_is_refused_before_it(data_dir, tmp_path, capsys, monkeypatch):
    from xeonsr import bench, throughput

    def measured(*_a, **_k):
        raise AssertionError("measured before refusing")

    monkeypatch.setattr(bench, "run_bench", measured)
    monkeypatch.setattr(throughput, "run_throughput", measured)
    readme = tmp_path / "README.md"
    readme.write_text("# no table markers here\n")
    base = ["bench", "--data-dir", str(data_dir), "--models", "fsrcnn-s", "--backends", "ov-fp32"]
    assert main([*base, "--update-readme", str(readme)]) == 1
    assert "no <!-- bench-table:begin -->" in capsys.readouterr().err
    assert main([*base, "--mode", "throughput", "--plot", str(tmp_path / "p.png")]) == 1
    assert "--plot: latency mode's options, not throughput's" in capsys.readouterr().err
    assert main([*base, "--mode", "throughput", "--repeats", "3", "--warmup", "1"]) == 1
    assert "--warmup, --repeats: latency mode's options" in capsys.readouterr().err
    assert main([*base, "--rounds", "5"]) == 1
    assert "--rounds: throughput mode's option" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as in the slim install
    assert main([*base, "--plot", str(tmp_path / "p.png"), "--json", str(tmp_path / "b.json")]) == 1
    assert "matplotlib is not installed" in capsys.readouterr().err
    assert readme.read_text() == "# no table markers here\n" and not list(tmp_path.glob("*.json"))


def test_flop_count_of_srcnn_matches_the_hand_count():
    from xeonsr.bench import flops_per_lr_pixel

    # 9-1-5 with 64/32 filters: 2 * (81*64 + 64*32 + 25*32) per HR pixel, 9 HR pixels per LR pixel at x3.
    assert flops_per_lr_pixel("srcnn", 3) == 9 * 2 * (81 * 64 + 64 * 32 + 25 * 32)


def test_without_torch_the_flop_count_comes_from_the_ir_stores_manifest(tmp_path, monkeypatch):
    from xeonsr.bench import flops_per_lr_pixel
    from xeonsr.errors import UserError

    monkeypatch.setitem(sys.modules, "xeonsr.models", None)  # the registry, which needs torch
    assert flops_per_lr_pixel("fsrcnn", 3) == 2 * (25 * 56 + 56 * 12 + 4 * 9 * 12 * 12 + 12 * 56 + 81 * 56)
    # A store exported before export wrote the count: one line, with what to do.
    entry = {"name": "fsrcnn_x3_fp32", "model": "fsrcnn", "scale": 3, "precision": "fp32"}
    (tmp_path / "manifest.json").write_text(json.dumps({"models": {"fsrcnn_x3_fp32": entry}}))
    with pytest.raises(UserError, match="no FLOP count .* re-export it with `xeonsr export`, or install torch"):
        flops_per_lr_pixel("fsrcnn", 3, str(tmp_path))


def test_opencv_peer_computes_our_function(data_dir):
    """The OpenCV peer runs the paper-form network in cv2.dnn: same PSNR as PyTorch, same run."""
    from xeonsr.bench import run_bench
    from xeonsr.evaluate import load_samples

    samples = load_samples(data_dir / "Set5", 3)[:2]
    res = run_bench(samples, "Set5", 3, ["fsrcnn", "srcnn"], ["torch-fp32", "opencv"], 1, 0, 1, log=lambda *_: None)
    psnr = {(r["backend"], r["image"]): r["psnr"] for r in res["rows"] if r["model"] == "fsrcnn"}
    for smp in samples:
        assert abs(psnr[("opencv", smp.name)] - psnr[("torch-fp32", smp.name)]) < 0.01
    assert res["skipped"] == [
        {
            "model": "srcnn",
            "backend": "opencv",
            "why": "the opencv peer runs the FSRCNN family (fsrcnn, fsrcnn-s), not srcnn",
        }
    ]
    import cv2

    # The row names the OpenCV it ran (4.x pinned; 5.x's graph engine also computes it, above).
    assert f"OpenCV {cv2.__version__} cv2.dnn" in next(s["note"] for s in res["summary"] if s["backend"] == "opencv")


def test_opencv_peer_runs_weights_without_the_bicubic_skip(data_dir, tmp_path):
    """Weights trained without the bicubic skip (the registry's default) failed in cv2.dnn with
    'Requested blob "lr_pad" not found': the ONNX exporter drops the unused padded input."""
    import torch

    from xeonsr.bench import run_bench
    from xeonsr.checkpoint import save_weights
    from xeonsr.evaluate import load_samples
    from xeonsr.models import create_model, model_kwargs

    torch.manual_seed(0)
    plain = create_model("fsrcnn-s", 3)
    assert plain.upsample is None
    card = {"model": "fsrcnn-s", "scale": 3, "model_args": model_kwargs("fsrcnn-s", 3)}
    save_weights(plain, tmp_path / "plain.safetensors", card)
    samples = load_samples(data_dir / "Set5", 3)[:1]
    weights = {"fsrcnn-s": str(tmp_path / "plain.safetensors")}
    res = run_bench(samples, "Set5", 3, ["fsrcnn-s"], ["torch-fp32", "opencv"], 1, 0, 1, weights=weights, log=print)
    psnr = {r["backend"]: r["psnr"] for r in res["rows"]}
    assert not res["skipped"] and abs(psnr["opencv"] - psnr["torch-fp32"]) < 0.01


def test_onnxruntime_peer_computes_our_function(data_dir):
    """ONNX Runtime runs the IR's graph for every model: same PSNR as OpenVINO, same run."""
    from xeonsr.bench import run_bench
    from xeonsr.evaluate import load_samples

    samples = load_samples(data_dir / "Set5", 3)[:2]
    res = run_bench(samples, "Set5", 3, ["fsrcnn-s", "srcnn"], ["ov-fp32", "ort"], 1, 0, 1, log=lambda *_: None)
    assert res["skipped"] == []
    psnr = {(r["model"], r["backend"], r["image"]): r["psnr"] for r in res["rows"]}
    for model in ("fsrcnn-s", "srcnn"):
        for smp in samples:
            assert abs(psnr[(model, "ort", smp.name)] - psnr[(model, "ov-fp32", smp.name)]) < 0.01
            assert psnr[(model, "ort", smp.name)] > 28  # a real upscale, not an empty image
    assert "ONNX Runtime 1." in next(s["note"] for s in res["summary"] if s["backend"] == "ort")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc and /proc/self/statm: Linux")
def test_the_torch_peer_keeps_freed_memory_for_its_next_call():
    """PyTorch allocates its intermediates afresh per call; a torch runner has glibc keep freed
    blocks (xeonsr.runtime.keep_freed_memory), so the next call reuses mapped pages instead of
    faulting new ones in. Seen from outside: a freed 16 MB array stays resident after a torch
    runner is loaded, and is handed back to the system in a process without one."""
    import platform
    import subprocess

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt's thresholds are glibc's")
    code = (
        "import sys, numpy as np\n"
        "def rss(): return int(open('/proc/self/statm').read().split()[1]) * 4096\n"
        "if sys.argv[1] == 'torch':\n"
        "    from xeonsr.runtime import load_runner\n"
        "    load_runner('fsrcnn-s', 3, 'torch-fp32', threads=1)\n"
        "a = np.ones(4 << 20, dtype=np.float32)\n"
        "held = rss()\n"
        "del a\n"
        "print((held - rss()) / 2**20)\n"
    )
    handed_back = {
        mode: float(
            subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, check=True).stdout
        )
        for mode in ("plain", "torch")
    }
    assert handed_back["plain"] > 12 and handed_back["torch"] < 2, handed_back


def test_onnxruntime_int8_peer_quantizes_the_layers_our_int8_ir_quantizes(data_dir, tmp_path):
    """ort-int8: ONNX Runtime's own static INT8 of the same graph, calibrated on T91 crops, with
    the OpenVINO INT8 IR's float layers (FSRCNN x3: the bicubic skip) left float; a real INT8
    upscale (close to FP32, not equal), timed against the INT8 peak."""
    import numpy as np
    import onnx

    from xeonsr import peers
    from xeonsr.bench import PEAK_PRECISION
    from xeonsr.errors import UserError
    from xeonsr.evaluate import evaluate, load_samples
    from xeonsr.runtime import load_runner

    r = load_runner("fsrcnn", 3, "ort-int8", threads=1, data_dir=data_dir)
    assert "ONNX Runtime 1." in r.note and "9 of 10 convolutions INT8" in r.note and r.receptive_radius == 8
    graph = onnx.load_from_string(next(g for k, (g, _, _) in peers._QUANTIZED.items() if k[:2] == ("fsrcnn", 3)))
    dequantized = {n.output[0] for n in graph.graph.node if n.op_type == "DequantizeLinear"}
    convs = [n for n in graph.graph.node if n.op_type == "Conv"]
    int8 = {peers.onnx_module_path(n.name) for n in convs if n.input[1] in dequantized}
    assert "upsample" not in int8 and {"body.0", "body.12", "head_columns.columns"} <= int8 and len(int8) == 9
    fp32 = load_runner("fsrcnn", 3, "ort", threads=1)
    samples = load_samples(data_dir / "Set5", 3)[:2]
    x = (samples[0].lr[:30, :41].astype(np.float32) / 255)[None, None]
    diff = np.abs(r(x) - fp32(x))
    assert r(x).shape == (1, 1, 90, 123) and diff.max() > 1e-3 and diff.mean() < 0.01
    got, ref = (evaluate(run.plane_fn(), samples, 3, with_ssim=False)["mean_psnr"] for run in (r, fp32))
    assert ref - 0.3 < got < ref + 0.05
    assert PEAK_PRECISION["ort-int8"] == "int8"
    with pytest.raises(UserError, match="ort-int8 calibrates on T91 crops"):
        load_runner("fsrcnn", 2, "ort-int8", threads=1, data_dir=tmp_path)


def test_nothing_measurable_is_an_error_not_an_empty_table(data_dir, tmp_path, capsys):
    out = tmp_path / "b.json"
    args = ["bench", "--dataset", "Set5", "--data-dir", str(data_dir), "--models", "dcscn"]
    # OpenCV's dnn peer runs the FSRCNN family only: dcscn on it is skipped, leaving nothing.
    assert main(args + ["--backends", "opencv", "--repeats", "1", "--json", str(out)]) == 1
    err = capsys.readouterr()
    assert "skip dcscn opencv" in err.out and "nothing measured" in err.err
    assert not out.exists()


def test_threads_go_to_physical_cores_first_whatever_the_numbering():
    from xeonsr.threads import pick_cpus

    intel = {c: (0, c % 4) for c in range(8)}  # 4 cores; siblings far apart: 0/4, 1/5, ...
    adjacent = {c: (0, c // 2) for c in range(8)}  # siblings side by side: 0/1, 2/3, ...
    two_sockets = {c: (c // 4, c % 2) for c in range(8)}  # 2 sockets x 2 cores x 2 threads
    assert pick_cpus(list(range(8)), 4, intel.get) == [0, 1, 2, 3]
    assert pick_cpus(list(range(8)), 4, adjacent.get) == [0, 2, 4, 6]
    assert pick_cpus(list(range(8)), 6, adjacent.get) == [0, 1, 2, 3, 4, 6]  # 4 cores, then 2 siblings
    assert pick_cpus(list(range(8)), 2, two_sockets.get) == [0, 1]  # one socket's two cores
    assert pick_cpus([3, 5, 7], 2, lambda c: None) == [3, 5]  # no topology: CPUs as they are


def test_thread_plan_on_this_machine_pins_real_cpus():
    import os

    plan = plan_threads(None)
    assert plan.used == len(plan.pinned) >= 1
    assert set(plan.pinned) <= os.sched_getaffinity(0)


def test_compare_irs_script_times_each_ir(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    irs = [str(root / "xeonsr" / "openvino_models" / f"fsrcnn-s_x3_{p}.xml") for p in ("fp32", "int8")]
    for extra in ([], ["--static"]):
        out = subprocess.run(
            [sys.executable, str(root / "benchmarks" / "compare_irs.py"), "--size", "20x12", "--threads", "1"]
            + ["--rounds", "1", "--per-round", "2", *extra, *irs],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        assert [line.split()[-1] for line in out] == irs
        assert out[0].split()[2] == "1.00x" and float(out[1].split()[0]) > 0


@pytest.mark.slow
def test_int8_rows_are_a_fraction_of_the_int8_peak(data_dir):
    import numpy as np

    from xeonsr.bench import run_bench
    from xeonsr.evaluate import load_samples
    from xeonsr.peaks import int8_conv_peak

    gops, kernel = int8_conv_peak(1, channels=64, side=24, layers=2, rounds=2)
    assert gops > 0 and "I8" in kernel.upper()  # an INT8 kernel ran, not a float fallback
    samples = load_samples(data_dir / "Set5", 3)[:1]
    res = run_bench(samples, "Set5", 3, ["fsrcnn"], ["ov-fp32", "ov-int8"], 1, 0, 1, log=lambda *_: None)
    by = {s["backend"]: s for s in res["summary"]}
    assert by["ov-int8"]["peak_precision"] == "int8" and by["ov-fp32"]["peak_precision"] == "fp32"
    for s in by.values():
        assert s["fraction_of_peak"] == pytest.approx(s["gflops_per_s"] / res["peaks"][s["peak_precision"]]["gflops"])
        # and against the same precision's peak sampled around the row's own rounds
        now = [r for r in res["rows"] if r["backend"] == s["backend"]]
        assert all(r["peak_now_gflops"] == max(r["peak_now_samples"]) > 0 for r in now)
        ratios = [r["gflops_per_s"] / r["peak_now_gflops"] for r in now]
        assert s["fraction_of_peak_now"] == pytest.approx(np.mean(ratios))
    assert "kernel" in res["peaks"]["int8"]["how"]


def test_int8_peak_chain_runs_the_kernel_nncfs_quantized_chain_runs():
    # Built without NNCF (the slim install has none), in the form NNCF gives a quantized chain.
    import contextlib
    import io

    import nncf
    import numpy as np

    from xeonsr.ov import compile_ir
    from xeonsr.peaks import _conv_chain

    def kernels(model, inp):
        request = compile_ir(model, 1, profiling=True).create_infer_request()
        request.infer({0: inp})
        return {(p.node_name, p.exec_type) for p in request.profiling_info if p.node_type == "Convolution"}

    ours, rng = _conv_chain(32, 16, 2, int8=True)
    inp = rng.random((1, 32, 16, 16), dtype=np.float32)
    float_chain, _ = _conv_chain(32, 16, 2)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        theirs = nncf.quantize(float_chain, nncf.Dataset([inp]), subset_size=1)
    got = kernels(ours, inp)
    assert got == kernels(theirs, inp) and len(got) == 2
    assert all("I8" in k.upper() for _, k in got)


def test_fp32_peak_is_the_faster_of_matrix_products_and_convolutions():
    from xeonsr.peaks import fp32_conv_peak, measure_peaks

    gflops, kernel = fp32_conv_peak(1, channels=32, side=16, layers=2, rounds=2)
    assert gflops > 0 and "F32" in kernel.upper()  # the float kernel ran, not an INT8 or bf16 one
    peak = measure_peaks(1, {"fp32"})["fp32"]
    assert peak["gflops"] > 0 and ("matrix product" in peak["how"] or "FP32 3x3 convs" in peak["how"])


@pytest.mark.slow
def test_ov_bf16_runs_the_fp32_ir_in_bf16_where_the_cpu_has_it(data_dir):
    from xeonsr.bench import run_bench
    from xeonsr.evaluate import load_samples
    from xeonsr.info import cpu_info

    samples = load_samples(data_dir / "Set5", 3)[:2]
    res = run_bench(samples, "Set5", 3, ["fsrcnn-s"], ["ov-fp32", "ov-bf16"], 1, 0, 1, log=lambda *_: None)
    if cpu_info().native_bf16:  # this CPU has AVX512-BF16/AMX: the row must exist, not be skipped
        by = {(r["backend"], r["image"]): r["psnr"] for r in res["rows"]}
        for smp in samples:
            assert abs(by[("ov-bf16", smp.name)] - by[("ov-fp32", smp.name)]) < 0.05
        row = next(s for s in res["summary"] if s["backend"] == "ov-bf16")
        assert row["peak_precision"] == "bf16" and "inference precision bf16" in row["note"]
    else:
        assert res["skipped"][0]["backend"] == "ov-bf16" and "native bf16" in res["skipped"][0]["why"]


def test_stream_plan_for_two_sockets_of_28_cores():
    from xeonsr.threads import plan_streams, plan_threads

    # 2 sockets x 28 cores x 2 hardware threads, siblings numbered far apart (0 and 56, ...).
    xeon = {c: ((c % 56) // 28, c % 28) for c in range(112)}
    plan = plan_threads(None, xeon.get, cpus=list(range(112)))
    assert plan.used == 56 and len({xeon[c] for c in plan.pinned}) == 56  # one thread per core
    assert plan_streams(plan, 1, xeon.get) == 56
    assert plan_streams(plan, 4, xeon.get) == 14  # 7 per socket
    small = plan_threads(6, xeon.get, cpus=[0, 1, 2, 28, 29, 30])  # 3 cores on each socket
    assert plan_streams(small, 2, xeon.get) == 2  # one per socket, none across the two
    assert plan_streams(plan_threads(28, xeon.get, cpus=list(range(112))), 1, xeon.get) == 28
    # A folder of few images: streams of 2, 4, ... threads until each has 4 images, per socket.
    assert plan_streams(plan, 1, xeon.get, images=224) == 56
    assert plan_streams(plan, 1, xeon.get, images=223) == 28
    assert plan_streams(plan, 1, xeon.get, images=100) == 14  # 7 of 4 threads on each socket
    assert plan_streams(plan, 1, xeon.get, images=3) == 2  # still none across the two sockets


def test_stream_plan_by_the_images_a_folder_holds():
    from xeonsr.threads import folder_workers, plan_streams, plan_threads

    one = {c: (0, c) for c in range(16)}  # the 16-core Xeon of the device runs
    plan = plan_threads(None, one.get, cpus=list(range(16)))
    by_count = {n: plan_streams(plan, 1, one.get, images=n) for n in (None, 1, 2, 14, 38, 63, 64, 152)}
    assert by_count == {None: 16, 1: 2, 2: 2, 14: 2, 38: 8, 63: 8, 64: 16, 152: 16}  # never under two
    two = plan_threads(None, one.get, cpus=[0, 1])
    assert [plan_streams(two, 1, one.get, images=n) for n in (19, 8, 5, 2)] == [2, 2, 2, 2]
    three = plan_threads(None, one.get, cpus=[0, 1, 2])
    assert [plan_streams(three, 1, one.get, images=n) for n in (12, 11, 2)] == [3, 3, 3]  # one of 2 would idle one
    # Decoding and encoding a folder's files take a worker per core whatever the streams.
    assert [folder_workers(s, plan) for s in (1, 4, 16)] == [16, 16, 16] and folder_workers(2, two) == 2


def test_throughput_mode_over_a_folder_of_mixed_sizes(data_dir, tmp_path):
    from xeonsr.cli import main

    out = tmp_path / "t.json"
    args = ["bench", "--mode", "throughput", "--dataset", "Set5", "--data-dir", str(data_dir)]
    assert main(args + ["--models", "fsrcnn-s", "--backends", "ov-fp32,ort,torch-fp32", "--json", str(out)]) == 0
    res = json.loads(out.read_text())
    rows = {r["backend"]: r for r in res["rows"]}
    assert set(rows) == {"ov-fp32", "ort", "torch-fp32"} and all(r["images"] == 5 for r in rows.values())
    assert rows["ov-fp32"]["workers"] == rows["ort"]["workers"] >= 1 and rows["torch-fp32"]["workers"] == 1
    for r in rows.values():
        assert r["images_per_s"] > 0 and r["mp_per_s"] > 0 and r["vs_latency"] > 0
        assert r["best_images_per_s"] == max(r["images_per_s"], r["latency_images_per_s"])
    assert rows["ov-fp32"]["io_images_per_s"] > 0 and "io_images_per_s" not in rows["ort"]


def test_throughput_mode_runs_the_ir_store_and_weights_it_is_given(data_dir, tmp_path, capsys):
    # It ran the shipped IRs and weights whatever --ir-dir and --weights said.
    from xeonsr.cli import main

    args = ["bench", "--mode", "throughput", "--dataset", "Set5", "--data-dir", str(data_dir), "--models", "fsrcnn-s"]
    empty = tmp_path / "store"
    empty.mkdir()
    assert main([*args, "--backends", "ov-fp32", "--ir-dir", str(empty)]) == 1
    assert f"skip fsrcnn-s ov-fp32: no fp32 IR for fsrcnn-s x3 in {empty}" in capsys.readouterr().out
    # and --table writes its table, as in latency mode
    table = tmp_path / "t.md"
    assert (
        main(
            [*args, "--backends", "ov-int8", "--table", str(table), "--rounds", "2", "--json", str(tmp_path / "t.json")]
        )
        == 0
    )
    assert "| fsrcnn-s | ov-int8 |" in table.read_text()
    assert json.loads((tmp_path / "t.json").read_text())["interleaved_rounds"] == 2  # --rounds asked 2 (default 3)
    missing = tmp_path / "mine.safetensors"
    assert main([*args, "--backends", "torch-fp32", "--weights", str(missing)]) == 1
    assert f"skip fsrcnn-s torch-fp32: {missing}" in capsys.readouterr().out


def test_throughput_rounds_interleave_backends_and_peers_get_their_best_setting(monkeypatch):
    """Each throughput round drains the folder once per backend (one at a time, then in its
    folder setting) before any backend gets its next round; a peer is compared in whichever of
    its settings ran faster."""
    from types import SimpleNamespace

    import numpy as np

    from xeonsr import throughput

    calls = []

    def fake(model, scale, backend, *a, **k):
        return lambda x: calls.append(backend) or x

    monkeypatch.setattr(throughput, "load_runner", fake)
    monkeypatch.setattr(throughput, "_runners", lambda m, s, b, plan, w, *_: [fake(m, s, b)] * w)
    sample = SimpleNamespace(lr=np.zeros((4, 4), np.uint8), hr=np.zeros((12, 12), np.uint8))
    res = throughput.run_throughput([sample], [], 3, ["m"], ["ort", "opencv"], 1, rounds=4, log=lambda *_: None)
    timed = calls[4:]  # after each backend's warm-up of both settings
    assert len(timed) == 4 * 2 * 2
    rounds = [timed[i : i + 4] for i in range(0, len(timed), 4)]
    assert all(sorted(set(r)) == ["opencv", "ort"] for r in rounds)
    assert rounds[0][0] != rounds[1][0]  # the order rotates
    assert {r["backend"] for r in res["rows"]} == {"ort", "opencv"} and res["interleaved_rounds"] == 4

    rows = [
        {"model": "m", "backend": "ov-int8", "workers": 2, "images_per_s": 40.0, "latency_images_per_s": 30.0},
        {"model": "m", "backend": "ov-fp32", "workers": 2, "images_per_s": 20.0, "latency_images_per_s": 25.0},
        {"model": "m", "backend": "ort", "workers": 2, "images_per_s": 16.0, "latency_images_per_s": 20.0},
    ]
    for r in rows:
        r["best_images_per_s"] = max(r["images_per_s"], r["latency_images_per_s"])
        r["mp_per_s"], r["vs_latency"] = 1.0, r["images_per_s"] / r["latency_images_per_s"]
    int8, fp32 = throughput.against_peers(rows)
    assert (int8["ours"], int8["peer"], int8["ratio"], int8["ours_setting"]) == ("ov-int8", "ort", 2.0, "2 workers")
    assert (fp32["ours"], fp32["ratio"], fp32["ours_setting"]) == ("ov-fp32", 1.25, "one image at a time")
    assert int8["peer_setting"] == "one image at a time"
    table = throughput.markdown({"threads": {"used": 2}, "rows": rows}, "a CPU", "cmd")
    assert "| m | ov-fp32 (one image at a time) | 1.25x (one image at a time) |" in table


def test_backends_are_timed_in_interleaved_rounds(monkeypatch):
    """A slow minute on a shared host must fall on every row alike: each backend's timed calls
    are spread over rounds, each round runs every backend, in a rotating order."""
    from types import SimpleNamespace

    import numpy as np

    from xeonsr import bench

    monkeypatch.setattr(bench, "WARM_S", 0.0)  # one re-warming call per backend and round

    calls = []

    def runner(name):
        return SimpleNamespace(run=lambda x: calls.append(name) or x * 2)

    loaded = [("a", runner("a"), 0.0), ("b", runner("b"), 0.0), ("c", runner("c"), 0.0)]
    x = np.ones((1, 1, 4, 4), np.float32)
    got = {b: (t, o) for b, t, o in bench.interleaved(loaded, x, warmup=1, repeats=7)}
    assert all(len(t) == 7 for t, _ in got.values()) and all((o == 2).all() for _, o in got.values())
    # warm-ups, then per round: one untimed call + that round's share of timed calls
    assert calls[:3] == ["a", "b", "c"]
    rounds = calls[3:]
    assert len(rounds) == 3 * 3 + 3 * 7  # 3 rounds x 3 backends re-warmed, 21 timed calls
    firsts = [rounds[0], rounds[3 * (1 + 3)], rounds[3 * (1 + 3) + 3 * (1 + 2)]]  # who opened each round
    assert firsts == ["a", "b", "c"]


def test_the_peak_is_sampled_around_every_round(monkeypatch):
    """The "of peak now" divides by a peak taken at the same moments as the rows: the callback runs
    before each round and after the last, between the backends' timed calls."""
    from types import SimpleNamespace

    import numpy as np

    from xeonsr import bench

    calls = []
    loaded = [("a", SimpleNamespace(run=lambda x: calls.append("a") or x), 0.0)]
    monkeypatch.setattr(bench, "WARM_S", 0.0)
    x = np.ones((1, 1, 4, 4), np.float32)
    peak, turn = (lambda: calls.append("peak")), (lambda: calls.append("turn"))
    list(bench.interleaved(loaded, x, warmup=1, repeats=7, each_round=peak, each_turn=turn))
    assert calls.count("peak") == bench.ROUNDS + 1 and calls.count("turn") == bench.ROUNDS
    assert calls[1] == "peak" and calls[-1] == "peak"  # after the warm-up, and after the last timed call
    assert calls[2:5] == ["turn", "a", "a"]  # a turn: the handoff, a re-warming call, the timed ones


def test_peak_meter_samples_the_kernel_of_its_precision():
    from xeonsr.peaks import PeakMeter

    for precision in ("fp32", "int8"):
        meter = PeakMeter(precision, 1, channels=32, side=16)
        rates = [meter.sample() for _ in range(3)]
        assert all(r > 0 for r in rates)


def test_each_round_rewarms_a_backend_for_a_while_before_timing_it(monkeypatch):
    from types import SimpleNamespace

    import numpy as np

    from xeonsr import bench

    monkeypatch.setattr(bench, "SETTLE_S", 0.0)
    calls = []
    loaded = [("a", SimpleNamespace(run=lambda x: calls.append(1) or x), 0.0)]
    list(bench.interleaved(loaded, np.ones((1, 1, 2, 2), np.float32), warmup=0, repeats=3))
    assert len(calls) > 3 + 3 * 10  # thousands of instant calls fill each round's WARM_S, not one


def test_without_a_data_dir_it_times_the_sample_photos(tmp_path, monkeypatch, capsys):
    """Before, `xeonsr bench` with no data dir was an error (its default, Set14, not found),
    where `xeonsr eval` falls back to scikit-image's photos. (The timing itself is tested above;
    here it stops at the point the images are handed to it.)"""
    import xeonsr.bench

    handed = []

    def run_bench(samples, label, *a, **k):
        handed.append((label, [s.name for s in samples]))
        raise KeyboardInterrupt  # stop here, as a user would

    monkeypatch.setattr(xeonsr.bench, "run_bench", run_bench)
    monkeypatch.delenv("XEONSR_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["bench", "--models", "fsrcnn-s", "--backends", "torch-fp32"]) == 130
    [(label, names)] = handed
    assert label == "samples" and len(names) == 5
    assert "the paper's CPU times are for Set14" in capsys.readouterr().err
    # with a data dir, the paper's timing set (where `xeonsr eval` defaults to Set5)
    root = tmp_path / "data" / "Set14"
    root.mkdir(parents=True)
    from PIL import Image

    Image.new("RGB", (30, 24), (120, 80, 40)).save(root / "tiny.png")
    monkeypatch.setenv("XEONSR_DATA", str(tmp_path / "data"))
    assert main(["bench", "--models", "fsrcnn-s", "--backends", "torch-fp32"]) == 130
    assert handed[-1] == ("Set14", ["tiny"])
