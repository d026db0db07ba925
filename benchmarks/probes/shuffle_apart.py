"""The pixel shuffle at the end of FSRCNN's IRs in the Zen 4 VM's two states (session 60): in the
"apart" minutes (the two vCPUs on cores with no shared L3) `apart_nodes.py` found the shuffle's
Reorder and Transpose 8-10x slower, most of what FSRCNN x3 INT8 loses there. Variants, each the IR
as xeonsr.runtime compiles it (this CPU's host forms, the IR's kernel plan), 2 threads:
  stored  the IR's Reshape -> Transpose -> Reshape;
  d2s     one DepthToSpace (blocks first, torch's order) on the phases;
  numpy   the network ends at the phases, channels last ((1, H, W, r*r), the layout the last
          convolution writes), and the caller shuffles them into the HR plane in one numpy copy
          (the output taken without OpenVINO's copy, `share_outputs`).
Interleaved rounds about every second, then vcpu_pingpong.c's handoff read (GB/s) to tell the
states apart; per state the mean ms of each variant and against the stored one. The outputs are
compared to the stored variant's first.

    python benchmarks/probes/shuffle_apart.py fsrcnn_x3_int8,fsrcnn-s_x3_fp32 170x170 8
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _rounds import rounds_ms

from xeonsr.info import cpu_info
from xeonsr.ir_forms import host_forms
from xeonsr.irs import SHIPPED_IR_DIR, read_manifest
from xeonsr.kernels import plan_for
from xeonsr.openvino_releases import opset
from xeonsr.ov import compile_ir, read_ir

APART_GBS = 45.0  # as vcpu_wake.py: handoff reads below this, the two vCPUs share no L3
ops = opset(13)


def shuffle_chain(m):
    """(the phases, the shuffle's last node) of torch's export: Reshape, Transpose (0, 1, 4, 2, 5, 3), Reshape."""
    for op in m.get_ordered_ops():
        if op.get_type_name() == "Transpose":
            perm = list(op.input(1).get_source_output().get_node().get_data())
            if perm == [0, 1, 4, 2, 5, 3]:
                first = op.input(0).get_source_output().get_node()
                return first.input(0).get_source_output(), next(iter(op.output(0).get_target_inputs())).get_node()
    raise SystemExit("no pixel shuffle of torch's export in this IR")


def variant(name: str, kind: str):
    entry = read_manifest()["models"][name]
    kernels = plan_for(entry, "f32")
    graph = read_ir(SHIPPED_IR_DIR / entry["xml"])
    host_forms(graph, cpu_info().forms_class, "f32", kernels)
    r = entry["scale"]
    if kind != "stored":
        phases, last = shuffle_chain(graph)
        if kind == "d2s":
            last.output(0).replace(ops.depth_to_space(phases, "blocks_first", r).output(0))
        else:
            nhwc = ops.transpose(phases, ops.constant(np.array([0, 2, 3, 1], np.int64)))
            last.output(0).replace(nhwc.output(0))
        graph.validate_nodes_and_infer_types()
    request = compile_ir(graph, threads=2, kernels=kernels).create_infer_request()
    if kind != "numpy":
        return lambda x: next(iter(request.infer({0: x}).values()))

    def run(x):
        p = next(iter(request.infer({0: x}, share_outputs=True).values()))  # (1, H, W, r*r)
        _, h, w, _ = p.shape
        return _shuffle(p, h, w, r)

    return run


def _shuffle(p, h, w, r):
    out = np.empty((1, 1, h * r, w * r), np.float32)
    out.reshape(h, r, w, r)[...] = p.reshape(h, w, r, r).transpose(0, 2, 1, 3)
    return out


if __name__ == "__main__":
    names, size, minutes = sys.argv[1].split(","), sys.argv[2], float(sys.argv[3])
    w, h = (int(v) for v in size.split("x"))
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    pingpong = Path(tempfile.mkdtemp()) / "pingpong"
    subprocess.run(
        ["gcc", "-O2", "-pthread", str(Path(__file__).with_name("vcpu_pingpong.c")), "-o", pingpong], check=True
    )
    fns = {}
    for name in names:
        for kind in ("stored", "d2s", "numpy"):
            fns[f"{name} {kind}"] = variant(name, kind)
        ref = fns[f"{name} stored"](x).copy()
        for kind in ("d2s", "numpy"):
            print(
                f"{name} {kind}: largest difference to stored {float(np.abs(fns[f'{name} {kind}'](x) - ref).max()):.1e}"
            )
    lines = []
    end = time.time() + minutes * 60
    while time.time() < end:
        t = rounds_ms(fns, x, 2, calls=10)
        other = float(subprocess.run([pingpong, "0", "1"], capture_output=True, text=True).stdout.split()[1])
        lines.append({k: statistics.median(v) for k, v in t.items()} | {"other": other})
        print(
            time.strftime("%H:%M:%S ") + " ".join(f"{lines[-1][k]:6.3f}" for k in fns) + f"  {other:5.1f}", flush=True
        )
    for label, pick in (("together", lambda r: r["other"] >= APART_GBS), ("apart", lambda r: r["other"] < APART_GBS)):
        rows = [r for r in lines if pick(r)]
        print(f"\n{label}: {len(rows)} lines")
        if rows:
            mean = {k: statistics.fmean(r[k] for r in rows) for k in fns}
            for k in fns:
                stored = mean[k.rsplit(" ", 1)[0] + " stored"]
                print(f"  {k:26s} {mean[k]:6.3f} ms  {stored / mean[k]:5.2f}x stored")
