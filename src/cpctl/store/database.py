"""Opening the store: SQLite by default, any SQLAlchemy URL (PostgreSQL for teams) by configuration.

Everything SQLite-specific lives here. Every write goes through `Store.write()`, one transaction that also holds
its audit records; opening an up-to-date store checks its schema revision without importing Alembic.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Table, create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlmodel import Session

from cpctl import scratch as scratch_files
from cpctl.errors import CpctlError, StoreError
from cpctl.paths import SQLITE_HEADER, expand, is_store_file, sqlite_path, sqlite_url, store_files
from cpctl.store import audit
from cpctl.store.migrations import HEAD, REVISIONS
from cpctl.store.migrations import upgrade as _migrate
from cpctl.text import shown

BUSY_TIMEOUT_MS = 30_000
AUDIT_LOCK_KEY = 0x637063746C  # "cpctl": PostgreSQL advisory lock that serialises the audit chain
COMMITTED = [0]  # changes this process has saved: after a failure, the CLI says whether anything was
KEY_VARIABLE = "CPCTL_DB_KEY"  # with it, every SQLite file cpctl writes is encrypted (SQLCipher)
FROM_ENVIRONMENT: Any = object()


@dataclass(frozen=True)
class SchemaState:
    revision: str | None
    head: str
    empty: bool

    @property
    def current(self) -> bool:
        return self.revision == self.head


class Store:
    """An open cpctl store. `read()` and `write()` hand out sessions; `write()` commits or writes nothing."""

    def __init__(
        self, url: str, *, auto_upgrade: bool = True, check_schema: bool = True, key: str | None = FROM_ENVIRONMENT
    ) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self.backup_made: Path | None = None
        # The key of an encrypted SQLite store, and of the backups cpctl writes (of any store).
        self.key: str | None = (os.environ.get(KEY_VARIABLE) or None) if key is FROM_ENVIRONMENT else key
        _check_url(url)
        with translate_errors(self):
            if self.path is not None:
                _prepare_sqlite_file(self.path)
            self.engine = self._make_engine()
            self._writer = self.engine.execution_options(cpctl_write=True)
            if check_schema:
                try:
                    self._ensure_schema(auto_upgrade)
                except BaseException:
                    self.engine.dispose()  # a refused store leaves no connection open
                    raise

    # -- connection setup ------------------------------------------------------------------------------------
    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def _make_engine(self) -> Engine:
        # hide_parameters: an error never echoes the values of a statement (a child's name, a date of birth).
        if self.path is None and self.url.startswith("sqlite"):
            engine = create_engine(self.url, hide_parameters=True, module=_sqlite_module(self.key))
        elif self.path is not None:
            engine = create_engine(
                self.url,
                connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
                hide_parameters=True,
                module=_sqlite_module(self.key),
            )
        else:
            return create_engine(_server_url(self.url), pool_pre_ping=True, hide_parameters=True)
        _configure_sqlite(engine, self.key)
        return engine

    # -- sessions ---------------------------------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading. On a team's store the children it looked up, or was asked for and did not show,
        are written to the read log when it ends, whatever became of the command."""
        with translate_errors(self), Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            finally:
                reads = session.info.pop(audit.READS, None)
                if reads:
                    # Logged from a session of its own: this one's records stay loaded for the caller (a rollback
                    # here would expire them, and a command reading one after its session ends would fail).
                    self._log_reads(reads)

    @contextmanager
    def write(self, *, change: bool = True) -> Iterator[Session]:
        """One transaction: everything done in the block, with its audit records, is saved, or nothing is.

        On a team's store a child asked for and not shown is in the read log, saved or not (the children the
        change is about are in its own audit entries)."""
        with translate_errors(self), Session(self._writer, expire_on_commit=False) as session:
            self._serialise(session.connection())
            try:
                yield session
                denied = _denied(session)
                if denied:
                    audit.record_reads(session, denied)
                session.commit()
                if change:  # the read log is not a change: a command stopped after it still saved nothing
                    COMMITTED[0] += 1
            except BaseException:
                session.rollback()
                denied = _denied(session)
                if denied:
                    self._log_reads(denied)
                raise

    def _log_reads(self, reads: list[tuple[str, bool, str]]) -> None:
        with self.write(change=False) as session:
            audit.record_reads(session, reads)

    def _serialise(self, conn: Connection) -> None:
        """Writers take turns: SQLite's BEGIN IMMEDIATE does it there; PostgreSQL takes an advisory lock."""
        if self.backend == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({AUDIT_LOCK_KEY})")

    # -- schema -----------------------------------------------------------------------------------------------
    def schema_state(self) -> SchemaState:
        with self.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            revision = None
            if "alembic_version" in tables:
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return SchemaState(revision=revision, head=HEAD, empty=not tables)

    def _ensure_schema(self, auto_upgrade: bool) -> None:
        state = self.schema_state()
        if state.current:
            return
        if state.empty:
            self.upgrade(backup=False)
            return
        self._refuse_unknown(state)
        if not auto_upgrade or self.path is None:
            # A server's database is shared: upgrading it is a decision for whoever runs `cpctl db upgrade`.
            raise StoreError(
                f"the store is at schema revision {state.revision} but this cpctl needs {HEAD}; "
                "run `cpctl db upgrade` (it backs the store up first)."
            )
        self.upgrade(backup=True)

    def _refuse_unknown(self, state: SchemaState) -> None:
        """Refuse a database that is not a cpctl store, or one at a revision only a newer cpctl knows."""
        if state.revision is None:
            raise StoreError(
                f"{self.display_url} holds tables that are not a cpctl store; "
                "point --db (or CPCTL_DB / CPCTL_DATABASE_URL) at a cpctl store or at a new file."
            )
        if state.revision not in REVISIONS:
            raise StoreError(
                f"the store is at schema revision {state.revision}, which this cpctl does not know: "
                "it was written by a newer cpctl. Install that version (or newer) to open it."
            )

    def upgrade(self, *, backup: bool = True) -> str | None:
        """Bring the schema to the head revision, backing the store up first. Returns the old revision."""
        state = self.schema_state()
        if state.current:
            return state.revision
        if not state.empty:
            self._refuse_unknown(state)
        if backup and not state.empty:
            self.backup_made = self.backup_to(self.safety_copy_path(f"before-{state.revision}"))
        with translate_errors(self), self._writer.begin() as conn:
            self._serialise(conn)  # two cpctl creating a new database at once: the second finds it made
            _migrate(conn, "head")
            if conn.dialect.name == "postgresql":  # a team's store: its users get their grants on new tables too
                from cpctl.store import access

                access.regrant_all(conn)
        return state.revision

    # -- backup and restore -------------------------------------------------------------------------------------
    def safety_copy_path(self, why: str) -> Path:
        """Where cpctl keeps a copy of the store before changing all of it: beside a SQLite file, or in the
        data folder's backups/ for a server's database."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        if self.path is not None:
            return self.path.with_name(f"{self.path.name}.{why}-{stamp}.bak")
        from cpctl.paths import data_dir, make_private_folders

        folder = data_dir() / "backups"
        with translate_errors(self):
            make_private_folders(folder)
        name = make_url(self.url).database or "cpctl"
        return folder / f"{name}.{why}-{stamp}.bak"

    def backup_to(self, target: Path, *, force: bool = False) -> Path:
        """A consistent copy of the store in one SQLite file that only its owner may read, taken while others
        may be writing: SQLite's online backup for a SQLite store, one snapshot for a server's database."""
        target = expand(target).absolute()
        if target.is_dir():
            raise StoreError(
                f"{shown(target)} is a folder; give the path of the backup file, e.g. {shown(target / 'cpctl.bak')}."
            )
        if target.exists() and not force:
            raise StoreError(f"{shown(target)} already exists; choose another path or add --force to replace it.")
        if self.path is not None and target.resolve() == self.path.resolve():
            raise StoreError("the backup path is the store itself; choose another path.")
        if is_store_file(target, self.path):
            raise StoreError(f"{shown(target)} is one of SQLite's files beside the store; choose another path.")
        if not target.parent.is_dir():
            raise StoreError(f"the folder {shown(target.parent)} does not exist; create it or choose another path.")
        partial = target.with_name(f".{target.name}.partial")
        # SQLite's files for the copy as it is written; noted, so that a cpctl killed part way has them removed.
        working = [partial, *store_files(partial)[1:]]
        with translate_errors(self):
            noted = scratch_files.note(working)
            for leftover in working:
                leftover.unlink(missing_ok=True)
            try:
                fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                os.close(fd)
                if self.path is not None:
                    source = _sqlite_connect(self.path, self.key, timeout=BUSY_TIMEOUT_MS / 1000)
                    dest = _sqlite_connect(partial, self.key)
                    try:
                        source.backup(dest)
                    finally:
                        dest.close()
                        source.close()
                else:
                    self._copy_out(partial)
                _settle_sqlite_file(partial, self.key)
                os.chmod(partial, 0o600)
                os.replace(partial, target)
            except BaseException:
                for leftover in working:
                    leftover.unlink(missing_ok=True)
                raise
            finally:
                scratch_files.forget(noted)
        return target

    def _copy_out(self, target: Path) -> None:
        """Copy a server's database, as one snapshot, into a new SQLite file at the same schema revision."""
        from sqlalchemy.pool import NullPool

        revision = self.schema_state().revision or "head"
        copy = create_engine(sqlite_url(target), poolclass=NullPool, module=_sqlite_module(self.key))
        _apply_key(copy, self.key)
        try:
            with self.engine.connect() as source:
                source = source.execution_options(isolation_level="REPEATABLE READ")
                with source.begin(), copy.begin() as dest:
                    source.exec_driver_sql("SET TRANSACTION READ ONLY")
                    _migrate(dest, revision)
                    _copy_rows(source, dest)
        finally:
            copy.dispose()

    def restore_from(self, backup: Path, *, check: Callable[[Store], list[str]], force: bool = False) -> Restored:
        """Replace everything in the store with a backup's contents, in one transaction, after a safety copy.

        Refused without `force` when the store is newer than the backup (see `newer_than`), or when the backup's
        audit trail is broken; refused even with it when the backup is damaged (its schema is not the one cpctl's
        migrations make at its revision, or `cpctl db check` finds a problem in it): restoring it would lose or
        corrupt records. A restore that is interrupted leaves the store as it was.

        The newer-than check, the safety copy and the replacement all happen inside one write transaction: a
        change that commits before it is in the safety copy, and one that waits for it lands in the restored
        store. Checked or copied before the transaction, a change saved in between would be in neither.

        `check` is `cpctl db check` without the audit chain (`cpctl.casework.checks`): given the backup's working
        copy, opened as a Store, it returns the problems found. The caller passes it because the rules it checks
        (plans, deadlines) belong to the layers above the store.
        """
        import tempfile

        from cpctl.store import audit

        backup = expand(backup).absolute()
        if not backup.is_file():
            raise StoreError(f"there is no backup file {shown(backup)}; check the path.")
        if self.path is not None and backup.resolve() == self.path.resolve():
            raise StoreError("that file is the store itself; give the path of a backup made by `cpctl db backup`.")
        with tempfile.TemporaryDirectory(prefix="restore-", dir=scratch_files.folder()) as scratch:
            copy = _open_backup(backup, Path(scratch) / "backup.db", self.key)
            try:
                _refuse_damage(shown(backup), check(copy))
                with copy.read() as session:
                    chain = audit.verify(session)
                    backup_head = _newest_entry(session.connection())
                if not chain.intact and not force:
                    raise StoreError(
                        f"the backup's audit trail is broken {chain.problem}: it may have been altered. "
                        "Add --force to restore it anyway."
                    )
                with copy.engine.connect() as source, self.write() as session:
                    # From here until the commit no one else can save a change (SQLite's BEGIN IMMEDIATE, or the
                    # advisory lock on PostgreSQL, taken before this transaction's first snapshot).
                    dest = session.connection()
                    reasons = self.newer_than(copy, dest)
                    if reasons and not force:
                        raise StoreError(
                            f"the store is newer than the backup ({'; '.join(reasons)}): restoring would lose those "
                            "changes. Add --force to restore anyway (a safety copy of the store is kept)."
                        )
                    replaced_head = _newest_entry(dest)
                    # Read from another connection, the copy holds exactly what this transaction replaces: the
                    # last commit before the lock, with nothing after it.
                    safety = self.backup_to(self.safety_copy_path("before-restore"))
                    _delete_rows(dest)
                    _copy_rows(source, dest)
                    _reset_sequences(dest)
                    audit.record(
                        session,
                        "store.restore",
                        "store",
                        None,
                        f"store restored from the backup {backup.name}",
                        {
                            "backup": str(backup),
                            "backup_revision": copy.original_revision,
                            "backup_newest_entry": backup_head[1] if backup_head else None,
                            "replaced_newest_entry": replaced_head[1] if replaced_head else None,
                            "safety_copy": str(safety),
                            "forced": bool(force and (reasons or not chain.intact)),
                        },
                    )
                    counts = {
                        name: dest.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                        for name in ("child", "conference", "audit_entry")
                    }
            finally:
                copy.dispose()
        return Restored(backup=backup, safety_copy=safety, counts=counts, forced=bool(force and reasons))

    def newer_than(self, other: Store, conn: Connection | None = None) -> list[str]:
        """Why this store is newer than `other` (a backup), in words; empty when it is not.

        Newer means a later schema revision, or an audit trail whose newest entry the other does not hold: then
        the other lacks changes made here, and replacing this store with it would lose them. A restore's own entry
        at the end of the trail does not count: it changed nothing that the backup it restored lacks. `conn`
        reads this store inside a transaction the caller holds (a restore's own).
        """
        if conn is None:
            with translate_errors(self), self.engine.connect() as own:
                return self.newer_than(other, own)
        reasons = []
        mine = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        theirs = getattr(other, "original_revision", None) or other.schema_state().revision
        if mine in REVISIONS and theirs in REVISIONS and REVISIONS.index(mine) > REVISIONS.index(theirs):
            reasons.append(f"its schema revision {mine} is later than the backup's {theirs}")
        newest = _newest_entry(conn, leave_out="store.restore")
        if newest is not None:
            with other.read() as session:
                held = (
                    session.connection()
                    .execute(text("SELECT 1 FROM audit_entry WHERE hash = :hash"), {"hash": newest[1]})
                    .first()
                )
            if held is None:
                reasons.append(f"its newest audit entry, {newest[0]} of {newest[2][:10]}, is not in the backup")
        return reasons

    def engine_problems(self) -> list[str]:
        """The database's own checks: SQLite's integrity and foreign key checks (a server checks as it writes)."""
        if self.backend != "sqlite":
            return []
        with translate_errors(self), self.engine.connect() as conn:
            integrity = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check").all()]
            orphans = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        found = [] if integrity == ["ok"] else [f"SQLite's integrity check failed: {line}" for line in integrity[:10]]
        for table, rowid, parent, _ in orphans[:10]:
            found.append(f"SQLite's foreign key check: {table} row {rowid} refers to a {parent} that does not exist")
        return found

    def dispose(self) -> None:
        self.engine.dispose()


