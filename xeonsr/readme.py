"""Generated sections of README.md and docs/: text between `<!-- name:begin -->` and
`<!-- name:end -->`."""

from __future__ import annotations

from pathlib import Path

from xeonsr.errors import UserError
from xeonsr.fileio import atomic_write_text


def _read(path: Path, names, only_present: bool) -> tuple[str, list[str]]:
    """``path``'s text and the names of the blocks to write there; refuses a file without them."""
    try:
        text = path.read_text()
    except OSError as e:
        raise UserError(f"{path}: cannot read ({e.strerror})") from None
    if only_present:
        present = [n for n in names if f"<!-- {n}:begin -->" in text and f"<!-- {n}:end -->" in text]
        if not present:
            raise UserError(f"{path}: has none of the blocks {', '.join(names)} (<!-- NAME:begin --> ... end)")
        names = present
    for name in names:
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        if begin not in text or end not in text:
            raise UserError(f"{path}: no {begin} ... {end} markers to put the table between")
    return text, list(names)


def check_blocks(path: str | Path, names, *, only_present: bool = False) -> None:
    """Refuse now, before a long measurement, what :func:`replace_blocks` would refuse after it."""
    _read(Path(path), names, only_present)


def replace_blocks(path: str | Path, blocks: dict[str, str], *, only_present: bool = False) -> list[str]:
    """Rewrite each named block of ``path`` in one atomic write (all or nothing).

    ``only_present``: rewrite the blocks whose markers ``path`` has (at least one), so one
    command can keep a table in README.md and another in a docs page. -> the names written."""
    path = Path(path)
    text, names = _read(path, blocks, only_present)
    for name in names:
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{begin}\n{blocks[name].rstrip()}\n{end}{tail}"
    atomic_write_text(path, text)
    return names
