"""Peers measured in the same run as xeonsr: OpenCV's dnn module running FSRCNN, and ONNX
Runtime running every model, in FP32 and in its own INT8.

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
threads) and the bench's thread count. Its INT8 (``ort-int8``) is ONNX Runtime's own static
quantizer on that graph, calibrated on the crops xeonsr's PTQ calibrates on, with the layers the
OpenVINO INT8 IR keeps float left float: the same layers INT8, each runtime's own quantization.
Needs the ``peers`` extra: ``pip install -e .[peers]``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from xeonsr.errors import UserError

PEER_MODELS = ("fsrcnn", "fsrcnn-s")
# ort-int8's quantized graphs by what they were made from: a folder run's sessions share one.
_QUANTIZED: dict[tuple, tuple] = {}  # key -> (graph bytes, note, torch module)


def _peer_module(net):
    from torch import nn
    from torch.nn import functional as F

    class PaperFSRCNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = net

        def forward(self, x, x_pad):
            y = self.net.deconv(self.net.body(x))
            return y + F.pixel_shuffle(F.conv2d(x_pad, self.net.upsample.weight), self.net.scale)

    class PlainFSRCNN(nn.Module):  # no bicubic skip: the paper's network as it stands, one input
        def __init__(self) -> None:
            super().__init__()
            self.net = net

        def forward(self, x):
            return self.net.deconv(self.net.body(x))

    return (PlainFSRCNN() if net.upsample is None else PaperFSRCNN()).eval()


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
    # A missing one is the CLI's (and the bench's skip) one line naming what to install.
    import cv2
    import onnx  # noqa: F401 - torch's ONNX exporter needs it
    import torch

    from xeonsr.infer import load_torch_model
    from xeonsr.models.bicubic import PAD

    net, _ = load_torch_model(model, scale, weights)
    peer = _peer_module(net.float())
    # Weights trained without the bicubic skip (no --model-args '{"residual": true}') have no
    # padded input: the exporter drops an unused one, and setting it failed in cv2.dnn.
    skip = net.upsample is not None
    x = torch.rand(1, 1, 24, 24)
    example = (x, torch.rand(1, 1, 24 + 2 * PAD, 24 + 2 * PAD)) if skip else (x,)
    inputs = {"lr": ("h", "w"), "lr_pad": ("hp", "wp")} if skip else {"lr": ("h", "w")}
    with tempfile.TemporaryDirectory(prefix="xeonsr-peer-") as tmp:
        path = _to_onnx(peer, example, Path(tmp) / f"{model}_x{scale}.onnx", inputs, 13)
        cv_net = cv2.dnn.readNetFromONNX(str(path))
    if int(cv2.__version__.split(".")[0]) < 5:
        # OpenCV 5's graph engine has no back-ends or targets yet (setting them only logs a warning).
        cv_net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        cv_net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    if threads:
        cv2.setNumThreads(threads)

    def fn(lr: np.ndarray) -> np.ndarray:
        cv_net.setInput(lr, "lr")
        if skip:
            cv_net.setInput(cv2.copyMakeBorder(lr[0, 0], PAD, PAD, PAD, PAD, cv2.BORDER_REFLECT)[None, None], "lr_pad")
        return cv_net.forward()

    return fn, f"OpenCV {cv2.__version__} cv2.dnn fp32, paper-form FSRCNN (the network dnn_superres runs)", net


def _deploy_onnx(model: str, scale: int, weights, folder: Path):
    """(path of the deploy-form graph as ONNX with dynamic H/W, the torch module) of ``model``."""
    import torch

    from xeonsr.infer import load_torch_model
    from xeonsr.models import deploy_form

    net, _ = load_torch_model(model, scale, weights)
    graph = deploy_form(net.float()).eval()
    path = _to_onnx(graph, (torch.rand(1, 1, 24, 24),), folder / f"{model}_x{scale}.onnx", {"lr": ("h", "w")}, 17)
    return path, net


def _ort_session(graph: Path | bytes, threads: int | None):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads or 0
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    source = graph if isinstance(graph, bytes) else str(graph)
    return ort.InferenceSession(source, so, providers=["CPUExecutionProvider"])


def _import_ort():
    import onnx  # noqa: F401 - torch's ONNX exporter needs it
    import onnxruntime as ort
    import torch  # noqa: F401 - the graph is exported from the torch model; missing ones as for opencv_runner

    return ort


def onnxruntime_runner(model: str, scale: int, threads: int | None, weights=None):
    """-> (fn on a (1, 1, h, w) float32 array, note, torch module) running ``model`` in ONNX Runtime."""
    ort = _import_ort()
    with tempfile.TemporaryDirectory(prefix="xeonsr-peer-") as tmp:
        path, net = _deploy_onnx(model, scale, weights, Path(tmp))
        sess = _ort_session(path, threads)

    def fn(lr: np.ndarray) -> np.ndarray:
        return sess.run(None, {"lr": lr})[0]

    return fn, f"ONNX Runtime {ort.__version__} CPU fp32, the same deploy-form graph as the OpenVINO IR", net


def onnx_module_path(node_name: str) -> str:
    """The module path of an exported node ("/body/body.0/Conv" -> "body.0", "/head_columns/
    columns/Conv" -> "head_columns.columns"): the torch exporter scopes each node by its modules,
    a Sequential's child by its full path, an attribute's by its own name."""
    path = ""
    for part in node_name.strip("/").split("/")[:-1]:
        path = part if not path or part.startswith(path + ".") else f"{path}.{part}"
    return path


def onnxruntime_int8_runner(model: str, scale: int, threads: int | None, weights=None, data_dir=None):
    """-> (fn, note, torch module) running ``model`` in ONNX Runtime's own INT8: its static
    quantizer (QDQ: per-channel int8 weights, uint8 activations; 7-bit weights where the CPU has
    no int8 dot products, as ONNX Runtime advises for its AVX2 kernels, which saturate) on the
    deploy-form graph, calibrated on the crops ``xeonsr quantize`` calibrates on (the training
    set under ``data_dir`` or $XEONSR_DATA), the layers this CPU's OpenVINO INT8 IR keeps float
    left float. Quantizing takes seconds, once per process (inside the first load's time)."""
    ort = _import_ort()
    from xeonsr.info import cpu_info

    key = (model, scale, str(weights), str(data_dir), not cpu_info().int8_dot)
    if key not in _QUANTIZED:
        _QUANTIZED[key] = _ort_int8_graph(model, scale, weights, data_dir, key[-1])
    graph, note, net = _QUANTIZED[key]
    sess = _ort_session(graph, threads)

    def fn(lr: np.ndarray) -> np.ndarray:
        return sess.run(None, {"lr": lr})[0]

    return fn, f"ONNX Runtime {ort.__version__} CPU int8, {note}", net


def _ort_int8_graph(model: str, scale: int, weights, data_dir, reduce_range: bool):
    """(the quantized ONNX graph as bytes, what it is in words, the torch module)."""
    import logging

    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    from xeonsr.ir_graph import float_layers, module_path
    from xeonsr.irs import locate_ir
    from xeonsr.ov import read_ir
    from xeonsr.quant_recipe import calibration_items, load_recipe

    xml, _ = locate_ir(model, scale, "int8", None)
    keep_float = {module_path(n) for n in float_layers(read_ir(xml))}
    recipe = load_recipe(model, scale=scale)
    try:
        crops = calibration_items(recipe, scale, data_dir)
    except UserError as e:
        raise UserError(f"ort-int8 calibrates on {recipe.calibration_set} crops: {e}") from None

    class Crops(CalibrationDataReader):
        def __init__(self) -> None:
            self.left = iter(crops)

        def get_next(self):
            x = next(self.left, None)
            return None if x is None else {"lr": x}

    with tempfile.TemporaryDirectory(prefix="xeonsr-peer-") as tmp:
        path, net = _deploy_onnx(model, scale, weights, Path(tmp))
        convs = [n.name for n in onnx.load(str(path)).graph.node if n.op_type == "Conv"]
        excluded = [n for n in convs if onnx_module_path(n) in keep_float]
        quantized = Path(tmp) / "int8.onnx"
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # its advice to run its pre-processing script, every call
        try:
            quantize_static(
                str(path),
                str(quantized),
                Crops(),
                quant_format=QuantFormat.QDQ,
                per_channel=True,
                reduce_range=reduce_range,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                op_types_to_quantize=["Conv"],
                nodes_to_exclude=excluded,
            )
        finally:
            root.setLevel(level)
        graph = quantized.read_bytes()
    note = (
        f"its static quantizer (QDQ, per-channel{', 7-bit weights' if reduce_range else ''}) on the deploy-form "
        f"graph, {len(crops)} {recipe.calibration_set} crops, {len(convs) - len(excluded)} of {len(convs)} "
        "convolutions INT8 (the OpenVINO INT8 IR's float layers kept float)"
    )
    return graph, note, net
