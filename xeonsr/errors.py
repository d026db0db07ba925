"""The base of every error meant for people: the CLI prints its message as one line."""

import errno
import sys


class UserError(Exception):
    """Bad input, a missing file or dataset, an impossible request: the message says what to do."""


# Paths people name, and the disk under them: theirs to fix, so one line, not a traceback hint.
_PATH_ERRORS = (FileNotFoundError, PermissionError, FileExistsError, NotADirectoryError, IsADirectoryError)
_DISK_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT}


# A library a command needs that this install lacks (the slim install has no torch, a bare one no
# peers): what to install, instead of an "internal error".
_INSTALL = {
    "openvino": "pip install 'openvino>=2023.3'",
    "torch": (
        "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu, or run the IRs: --backend openvino"
    ),
    "nncf": "pip install 'nncf>=2.14'",
    "onnxruntime": "pip install 'xeonsr[peers]'",
    "onnx": "pip install 'xeonsr[peers]'",
    "cv2": "pip install 'xeonsr[peers]'",
    "skimage": "pip install scikit-image",
    "safetensors": "pip install safetensors",
    "matplotlib": "pip install matplotlib",
}


def _missing(e: BaseException) -> str | None:
    """The library ``e`` says is not installed, if it is one of ours to name (a module missing
    inside an installed library is not that: its version is the question)."""
    if isinstance(e, ModuleNotFoundError) and e.name in _INSTALL:
        return e.name
    return None


def is_user_error(e: BaseException) -> bool:
    return (
        isinstance(e, (UserError, MemoryError, *_PATH_ERRORS))
        or (isinstance(e, OSError) and e.errno in _DISK_ERRNOS)
        or _missing(e) is not None
    )


def one_line(e: BaseException) -> str:
    """The first line of ``e``'s message; an OS error as 'path: reason' (not '[Errno 2] ...: 'path'')."""
    library = _missing(e)
    if library is not None:
        return f"{library} is not installed here and this command needs it: {_INSTALL[library]}"
    if isinstance(e, MemoryError):  # an input too large for this machine: a smaller one, or --tile
        return f"not enough memory: {str(e).strip() or 'an allocation failed'}"
    if isinstance(e, OSError) and e.strerror:
        return f"{e.filename}: {e.strerror}" if e.filename else e.strerror
    text = str(e).strip()
    return text.splitlines()[0] if text else e.__class__.__name__


def note(message: str, kind: str = "note") -> None:
    """``xeonsr: note: message`` on stderr, on a line of its own above a progress bar on screen
    (a bare print from a folder's worker was glued to the end of the bar's line). tqdm is used
    only where a command imported it: it is the one drawing a bar."""
    line = f"xeonsr: {kind}: {message}"
    bars = sys.modules.get("tqdm")
    if bars is not None:
        bars.tqdm.write(line, file=sys.stderr)
    else:
        print(line, file=sys.stderr)
