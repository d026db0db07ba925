"""Per-node times of a model's deploy-form graph in ONNX Runtime (its profiler), to set beside
`xeonsr profile` (OpenVINO's counters) on the same input: where SRCNN FP32 loses to ORT (session
14: the 1x1 64 -> 32 layer, 5.6 ms in MLAS's NCHWc kernel vs 8.6-9.3 in OpenVINO).

    python benchmarks/probes/ort_layer_times.py srcnn 3 2 [WxH, default 160x140]
"""

import json
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
from xeonsr.peers import _to_onnx

model, scale, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
size = sys.argv[4] if len(sys.argv) > 4 else "160x140"
w, h = (int(v) for v in size.split("x"))
net, _ = load_torch_model(model, scale, None)
tmp = tempfile.mkdtemp()
path = _to_onnx(
    deploy_form(net.float()).eval(), (torch.rand(1, 1, 24, 24),), Path(tmp) / "m.onnx", {"lr": ("h", "w")}, 17
)
so = ort.SessionOptions()
so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
so.enable_profiling, so.profile_file_prefix = True, tmp + "/prof"
sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
for _ in range(3):
    sess.run(None, {"lr": x})
times = []
for _ in range(10):
    t0 = time.perf_counter()
    sess.run(None, {"lr": x})
    times.append(time.perf_counter() - t0)
print(f"ONNX Runtime {ort.__version__}, {threads} threads, {size}: median {statistics.median(times) * 1e3:.2f} ms")
nodes = {}
for e in json.loads(Path(sess.end_profiling()).read_text()):
    if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
        nodes.setdefault((e["name"][: -len("_kernel_time")], e["args"].get("op_name")), []).append(e["dur"])
for (name, op), durs in sorted(nodes.items(), key=lambda kv: -statistics.median(kv[1])):
    if statistics.median(durs) > 20:
        print(f"{statistics.median(durs) / 1e3:8.3f} ms  {op:14s} {name}")
