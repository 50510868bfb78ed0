"""The one error family of cpctl's domain: the CLI prints the message and exits with `exit_code`."""


class CpctlError(Exception):
    """A mistake or a condition the user can act on. The message says what is wrong and how to fix it."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CpctlError):
    """A record the user named does not exist."""


class Invalid(CpctlError):
    """Input that cpctl cannot accept (a bad date, an unknown category, a malformed file)."""


class StoreError(CpctlError):
    """The store cannot be opened, created, written or upgraded."""


class OutputError(CpctlError):
    """A file the user asked for cannot be written; the message names it and says that nothing was written."""


class Cancelled(CpctlError):
    """The user stopped an interactive flow (Ctrl-C or declining to save); nothing was written."""

    exit_code = 130

    def __init__(self, message: str = "Cancelled: nothing was saved.") -> None:
        super().__init__(message)
