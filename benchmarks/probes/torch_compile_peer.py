"""Session 45: PyTorch at its best for one fixed shape (torch.compile, inductor, dynamic=False,
the deploy form channels-last) beside the torch-fp32 row (eager) and the OpenVINO rows, in
interleaved rounds (benchmarks/probes/_rounds.py); compile time stated apart. Median ms per call
and each row against the compiled one.

    python benchmarks/probes/torch_compile_peer.py 2 10 170x150 fsrcnn-s,fsrcnn,srcnn,dcscn
"""

import statistics
import sys
import time

import numpy as np
import torch

from xeonsr.infer import load_torch_model
from xeonsr.info import cpu_info
from xeonsr.models import deploy_form
from xeonsr.runtime import load_runner, torch_run

sys.path.insert(0, "benchmarks/probes")
from _rounds import rounds_ms  # noqa: E402

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
w, h = (int(v) for v in sys.argv[3].split("x"))
models = sys.argv[4].split(",")
torch.set_num_threads(threads)
x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
print(f"{cpu_info().model}, {threads} threads, {w}x{h} LR, {rounds} rounds, torch {torch.__version__}")
for model in models:
    fns = {b: load_runner(model, 3, b, threads=threads).run for b in ("torch-fp32", "ov-fp32", "ov-int8")}
    net = deploy_form(load_torch_model(model, 3)[0].float()).eval().to(memory_format=torch.channels_last)
    compiled = torch.compile(net, dynamic=False)
    run = torch_run(compiled)
    t0 = time.perf_counter()
    ref = run(x)
    compile_s = time.perf_counter() - t0
    assert np.abs(ref - fns["torch-fp32"](x)).max() < 1e-4, "compiled output differs"
    fns["torch-compile"] = run
    times = rounds_ms(fns, x, rounds)
    med = {k: statistics.median(v) for k, v in times.items()}
    per_round = {k: [c / t for c, t in zip(times["torch-compile"], v, strict=True)] for k, v in times.items()}
    line = ", ".join(
        f"{k} {med[k]:.2f} ms ({min(per_round[k]):.2f}-{max(per_round[k]):.2f}x compiled)"
        for k in ("torch-fp32", "ov-fp32", "ov-int8")
    )
    print(f"{model}: torch-compile {med['torch-compile']:.2f} ms (compile {compile_s:.0f} s); {line}")
