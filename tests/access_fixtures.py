"""The fixture of test_access.py, loaded with `pytest_plugins = ["access_fixtures"]`: a team's store on PostgreSQL
with two teams, a child restricted to one login, and a login for every role (see access_support.py)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from access_support import LOGINS, Team, build
from backends import PostgresServer


@pytest.fixture(scope="module")
def team(postgres: PostgresServer) -> Iterator[Team]:
    """The team store of this module, with a login for each role (see LOGINS)."""
    url = postgres.create()
    database = make_url(url).database
    logins = {key: f"{database}_{key}" for key in LOGINS}
    passwords = {key: secrets.token_hex(12) for key in LOGINS}
    made = None
    try:
        made = build(url, logins, passwords)
        yield made
    finally:
        if made is not None:
            made.dispose()
        postgres.drop(url)
        with postgres.engine.connect() as conn:
            for login in logins.values():
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{login}"')