def _denied(session: Session) -> list[tuple[str, bool, str]]:
    """The records a writing session was asked for and did not show (its own changes are audited already)."""
    return [read for read in session.info.pop(audit.READS, ()) if not read[1]]


def _check_url(url: str) -> None:
    """Refuse a URL that names no database cpctl can use (without showing it: it may hold a password)."""
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        backend = None
    if backend not in ("sqlite", "postgresql", "postgres"):
        raise StoreError(
            "cpctl stores its data in SQLite (a file path) or PostgreSQL (postgresql://user@host/database); "
            "check --db or CPCTL_DATABASE_URL."
        )


def _server_url(url: str) -> URL:
    """A server's URL with the driver cpctl installs: postgresql:// and postgres:// mean psycopg 3."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername == "postgresql+psycopg":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise StoreError(
                "cpctl needs the psycopg driver for PostgreSQL: install it with `pip install 'cpctl[postgresql]'`."
            ) from None
    return parsed


@dataclass(frozen=True)
class Restored:
    backup: Path
    safety_copy: Path
    counts: dict[str, int]
    forced: bool


def _tables(conn: Connection) -> list[Table]:
    """The store's tables as the database has them, parents before children (alembic_version left out)."""
    from sqlalchemy import MetaData

    metadata = MetaData()
    metadata.reflect(bind=conn)
    return [table for table in metadata.sorted_tables if table.name != "alembic_version"]


