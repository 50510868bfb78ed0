"""What the conference tests share: their own store, the synthetic Testwood family, keystrokes for the wizard.

test_conference.py and test_conference_wizard.py import the fixtures from here by name, so pytest finds them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from cpctl.cli import app
from cpctl.demo import testwoods as demo
from cpctl.paths import sqlite_url
from cpctl.store.database import Store

USER = "chair-test"  # a synthetic login
ENTER = "\r"
DOWN = "\x1b[B"
UP = "\x1b[A"
SPACE = " "
CTRL_C = "\x03"
TODAY = date.today()


@pytest.fixture(autouse=True)
def conference_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own data folder, a synthetic login and plain, wide output."""
    data = tmp_path / "data"
    monkeypatch.setenv("CPCTL_DATA_DIR", str(data))
    for name in ("CPCTL_DB", "CPCTL_DATABASE_URL", "CPCTL_NO_AUTO_UPGRADE", "CPCTL_DEBUG"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("CPCTL_USER", USER)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERMINAL_WIDTH", "200")
    monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")
    return data


@pytest.fixture
def family_db(tmp_path: Path) -> Path:
    """A store holding the demo's Testwood family and nothing else: no conference, no plan."""
    path = tmp_path / "family.db"
    store = Store(sqlite_url(path))
    demo.build(store)
    store.dispose()
    return path


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    """The demo family with the example initial conference held six days ago (two plans just begun)."""
    path = tmp_path / "demo.db"
    store = Store(sqlite_url(path))
    demo.build(store)
    demo.record_initial_conference(store)
    store.dispose()
    return path


@pytest.fixture
def family(family_db: Path) -> Iterator[Store]:
    store = Store(sqlite_url(family_db))
    yield store
    store.dispose()


@pytest.fixture
def demo_store(demo_db: Path) -> Iterator[Store]:
    store = Store(sqlite_url(demo_db))
    yield store
    store.dispose()


def cli(*args: str, input: str | None = None) -> Any:
    """Run `cpctl ARGS` in this process; the result has exit_code, stdout and stderr."""
    return CliRunner().invoke(app, list(args), input=input)


def rows(store_or_path: Any) -> dict[str, int]:
    """How many rows each table holds (the audit trail too, but the read log's entries, which a command leaves on
    PostgreSQL whatever becomes of it): the same before and after = nothing written.

    Takes an open Store, a SQLite file's path, or a StoreRef (a store on the backend the test runs on)."""
    if isinstance(store_or_path, Store):
        store, owned = store_or_path, False
    elif isinstance(store_or_path, Path):
        store, owned = Store(sqlite_url(store_or_path)), True
    else:
        store, owned = store_or_path.open(), True
    with store.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        counts = {
            name: conn.execute(
                text(
                    f'SELECT count(*) FROM "{name}"'
                    + (" WHERE substr(action, 1, 5) <> 'read.'" if name == "audit_entry" else "")
                )
            ).scalar_one()
            for name in tables
        }
    if owned:
        store.dispose()
    return counts


def conferences(path: Path) -> list[dict[str, Any]]:
    result = cli("--db", str(path), "conference", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def show(path: Path, ref: str) -> dict[str, Any]:
    result = cli("--db", str(path), "conference", "show", ref, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def child_json(path: Path, ref: str) -> dict[str, Any]:
    result = cli("--db", str(path), "child", "show", ref, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def uk(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def checkbox(*indices: int) -> str:
    """Keys that toggle the entries at these positions (counting from 0) and go on."""
    keys, at = "", 0
    for index in sorted(indices):
        keys += DOWN * (index - at) + SPACE
        at = index
    return keys + ENTER


def items(*texts: str) -> str:
    """Keys that add these items to a list, then finish it with a blank line."""
    return "".join(text + ENTER for text in texts) + ENTER


def retype(value: str) -> str:
    """Keys that clear an answer's default (Ctrl-U) and type another."""
    return "\x15" + value + ENTER
