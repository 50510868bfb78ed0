"""Where cpctl keeps things, resolved at call time so that tests and users can redirect it by environment."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DB_FILENAME = "cpctl.db"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def expand(path: Path | str) -> Path:
    """A path as typed, with a leading ~ or ~user made the home folder; a ~user that names no user on this
    machine (~0, a typo) is one line, not Python's RuntimeError."""
    from cpctl.errors import Invalid
    from cpctl.text import shown

    try:
        return Path(path).expanduser()
    except RuntimeError:
        raise Invalid(
            f"{shown(path)} starts with a home folder that cannot be found; write the path out in full."
        ) from None


def data_dir() -> Path:
    """The user's cpctl data directory: $CPCTL_DATA_DIR, or the platform's user data directory."""
    override = os.environ.get("CPCTL_DATA_DIR")
    if override:
        return expand(override)
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
    return f"sqlite:///{expand(path).absolute()}"


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


STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")  # a SQLite store and the files SQLite keeps beside it
SQLITE_HEADER = b"SQLite format 3\x00"


def store_files(store: Path) -> list[Path]:
    """A SQLite store's file and its -wal, -shm and -journal (whether they exist at the moment or not)."""
    return [store.with_name(store.name + suffix) for suffix in STORE_SUFFIXES]


def is_store_file(target: Path, store: Path | None) -> bool:
    """Whether `target` is the store or one of SQLite's files beside it: by resolved path (a relative path, a
    linked folder), and, for a file that exists, by identity (a hard link)."""
    if store is None:
        return False
    resolved = target.resolve()
    for candidate in store_files(store):
        if resolved == candidate.resolve():
            return True
        try:
            if os.path.samefile(target, candidate):
                return True
        except OSError:
            pass
    return False


def _looks_written_by_cpctl(head: bytes) -> bool:
    """Whether a file's first bytes could be something cpctl writes for a user: text (UTF-8, no NUL) or a PDF.
    Anything else is refused even with --force: a store or backup encrypted with SQLCipher cannot be told by
    its name or its header (it is random bytes), but it is never text."""
    import codecs

    if head.startswith(b"%PDF-"):
        return True
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def check_output(target: Path, *, force: bool = False, store: Path | None = None) -> None:
    """Refuse, in one line, a place a file the user asked for must not go: a missing folder, a folder, anything
    that is not an ordinary file (a link, a device such as /dev/null, a pipe), the store itself or its -wal,
    -shm or -journal (`store`), a SQLite database (a store or a backup) or any other file cpctl could not have
    written, none of which --force replaces; and, without `force`, any file that exists."""
    import stat

    from cpctl.errors import Invalid
    from cpctl.text import shown

    if not target.parent.is_dir():
        raise Invalid(f"the folder {shown(target.parent)} does not exist; create it or choose another file.")
    if target.is_dir():
        raise Invalid(f"{shown(target)} is a folder; give a file name.")
    if is_store_file(target, store):
        raise Invalid(
            f"{shown(target)} is the store (or one of SQLite's files beside it); cpctl never writes over it: "
            "choose another file."
        )
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise Invalid(f"{shown(target)} is not an ordinary file (a link, a device or a pipe); give another file name.")
    try:
        with open(target, "rb") as file:
            head = file.read(4096)
    except OSError:
        head = b""  # unreadable: it may not be replaced without --force, and writing will say why it failed
    if head.startswith(SQLITE_HEADER):
        raise Invalid(
            f"{shown(target)} is a SQLite database (a cpctl store or backup); cpctl never writes over one, even "
            "with --force: choose another file."
        )
    if not _looks_written_by_cpctl(head):
        raise Invalid(
            f"{shown(target)} holds binary data that cpctl did not write (it may be an encrypted store or backup); "
            "cpctl never writes over it, even with --force: choose another file."
        )
    if not force:
        raise Invalid(f"{shown(target)} already exists; add --force to replace it, or choose another file.")


