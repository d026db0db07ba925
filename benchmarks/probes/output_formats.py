"""Session 42 (AVX2 Zen 3): what `xeonsr upscale DIR -o OUT --format F` costs by format. The 19
Set5 + Set14 LR images (MATLAB bicubic 1/SCALE, as PNG) through `xeonsr.folder.upscale_files`
with 2 workers, as `xeonsr upscale` runs a folder, each output format in turn in interleaved
rounds (order alternating): images/s (median, and the rounds' range) and the results' bytes.

    XEONSR_DATA=../shared/datasets python benchmarks/probes/output_formats.py fsrcnn 3 6 png,jpg,webp,bmp
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from xeonsr.evaluate import resolve_dataset
from xeonsr.folder import upscale_files
from xeonsr.imaging import imresize, load_image
from xeonsr.upscaler import Upscaler

model, scale, rounds, formats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(",")
data = os.environ["XEONSR_DATA"]
files = resolve_dataset("Set5", data)[1] + resolve_dataset("Set14", data)[1]
up = Upscaler(model, scale, streams=2)
print(up.runner.note)
lr_dir, out = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
sources = []
for i, f in enumerate(files):
    Image.fromarray(imresize(load_image(f), 1 / scale)).save(lr_dir / f"lr{i}.png")
    sources.append(lr_dir / f"lr{i}.png")
jobs = {fmt: [(s, out / f"{s.stem}.{fmt}") for s in sources] for fmt in formats}
secs = {fmt: [] for fmt in formats}
for r in range(rounds):
    for fmt in formats if r % 2 == 0 else formats[::-1]:
        time.sleep(0.05)
        t = time.perf_counter()
        assert not any(d.error for d in upscale_files(up, jobs[fmt], workers=2))
        secs[fmt].append(time.perf_counter() - t)
n = len(sources)
base = statistics.median(secs[formats[0]])
for fmt, v in secs.items():
    size = sum(d.stat().st_size for _, d in jobs[fmt])
    print(
        f"{fmt:5s} {n / statistics.median(v):6.1f} images/s (rounds {n / max(v):.1f}-{n / min(v):.1f}),"
        f" {base / statistics.median(v):.2f}x {formats[0]}, {size / 1e6:6.2f} MB"
    )
