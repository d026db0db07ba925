"""Inference latency, models x backends x sizes: `pytest benchmarks` (timed),
`pytest benchmarks --benchmark-disable` (each case once, as CI does so the suite cannot rot)."""

import os

import pytest

from xeonsr.irs import read_manifest
from xeonsr.peers import PEER_MODELS
from xeonsr.runtime import load_runner
from xeonsr.threads import plan_threads

MODELS = ["fsrcnn", "fsrcnn-s", "srcnn", "dcscn"]
BACKENDS = ["torch-fp32", "ov-fp32", "ov-int8", "opencv", "ort"]


# Quick mode (CI) runs the two smaller sizes only.
SIZES = ["64x64", "150x170"] + ([] if os.environ.get("XEONSR_BENCH_QUICK") else ["256x256"])


# The OpenCV peer (cv2.dnn) runs the FSRCNN family only: the networks dnn_superres ships.
CASES = [(m, b) for m in MODELS for b in BACKENDS if b != "opencv" or m in PEER_MODELS]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("model,backend", CASES)
def test_latency(benchmark, lr_images, model, backend, size):
    if backend.startswith("ov-") and f"{model}_x3_{backend[3:]}" not in read_manifest()["models"]:
        pytest.fail(f"{model} x3 {backend} IR is not in the shipped manifest")
    runner = load_runner(model, 3, backend, threads=plan_threads(None).used)
    fn, note = runner.run, runner.note
    x = lr_images[size]
    benchmark.extra_info["note"] = note
    out = benchmark(fn, x)
    assert out.shape[-2:] == (3 * x.shape[2], 3 * x.shape[3])
