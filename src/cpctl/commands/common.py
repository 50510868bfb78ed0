"""What every command needs from the CLI side: the store it was pointed at, output, and typed options."""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.segment import Segment
    from rich.table import Table

    from cpctl.store.database import Store


ChildArg = Annotated[
    str, typer.Argument(help="The child's id or name (a given name will do when only one child has it).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@dataclass
class CliState:
    db_path: str | None = None
    auto_upgrade: bool = True


def open_store(ctx: typer.Context, *, check_schema: bool = True, warn_exposed: bool | None = None) -> Store:
    """The store named by --db, $CPCTL_DATABASE_URL, $CPCTL_DB or the default, opened and up to date.

    A SQLite store that others can read gets one warning line on stderr, because SQLite gives what it writes
    beside the store the store's own mode. `db status` and `db check` say more and pass warn_exposed=False; a
    store opened without checking its schema may be someone else's database, not cpctl's to warn about.
    """
    from cpctl import scratch
    from cpctl.paths import database_url, sqlite_path
    from cpctl.store.database import FROM_ENVIRONMENT, KEY_VARIABLE, Store, looks_encrypted

    scratch.sweep()  # what a killed cpctl left behind (one listdir when there is nothing)
    state = ctx.find_root().obj or CliState()
    url = database_url(state.db_path)
    key = FROM_ENVIRONMENT
    path = sqlite_path(url)
    if not os.environ.get(KEY_VARIABLE) and path is not None and looks_encrypted(path) and interactive():
        import getpass

        key = getpass.getpass(f"Key of the encrypted store {path} (or set {KEY_VARIABLE}): ") or None
    store = Store(url, auto_upgrade=state.auto_upgrade, check_schema=check_schema, key=key)
    ctx.call_on_close(store.dispose)  # close its connections when the command ends, even on failure
    if store.backup_made is not None:
        err().print(f"Upgraded the store's schema; a copy of it as it was is at {store.backup_made}", markup=False)
    if (check_schema if warn_exposed is None else warn_exposed) and store.path is not None:
        from cpctl.filemodes import warning

        line = warning(store.path)
        if line is not None:
            err().print(f"Warning: {line}", markup=False, soft_wrap=True)
    return store


def store_file(ctx: typer.Context) -> Path | None:
    """The SQLite file of the store this command is pointed at (None for a server's database), found without
    opening it: a file the user asks cpctl to write is checked against it before any work is done."""
    from cpctl.paths import database_url, sqlite_path

    state = ctx.find_root().obj or CliState()
    return sqlite_path(database_url(state.db_path))


def out() -> Console:
    return _console_class()(highlight=False, soft_wrap=False)


def err() -> Console:
    return _console_class()(stderr=True, highlight=False)


@functools.cache
def _console_class() -> type[Console]:
    from rich.console import Console
    from rich.segment import Segment

    from cpctl.text import without_controls

    class CleanConsole(Console):
        """A console that passes no control character from what it shows to the terminal: a name, a note or an
        id from the store (however it got there) cannot clear the screen, retitle the window, hide text, make a
        link or reorder a line. Rich's own styling and cursor codes are not text, so they still work."""

        def render(self, renderable: Any, options: Any = None) -> Iterator[Segment]:
            for segment in super().render(renderable, options):
                if segment.control is None and segment.text:
                    cleaned = without_controls(segment.text)
                    if cleaned is not segment.text:
                        segment = Segment(cleaned, segment.style)
                yield segment

    return CleanConsole


def say(line: str) -> None:
    """A line of plain output (no rich), with control characters taken out as the consoles do."""
    from cpctl.text import without_controls

    typer.echo(without_controls(line))


def table(*columns: str, title: str | None = None) -> Table:
    """A table whose cells are shown as written: a name like '[bold]' or '[/]' is text, never rich markup."""
    from rich.table import Table
    from rich.text import Text

    class PlainTable(Table):
        def add_row(self, *cells: Any, **options: Any) -> None:
            super().add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in cells), **options)

    grid = PlainTable(title=title, title_justify="left", show_lines=False)
    for column in columns:
        grid.add_column(column, overflow="fold")
    return grid


def markup_free(text: object) -> str:
    """Text from the store, made safe to put inside a line that uses rich markup (e.g. [bold]...[/bold])."""
    from rich.markup import escape

    return escape(str(text))


def emit_json(data: Any) -> None:
    """Machine-readable output: UTF-8 JSON with ISO dates."""
    typer.echo(json_text(data))


def json_text(data: Any) -> str:
    """UTF-8 JSON, with every control character and bidi override inside a string written as its \\u escape
    (JSON escapes C0 controls itself): the same data for a program, and nothing a terminal would act on."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)
    return _JSON_UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def date_value(text: str) -> date:
    """Option parser for dates: refuses anything but the accepted forms, as a usage error."""
    from cpctl.dates import parse_date
    from cpctl.errors import Invalid

    try:
        return parse_date(text)
    except Invalid as exc:
        raise typer.BadParameter(exc.message) from None


def interactive() -> bool:
    """Whether a person is at a terminal to answer questions."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def answer(value: Any) -> Any:
    """questionary returns None when the person presses Ctrl-C: stop, and save nothing."""
    from cpctl.errors import Cancelled

    if value is None:
        raise Cancelled()
    return value


def asked(question: Any) -> Any:
    """The answer to a questionary question; Ctrl-C stops, and nothing is saved.

    Never `question.ask()`: on Ctrl-C it prints its own "Cancelled by user" before cpctl says "Cancelled: nothing
    was saved.", two lines for one thing. `unsafe_ask()` lets the interrupt through to say it once.
    """
    from cpctl.errors import Cancelled

    try:
        value = question.unsafe_ask()
    except KeyboardInterrupt:
        raise Cancelled() from None
    return answer(value)


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


STATUS_WORDS = {
    "attended": "attended",
    "apologies": "sent apologies",
    "report": "sent a report",
    "not-invited": "not invited",
}

OUTCOME_WORDS = {
    "plan-starts": "a plan starts",
    "plan-continues": "the plan continues",
    "plan-changes": "the plan changes",
    "plan-ends": "the plan ends",
    "not-needed": "no plan is needed",
}


def given_once(values: list[str] | None, option: str, what: str) -> str | None:
    """The one value of an option that names one thing (`--child` of `cpctl due`), declared as a list so that a
    repeat is refused instead of the last one silently taken."""
    if not values:
        return None
    if len(values) > 1:
        given = ", ".join(values)
        raise typer.BadParameter(
            f"given {len(values)} times ({given[:80]}); this command takes one {what}: give {option} once.",
            param_hint=option,
        )
    return values[0]
