"""The base of every error meant for people: the CLI prints its message as one line."""


class UserError(Exception):
    """Bad input, a missing file or dataset, an impossible request: the message says what to do."""


def is_user_error(e: BaseException) -> bool:
    return isinstance(e, (UserError, FileNotFoundError, PermissionError))
