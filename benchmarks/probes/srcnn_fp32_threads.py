"""Session 34 (Intel Xeon with AMX): is SRCNN FP32's gap to ONNX Runtime in how two threads share
the layers, or in the kernels? SRCNN x3's stored FP32 IR in OpenVINO and the same deploy-form
graph in ONNX Runtime, each with 1 and 2 threads, interleaved rounds on one LR size; median ms and
each runtime's 2-thread speed-up.

    python benchmarks/probes/srcnn_fp32_threads.py 10 160x140

Session 34, quiet, two runs: OpenVINO 36.6 / 18.5 and 34.7 / 17.4 ms (1.97x, 2.00x), ONNX Runtime
33.4 / 17.8 and 31.1 / 16.3 ms (1.88x, 1.91x): OpenVINO is as far behind on one thread (0.90-0.91x),
so the gap is in the kernels.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from xeonsr.infer import load_torch_model
from xeonsr.models import deploy_form
from xeonsr.ov import compile_ir, read_ir
from xeonsr.peers import _to_onnx

rounds = int(sys.argv[1])
w, h = (int(v) for v in (sys.argv[2] if len(sys.argv) > 2 else "160x140").split("x"))
net, _ = load_torch_model("srcnn", 3, None)
onnx = _to_onnx(
    deploy_form(net.float()).eval(),
    (torch.rand(1, 1, 24, 24),),
    Path(tempfile.mkdtemp()) / "m.onnx",
    {"lr": ("h", "w")},
    17,
)
fns = {}
for threads in (1, 2):
    req = compile_ir(read_ir(Path("xeonsr/openvino_models/srcnn_x3_fp32.xml")), threads).create_infer_request()
    fns[f"openvino {threads}"] = (lambda r: lambda a: r.infer({0: a})[0])(req)
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    sess = ort.InferenceSession(str(onnx), so, providers=["CPUExecutionProvider"])
    fns[f"onnxruntime {threads}"] = (lambda s: lambda a: s.run(None, {"lr": a})[0])(sess)
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
times = {k: [] for k in fns}
for _ in range(rounds):
    for k, f in fns.items():
        f(x)
        t0 = time.perf_counter()
        for _ in range(3):
            f(x)
        times[k].append((time.perf_counter() - t0) / 3e-3)
med = {k: statistics.median(v) for k, v in times.items()}
for k, v in med.items():
    print(f"{k:14s} {v:7.2f} ms")
for rt in ("openvino", "onnxruntime"):
    print(f"{rt}: 2 threads {med[f'{rt} 1'] / med[f'{rt} 2']:.2f}x its 1 thread")
print(f"openvino / onnxruntime speed: 1 thread {med['onnxruntime 1'] / med['openvino 1']:.2f}x, "
      f"2 threads {med['onnxruntime 2'] / med['openvino 2']:.2f}x")  # fmt: skip
