"""What every command needs from the CLI side: the store it was pointed at, output, and typed options."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from cpctl.store import Store


ChildArg = Annotated[str, typer.Argument(help="The child's id (or full name).")]
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
    from cpctl.paths import database_url, sqlite_path
    from cpctl.store import FROM_ENVIRONMENT, KEY_VARIABLE, Store, looks_encrypted

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


def out() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


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
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default))


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


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


STATUS_WORDS = {
    "attended": "attended",
    "apologies": "sent apologies",
    "report": "sent a report",
    "not-invited": "not invited",
}
