"""Session 45 (AVX2 Zen 3): the OpenCV peer (xeonsr.peers.opencv_runner, cv2.dnn on the FSRCNN
graph the bench runs) under whichever OpenCV is first on the path: median ms per LR size, then
OpenCV's own per-layer times (getPerfProfile, both engines have it) at the first size, slowest
first. Run it once per OpenCV in turn,
e.g. with OpenCV 5.1 from a side venv put first by PYTHONPATH:

    python -m venv /tmp/cv5 && /tmp/cv5/bin/pip install opencv-contrib-python-headless==5.1.0.95
    mkdir -p /tmp/cv5path && ln -s /tmp/cv5/lib/python3.11/site-packages/cv2 /tmp/cv5path/cv2
    for i in 1 2 3; do python benchmarks/probes/opencv_versions.py 2 10 160x140,92x92 fsrcnn;
      PYTHONPATH=/tmp/cv5path python benchmarks/probes/opencv_versions.py 2 10 160x140,92x92 fsrcnn; done
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from xeonsr.infer import load_torch_model
from xeonsr.models.bicubic import PAD
from xeonsr.peers import _peer_module, _to_onnx, opencv_runner

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(int(v) for v in s.split("x"))[::-1] for s in sys.argv[3].split(",")]
model = sys.argv[4] if len(sys.argv) > 4 else "fsrcnn"

t0 = time.perf_counter()
fn, note, _ = opencv_runner(model, 3, threads)
load_ms = 1e3 * (time.perf_counter() - t0)
rng = np.random.default_rng(0)
line = [
    f"OpenCV {cv2.__version__}, {threads} threads (cv2.getNumThreads {cv2.getNumThreads()}), load {load_ms:.0f} ms:"
]
for h, w in sizes:
    lr = rng.random((1, 1, h, w), dtype=np.float32)
    for _ in range(2):
        fn(lr)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn(lr)
        times.append(1e3 * (time.perf_counter() - t))
    line.append(f"{w}x{h} {statistics.median(times):.2f} ms")
print(" ".join(line))

# The same graph again, for its per-layer counters (opencv_runner keeps its net to itself).
peer = _peer_module(load_torch_model(model, 3, None)[0].float())
with tempfile.TemporaryDirectory() as tmp:
    x, x_pad = torch.rand(1, 1, 24, 24), torch.rand(1, 1, 24 + 2 * PAD, 24 + 2 * PAD)
    path = _to_onnx(peer, (x, x_pad), Path(tmp) / "peer.onnx", {"lr": ("h", "w"), "lr_pad": ("hp", "wp")}, 13)
    net = cv2.dnn.readNetFromONNX(str(path))
h, w = sizes[0]
lr = rng.random((1, 1, h, w), dtype=np.float32)
padded = cv2.copyMakeBorder(lr[0, 0], PAD, PAD, PAD, PAD, cv2.BORDER_REFLECT)
for _ in range(rounds):
    net.setInput(lr, "lr")
    net.setInput(padded[None, None], "lr_pad")
    net.forward()
total, layer_ticks = net.getPerfProfile()
ms = 1e3 / cv2.getTickFrequency()
slowest = sorted(zip(net.getLayerNames(), np.ravel(layer_ticks), strict=False), key=lambda t: -t[1])[:6]
print(f"  last call {total * ms:.2f} ms at {w}x{h}: " + ", ".join(f"{n} {t * ms:.2f}" for n, t in slowest))
