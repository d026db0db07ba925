"""The command-line commands, one module each (xeonsr.cli imports them lazily)."""

from __future__ import annotations

from collections.abc import Callable


def count(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum`` (argparse's one error line else)."""

    def parse(text: str) -> int:
        import argparse

        value = int(text)  # not a number: argparse's "invalid int value"
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value}: must be {minimum} or more")
        return value

    parse.__name__ = "int"
    return parse


def positive(text: str) -> float:
    """An argparse type: a number above 0 (a rate, a duration)."""
    import argparse

    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text}: must be above 0")
    return value


positive.__name__ = "float"


def model_and_scale(model: str | None, scale: int | None, weights, default_model: Callable[[int], str]):
    """--model and --scale as given; what was not given comes from --weights' own card (so your
    weights run as what they are), else scale 3 and ``default_model(scale)``."""
    from xeonsr.protocol import check_scale

    if weights and (model is None or scale is None):
        from xeonsr.checkpoint import weights_card

        card = weights_card(weights)
        model, scale = model or card.get("model"), scale or card.get("scale")
    scale = check_scale(scale or 3)
    return model or default_model(scale), scale
