"""Alembic migrations, packaged inside cpctl: the only thing that creates or changes tables.

REVISIONS lists every revision in order, so that opening an up-to-date store can check its revision with one
query and without importing Alembic. A test keeps this list equal to Alembic's own history.
"""

REVISIONS: tuple[str, ...] = ("0001", "0002")
HEAD = REVISIONS[-1]
