"""Files cpctl writes at a user's request (`-o`, `--all --out`) never replace the store, its -wal or -shm, a backup,
or any other file cpctl could not have written; an existing file is replaced only with --force. A refusal is one
line, exit 1, with nothing written and no disclosure recorded."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import Result

from backends import StoreRef
from export_support import CHILD, TODAY
from helpers import failed, ok, rows, run_cli

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)

# Every command that writes a file named on its command line, with the option that names it last.
WRITERS: dict[str, tuple[str, ...]] = {
    "plan export": ("plan", "export", CHILD, "--for", "parent", "--format", "html", "--on", TODAY.isoformat(), "-o"),
    "due --csv": ("due", "--everyone", "--all", "--csv", "-o"),
    "due --json": ("due", "--everyone", "--all", "--json", "-o"),
    "due --ics": ("due", "--everyone", "--all", "--ics", "-o"),
    "conference template": ("conference", "template", "-o"),
}
NEVER = "cpctl never writes over it: choose another file."
SQLITE = (
    "is a SQLite database (a cpctl store or backup); cpctl never writes over one, even with --force: choose "
    "another file."
)
BINARY = (
    "holds binary data that cpctl did not write (it may be an encrypted store or backup); cpctl never writes over "
    "it, even with --force: choose another file."
)


def write(store: StoreRef, writer: str, target: Path | str, *extra: str) -> Result:
    return run_cli("--db", str(store), *WRITERS[writer], str(target), *extra)


def exports(store: StoreRef) -> int:
    return rows(store, "SELECT count(*) FROM audit_entry WHERE action = 'plan.export'")[0][0]


class Tally:
    """How many overwrites were tried and refused, for the trust summary."""

    def __init__(self) -> None:
        self.tried = self.refused = 0

    def refused_with(self, result: Result, line: str) -> None:
        self.tried += 1
        failed(result, line)
        self.refused += 1


@pytest.fixture
def tally(figure: Callable[[str], None]) -> Iterator[Tally]:
    counted = Tally()
    yield counted
    figure(f"overwrite attempts tried: {counted.tried}, refused: {counted.refused}")


def test_an_existing_file_is_replaced_only_with_force(fixed_plan: StoreRef, tmp_path: Path, tally: Tally) -> None:
    for writer in WRITERS:
        target = tmp_path / f"{writer.replace(' ', '-')}.out"
        target.write_text("a file of the user's own\n")
        before = exports(fixed_plan)
        tally.refused_with(
            write(fixed_plan, writer, target),
            f"Error: {target} already exists; add --force to replace it, or choose another file.",
        )
        assert target.read_text() == "a file of the user's own\n", writer
        assert exports(fixed_plan) == before, writer
        ok_result = write(fixed_plan, writer, target, "--force")
        assert ok_result.exit_code == 0, (writer, ok_result.output)
        assert target.read_text() != "a file of the user's own\n", writer
        assert stat.S_IMODE(target.stat().st_mode) == 0o600, writer
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [], writer  # no temporary


def test_a_backup_or_any_file_cpctl_could_not_have_written_is_never_replaced(
    fixed_plan: StoreRef, tmp_path: Path, tally: Tally
) -> None:
    """A backup made by `db backup` starts with SQLite's header; an encrypted one (SQLCipher) is random bytes,
    which no export, CSV, calendar or PDF is: neither is replaced, even with --force."""
    backup = tmp_path / "store.bak"
    ok(run_cli("--db", str(fixed_plan), "db", "backup", str(backup)))
    encrypted = tmp_path / "encrypted.bak"
    encrypted.write_bytes(os.urandom(8192))
    kept = {path: path.read_bytes() for path in (backup, encrypted)}
    before = exports(fixed_plan)
    for writer in WRITERS:
        for extra in ((), ("--force",)):
            tally.refused_with(write(fixed_plan, writer, backup, *extra), f"Error: {backup} {SQLITE}")
            tally.refused_with(write(fixed_plan, writer, encrypted, *extra), f"Error: {encrypted} {BINARY}")
    assert {path: path.read_bytes() for path in kept} == kept
    assert exports(fixed_plan) == before
    assert rows(backup, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.sqlite_only(reason="the store's own file and SQLite's -wal, -shm and -journal beside it")
def test_the_store_and_its_sqlite_files_are_never_written_over(
    fixed_plan: StoreRef, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tally: Tally
) -> None:
    """By any name: as given, relative, through a linked folder, a hard link; whether SQLite's -wal and -shm
    exist at the moment (a reader holds the store open) or not."""
    store = fixed_plan.path
    assert store is not None
    monkeypatch.chdir(store.parent)
    linked = tmp_path / "linked"
    linked.symlink_to(store.parent, target_is_directory=True)
    alias = tmp_path / "alias.html"
    os.link(store, alias)
    names = [
        store,
        Path(store.name),
        linked / store.name,
        alias,
        *(store.with_name(store.name + side) for side in ("-wal", "-shm", "-journal")),
    ]
    before = store.read_bytes()
    for writer in WRITERS:
        for extra in ((), ("--force",)):
            for name in names:
                line = f"Error: {name} is the store (or one of SQLite's files beside it); {NEVER}"
                tally.refused_with(write(fixed_plan, writer, name, *extra), line)
    with closing(sqlite3.connect(store)) as reader:  # a reader in WAL mode: SQLite's -wal and -shm now exist
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM child").fetchall()
        sides = [store.with_name(store.name + side) for side in ("-wal", "-shm")]
        assert all(side.exists() for side in sides)
        held = {side: side.read_bytes() for side in sides}
        for writer in WRITERS:
            for side in sides:
                line = f"Error: {side} is the store (or one of SQLite's files beside it); {NEVER}"
                tally.refused_with(write(fixed_plan, writer, side, "--force"), line)
        assert {side: side.read_bytes() for side in sides} == held
        reader.rollback()
    assert store.read_bytes() == before
    assert exports(fixed_plan) == 0
    check = run_cli("--db", str(store), "db", "check")
    assert check.exit_code == 0, check.output


def test_every_plan_into_a_folder_replaces_a_copy_only_with_force(
    fixed_plan: StoreRef, tmp_path: Path, tally: Tally
) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    older = folder / "DEMO-1002-plan1-v1-parent.html"
    older.write_text("last week's copy\n")

    def export_all(*extra: str) -> Result:
        return run_cli(
            "--db", str(fixed_plan), "plan", "export", "--all", "--for", "parent", "--format", "html",
            "--out", str(folder), "--on", TODAY.isoformat(), *extra,
        )  # fmt: skip

    tally.refused_with(
        export_all(), f"Error: {older} already exists; add --force to replace it, or choose another file."
    )
    assert sorted(p.name for p in folder.iterdir()) == [older.name]  # not even the other child's copy
    assert older.read_text() == "last week's copy\n"
    assert exports(fixed_plan) == 0
    assert ok(export_all("--force")) == f"Wrote 2 parent copies into {folder}.\n"
    assert older.read_text().startswith("<!DOCTYPE html>")
    assert exports(fixed_plan) == 1
    backup = folder / "DEMO-1001-plan1-v1-parent.html"
    backup.unlink()
    ok(run_cli("--db", str(fixed_plan), "db", "backup", str(backup)))
    tally.refused_with(export_all("--force"), f"Error: {backup} {SQLITE}")
    assert rows(backup, "PRAGMA integrity_check") == [("ok",)]
    assert exports(fixed_plan) == 1


@pytest.mark.sqlite_only(reason="SQLite's -wal and -shm beside the store")
def test_a_backup_never_replaces_the_stores_own_sqlite_files(fixed_plan: StoreRef, tally: Tally) -> None:
    store = fixed_plan.path
    assert store is not None
    for side in ("-wal", "-shm", "-journal"):
        target = store.with_name(store.name + side)
        line = f"Error: {target} is one of SQLite's files beside the store; choose another path."
        tally.refused_with(run_cli("--db", str(store), "db", "backup", str(target), "--force"), line)
        assert not target.exists()
