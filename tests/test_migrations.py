"""The schema: Alembic creates it, the models agree with it, and stores from earlier cpctl keep opening."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import textwrap
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

import cpctl.store.migrations
from backends import StoreRef
from helpers import Run, dump, execute, failed, ok, ok_json, rows

FIXTURES = Path(__file__).parent / "fixtures" / "stores"
FIXTURE_FILES = sorted(FIXTURES.glob("*.sql"))
HEAD = cpctl.store.migrations.HEAD
REVISIONS = cpctl.store.migrations.REVISIONS


def alembic_config():  # type: ignore[no-untyped-def]  (alembic is imported lazily, as cpctl does)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "cpctl.store:migrations")
    return config


def revision_of(store: StoreRef | Path) -> str | None:
    found = rows(store, "SELECT version_num FROM alembic_version")
    return found[0][0] if found else None


def load(fixture: Path, target: StoreRef) -> StoreRef:
    """A store holding what `fixture` (SQL text) describes, as the cpctl that made it left it.

    On a server the fixture's revision is made by cpctl's own migrations, then its rows are copied in, the way
    `cpctl db restore` copies them (a SQLite file is the fixture's only form).
    """
    path = target.path or target_file(fixture)
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(fixture.read_text(encoding="utf-8"))
    path.chmod(0o600)
    if target.path is not None:
        return target
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from cpctl.store.database import _copy_rows, _reset_sequences
    from cpctl.store.migrations import upgrade as _migrate

    source = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    dest = create_engine(target.url, poolclass=NullPool)
    try:
        with source.connect() as reading, dest.begin() as writing:
            _migrate(writing, fixture.stem)
            _copy_rows(reading, writing)
            _reset_sequences(writing)
    finally:
        source.dispose()
        dest.dispose()
    return target


def target_file(fixture: Path) -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="cpctl-fixture-")) / f"{fixture.stem}.db"


def schema(path: StoreRef) -> list[tuple[str, str, str]]:
    return rows(path, "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name")


# -- the history
def test_revisions_equal_alembics_history() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    history = tuple(reversed([script.revision for script in scripts.walk_revisions()]))
    assert REVISIONS == history
    assert scripts.get_heads() == [HEAD]


def table_names(store: StoreRef) -> set[str]:
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    engine = create_engine(store.url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_a_blank_store_is_created_at_head(cli: Run, empty_store: StoreRef) -> None:
    from sqlmodel import SQLModel

    import cpctl.store.models  # noqa: F401

    ok(cli("child", "list"))
    assert revision_of(empty_store) == HEAD
    assert table_names(empty_store) == set(SQLModel.metadata.tables) | {"alembic_version"}


def model_differences(store: StoreRef) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    import cpctl.store.models  # noqa: F401

    engine = create_engine(store.url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def test_the_models_and_the_migrations_agree(cli: Run, empty_store: StoreRef) -> None:
    ok(cli("child", "list"))
    assert model_differences(empty_store) == []


def test_the_comparison_sees_a_column_the_models_lack(cli: Run, empty_store: StoreRef) -> None:
    """Guards the test above: the comparison is live, not vacuously empty."""
    ok(cli("child", "list"))
    execute(
        empty_store,
        "ALTER TABLE child ADD COLUMN shoe_size INTEGER",
        "CREATE INDEX ix_person_phone ON person (phone)",
    )
    differences = model_differences(empty_store)
    assert ("remove_column", None, "child") in [diff[:3] for diff in differences if isinstance(diff, tuple)]
    assert "remove_index" in [diff[0] for diff in differences if isinstance(diff, tuple)]


# -- fixture stores written by each released revision
def test_every_revision_has_a_fixture_store() -> None:
    """When you add a migration, run tests/fixtures/stores/make_fixture.py and commit the file it writes."""
    assert [path.stem for path in FIXTURE_FILES] == list(REVISIONS)


@pytest.mark.sqlite_only(reason="compares SQLite's own record of the schema")
def test_the_head_fixture_has_the_schema_the_migrations_make(cli: Run, store: StoreRef, tmp_path: Path) -> None:
    """A released migration is never edited: a schema change needs a new revision (and a new fixture)."""
    ok(cli("child", "list"))
    fixture = load(FIXTURES / f"{HEAD}.sql", StoreRef(f"sqlite:///{tmp_path / 'fixture.db'}"))
    assert schema(fixture) == schema(store)


FIXTURE_CHILDREN = [  # as `child list` orders them: by name
    ("DEMO-1003", "Baby", "Testwood", True),
    ("DEMO-1001", "Jamie", "Testwood", False),
    ("DEMO-1002", "Mia", "Testwood", False),
]
FIXTURE_PEOPLE = {
    "Alex Morgan",
    "Sam Testwood",
    "Chris Testwood",
    "Jordan Ashby",
    "Ola Brennan",
    "Tom Hale",
    "Grace Oduya",
    "Hannah Pike",
}


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[path.stem for path in FIXTURE_FILES])
def test_a_store_from_each_released_revision_opens_at_head(
    cli: Run, make_store: Callable[..., StoreRef], data_dir: Path, fixture: Path
) -> None:
    """A SQLite store is backed up beside itself and upgraded when opened; a server's database on request."""
    revision = fixture.stem
    store = load(fixture, make_store("cpctl.db", empty=True))
    assert revision_of(store) == revision
    counts = {
        table: rows(store, f'SELECT count(*) FROM "{table}"')[0][0]
        for table in ("child", "person", "child_person", "family", "audit_entry", "setting", "app_user")
    }
    hashes = rows(store, "SELECT id, hash FROM audit_entry ORDER BY id")

    if store.path is None and revision != HEAD:
        failed(
            cli("--db", str(store), "child", "list"),
            f"Error: the store is at schema revision {revision} but this cpctl needs {HEAD}; "
            "run `cpctl db upgrade` (it backs the store up first).",
        )
        upgraded = ok(cli("--db", str(store), "db", "upgrade"))
        (backup,) = data_dir.rglob(f"*.before-{revision}-*.bak")
        assert (
            upgraded == f"Upgraded the store from revision {revision} to {HEAD}. The store as it was is at {backup}\n"
        )
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
        assert revision_of(backup) == revision
        assert rows(backup, "SELECT id, hash FROM audit_entry ORDER BY id") == hashes
    result = cli("--db", str(store), "child", "list", "--json")
    assert result.exit_code == 0, result.output
    children = json.loads(result.stdout)
    if revision == HEAD:
        assert result.stderr == ""
        assert list(data_dir.parent.rglob("*.bak")) == []
    elif store.path is not None:
        (backup,) = store.path.parent.glob(f"cpctl.db.before-{revision}-*.bak")
        assert result.stderr == f"Upgraded the store's schema; a copy of it as it was is at {backup}\n"
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
        assert revision_of(backup) == revision

    assert revision_of(store) == HEAD
    assert [(c["id"], c["given_name"], c["family_name"], c["unborn"]) for c in children] == FIXTURE_CHILDREN
    people = ok_json(cli("--db", str(store), "person", "list", "--json"))
    assert {p["name"] for p in people} == FIXTURE_PEOPLE
    jamie = ok_json(cli("--db", str(store), "child", "show", "DEMO-1001", "--json"))
    assert [(p["name"], p["relationship"]) for p in jamie["people"]] == [
        ("Chris Testwood", "father"),
        ("Sam Testwood", "mother"),
    ]
    # On PostgreSQL `child show` added its entry to the read log: every entry before it is as it was.
    reads = rows(store, "SELECT count(*) FROM audit_entry WHERE substr(action, 1, 5) = 'read.'")[0][0]
    assert reads == (0 if store.path is not None else 1)
    assert {table: rows(store, f'SELECT count(*) FROM "{table}"')[0][0] for table in counts} == {
        **counts,
        "audit_entry": counts["audit_entry"] + reads,
    }
    assert rows(store, "SELECT id, hash FROM audit_entry ORDER BY id")[: len(hashes)] == hashes
    # and the store takes new changes, chained onto the old audit trail
    ok(cli("--db", str(store), "child", "edit", "DEMO-1002", "--language", "Welsh"))
    added = rows(store, "SELECT prev_hash, hash FROM audit_entry ORDER BY id")[len(hashes) :]
    assert len(added) == reads + 1
    links = [hashes[-1][1]] + [entry_hash for _, entry_hash in added[:-1]]
    assert [prev_hash for prev_hash, _ in added] == links


OLDER_FIXTURES = [path for path in FIXTURE_FILES if path.stem != HEAD]


@pytest.mark.parametrize("fixture", OLDER_FIXTURES, ids=[path.stem for path in OLDER_FIXTURES])
def test_no_upgrade_refuses_a_store_from_an_older_revision(
    cli: Run, make_store: Callable[..., StoreRef], data_dir: Path, fixture: Path
) -> None:
    store = load(fixture, make_store("cpctl.db", empty=True))
    before = dump(store)
    failed(
        cli("--db", str(store), "--no-upgrade", "child", "list"),
        f"Error: the store is at schema revision {fixture.stem} but this cpctl needs {HEAD}; "
        "run `cpctl db upgrade` (it backs the store up first).",
    )
    assert dump(store) == before
    assert list(data_dir.parent.rglob("*.bak")) == []


# -- an upgrade, rehearsed with a real next revision
NEXT_REVISION = textwrap.dedent(
    '''
    """A rehearsal revision, made by the tests: adds a column to child.

    Revision ID: 9001
    Revises: {head}
    """

    import sqlalchemy as sa
    from alembic import op

    revision = "9001"
    down_revision = "{head}"
    branch_labels = None
    depends_on = None


    def upgrade() -> None:
        with op.batch_alter_table("child") as batch:
            batch.add_column(sa.Column("rehearsal_note", sa.String(), nullable=True))


    def downgrade() -> None:
        with op.batch_alter_table("child") as batch:
            batch.drop_column("rehearsal_note")
    '''
)


@pytest.fixture
def next_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], str]:
    """Returns a function that makes this cpctl one revision newer (9001) than the stores it has written.

    cpctl's own migrations are copied, a real revision 9001 is added after them, and cpctl is pointed at
    the copy.
    Call it after writing the store that should be one revision behind.
    """
    import alembic.config

    scripts = tmp_path / "migrations"
    shutil.copytree(
        Path(cpctl.store.migrations.__file__).parent,
        scripts,
        ignore=shutil.ignore_patterns("__pycache__", "__init__.py"),
    )
    (scripts / "versions" / "9001_rehearsal.py").write_text(NEXT_REVISION.format(head=HEAD))

    class RehearsalConfig(alembic.config.Config):
        def set_main_option(self, name: str, value: str) -> None:
            super().set_main_option(name, str(scripts) if value == "cpctl.store:migrations" else value)

    def activate() -> str:
        monkeypatch.setattr(alembic.config, "Config", RehearsalConfig)
        monkeypatch.setattr("cpctl.store.database.REVISIONS", (*REVISIONS, "9001"))
        monkeypatch.setattr("cpctl.store.database.HEAD", "9001")
        return "9001"

    return activate


