"""Session 76 (family 6 model 167 Xeon): `xeonsr upscale` with glibc's malloc left as it is against
freed memory kept in the process (glibc's mmap and trim thresholds raised through GLIBC_TUNABLES),
end to end in fresh processes. Not adopted: three runs of 7 rounds (outputs
benchmarks/results/malloc_reuse_intel_xeon_m167_2c_s76_run[1-3].txt) had the folder process 1.04-1.10x
as fast by its median round, but the bench's in-process rates 0.98-1.10x (medians; round ranges
0.86-1.15x) and the large image 0.96-1.04x, for 100 MB more peak RSS there: a gain at a process's
start, none once glibc's own threshold has risen.

glibc hands a freed block of more than its mmap threshold (128 KiB at first, raised as blocks are
freed, to 32 MiB at most) back to the OS at once, and trims its heap's free top, so the next image's
arrays are faulted in page by page again; on this VM a fresh 64 MiB array cost 9-36 ms to touch
against 8 ms to refill. Each VARIANT is NAME=ENV (ENV: VAR=VALUE pairs joined by ",", or "-" for
none), run over three jobs in interleaved rounds, the order rotating each round:

1. a folder: Set5 + Set14 x3 LR PNGs (MATLAB bicubic 1/3), four copies (76 files), PNG out;
2. one large image: BSD200's first image (not a test image) enlarged 6x (2886 x 1926, JPEG), x2, PNG out;
3. `xeonsr bench --mode throughput` over Set5 + Set14 x3, FSRCNN ov-int8 and ov-fp32, 2 threads: its
   in-process rates, the folder without file IO and with it (no process start in them).

Prints each variant's wall time per job (median and range over the rounds), its ratio to the
first variant in the same round, and the child's peak RSS; for the bench, its rates and their ratios.

    XEONSR_DATA=../shared/datasets python benchmarks/probes/malloc_reuse.py 7 default=- \
        keep=GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=2147483647
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from xeonsr.evaluate import resolve_dataset
from xeonsr.imaging import imresize, load_image

rounds = int(sys.argv[1])
variants = []
for spec in sys.argv[2:]:
    name, env = spec.split("=", 1)
    variants.append((name, {} if env == "-" else dict(kv.split("=", 1) for kv in env.split(","))))
data = os.environ["XEONSR_DATA"]
tmp = Path(tempfile.mkdtemp(prefix="malloc_reuse_"))
folder = tmp / "lr"
folder.mkdir()
for copy in range(4):
    for f in resolve_dataset("Set5", data)[1] + resolve_dataset("Set14", data)[1]:
        Image.fromarray(imresize(load_image(f), 1 / 3)).save(folder / f"{copy}_{Path(f).stem}.png")
first = sorted(Path(data, "BSD200").iterdir())[0]
big = tmp / "big.jpg"
with Image.open(first) as im:
    im.convert("RGB").resize((im.width * 6, im.height * 6), Image.LANCZOS).save(big, quality=92)
jobs = {
    "folder x3 (76 PNGs)": ["upscale", str(folder), "-o", str(tmp / "out_folder"), "--scale", "3", "--overwrite"],
    f"large x2 ({big.name} {Image.open(big).size[0]}x{Image.open(big).size[1]})": [
        "upscale",
        str(big),
        "-o",
        str(tmp / "big_x2.png"),
        "--scale",
        "2",
        "--overwrite",
    ],
}
xeonsr = [sys.executable, "-m", "xeonsr.cli"]
bench_json = tmp / "bench.json"
bench = ["bench", "--mode", "throughput", "--dataset", "Set5,Set14", "--data-dir", data, "--scale", "3"]
bench += ["--models", "fsrcnn", "--backends", "ov-int8,ov-fp32", "--threads", "2", "--json", str(bench_json)]


def run(args: list[str], env: dict) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(xeonsr + args, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"{args}: exit {proc.returncode}: {proc.stderr.read().decode()[-500:]}")
    return wall, usage.ru_maxrss / 1024


for args in jobs.values():  # compiled-model cache and page cache warm for every variant alike
    run(args, {})
results = {(j, n): [] for j in jobs for n, _ in variants}
rates = {n: [] for n, _ in variants}  # per round: {(backend, "no IO" | "file IO"): images/s}
for r in range(rounds):
    order = variants[r % len(variants) :] + variants[: r % len(variants)]
    for job, args in jobs.items():
        for name, env in order:
            results[job, name].append(run(args, env))
    for name, env in order:
        run(bench, env)
        rows = json.loads(bench_json.read_text())["rows"]
        rates[name].append(
            {
                (x["backend"], k): x[f]
                for x in rows
                for k, f in (("no IO", "images_per_s"), ("file IO", "io_images_per_s"))
            }
        )
print(f"{rounds} rounds; the first variant ({variants[0][0]}) is the base of the ratios")
for job in jobs:
    print(job)
    base = [w for w, _ in results[job, variants[0][0]]]
    for name, _ in variants:
        walls = [w for w, _ in results[job, name]]
        ratios = [b / w for b, w in zip(base, walls, strict=True)]
        rss = max(m for _, m in results[job, name])
        print(
            f"  {name:10s} {statistics.median(walls):6.3f} s ({min(walls):.3f}-{max(walls):.3f}), "
            f"speed {min(ratios):.2f}-{max(ratios):.2f}x (median {statistics.median(ratios):.2f}), peak RSS {rss:.0f} MB"
        )
print("bench --mode throughput, Set5 + Set14 x3, FSRCNN, 2 threads (images/s, in process)")
for key in rates[variants[0][0]][0]:
    base = [r[key] for r in rates[variants[0][0]]]
    for name, _ in variants:
        got = [r[key] for r in rates[name]]
        ratios = [g / b for g, b in zip(got, base, strict=True)]
        print(
            f"  {key[0]:8s} {key[1]:8s} {name:10s} {statistics.median(got):7.1f} ({min(got):.1f}-{max(got):.1f}), "
            f"speed {min(ratios):.2f}-{max(ratios):.2f}x (median {statistics.median(ratios):.2f})"
        )
