"""`cpctl db backup` and `cpctl db restore`: a round trip on either backend, private files, a safety copy, and no
restore over a newer store without --force.

Newer means: a later schema revision than the backup's, or an audit trail whose newest entry the backup does not
hold (the store has changes the backup lacks). A restore killed part way is tested in test_crashes.py.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from backends import StoreRef
from cpctl.store.migrations import HEAD, REVISIONS
from helpers import Run, dump, execute, failed, ok, ok_json, rows

FIXTURES = Path(__file__).parent / "fixtures" / "stores"
NEWER = (
    "Error: the store is newer than the backup ({why}): restoring would lose those changes. Add --force to "
    "restore anyway (a safety copy of the store is kept)."
)


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def children(cli: Run, *args: str) -> list[str]:
    return [c["id"] for c in ok_json(cli(*args, "child", "list", "--json"))]


def safety_copies(data_dir: Path) -> list[Path]:
    """Safety copies: beside a SQLite store (in the data folder here), or in the data folder's backups/."""
    return sorted(data_dir.rglob("*.before-restore-*.bak"))


def records(store: StoreRef) -> dict[str, list[tuple]]:
    """Every row of the tables this test's store uses, in order."""
    tables = ("setting", "family", "child", "person", "child_person", "app_user", "audit_entry")
    return {table: rows(store, f'SELECT * FROM "{table}" ORDER BY 1, 2') for table in tables}


def newest(store: StoreRef) -> tuple[int, str]:
    return rows(store, "SELECT id, at FROM audit_entry ORDER BY id DESC LIMIT 1")[0]


@pytest.fixture
def backed_up(cli: Run, initialised: StoreRef, tmp_path: Path) -> Path:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    ok(cli("person", "add", "Sam Testwood", "--kind", "parent", "--child", "TW-1", "--relationship", "mother"))
    target = tmp_path / "monday.bak"
    ok(cli("db", "backup", str(target)))
    return target


@pytest.mark.usefixtures("open_umask")
def test_restore_over_an_older_store_round_trips(
    cli: Run, initialised: StoreRef, backed_up: Path, make_store: Callable[..., StoreRef], data_dir: Path
) -> None:
    """A backup restored into a store that holds less (here: a new store) gives back every record."""
    original = records(initialised)
    target = make_store("elsewhere.db")
    out = ok(cli("--db", str(target), "db", "restore", str(backed_up)))
    (safety,) = safety_copies(data_dir.parent)
    assert out == (
        f"Restored the store from {backed_up}: 1 child, 0 conferences, 6 audit entries. "
        f"The store as it was is at {safety}\n"
    )
    assert mode(safety) == 0o600
    # every record as it was, and the restore recorded on the end of the same audit trail
    restored = records(target)
    assert restored["audit_entry"][:-1] == original["audit_entry"]
    assert restored["audit_entry"][-1][3] == "store.restore"
    assert {k: v for k, v in restored.items() if k != "audit_entry"} == {
        k: v for k, v in original.items() if k != "audit_entry"
    }
    assert ok(cli("--db", str(target), "audit", "verify")).startswith("The audit trail is intact: 6 entries")
    assert ok(cli("--db", str(target), "db", "check")).endswith("No problems found.\n")
    # and the store goes on: new records get new ids after the restored ones
    ok(cli("--db", str(target), "child", "add", "Mia", "Testwood", "--dob", "2021-08-30"))
    assert children(cli, "--db", str(target)) == ["TW-1", "C00002"]


def test_restore_replaces_records_made_after_the_backup_with_force(
    cli: Run, initialised: StoreRef, backed_up: Path, data_dir: Path
) -> None:
    ok(cli("child", "add", "Mia", "Testwood", "--id", "TW-2", "--dob", "2021-08-30"))
    before = dump(initialised)
    entry, at = newest(initialised)
    failed(
        cli("db", "restore", str(backed_up)),
        NEWER.format(why=f"its newest audit entry, {entry} of {at[:10]}, is not in the backup"),
    )
    assert dump(initialised) == before
    assert safety_copies(data_dir.parent) == []

    ok(cli("db", "restore", str(backed_up), "--force"))
    assert children(cli) == ["TW-1"]
    (safety,) = safety_copies(data_dir.parent)
    assert [c["id"] for c in ok_json(cli("--db", str(safety), "child", "list", "--json"))] == ["TW-1", "TW-2"]
    record = rows(initialised, "SELECT changes FROM audit_entry ORDER BY id DESC LIMIT 1")[0][0]
    assert '"forced": true' in record and str(safety) in record


