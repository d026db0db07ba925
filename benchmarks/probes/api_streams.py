"""Session 72 (Emerald Rapids Xeon, 2 vCPUs): which streams an Upscaler should run one image on,
by its size: one stream with every thread, one stream per core, and the default since this
session (xeonsr.wide_streams: one for an image of one tile, one per core for more), interleaved
calls on scikit-image's astronaut resized (Pillow bicubic) to each LR size, x3; medians in ms.

    python benchmarks/probes/api_streams.py fsrcnn,srcnn 21
"""

import statistics
import sys
import time

import skimage.data
from PIL import Image

from xeonsr import Upscaler
from xeonsr.threads import plan_streams, plan_threads

models, rounds = sys.argv[1].split(","), int(sys.argv[2])
cores = plan_streams(plan_threads(None))
base = Image.fromarray(skimage.data.astronaut())
print(f"streams: 1, {cores} (one per core), default")
for model in models:
    ups = {
        "1": Upscaler(model, 3, streams=1),
        str(cores): Upscaler(model, 3, streams=cores),
        "default": Upscaler(model, 3),
    }
    for size in [(64, 64), (170, 170), (256, 256), (500, 480), (1000, 750)]:
        im = base.resize(size, Image.BICUBIC)
        for up in ups.values():
            up.upscale(im)  # every network compiled for it
        times: dict[str, list[float]] = {k: [] for k in ups}
        n = rounds if size[0] < 600 else max(3, rounds // 4)
        for r in range(n):
            order = list(ups.items())
            for name, up in order[r % len(order) :] + order[: r % len(order)]:
                t0 = time.perf_counter()
                up.upscale(im)
                times[name].append(time.perf_counter() - t0)
        med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        cells = ", ".join(f"{k} {v:.1f}" for k, v in med.items())
        print(
            f"{model} {size[0]}x{size[1]}: {cells}; one stream / {cores}: {med['1'] / med[str(cores)]:.2f}; "
            f"default against the faster: {min(med['1'], med[str(cores)]) / med['default']:.2f}"
        )
