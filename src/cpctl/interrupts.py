"""SIGTERM and SIGHUP (a shutdown, a closed terminal) end cpctl the way Ctrl-C does: as an exception, so that every
`finally` runs (the open transaction rolls back, temporary copies are removed, Chromium is stopped) before the
process exits with 128 + the signal's number.

`held()` marks the few steps that must not be cut in two, e.g. moving exported copies into place and committing the
audit entry that records them: a signal that arrives meanwhile takes effect as soon as the step is done.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CAUGHT = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_holding = [0]
_pending: list[int] = []


class Stopped(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP). A BaseException, like KeyboardInterrupt, so that no
    `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _stop(signum: int, _frame: Any) -> None:
    if _holding[0]:
        _pending.append(signum)
        return
    _raise(signum)


def _raise(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    for caught in CAUGHT:  # a second signal must not cut the clean-up short (SIGKILL still ends it at once)
        signal.signal(caught, signal.SIG_IGN)
    raise Stopped(signum)


def catch() -> dict[int, Any] | None:
    """Install the handlers (main thread only); returns what to give `restore()`."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = {}
    for signum in (*CAUGHT, signal.SIGINT):
        previous[signum] = signal.getsignal(signum)
        if signum == signal.SIGINT and previous[signum] is not signal.default_int_handler:
            continue  # someone chose how Ctrl-C behaves (ignored, say): leave it
        signal.signal(signum, _stop)
    _pending.clear()
    return previous


def restore(previous: dict[int, Any] | None) -> None:
    if previous is None:
        return
    for signum, handler in previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


@contextmanager
def held() -> Iterator[None]:
    """A step that a caught signal does not interrupt: the signal takes effect when it is done."""
    _holding[0] += 1
    try:
        yield
    finally:
        _holding[0] -= 1
    if not _holding[0] and _pending:  # the step is done: now the signal takes effect
        signum = _pending[0]
        _pending.clear()
        _raise(signum)