def test_a_backup_newer_than_the_store_restores_without_force(
    cli: Run, initialised: StoreRef, backed_up: Path, tmp_path: Path
) -> None:
    """Going forward is safe: the store's newest entry is in the later backup."""
    ok(cli("child", "add", "Mia", "Testwood", "--id", "TW-2", "--dob", "2021-08-30"))
    later = tmp_path / "tuesday.bak"
    ok(cli("db", "backup", str(later)))
    ok(cli("db", "restore", str(backed_up), "--force"))
    ok(cli("db", "restore", str(later)))
    assert children(cli) == ["TW-1", "TW-2"]


def test_restoring_the_same_backup_again_needs_no_force(cli: Run, initialised: StoreRef, backed_up: Path) -> None:
    """The restore's own audit entry is not a change the backup lacks; a change made after it is. (Each restore
    replaces the trail with the backup's and adds its own entry; the one before is in its safety copy.)"""
    ok(cli("db", "restore", str(backed_up)))
    ok(cli("db", "restore", str(backed_up)))
    actions = [action for (action,) in rows(initialised, "SELECT action FROM audit_entry ORDER BY id")]
    assert actions[-2:] == ["person.link", "store.restore"]
    ok(cli("child", "edit", "TW-1", "--gender", "boy"))
    entry, at = newest(initialised)
    failed(
        cli("db", "restore", str(backed_up)),
        NEWER.format(why=f"its newest audit entry, {entry} of {at[:10]}, is not in the backup"),
    )


