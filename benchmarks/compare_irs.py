"""Latency of several OpenVINO IRs on one input size, measured in one interleaved run.

    python benchmarks/compare_irs.py --size 160x140 --threads 2 A.xml B.xml [...]

Each IR is compiled as `xeonsr bench` and `Upscaler` compile it (latency hint, f32 inference
precision, the given threads, dynamic shape as shipped, and this CPU's exact forms
(xeonsr.ir_forms.host_forms: on AVX2 an FP32 IR's first layer in rows and its column pairs);
`--as-stored` compiles the file as it is, `--static` reshapes it to the size first; no kernel
plan, which needs a store's manifest); rounds
alternate between the IRs so that a machine whose speed drifts affects them alike. Prints the
median per IR and its ratio to the first. For comparing two exports of a model: an older IR comes from git, e.g.
`git show REV:openvino_models/fsrcnn_x3_int8.xml > /tmp/old.xml` (and the .bin).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("irs", nargs="+", help=".xml files (the .bin beside each)")
    ap.add_argument("--size", default="160x140", help="LR input WxH (default 160x140)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--per-round", type=int, default=8)
    ap.add_argument("--static", action="store_true", help="reshape each IR to the input size before compiling")
    ap.add_argument("--as-stored", action="store_true", help="compile each IR without this CPU's exact forms")
    args = ap.parse_args()
    import openvino as ov

    from xeonsr.info import cpu_info
    from xeonsr.ir_forms import host_forms
    from xeonsr.ov import compile_ir
    from xeonsr.profile import parse_size

    h, w = parse_size(args.size)
    core = ov.Core()
    requests = []
    for xml in args.irs:
        model = core.read_model(xml)
        if args.static:
            model.reshape([1, 1, h, w])
        if not args.as_stored:
            host_forms(model, cpu_info().forms_class)
        requests.append(compile_ir(model, args.threads).create_infer_request())  # LATENCY, f32
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    times: list[list[float]] = [[] for _ in requests]
    for _ in range(args.rounds):
        for req, ts in zip(requests, times, strict=True):
            req.infer({0: x})  # warm after the other IRs ran
            for _ in range(args.per_round):
                t0 = time.perf_counter()
                req.infer({0: x})
                ts.append(time.perf_counter() - t0)
    base = float(np.median(times[0]))
    for xml, ts in zip(args.irs, times, strict=True):
        med = float(np.median(ts))
        print(f"{med * 1e3:8.2f} ms  {base / med:5.2f}x  {xml}")


if __name__ == "__main__":
    main()
