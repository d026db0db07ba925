"""xeonsr bench: thread reporting, rows against the paper, the plot."""

import json

from xeonsr.bench import plan_threads
from xeonsr.cli import main


def test_more_threads_than_cores_is_reported_and_capped():
    plan = plan_threads(28)
    assert plan.requested == 28 and plan.used <= plan.available
    assert "asked 28" in plan.describe() and f"used {plan.used}" in plan.describe()


def test_bench_rows_beside_paper_table_2(data_dir, tmp_path, capsys):
    out, png = tmp_path / "b.json", tmp_path / "b.png"
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
    assert png.stat().st_size > 5000
    assert "asked 28" in capsys.readouterr().out
