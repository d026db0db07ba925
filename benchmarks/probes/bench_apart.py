"""The Zen 4 VM's apart minutes inside `xeonsr bench`'s own loop (session 60): FSRCNN-s x3 on a 170x170 LR
input through xeonsr.bench.interleaved (3 warm-up calls, 9 timed in rotating rounds, each after the bench's pause
and re-warm) for PyTorch FP32, OpenVINO FP32 and INT8, OpenCV and ONNX Runtime on 2 threads, alternately with the
bench's peak samples before each round ("peaks") and without ("plain"); after each pass vcpu_pingpong.c's handoff
read (GB/s, below 45: the two vCPUs on cores with no shared L3) tells the states apart. At the end, per kind and
state, each engine's mean of the passes' median ms.

    python benchmarks/probes/bench_apart.py 7
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from xeonsr.bench import SETTLE_S, interleaved
from xeonsr.peaks import PeakMeter
from xeonsr.runtime import load_runner

minutes = float(sys.argv[1])
pp = Path(tempfile.mkdtemp()) / "pp"
subprocess.run(["gcc", "-O2", "-pthread", str(Path(__file__).with_name("vcpu_pingpong.c")), "-o", pp], check=True)
x = np.random.default_rng(0).random((1, 1, 170, 170), dtype=np.float32)
loaded = [
    (b, load_runner("fsrcnn-s", 3, b, threads=2), 0) for b in ("torch-fp32", "ov-fp32", "ov-int8", "opencv", "ort")
]
meters = {p: PeakMeter(p, 2) for p in ("fp32", "int8")}


def peaks():  # the bench's sample_peaks: two samples of each precision's peak, after a pause
    for m in meters.values():
        time.sleep(SETTLE_S)
        m.sample()
        m.sample()


lines = []
end = time.time() + minutes * 60
i = 0
while time.time() < end:
    kind = "peaks" if i % 2 == 0 else "plain"
    i += 1
    res = {b: statistics.median(t) for b, t, _ in interleaved(loaded, x, 3, 9, peaks if kind == "peaks" else None)}
    time.sleep(0.2)
    other = float(subprocess.run([pp, "0", "1"], capture_output=True, text=True).stdout.split()[1])
    lines.append(res | {"other": other, "kind": kind})
    print(
        time.strftime("%H:%M:%S ") + kind + " " + " ".join(f"{b}={v:.2f}" for b, v in res.items()) + f"  {other:5.1f}",
        flush=True,
    )
for kind in ("peaks", "plain"):
    for label, pick in (("together", lambda r: r["other"] >= 45), ("apart", lambda r: r["other"] < 45)):
        rows = [r for r in lines if pick(r) and r["kind"] == kind]
        if rows:
            print(
                kind,
                label,
                len(rows),
                " ".join(f"{b}={statistics.fmean(r[b] for r in rows):.2f}" for b, _, _ in loaded),
            )
