"""Session 72 (Emerald Rapids Xeon, 2 vCPUs): a large result's PNG deflated in pieces on several
threads (xeonsr.png_write.PIECE_BYTES), and what that does to `xeonsr upscale` of one large photo.

1. encode_png of an upscaled photo (scikit-image's astronaut, resized to W x H by Pillow's bicubic,
   then upscaled x4 by FSRCNN, `xeonsr upscale`'s choice of precision) with threads=1 and threads=all cores, interleaved rounds: seconds
   and bytes (the bytes are the same for any thread count: checked).
2. The whole `xeonsr upscale PHOTO -o OUT.png --scale 4` in a fresh process with this checkout's
   xeonsr and with the one at commit OLD (a `git worktree` made here), interleaved rounds: seconds.

    python benchmarks/probes/png_threads.py 3000x2000 3 OLD
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image

from xeonsr.png_write import encode_png
from xeonsr.threads import plan_threads
from xeonsr.upscaler import Upscaler

w, h = (int(v) for v in sys.argv[1].split("x"))
rounds, old = int(sys.argv[2]), sys.argv[3]
cores = plan_threads(None).used
lr = np.asarray(Image.fromarray(skimage.data.astronaut()).resize((w, h), Image.BICUBIC))
tmp = Path(tempfile.mkdtemp(prefix="png-threads-"))
Image.fromarray(lr).save(tmp / "photo.png")
result = np.asarray(Upscaler("fsrcnn", 4, streams=cores).upscale(Image.fromarray(lr)))
print(f"result {result.shape[1]}x{result.shape[0]}, {result.nbytes / 1e6:.0f} MB raw; threads 1 and {cores}")
times: dict[int, list[float]] = {1: [], cores: []}
sizes = {}
for _ in range(rounds):
    for t in times:
        t0 = time.perf_counter()
        data = encode_png(result, threads=t)
        times[t].append(time.perf_counter() - t0)
        sizes[t] = data
assert sizes[1] == sizes[cores], "the bytes depend on the thread count"
for t, s in times.items():
    print(f"encode_png threads={t}: {min(s):.2f}-{max(s):.2f} s, {len(sizes[t]) / 1e6:.1f} MB")

worktree = tmp / "old"
subprocess.run(["git", "worktree", "add", "-q", "--detach", str(worktree), old], check=True)
here = str(Path(__file__).resolve().parents[2])
whole: dict[str, list[float]] = {old: [], "this checkout": []}
try:
    for _ in range(rounds):
        for name, path in ((old, str(worktree)), ("this checkout", here)):
            out = tmp / "out.png"
            out.unlink(missing_ok=True)
            env = {**os.environ, "PYTHONPATH": path}
            t0 = time.perf_counter()
            cmd = [
                sys.executable,
                "-m",
                "xeonsr.cli",
                "upscale",
                str(tmp / "photo.png"),
                "-o",
                str(out),
                "--scale",
                "4",
            ]
            subprocess.run(cmd, check=True, env=env, capture_output=True, cwd=tmp)  # not here: -m puts "." first
            whole[name].append(time.perf_counter() - t0)
finally:
    subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], check=True)
for name, s in whole.items():
    print(f"xeonsr upscale x4 ({name}): {min(s):.2f}-{max(s):.2f} s")
ratios = [a / b for a, b in zip(whole[old], whole["this checkout"], strict=True)]
print(f"ratio per round (old / this): {', '.join(f'{r:.2f}' for r in ratios)}")
