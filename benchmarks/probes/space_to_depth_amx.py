"""Session 67 (Intel Xeon with AMX): would FSRCNN's 12-channel INT8 mapping layers gain on AMX in a
space-to-depth form? A 3 x 3 layer of C channels on H x W computed on the 2 x 2 blocks' 4C channels
at H/2 x W/2 takes a 3 x 3 layer of 4C channels there (an output block reads its neighbours):
4x the multiply-adds, in layers wide enough for AMX tiles. Times both shapes as chains of four
INT8 3 x 3 layers with ReLU (u8 between them), by node time of the last three, median. Such a
chain of 12 channels runs on `brgconv_avx512_amx_I8`, while FSRCNN's own mapping layers (PReLU
between them) stay on `jit_avx512_I8` even asked for AMX (`layer_kernels.py`, docs/performance.md).

    python benchmarks/probes/space_to_depth_amx.py 2 160x140 12 3
"""

import statistics
import sys

import numpy as np

from xeonsr.info import cpu_info
from xeonsr.ov import compile_ir
from xeonsr.peaks import _conv_chain

threads = int(sys.argv[1])
w, h = map(int, sys.argv[2].split("x"))
c, passes = int(sys.argv[3]), int(sys.argv[4])
print(f"{cpu_info().model}, {threads} threads", flush=True)
for _ in range(passes):
    for channels, hh, ww in ((c, h, w), (4 * c, h // 2, w // 2)):
        model, rng = _conv_chain(channels, 8, 4, int8=True)  # square planes: reshaped to the size asked
        model.reshape([1, channels, hh, ww])
        x = rng.random((1, channels, hh, ww), dtype=np.float32)
        request = compile_ir(model, threads, profiling=True).create_infer_request()
        for _ in range(20):
            request.infer({0: x})
        per_layer, kernel = [], None
        for _ in range(30):
            request.infer({0: x})
            nodes = [p for p in request.profiling_info if p.node_name in ("peak_conv1", "peak_conv2", "peak_conv3")]
            per_layer.append(sum(p.real_time.total_seconds() for p in nodes) * 1e3 / len(nodes))
            kernel = nodes[0].exec_type
        ms = statistics.median(per_layer)
        macs = channels * channels * 9 * hh * ww
        print(
            f"  {channels} channels on {ww}x{hh}: {kernel}, {ms:.3f} ms a layer, {macs / ms / 1e6:.0f} GMAC/s",
            flush=True,
        )
