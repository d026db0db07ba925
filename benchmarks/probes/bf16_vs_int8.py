"""Session 35 (Intel Xeon with AMX): each shipped model and scale as `xeonsr upscale` could run it
on a native-bf16 CPU: its INT8 IR (what it takes now), its FP32 IR with OpenVINO's bf16 inference
precision, and the FP32 IR in f32, each loaded by xeonsr.runtime (kernel plans and forms as
shipped). Interleaved rounds (30 ms pause, 25 ms re-warm, median of 3 calls) on an LR of a
Set14-sized HR (480x360) divided by the scale; PSNR on BSD200-val (held out, never a test set).

    python benchmarks/probes/bf16_vs_int8.py 2 10 fsrcnn-s,fsrcnn,srcnn,dcscn 2,3,4 $XEONSR_DATA
"""

import statistics
import sys

import numpy as np
from _rounds import rounds_ms

from xeonsr.data import dataset_files
from xeonsr.evaluate import evaluate, load_samples
from xeonsr.runtime import load_runner

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
models, scales, data = sys.argv[3].split(","), [int(s) for s in sys.argv[4].split(",")], sys.argv[5]
_, files = dataset_files("BSD200-val", data)
for scale in scales:
    samples = load_samples(files, scale)
    x = np.random.default_rng(0).random((1, 1, 360 // scale, 480 // scale), dtype=np.float32)
    for model in models:
        runs = {b: load_runner(model, scale, b, threads=threads) for b in ("ov-int8", "ov-bf16", "ov-fp32")}
        psnr = {b: evaluate(r.plane_fn(), samples, scale, with_ssim=False)["mean_psnr"] for b, r in runs.items()}
        times = rounds_ms(runs, x, rounds)
        med = {b: statistics.median(v) for b, v in times.items()}
        print(
            f"{model:9s} x{scale}  "
            + "  ".join(f"{b} {med[b]:6.2f} ms {psnr[b]:.3f} dB" for b in runs)
            + f"  bf16 {med['ov-int8'] / med['ov-bf16']:.2f}x int8's speed",
            flush=True,
        )
