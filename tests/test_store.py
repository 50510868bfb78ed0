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
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from backends import StoreRef
from cpctl.store.migrations import HEAD
from helpers import Run, dump, execute, failed, ok, ok_json, rows


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
@pytest.mark.sqlite_only(reason="file and folder modes")
@pytest.mark.usefixtures("open_umask")
def test_a_new_store_is_private_and_so_is_the_folder_cpctl_makes(cli: Run, data_dir: Path, store_path: Path) -> None:
    assert not data_dir.exists()
    ok(cli("child", "list"))
    assert mode(data_dir) == 0o700
    assert mode(store_path) == 0o600
    for side in (store_path.with_name("cpctl.db-wal"), store_path.with_name("cpctl.db-shm")):
        if side.exists():  # SQLite gives its side files the database's own mode
            assert mode(side) == 0o600


@pytest.mark.sqlite_only(reason="file and folder modes")
@pytest.mark.usefixtures("open_umask")
def test_a_store_given_with_db_in_a_new_folder(cli: Run, tmp_path: Path) -> None:
    target = tmp_path / "cases" / "2026" / "store.db"
    ok(cli("--db", str(target), "child", "list"))
    assert (mode(target), mode(target.parent)) == (0o600, 0o700)
    assert mode(target.parent.parent) == 0o700  # every folder cpctl makes, not only the last


@pytest.mark.sqlite_only(reason="file and folder modes")
def test_an_existing_folder_keeps_its_mode(cli: Run, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o750)
    ok(cli("--db", str(shared / "cpctl.db"), "child", "list"))
    assert mode(shared) == 0o750
    assert mode(shared / "cpctl.db") == 0o600


@pytest.mark.sqlite_only(reason="which file: --db, CPCTL_DATABASE_URL, CPCTL_DB, the data folder")
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


@pytest.mark.sqlite_only(reason="a file the system will not create")
def test_a_store_in_a_folder_that_cannot_be_written(cli: Run, tmp_path: Path) -> None:
    folder, reason = unwritable_folder(tmp_path)
    target = folder / "cpctl-test-store.db"
    failed(
        cli("--db", str(target), "child", "list"),
        f"Error: cannot create the store {target} ({reason}); choose another place with --db or CPCTL_DB.",
    )
    assert not target.exists()


@pytest.mark.sqlite_only(reason="a folder the system will not create")
def test_a_store_folder_that_cannot_be_made(cli: Run, tmp_path: Path) -> None:
    folder, reason = unwritable_folder(tmp_path)
    target = folder / "cpctl-test-folder" / "cpctl.db"
    failed(
        cli("--db", str(target), "child", "list"),
        f"Error: cannot create the folder {target.parent} for the store ({reason}); "
        "choose another place with --db or CPCTL_DB.",
    )
    assert not target.parent.exists()


@pytest.mark.sqlite_only(reason="a file under a file")
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


@pytest.mark.sqlite_only(reason="a file's permissions")
def test_a_read_only_store(cli: Run, initialised: StoreRef) -> None:
    """As root (CI), the command runs in a subprocess without CAP_DAC_OVERRIDE, so file modes bind for it too."""
    path = initialised.path
    assert path is not None
    path.chmod(0o400)
    args = ["--db", str(path), "child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"]
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
        path.chmod(0o600)
    assert (code, stdout, stderr) == (
        1,
        "",
        f"Error: the store {path} is read-only for you: nothing was saved. Check its permissions.\n",
    )
    assert rows(initialised, "SELECT count(*) FROM child") == [(0,)]


@pytest.mark.sqlite_only(reason="a folder given as the store's file")
def test_a_store_path_that_is_a_folder(cli: Run, tmp_path: Path) -> None:
    failed(
        cli("--db", str(tmp_path), "child", "list"),
        f"Error: {tmp_path} is a folder; give the path of a store file, e.g. {tmp_path / 'cpctl.db'}.",
    )


@pytest.mark.sqlite_only(reason="a file that is not a SQLite database")
def test_a_file_that_is_not_a_sqlite_database(cli: Run, tmp_path: Path) -> None:
    notes = tmp_path / "minutes.txt"
    notes.write_text("Core group minutes (synthetic). " * 50)
    failed(
        cli("--db", str(notes), "child", "list"),
        f"Error: {notes} is not a readable cpctl store (not a SQLite database, damaged, or encrypted: then set "
        "CPCTL_DB_KEY to its key); check the path.",
    )
    assert notes.read_text() == "Core group minutes (synthetic). " * 50
    assert sorted(p.name for p in tmp_path.iterdir()) == ["minutes.txt"]


