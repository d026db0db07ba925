"""Session 74 (Intel Xeon family 6 model 167): what each result's fsync costs a folder with file IO.

`xeonsr.fileio.atomic_write` writes a temporary file, fsyncs it, then renames it over the
destination (after a crash the name holds the whole old file or the whole new one). A worker
waiting in fsync leaves its core idle. `xeonsr.folder.upscale_files` over the 19 Set5 + Set14 x3
LR images as PNG files, 2 workers, in rotating rounds: as shipped, with os.fsync a no-op (the most
that taking the fsyncs off the workers could give) and with each fsync 2 ms slower (a slower disk);
then fsync's own time on this disk. Run at the commit before session 74's change (`git stash` of
xeonsr/) and after it: the ratios inside each run say what the workers lose to the disk.

    XEONSR_DATA=../shared/datasets python benchmarks/probes/fsync_costs.py fsrcnn 27
"""

import os
import statistics
import sys
import time

from _folder_results import folder_results

from xeonsr.folder import upscale_files

model, rounds = sys.argv[1], int(sys.argv[2])
up, jobs, results = folder_results(model)
FSYNC = os.fsync
SLOW_S = 0.002  # a slower disk's fsync (a network volume's round trip), as a wait that lets go of the GIL


def slow(fd):
    time.sleep(SLOW_S)
    FSYNC(fd)


variants = {"as shipped": FSYNC, "fsync a no-op": lambda fd: None, "fsync + 2 ms": slow}
secs = {k: [] for k in variants}
for r in range(rounds):
    for k in list(variants)[r % 3 :] + list(variants)[: r % 3]:
        os.fsync = variants[k]
        t = time.perf_counter()
        assert not any(d.error for d in upscale_files(up, jobs, workers=2))
        secs[k].append(time.perf_counter() - t)
os.fsync = FSYNC
for k, v in secs.items():
    print(
        f"folder, {k:14s} {len(jobs) / statistics.median(v):6.1f} images/s (rounds {len(jobs) / max(v):.1f}-{len(jobs) / min(v):.1f})"
    )
for k in ("fsync a no-op", "fsync + 2 ms"):
    ratios = [a / b for a, b in zip(secs["as shipped"], secs[k], strict=True)]
    print(
        f"{k} against as shipped, by round: median {statistics.median(ratios):.3f}x, {min(ratios):.3f}-{max(ratios):.3f}x"
    )
t = []
for _, d in jobs:
    with open(d, "rb") as f:  # each result rewritten as a new file, then fsynced
        data = f.read()
    tmp = d.with_suffix(".fsync")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        t0 = time.perf_counter()
        FSYNC(f.fileno())
        t.append(time.perf_counter() - t0)
    tmp.unlink()
print(
    f"fsync of a result: median {statistics.median(t) * 1e3:.2f} ms, {min(t) * 1e3:.2f}-{max(t) * 1e3:.2f} ms over {len(t)}"
)
