"""torch.compile for PyTorch inference: eager (the deploy form, channels-last, as the torch-fp32
runner) vs compiled, per model, on one Set14-sized LR image; compile time stated apart.

Usage: python benchmarks/compile_speed.py [--models fsrcnn,srcnn] [--threads 1] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import time

import torch


def per_call_ms(fn, x, repeats: int) -> float:
    t0 = time.perf_counter()
    for _ in range(repeats):
        fn(x)
    return (time.perf_counter() - t0) / repeats * 1e3


def main(argv=None) -> dict:
    from xeonsr.infer import load_torch_model
    from xeonsr.info import cpu_info
    from xeonsr.models import deploy_form

    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="fsrcnn,fsrcnn-s,srcnn,dcscn")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--size", default="170x150", help="LR WxH (a Set14 image at x3 is about 170x150)")
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    w, h = (int(v) for v in args.size.split("x"))
    x = torch.rand(1, 1, h, w).contiguous(memory_format=torch.channels_last)
    res = {}
    for m in args.models.split(","):
        net = deploy_form(load_torch_model(m, 3)[0]).to(memory_format=torch.channels_last)
        with torch.inference_mode():
            net(x)
            eager = per_call_ms(net, x, args.repeats)
            compiled = torch.compile(net, dynamic=False)
            t0 = time.perf_counter()
            compiled(x)
            compile_s = time.perf_counter() - t0
            comp = per_call_ms(compiled, x, args.repeats)
        res[m] = {"eager_ms": round(eager, 2), "compiled_ms": round(comp, 2), "compile_s": round(compile_s, 1)}
        print(f"{m:<9} eager {eager:7.2f} ms  compiled {comp:7.2f} ms ({eager / comp:.2f}x)  compile {compile_s:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            meta = {"cpu": cpu_info().model, "threads": args.threads, "size": args.size}
            json.dump({**meta, "results": res}, f, indent=2)
    return res


if __name__ == "__main__":
    main()
