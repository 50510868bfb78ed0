"""The run's private scratch folder, for the temporary copies of special category data a command makes (the HTML a
PDF is printed from, the working copy of a backup being restored), and the notes that let a later run remove what
a killed one left behind.

Each run that needs one gets `<system temp>/cpctl-<uid>/<pid>-<random>/`: the parent is the user's own and private
(0700, checked), so no one else can read, replace or plant anything in it. The system temp folder rather than the
data folder, because the data folder is kept (and often backed up or synced), while these copies must not outlive
the command. The folder is removed when the run ends, on every exit Python sees: normal ends, errors, Ctrl-C,
SIGTERM and SIGHUP (`cpctl.interrupts` turns those into exceptions). A SIGKILL or a power cut cannot be caught:
then the next run that needs a scratch folder, or opens a store, sweeps away the folders of runs whose process
has gone (one listdir). Files a command writes outside the folder, beside their target (a backup's `.NAME.partial`,
an export's temporary copy), are noted in it, so that the sweep removes those too.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from cpctl.errors import StoreError

_run: dict[int, Path] = {}  # this process's scratch folder, by pid (a forked child makes its own)
_numbers = iter(range(1, 1 << 62))


def root() -> Path:
    """`cpctl-<uid>` in the system's temporary folder ($TMPDIR), read at call time."""
    import tempfile

    owner = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    return Path(tempfile.gettempdir()) / f"cpctl-{owner}"


def _private_root() -> Path:
    """The root, made 0700 if missing; refused when it is not a folder of this user's that only they can enter
    (someone else could have made it first, in a temporary folder everyone shares)."""
    base = root()
    try:
        base.mkdir(mode=0o700)
        os.chmod(base, 0o700)  # whatever the umask took away: cpctl must be able to write in it
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(
            f"cannot make cpctl's scratch folder {base} ({exc.strerror}); set TMPDIR to a folder you may write to."
        ) from None
    info = base.lstat()
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not stat.S_ISDIR(info.st_mode) or not mine or info.st_mode & 0o077:
        raise StoreError(
            f"cpctl's scratch folder {base} is not private to you (a link, someone else's, or open to others); "
            "remove it, or set TMPDIR to a private folder."
        )
    return base


def folder() -> Path:
    """This run's scratch folder (0700), made on first use after sweeping away those of runs that were killed."""
    import tempfile

    pid = os.getpid()
    if pid not in _run:
        base = _private_root()
        sweep()
        _run.clear()  # a forked child's copy of its parent's entry is not its own
        _run[pid] = Path(tempfile.mkdtemp(prefix=f"{pid}-", dir=base))
        if len(_registered) == 0:
            import atexit

            atexit.register(remove)
            _registered.append(True)
    return _run[pid]


_registered: list[bool] = []


def note(paths: Iterable[Path], *, same_as: Path | None = None) -> Path:
    """Note files this run writes outside its scratch folder, so that a later run removes them should this one be
    killed before it does. With `same_as`, a path is removed only while it is still that very file (the same
    inode): a temporary copy that was renamed into place over a user's file, say, never takes the user's file
    with it. Returns the note, for `forget()` once the files are final or gone."""
    record: dict[str, object] = {"paths": [str(path.absolute()) for path in paths]}
    if same_as is not None:
        info = same_as.lstat()
        record.update(dev=info.st_dev, ino=info.st_ino)
    here = folder()
    number = next(_numbers)
    written = here / f".note-{number}"
    written.write_text(json.dumps(record), encoding="utf-8")
    final = here / f"note-{number}.json"
    os.rename(written, final)  # a note is whole or absent (a new name: nothing is replaced)
    return final


def forget(note_file: Path) -> None:
    """The noted files are final (or removed already): a later sweep must leave them alone."""
    note_file.unlink(missing_ok=True)


def remove() -> None:
    """End of the run: remove what its notes still name, and its scratch folder."""
    here = _run.pop(os.getpid(), None)
    if here is not None:
        _clear(here)


def sweep() -> int:
    """Remove the scratch folders (and the files they note) of runs whose process has gone. Returns how many."""
    base = root()
    try:
        names = os.listdir(base)
    except OSError:
        return 0
    mine = _run.get(os.getpid())
    removed = 0
    for name in names:
        try:
            pid = int(name.split("-", 1)[0])
        except ValueError:
            continue
        if (mine is not None and name == mine.name) or _alive(pid):
            continue
        _clear(base / name)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    """Whether a process runs with this pid (a reused pid keeps a stale folder a while longer: the safe side)."""
    if os.name != "posix":
        return True  # Windows' os.kill ends the process it is given: never ask it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            return file.read().rsplit(b")", 1)[-1].split()[0] != b"Z"  # a zombie has ended
    except (OSError, IndexError):
        return True


def _clear(here: Path) -> None:
    import shutil

    for note_file in here.glob("note-*.json"):
        try:
            record = json.loads(note_file.read_text(encoding="utf-8"))
            paths = [Path(p) for p in record["paths"]]
            identity = (record["dev"], record["ino"]) if "ino" in record else None
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for path in paths:
            try:
                info = path.lstat()
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            if identity is not None and (info.st_dev, info.st_ino) != tuple(identity):
                continue
            try:
                path.unlink()
            except OSError:
                pass
    shutil.rmtree(here, ignore_errors=True)
