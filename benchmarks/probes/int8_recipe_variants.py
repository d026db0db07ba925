"""PTQ variants of fsrcnn x2 for the avx2 class, each in a scratch copy of the IR store; the
budget statistic (BSD200-val / photos, 5 worst) decides; Set5/Set14 are only reported.

Usage (session 22, Zen 3, XEONSR_DATA set, one thread each):
  python benchmarks/probes/int8_recipe_variants.py minmax,ovf_first,crops1000
  python benchmarks/probes/int8_recipe_variants.py mean_minmax,no_equalize,rows
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

from xeonsr.errors import UserError
from xeonsr.quantization import quantize

variants = {
    "minmax": {"activation_ranges": "minmax"},
    "mean_minmax": {"activation_ranges": "mean_minmax"},
    "ovf_first": {"overflow_fix": "first_layer"},
    "no_equalize": {"equalize": False},
    "crops1000": {"calibration_crops": 1000},
    "rows": {"first_layer_rows": True},
}
for name in sys.argv[1].split(","):
    store = Path(tempfile.mkdtemp(prefix=f"x2_{name}_"))
    shutil.copytree("xeonsr/openvino_models", store, dirs_exist_ok=True)
    try:
        rep = quantize(
            "fsrcnn", 2, None, store, variants[name], reports_dir=store / "reports", method="ptq", target_isa="avx2"
        )
        ok = "ok"
    except UserError as e:
        ok = str(e)[:80]
        rep = json.loads(next((store / "reports").glob("*.json")).read_text())
    p = rep["psnr"]
    print(
        f"{name:12s} {ok:30s} share {rep['int8_mac_share']:.2f} float {len(rep['layers_kept_in_fp'])} "
        f"BSD200-val w5 {p['BSD200-val']['worst5_drop_db']:.3f} samples w5 {p['samples']['worst5_drop_db']:.3f}",
        flush=True,
    )
