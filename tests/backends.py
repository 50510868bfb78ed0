"""The store backends the suite runs on: SQLite files, and databases on a real PostgreSQL server.

The PostgreSQL pass needs a server: $CPCTL_TEST_POSTGRESQL_URL names a role that may create databases (`.ci/run`
starts a throwaway cluster with scripts/postgres-for-tests). Each test gets a database of its own, copied from a
template migrated once per session, so that it starts as a fresh SQLite store does once cpctl has created it.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BACKENDS = ("sqlite", "postgresql")
SERVER_VARIABLE = "CPCTL_TEST_POSTGRESQL_URL"


@dataclass(frozen=True)
class StoreRef:
    """A store a test uses, on whichever backend the test runs on.

    `str(ref)` is what `--db` takes (the file's path, or the database's URL), so `cli("--db", str(ref), ...)`
    works on both backends; `path` is the SQLite file, or None on a server.
    """

    url: str

    @property
    def path(self) -> Path | None:
        from cpctl.paths import sqlite_path

        return sqlite_path(self.url)

    @property
    def backend(self) -> str:
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    @property
    def shown(self) -> str:
        """How cpctl names this store in what it prints: the file, or the URL with its password hidden."""
        from sqlalchemy.engine import make_url

        return str(self.path) if self.path is not None else make_url(self.url).render_as_string(hide_password=True)

    def __str__(self) -> str:
        return str(self.path) if self.path is not None else self.url

    def open(self, **options: Any) -> Any:
        """A cpctl Store on this database (the caller disposes of it)."""
        from cpctl.store.database import Store

        return Store(self.url, **options)


def server_url() -> str | None:
    return os.environ.get(SERVER_VARIABLE) or None


class PostgresServer:
    """Creates and drops the tests' databases on the server at $CPCTL_TEST_POSTGRESQL_URL."""

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self.admin_url = make_url(admin_url)
        self.engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.prefix = f"cpctl_test_{os.getpid()}"
        self._numbers = itertools.count(1)
        self.template = f"{self.prefix}_template"

    def url_of(self, name: str) -> str:
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql(sql)

    def start(self) -> None:
        """Make the template: an empty database that cpctl migrates to the head revision."""
        from cpctl.store.database import Store

        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._execute(f"CREATE DATABASE \"{self.template}\" TEMPLATE template0 ENCODING 'UTF8'")
        store = Store(self.url_of(self.template))
        store.dispose()
        # Copying a database needs it idle: nobody may connect to the template from now on.
        self._execute(f'ALTER DATABASE "{self.template}" ALLOW_CONNECTIONS false')

    def create(self, *, empty: bool = False) -> str:
        """A new database: a copy of the migrated template, or (empty) one that no cpctl has touched."""
        name = f"{self.prefix}_{next(self._numbers)}"
        source = "template0" if empty else self.template
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}" ENCODING \'UTF8\'')
        return self.url_of(name)

    def copy(self, url: str) -> str:
        """A new database holding what the database at `url` holds (nobody may be connected to it)."""
        from sqlalchemy.engine import make_url

        name = f"{self.prefix}_{next(self._numbers)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"')
        return self.url_of(name)

    def drop(self, url: str) -> None:
        """Drop a test's database, closing what the test left open; a throwaway cluster may keep a stray one."""
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import DBAPIError

        name = make_url(url).database
        try:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except DBAPIError:
            pass

    def stop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}"')
        self.engine.dispose()
