"""The INT8 peak's convolution chain as NNCF quantizes it and as xeonsr.peaks builds it (no NNCF):
the kernel each runs and its rate by OpenVINO's node counters, interleaved rounds.

    python benchmarks/probes/int8_peak_chain.py THREADS ROUNDS

Session 44 (AMD EPYC Zen 3, 2 threads): see benchmarks/probes/README.md.
"""

import contextlib
import io
import statistics
import sys
import time

import nncf
import numpy as np

from xeonsr.ov import compile_ir
from xeonsr.peaks import _conv_chain, _node_rate

C, SIDE, LAYERS = 256, 56, 4


def nncf_chain():
    model, rng = _conv_chain(C, SIDE, LAYERS)
    calib = [rng.random((1, C, SIDE, SIDE), dtype=np.float32) for _ in range(4)]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return nncf.quantize(model, nncf.Dataset(calib), subset_size=len(calib)), calib[0]


def built_chain():
    model, rng = _conv_chain(C, SIDE, LAYERS, int8=True)
    return model, rng.random((1, C, SIDE, SIDE), dtype=np.float32)


def main(threads: int, rounds: int) -> None:
    flop = 2.0 * C * C * 9 * SIDE * SIDE
    chains = {}
    for name, make in (("nncf", nncf_chain), ("built", built_chain)):
        model, inp = make()
        req = compile_ir(model, threads, profiling=True).create_infer_request()
        for _ in range(3):
            req.infer({0: inp})
        kernels = sorted({p.exec_type for p in req.profiling_info if p.node_type == "Convolution"})
        chains[name] = (req, inp)
        print(f"{name}: convolution kernels {kernels}")
    rates = {k: [] for k in chains}
    for r in range(rounds):
        for name in list(chains)[r % 2 :] + list(chains)[: r % 2]:
            req, inp = chains[name]
            time.sleep(0.03)
            req.infer({0: inp})
            rates[name].append(max(_node_rate(req, inp, flop)[0] for _ in range(2)))
    for name, got in rates.items():
        print(f"{name}: GOP/s per round {[round(g) for g in got]}, median {statistics.median(got):.0f}")
    ratio = [b / n for b, n in zip(rates["built"], rates["nncf"], strict=True)]
    print(f"built / nncf per round: {min(ratio):.3f}-{max(ratio):.3f}, median {statistics.median(ratio):.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
