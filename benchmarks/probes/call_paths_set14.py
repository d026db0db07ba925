"""Session 63 (Zen 4): the runtime's call without copies (xeonsr.ov.infer_fn with the network's
scale, since session 63) against the copying call (``request.infer({0: x})``, before), each in a
runner the bench uses (`xeonsr.runtime.load_runner`: this CPU's forms, the IR's kernel plan), on
Set14's LR planes in interleaved rounds; the medians summed over the 14 images per model.

    python benchmarks/probes/call_paths_set14.py 2 8 3 fsrcnn:int8,fsrcnn-s:int8,srcnn:fp32
"""

import statistics
import sys

import numpy as np
from _rounds import rounds_ms
from PIL import Image

import xeonsr.ov
from xeonsr.data import dataset_files
from xeonsr.info import cpu_info
from xeonsr.protocol import make_sample
from xeonsr.runtime import load_runner
from xeonsr.threads import apply_threads, plan_threads

threads, rounds, scale = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
apply_threads(plan_threads(threads), pin=True)
print(cpu_info().model, f"{threads} threads", flush=True)
_, files = dataset_files("Set14", None)
planes = []
for f in files:
    smp = make_sample(f.stem, np.asarray(Image.open(f).convert("RGB")), scale)
    planes.append((smp.lr.astype(np.float32) / 255.0)[None, None])
new_call = xeonsr.ov.infer_fn
for spec in sys.argv[4].split(","):
    model, prec = spec.split(":")
    runners = {"no-copies": load_runner(model, scale, f"ov-{prec}", threads=threads)}
    xeonsr.ov.infer_fn = lambda request, _scale=None: new_call(request, None)  # the copying call
    runners["copying"] = load_runner(model, scale, f"ov-{prec}", threads=threads)
    xeonsr.ov.infer_fn = new_call
    total = {k: 0.0 for k in runners}
    worst = 0.0
    for x in planes:
        worst = max(worst, float(np.abs(runners["no-copies"](x) - runners["copying"](x)).max()))
        t = rounds_ms(runners, x, rounds)
        for k in runners:
            total[k] += statistics.median(t[k])
    print(
        f"{model} x{scale} {prec}: Set14 medians summed, copying {total['copying']:.2f} ms, no copies "
        f"{total['no-copies']:.2f} ({total['copying'] / total['no-copies']:.3f}x); max diff {worst:.1e}",
        flush=True,
    )
