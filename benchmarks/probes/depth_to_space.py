"""Session 25 (AVX2 Zen 3): the pixel shuffle at the end of every upsampling IR, exported from
PyTorch as Reshape -> Transpose -> Reshape (6-D), against the same function as one DepthToSpace
(depth_first, the order of torch's pixel_shuffle). Each IR in this CPU's host forms, as the runtime
compiles it; interleaved rounds, each variant re-warmed; outputs compared to the bit.

    python benchmarks/probes/depth_to_space.py 2 12 160x140 fsrcnn_x3_int8_avx2,fsrcnn_x3_fp32
"""

import sys
import time

import numpy as np
from _shuffle import pixel_shuffle_as_depth_to_space

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.ov import compile_ir, read_ir

threads, rounds, size = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
names = sys.argv[4].split(",")
w_, h_ = (int(v) for v in size.split("x"))
x = np.random.default_rng(0).random((1, 1, h_, w_), dtype=np.float32)
isa = cpu_info().isa_class


def build(name, d2s):
    m = read_ir(f"xeonsr/openvino_models/{name}.xml")
    host_forms(m, isa)
    done = pixel_shuffle_as_depth_to_space(m) if d2s else []
    return compile_ir(m, threads).create_infer_request(), done


for name in names:
    variants = {"stored shuffle": build(name, False), "DepthToSpace": build(name, True)}
    outs = {k: r.infer({0: x})[0].copy() for k, (r, _) in variants.items()}
    times = {k: [] for k in variants}
    for _ in range(rounds):
        for k, (r, _) in variants.items():
            time.sleep(0.03)
            t_end = time.perf_counter() + 0.025
            while time.perf_counter() < t_end:
                r.infer({0: x})
            t0 = time.perf_counter()
            for _ in range(10):
                r.infer({0: x})
            times[k].append((time.perf_counter() - t0) / 10 * 1e3)
    base = np.median(times["stored shuffle"])
    for k, (_, done) in variants.items():
        med = np.median(times[k])
        same = np.array_equal(outs[k], outs["stored shuffle"])
        print(
            f"{name:28s} {k:15s} {med:7.3f} ms median ({min(times[k]):.3f}-{max(times[k]):.3f})"
            f"  {base / med:5.3f}x  equal={same}  rewritten={done}"
        )
