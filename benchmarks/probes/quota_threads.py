"""One image at a time with N threads inside a CPU quota: what threads counted from the CPUs
(the affinity mask shows them all) cost against threads counted from the quota
(``xeonsr.threads.cpu_quota``). Run it inside a cgroup with a quota, e.g. on cgroup v1 as root:

    mkdir /sys/fs/cgroup/cpu/q && echo 100000 > /sys/fs/cgroup/cpu/q/cpu.cfs_quota_us
    bash -c 'echo $$ > /sys/fs/cgroup/cpu/q/tasks && python benchmarks/probes/quota_threads.py fsrcnn fp32 160x140 8 1,2'

Usage: python benchmarks/probes/quota_threads.py MODEL PRECISION WxH ROUNDS THREADS
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    import numpy as np
    from _rounds import rounds_ms

    from xeonsr.runtime import load_runner
    from xeonsr.threads import cpu_quota, plan_threads

    model, prec, size, rounds, counts = sys.argv[1:6]
    w, h = (int(v) for v in size.split("x"))
    print(f"CPU quota: {cpu_quota()}; plan: {plan_threads(None).describe(pinned=False)}")
    x = np.random.default_rng(0).random((1, 1, h, w), dtype=np.float32)
    fns = {f"{n} threads": load_runner(model, 3, f"ov-{prec}", threads=int(n)) for n in counts.split(",")}
    for k, ms in rounds_ms(fns, x, int(rounds)).items():
        print(f"{k:>10}: median {statistics.median(ms):7.2f} ms, best {min(ms):7.2f}, worst {max(ms):7.2f}")


if __name__ == "__main__":
    main()
