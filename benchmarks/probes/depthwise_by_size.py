"""SRCNN's FP32 layers per output pixel by image size, in the AVX2 class's blocked chain: where a
plane of the 8-channel-block layout is near a multiple of 4 KiB, `jit_avx2_dw` (three blocks at
a time) slows down. Each size compiles its own dynamic network, as shipped (``whole``) and with
the depthwise layer in halves in that dynamic graph (``halves``: xeonsr.ir_blocked.depthwise_halves,
whose Split and Concat are then copies); counters' medians over interleaved rounds.

    python benchmarks/probes/depthwise_by_size.py 2 12 160x140,161x140,160x141,162x140,168x140 whole
    python benchmarks/probes/depthwise_by_size.py 3 8 166x170,168x170,170x170,171x170,174x170 whole
    python benchmarks/probes/depthwise_by_size.py 3 6 160x140 whole,halves

Per size and form: the HR plane's size mod 4096 bytes (H x W x 8 floats), ms and ns per output
pixel of the first, middle and depthwise layers and the channel sum, and the Split and Concat.
"""

import statistics
import sys

import numpy as np
import openvino as ov

from xeonsr.ir_blocked import depthwise_halves
from xeonsr.ir_forms import host_forms
from xeonsr.ov import compile_ir

scale, rounds = int(sys.argv[1]), int(sys.argv[2])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[3].split(",")]
forms = sys.argv[4].split(",")
source = ov.Core().read_model(f"xeonsr/openvino_models/srcnn_x{scale}_fp32.xml")


def graph(form):
    g = source.clone()
    host_forms(g, "avx2")
    if form == "halves":
        assert depthwise_halves(g)
    return g


requests = {(s, f): compile_ir(graph(f), 2, profiling=True).create_infer_request() for s in sizes for f in forms}
times = {k: {} for k in requests}
for _ in range(rounds):
    for (size, form), request in requests.items():
        x = np.random.default_rng(0).random((1, 1, size[1], size[0]), dtype=np.float32)
        for _ in range(3):
            request.infer({0: x})
            for p in request.profiling_info:
                times[(size, form)].setdefault((p.node_name, p.node_type), []).append(p.real_time.total_seconds() * 1e3)
for (size, form), t in times.items():
    w, h = size[0] * scale, size[1] * scale
    med = {k: statistics.median(v) for k, v in t.items()}

    def ms(layer=None, kind=None):
        return sum(
            v for (n, k), v in med.items() if (layer is None or n.startswith(f"__module.{layer}/")) and k == kind
        )

    cells = [("conv1", ms("conv1", "Convolution")), ("conv2", ms("conv2", "Convolution"))]
    cells += [("depthwise", ms(None, "GroupConvolution")), ("sum", ms("conv3.combine", "Convolution"))]
    cells += [("Split", ms(None, "Split")), ("Concat", ms("conv3.columns", "Concat"))]
    print(
        f"{size[0]}x{size[1]} x{scale} {form} (HR {w}x{h}, plane mod 4096 = {w * h * 32 % 4096}): "
        + ", ".join(f"{n} {v:.2f} ms ({v / (w * h) * 1e6:.1f} ns/px)" for n, v in cells)
    )
