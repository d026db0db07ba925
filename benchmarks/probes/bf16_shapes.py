"""Does OpenVINO's bf16 give a pixel the same value whatever the input's shape (so tiles give the
untiled image)? MODEL xSCALE's FP32 IR compiled with INFERENCE_PRECISION_HINT=bf16 on a random
HxW reference image, then on its left columns (each width from 8 to W-1, the reference's first
ROWS rows) and on its top rows (each height, the first ROWS columns): the widths and heights whose
output differs from the reference's same pixels (RADIUS HR pixels from the crop's cut edge left out).

    python benchmarks/probes/bf16_shapes.py fsrcnn 3 85x85 60 30
    python benchmarks/probes/bf16_shapes.py fsrcnn 3 600x40 40 30
"""

import sys

import numpy as np
import openvino as ov

from xeonsr.irs import locate_ir

model, scale = sys.argv[1], int(sys.argv[2])
w, h = map(int, sys.argv[3].split("x"))
rows, radius = int(sys.argv[4]), int(sys.argv[5])
xml, _ = locate_ir(model, scale, "fp32")
core = ov.Core()
net = core.compile_model(
    core.read_model(str(xml)), "CPU", {"INFERENCE_PRECISION_HINT": "bf16", "INFERENCE_NUM_THREADS": "2"}
)
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
ref = net({0: x})[0]
kernels = sorted(
    {
        n.get_rt_info()["primitiveType"].astype(str)
        for n in net.get_runtime_model().get_ordered_ops()
        if "conv" in n.get_rt_info()["primitiveType"].astype(str)
    }
)
print(f"{model} x{scale} bf16 on {w}x{h}, kernels {kernels}")
for axis, name in ((3, "widths"), (2, "heights")):
    bad = []
    for n in range(8, x.shape[axis]):
        crop = x[..., :n, :rows] if axis == 2 else x[..., :rows, :n]
        y = net({0: np.ascontiguousarray(crop)})[0]
        keep = [slice(None)] * 4
        keep[axis] = slice(0, max(scale * n - radius, 1))
        keep[5 - axis] = slice(0, scale * min(rows, x.shape[5 - axis]) - radius)
        if np.abs(y[tuple(keep)] - ref[tuple(keep)]).max() > 0:
            bad.append(n)
    print(f"{name} whose pixels differ from the reference's: {bad or 'none'}")