def test_a_database_that_is_not_a_cpctl_store(cli: Run, make_store: Callable[..., StoreRef]) -> None:
    other = make_store("other.db", empty=True)
    execute(other, "CREATE TABLE recipe (name TEXT)")
    before = dump(other)
    failed(
        cli("--db", str(other), "child", "list"),
        f"Error: {other.url if other.path else other.shown} holds tables that are not a cpctl store; "
        "point --db (or CPCTL_DB / CPCTL_DATABASE_URL) at a cpctl store or at a new file.",
    )
    assert dump(other) == before


@pytest.mark.sqlite_only("SQLite's journal mode, a property of the file")
def test_a_sqlite_file_that_is_not_a_cpctl_store_is_left_as_it_was(cli: Run, tmp_path: Path) -> None:
    """cpctl refuses someone else's database without changing it: not even its journal mode (cpctl's are WAL)."""
    import sqlite3

    other = tmp_path / "recipes.db"
    with closing(sqlite3.connect(other)) as conn, conn:
        conn.execute("CREATE TABLE recipe (name TEXT)")
        conn.execute("INSERT INTO recipe VALUES ('Synthetic soup')")
    content = other.read_bytes()
    result = cli("--db", str(other), "child", "list")
    assert result.exit_code == 1 and "holds tables that are not a cpctl store" in result.stderr
    assert other.read_bytes() == content  # WAL would have rewritten the header (bytes 18 and 19)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recipes.db"]


def test_a_url_that_names_no_database_cpctl_can_use(cli: Run) -> None:
    for url in ("mysql://cpctl@localhost/cpctl", "nonsense://", "http://example.org/cpctl"):
        failed(
            cli("--db", url, "child", "list"),
            "Error: cpctl stores its data in SQLite (a file path) or PostgreSQL (postgresql://user@host/database); "
            "check --db or CPCTL_DATABASE_URL.",
        )


