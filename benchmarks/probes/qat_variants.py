"""QAT variants of one model's INT8 IR for one CPU class, each in a scratch copy of the IR store;
the budget statistic (BSD200-val / photos, 5 worst) decides, Set5/Set14 are only reported. The
stores are kept (their paths printed) so a variant's IR can be timed after
(`stores_set14.py MODEL SCALE ov-int8 xeonsr/openvino_models STORE 8`).

Usage (XEONSR_DATA set): python benchmarks/probes/qat_variants.py MODEL SCALE ISA THREADS NAME=JSON ...
  where JSON holds recipe fields, e.g.
  python benchmarks/probes/qat_variants.py fsrcnn 2 vnni 2 \
      'all_1e-5={"qat_ignored_scope": [], "qat": {"lr": 1e-5}}'
  A JSON's "method" ("ptq" or "auto"; default "qat") is the quantize method, not a recipe field.
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

from xeonsr.errors import UserError
from xeonsr.quantization import quantize

model, scale, isa, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
for arg in sys.argv[5:]:
    name, _, text = arg.partition("=")
    overrides = json.loads(text)
    method = overrides.pop("method", "qat")
    store = Path(tempfile.mkdtemp(prefix=f"qat_{model}_x{scale}_{name}_"))
    shutil.copytree("xeonsr/openvino_models", store, dirs_exist_ok=True)
    try:
        rep = quantize(
            model,
            scale,
            None,
            store,
            overrides,
            reports_dir=store / "reports",
            method=method,
            target_isa=isa,
            qat_overrides={"threads": threads},
        )
        ok = "ok"
    except UserError as e:
        ok = str(e)[:60]
        rep = json.loads(next((store / "reports").glob("*.json")).read_text())
    p = rep["psnr"]
    print(
        f"{name:14s} {ok:20s} share {rep['int8_mac_share']:.3f} float {rep['layers_kept_in_fp']} "
        f"BSD200-val w5 {p['BSD200-val']['worst5_drop_db']:.3f} samples w5 {p['samples']['worst5_drop_db']:.3f} "
        f"(Set5 {p['Set5']['drop_db']:.3f}, Set14 {p['Set14']['drop_db']:.3f}) {rep['seconds']:.0f} s store {store}",
        flush=True,
    )
