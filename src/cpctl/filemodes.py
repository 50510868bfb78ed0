"""Who else can read or change a SQLite store's files: the store, the files SQLite keeps beside it, its folder.

cpctl creates a store readable only by its owner (0600) in a folder it makes 0700. A store copied with `cp`, or
made by hand, gets whatever the umask gives (often 0644: anyone on the computer can read it), and SQLite gives
its write-ahead log and shared-memory file the store's own mode when it creates them. A folder others can write
to lets them replace or remove the store, or put a -wal file of their own beside it before SQLite makes one.

Group access counts unless the group is the owner's own (a "user private group", named after them with nobody
else in it, as Fedora and Debian make for each login): then nobody else is in it.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cpctl.errors import CpctlError
from cpctl.text import shown

SIDE_FILES = {
    "-wal": "the store's write-ahead log",
    "-shm": "the store's shared-memory file",
    "-journal": "the store's journal",
}
STORE = "the store"
FOLDER = "the store's folder"
FILE_BITS = 0o077  # group and others: read, write or execute
FOLDER_BITS = 0o022  # group and others: write (add, replace or remove files)
SECURE = "run `cpctl db secure` to make the store's files yours alone"


@dataclass(frozen=True)
class Exposure:
    """One file or folder of the store that others can reach: its mode, and whom it lets in."""

    path: Path
    mode: int
    what: str  # STORE, "the store's write-ahead log", ..., FOLDER
    who: str  # "anyone on this computer", or "the group staff"
    mine: bool  # whether the person running cpctl owns it (and so can change its mode)

    @property
    def folder(self) -> bool:
        return self.what == FOLDER

    @property
    def private_mode(self) -> int:
        """The mode `secure` gives it: the same for its owner, nothing more for anyone else."""
        return self.mode & ~(FOLDER_BITS if self.folder else FILE_BITS)

    def line(self) -> str:
        """One line: which file, who can do what to it, and the fix."""
        if self.folder:
            fix = SECURE if self.mine else "move the store to a folder of your own"
            return (
                f"{self.what} {shown(self.path)} can be changed by {self.who} (mode {self.mode:04o}), who could "
                f"replace the store or the files SQLite makes beside it: {fix}."
            )
        verbs = [word for bit, word in ((0o044, "read"), (0o022, "changed")) if self.mode & bit]
        can = " and ".join(verbs) or "opened"
        line = f"{self.what} {shown(self.path)} can be {can} by {self.who} (mode {self.mode:04o})"
        if self.what == STORE:
            line += ", and SQLite gives the files it makes beside it the same mode"
        return f"{line}: {SECURE}."


def exposed(store: Path) -> list[Exposure]:
    """Every file of a SQLite store (and its folder) that others can read or change; empty when all is private.

    A -wal or -shm file with the store's own mode says nothing the store's line does not (SQLite made it so, and
    it goes when the store is closed); one that differs is listed: another program holds it open."""
    found = _exposures(store)
    store_mode = next((e.mode for e in found if e.what == STORE), None)
    return [e for e in found if e.what not in SIDE_FILES.values() or e.mode != store_mode]


def warning(store: Path) -> str | None:
    """The line a command prints when it opens a store others can reach (None when it is private): one stat,
    cheap enough for every command."""
    exposure = _exposure(store, STORE, FILE_BITS)
    return exposure.line() if exposure is not None else None


def secure(store: Path) -> list[Exposure]:
    """Make the store's files readable and writable by their owner only (0600, or less), and take write access
    to its folder from others; returns what it changed. Someone else's file or folder is refused before any
    change is made."""
    found = _exposures(store)
    theirs = next((e for e in found if not e.mine), None)
    if theirs is not None:
        raise CpctlError(
            f"{theirs.what} {shown(theirs.path)} belongs to someone else, so cpctl cannot change who can reach it; "
            + ("move the store to a folder of your own." if theirs.folder else "ask its owner to.")
        )
    for exposure in found:
        try:
            os.chmod(exposure.path, exposure.private_mode)
        except OSError as exc:
            raise CpctlError(f"cannot change the mode of {shown(exposure.path)} ({exc.strerror}).") from None
    return found


def _exposures(store: Path) -> list[Exposure]:
    found = []
    for path, what in ((store, STORE), *((Path(f"{store}{end}"), what) for end, what in SIDE_FILES.items())):
        exposure = _exposure(path, what, FILE_BITS)
        if exposure is not None:
            found.append(exposure)
    folder = _exposure(store.parent, FOLDER, FOLDER_BITS)
    return found + ([folder] if folder is not None else [])


def _exposure(path: Path, what: str, bits: int) -> Exposure | None:
    try:
        info = os.stat(path)
    except OSError:  # not there (a -wal file exists only while the store is open), or not reachable
        return None
    mode = stat.S_IMODE(info.st_mode)
    if mode & bits & 0o007:
        who = "anyone on this computer"
    elif mode & bits & 0o070 and not _owners_own_group(info):
        who = f"the group {_group_name(info.st_gid)}"
    else:
        return None
    return Exposure(path, mode, what, who, mine=info.st_uid == os.geteuid())


def _owners_own_group(info: os.stat_result) -> bool:
    """Whether the file's group is its owner's private group: named after them, their primary group, no one
    else in it."""
    import grp
    import pwd

    try:
        group, owner = grp.getgrgid(info.st_gid), pwd.getpwuid(info.st_uid)
    except KeyError:
        return False
    return group.gr_name == owner.pw_name and owner.pw_gid == info.st_gid and set(group.gr_mem) <= {owner.pw_name}


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
