"""Session 67 (Intel Xeon with AMX): FSRCNN x3 INT8 against two INT8 peaks in the same rounds, the
AMX kernel's (`brgconv_avx512_amx_I8`, the bench's INT8 peak kernel) and the AVX-512 VNNI kernel's
(`jit_avx512_I8`), each as xeonsr.peaks.kernel_peak measures it (256-channel 3x3 layers asked for
that kernel, their node time, the chain's first layer left out), because OpenVINO runs
FSRCNN's INT8 layers on the VNNI kernel and never on AMX: asked for `brgconv_avx512_amx` its 12- and
56-channel layers stay on `jit_avx512_I8` (`python benchmarks/probes/layer_kernels.py fsrcnn_x3_int8
160x140 "body.4=brgconv_avx512_amx;body.2=brgconv_avx512_amx_1x1"`). Per round: each peak,
FSRCNN x3 INT8's wall time per call through the bench's runtime, and its
share of each peak, i.e. its peak-bound time over its time.

    python benchmarks/probes/amx_vnni_peak.py 2 8 160x140
"""

import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.info import cpu_info
from xeonsr.ir_graph import conv_macs
from xeonsr.irs import locate_ir
from xeonsr.ov import read_ir
from xeonsr.peaks import kernel_peak
from xeonsr.runtime import load_runner

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
w, h = map(int, sys.argv[3].split("x"))
kernels = {"amx": "brgconv_avx512_amx_I8", "vnni": "jit_avx512_I8"}
runner = load_runner("fsrcnn", 3, "ov-int8", threads=threads)
xml, _ = locate_ir("fsrcnn", 3, "int8")
ops = 2.0 * sum(conv_macs(read_ir(xml), size=(h, w)).values())
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
print(f"{cpu_info().model}, {threads} threads; FSRCNN x3 INT8 at {w}x{h}: {ops / 1e6:.1f} MOP", flush=True)

rates = {k: [] for k in kernels}
times = []
for _ in range(rounds):
    for k, kernel in kernels.items():
        rates[k].append(kernel_peak(kernel, threads))
    times.append(rounds_ms({"fsrcnn": runner.run}, x, 1, calls=5)["fsrcnn"][0])
    share = {k: ops / rates[k][-1] / 1e6 / times[-1] for k in kernels}  # (ops / peak) / time, both in ms
    print(
        f"  round: AMX {rates['amx'][-1]:.0f} GOP/s, VNNI {rates['vnni'][-1]:.0f} GOP/s, FSRCNN {times[-1]:.3f} ms:"
        f" {100 * share['amx']:.0f}% of the AMX peak, {100 * share['vnni']:.0f}% of the VNNI peak",
        flush=True,
    )


def span(v, f="{:.0f}"):
    return f"{f.format(min(v))}-{f.format(max(v))}"


shares = {k: [ops / r / 1e6 / t for r, t in zip(rates[k], times, strict=True)] for k in kernels}
print(
    f"AMX peak {span(rates['amx'])} GOP/s, VNNI peak {span(rates['vnni'])} GOP/s "
    f"(VNNI/AMX {span([v / a for v, a in zip(rates['vnni'], rates['amx'], strict=True)], '{:.2f}')});"
    f" FSRCNN {span(times, '{:.3f}')} ms (median {statistics.median(times):.3f}):"
    f" {span([100 * s for s in shares['amx']])}% of the AMX peak, {span([100 * s for s in shares['vnni']])}% of the VNNI peak;"
    f" its time over the VNNI-peak-bound time {span([1 / s for s in shares['vnni']], '{:.1f}')}x"
)
