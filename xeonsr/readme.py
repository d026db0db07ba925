"""Generated README sections: text between `<!-- name:begin -->` and `<!-- name:end -->`."""

from __future__ import annotations

from pathlib import Path

from xeonsr.errors import UserError
from xeonsr.fileio import atomic_write_text


def replace_blocks(path: str | Path, blocks: dict[str, str]) -> None:
    """Rewrite each named block of ``path`` in one atomic write (all or nothing)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise UserError(f"{path}: cannot read ({e.strerror})") from None
    for name, content in blocks.items():
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        if begin not in text or end not in text:
            raise UserError(f"{path}: no {begin} ... {end} markers to put the table between")
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{begin}\n{content.rstrip()}\n{end}{tail}"
    atomic_write_text(path, text)
