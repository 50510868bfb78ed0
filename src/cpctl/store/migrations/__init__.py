"""Alembic migrations, packaged inside cpctl: the only thing that creates or changes tables.

REVISIONS lists every revision in order, so that opening an up-to-date store can check its revision with one
query and without importing Alembic. A test keeps this list equal to Alembic's own history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005")
HEAD = REVISIONS[-1]


def upgrade(conn: Connection, revision: str) -> None:
    """Run cpctl's Alembic migrations on an open connection, up to `revision`."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "cpctl.store:migrations")
    config.attributes["connection"] = conn
    command.upgrade(config, revision)
