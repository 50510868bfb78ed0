"""Opening the store: SQLite by default, any SQLAlchemy URL (PostgreSQL for teams) by configuration.

Everything SQLite-specific lives here. Every write goes through `Store.write()`, one transaction that also holds
its audit records; opening an up-to-date store checks its schema revision without importing Alembic.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlmodel import Session

from cpctl.errors import CpctlError, StoreError
from cpctl.migrations import HEAD, REVISIONS
from cpctl.paths import sqlite_path

BUSY_TIMEOUT_MS = 30_000
AUDIT_LOCK_KEY = 0x637063746C  # "cpctl": PostgreSQL advisory lock that serialises the audit chain


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

    def __init__(self, url: str, *, auto_upgrade: bool = True, check_schema: bool = True) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self.backup_made: Path | None = None
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
        if self.path is None and self.url.startswith("sqlite"):
            engine = create_engine(self.url)
        elif self.path is not None:
            engine = create_engine(self.url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        else:
            return create_engine(self.url, pool_pre_ping=True)
        _configure_sqlite(engine)
        return engine

    # -- sessions ---------------------------------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Session]:
        with translate_errors(self), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: everything done in the block, with its audit records, is saved, or nothing is."""
        with translate_errors(self), Session(self._writer, expire_on_commit=False) as session:
            if self.backend == "postgresql":
                session.connection().exec_driver_sql(f"SELECT pg_advisory_xact_lock({AUDIT_LOCK_KEY})")
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

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
            how = "run `cpctl db upgrade`" + (
                " after backing the database up (pg_dump)" if self.path is None else " (it backs the store up first)"
            )
            raise StoreError(f"the store is at schema revision {state.revision} but this cpctl needs {HEAD}; {how}.")
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
        """Bring the schema to the head revision (backing a SQLite store up first). Returns the old revision."""
        state = self.schema_state()
        if state.current:
            return state.revision
        if not state.empty:
            self._refuse_unknown(state)
        if backup and self.path is not None and not state.empty:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = self.path.with_name(f"{self.path.name}.before-{state.revision}-{stamp}.bak")
            self.backup_to(target)
            self.backup_made = target
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", "cpctl:migrations")
        with translate_errors(self), self._writer.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        return state.revision

    # -- backup -----------------------------------------------------------------------------------------------
    def backup_to(self, target: Path, *, force: bool = False) -> Path:
        """A consistent copy of a SQLite store, taken with SQLite's online backup while others may write."""
        if self.path is None:
            raise StoreError("`cpctl db backup` copies SQLite stores; back a PostgreSQL store up with pg_dump.")
        target = target.expanduser().absolute()
        if target.exists() and not force:
            raise StoreError(f"{target} already exists; choose another path or add --force to replace it.")
        if target.resolve() == self.path.resolve():
            raise StoreError("the backup path is the store itself; choose another path.")
        if not target.parent.is_dir():
            raise StoreError(f"the folder {target.parent} does not exist; create it or choose another path.")
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        with translate_errors(self):
            fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            os.close(fd)
            source = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
            dest = sqlite3.connect(partial)
            try:
                source.backup(dest)
                dest.execute("PRAGMA journal_mode=DELETE")
                dest.commit()
            finally:
                dest.close()
                source.close()
            os.chmod(partial, 0o600)
            os.replace(partial, target)
        return target

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event decide how each transaction starts (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # A writer takes the write lock at the start, so that two writers queue on the busy timeout instead
        # of one failing with "database is locked" when it upgrades a read lock half way through.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("cpctl_write") else "BEGIN")


def _prepare_sqlite_file(path: Path) -> None:
    """Create the store's folder (0700, when cpctl makes it) and file (0600) before SQLite touches them."""
    if path.is_dir():
        raise StoreError(f"{path} is a folder; give the path of a store file, e.g. {path / 'cpctl.db'}.")
    parent = path.parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True, mode=0o700)
            os.chmod(parent, 0o700)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder {parent} for the store ({exc.strerror}); "
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
                f"cannot create the store {path} ({exc.strerror}); choose another place with --db or CPCTL_DB."
            ) from None
    elif not os.access(path, os.R_OK):
        raise StoreError(f"cannot read the store {path}: permission denied; check who owns the file.")


@contextmanager
def translate_errors(store: Store | None = None) -> Iterator[None]:
    """Turn database and file-system failures into one line a person can act on."""
    where = (
        str(store.path)
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
        raise StoreError(_database_message(str(exc.orig if exc.orig is not None else exc), where)) from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(_database_message(str(exc), where)) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise StoreError("the disk is full: nothing was saved. Free some space and try again.") from None
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise StoreError(
                f"permission denied at {exc.filename or where}; choose another place or fix its permissions."
            ) from None
        raise


def _database_message(detail: str, where: str) -> str:
    lowered = detail.lower()
    if "disk is full" in lowered or "no space" in lowered:
        return "the disk is full: nothing was saved. Free some space and try again."
    if "not a database" in lowered or "malformed" in lowered:
        return f"{where} is not a readable cpctl store (not a SQLite database, or damaged); check the path."
    if "readonly" in lowered or "read-only" in lowered:
        return f"the store {where} is read-only for you: nothing was saved. Check its permissions."
    if "unable to open" in lowered:
        return f"cannot open the store {where}; check that its folder exists and that you may write to it."
    if "locked" in lowered or "busy" in lowered:
        return "the store is busy (another cpctl is writing): nothing was saved. Try again in a moment."
    if "could not connect" in lowered or "connection refused" in lowered or "connection to server" in lowered:
        return f"cannot connect to the database {where}; check CPCTL_DATABASE_URL and that the server is running."
    return f"the database refused the change ({detail.splitlines()[0][:160]}): nothing was saved."
