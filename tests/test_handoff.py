import math
import os

import pytest

from xeonsr import handoff
from xeonsr.bench_report import handoff_note
from xeonsr.bench_rows import mark_slow_handoffs

CPUS = os.sched_getaffinity(0)  # at collection: tests before this one may pin the process to one CPU


@pytest.mark.skipif(len(CPUS) < 2, reason="a handoff needs two CPUs")
def test_handoff_reads_are_timed_on_the_two_cpus_and_the_callers_cpus_come_back():
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, CPUS)
    try:
        src, dst = handoff.pair(CPUS)
        assert src != dst
        h = handoff.measure(src, dst, passes=4)
        assert (h.src, h.dst) == (src, dst)
        # Any real CPU reads a 2 MB buffer at well over 0.5 GB/s and under 10 TB/s.
        assert 0.5 < h.cross_gbs < 1e4 and 0.5 < h.own_gbs < 1e4 and math.isfinite(h.cross_gbs)
        assert os.sched_getaffinity(0) == CPUS
    finally:
        os.sched_setaffinity(0, before)


def test_one_cpu_has_no_pair():
    assert handoff.pair([3]) is None
    assert handoff.pair([5, 0, 2]) == (0, 5)


def test_images_under_half_the_runs_best_handoff_are_slow():
    samples = {"a": [60.0, 62.0, 58.0], "b": [22.0, 25.0, 61.0], "c": [40.0, 33.0, 35.0], "d": []}
    # b's median 25 < 31 (half of 62); c's 35 is not: only a vCPU pair apart halves it.
    assert handoff.slow_images(samples) == ["b"]


def _row(model, backend, image, ms, samples):
    return {
        "model": model,
        "backend": backend,
        "image": image,
        "latency_ms": ms,
        "gflops_per_s": 100.0 / ms,
        "peak_now_gflops": 100.0,
        "handoff_gbs_samples": samples,
    }


def test_summary_rows_give_their_figures_over_the_images_timed_with_a_fast_handoff():
    rows = [
        _row("fsrcnn", b, img, ms * (1 if b == "ov-fp32" else 1.2), s)
        for img, ms, s in (("x", 1.0, [60.0, 61.0]), ("y", 3.0, [20.0, 22.0]), ("z", 2.0, [59.0, 20.0, 58.0]))
        for b in ("ov-fp32", "torch-fp32")
    ]
    summary = [{"model": "fsrcnn", "backend": b} for b in ("ov-fp32", "torch-fp32")]
    hand = mark_slow_handoffs(rows, summary, (0, 1))
    assert [r["image"] for r in rows if r["handoff_slow"]] == ["y", "y"]
    ov, torch = summary
    assert ov["images_handoff_slow"] == 1 and ov["mean_latency_ms_handoff_ok"] == pytest.approx(1.5)
    assert torch["mean_latency_ms_handoff_ok"] == pytest.approx(1.8)
    assert ov["fraction_of_peak_now_handoff_ok"] == pytest.approx((1.0 + 0.5) / 2)
    assert hand == {"cpus": [0, 1], "best_gbs": 61.0, "median_gbs": 58.0, "slow_images": ["fsrcnn/y"], "images": 3}
    note = handoff_note({"handoff": hand})
    assert "best 61 GB/s" in note and "1 of 3 images" in note and "fsrcnn/y" in note
    assert mark_slow_handoffs(rows, summary, None) is None and handoff_note({"handoff": None}) == ""
    many = {**hand, "slow_images": [f"{m}/{i}" for m in ("srcnn", "dcscn") for i in range(5)], "images": 28}
    note = handoff_note({"handoff": many})  # a table's note stays a line: counts per model
    assert "10 of 28 images were timed (dcscn 5, srcnn 5; named in the JSON)" in note and "srcnn/0" not in note


def test_the_markdown_table_has_the_ok_now_column_its_note_names():
    from xeonsr.bench_report import markdown_summary

    row = {"model": "fsrcnn", "backend": "ov-fp32", "mean_latency_ms": 2.0, "mean_psnr": 29.5}
    row |= {"speedup_vs_paper": 195.0}
    row |= {"gflops_per_s": 90.0, "fraction_of_peak": 0.3, "fraction_of_peak_now": 0.4, "load_ms": 60.0}
    row |= {"fraction_of_peak_now_handoff_ok": 0.5, "paper_srcnn_time_s": 0.39, "paper_srcnn_psnr": 29.0}
    res = {"threads": {"requested": 2, "available": 2, "used": 2}, "matmul_peak_gflops": 300.0, "repeats": 7}
    res |= {"warmup": 2, "dataset": "Set14", "scale": 3, "summary": [row], "cpu": "a CPU"}
    hand = {"cpus": [0, 1], "best_gbs": 30.0, "median_gbs": 12.0, "slow_images": ["fsrcnn/y"], "images": 14}
    table = markdown_summary(res | {"handoff": hand}, "xeonsr bench").splitlines()
    header = next(line for line in table if line.startswith("| model"))
    assert header.endswith("| load ms | ok now |") and "| 60 | 50% |" in table[-5] and '"ok now"' in table[-3]
    plain = markdown_summary(res | {"handoff": {**hand, "slow_images": []}}, "xeonsr bench")
    assert "ok now |" not in plain and "never under half" in plain


@pytest.mark.skipif(len(CPUS) < 2, reason="a handoff needs two CPUs")
def test_a_reader_that_cannot_run_is_an_error_not_a_hang():
    before = os.sched_getaffinity(0)
    with pytest.raises(OSError):
        handoff.measure(min(CPUS), 10**6, passes=2)  # no such CPU
    assert os.sched_getaffinity(0) == before
