"""Small helpers the tests share: run cpctl in-process, check its output, read the store directly."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

import cpctl.cli
from backends import StoreRef

USER = "test.chair"
AUTHORITY = "Testshire County Council (synthetic)"
CHAIR = "Ada Fictional"
ACCEPTED_FORMS = "use YYYY-MM-DD (2027-01-05), DD/MM/YYYY (05/01/2027), 'today' or 'tomorrow'."
CANCELLED = "Cancelled: nothing was saved."


def login_of(store: StoreRef | Path | str) -> str:
    """Who the audit trail names as running cpctl: $CPCTL_USER (USER) on SQLite; on PostgreSQL the login the
    server knows, which cpctl cannot be told otherwise (the tests connect as the URL's user)."""
    url = store.url if isinstance(store, StoreRef) else str(store)
    if url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        return str(make_url(url).username)
    return USER


def actor_of(store: StoreRef | Path | str) -> str:
    """The audit actor of the chair the `initialised` fixture registers."""
    return f"{CHAIR} ({login_of(store)})"


# How many changes the audit trail records: its entries but the read log's (on PostgreSQL a command, even one that
# fails, leaves the trace of what it looked up: `read.show`, `read.denied`).
CHANGES = "SELECT count(*) FROM audit_entry WHERE substr(action, 1, 5) <> 'read.'"

Run = Callable[..., Result]  # the `cli` fixture: cli("child", "list") runs `cpctl child list`


def run_cli(*args: str, input: str | None = None) -> Result:
    """`cpctl ARGS` in this process, through the root group's own error handling."""
    result = CliRunner().invoke(cpctl.cli.app, list(args), input=input, prog_name="cpctl", catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def ok(result: Result) -> str:
    """The stdout of a command that must have succeeded with nothing on stderr."""
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


def ok_json(result: Result) -> Any:
    return json.loads(ok(result))


def failed(result: Result, line: str, code: int = 1) -> None:
    """The command failed with exactly this one line on stderr and nothing on stdout."""
    assert (result.exit_code, result.stderr) == (code, line + "\n")
    assert result.stdout == ""


def rows(store: StoreRef | Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Read the store directly, bypassing cpctl (`?` placeholders; dates come back as ISO text on both backends)."""
    path = store if isinstance(store, Path) else store.path
    if path is not None:
        with closing(sqlite3.connect(path)) as conn:
            return conn.execute(sql, params).fetchall()
    with _server(store).connect() as conn:
        found = conn.exec_driver_sql(sql.replace("?", "%s"), tuple(params)) if params else conn.exec_driver_sql(sql)
        return [tuple(_plain(value) for value in row) for row in found.all()]


def execute(store: StoreRef | Path, *statements: str) -> None:
    """Change the store directly, bypassing cpctl (as someone with a database tool could), and commit."""
    path = store if isinstance(store, Path) else store.path
    if path is not None:
        with closing(sqlite3.connect(path)) as conn:
            for sql in statements:
                conn.execute(sql)
            conn.commit()
        return
    with _server(store).begin() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql)


def dump(store: StoreRef | Path) -> list[str]:
    """Everything in a store, as text: SQLite's own SQL dump, or every table's rows from a server.

    On a server the read log's entries (`read.show`, `read.denied`: PostgreSQL stores log each lookup of a child,
    and a refused command leaves its trace) are left out: reading is not a change. tests/test_access.py checks
    the read log itself."""
    path = store if isinstance(store, Path) else store.path
    if path is not None:
        with closing(sqlite3.connect(path)) as conn:
            return list(conn.iterdump())
    from sqlalchemy import inspect

    out: list[str] = []
    with _server(store).connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            only = " WHERE substr(action, 1, 5) <> 'read.'" if table == "audit_entry" else ""
            found = conn.exec_driver_sql(f'SELECT * FROM "{table}"{only}').all()
            out += sorted(f"{table}: {tuple(_plain(value) for value in row)!r}" for row in found)
    return out


_engines: dict[str, Any] = {}


def _server(store: StoreRef | Path) -> Any:
    """A connection pool-less engine on the store's server database (its URL's database)."""
    assert isinstance(store, StoreRef)
    if store.url not in _engines:
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        _engines[store.url] = create_engine(store.url, poolclass=NullPool)
    return _engines[store.url]


def _plain(value: Any) -> Any:
    """Dates as SQLite returns them (ISO text), so that the same assertion holds on both backends."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def audit_actions(path: Path) -> list[str]:
    return [action for (action,) in rows(path, "SELECT action FROM audit_entry ORDER BY id")]