def _copy_rows(source: Connection, dest: Connection, batch: int = 1000) -> None:
    """Copy every row of every table from one store to another at the same revision (empty tables).

    From a team's store on PostgreSQL, only what the login may read: the rows its policies show, of the tables it
    has a grant on (a user's backup is partial; the owner's is whole)."""
    from sqlalchemy import select

    wanted = {table.name: table for table in _tables(source)}
    if source.dialect.name == "postgresql":
        readable = text("SELECT has_table_privilege(:table, 'SELECT')")
        wanted = {
            name: table
            for name, table in wanted.items()
            if source.execute(readable, {"table": f'public."{name}"'}).scalar_one()
        }
    for table in _tables(dest):
        mine = wanted.get(table.name)
        if mine is None:
            continue
        names = [column.name for column in table.columns if column.name in mine.columns]
        order = list(mine.primary_key.columns) or [mine.columns[names[0]]]
        result = source.execution_options(yield_per=batch).execute(
            select(*[mine.columns[name] for name in names]).order_by(*order)
        )
        for chunk in result.partitions():
            dest.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in chunk])


def _delete_rows(conn: Connection) -> None:
    for table in reversed(_tables(conn)):
        conn.execute(table.delete())


def _reset_sequences(conn: Connection) -> None:
    """After rows were copied in with their ids, a server's id sequences carry on after the largest."""
    if conn.dialect.name != "postgresql":
        return
    for table in _tables(conn):
        if "id" in table.primary_key.columns and table.columns["id"].autoincrement in (True, "auto"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'COALESCE(max(id), 1), max(id) IS NOT NULL) FROM "{table.name}"'
                )
            )


