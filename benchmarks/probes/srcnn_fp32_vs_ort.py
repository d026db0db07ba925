"""Session 17 (AVX2 Zen 3): SRCNN's FP32 IR in OpenVINO as stored and in this CPU's exact forms
(xeonsr.ir_forms.host_forms), beside ONNX Runtime on the deploy-form graph the peer runs
(last layer as a column pair) and on the same graph with the last layer as a row pair (the form
that made OpenVINO's last layer 1.6x faster, given to ONNX Runtime too, so the peer is measured at
its best). Interleaved rounds per LR size, given threads; median ms and ONNX Runtime's best / each.

    python benchmarks/probes/srcnn_fp32_vs_ort.py 2 12 160x140,240x192,120x83
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import openvino as ov
import torch
from torch import nn

from xeonsr.infer import load_torch_model
from xeonsr.ir_forms import host_forms
from xeonsr.models import deploy_form
from xeonsr.ov import compile_ir
from xeonsr.peers import _to_onnx

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(int(v) for v in s.split("x"))[::-1] for s in sys.argv[3].split(",")]
model = sys.argv[4] if len(sys.argv) > 4 else "srcnn"


class RowPair(nn.Module):
    """conv3 (1, c, f, f) as a 1 x f convolution to f channels (one per kernel row) and the f x 1
    convolution adding the rows back: what xeonsr.ir_forms.row_pairs makes of the column pair."""

    def __init__(self, w, b):
        super().__init__()
        c, f = w.shape[1], w.shape[-1]
        self.rows = nn.Conv2d(c, f, (1, f), padding=(0, f // 2), bias=False)
        self.add = nn.Conv2d(f, 1, (f, 1), padding=(f // 2, 0))
        with torch.no_grad():
            self.rows.weight.copy_(w[0].permute(1, 0, 2)[:, :, None, :])
            self.add.weight.copy_(torch.eye(f).reshape(1, f, f, 1))
            self.add.bias.copy_(b)

    def forward(self, h):
        return self.add(self.rows(h))


net, _ = load_torch_model(model, 3, None)
graphs = {"ort columns": deploy_form(net.float()).eval(), "ort row pair": deploy_form(net.float()).eval()}
graphs["ort row pair"].conv3 = RowPair(net.conv3.weight.detach(), net.conv3.bias.detach())
fns = {}
xml = f"xeonsr/openvino_models/{model}_x3_fp32.xml"
for form in ("ov stored", "ov host forms"):
    m = ov.Core().read_model(xml)
    if form == "ov host forms":
        assert host_forms(m, "avx2")
    fns[form] = (lambda r: lambda a: r.infer({0: a})[0])(compile_ir(m, threads).create_infer_request())
tmp = tempfile.mkdtemp()
for name, g in graphs.items():
    path = _to_onnx(g, (torch.rand(1, 1, 24, 24),), Path(tmp) / f"{len(fns)}.onnx", {"lr": ("h", "w")}, 17)
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    fns[name] = (lambda s: lambda a: s.run(None, {"lr": a})[0])(sess)
for h, w in sizes:
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    ref = fns["ov stored"](x).copy()
    diffs = {k: float(np.abs(f(x) - ref).max()) for k, f in fns.items()}
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for k, f in fns.items():
            f(x)
            t = time.perf_counter()
            for _ in range(3):
                f(x)
            times[k].append((time.perf_counter() - t) / 3e-3)
    med = {k: statistics.median(v) for k, v in times.items()}
    best_ort = min(med["ort columns"], med["ort row pair"])
    for k in fns:
        print(f"{w}x{h} {k:14s} {med[k]:8.2f} ms  ORT best / this {best_ort / med[k]:.2f}  maxdiff {diffs[k]:.1e}")
