"""Memory of a shape's own network (xeonsr.ov_shapes): the process's resident size after the
dynamic network's first call at each LR size, after the call that compiles the shape's own, and
after one more, through the bench's runtime.

    python benchmarks/probes/shape_network_memory.py srcnn 3 240x192,333x333
"""

import os
import sys

import numpy as np

from xeonsr.runtime import load_runner


def resident_mb() -> float:
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


model, scale = sys.argv[1], int(sys.argv[2])
runner = load_runner(model, scale, "ov-fp32", threads=2)
assert "ov_shapes" in runner.note, runner.note
print(f"{model} x{scale} loaded: {resident_mb():.0f} MB")
for size in sys.argv[3].split(","):
    w, h = map(int, size.split("x"))
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    marks = []
    for _ in range(3):
        runner.run(x)
        marks.append(resident_mb())
    grew = (marks[1] - marks[0]) / (w * h * scale * scale)
    print(
        f"{size} LR ({w * h * scale * scale / 1e6:.2f} MP out): dynamic {marks[0]:.0f} MB, own compiled "
        f"{marks[1]:.0f}, again {marks[2]:.0f}: {grew * 1e6:.0f} bytes per output pixel"
    )
