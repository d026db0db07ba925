"""Each convolution of an IR asked for OpenVINO's direct AVX2 kernel (`jit_avx2`, what a kernel
plan's request falls back to on an AVX2-only CPU), alone and all together, against the default
choice, in this CPU's forms: is there a kernel plan worth making for the AVX2 class?

    python benchmarks/probes/avx2_jit_kernels.py fsrcnn 3 int8 160x140 5
"""

import statistics
import sys

import numpy as np

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.irs import locate_ir
from xeonsr.kernels import conv_layers
from xeonsr.ov import compile_ir, read_ir

sys.path.insert(0, "benchmarks/probes")
from _rounds import rounds_ms  # noqa: E402

model, scale, precision = sys.argv[1], int(sys.argv[2]), sys.argv[3]
w, h = map(int, sys.argv[4].split("x"))
rounds = int(sys.argv[5])
xml, _ = locate_ir(model, scale, precision, None)
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
layers = [name for name, _ in conv_layers(read_ir(xml))]


def request(kernels):
    graph = read_ir(xml)
    host_forms(graph, cpu_info().forms_class, "f32", {})
    req = compile_ir(graph, 2, kernels=kernels).create_infer_request()
    return lambda a: next(iter(req.infer({0: a}).values()))


variants = {"default": {}, "all jit_avx2": dict.fromkeys(layers, "jit_avx2")}
variants.update({name.split("/")[0].replace("__module.", ""): {name: "jit_avx2"} for name in layers})
fns = {k: request(v) for k, v in variants.items()}
ref = fns["default"](x).copy()
times = rounds_ms(fns, x, rounds)
print(f"{cpu_info().model}, {model} x{scale} {precision}, {w}x{h}, 2 threads, {rounds} rounds")
for k, t in times.items():
    ratio = [d / v for d, v in zip(times["default"], t, strict=True)]
    diff = float(np.abs(fns[k](x) - ref).max())
    print(
        f"{k:24s} {statistics.median(t):7.2f} ms  speed-up {min(ratio):.2f}-{max(ratio):.2f} "
        f"(median {statistics.median(ratio):.2f})  max diff {diff:.1g}"
    )
