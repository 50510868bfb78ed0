"""A cpctl stopped part way leaves no temporary copy of special category data behind, and no browser running.

Real `cpctl` processes are stopped while they print a PDF (Chromium running), restore a backup (its working copy
written) and back the store up (the `.NAME.partial` beside the target being written): by SIGTERM and SIGHUP,
which cpctl turns into an orderly end (exit 128 + the signal, one line), and by SIGKILL, which nothing can catch,
after which the next cpctl to start removes what the killed one noted. Each process gets a temporary folder of its
own ($TMPDIR), so that everything it left there can be counted.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from backends import StoreRef
from export_support import CHILD, TODAY, chromium_or_skip
from helpers import ok, rows, run_cli

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)
pytestmark = pytest.mark.slow

LIMIT = 120.0  # seconds: a bound on every wait, so that a hang fails the test instead of the run
STOPPED = {
    signal.SIGTERM: "Stopped by SIGTERM: nothing was saved.",
    signal.SIGHUP: "Stopped by SIGHUP: nothing was saved.",
}


class Run:
    """One test's cpctl processes: their own $TMPDIR, and the kills counted for the trust summary."""

    def __init__(self, tmp_path: Path, store: StoreRef) -> None:
        self.store = store
        self.temporary = tmp_path / "system-temp"
        self.temporary.mkdir()
        self.env = {**os.environ, "TMPDIR": str(self.temporary)}
        self.kills = 0
        self.browsers_left = 0
        self.files_left = 0

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "cpctl", "--db", str(self.store), *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def start_up(self) -> None:
        """One more cpctl, as the next person to use it would start it."""
        done = subprocess.run(
            [sys.executable, "-m", "cpctl", "--db", str(self.store), "child", "list"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=LIMIT,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    def stop_when(
        self, ready: Callable[[], bool], args: tuple[str, ...], signum: int, attempts: int = 3
    ) -> subprocess.CompletedProcess[str]:
        """Start cpctl, send it `signum` as soon as `ready()`, and wait for its end. A process that finished before
        it was ready is tried again (a bounded number of times): only a process stopped part way counts."""
        for _ in range(attempts):
            process = self.start(*args)
            deadline = time.monotonic() + LIMIT
            while not ready() and process.poll() is None:
                assert time.monotonic() < deadline, f"{args}: never got to the point of being stopped"
                time.sleep(0.001)
            if process.poll() is None:
                process.send_signal(signum)
                out, err = process.communicate(timeout=LIMIT)
                if process.returncode != 0:
                    self.kills += 1
                    return subprocess.CompletedProcess(process.args, process.returncode, out, err)
            else:
                process.communicate(timeout=LIMIT)
        pytest.fail(f"{args} finished every time before it could be stopped")

    def left_behind(self, *beside: Path) -> list[Path]:
        """Everything in the process's temporary folder but cpctl's own (empty) private folder, which stays, and
        any partial or journal file beside `beside`."""
        found = sorted(p for p in self.temporary.rglob("*") if p.name != f"cpctl-{os.getuid()}")
        for folder in beside:
            found += [p for p in folder.iterdir() if p.name.startswith(".") or p.name.endswith("-journal")]
        self.files_left += len([p for p in found if not p.is_dir()])
        return found

    def browsers_now(self) -> list[int]:
        """Chromium processes of this test's runs: their profile is in its temporary folder (zombies, which have
        ended and have no command line, are not counted)."""
        marker = str(self.temporary).encode()
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if marker in Path(f"/proc/{entry}/cmdline").read_bytes():
                        found.append(int(entry))
                except OSError:
                    continue
        return found

    def browsers(self) -> list[int]:
        """The browsers still there after a moment to end: one told to die with cpctl ends at once, while one left
        behind goes on printing into a folder that nothing will remove."""
        deadline = time.monotonic() + 10
        found = self.browsers_now()
        while found and time.monotonic() < deadline:
            time.sleep(0.1)
            found = self.browsers_now()
        self.browsers_left += len(found)
        return found

    def kill_browsers(self, found: list[int]) -> None:
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def run(fixed_plan: StoreRef, tmp_path: Path, figure: Callable[[str], None]) -> Iterator[Run]:
    made = Run(tmp_path, fixed_plan)
    yield made
    made.kill_browsers(made.browsers_now())  # a test that failed leaves nothing running either
    figure(f"kills: {made.kills}, temporary files left: {made.files_left}, browsers left: {made.browsers_left}")


def ended(result: subprocess.CompletedProcess[str], signum: int) -> None:
    """How a stopped cpctl ends: SIGKILL gives it no say; a caught signal gives one line and 128 + its number."""
    if signum == signal.SIGKILL:
        assert result.returncode == -signal.SIGKILL
    else:
        assert (result.returncode, result.stderr) == (128 + signum, STOPPED[signum] + "\n")


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_pdf_export_stopped_while_chromium_prints(run: Run, tmp_path: Path, signum: int) -> None:
    chromium_or_skip()
    target = tmp_path / "out" / "plan.pdf"
    target.parent.mkdir()
    args = ("plan", "export", CHILD, "--for", "parent", "--on", TODAY.isoformat(), "-o", str(target))
    result = run.stop_when(lambda: bool(run.browsers_now()), args, signum)
    ended(result, signum)
    if signum == signal.SIGKILL:
        run.start_up()
    browsers = run.browsers()
    run.kill_browsers(browsers)
    assert browsers == []
    assert run.left_behind(target.parent) == []
    assert not target.exists()
    assert rows(run.store, "SELECT count(*) FROM audit_entry WHERE action = 'plan.export'") == [(0,)]


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_restore_stopped_with_its_working_copy_written(run: Run, tmp_path: Path, signum: int) -> None:
    backup = tmp_path / "backups" / "store.bak"
    backup.parent.mkdir()
    ok(run_cli("--db", str(run.store), "db", "backup", str(backup)))
    working = lambda: any(p.name == "backup.db" for p in run.temporary.rglob("*"))  # noqa: E731
    result = run.stop_when(working, ("db", "restore", str(backup), "--force"), signum)
    ended(result, signum)
    if signum == signal.SIGKILL:
        run.start_up()
    assert run.left_behind() == []
    check = run_cli("--db", str(run.store), "db", "check")
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize(
    "signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], ids=["SIGKILL", "SIGTERM", "SIGHUP"]
)
def test_a_backup_stopped_while_it_writes_the_copy(run: Run, tmp_path: Path, signum: int) -> None:
    if run.store.path is not None:  # a store big enough that the copy takes a while (a server's is slow anyway)
        with closing(sqlite3.connect(run.store.path)) as conn:
            conn.execute("CREATE TABLE padding (bytes BLOB)")
            conn.executemany("INSERT INTO padding VALUES (randomblob(?))", [(1 << 20,)] * 96)
            conn.commit()
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "store.bak"
    partial = folder / ".store.bak.partial"
    result = run.stop_when(partial.exists, ("db", "backup", str(target)), signum)
    ended(result, signum)
    if signum == signal.SIGKILL:
        run.start_up()
    assert run.left_behind(folder) == []
    assert not target.exists()
