"""Session 21 (AVX2 Zen 3): an FP32 IR over the Set5+Set14 x3 LR Y planes, the shapes one after
another (as a folder runs) against each shape run twice and the second call timed (as the latency
bench), in OpenVINO as stored and in this CPU's forms, beside ONNX Runtime on the deploy-form
graph. Whether a new shape costs OpenVINO more than ONNX Runtime (the dynamic-shape reshape).

    XEONSR_DATA=../shared/datasets python benchmarks/probes/folder_sequence.py 2 3 srcnn
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import openvino as ov
import torch

from xeonsr.evaluate import load_samples, resolve_dataset
from xeonsr.infer import load_torch_model
from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.models import deploy_form
from xeonsr.ov import compile_ir
from xeonsr.peers import _to_onnx

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
model = sys.argv[3] if len(sys.argv) > 3 else "srcnn"
data = os.environ["XEONSR_DATA"]
files = resolve_dataset("Set5", data)[1] + resolve_dataset("Set14", data)[1]
xs = [(s.lr.astype(np.float32) / 255)[None, None] for s in load_samples(files, 3)]
fns = {}
xml = f"xeonsr/openvino_models/{model}_x3_fp32.xml"
for form in ("ov stored", "ov forms"):
    m = ov.Core().read_model(xml)
    if form == "ov forms":
        assert host_forms(m, cpu_info().isa_class)
    c = compile_ir(m, threads)
    fns[form] = (lambda r: lambda a: r.infer({0: a})[0])(c.create_infer_request())
net, _ = load_torch_model(model, 3, None)
path = _to_onnx(
    deploy_form(net.float()).eval(),
    (torch.rand(1, 1, 24, 24),),
    Path(tempfile.mkdtemp()) / "m.onnx",
    {"lr": ("h", "w")},
    17,
)
so = ort.SessionOptions()
so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
fns["ort"] = lambda a: sess.run(None, {"lr": a})[0]
res = {k: {"seq": [], "rep": []} for k in fns}
for f in fns.values():
    for x in xs:
        f(x)
for _ in range(rounds):
    for k, f in fns.items():
        t = time.perf_counter()
        for x in xs:
            f(x)
        res[k]["seq"].append(time.perf_counter() - t)
        tot = 0.0
        for x in xs:
            f(x)
            t = time.perf_counter()
            f(x)
            tot += time.perf_counter() - t
        res[k]["rep"].append(tot)
for k, r in res.items():
    print(
        f"{k:10s} sequence {min(r['seq']) * 1e3 / len(xs):7.2f} ms/img  repeated {min(r['rep']) * 1e3 / len(xs):7.2f} ms/img  seq/rep {min(r['seq']) / min(r['rep']):.2f}"
    )
