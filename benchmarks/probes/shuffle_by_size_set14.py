"""Session 64 (Zen 4): x4 runners with the output's pixel shuffle as DepthToSpace for the LR sizes
whose planes alias (xeonsr.ov_shapes.AliasingShapes, since session 64) against the stored shuffle
at every size (before), each a runner the bench uses (`xeonsr.runtime.load_runner`: this CPU's
forms, the IR's kernel plan), on Set5's and Set14's LR planes in interleaved rounds: the medians
summed over the planes that alias and over all of them, per model.

    python benchmarks/probes/shuffle_by_size_set14.py 2 8 4 fsrcnn:fp32,fsrcnn:int8,fsrcnn-s:fp32,fsrcnn-s:int8
"""

import statistics
import sys

import numpy as np
from _rounds import rounds_ms
from PIL import Image

import xeonsr.ov_shapes
from xeonsr.data import dataset_files
from xeonsr.info import cpu_info
from xeonsr.ir_shuffle import planes_alias
from xeonsr.protocol import make_sample
from xeonsr.runtime import load_runner
from xeonsr.threads import apply_threads, plan_threads

threads, rounds, scale = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
apply_threads(plan_threads(threads), pin=True)
print(cpu_info().model, f"{threads} threads", flush=True)
planes = []
for ds in ("Set5", "Set14"):
    for f in dataset_files(ds, None)[1]:
        smp = make_sample(f.stem, np.asarray(Image.open(f).convert("RGB")), scale)
        planes.append((f.stem, (smp.lr.astype(np.float32) / 255.0)[None, None]))
by_size = xeonsr.ov_shapes.aliasing_shapes
for spec in sys.argv[4].split(","):
    model, prec = spec.split(":")
    runners = {"by-size": load_runner(model, scale, f"ov-{prec}", threads=threads)}
    xeonsr.ov_shapes.aliasing_shapes = lambda *args, **kwargs: None  # the stored shuffle at every size
    runners["stored"] = load_runner(model, scale, f"ov-{prec}", threads=threads)
    xeonsr.ov_shapes.aliasing_shapes = by_size
    total = {k: 0.0 for k in runners}
    aliased = {k: 0.0 for k in runners}
    worst = 0.0
    for name, x in planes:
        worst = max(worst, float(np.abs(runners["by-size"](x) - runners["stored"](x)).max()))
        t = rounds_ms(runners, x, rounds)
        med = {k: statistics.median(t[k]) for k in runners}
        for k in runners:
            total[k] += med[k]
            if planes_alias(x.shape):
                aliased[k] += med[k]
        if planes_alias(x.shape):
            print(f"  {name} {x.shape[3]}x{x.shape[2]}: {med['stored'] / med['by-size']:.3f}x", flush=True)
    print(
        f"{model} x{scale} {prec}: medians summed over the planes that alias, stored {aliased['stored']:.2f} ms, "
        f"by size {aliased['by-size']:.2f} ({aliased['stored'] / aliased['by-size']:.3f}x); over all "
        f"{len(planes)}: {total['stored']:.2f} vs {total['by-size']:.2f} ({total['stored'] / total['by-size']:.3f}x); "
        f"max diff {worst:.1e}",
        flush=True,
    )
