"""Where cpctl keeps things, resolved at call time so that tests and users can redirect it by environment."""

from __future__ import annotations

import os
import re
from pathlib import Path

DB_FILENAME = "cpctl.db"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def data_dir() -> Path:
    """The user's cpctl data directory: $CPCTL_DATA_DIR, or the platform's user data directory."""
    override = os.environ.get("CPCTL_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("cpctl", appauthor=False))


def database_url(cli_db: str | None = None) -> str:
    """The store to open: --db PATH (or URL), then $CPCTL_DATABASE_URL, then $CPCTL_DB, then the data directory."""
    if cli_db:
        return cli_db if is_url(cli_db) else sqlite_url(Path(cli_db))
    url = os.environ.get("CPCTL_DATABASE_URL")
    if url:
        return url
    env_path = os.environ.get("CPCTL_DB")
    if env_path:
        return sqlite_url(Path(env_path))
    return sqlite_url(data_dir() / DB_FILENAME)


def is_url(text: str) -> bool:
    """Whether --db was given a database URL (postgresql+psycopg://...) rather than a file's path."""
    return bool(_URL.match(text))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.expanduser().absolute()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for any other database (or an in-memory one)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix) :].split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)
