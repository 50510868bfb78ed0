"""Alembic environment: cpctl hands in an open connection; there is no alembic.ini."""

from alembic import context
from sqlmodel import SQLModel

import cpctl.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
