"""Session 46: the small-network engines ncnn (Tencent) and MNN (Alibaba) as peers, each given
the graph ONNX Runtime gets (the deploy form, exported to ONNX) and, for the FSRCNN family, also
the paper form OpenCV gets (the stride-s deconvolution, the padded bicubic input), whichever runs
faster counting as the peer. In interleaved rounds (benchmarks/probes/_rounds.py) beside the
OpenVINO IRs and ONNX Runtime; every output checked against the FP32 IR's. Median ms per call
and the OpenVINO rows against the fastest of the others, per round.

Neither engine is a dependency: install them beside the venv, not into it, and put them first
on PYTHONPATH (the wheels carry their converters: pnnx's binary, MNN's ``_tools`` extension):

    pip install --target /tmp/mobile-peers --no-deps ncnn==1.0.20261020 pnnx==20261020 MNN==3.6.1
    PYTHONPATH=/tmp/mobile-peers python benchmarks/probes/mobile_engines_peer.py 2 10 170x150 \
        fsrcnn-s,fsrcnn,srcnn,dcscn

Do not run MNN's ``mnnconvert``/``mnnquant`` scripts: their logger runs ``pip install -U
aliyun-log-python-sdk`` into the active environment (here it downgraded protobuf below what
onnx needs, breaking torch's ONNX export) and posts each conversion, with /etc/machine-id, to a
remote log. This probe calls the converter's extension directly, which does neither.
"""

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from xeonsr.infer import load_torch_model
from xeonsr.info import cpu_info
from xeonsr.models.bicubic import PAD
from xeonsr.peers import PEER_MODELS, _deploy_onnx, _peer_module, _to_onnx, onnxruntime_runner
from xeonsr.runtime import load_runner

sys.path.insert(0, "benchmarks/probes")
import _tools as mnn_tools  # noqa: E402 - MNN's converter extension, beside the MNN package
import MNN  # noqa: E402
import MNN.expr as mnn_expr  # noqa: E402
import ncnn  # noqa: E402
import pnnx  # noqa: E402
from _rounds import rounds_ms  # noqa: E402

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
w, h = (int(v) for v in sys.argv[3].split("x"))
models = sys.argv[4].split(",")
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
PNNX = Path(pnnx.__file__).parent / "pnnx"


def padded(lr: np.ndarray) -> np.ndarray:
    """MATLAB's 'symmetric' border, as the OpenCV peer pads (inside the timed call there too)."""
    return np.pad(lr, ((0, 0), (0, 0), (PAD, PAD), (PAD, PAD)), mode="symmetric")


def ncnn_runner(onnx: Path, two_inputs: bool):
    shapes = f"inputshape=[1,1,{h},{w}]" + (f",[1,1,{h + 2 * PAD},{w + 2 * PAD}]" if two_inputs else "")
    subprocess.run([PNNX, onnx.name, shapes, "fp16=0"], cwd=onnx.parent, check=True, capture_output=True)
    stem = onnx.with_suffix("").name.replace("-", "_")
    net = ncnn.Net()
    net.opt.num_threads = threads  # its defaults otherwise: Winograd, sgemm, packed layouts
    net.load_param(str(onnx.parent / f"{stem}.ncnn.param"))
    net.load_model(str(onnx.parent / f"{stem}.ncnn.bin"))

    def fn(lr):
        pad = padded(lr) if two_inputs else None  # ncnn.Mat wraps an array without a copy: keep it alive
        with net.create_extractor() as ex:
            ex.input("in0", ncnn.Mat(lr[0]))
            if two_inputs:
                ex.input("in1", ncnn.Mat(pad[0]))
            return np.array(ex.extract("out0")[1])[None]

    return fn


def mnn_runner(onnx: Path, two_inputs: bool):
    mnn = onnx.with_suffix(".mnn")
    saved = os.dup(1)  # the converter's progress lines go to the C library's stdout
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        mnn_tools.mnnconvert(
            ["mnnconvert", "-f", "ONNX", "--modelFile", str(onnx), "--MNNModel", str(mnn), "--bizCode", "x"]
        )
    finally:
        os.dup2(saved, 1)
    assert mnn.exists(), f"MNN could not convert {onnx.name}"
    rt = MNN.nn.create_runtime_manager(({"backend": "CPU", "numThread": threads, "precision": "normal"},))
    # One shape here, so the static module (faster than shape_mutable=True in a trial).
    module = MNN.nn.load_module_from_file(str(mnn), [], [], runtime_manager=rt, shape_mutable=False)

    def var(a):
        return mnn_expr.const(a, list(a.shape), mnn_expr.NCHW)

    def fn(lr):
        out = module.forward([var(lr), var(padded(lr))])[0] if two_inputs else module.forward(var(lr))
        return mnn_expr.convert(out, mnn_expr.NCHW).read()

    return fn


print(
    f"{cpu_info().model}, {threads} threads, {w}x{h} LR, {rounds} rounds; ncnn {ncnn.__version__}, MNN {MNN.version()}"
)
for model in models:
    fns = {b: load_runner(model, 3, b, threads=threads).run for b in ("ov-fp32", "ov-int8")}
    fns["ort"] = onnxruntime_runner(model, 3, threads)[0]
    ref = fns["ov-fp32"](x)
    with tempfile.TemporaryDirectory(prefix="xeonsr-mobile-") as tmp:
        forms = {"deploy": (_deploy_onnx(model, 3, None, Path(tmp))[0], False)}
        if model in PEER_MODELS:
            paper = _peer_module(load_torch_model(model, 3)[0].float())
            example = (torch.rand(1, 1, 24, 24), torch.rand(1, 1, 24 + 2 * PAD, 24 + 2 * PAD))
            axes = {"lr": ("h", "w"), "lr_pad": ("hp", "wp")}
            forms["paper"] = (_to_onnx(paper, example, Path(tmp) / f"{model}_paper.onnx", axes, 13), True)
        for form, (path, two) in forms.items():
            fns[f"ncnn-{form}"] = ncnn_runner(path, two)
            fns[f"mnn-{form}"] = mnn_runner(path, two)
    diffs = {k: float(np.abs(fn(x) - ref).max()) for k, fn in fns.items() if not k.startswith("ov-int8")}
    assert all(d < 1e-3 for d in diffs.values()), diffs
    times = rounds_ms(fns, x, rounds)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{model}: " + ", ".join(f"{k} {v:.2f}" for k, v in med.items()) + " ms")
    others = [k for k in fns if not k.startswith("ov-")]
    for ov in ("ov-fp32", "ov-int8"):
        best = [min(times[k][i] for k in others) / t for i, t in enumerate(times[ov])]
        fastest = min(others, key=med.get)
        print(f"  {ov}: {min(best):.2f}-{max(best):.2f}x the fastest other per round (median: {fastest})")
    print("  max |out - ov-fp32|: " + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items() if k != "ov-fp32"))
