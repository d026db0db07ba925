"""The base of every error meant for people: the CLI prints its message as one line."""

import errno


class UserError(Exception):
    """Bad input, a missing file or dataset, an impossible request: the message says what to do."""


# Paths people name, and the disk under them: theirs to fix, so one line, not a traceback hint.
_PATH_ERRORS = (FileNotFoundError, PermissionError, FileExistsError, NotADirectoryError, IsADirectoryError)
_DISK_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT}


def is_user_error(e: BaseException) -> bool:
    return isinstance(e, (UserError, *_PATH_ERRORS)) or (isinstance(e, OSError) and e.errno in _DISK_ERRNOS)


def one_line(e: BaseException) -> str:
    """The first line of ``e``'s message; an OS error as 'path: reason' (not '[Errno 2] ...: 'path'')."""
    if isinstance(e, OSError) and e.strerror:
        return f"{e.filename}: {e.strerror}" if e.filename else e.strerror
    text = str(e).strip()
    return text.splitlines()[0] if text else e.__class__.__name__