def test_db_takes_a_database_url(cli: Run, initialised: StoreRef) -> None:
    """--db names a file or a URL; a server's password never shows in what cpctl prints."""
    ok(cli("--db", initialised.url, "child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    assert rows(initialised, "SELECT ref FROM child") == [("TW-1",)]
    status = ok(cli("--db", initialised.url, "db", "status"))
    assert status.startswith(f"Store:     {initialised.url if initialised.path else initialised.shown} (")
    if initialised.path is None:
        from sqlalchemy.engine import make_url

        password = make_url(initialised.url).password
        assert password and password not in status


# -- db status and db upgrade
def test_db_status_of_a_new_store(cli: Run, empty_store: StoreRef) -> None:
    status = ok_json(cli("db", "status", "--json"))
    common = {"backend": empty_store.backend, "revision": None, "head": HEAD, "up_to_date": False}
    if empty_store.path is None:
        assert status == {"url": empty_store.shown, **common}
        assert ok(cli("db", "status")) == (
            f"Store:     {empty_store.shown} (postgresql)\n"
            f"Schema:    none yet (a new store; it is created at revision {HEAD} on first use)\n"
        )
        assert dump(empty_store) == []
        return
    path = empty_store.path
    size = path.stat().st_size
    assert status == {"url": empty_store.url, **common, "file": str(path), "mode": "0600", "size_bytes": size}
    assert ok(cli("db", "status")) == (
        f"Store:     {empty_store.url} (sqlite)\n"
        f"File mode: 0600, {size} bytes\n"
        f"Schema:    none yet (a new store; it is created at revision {HEAD} on first use)\n"
    )
    assert rows(path, "SELECT count(*) FROM sqlite_master") == [(0,)]


def test_db_status_of_a_store_in_use(cli: Run, initialised: StoreRef) -> None:
    status = ok_json(cli("db", "status", "--json"))
    common = {"backend": initialised.backend, "revision": HEAD, "head": HEAD, "up_to_date": True}
    shown = initialised.url if initialised.path else initialised.shown
    lines = ok(cli("db", "status")).splitlines()
    if initialised.path is None:
        assert status == {"url": shown, **common}
        assert lines == [f"Store:     {shown} (postgresql)", f"Schema:    revision {HEAD} (up to date)"]
        return
    size = initialised.path.stat().st_size
    assert size > 0
    assert status == {"url": shown, **common, "file": str(initialised.path), "mode": "0600", "size_bytes": size}
    assert lines == [
        f"Store:     {shown} (sqlite)",
        f"File mode: 0600, {size} bytes",
        f"Schema:    revision {HEAD} (up to date)",
    ]


# -- a store others can read: db status, db check (tests/test_db_check.py), db secure, and every command
SECURE = "run `cpctl db secure` to make the store's files yours alone"
WAL = "the store's write-ahead log"


def exposed_line(path: Path, what: str = "the store", can: str = "read and changed", mode: str = "0666") -> str:
    same = ", and SQLite gives the files it makes beside it the same mode" if what == "the store" else ""
    return f"{what} {path} can be {can} by anyone on this computer (mode {mode}){same}: {SECURE}."


@pytest.fixture
def holding_the_wal(initialised: StoreRef) -> Iterator[Path]:
    """Another program keeps the store open in the middle of a read, so SQLite's -wal and -shm files stay."""
    path = initialised.path
    assert path is not None
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM child").fetchall()
        yield path
        conn.rollback()


@pytest.mark.sqlite_only(reason="file and folder modes")
def test_db_status_warns_of_a_store_others_can_read(cli: Run, initialised: StoreRef) -> None:
    path = initialised.path
    assert path is not None
    path.chmod(0o666)
    lines = ok(cli("db", "status")).splitlines()
    assert lines[1:3] == [f"File mode: 0666, {path.stat().st_size} bytes", f"Warning:   {exposed_line(path)}"]
    status = ok_json(cli("db", "status", "--json"))
    assert status["mode"] == "0666"
    assert status["exposed"] == [{"path": str(path), "mode": "0666", "problem": exposed_line(path)}]
    path.chmod(0o604)
    assert ok_json(cli("db", "status", "--json"))["exposed"][0]["problem"] == exposed_line(
        path, can="read", mode="0604"
    )


@pytest.mark.sqlite_only(reason="file and folder modes")
def test_db_secure_makes_the_store_its_side_files_and_its_folder_private(
    cli: Run, initialised: StoreRef, holding_the_wal: Path
) -> None:
    """SQLite gives the -wal and -shm it makes the store's own mode: made while the store was 0666, they are too."""
    path = holding_the_wal
    folder = path.parent
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    for each in (path, wal, shm):
        each.chmod(0o666)
    folder.chmod(0o777)
    assert ok(cli("db", "status")).splitlines()[2:4] == [
        f"Warning:   {exposed_line(path)}",  # its -wal and -shm have its mode: the line says so
        f"Warning:   the store's folder {folder} can be changed by anyone on this computer (mode 0777), who could "
        f"replace the store or the files SQLite makes beside it: {SECURE}.",
    ]
    assert ok(cli("db", "secure")) == (
        f"Made the store {path} yours alone: mode 0666 → 0600.\n"
        f"Made the store's write-ahead log {wal} yours alone: mode 0666 → 0600.\n"
        f"Made the store's shared-memory file {shm} yours alone: mode 0666 → 0600.\n"
        f"Made the store's folder {folder} yours alone: mode 0777 → 0755.\n"
    )
    assert (mode(path), mode(wal), mode(shm), mode(folder)) == (0o600, 0o600, 0o600, 0o755)
    assert "exposed" not in ok_json(cli("db", "status", "--json"))
    assert ok(cli("db", "secure")) == (
        "The store's files are already readable and writable only by you: nothing to change.\n"
    )
    ok(cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"))  # the -wal file holds it: SQLite keeps
    wal.chmod(0o644)  # the mode of a -wal file with something in it, made while the store was open to others
    assert ok_json(cli("db", "status", "--json"))["exposed"] == [
        {"path": str(wal), "mode": "0644", "problem": exposed_line(wal, what=WAL, can="read", mode="0644")}
    ]
    assert ok(cli("db", "secure")) == f"Made the store's write-ahead log {wal} yours alone: mode 0644 → 0600.\n"


@pytest.mark.sqlite_only(reason="file and folder modes")
def test_the_wal_of_a_secured_store_is_private(cli: Run, initialised: StoreRef) -> None:
    """SQLite makes the -wal and -shm files with the store's mode: once the store is 0600, so are they."""
    path = initialised.path
    assert path is not None
    path.chmod(0o666)
    ok(cli("db", "secure"))
    with closing(sqlite3.connect(path)) as conn:  # keeps the -wal file while cpctl writes
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("SELECT count(*) FROM child").fetchall()
        ok(cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"))
        assert (mode(Path(f"{path}-wal")), mode(Path(f"{path}-shm"))) == (0o600, 0o600)


@pytest.mark.sqlite_only(reason="file and folder modes")
def test_every_command_warns_once_when_it_opens_a_store_others_can_read(cli: Run, initialised: StoreRef) -> None:
    path = initialised.path
    assert path is not None
    path.chmod(0o644)
    result = cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04")
    assert (result.exit_code, result.stdout) == (0, "Added child TW-1: Jamie Testwood (born Monday 4 March 2019)\n")
    assert result.stderr == (
        f"Warning: the store {path} can be read by anyone on this computer (mode 0644), and SQLite gives the files "
        f"it makes beside it the same mode: {SECURE}.\n"
    )
    assert mode(path) == 0o644  # a warning: cpctl does not change the mode of a store it did not make so
    path.chmod(0o600)
    assert cli("child", "list").stderr == ""


@pytest.mark.sqlite_only(reason="file and folder modes")
def test_db_status_at_a_terminal_offers_to_make_the_files_private(
    cli: Run, initialised: StoreRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    path = initialised.path
    assert path is not None
    monkeypatch.setattr("cpctl.commands.common.interactive", lambda: True)
    for answer, after in (("n", 0o666), ("y", 0o600)):
        path.chmod(0o666)
        with create_pipe_input() as keys:
            keys.send_text(answer)
            with create_app_session(input=keys, output=DummyOutput()):
                shown = ok(cli("db", "status"))
        assert f"Warning:   {exposed_line(path)}\n" in shown
        assert mode(path) == after
    assert f"\nMade the store {path} yours alone: mode 0666 → 0600.\n" in shown


@pytest.mark.sqlite_only(reason="file and folder modes")
def test_db_secure_refuses_someone_elses_file_and_changes_nothing(
    cli: Run, initialised: StoreRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = initialised.path
    assert path is not None
    path.chmod(0o666)
    path.parent.chmod(0o777)
    monkeypatch.setattr("cpctl.filemodes.os.geteuid", lambda: path.stat().st_uid + 1)
    failed(
        cli("db", "secure"),
        f"Error: the store {path} belongs to someone else, so cpctl cannot change who can reach it; ask its owner to.",
    )
    assert (mode(path), mode(path.parent)) == (0o666, 0o777)
    path.chmod(0o600)
    assert "move the store to a folder of your own.\n" in ok(cli("db", "status"))


def test_db_secure_of_a_server_store(cli: Run, initialised: StoreRef) -> None:
    if initialised.path is None:
        failed(
            cli("db", "secure"),
            "Error: the store is a database on a server; its server's own access rules protect it, so there are no "
            "files here to make private.",
        )
    else:
        assert ok(cli("db", "secure")).startswith("The store's files are already readable and writable only by you")


@pytest.mark.parametrize(
    ("group", "members", "exposed"),
    [("ada", [], False), ("ada", ["ada"], False), ("staff", [], True), ("ada", ["grace"], True)],
    ids=["own-group", "own-group-listing-its-owner", "shared-group", "own-name-with-others-in-it"],
)
def test_group_access_counts_unless_the_group_is_the_owners_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, group: str, members: list[str], exposed: bool
) -> None:
    """Fedora and Debian give each login a group of its own, named after it: its group bits let nobody else in."""
    import grp
    import pwd

    from cpctl import filemodes

    store = tmp_path / "cpctl.db"
    store.touch(mode=0o600)
    store.chmod(0o660)
    gid = store.stat().st_gid
    monkeypatch.setattr(grp, "getgrgid", lambda _: grp.struct_group((group, "x", gid, members)))
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: pwd.struct_passwd(("ada", "x", uid, gid, "", "/", "/bin/sh")))
    found = filemodes.exposed(store)
    assert [e.path for e in found] == ([store] if exposed else [])
    if exposed:
        assert (
            found[0].line() == f"the store {store} can be read and changed by the group {group} (mode 0660), and "
            f"SQLite gives the files it makes beside it the same mode: {SECURE}."
        )


def test_db_upgrade(cli: Run, empty_store: StoreRef, data_dir: Path) -> None:
    assert ok(cli("db", "upgrade")) == f"Upgraded the store from revision none to {HEAD}.\n"
    assert ok(cli("db", "upgrade")) == f"The store is already at revision {HEAD}; nothing to do.\n"
    assert list(data_dir.rglob("*.bak")) == []  # a new store has nothing to back up


# -- backups
@pytest.mark.usefixtures("open_umask")
def test_db_backup_is_private_and_holds_the_data(cli: Run, initialised: StoreRef, tmp_path: Path) -> None:
    """A backup is one SQLite file, readable only by its owner, whatever database the store is in."""
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    target = tmp_path / "backup.db"
    assert ok(cli("db", "backup", str(target))) == f"Backed the store up to {target}\n"
    assert mode(target) == 0o600
    assert rows(target, "SELECT ref, given_name FROM child") == [("TW-1", "Jamie")]
    assert rows(target, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
    assert rows(target, "PRAGMA integrity_check") == [("ok",)]
    assert rows(target, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert not list(tmp_path.glob(".*.partial"))
    # and cpctl itself can open the copy
    assert [c["id"] for c in ok_json(cli("--db", str(target), "child", "list", "--json"))] == ["TW-1"]


def test_db_backup_will_not_overwrite_without_force(cli: Run, initialised: StoreRef, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    target.write_text("an older backup\n")
    failed(
        cli("db", "backup", str(target)),
        f"Error: {target} already exists; choose another path or add --force to replace it.",
    )
    assert target.read_text() == "an older backup\n"
    ok(cli("db", "backup", str(target), "--force"))
    assert rows(target, "SELECT value FROM setting WHERE key = 'jurisdiction'") == [("england",)]


def test_db_backup_refuses_a_folder_and_a_missing_folder(cli: Run, initialised: StoreRef, tmp_path: Path) -> None:
    failed(
        cli("db", "backup", str(tmp_path)),
        f"Error: {tmp_path} is a folder; give the path of the backup file, e.g. {tmp_path / 'cpctl.bak'}.",
    )
    missing = tmp_path / "no-such-folder" / "backup.db"
    failed(
        cli("db", "backup", str(missing)),
        f"Error: the folder {missing.parent} does not exist; create it or choose another path.",
    )
    assert rows(initialised, "SELECT count(*) FROM setting") == [(2,)]


@pytest.mark.sqlite_only(reason="the store's own file as the backup's path")
def test_db_backup_refuses_the_store_itself(cli: Run, initialised: StoreRef) -> None:
    failed(
        cli("db", "backup", str(initialised.path), "--force"),
        "Error: the backup path is the store itself; choose another path.",
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


def test_opening_an_up_to_date_store_does_not_import_alembic(initialised: StoreRef) -> None:
    assert modules_after("child", "list", "--json") == {"alembic": False, "sqlalchemy": True}


def test_creating_a_store_does_import_alembic(empty_store: StoreRef) -> None:
    """The other side of the test above: the check does see Alembic when migrations run."""
    assert modules_after("child", "list") == {"alembic": True, "sqlalchemy": True}


@pytest.mark.sqlite_only(reason="SQLite's pragmas")
def test_wal_mode_and_foreign_keys(initialised: StoreRef) -> None:
    assert rows(initialised, "PRAGMA journal_mode") == [("wal",)]
    store = initialised.open()
    try:
        with store.read() as session:
            assert session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        store.dispose()


def test_a_broken_reference_is_refused_and_nothing_saved(initialised: StoreRef) -> None:
    from sqlalchemy import text

    from cpctl.errors import StoreError

    store = initialised.open()
    try:
        with pytest.raises(StoreError, match="breaks a rule of the store"), store.write() as session:
            session.connection().execute(
                text("INSERT INTO child_person (child_id, person_id, relationship) VALUES (999, 999, 'mother')")
            )
    finally:
        store.dispose()
    assert rows(initialised, "SELECT count(*) FROM child_person") == [(0,)]


def open_connections(store: StoreRef) -> int:
    """Connections to the store's database other than the one asking (a server's count)."""
    return rows(
        store,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )[0][0]


def test_each_command_closes_the_store(cli: Run, initialised: StoreRef) -> None:
    """No connection stays open after a command: SQLite removes its WAL files when the last one closes, and a
    server counts the connections to each database."""
    for args in (
        ("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"),
        ("child", "list"),
        ("child", "add", "Jamie", "Testwood", "--dob", "2999-01-01"),
    ):
        cli(*args)
        if initialised.path is not None:
            wal, shm = initialised.path.with_name("cpctl.db-wal"), initialised.path.with_name("cpctl.db-shm")
            assert not wal.exists() and not shm.exists(), args
        else:
            assert open_connections(initialised) == 0, args


def test_lookups_by_name_ignore_case_in_any_alphabet(cli: Run, initialised: StoreRef) -> None:
    """The same on both backends: SQLite's own lower() would fold only A-Z."""
    ok(cli("child", "add", "Élodie", "Đorđević", "--id", "EL-1", "--dob", "2019-03-04", "--family", "Ørsted Family"))
    ok(cli("person", "add", "Ǆemal Ünsal", "--kind", "parent", "--child", "élodie đorđević"))
    assert ok_json(cli("child", "show", "ÉLODIE ĐORĐEVIĆ", "--json"))["id"] == "EL-1"
    assert ok_json(cli("person", "show", "ǆemal ünsal", "--json"))["ref"] == "P00002"
    assert [c["id"] for c in ok_json(cli("child", "list", "--family", "ørsted family", "--json"))] == ["EL-1"]
