"""Interleaved timing for the probes (session 35 on; earlier probes carry their own loops): every
round runs every function after xeonsr.bench's quiet pause and re-warm, then times a few calls."""

import statistics
import time

from xeonsr.bench import SETTLE_S, WARM_S


def rounds_ms(fns: dict, x, rounds: int, calls: int = 3) -> dict[str, list[float]]:
    """{name: [ms per call in each round]} of each ``fns[name](x)``, rounds interleaved."""
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            time.sleep(SETTLE_S)
            t_end = time.perf_counter() + WARM_S
            while time.perf_counter() < t_end:
                fn(x)
            t0 = time.perf_counter()
            for _ in range(calls):
                fn(x)
            times[k].append((time.perf_counter() - t0) * 1e3 / calls)
    return times


def against(base, new, x, rounds: int) -> tuple[float, float, float, float, float, float]:
    """``base`` against ``new`` on ``x`` in interleaved rounds: (base's median ms, new's, base/new
    by the median round, its lowest and highest round, the outputs' largest difference)."""
    diff = float(abs(base(x) - new(x)).max())
    t = rounds_ms({"base": base, "new": new}, x, rounds)
    per_round = [a / b for a, b in zip(t["base"], t["new"], strict=True)]
    medians = statistics.median(t["base"]), statistics.median(t["new"]), statistics.median(per_round)
    return *medians, min(per_round), max(per_round), diff
