"""The store on disk: where it is, who may read it, what happens when it cannot be used, backups, pragmas."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from cpctl.migrations import HEAD
from helpers import Run, failed, ok, ok_json, rows


def permissions_bind() -> bool:
    """Whether a folder's mode stops this process writing in it (not so for root, who may write anywhere)."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / "read-only"
        probe.mkdir(mode=0o500)
        try:
            (probe / "probe").touch()
        except PermissionError:
            return True
        finally:
            probe.chmod(0o700)
        return False


PERMISSIONS_BIND = permissions_bind()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that takes nothing away, so that only cpctl's own choices decide the modes."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


# -- where the store is
@pytest.mark.usefixtures("open_umask")
def test_a_new_store_is_private_and_so_is_the_folder_cpctl_makes(cli: Run, data_dir: Path, store_path: Path) -> None:
    assert not data_dir.exists()
    ok(cli("child", "list"))
    assert mode(data_dir) == 0o700
    assert mode(store_path) == 0o600
    for side in (store_path.with_name("cpctl.db-wal"), store_path.with_name("cpctl.db-shm")):
        if side.exists():  # SQLite gives its side files the database's own mode
            assert mode(side) == 0o600


@pytest.mark.usefixtures("open_umask")
def test_a_store_given_with_db_in_a_new_folder(cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "cases" / "2026" / "store.db"
    ok(cli("--db", str(target), "child", "list"))
    assert (mode(target), mode(target.parent)) == (0o600, 0o700)


def test_an_existing_folder_keeps_its_mode(cli: Run, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o750)
    ok(cli("--db", str(shared / "cpctl.db"), "child", "list"))
    assert mode(shared) == 0o750
    assert mode(shared / "cpctl.db") == 0o600


def test_which_store_is_used(cli: Run, tmp_path: Path, store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def used(*args: str) -> str:
        return ok_json(cli(*args, "db", "status", "--json"))["file"]

    assert used() == str(store_path)
    monkeypatch.setenv("CPCTL_DB", str(tmp_path / "from-env.db"))
    assert used() == str(tmp_path / "from-env.db")
    monkeypatch.setenv("CPCTL_DATABASE_URL", f"sqlite:///{tmp_path / 'from-url.db'}")
    assert used() == str(tmp_path / "from-url.db")
    assert used("--db", str(tmp_path / "from-option.db")) == str(tmp_path / "from-option.db")


# -- stores that cannot be used
def unwritable_folder(tmp_path: Path) -> tuple[Path, str]:
    """An existing folder in which this user cannot create a file, and the reason the system gives.

    Permissions do not stop root, so then use /proc, where nobody can create files.
    """
    if not PERMISSIONS_BIND:
        return Path("/proc"), os.strerror(errno.ENOENT)
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    return folder, os.strerror(errno.EACCES)


def test_a_store_in_a_folder_that_cannot_be_written(cli: Run, tmp_path: Path) -> None:
    folder, reason = unwritable_folder(tmp_path)
    target = folder / "cpctl-test-store.db"
    failed(
        cli("--db", str(target), "child", "list"),
        f"Error: cannot create the store {target} ({reason}); choose another place with --db or CPCTL_DB.",
    )
    assert not target.exists()


def test_a_store_folder_that_cannot_be_made(cli: Run, tmp_path: Path) -> None:
    folder, reason = unwritable_folder(tmp_path)
    target = folder / "cpctl-test-folder" / "cpctl.db"
    failed(
        cli("--db", str(target), "child", "list"),
        f"Error: cannot create the folder {target.parent} for the store ({reason}); "
        "choose another place with --db or CPCTL_DB.",
    )
    assert not target.parent.exists()


def test_a_store_under_a_file(cli: Run, tmp_path: Path) -> None:
    """A path whose folder is a file fails for everyone, root included."""
    (tmp_path / "notes.txt").write_text("not a folder\n")
    target = tmp_path / "notes.txt" / "cpctl.db"
    failed(
        cli("--db", str(target), "child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"),
        f"Error: cannot create the store {target} ({os.strerror(errno.ENOTDIR)}); "
        "choose another place with --db or CPCTL_DB.",
    )
    assert (tmp_path / "notes.txt").read_text() == "not a folder\n"


def test_a_read_only_store(cli: Run, initialised: Path) -> None:
    """As root (CI), the command runs in a subprocess without CAP_DAC_OVERRIDE, so file modes bind for it too."""
    initialised.chmod(0o400)
    args = ["--db", str(initialised), "child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"]
    try:
        if PERMISSIONS_BIND:
            result = cli(*args)
            code, stdout, stderr = result.exit_code, result.stdout, result.stderr
        else:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                if os.environ.get("CI"):
                    pytest.fail("setpriv (util-linux) is needed to test a read-only store as root")
                pytest.skip("file permissions do not stop root, and setpriv is not installed")
            dropped = "-dac_override,-dac_read_search"
            done = subprocess.run(
                [
                    setpriv,
                    "--bounding-set",
                    dropped,
                    "--inh-caps",
                    dropped,
                    sys.executable,
                    "-m",
                    "cpctl",
                    *args,
                ],
                capture_output=True,
                text=True,
                env=os.environ.copy(),
                timeout=60,
            )
            code, stdout, stderr = done.returncode, done.stdout, done.stderr
    finally:
        initialised.chmod(0o600)
    assert (code, stdout, stderr) == (
        1,
        "",
        f"Error: the store {initialised} is read-only for you: nothing was saved. Check its permissions.\n",
    )
    assert rows(initialised, "SELECT count(*) FROM child") == [(0,)]


def test_a_store_path_that_is_a_folder(cli: Run, tmp_path: Path) -> None:
    failed(
        cli("--db", str(tmp_path), "child", "list"),
        f"Error: {tmp_path} is a folder; give the path of a store file, e.g. {tmp_path / 'cpctl.db'}.",
    )


def test_a_file_that_is_not_a_sqlite_database(cli: Run, tmp_path: Path) -> None:
    notes = tmp_path / "minutes.txt"
    notes.write_text("Core group minutes (synthetic). " * 50)
    failed(
        cli("--db", str(notes), "child", "list"),
        f"Error: {notes} is not a readable cpctl store (not a SQLite database, or damaged); check the path.",
    )
    assert notes.read_text() == "Core group minutes (synthetic). " * 50
    assert sorted(p.name for p in tmp_path.iterdir()) == ["minutes.txt"]


def test_a_sqlite_database_that_is_not_a_cpctl_store(cli: Run, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE recipe (name TEXT)")
        conn.commit()
    failed(
        cli("--db", str(other), "child", "list"),
        f"Error: sqlite:///{other} holds tables that are not a cpctl store; "
        "point --db (or CPCTL_DB / CPCTL_DATABASE_URL) at a cpctl store or at a new file.",
    )
    assert rows(other, "SELECT name FROM sqlite_master") == [("recipe",)]


# -- db status and db upgrade
def test_db_status_of_a_new_store(cli: Run, store_path: Path) -> None:
    status = ok_json(cli("db", "status", "--json"))
    size = store_path.stat().st_size
    assert status == {
        "url": f"sqlite:///{store_path}",
        "backend": "sqlite",
        "revision": None,
        "head": HEAD,
        "up_to_date": False,
        "file": str(store_path),
        "mode": "0600",
        "size_bytes": size,
    }
    assert ok(cli("db", "status")) == (
        f"Store:     sqlite:///{store_path} (sqlite)\n"
        f"File mode: 0600, {size} bytes\n"
        f"Schema:    none yet (a new store; it is created at revision {HEAD} on first use)\n"
    )
    assert rows(store_path, "SELECT count(*) FROM sqlite_master") == [(0,)]


def test_db_status_of_a_store_in_use(cli: Run, initialised: Path) -> None:
    status = ok_json(cli("db", "status", "--json"))
    size = initialised.stat().st_size
    assert size > 0
    assert status == {
        "url": f"sqlite:///{initialised}",
        "backend": "sqlite",
        "revision": HEAD,
        "head": HEAD,
        "up_to_date": True,
        "file": str(initialised),
        "mode": "0600",
        "size_bytes": size,
    }
    assert ok(cli("db", "status")).splitlines() == [
        f"Store:     sqlite:///{initialised} (sqlite)",
        f"File mode: 0600, {size} bytes",
        f"Schema:    revision {HEAD} (up to date)",
    ]


def test_db_upgrade(cli: Run, store_path: Path) -> None:
    assert ok(cli("db", "upgrade")) == f"Upgraded the store from revision none to {HEAD}.\n"
    assert ok(cli("db", "upgrade")) == f"The store is already at revision {HEAD}; nothing to do.\n"
    assert sorted(p.name for p in store_path.parent.glob("*.bak")) == []


# -- backups
@pytest.mark.usefixtures("open_umask")
def test_db_backup_is_private_and_holds_the_data(cli: Run, initialised: Path, tmp_path: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    target = tmp_path / "backup.db"
    assert ok(cli("db", "backup", str(target))) == f"Backed the store up to {target}\n"
    assert mode(target) == 0o600
    assert rows(target, "SELECT ref, given_name FROM child") == [("TW-1", "Jamie")]
    assert rows(target, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]
    assert not list(tmp_path.glob(".*.partial"))
    # and cpctl itself can open the copy
    assert [c["id"] for c in ok_json(cli("--db", str(target), "child", "list", "--json"))] == ["TW-1"]


def test_db_backup_will_not_overwrite_without_force(cli: Run, initialised: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    target.write_text("an older backup\n")
    failed(
        cli("db", "backup", str(target)),
        f"Error: {target} already exists; choose another path or add --force to replace it.",
    )
    assert target.read_text() == "an older backup\n"
    ok(cli("db", "backup", str(target), "--force"))
    assert rows(target, "SELECT value FROM setting WHERE key = 'jurisdiction'") == [("england",)]


def test_db_backup_refuses_the_store_itself_and_a_missing_folder(cli: Run, initialised: Path, tmp_path: Path) -> None:
    failed(
        cli("db", "backup", str(initialised), "--force"),
        "Error: the backup path is the store itself; choose another path.",
    )
    missing = tmp_path / "no-such-folder" / "backup.db"
    failed(
        cli("db", "backup", str(missing)),
        f"Error: the folder {missing.parent} does not exist; create it or choose another path.",
    )
    assert rows(initialised, "SELECT count(*) FROM setting") == [(2,)]


# -- how the store is opened
IMPORTS_AFTER = textwrap.dedent(
    """
    import json, sys
    import cpctl.cli
    try:
        cpctl.cli.app(sys.argv[1:], prog_name="cpctl", standalone_mode=False)
    except SystemExit:
        pass
    print(json.dumps({m: m in sys.modules for m in ("alembic", "sqlalchemy")}))
    """
)


def modules_after(*args: str) -> dict[str, bool]:
    done = subprocess.run([sys.executable, "-c", IMPORTS_AFTER, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_opening_an_up_to_date_store_does_not_import_alembic(initialised: Path) -> None:
    assert modules_after("child", "list", "--json") == {"alembic": False, "sqlalchemy": True}


def test_creating_a_store_does_import_alembic(tmp_path: Path) -> None:
    """The other side of the test above: the check does see Alembic when migrations run."""
    assert modules_after("--db", str(tmp_path / "new.db"), "child", "list") == {
        "alembic": True,
        "sqlalchemy": True,
    }


def test_wal_mode_and_foreign_keys(initialised: Path) -> None:
    from sqlalchemy import text

    from cpctl.errors import StoreError
    from cpctl.paths import sqlite_url
    from cpctl.store import Store

    assert rows(initialised, "PRAGMA journal_mode") == [("wal",)]
    store = Store(sqlite_url(initialised))
    try:
        with store.read() as session:
            assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        with pytest.raises(StoreError, match="breaks a rule of the store"), store.write() as session:
            session.connection().execute(
                text("INSERT INTO child_person (child_id, person_id, relationship) VALUES (999, 999, 'mother')")
            )
    finally:
        store.dispose()
    assert rows(initialised, "SELECT count(*) FROM child_person") == [(0,)]


def test_each_command_closes_the_store(cli: Run, initialised: Path) -> None:
    """SQLite removes the WAL files when the last connection closes: none may stay open after a command."""
    wal, shm = initialised.with_name("cpctl.db-wal"), initialised.with_name("cpctl.db-shm")
    for args in (
        ("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"),
        ("child", "list"),
        ("child", "add", "Jamie", "Testwood", "--dob", "2999-01-01"),
    ):
        cli(*args)
        assert not wal.exists() and not shm.exists(), args
