"""Small helpers the tests share: run cpctl in-process, check its output, read the store directly."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

import cpctl.cli

USER = "test.chair"
AUTHORITY = "Testshire County Council (synthetic)"
CHAIR = "Ada Fictional"
ACCEPTED_FORMS = "use YYYY-MM-DD (2027-01-05), DD/MM/YYYY (05/01/2027), 'today' or 'tomorrow'."
CANCELLED = "Cancelled: nothing was saved."

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


def rows(path: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Read the store directly, bypassing cpctl."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, params).fetchall()


def dump(path: Path) -> list[str]:
    """Everything in a store, as SQL text."""
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def audit_actions(path: Path) -> list[str]:
    return [action for (action,) in rows(path, "SELECT action FROM audit_entry ORDER BY id")]
