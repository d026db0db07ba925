"""Session 64 (AMD EPYC Zen 4): OpenVINO's node times (counters on) of one IR as the runtime
compiles it here (this CPU's forms, its kernel plan) at each LR size, the pixel shuffle as stored,
as one DepthToSpace (d2s) or from channels-last (nhwc; benchmarks/probes/_shuffle.py); the slowest
nodes and the shuffle's. One process per size keeps the sizes apart.

    python benchmarks/probes/shuffle_nodes.py fsrcnn fp32 4 128x128,127x128,128x120,125x120,160x128,160x140 stored
"""

import sys

import numpy as np
from _shuffle import pixel_shuffle_as_depth_to_space, pixel_shuffle_from_channels_last

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.irs import locate_ir
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir

model, precision, scale = sys.argv[1], sys.argv[2], int(sys.argv[3])
sizes = [tuple(map(int, s.split("x"))) for s in sys.argv[4].split(",")]
forms = {"stored": None, "d2s": pixel_shuffle_as_depth_to_space, "nhwc": pixel_shuffle_from_channels_last}
xml, entry = locate_ir(model, scale, precision)
kernels = plan_for(entry, "f32")
print(cpu_info().model, "2 threads", flush=True)
for w, h in sizes:
    for form in sys.argv[5].split(","):
        graph = read_ir(xml)
        host_forms(graph, cpu_info().forms_class, "f32", kernels)
        if forms[form]:
            forms[form](graph)
        request = compile_ir(graph, 2, kernels=kernels, profiling=True).create_infer_request()
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        for _ in range(30):
            request.infer({0: x})
        total: dict[tuple[str, str, str], float] = {}
        for _ in range(40):
            request.infer({0: x})
            for p in request.profiling_info:
                key = (p.node_name[-48:], p.node_type, p.exec_type)
                total[key] = total.get(key, 0.0) + p.real_time.total_seconds() * 1e3 / 40
        shuffle = {k: v for k, v in total.items() if "shuffle" in k[0] or k[1] in ("DepthToSpace", "Transpose")}
        print(
            f"{model} x{scale} {precision} {w}x{h} ({w * h % 1024 == 0 and 'H x W a multiple of 1024' or 'not'}) "
            f"{form}: nodes sum {sum(total.values()):.3f} ms",
            flush=True,
        )
        for (name, kind, kernel), ms in sorted(shuffle.items(), key=lambda kv: -kv[1]):
            if ms > 0.003:
                print(f"    {ms:.3f} ms  {kind:12s} {kernel:20s} {name}", flush=True)
