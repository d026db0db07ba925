"""Which input sizes crash an INT8 IR on this CPU, with and without xeonsr's crash guard, and
what the guard costs (openvinotoolkit/openvino#37577: OpenVINO's INT8 1x1 AMX kernel segfaults
on some sizes of a dynamic-shape model).

Each IR runs a fixed list of random sizes in a child process; a child that crashes is restarted
after the size it died on. ``plain`` compiles the IR as OpenVINO would (f32 hint, no guard);
``guarded`` is ``xeonsr.ov.compile_ir``. Then both are timed on a 160x140 input, interleaved.

Usage: python benchmarks/probes/amx_int8_crash.py IR.xml [IR.xml ...] [--sizes 150] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time

CHILD = r"""
import json, sys, numpy as np
import xeonsr.kernels
from xeonsr.ov import compile_ir
xml, guarded, sizes = sys.argv[1], sys.argv[2] == "1", json.loads(sys.argv[3])
if not guarded:
    xeonsr.kernels.AVOID = {}
request = compile_ir(xml, int(sys.argv[4])).create_infer_request()
for h, w in sizes:
    print(f"TRY {h} {w}", flush=True)
    request.infer({0: np.random.rand(1, 1, h, w).astype(np.float32)})
print("DONE", flush=True)
"""


def crashes(xml: str, guarded: bool, sizes: list[tuple[int, int]], threads: int) -> list[tuple[int, int]]:
    crashed, todo = [], list(sizes)
    while todo:
        args = [sys.executable, "-c", CHILD, xml, "1" if guarded else "0", json.dumps(todo), str(threads)]
        out = subprocess.run(args, capture_output=True, text=True).stdout
        tried = [tuple(map(int, line.split()[1:])) for line in out.splitlines() if line.startswith("TRY")]
        if "DONE" in out or not tried:
            break
        crashed.append(tried[-1])
        todo = todo[len(tried) :]
    return crashed


def timing(xml: str, threads: int, rounds: int = 10) -> dict[str, float]:
    import numpy as np

    import xeonsr.kernels
    from xeonsr.ov import compile_ir

    guard = dict(xeonsr.kernels.AVOID)
    xeonsr.kernels.AVOID = {}
    plain = compile_ir(xml, threads).create_infer_request()
    xeonsr.kernels.AVOID = guard
    guarded = compile_ir(xml, threads).create_infer_request()
    x = np.random.default_rng(0).random((1, 1, 140, 160), dtype=np.float32)  # a size neither crashes on
    times: dict[str, list[float]] = {"plain": [], "guarded": []}
    for _ in range(rounds):
        for name, req in (("plain", plain), ("guarded", guarded)):
            for _ in range(3):
                req.infer({0: x})
            t0 = time.perf_counter()
            for _ in range(10):
                req.infer({0: x})
            times[name].append((time.perf_counter() - t0) / 10 * 1e3)
    return {k: float(np.median(v)) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("irs", nargs="+")
    ap.add_argument("--sizes", type=int, default=150)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    from xeonsr.info import cpu_info

    print(cpu_info().model)
    rng = random.Random(1)
    sizes = [(rng.randint(8, 300), rng.randint(8, 300)) for _ in range(args.sizes)]
    for xml in args.irs:
        plain = crashes(xml, False, sizes, args.threads)
        guarded = crashes(xml, True, sizes, args.threads)
        ms = timing(xml, args.threads)
        print(
            f"{xml}: crashed on {len(plain)}/{len(sizes)} sizes plain, {len(guarded)} guarded"
            f" (first: {plain[:3]}); 160x140: plain {ms['plain']:.3f} ms, guarded {ms['guarded']:.3f} ms"
            f" ({ms['plain'] / ms['guarded']:.2f}x)",
            flush=True,
        )


if __name__ == "__main__":
    main()
