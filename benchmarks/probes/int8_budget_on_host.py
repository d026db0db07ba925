"""Session 15: does each shipped INT8 IR keep its PSNR budget on *this* CPU? The budget statistic
(mean loss of the k held-out images that lose most, per budget set: BSD200-val and the photos)
measured here, beside the figure its report recorded on the CPU it was quantized on. On an AVX2
CPU without VNNI the INT8 kernels sum pairs of products in int16 (saturating), which the
VNNI-made IRs' 8-bit weights do not allow for; this measures what that costs.

    python benchmarks/probes/int8_budget_on_host.py $XEONSR_DATA [model_xS,...] [--isa vnni|avx2|amx]

--isa judges the IRs made for that class (default: the class this host runs). oneDNN held below
VNNI sums as an AVX2 CPU does (session 82: the VNNI-made fsrcnn x3 lost exactly what it lost on an
AMD Zen 3), so on a VNNI/AMX CPU `ONEDNN_MAX_CPU_ISA=AVX2 python ...` checks the AVX2 IRs with AVX2
arithmetic, and `ONEDNN_MAX_CPU_ISA=AVX512_CORE` with Skylake-SP's (AVX-512 without VNNI).
"""

import argparse
import json
import os
from pathlib import Path

from xeonsr.info import cpu_info
from xeonsr.irs import REPORTS, locate_ir, read_manifest, store_dir
from xeonsr.ov import compile_ir
from xeonsr.ptq import budget_losses
from xeonsr.quant_recipe import load_recipe
from xeonsr.quantization import budget_reference

ap = argparse.ArgumentParser()
ap.add_argument("data")
ap.add_argument("names", nargs="?", default=None)
ap.add_argument("--isa", default=None)
args = ap.parse_args()
data = args.data
names = sorted(n[: -len("_int8")] for n in read_manifest(store_dir(None))["models"] if n.endswith("_int8"))
if args.names:
    names = args.names.split(",")
cap = os.environ.get("ONEDNN_MAX_CPU_ISA")
held = f", oneDNN held to {cap}" if cap else ""
print(f"{cpu_info().model}{held}; budget statistic here vs as recorded when quantized")
rows = {}
for name in names:
    model, scale = name.rsplit("_x", 1)
    scale = int(scale)
    fp32_xml = locate_ir(model, scale, "fp32")[0]
    # The IR this host would run (the AVX2-made one on an AVX2 CPU), judged against its own report.
    int8_xml, entry = locate_ir(model, scale, "int8", isa=args.isa)
    report = json.loads((REPORTS / Path(entry["report"]).name).read_text())
    recipe = load_recipe(model, target_isa=report["recipe"]["target_isa"])
    budget, fp32_psnr = budget_reference(recipe, fp32_xml, scale, data)
    here = budget_losses(compile_ir(int8_xml), budget, fp32_psnr, scale, recipe.budget_worst_k)
    k = f"worst{recipe.budget_worst_k}_drop_db"
    then = {ds: report["psnr"][ds][k] for ds in here}
    rows[name] = {"here": {ds: round(v, 3) for ds, v in here.items()}, "recorded": then}
    cells = "  ".join(f"{ds} {here[ds]:+.3f} (recorded {then[ds]:+.3f})" for ds in here)
    over = max(here.values()) > recipe.max_drop_db
    print(f"{int8_xml.stem:24s} {cells}  budget {recipe.max_drop_db}{'  OVER' if over else ''}", flush=True)
print(json.dumps({"cpu": cpu_info().model, "onednn_cap": cap, "isa": args.isa, "rows": rows}))
