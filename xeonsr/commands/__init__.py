"""The command-line commands, one module each (xeonsr.cli imports them lazily)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def count(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum`` and at most ``maximum`` (None: no
    limit; argparse's one error line else)."""

    def parse(text: str) -> int:
        value = int(text)  # not a number: argparse's "invalid int value"
        if value < minimum or (maximum is not None and value > maximum):
            limits = f"{minimum} or more" if maximum is None else f"{minimum} to {maximum}"
            raise argparse.ArgumentTypeError(f"{value}: must be {limits}")
        return value

    parse.__name__ = "int"
    return parse


def positive(text: str) -> float:
    """An argparse type: a number above 0 (a rate, a duration)."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text}: must be above 0")
    return value


positive.__name__ = "float"


def given_options(args, add_arguments: Callable) -> set[str]:
    """The dests of the options typed on the command line (not their defaults): the command's
    arguments parsed again, every default suppressed (abbreviations and --opt=value alike)."""
    p = argparse.ArgumentParser(add_help=False)
    add_arguments(p)
    for action in p._actions:
        action.default = argparse.SUPPRESS
    typed, _rest = p.parse_known_args(getattr(args, "_argv", []))
    return set(vars(typed))
