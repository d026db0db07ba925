"""How an image is cut into LR tiles: the fewest, as even as can be."""

from __future__ import annotations

DEFAULT_TILE = 256  # LR pixels a tile's side at most


def even_step(n: int, most: int) -> int:
    """The step cutting ``n`` into the fewest pieces of at most ``most``, as even as can be (260
    rows: 130 + 130, not 256 + 4): a 260x260 image ran 1.4-1.6x faster so, a large one the same
    (Zen 3, session 41; benchmarks/probes/even_tiles.py)."""
    return -(-n // -(-n // most))


def tile_count(width: int, height: int, tile: int | None = None) -> int:
    """How many tiles a ``width`` x ``height`` LR image is cut into (``tile``: None the default
    side, 0 none)."""
    side = DEFAULT_TILE if tile is None else tile
    return 1 if side <= 0 else -(-width // side) * -(-height // side)