def _newest_entry(conn: Connection, leave_out: str = "") -> tuple[int, str, str] | None:
    """(id, hash, at) of the newest audit entry (of another action than `leave_out`), or None."""
    row = conn.execute(
        text("SELECT id, hash, at FROM audit_entry WHERE action <> :action ORDER BY id DESC LIMIT 1"),
        {"action": leave_out},
    ).first()
    return (row[0], row[1], row[2]) if row is not None else None


class _Backup(Store):
    """A private working copy of a backup file, brought up to this cpctl's schema (the file is not touched)."""

    original_revision: str | None = None


def _open_backup(backup: Path, copy_path: Path, key: str | None) -> _Backup:
    """A working copy of a backup: a plain one as it is, an encrypted one (SQLCipher) with the key given."""
    where = shown(backup)
    try:
        with open(backup, "rb") as file:
            plain = file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
        if not plain and key is None:
            raise StoreError(
                f"{where} is not a cpctl backup (not a SQLite database, or damaged), or it is encrypted: then set "
                f"{KEY_VARIABLE} to its key."
            )
        key = None if plain else key
        fd = os.open(copy_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        source = _sqlite_connect(f"file:{quote(str(backup))}?mode=ro", key, uri=True)
        dest = _sqlite_connect(copy_path, key)
        try:
            source.backup(dest)
            problems = dest.execute("PRAGMA quick_check").fetchall()
        finally:
            dest.close()
            source.close()
    except _sqlite_errors():
        more = f" (or not encrypted with the key in {KEY_VARIABLE})" if key else ""
        raise StoreError(
            f"{where} is not a cpctl backup (not a SQLite database, or damaged){more}; check the path."
        ) from None
    except OSError as exc:
        raise StoreError(
            f"cannot read the backup {where} ({exc.strerror}); check the path and its permissions."
        ) from None
    if problems != [("ok",)]:
        raise StoreError(f"the backup {where} is damaged (SQLite's check failed); choose another backup.")
    copy = _Backup(sqlite_url(copy_path), check_schema=False, key=key)
    try:
        state = copy.schema_state()
        if state.empty or state.revision is None:
            raise StoreError(f"{where} is not a cpctl backup: it holds no cpctl store.")
        if state.revision not in REVISIONS:
            raise StoreError(
                f"the backup {where} is at schema revision {state.revision}, which this cpctl does not know: it "
                "was written by a newer cpctl. Install that version (or newer) to restore it."
            )
        from cpctl.store import integrity

        # Before the migrations touch it: a table or column missing now would be lost, or break the upgrade.
        with translate_errors(copy), copy.engine.connect() as conn:
            _refuse_damage(where, integrity.schema(conn, state.revision).problems)
        copy.original_revision = state.revision
        copy.upgrade(backup=False)
    except BaseException:
        copy.dispose()
        raise
    return copy


def _refuse_damage(where: str, problems: list[str], shown: int = 3) -> None:
    """A damaged backup is refused whatever the user says: restoring it would replace whole records with less."""
    if not problems:
        return
    many = len(problems)
    listed = "; ".join(problems[:shown]) + ("; ..." if many > shown else "")
    raise StoreError(
        f"the backup {where} is damaged ({many} problem{'s' if many != 1 else ''}: {listed}). Restoring it would "
        "lose or corrupt records, so it is refused even with --force; restore another backup."
    )


def _settle_sqlite_file(path: Path, key: str | None) -> None:
    """Make a copied SQLite file one self-contained file (no WAL beside it), flushed to the disk."""
    conn = _sqlite_connect(path, key)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.commit()
    finally:
        conn.close()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def looks_encrypted(path: Path) -> bool:
    """Whether a file that exists does not start as a SQLite database does: encrypted, or not a database."""
    try:
        with open(path, "rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return len(head) == len(SQLITE_HEADER) and head != SQLITE_HEADER


def _sqlite_module(key: str | None) -> Any:
    """The DB-API module for a SQLite file: Python's sqlite3, or SQLCipher's binding for an encrypted one."""
    if key is None:
        return sqlite3
    try:
        from sqlcipher3 import dbapi2
    except ImportError:
        raise StoreError(
            f"{KEY_VARIABLE} is set, and an encrypted store needs SQLCipher: install it with "
            "`pip install 'cpctl[encryption]'`, or unset the variable."
        ) from None
    return dbapi2


def _sqlite_errors() -> tuple[type[BaseException], ...]:
    cipher = sys.modules.get("sqlcipher3.dbapi2")
    return (sqlite3.Error, cipher.Error) if cipher is not None else (sqlite3.Error,)


def _unlock(dbapi_connection: Any, key: str | None) -> None:
    """Give SQLCipher the key before anything else touches the file (and keep its own log off stderr)."""
    if key is None:
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA cipher_log_level = NONE")
    cursor.execute("PRAGMA key = '" + key.replace("'", "''") + "'")
    cursor.close()


def _sqlite_connect(path: Path | str, key: str | None, **options: Any) -> Any:
    connection = _sqlite_module(key).connect(str(path), **options)
    _unlock(connection, key)
    return connection


def _apply_key(engine: Engine, key: str | None) -> None:
    if key is not None:
        event.listen(engine, "connect", lambda dbapi_connection, _record: _unlock(dbapi_connection, key))


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine, key: str | None = None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        _unlock(dbapi_connection, key)
        # SQLite's lower() folds ASCII letters only; PostgreSQL's folds every alphabet. Python's does too, so that
        # finding "élodie testwood" finds Élodie Testwood on either backend.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        # Let SQLAlchemy's "begin" event decide how each transaction starts (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if _is_cpctl_or_new(cursor):  # someone else's database is refused as it was, its journal mode too
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # A writer takes the write lock at the start, so that two writers queue on the busy timeout instead
        # of one failing with "database is locked" when it upgrades a read lock half way through.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("cpctl_write") else "BEGIN")


CPCTL_TABLES = frozenset({"alembic_version", "audit_entry", "child", "person"})  # in every revision's store


def _is_cpctl_or_new(cursor: Any) -> bool:
    """A SQLite file that is already in WAL mode, has no tables yet, or holds a cpctl store's tables."""
    (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
    if str(mode).lower() == "wal":
        return True
    tables = {name for (name,) in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return not tables or CPCTL_TABLES <= tables


def _prepare_sqlite_file(path: Path) -> None:
    """Create the store's folder (0700, when cpctl makes it) and file (0600) before SQLite touches them."""
    if path.is_dir():
        raise StoreError(f"{shown(path)} is a folder; give the path of a store file, e.g. {shown(path / 'cpctl.db')}.")
    parent = path.parent
    if not parent.exists():
        from cpctl.paths import make_private_folders

        try:
            make_private_folders(parent)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder {shown(parent)} for the store ({exc.strerror}); "
                "choose another place with --db or CPCTL_DB."
            ) from None
    if not path.exists():
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
        except FileExistsError:
            pass
        except OSError as exc:
            raise StoreError(
                f"cannot create the store {shown(path)} ({exc.strerror}); choose another place with --db or CPCTL_DB."
            ) from None
    elif not os.access(path, os.R_OK):
        raise StoreError(f"cannot read the store {shown(path)}: permission denied; check who owns the file.")


@contextmanager
def translate_errors(store: Store | None = None) -> Iterator[None]:
    """Turn database and file-system failures into one line a person can act on."""
    where = (
        shown(store.path)
        if store is not None and store.path is not None
        else (store.display_url if store is not None else "the store")
    )
    try:
        yield
    except CpctlError:
        raise
    except IntegrityError:
        raise StoreError(
            "the change conflicts with a record saved at the same moment (or breaks a rule of the store); "
            "nothing was saved. Check the details and try again."
        ) from None
    except (OperationalError, DatabaseError) as exc:
        original = exc.orig if exc.orig is not None else exc
        message = _database_message(str(original), where, _shown(original), _keyed(store), _encrypted(store))
        raise StoreError(message) from None
    except _sqlite_errors() as exc:
        raise StoreError(_database_message(str(exc), where, _shown(exc), _keyed(store), _encrypted(store))) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise StoreError("the disk is full: nothing was saved. Free some space and try again.") from None
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise StoreError(
                f"permission denied at {exc.filename or where}; choose another place or fix its permissions."
            ) from None
        raise


def _keyed(store: Store | None) -> bool:
    return store is not None and store.path is not None and store.key is not None


def _encrypted(store: Store | None) -> bool:
    return store is not None and store.path is not None and store.key is None and looks_encrypted(store.path)


def _shown(error: BaseException) -> str:
    """What may be shown of a database's error: SQLite's messages name tables and columns, never values; a
    server's can quote the values it refused (a name, a date of birth), so only its kind is shown."""
    if isinstance(error, _sqlite_errors()):
        return str(error).splitlines()[0][:160] if str(error) else type(error).__name__
    return type(error).__name__


def _database_message(detail: str, where: str, shown: str = "", keyed: bool = False, encrypted: bool = False) -> str:
    lowered = detail.lower()
    if "disk is full" in lowered or "no space" in lowered:
        return "the disk is full: nothing was saved. Free some space and try again."
    if keyed and "not a database" in lowered:
        return (
            f"cannot read the store {where} with the key in {KEY_VARIABLE}: the key is wrong, or the store is not "
            "encrypted (unset the variable to open it), or it is damaged."
        )
    if "not a database" in lowered and encrypted:
        return (
            f"{where} is not a readable cpctl store (not a SQLite database, damaged, or encrypted: then set "
            f"{KEY_VARIABLE} to its key); check the path."
        )
    if "not a database" in lowered or "malformed" in lowered:
        return f"{where} is not a readable cpctl store (not a SQLite database, or damaged); check the path."
    if "readonly" in lowered or "read-only" in lowered:
        return f"the store {where} is read-only for you: nothing was saved. Check its permissions."
    if "unable to open" in lowered:
        return f"cannot open the store {where}; check that its folder exists and that you may write to it."
    if "locked" in lowered or "busy" in lowered:
        return "the store is busy (another cpctl is writing): nothing was saved. Try again in a moment."
    if "row-level security" in lowered or "permission denied" in lowered or "insufficientprivilege" in shown.lower():
        return (
            "your login may not make this change in this store (it is outside what your role may see or change): "
            "nothing was saved. Ask the store's owner; `cpctl user list` shows who may do what."
        )
    if "could not connect" in lowered or "connection refused" in lowered or "connection to server" in lowered:
        return f"cannot connect to the database {where}; check --db or CPCTL_DATABASE_URL and that the server runs."
    return f"the database refused the change ({shown or 'no reason given'}): nothing was saved."
