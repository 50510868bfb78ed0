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


def make_private_folders(folder: Path) -> None:
    """Create the folder and any missing parents, each readable by its owner only (0700 whatever the umask);
    folders that exist already are left as they are."""
    missing = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        candidate.mkdir(mode=0o700)
        os.chmod(candidate, 0o700)


def cache_dir(*parts: str) -> Path | None:
    """A folder under the data folder's cache/, created 0700 if missing; None if it cannot be made, or if it is
    not this user's own or others can write to it (what is cached there may be run, e.g. compiled templates)."""
    import stat

    folder = data_dir() / "cache"
    folder = folder.joinpath(*parts)
    try:
        make_private_folders(folder)
        for level in (data_dir() / "cache", folder):
            info = level.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022:
                return None
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                return None
    except OSError:
        return None
    return folder


def replace_privately(target: Path, data: bytes, *, suffix: str = ".tmp") -> None:
    """Replace `target` atomically with `data`, readable by its owner only (0600): a temporary file in the same
    folder, flushed to the disk, then os.replace. On any failure (a full disk, Ctrl-C) the temporary file is
    removed and `target` is as it was."""
    import tempfile

    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_output(target: Path) -> None:
    """Refuse, in one line, a place a file cannot be written to: a missing folder, a folder, or anything that is
    not an ordinary file (a link, a device such as /dev/null, a pipe), which writing would replace."""
    import stat

    from cpctl.errors import Invalid

    if not target.parent.is_dir():
        raise Invalid(f"the folder {target.parent} does not exist; create it or choose another file.")
    if target.is_dir():
        raise Invalid(f"{target} is a folder; give a file name.")
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise Invalid(f"{target} is not an ordinary file (a link, a device or a pipe); give another file name.")


def write_private(target: Path, data: bytes) -> None:
    """Write a file the user asked for (an export, a calendar) atomically and readable by its owner only, after
    `check_output`."""
    check_output(target)
    replace_privately(target, data, suffix=".partial")
