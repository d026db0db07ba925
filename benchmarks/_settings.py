"""Settings of one job timed against each other in interleaved rounds (tile_streams.py,
many_images.py): a noisy host hits every setting alike, and their outputs are compared."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import numpy as np


def interleaved(settings: dict[str, Callable[[], list]], rounds: int) -> tuple[bool, dict[str, list[float]]]:
    """Each setting run once (the warm-up: every shape compiled) and its list of images compared
    with the first setting's, then ``rounds`` rounds timing each in turn: (same bytes, seconds)."""
    outs = {k: [np.asarray(o) for o in run()] for k, run in settings.items()}
    first = next(iter(outs.values()))
    same = all(
        len(o) == len(first) and all(np.array_equal(a, b) for a, b in zip(o, first, strict=True)) for o in outs.values()
    )
    times: dict[str, list[float]] = {k: [] for k in settings}
    for _ in range(rounds):
        for k, run in settings.items():
            t0 = time.perf_counter()
            run()
            times[k].append(time.perf_counter() - t0)
    return same, times


def write_json(res: dict, path: str | None) -> None:
    if path:
        with open(path, "w") as f:
            json.dump(res, f, indent=1)