class OutputFiles:
    """Files a user asked for (a copy of a plan, a calendar), written so that a failure leaves none of them.

    `add()` writes each file in full under a temporary name beside its target (0600, flushed to the disk) and
    notes it in the run's scratch folder; `place()` then moves them all into place, typically inside the store
    transaction that records them (`documents.disclose`), so that the record and the files are one step; `keep()`
    says that step is done. Leaving the `with` block without `keep()` removes the temporary files and any file
    already moved into place. Every error names the user's path, never the temporary one.
    """

    def __init__(self, *, force: bool = False, store: Path | None = None) -> None:
        self.force = force
        self.store = store
        self.staged: list[tuple[Path, Path, Path]] = []  # (target, temporary file, its note)
        self.placed: list[Path] = []
        self.kept = False

    def __enter__(self) -> OutputFiles:
        return self

    def add(self, target: Path, data: bytes) -> None:
        import tempfile

        from cpctl import scratch

        check_output(target, force=self.force, store=self.store)
        with _naming(target):
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
            temporary = Path(name)
            try:
                noted = scratch.note([temporary, target], same_as=temporary)
            except BaseException:
                os.close(fd)
                temporary.unlink(missing_ok=True)
                raise
            self.staged.append((target, temporary, noted))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o600)

    def place(self) -> None:
        """Move every file into place (each checked again: the place may have changed since)."""
        for target, temporary, _ in self.staged:
            check_output(target, force=self.force, store=self.store)
            with _naming(target):
                os.replace(temporary, target)
            self.placed.append(target)

    def keep(self) -> None:
        """The files are final: nothing removes them now, not even a later sweep of the scratch folder."""
        from cpctl import scratch

        self.kept = True
        for _, _, noted in self.staged:
            scratch.forget(noted)

    def __exit__(self, kind: object, error: BaseException | None, _tb: object) -> None:
        """Not kept: remove the temporary files, and those moved into place already (their record was not
        saved), and say so when an error of cpctl's own is on its way out."""
        from cpctl import scratch
        from cpctl.errors import CpctlError, OutputError

        if self.kept:
            return
        left = []
        for target, temporary, noted in self.staged:
            gone = target if target in self.placed else temporary
            try:
                gone.unlink(missing_ok=True)
            except OSError:
                left.append(gone)
                continue
            scratch.forget(noted)
        if not isinstance(error, CpctlError):
            return  # an internal problem or a signal: its own line says that nothing was saved
        message = error.message
        if self.placed and not isinstance(error, OutputError):
            message += (
                f" The file written to {shown_path(self.placed[0])} was removed again."
                if len(self.placed) == 1
                else f" The {len(self.placed)} files written were removed again."
            )
        if left:
            message += f" Delete {', '.join(shown_path(p) for p in left)} yourself: cpctl could not remove it."
        if message != error.message:
            raise type(error)(message) from None


def shown_path(path: Path) -> str:
    from cpctl.text import shown

    return shown(path)


@contextmanager
def _naming(target: Path) -> Iterator[None]:
    """A file-system failure while writing `target`, as one line that names it (not its temporary file)."""
    import errno

    from cpctl.errors import OutputError

    try:
        yield
    except OSError as exc:
        where = shown_path(target)
        if exc.errno == errno.ENOSPC:
            message = f"cannot write {where}: the disk is full; nothing was written. Free some space and try again."
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            message = f"cannot write {where}: permission denied; nothing was written. Choose another place."
        else:
            message = f"cannot write {where} ({exc.strerror or type(exc).__name__}); nothing was written."
        raise OutputError(message) from None


def write_private(target: Path, data: bytes, *, force: bool = False, store: Path | None = None) -> None:
    """Write a file the user asked for (a calendar, a CSV) atomically and readable by its owner only, after
    `check_output`."""
    from cpctl import interrupts

    with OutputFiles(force=force, store=store) as files:
        files.add(target, data)
        with interrupts.held():
            files.place()
            files.keep()