@pytest.mark.sqlite_only(reason="upgrading on opening is for a SQLite store; a server's waits for `db upgrade`")
def test_an_older_store_is_backed_up_then_upgraded(cli: Run, initialised: StoreRef, next_revision) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    before = dump(initialised)
    new_head = next_revision()

    result = cli("child", "list", "--json")
    assert result.exit_code == 0, result.output
    assert initialised.path is not None
    (backup,) = initialised.path.parent.glob(f"cpctl.db.before-{HEAD}-*.bak")
    assert result.stderr == f"Upgraded the store's schema; a copy of it as it was is at {backup}\n"
    assert [c["id"] for c in json.loads(result.stdout)] == ["TW-1"]
    assert revision_of(initialised) == new_head
    assert "rehearsal_note" in {name for (_, name, *_) in rows(initialised, "PRAGMA table_info(child)")}
    assert rows(initialised, "SELECT ref, given_name FROM child") == [("TW-1", "Jamie")]
    # the backup is the store exactly as it was, readable only by its owner
    assert dump(backup) == before
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    # the next command opens the upgraded store without another backup
    ok(cli("child", "list"))
    assert len(list(initialised.path.parent.glob("*.bak"))) == 1


@pytest.mark.parametrize("how", ["option", "environment"])
def test_no_upgrade_refuses_an_older_store(
    cli: Run, initialised: StoreRef, data_dir: Path, next_revision, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = dump(initialised)
    new_head = next_revision()
    args = ["--no-upgrade"] if how == "option" else []
    if how == "environment":
        monkeypatch.setenv("CPCTL_NO_AUTO_UPGRADE", "1")
    failed(
        cli(*args, "child", "list"),
        f"Error: the store is at schema revision {HEAD} but this cpctl needs {new_head}; "
        "run `cpctl db upgrade` (it backs the store up first).",
    )
    assert dump(initialised) == before
    assert list(data_dir.rglob("*.bak")) == []


def test_db_status_and_db_upgrade_of_an_older_store(
    cli: Run, initialised: StoreRef, data_dir: Path, next_revision
) -> None:
    new_head = next_revision()
    status = ok_json(cli("db", "status", "--json"))
    assert (status["revision"], status["head"], status["up_to_date"]) == (HEAD, new_head, False)
    assert ok(cli("db", "status")).splitlines()[-1] == (
        f"Schema:    revision {HEAD}; this cpctl needs {new_head}: run `cpctl db upgrade`"
    )
    assert revision_of(initialised) == HEAD  # looking does not upgrade

    out = ok(cli("db", "upgrade"))
    (backup,) = data_dir.rglob(f"*.before-{HEAD}-*.bak")
    assert out == f"Upgraded the store from revision {HEAD} to {new_head}. The store as it was is at {backup}\n"
    assert revision_of(initialised) == new_head
    assert revision_of(backup) == HEAD


# -- a store from the future
def test_a_store_written_by_a_newer_cpctl_is_refused(cli: Run, initialised: StoreRef, data_dir: Path) -> None:
    execute(initialised, "UPDATE alembic_version SET version_num = '0999'")
    before = dump(initialised)
    failed(
        cli("child", "list"),
        "Error: the store is at schema revision 0999, which this cpctl does not know: it was written by a "
        "newer cpctl. Install that version (or newer) to open it.",
    )
    failed(
        cli("db", "upgrade"),
        "Error: the store is at schema revision 0999, which this cpctl does not know: it was written by a "
        "newer cpctl. Install that version (or newer) to open it.",
    )
    assert dump(initialised) == before
    assert list(data_dir.rglob("*.bak")) == []
    if initialised.path is not None:
        assert not initialised.path.with_name("cpctl.db-wal").exists()  # the refused store was closed again


def test_db_upgrade_leaves_a_database_that_is_not_a_cpctl_store_alone(
    cli: Run, make_store: Callable[..., StoreRef], tmp_path: Path
) -> None:
    other = make_store("other.db", empty=True)
    execute(other, "CREATE TABLE recipe (name TEXT)")
    before = dump(other)
    failed(
        cli("--db", str(other), "db", "upgrade"),
        f"Error: {other.url if other.path else other.shown} holds tables that are not a cpctl store; "
        "point --db (or CPCTL_DB / CPCTL_DATABASE_URL) at a cpctl store or at a new file.",
    )
    assert dump(other) == before
    assert list(tmp_path.rglob("*.bak")) == []
