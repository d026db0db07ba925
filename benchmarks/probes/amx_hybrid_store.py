"""Session 69 (Intel Xeon with AMX, Emerald Rapids): two scratch stores for FSRCNN's AMX INT8 IR,
to time with int8_class_irs.py. STORE/amx: `xeonsr quantize --isa amx` (NNCF's performance
preset: every activation quantizer symmetric, so every INT8 convolution may run OpenVINO's
brgemm AMX kernels); STORE/hybrid: the same IR with the quantizers feeding the LAYERS given
(default body.11, the PReLU before the 12->56 1x1 expand) given back their asymmetric ranges
from the shipped VNNI IR, so those convolutions keep an input zero point and the older
jit_avx512 kernel, on which the expand ran faster. Each store tuned (`xeonsr tune`) for THREADS.

    python benchmarks/probes/amx_hybrid_store.py fsrcnn 3 2 /tmp/hybrid [body.11]
    python benchmarks/probes/int8_class_irs.py 2 20 fsrcnn:3 /tmp/hybrid/amx     (and .../hybrid)
    xeonsr profile /tmp/hybrid/hybrid/fsrcnn_x3_int8_amx.xml --threads 2 --repeats 40
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset13 as ops

from xeonsr.irs import SHIPPED_IR_DIR, int8_stem, sha256
from xeonsr.ov import read_ir

model, scale, threads, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
keep = sys.argv[5].split(",") if len(sys.argv) > 5 else ["body.11"]
amx, hybrid = out / "amx", out / "hybrid"
shutil.rmtree(out, ignore_errors=True)
shutil.copytree(SHIPPED_IR_DIR, amx)
store = ["--ir-dir", str(amx)]
subprocess.run(["xeonsr", "quantize", "--model", model, "--scale", str(scale), "--isa", "amx", *store], check=True)
shutil.copytree(amx, hybrid)


def ranges(m):
    return {
        n.get_friendly_name(): [float(n.input_value(i).get_node().get_data().ravel()[0]) for i in (1, 2, 3, 4)]
        for n in m.get_ordered_ops()
        if n.get_type_name() == "FakeQuantize"
    }


vnni = ranges(read_ir(SHIPPED_IR_DIR / f"{int8_stem(model, scale, 'vnni')}.xml"))
stem = int8_stem(model, scale, "amx")
m = read_ir(hybrid / f"{stem}.xml")
for fq in [n for n in m.get_ordered_ops() if n.get_type_name() == "FakeQuantize"]:
    if any(f"{k}/" in fq.get_friendly_name() for k in keep):
        print(f"{fq.get_friendly_name()}: {ranges(m)[fq.get_friendly_name()]} -> {vnni[fq.get_friendly_name()]}")
        for i, v in zip((1, 2, 3, 4), vnni[fq.get_friendly_name()], strict=True):
            fq.input(i).replace_source_output(ops.constant(np.float32(v)).output(0))
ov.save_model(m, hybrid / "edited.xml", compress_to_fp16=False)
del m  # its weights are mapped from the file the rename replaces
for suffix in (".xml", ".bin"):
    os.replace(hybrid / f"edited{suffix}", hybrid / f"{stem}{suffix}")
man = json.loads((hybrid / "manifest.json").read_text())
entry = man["models"][stem]
entry["xml_sha256"], entry["bin_sha256"] = sha256(hybrid / entry["xml"]), sha256(hybrid / entry["bin"])
(hybrid / "manifest.json").write_text(json.dumps(man, indent=1))
for s in (amx, hybrid):
    tune = ["xeonsr", "tune", "--model", model, "--scale", str(scale), "--precision", "int8", "--threads", threads]
    subprocess.run([*tune, "--ir-dir", str(s)], check=True)
print(f"stores: {amx} {hybrid}")
