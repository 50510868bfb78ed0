"""What a chair runs dozens of times a day issues as many SQL statements for 50 children as for 5 (not timed).

Statements are counted with SQLAlchemy's `before_cursor_execute` event, in-process, on synthetic stores of 5
and of 50 children on plans (with their history). The child shown is the one with the longest history, so a
statement per conference, plan or version would show up as well as one per child in the store.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from helpers import rows, run_cli

TODAY = date(2026, 6, 15)
LOGIN = "synthetic.maker"  # the synthetic store's own user: one of its chairs


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    from cpctl.demo import synthetic
    from cpctl.paths import sqlite_url
    from cpctl.store.database import Store

    made = {}
    before = os.environ.get("CPCTL_USER")
    os.environ["CPCTL_USER"] = LOGIN
    try:
        for size in (5, 50):
            path = tmp_path_factory.mktemp(f"children-{size}") / "store.db"
            store = Store(sqlite_url(path))
            try:
                synthetic.build(store, children=size, today=TODAY)
            finally:
                store.dispose()
            made[size] = path
    finally:
        if before is None:
            del os.environ["CPCTL_USER"]
        else:
            os.environ["CPCTL_USER"] = before
    return made


@pytest.fixture
def as_the_chair(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPCTL_USER", LOGIN)


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        self.statements.append(statement)


def count(*args: str) -> list[str]:
    """The SQL statements `cpctl ARGS` issues, run in this process."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    counter = Counter()
    event.listen(Engine, "before_cursor_execute", counter)
    try:
        result = run_cli(*args)
    finally:
        event.remove(Engine, "before_cursor_execute", counter)
    assert result.exit_code == 0, result.output
    return counter.statements


def busiest_child(path: Path) -> str:
    """The child on a plan with the most conferences, plans and plan versions behind them."""
    ((ref,),) = rows(
        path,
        "SELECT c.ref FROM child c JOIN plan p ON p.child_id = c.id AND p.ended_on IS NULL "
        "ORDER BY (SELECT count(*) FROM decision d WHERE d.child_id = c.id) "
        "+ (SELECT count(*) FROM plan_version v JOIN plan q ON q.id = v.plan_id WHERE q.child_id = c.id) DESC, "
        "c.id LIMIT 1",
    )
    return str(ref)


def per_store(stores: dict[int, Path], *args: str, child: bool = False) -> Iterator[tuple[int, list[str]]]:
    for size, path in stores.items():
        extra = (busiest_child(path),) if child else ()
        yield size, count("--db", str(path), *args, *extra)


def test_the_stores_differ_in_size(stores: dict[int, Path]) -> None:
    for size, path in stores.items():
        assert rows(path, "SELECT count(*) FROM plan WHERE ended_on IS NULL") == [(size,)]


def test_due_does_not_grow_with_the_children(stores: dict[int, Path], as_the_chair: None) -> None:
    counts = dict((size, len(found)) for size, found in per_store(stores, "due", "--on", TODAY.isoformat()))
    assert counts[5] == counts[50], counts
    everyone = dict(
        (size, len(found)) for size, found in per_store(stores, "due", "--everyone", "--on", TODAY.isoformat())
    )
    assert everyone[5] == everyone[50], everyone


def test_child_show_does_not_grow_with_the_children_or_their_history(stores: dict[int, Path]) -> None:
    counts = dict((size, len(found)) for size, found in per_store(stores, "child", "show", child=True))
    assert counts[5] == counts[50], counts


def test_plan_show_does_not_grow_with_the_children_or_their_history(stores: dict[int, Path]) -> None:
    counts = dict((size, len(found)) for size, found in per_store(stores, "plan", "show", child=True))
    assert counts[5] == counts[50], counts


def test_the_counter_counts() -> None:
    """Guards the tests above: a command that reads the store is seen issuing statements."""
    assert len(count("db", "status")) > 0


NOT_ON_THE_COMMON_PATH = ["alembic", "yaml", "holidays", "dateutil", "icalendar", "jinja2", "questionary", "babel"]


def test_due_imports_only_what_it_uses(initialised: Path) -> None:
    """`cpctl due` on an up-to-date store with its profile cached: no migrations, YAML, calendars or templates."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys, cpctl.cli\n"
        "try:\n"
        f"    cpctl.cli.app(['--db', {str(initialised)!r}, 'due'], prog_name='cpctl')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps([m for m in {NOT_ON_THE_COMMON_PATH!r} if m in sys.modules]))"
    )
    for _ in range(2):  # the first run may parse the profile's YAML and cache it
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == []
