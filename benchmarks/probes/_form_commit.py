"""One host form against the runtime at an earlier commit, for the *_vs_commit probes: the IR as
`load_runner` runs it now (this CPU's kernel plan and forms) against the same IR compiled with
COMMIT's kernel plan (`git show COMMIT:xeonsr/openvino_models/manifest.json`) and this class's
forms without the one being measured. Interleaved rounds per LR size; median ms, the speed-up by
the median round and its range, the largest output difference."""

import json
import statistics
import subprocess

import numpy as np
from _rounds import rounds_ms

import xeonsr.ir_forms as forms
from xeonsr.kernels import plan_for
from xeonsr.ov import compile_ir, read_ir
from xeonsr.runtime import load_runner


def commit_manifest(commit: str) -> dict:
    show = ["git", "show", f"{commit}:xeonsr/openvino_models/manifest.json"]
    return json.loads(subprocess.run(show, capture_output=True, text=True, check=True).stdout)["models"]


def form_vs_commit(spec: str, model: str, scale: int, precision: str, form, commit: str, sizes, rounds: int) -> None:
    """Print one line per size for ``model`` x``scale`` ``precision``: now against ``commit``'s plan
    without ``form`` (a function of the avx512_vnni class's HOST_FORMS)."""
    now = load_runner(model, scale, f"ov-{precision}", threads=2)
    entry = commit_manifest(commit)[f"{model}_x{scale}_{precision}"]
    plan = plan_for(entry, "f32")
    graph = read_ir(f"xeonsr/openvino_models/{entry['xml']}")
    keep = forms.HOST_FORMS["avx512_vnni"]
    forms.HOST_FORMS["avx512_vnni"] = tuple(f for f in keep if f is not form)
    try:
        forms.host_forms(graph, "avx512_vnni", "f32", plan)
    finally:
        forms.HOST_FORMS["avx512_vnni"] = keep
    req = compile_ir(graph, 2, kernels=plan).create_infer_request()

    def then(x):
        return req.infer({0: x})[0]

    for w, h in sizes:
        x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
        diff = float(np.abs(now.run(x) - then(x)).max())
        t = rounds_ms({"then": then, "now": now.run}, x, rounds)
        per = [a / b for a, b in zip(t["then"], t["now"], strict=True)]
        print(
            f"{spec} {w}x{h}: {commit} {statistics.median(t['then']):.3f} ms, now {statistics.median(t['now']):.3f} ms, "
            f"now {statistics.median(per):.3f}x ({min(per):.2f}-{max(per):.2f}), max diff {diff:.1e}",
            flush=True,
        )
