"""Session 75 (family 6 model 167 Xeon): each shipped IR whose kernel plan for this CPU's design
differs from its class's record, run as `xeonsr upscale` loads it (xeonsr.runtime) from the shipped
store (the design's plan) and from a copy of the store without the design records (the class's),
in interleaved rounds (_rounds.against: quiet pause, re-warm, 3 calls), on the LR of a 480x360 and
of a 512x512 HR: where `xeonsr tune` kept a design plan at 160x140, does it hold at Set14's sizes?

    python benchmarks/probes/design_plans.py 2 10
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from _rounds import against

from xeonsr.info import cpu_info
from xeonsr.irs import SHIPPED_IR_DIR
from xeonsr.kernels import cpu_class, cpu_key, plan_key
from xeonsr.profile import short_name
from xeonsr.runtime import load_runner

threads, rounds = int(sys.argv[1]), int(sys.argv[2])
cpu = cpu_info()
cls, own = plan_key(cpu_class(cpu.flags), "f32"), plan_key(cpu_class(cpu.flags), "f32", cpu_key(cpu))
copy = Path(tempfile.mkdtemp()) / "irs"
shutil.copytree(SHIPPED_IR_DIR, copy)
manifest = json.loads((copy / "manifest.json").read_text())
differ = []
for e in manifest["models"].values():
    records = e.get("kernels") or {}
    if own in records and records[own]["layers"] != records.get(cls, {}).get("layers"):
        differ.append((e, records[own]["layers"], records.get(cls, {}).get("layers", {})))
    for key in [k for k in records if k.count("/") >= 2]:
        del records[key]
(copy / "manifest.json").write_text(json.dumps(manifest))
print(f"{cpu.model}, {threads} threads; {len(differ)} IRs with a plan of their own for {cpu_key(cpu)}")
for e, mine, theirs in differ:
    backend = "ov-fp32" if e["precision"] == "fp32" else "ov-int8"
    design = load_runner(e["model"], e["scale"], backend, threads=threads)
    klass = load_runner(e["model"], e["scale"], backend, threads=threads, ir_dir=copy)
    names = ", ".join(sorted(short_name(n) for n in mine)) or "none"
    print(
        f"{e['name']}: design's plan [{names}] against the class's [{', '.join(sorted(short_name(n) for n in theirs)) or 'none'}]"
    )
    for hh, ww in ((360, 480), (512, 512)):
        x = np.random.default_rng(0).random((1, 1, hh // e["scale"], ww // e["scale"]), dtype=np.float32)
        c_ms, d_ms, ratio, lo, hi, diff = against(klass.run, design.run, x, rounds)
        print(
            f"  {ww // e['scale']}x{hh // e['scale']} LR: class {c_ms:.2f} ms, design {d_ms:.2f} ms: {ratio:.3f}x ({lo:.2f}-{hi:.2f}); outputs within {diff:.1e}"
        )
