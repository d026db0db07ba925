"""Wait for a quiet host, then run a command. On a shared VM a neighbour's load can halve every
timing for hours (the Intel Xeon with AMX, sessions 35-39: the FP32 matrix-product peak 83-232
GFLOP/s on 2 threads against 402 quiet), and a latency table written then says more about the
neighbour than about the CPU.

    python benchmarks/when_quiet.py --min-gflops 350 -- xeonsr bench --dataset Set14 ...

Every --every seconds it measures the FP32 matrix-product peak on --threads threads
(xeonsr.peaks.fp32_matmul_peak, a fraction of a second) and prints it with the UTC time; after
--samples samples in a row at or above --min-gflops it runs the command and exits with its
status. Past --give-up-min minutes it exits 3, naming the best sample it saw. Run nothing else
meanwhile: your own work is load too.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--min-gflops", type=float, required=True, help="the quiet host's level (its README peak, less ~10%%)"
    )
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="threads to measure on (default: all)")
    p.add_argument("--every", type=float, default=120.0, help="seconds between samples (default 120)")
    p.add_argument("--samples", type=int, default=2, help="quiet samples in a row before the command (default 2)")
    p.add_argument("--give-up-min", type=float, default=120.0, help="minutes to wait at most (default 120)")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = p.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        p.error("give the command to run after --")
    from xeonsr.peaks import fp32_matmul_peak

    deadline = time.monotonic() + 60 * args.give_up_min
    quiet, best = 0, 0.0
    while True:
        gflops, _lib = fp32_matmul_peak(args.threads, repeats=2)
        best = max(best, gflops)
        quiet = quiet + 1 if gflops >= args.min_gflops else 0
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M:%S")
        print(
            f"{now} UTC  FP32 peak {gflops:.0f} GFLOP/s on {args.threads} threads ({quiet}/{args.samples} quiet)",
            flush=True,
        )
        if quiet >= args.samples:
            return subprocess.call(command)
        if time.monotonic() + args.every > deadline:
            print(f"no quiet window in {args.give_up_min:g} min: best sample {best:.0f} GFLOP/s", file=sys.stderr)
            return 3
        time.sleep(args.every)


if __name__ == "__main__":
    sys.exit(main())
