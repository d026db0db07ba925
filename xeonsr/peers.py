"""Peers measured in the same run as xeonsr: OpenCV's dnn module running FSRCNN, and ONNX
Runtime running every model.

OpenCV's ``dnn_superres`` runs FSRCNN as a plain network in ``cv2.dnn`` (its FSRCNN_x3.pb is
the paper's layers: 5x5 conv, shrink, 4 maps, expand, 9x9 deconvolution). Its .pb files are not
fetchable here, so the peer is the same computation built from our weights: the paper form of
our FSRCNN (the stride-s deconvolution, not our conv + shuffle rewrite), handed to
``cv2.dnn.readNetFromONNX``. Our bicubic skip goes in as a second input padded by
``cv2.copyMakeBorder(BORDER_REFLECT)`` (MATLAB's 'symmetric'), so OpenCV computes exactly
the function we do and its PSNR is comparable; the padding is inside the timed call.
ONNX Runtime gets the very graph the OpenVINO IR holds (the exact deploy form, exported to ONNX
with dynamic H/W), so the two runtimes are compared on the same computation; it runs with its
defaults for latency (all graph optimizations, sequential execution, spinning intra-op
threads) and the bench's thread count.
Needs the ``peers`` extra: ``pip install -e .[peers]``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from xeonsr.errors import UserError

PEER_MODELS = ("fsrcnn", "fsrcnn-s")


def _peer_module(net):
    from torch import nn
    from torch.nn import functional as F

    class PaperFSRCNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = net

        def forward(self, x, x_pad):
            y = self.net.deconv(self.net.body(x))
            if self.net.upsample is None:
                return y
            return y + F.pixel_shuffle(F.conv2d(x_pad, self.net.upsample.weight), self.net.scale)

    return PaperFSRCNN().eval()


def _to_onnx(module, example: tuple, path: Path, inputs: dict[str, tuple[str, str]], opset: int) -> Path:
    """Export ``module`` with dynamic H/W for each named input (and the output ``sr``)."""
    import torch

    axes = {name: {2: h, 3: w} for name, (h, w) in inputs.items()}
    with torch.no_grad():
        torch.onnx.export(
            module,
            example,
            str(path),
            dynamo=False,
            input_names=list(inputs),
            output_names=["sr"],
            opset_version=opset,
            dynamic_axes={**axes, "sr": {2: "H", 3: "W"}},
        )
    return path


def opencv_runner(model: str, scale: int, threads: int | None, weights=None):
    """-> (fn on a (1, 1, h, w) float32 array, note, torch module) running ``model`` in cv2.dnn."""
    if model not in PEER_MODELS:
        raise UserError(f"the opencv peer runs the FSRCNN family ({', '.join(PEER_MODELS)}), not {model}")
    try:
        import cv2
        import onnx  # noqa: F401 - torch's ONNX exporter needs it
    except ImportError:
        raise UserError("opencv backend needs the peers extra: pip install -e '.[peers]'") from None
    import torch

    from xeonsr.infer import load_torch_model
    from xeonsr.models.bicubic import PAD

    net, _ = load_torch_model(model, scale, weights)
    peer = _peer_module(net.float())
    x = torch.rand(1, 1, 24, 24)
    x_pad = torch.rand(1, 1, 24 + 2 * PAD, 24 + 2 * PAD)
    with tempfile.TemporaryDirectory(prefix="xeonsr-peer-") as tmp:
        path = _to_onnx(
            peer, (x, x_pad), Path(tmp) / f"{model}_x{scale}.onnx", {"lr": ("h", "w"), "lr_pad": ("hp", "wp")}, 13
        )
        cv_net = cv2.dnn.readNetFromONNX(str(path))
    cv_net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    cv_net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    if threads:
        cv2.setNumThreads(threads)

    def fn(lr: np.ndarray) -> np.ndarray:
        padded = cv2.copyMakeBorder(lr[0, 0], PAD, PAD, PAD, PAD, cv2.BORDER_REFLECT)
        cv_net.setInput(lr, "lr")
        cv_net.setInput(padded[None, None], "lr_pad")
        return cv_net.forward()

    return fn, f"OpenCV {cv2.__version__} cv2.dnn fp32, paper-form FSRCNN (the network dnn_superres runs)", net


def onnxruntime_runner(model: str, scale: int, threads: int | None, weights=None):
    """-> (fn on a (1, 1, h, w) float32 array, note, torch module) running ``model`` in ONNX Runtime."""
    try:
        import onnx  # noqa: F401 - torch's ONNX exporter needs it
        import onnxruntime as ort
    except ImportError:
        raise UserError("ort backend needs the peers extra: pip install -e '.[peers]'") from None
    import torch

    from xeonsr.infer import load_torch_model
    from xeonsr.models import deploy_form

    net, _ = load_torch_model(model, scale, weights)
    graph = deploy_form(net.float()).eval()
    with tempfile.TemporaryDirectory(prefix="xeonsr-peer-") as tmp:
        path = _to_onnx(
            graph, (torch.rand(1, 1, 24, 24),), Path(tmp) / f"{model}_x{scale}.onnx", {"lr": ("h", "w")}, 17
        )
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads or 0
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

    def fn(lr: np.ndarray) -> np.ndarray:
        return sess.run(None, {"lr": lr})[0]

    return fn, f"ONNX Runtime {ort.__version__} CPU fp32, the same deploy-form graph as the OpenVINO IR", net