@pytest.mark.skipif(len(REVISIONS) < 2, reason="no released revision before the head yet")
def test_a_backup_from_an_older_schema_revision_needs_force(cli: Run, initialised: StoreRef, tmp_path: Path) -> None:
    """A store written by the first cpctl (the fixture of revision 0001) is upgraded as it is restored, but only
    when asked to: the store's own revision is later."""
    older = tmp_path / "0001.bak"
    with closing(sqlite3.connect(older)) as conn:
        conn.executescript((FIXTURES / "0001.sql").read_text(encoding="utf-8"))
    before = dump(initialised)
    entry, at = newest(initialised)
    why = f"its schema revision {HEAD} is later than the backup's 0001; its newest audit entry, {entry} of {at[:10]}"
    failed(cli("db", "restore", str(older)), NEWER.format(why=why + ", is not in the backup"))
    assert dump(initialised) == before
    ok(cli("db", "restore", str(older), "--force"))
    assert children(cli) == ["DEMO-1003", "DEMO-1001", "DEMO-1002"]
    assert rows(initialised, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert rows(older, "SELECT version_num FROM alembic_version") == [("0001",)]  # the file itself is untouched
    assert ok(cli("db", "check")).endswith("No problems found.\n")


def test_a_backup_with_a_broken_audit_trail_is_refused(
    cli: Run, initialised: StoreRef, backed_up: Path, make_store: Callable[..., StoreRef]
) -> None:
    execute(backed_up, "UPDATE audit_entry SET summary = 'nothing to see' WHERE id = 3")
    target = make_store("elsewhere.db")
    failed(
        cli("--db", str(target), "db", "restore", str(backed_up)),
        "Error: the backup's audit trail is broken at entry 3: it was changed outside cpctl (what it records no "
        "longer matches its hash): it may have been altered. Add --force to restore it anyway.",
    )
    ok(cli("--db", str(target), "db", "restore", str(backed_up), "--force"))


def test_what_is_not_a_backup(cli: Run, initialised: StoreRef, tmp_path: Path) -> None:
    before = dump(initialised)
    notes = tmp_path / "notes.txt"
    notes.write_text("Core group minutes (synthetic). " * 40)
    recipes = tmp_path / "recipes.db"
    execute(recipes, "CREATE TABLE recipe (name TEXT)")
    future = tmp_path / "future.bak"
    ok(cli("--db", str(future), "child", "list"))
    execute(future, "UPDATE alembic_version SET version_num = '0999'")
    missing = tmp_path / "missing.bak"
    for path, line in (
        (missing, f"Error: there is no backup file {missing}; check the path."),
        (tmp_path, f"Error: there is no backup file {tmp_path}; check the path."),
        (
            notes,
            f"Error: {notes} is not a cpctl backup (not a SQLite database, or damaged), or it is encrypted: then set "
            "CPCTL_DB_KEY to its key.",
        ),
        (recipes, f"Error: {recipes} is not a cpctl backup: it holds no cpctl store."),
        (
            future,
            f"Error: the backup {future} is at schema revision 0999, which this cpctl does not know: it was written "
            "by a newer cpctl. Install that version (or newer) to restore it.",
        ),
    ):
        failed(cli("db", "restore", str(path)), line)
    assert dump(initialised) == before


@pytest.mark.sqlite_only(reason="the store's own file given as the backup")
def test_the_store_itself_is_not_a_backup(cli: Run, initialised: StoreRef) -> None:
    failed(
        cli("db", "restore", str(initialised.path)),
        "Error: that file is the store itself; give the path of a backup made by `cpctl db backup`.",
    )


def test_a_backup_of_a_store_is_restored_into_the_other_backend(
    cli: Run, initialised: StoreRef, backed_up: Path, tmp_path: Path
) -> None:
    """A backup is a SQLite file whatever the store: a server's data can move to a file, and back."""
    laptop = tmp_path / "laptop.db"
    ok(cli("--db", str(laptop), "db", "restore", str(backed_up)))
    ok(cli("--db", str(laptop), "child", "edit", "TW-1", "--language", "Welsh"))
    back = tmp_path / "from-laptop.bak"
    ok(cli("--db", str(laptop), "db", "backup", str(back)))
    ok(cli("db", "restore", str(back)))
    assert ok_json(cli("child", "show", "TW-1", "--json"))["preferred_language"] == "Welsh"
    # and, on PostgreSQL, the read log's entry of that `child show`
    entries = 8 if initialised.path is not None else 9
    assert ok(cli("audit", "verify")).startswith(f"The audit trail is intact: {entries} entries")


DAMAGED = (
    "Error: the backup {path} is damaged ({n} problem{s}: {problems}). Restoring it would lose or corrupt records, "
    "so it is refused even with --force; restore another backup."
)
ANOTHER_PLAN_IN_FORCE = (
    "INSERT INTO plan (child_id, number, started_on, start_conference_id, pre_birth, initial_categories, "
    "latest_categories, lead_worker_id) SELECT child_id, 2, started_on, start_conference_id, pre_birth, "
    "initial_categories, latest_categories, lead_worker_id FROM plan WHERE id = 1"
)
DAMAGE = {  # done to a backup file (always SQLite) with a database tool: what the first problem says
    "a table missing": (["DROP TABLE visit"], "the table visit is missing"),
    "a column missing": (["ALTER TABLE person DROP COLUMN address"], "the column person.address is missing"),
    "a column cpctl does not make": (
        ["ALTER TABLE child ADD COLUMN nickname TEXT"],
        "the column child.nickname is not one cpctl makes (a restore drops it)",
    ),
    "plan content that is not JSON": (
        ["UPDATE plan_version SET content = '{\"actions\": [' WHERE id = 1"],
        "plan_version.content cannot be read as cpctl reads it in 1 record: version 1 of plan 1 of child DEMO-1001 "
        "(json_invalid)",
    ),
    "plan content that is not a plan": (
        ["UPDATE plan_version SET content = '{\"worries\": 3}' WHERE id = 1"],
        "plan_version.content cannot be read as cpctl reads it in 1 record: version 1 of plan 1 of child DEMO-1001 "
        "(worries: list_type)",
    ),
    "decision details that are not JSON": (
        ["UPDATE decision SET details = 'none' WHERE id = 1"],
        "decision.details cannot be read as cpctl reads it in 1 record: decision 1 of child DEMO-1001 (json_invalid)",
    ),
    "two plans in force": (
        ["DROP INDEX uq_plan_one_active_per_child", ANOTHER_PLAN_IN_FORCE],
        "the rule uq_plan_one_active_per_child that keeps one plan in force per child is missing",
    ),
    "a date that is not a date": (
        ["UPDATE child SET date_of_birth = '2019-02-30' WHERE ref = 'DEMO-1001'"],
        "child.date_of_birth is not a date cpctl can read in 1 record: child DEMO-1001",
    ),
    "a word for a date": (
        ["UPDATE visit SET visited_on = 'yesterday' WHERE id = 1"],
        "visit.visited_on is not a date cpctl can read in 1 record: visit 1 of child DEMO-1001",
    ),
    "a 20 MB BLOB as a name": (
        ["UPDATE child SET given_name = randomblob(20000000) WHERE ref = 'DEMO-1001'"],
        "child.given_name holds binary data instead of text in 1 record: child DEMO-1001",
    ),
    "a 20 MB name": (
        ["UPDATE person SET name = replace(hex(zeroblob(10000000)), '0', 'a') WHERE ref = 'P00002'"],
        "person.name is longer than 200 characters in 1 record: person P00002",
    ),
    "ESC in a name": (
        ["UPDATE child SET family_name = 'Test' || char(27) || '[2Jwood' WHERE ref = 'DEMO-1002'"],
        "child.family_name holds control characters (such as ESC) in 1 record: child DEMO-1002",
    ),
    "NUL in a name": (
        ["UPDATE child SET given_name = 'Mia' || char(0) || 'x' WHERE ref = 'DEMO-1002'"],
        "child.given_name holds a NUL character in 1 record: child DEMO-1002",
    ),
    "text for a number": (
        ["UPDATE visit SET visitor_id = 'P00002' WHERE id = 1"],
        "visit.visitor_id holds text instead of a whole number in 1 record: visit 1 of child DEMO-1001",
    ),
}


def test_a_damaged_backup_is_refused_even_with_force(
    cli: Run,
    initialised: StoreRef,
    make_store: Callable[..., StoreRef],
    tmp_path: Path,
    data_dir: Path,
    figure: Callable[[str], None],
) -> None:
    """A backup that would restore without its visits, its addresses, or with plans cpctl cannot read is refused
    before anything is replaced, naming what is wrong by reference: no --force can make it whole."""
    import shutil

    demo = make_store("demo.db")
    ok(cli("demo", "--db", str(demo)))
    whole = tmp_path / "whole.bak"
    ok(cli("--db", str(demo), "db", "backup", str(whole)))
    before = dump(initialised)
    refused = 0
    for number, (what, (statements, problem)) in enumerate(DAMAGE.items()):
        damaged = tmp_path / f"damaged-{number}.bak"
        shutil.copyfile(whole, damaged)
        execute(damaged, *statements)
        for force in ([], ["--force"]):
            result = cli("db", "restore", str(damaged), *force)
            assert (result.exit_code, result.stdout) == (1, ""), what
            assert result.stderr.startswith(f"Error: the backup {damaged} is damaged ("), (what, result.stderr)
            assert problem in result.stderr, (what, result.stderr)
            assert result.stderr.endswith("so it is refused even with --force; restore another backup.\n"), what
            assert "Testwood" not in result.stderr
            refused += 1
        assert dump(initialised) == before, what
    assert safety_copies(data_dir.parent) == []
    ok(cli("db", "restore", str(whole), "--force"))  # the backup they were made from restores
    figure(
        f"{len(DAMAGE)} kinds of damaged backup tried, each with and without --force; refused: all {refused} "
        "restores, the store untouched each time"
    )


def test_a_damaged_backup_from_an_older_revision_is_refused_before_it_is_upgraded(
    cli: Run, initialised: StoreRef, tmp_path: Path
) -> None:
    """Checked against what the migrations make at its own revision, before they run on it."""
    older = tmp_path / "0001.bak"
    with closing(sqlite3.connect(older)) as conn:
        conn.executescript((FIXTURES / "0001.sql").read_text(encoding="utf-8"))
        conn.execute("ALTER TABLE person DROP COLUMN address")
    before = dump(initialised)
    failed(
        cli("db", "restore", str(older), "--force"),
        DAMAGED.format(path=older, n=1, s="", problems="the column person.address is missing"),
    )
    assert dump(initialised) == before
