"""Every copy of a plan that leaves cpctl is a disclosure of special category data: the audit trail says so."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from backends import StoreRef
from export_support import CHILD, TODAY
from helpers import Run, failed, ok, rows, run_cli

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)


def test_each_export_is_audited_with_who_which_copy_and_where(cli: Run, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    ok(cli("demo", "--db", str(db)))
    before = json.loads(ok(cli("--db", str(db), "audit", "log", "--json", "--limit", "1000")))
    result = cli("--db", str(db), "plan", "export", "DEMO-1001", "--for", "parent", "--format", "md")
    assert result.exit_code == 0, result.output
    assert "Jamie" in result.stdout
    target = tmp_path / "jamie.html"
    ok(cli("--db", str(db), "plan", "export", "DEMO-1001", "--for", "professional", "-o", str(target)))
    entries = json.loads(ok(cli("--db", str(db), "audit", "log", "--json", "--child", "DEMO-1001", "--limit", "2")))
    newest, older = entries
    assert newest["action"] == older["action"] == "plan.export"
    assert newest["summary"] == "professional copy of child DEMO-1001's plan, version 3, exported (html)"
    assert newest["changes"]["where"] == str(target)
    assert older["changes"]["where"] == "standard output"
    assert older["changes"]["audience"] == "parent"
    out_dir = tmp_path / "copies"
    ok(cli("--db", str(db), "plan", "export", "--all", "--for", "child", "--format", "md", "--out", str(out_dir)))
    after = json.loads(ok(cli("--db", str(db), "audit", "log", "--json", "--limit", "1000")))
    assert len(after) == len(before) + 3
    batch = after[0]
    assert batch["action"] == "plan.export"
    assert batch["summary"] == "child copy of child DEMO-1001's plan, version 3, exported (md)"  # one plan in force
    assert [c["child"] for c in batch["changes"]["copies"]] == ["DEMO-1001"]
    assert "Testwood" not in json.dumps(batch)  # ids only in the trail's own words


# -- a disclosure is recorded in the step that puts the copy in place --------------------------------------------
def export_one(store: StoreRef, target: Path | str) -> Result:
    return run_cli(
        "--db", str(store), "plan", "export", CHILD, "--for", "professional", "--format", "html", "--on",
        TODAY.isoformat(),
        "-o", str(target),
    )  # fmt: skip


def export_all(store: StoreRef, folder: Path | str) -> Result:
    return run_cli(
        "--db", str(store), "plan", "export", "--all", "--for", "professional", "--format", "html", "--on",
        TODAY.isoformat(), "--out", str(folder),
    )  # fmt: skip


def exports(store: StoreRef) -> list[dict[str, Any]]:
    return [
        json.loads(changes)
        for (changes,) in rows(store, "SELECT changes FROM audit_entry WHERE action = 'plan.export'")
    ]


def no_permission(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """The folder refuses new files as one the user may not write to does (EACCES, naming the temporary file:
    what made the probe's message name `.x.html.pn3wykmb.partial`). Simulated: the tests run as root, whom no
    folder's permissions stop; what this proves is what cpctl does with the refusal, not that the kernel refuses."""
    real = tempfile.mkstemp

    def refuse(*args: Any, **kwargs: Any) -> tuple[int, str]:
        where = Path(kwargs.get("dir") or ".")
        if where == folder:
            name = str(where / f"{kwargs.get('prefix', '')}pn3wykmb{kwargs.get('suffix', '')}")
            raise PermissionError(errno.EACCES, "Permission denied", name)
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)


def full_disk(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """The disk fills half way through writing a copy into the folder (ENOSPC from the write, simulated)."""
    real = os.fdopen

    def opened(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real(fd, *args, **kwargs)
        if Path(os.readlink(f"/proc/self/fd/{fd}")).parent != folder:
            return handle

        class Full:
            def __enter__(self) -> Full:
                return self

            def __exit__(self, *_: Any) -> None:
                handle.close()

            def write(self, data: bytes) -> int:
                handle.write(data[: len(data) // 2])
                handle.flush()
                raise OSError(errno.ENOSPC, "No space left on device")

            def __getattr__(self, name: str) -> Any:
                return getattr(handle, name)

        return Full()

    monkeypatch.setattr(os, "fdopen", opened)


def move_fails(monkeypatch: pytest.MonkeyPatch, folder: Path, at: int) -> None:
    """Moving the `at`-th copy into the folder fails (the folder made read-only meanwhile, simulated)."""
    real, seen = os.replace, [0]

    def replace(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        if Path(target).parent == folder:
            seen[0] += 1
            if seen[0] == at:
                raise PermissionError(errno.EACCES, "Permission denied", str(source))
        real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def commit_fails(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """The store refuses the commit after the copies are in place (another writer's lock, simulated)."""
    from sqlalchemy.exc import OperationalError
    from sqlmodel import Session

    real = Session.commit

    def commit(self: Session) -> None:
        if any(folder.iterdir()):
            raise OperationalError("COMMIT", {}, Exception("database is locked"))
        real(self)

    monkeypatch.setattr(Session, "commit", commit)


FAILURES = {
    "no permission": (
        no_permission,
        "cannot write {target}: permission denied; nothing was written. Choose another place.",
    ),
    "full disk": (
        full_disk,
        "cannot write {target}: the disk is full; nothing was written. Free some space and try again.",
    ),
    "moving into place fails": (
        move_fails,
        "cannot write {target}: permission denied; nothing was written. Choose another place.",
    ),
    "the commit fails": (
        commit_fails,
        "the store is busy (another cpctl is writing): nothing was saved. Try again in a moment. {removed}",
    ),
}


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("every", [False, True], ids=["one copy", "every plan"])
def test_a_copy_that_is_not_written_is_not_recorded(
    fixed_plan: StoreRef, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str, every: bool
) -> None:
    """No permission, a full disk, a move into place that fails, or a commit that fails once the copies are in
    place: one line that names the user's file (never the temporary one), no copy left in the folder, nothing
    temporary left beside it, and no `plan.export` entry."""
    folder = tmp_path / "copies"
    folder.mkdir()
    arrange, line = FAILURES[failure]
    first, second = (folder / f"DEMO-100{n}-plan1-v1-professional.html" for n in (1, 2))
    if every:
        # Moving the second copy fails: the first, in place already, goes again with the rolled-back record.
        target = second if failure == "moving into place fails" else first
        removed = "The 2 files written were removed again."
    else:
        target = first
        removed = f"The file written to {first} was removed again."
    if failure == "moving into place fails":
        move_fails(monkeypatch, folder, at=2 if every else 1)
    else:
        arrange(monkeypatch, folder)
    result = export_all(fixed_plan, folder) if every else export_one(fixed_plan, first)
    monkeypatch.undo()
    failed(result, "Error: " + line.format(target=target, removed=removed))
    assert ".partial" not in result.stderr
    assert list(folder.iterdir()) == []
    assert exports(fixed_plan) == []


def test_a_copy_written_is_recorded_by_its_absolute_path(
    fixed_plan: StoreRef, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert export_one(fixed_plan, "copy.html").exit_code == 0
    assert export_all(fixed_plan, "copies").exit_code == 0
    assert [entry["where"] for entry in exports(fixed_plan)] == [str(tmp_path / "copy.html"), str(tmp_path / "copies")]
