"""Benchmark scripts in miniature, so they cannot rot (their numbers: docs/training.md, docs/performance.md)."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bf16_policy  # noqa: E402
import sampler_speed  # noqa: E402


def test_sampler_speed_measures_both_samplers_and_a_step(data_dir, tmp_path):
    out = sampler_speed.main(
        ["--data-dir", str(data_dir), "--datasets", "T91", "--seconds", "0.2", "--cache-dir", str(tmp_path)]
    )
    rates = out["batches_per_s"]
    assert rates["old"] > 0 and rates["new"] > 0 and rates["fsrcnn_step"] > 0
    assert 0 < out["sampler_share_of_step"]["new"]


def test_bf16_policy_runs_every_policy(data_dir):
    rows = bf16_policy.main(["--data-dir", str(data_dir), "--quick", "--models", "fsrcnn"])
    assert [r["policy"] for r in rows] == list(bf16_policy.POLICIES)
    assert all(set(r["psnr"]) == {"BSD200-val", "Set5", "Set14"} for r in rows)


def test_scaling_curve_runs(data_dir, tmp_path):
    import scaling

    res = scaling.main(
        ["--data-dir", str(data_dir), "--max-cores", "2", "--rounds", "2", "--plot", str(tmp_path / "s.png")]
    )
    one = res["points"][0]
    assert one["cores"] == 1 and one["throughput_images_per_s"] >= one["throughput_images_per_s_median"] > 0
    assert res["interleaved"] and all(len(p["rounds_s"]["latency"]) == 2 for p in res["points"])
    if len(res["points"]) == 2:  # a host with 2 cores or more: each round's ratio to that round's 1-core time
        assert len(res["points"][1]["latency_speedup_over_1_core_per_round"]) == 2
    assert (tmp_path / "s.png").stat().st_size > 1000


def test_device_cpu_curve_runs_here_as_it_would_there(data_dir, tmp_path):
    """scripts/device_cpu_curve.sh's run on this machine's Python and OpenVINO (OV_TAR empty): the
    files a lent machine would send back."""
    import json
    import subprocess
    import tarfile

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "OUT": str(tmp_path), "PY": sys.executable, "OV_TAR": "", "DATA": str(data_dir)}
    env.update(MAX_CORES="1", ROUNDS="1", PASSES="1", BENCH_MODELS="fsrcnn-s", BENCH_BACKENDS="ov-int8,ort")
    env.update(BUDGET_S="540", BENCH_S="400", THROUGHPUT_MODELS="fsrcnn-s", THROUGHPUT_BACKENDS="ov-int8")
    env.update(THROUGHPUT_S="200", PAD_PROBE="2 1 40x30 fsrcnn-s:int8")  # bounds for 16 cores, not 2 busy ones
    subprocess.run(["bash", "scripts/device_cpu_curve.sh", "run"], cwd=root, env=env, check=True, timeout=600)
    info = (tmp_path / "info.txt").read_text()
    assert info.startswith("CPU:") and "cgroup cpu.max: " in info
    for name in ("scaling_fsrcnn_x3_int8.json", "scaling_srcnn_x3_fp32.json"):
        res = json.loads((tmp_path / name).read_text())
        assert [p["cores"] for p in res["points"]] == [1] and res["points"][0]["latency_images_per_s"] > 0
    with tarfile.open(tmp_path / "bench_set14_x3.tar") as tar:
        bench = json.load(tar.extractfile("./bench_set14_x3_fsrcnn-s.json"))
    assert {r["backend"] for r in bench["summary"]} == {"ov-int8", "ort"}
    folder = json.loads((tmp_path / "throughput_set5_set14_x3.json").read_text())
    assert [(r["model"], r["backend"]) for r in folder["rows"]] == [("fsrcnn-s", "ov-int8")]
    assert folder["rows"][0]["io_images_per_s"] > 0
    log = (tmp_path / "run.log").read_text()
    assert "failed" not in log and "done in " in log
    assert "fsrcnn-s x3 int8 40x30: stored" in log and "max diff 0.0e+00" in log  # the one-Pad probe ran


def test_compare_irs_times_int8_against_fp32():
    # What benchmarks/int8_vs_fp32.sh runs per model, in miniature.
    import subprocess

    root = Path(__file__).resolve().parents[1]
    irs = [str(root / "xeonsr" / "openvino_models" / f"fsrcnn-s_x3_{p}.xml") for p in ("fp32", "int8")]
    out = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "compare_irs.py"), "--size", "40x30", "--threads", "1"]
        + ["--rounds", "1", "--per-round", "2", *irs],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert len(out) == 2 and out[0].split()[2] == "1.00x" and out[1].endswith("fsrcnn-s_x3_int8.xml")


def test_tile_streams_times_both_settings_and_checks_the_bytes():
    import tile_streams

    res = tile_streams.main(["--lr", "120x90", "--tile", "32", "--rounds", "1"])
    assert res["same_bytes"]
    assert set(res["speedup_best"]) == {"one request, all threads", f"tiles on {res['streams']} streams"}
    assert all(len(v) == 1 and v[0] > 0 for v in res["seconds"].values())


def _runs_range(capsys, pattern: str) -> str:
    """What runs_range prints for the three committed runs matching ``pattern``."""
    import runs_range

    runs = sorted((Path(__file__).parent / "results").glob(pattern))
    assert len(runs) == 3
    runs_range.main([str(p) for p in runs])
    return capsys.readouterr().out


def test_runs_range_spans_the_committed_runs(capsys):
    out = _runs_range(capsys, "throughput_set5_set14_x3_amd_epyc_zen3_2c_s24_run*.json")
    # the s24 runs: FSRCNN x3 INT8 ran 2.90-3.36x ONNX Runtime over the folder
    assert "| fsrcnn | ov-int8 | 2.57-3.44x | 2.90-3.36x | 2.74-3.53x |" in out
    assert "| srcnn | ov-int8 | 3.07-3.59x | 1.42-1.52x | - |" in out


def test_runs_range_gives_onnx_runtimes_int8_a_column_where_the_runs_have_it(capsys):
    out = _runs_range(capsys, "set14_x3_intel_xeon_amx_2c_s36_ortint8_run*.json")
    # docs/performance.md, session 36: OpenVINO INT8 3.4-5.8x ONNX Runtime's own INT8
    assert "| model | OpenVINO | vs torch-fp32 | vs ort | vs ort-int8 | vs opencv |" in out
    assert "| fsrcnn | ov-int8 | - | 3.72-4.36x | 4.93-5.45x | - |" in out
    assert "| dcscn | 3.42-3.96x (ort-int8) | 1.41-1.44x (ort) |" in out


def test_runs_range_leaves_out_the_images_timed_with_a_slow_handoff_when_asked(capsys):
    import runs_range

    results = Path(__file__).parent / "results"
    runs = [str(p) for p in sorted(results.glob("set14_x3_amd_epyc_zen4_2c_s61_fsrcnn_run*"))]
    assert len(runs) == 3
    runs_range.main(runs)
    every = capsys.readouterr().out
    runs_range.main(runs, handoff_ok=True)
    ok = capsys.readouterr().out
    # docs/performance.md, session 61: FSRCNN-s FP32 against PyTorch, the 6 of 84 images timed
    # while the Zen 4 VM's two vCPUs sat apart counted and left out
    assert "| fsrcnn-s | ov-fp32 | 0.98-1.22x |" in every and "| fsrcnn-s | ov-fp32 | 1.12-1.27x |" in ok
    assert "| fsrcnn | ov-int8 | 2.05-2.16 | 32-33% | 32-33% | 32-33% |" in ok
    assert "slow handoff left out:" in ok and "slow handoff left out:" not in every
    runs_range.slow_vs([json.loads(Path(p).read_text()) for p in runs[1:]], json.loads(Path(runs[0]).read_text()))
    slow = capsys.readouterr().out
    assert "| fsrcnn-s | torch-fp32 | 5 | 0.94-1.29x |" in slow and "| fsrcnn-s | ov-fp32 | 5 | 1.79-1.93x |" in slow


def test_runs_range_gives_one_pair_image_by_image(capsys):
    import runs_range

    runs = sorted((Path(__file__).parent / "results").glob("set14_x3_amd_epyc_zen2_2c_s56_run*.json"))
    runs_range.main([str(p) for p in runs], ("srcnn", "ov-fp32", "ort"))
    out = capsys.readouterr().out
    # docs/performance.md, session 56: before the shapes' own networks SRCNN FP32 lost the 512x512 images
    assert "| bridge | 170x170 | 33.21-33.40 | 31.89-32.12 | 0.959-0.965x |" in out
    assert "| barbara | 240x192 | 47.80-49.05 | 50.54-50.89 | 1.037-1.065x |" in out
    assert len([line for line in out.splitlines() if line.startswith("| ")]) == 1 + 14  # the header, an image a row


def test_runs_range_sets_openvino_against_the_fastest_peer(capsys):
    import runs_range

    results = Path(__file__).parent / "results"
    runs = sorted(results.glob("set14_x3_amd_epyc_zen3_2c_s24_run*.json"))
    zen4 = results / "set14_x3_amd_epyc_zen4_2c.json"
    runs_range.main([str(p) for p in runs])
    out = capsys.readouterr().out
    # docs/performance.md "At a glance": on the Zen 3 PyTorch is FSRCNN's fastest peer, ORT SRCNN's
    assert "| fsrcnn | 2.20-2.35x (torch-fp32) | 1.20-1.31x (torch-fp32) |" in out
    assert "| srcnn | 1.32-1.39x (ort) | 1.04-1.09x (ort) |" in out
    runs_range.main([str(zen4)])
    out = capsys.readouterr().out
    # on the Zen 4 PyTorch's native bf16 is a peer for INT8, and SRCNN FP32 loses to ORT
    assert "| srcnn | 2.05x (torch-bf16) | 0.88x (ort) |" in out


def test_runs_range_sets_openvino_int8_against_its_bf16_where_the_runs_have_it(capsys):
    out = _runs_range(capsys, "set14_x2_intel_xeon_emr_2c_s67_run*.json")
    # docs/performance.md, session 67: on the Emerald Rapids Xeon at x2 INT8 was the faster of the
    # two for every model but FSRCNN-s
    assert "| model | INT8 vs bf16 |" in out
    assert "| dcscn | 1.56-1.61x |" in out and "| fsrcnn-s | 0.96-0.99x |" in out
    assert "INT8 vs bf16" not in _runs_range(capsys, "set14_x3_amd_epyc_zen3_2c_s24_run*.json")  # no bf16 there


def test_many_images_times_upscale_many_against_one_at_a_time_and_checks_the_bytes(data_dir):
    import many_images

    res = many_images.main(["--data-dir", str(data_dir), "--datasets", "Set5", "--rounds", "1"])
    assert res["same_bytes"] and res["images"] == 5
    assert set(res["seconds"]) == {"one at a time, all threads", f"upscale_many, {res['streams']} streams"}
    assert all(len(v) == 1 and v[0] > 0 for v in res["seconds"].values())


def test_load_cache_times_fresh_processes_with_and_without_the_cache():
    import load_cache

    res = load_cache.main(["--rounds", "1"])
    assert res["same_bytes"]
    assert all(len(res[k]["load_s"]) == 1 and res[k]["load_s"][0] > 0 for k in ("cache", "no cache"))


def test_when_quiet_runs_the_command_on_a_quiet_host_and_gives_up_on_a_busy_one(capsys):
    import when_quiet

    ran = when_quiet.main(
        ["--min-gflops", "0", "--every", "0", "--threads", "1", "--", sys.executable, "-c", "raise SystemExit(7)"]
    )
    assert ran == 7  # two quiet samples (every host beats 0 GFLOP/s), then the command's own status
    assert capsys.readouterr().out.count("quiet)") == 2
    busy = when_quiet.main(
        ["--min-gflops", "1e12", "--every", "0", "--give-up-min", "0", "--threads", "1", "--", "false"]
    )
    assert busy == 3 and "no quiet window" in capsys.readouterr().err
