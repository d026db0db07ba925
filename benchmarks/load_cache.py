"""`Upscaler` load time (read, exact forms, compile) in fresh processes, with the compiled-network
cache (xeonsr.ov.cache_dir) and without it, alternating so a noisy host hits both alike; and
the wall time of `xeonsr upscale` of a tiny image the same way. Checks the outputs are equal.

Usage: python benchmarks/load_cache.py [--rounds 10] [--model fsrcnn] [--scale 3] [--json PATH]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _settings import write_json

LOAD = """
import sys, time
t = time.perf_counter()
from xeonsr.upscaler import Upscaler
Upscaler(sys.argv[1], int(sys.argv[2]), backend="openvino")
print(time.perf_counter() - t)
"""


def main(argv=None) -> dict:
    from xeonsr.info import cpu_info

    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--model", default="fsrcnn")
    ap.add_argument("--scale", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        from PIL import Image

        Image.new("RGB", (50, 40), (90, 120, 30)).save(f"{tmp}/tiny.png")
        envs = {k: {**os.environ, "XEONSR_CACHE_DIR": v} for k, v in (("no cache", ""), ("cache", f"{tmp}/c"))}
        cli = [sys.executable, "-m", "xeonsr.cli", "upscale", f"{tmp}/tiny.png", "--scale", str(args.scale)]
        cli += ["--model", args.model, "--overwrite"]

        def load(env) -> float:
            out = subprocess.run([sys.executable, "-c", LOAD, args.model, str(args.scale)], env=env,
                                 capture_output=True, text=True, check=True)  # fmt: skip
            return float(out.stdout.split()[-1])

        def upscale(env, name) -> float:
            t = time.perf_counter()
            subprocess.run([*cli, "-o", f"{tmp}/{name}.png"], env=env, capture_output=True, check=True)
            return time.perf_counter() - t

        load(envs["cache"])  # fills the cache
        res = {k: {"load_s": [], "upscale_s": []} for k in envs}
        for _ in range(args.rounds):
            for k, env in envs.items():
                res[k]["load_s"].append(load(env))
                res[k]["upscale_s"].append(upscale(env, k.replace(" ", "_")))
        same = Path(f"{tmp}/no_cache.png").read_bytes() == Path(f"{tmp}/cache.png").read_bytes()
    out = {"cpu": cpu_info().model, "model": f"{args.model} x{args.scale}", "same_bytes": same, **res}
    for kind in ("load_s", "upscale_s"):
        a, b = res["no cache"][kind], res["cache"][kind]
        faster = sum(x > y for x, y in zip(a, b, strict=True))
        print(f"{kind}: no cache {min(a):.3f}-{max(a):.3f}, cache {min(b):.3f}-{max(b):.3f}; "
              f"cache faster in {faster} of {len(a)} pairs")  # fmt: skip
    print(f"same bytes: {same}; {out['cpu']}")
    write_json(out, args.json)
    return out


if __name__ == "__main__":
    main()
