"""One model's OpenVINO IR from two IR stores (a folder, e.g. a copy holding a new INT8 IR made by
`xeonsr quantize --ir-dir COPY`, or a git commit, whose xeonsr/openvino_models is taken), each
through the runtime the bench uses (`xeonsr.runtime.load_runner`: this CPU's forms, each IR's own
kernel plan), on Set14's LR planes in interleaved rounds; per image the two medians and the
per-round ratio (a/b: lowest, median, highest), then the medians summed.

    python benchmarks/probes/stores_set14.py fsrcnn-s 3 ov-int8 5839dea xeonsr/openvino_models 8
"""

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from _rounds import rounds_ms
from PIL import Image

from xeonsr.data import dataset_files
from xeonsr.protocol import make_sample
from xeonsr.runtime import load_runner
from xeonsr.threads import apply_threads, plan_threads

model, scale, backend, store_a, store_b, rounds = sys.argv[1:7]
scale, rounds = int(scale), int(rounds)


def store(where: str) -> str:
    if Path(where).is_dir():
        return where
    out = tempfile.mkdtemp(prefix="store_")
    tar = subprocess.run(["git", "archive", where, "xeonsr/openvino_models"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", out], input=tar, check=True)
    return str(Path(out) / "xeonsr" / "openvino_models")


store_a, store_b = store(store_a), store(store_b)
apply_threads(plan_threads(2), pin=True)
runners = {
    name: load_runner(model, scale, backend, ir_dir=d, threads=2) for name, d in (("a", store_a), ("b", store_b))
}
_, files = dataset_files("Set14", None)
total = {"a": 0.0, "b": 0.0}
for f in files:
    smp = make_sample(f.stem, np.asarray(Image.open(f).convert("RGB")), scale)
    x = (smp.lr.astype(np.float32) / 255.0)[None, None]
    diff = float(np.abs(runners["a"](x) - runners["b"](x)).max())
    t = rounds_ms(runners, x, rounds)
    a, b = statistics.median(t["a"]), statistics.median(t["b"])
    total["a"] += a
    total["b"] += b
    per_round = [p / q for p, q in zip(t["a"], t["b"], strict=True)]
    print(
        f"{f.stem:10s} LR {smp.lr.shape[1]}x{smp.lr.shape[0]}: a {a:6.2f} ms, b {b:6.2f} ms, "
        f"a/b {min(per_round):.2f}-{statistics.median(per_round):.2f}-{max(per_round):.2f}, max diff {diff:.1e}",
        flush=True,
    )
print(f"Set14, medians summed: a {total['a']:.1f} ms, b {total['b']:.1f} (a/b {total['a'] / total['b']:.3f}x)")
