"""Atomic file writes: a reader (or a kill -9) never leaves a half-written file behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: str | Path, write: Callable[[str], object], defer: bool = False) -> Callable[[], None] | None:
    """Call ``write(tmp_path)`` for a temporary file beside ``path``, then commit it: fsync, then
    rename it over. ``defer``: return the commit instead of running it, for a thread of its own
    (a folder's worker goes on to its next image while the disk syncs this one's file; until the
    commit runs, ``path`` holds what it held before and the file is whole under its temporary name)."""
    path = Path(path)
    if path.is_dir():  # else the rename fails naming the temporary file
        from xeonsr.errors import UserError

        raise UserError(f"{path}: a folder, not a file to write")
    make_folder(path.parent)
    # The name's start only: a name of 250 bytes (most file systems take 255) has no room for more.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=path.parent)
    os.close(fd)

    def commit() -> None:
        try:
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    try:
        write(tmp)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if defer:
        return commit
    commit()
    return None


OUTPUT_OPTIONS = ("json", "table", "plot")  # files commands write once their work is done


def check_outputs(args) -> None:
    """Before any work: an output option naming a folder fails now, not after minutes of it."""
    from xeonsr.errors import UserError

    for name in OUTPUT_OPTIONS:
        value = getattr(args, name, None)
        if value and Path(value).is_dir():
            raise UserError(f"--{name} {value}: a folder; name the file to write")


def make_folder(path: str | Path) -> Path:
    """``mkdir -p path``, failing in one line that names the folder (or the file in its way)."""
    from xeonsr.errors import UserError

    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), path)
        raise UserError(f"{path}: cannot make this folder: {blocker} is a file") from None
    except OSError as e:
        raise UserError(f"{path}: cannot make this folder ({e.strerror or e})") from None
    return path


def atomic_write_bytes(path: str | Path, data: bytes, defer: bool = False) -> Callable[[], None] | None:
    return atomic_write(path, lambda tmp: Path(tmp).write_bytes(data), defer)


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write(path, lambda tmp: Path(tmp).write_text(text))


def write_json(path: str | Path, obj) -> None:
    import json

    atomic_write_text(path, json.dumps(obj, indent=2) + "\n")


def _umask() -> int:
    """The process's umask, read where Linux shows it: os.umask can only be read by setting it,
    and a folder another worker thread made between the two calls got mode 0777."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return _UMASK_AT_IMPORT


def _umask_by_setting() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK_AT_IMPORT = _umask_by_setting()  # elsewhere (no /proc): once, when the module loads
