"""Session 68 (Intel Xeon with AMX, Emerald Rapids): each model's VNNI-made INT8 IR against the
INT8 IR a store holds for this CPU's class (`xeonsr quantize --isa amx`: signed activations), both
loaded by xeonsr.runtime as `xeonsr upscale` loads them (forms, kernel plans), the FP32 IR in bf16
beside them. The VNNI IR runs from a copy of the store without the class's IRs. Interleaved
rounds (xeonsr.bench's pause and re-warm, 3 calls a round) on the LR of a Set14-sized HR
(480x360) divided by the scale; ratios per round, min-median-max.

    python benchmarks/probes/int8_class_irs.py 2 20 dcscn:2,dcscn:3,dcscn:4 [STORE]
"""

import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
from _rounds import rounds_ms

from xeonsr.info import cpu_info
from xeonsr.irs import SHIPPED_IR_DIR, int8_stem, locate_ir
from xeonsr.runtime import load_runner

threads, rounds, items = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")
store = Path(sys.argv[4]) if len(sys.argv) > 4 else SHIPPED_IR_DIR
cls = cpu_info().isa_class
vnni_store = Path(tempfile.mkdtemp())
man = json.loads((store / "manifest.json").read_text())
man["models"] = {k: e for k, e in man["models"].items() if e["precision"] != "int8" or e.get("target_isa") == "vnni"}
for e in man["models"].values():
    for f in (e["xml"], e["bin"]):
        shutil.copy(store / f, vnni_store / f)
(vnni_store / "manifest.json").write_text(json.dumps(man))
print(f"{cpu_info().model} (INT8 class {cls}), {threads} threads, {rounds} rounds")
for item in items:
    model, scale = item.split(":")[0], int(item.split(":")[1])
    own = locate_ir(model, scale, "int8", store, isa=cls)[0].name
    assert own == int8_stem(model, scale, cls) + ".xml", f"{store} has no {cls} IR of {model} x{scale}"
    runs = {
        "vnni": load_runner(model, scale, "ov-int8", threads=threads, ir_dir=vnni_store).run,
        cls: load_runner(model, scale, "ov-int8", threads=threads, ir_dir=store).run,
    }
    if cpu_info().native_bf16:
        runs["bf16"] = load_runner(model, scale, "ov-bf16", threads=threads, ir_dir=store).run
    x = np.random.default_rng(0).random((1, 1, 360 // scale, 480 // scale), dtype=np.float32)
    t = rounds_ms(runs, x, rounds)
    line = [f"{model} x{scale}"] + [f"{k} {statistics.median(v):.3f} ms" for k, v in t.items()]
    for k in [k for k in t if k != "vnni"]:
        r = sorted(a / b for a, b in zip(t["vnni"], t[k], strict=True))
        line.append(f"vnni/{k} {r[0]:.2f}-{statistics.median(r):.2f}-{r[-1]:.2f}x")
    print("  ".join(line), flush=True)
shutil.rmtree(vnni_store)
