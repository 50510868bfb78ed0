"""A cpctl killed half way (SIGKILL: no clean-up of any kind) leaves a store that opens, passes `cpctl db check`,
and holds each change whole or not at all.

A rehearsal runs a day's casework once and notes what the store holds after each command. Each trial then runs
the same casework on a fresh copy of the starting store and kills the process: either just before its N-th
database statement or commit (N chosen at random, so most kills land inside a transaction), or at a random moment
(which can land inside the database's own commit). The store afterwards must be exactly one of the rehearsed
states: all the commands that finished, and the one that was killed either whole or not at all. The trials are
seeded, so a failure can be replayed.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import workload
from backends import StoreRef
from helpers import Run, rows

TRIALS = {"sqlite": 40, "postgresql": 16}
RESTORE_TRIALS = {"sqlite": 12, "postgresql": 6}
EXPORT_TRIALS = {"sqlite": 12, "postgresql": 6}

pytestmark = pytest.mark.slow


@pytest.fixture
def clone(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[StoreRef], StoreRef]:
    """clone(store) -> a copy of the store to kill a process in (nobody may be writing to the original)."""
    numbers = iter(range(1_000_000))

    def make(original: StoreRef) -> StoreRef:
        if original.path is not None:
            target = tmp_path / f"trial-{next(numbers)}.db"
            with closing(sqlite3.connect(original.path)) as source, closing(sqlite3.connect(target)) as dest:
                source.backup(dest)
            target.chmod(0o600)
            return StoreRef(f"sqlite:///{target}")
        server = request.getfixturevalue("postgres")
        url = server.copy(original.url)
        request.addfinalizer(lambda: server.drop(url))
        return StoreRef(url)

    return make


def casework(folder: Path, refs: list[str]) -> list[list[str]]:
    """A day's work, one transaction per command; the conference for six siblings is the long import."""
    expected = (workload.TODAY + timedelta(days=60)).isoformat()
    moved = (workload.CONFERENCE_DAY - timedelta(days=1)).isoformat()
    return [
        ["child", "add", "Crash", "Baby", "--expected", expected, "--family", "Family0 household"],
        ["person", "add", "Crash Father", "--kind", "parent", "--child", refs[0], "--relationship", "father"],
        ["conference", "new", "--from", str(workload.conference_file(folder, "siblings", refs))],
        ["core-group", "record", "--from", str(workload.core_group_file(folder, "core-group", refs[0]))],
        workload.visit(refs[1], 12),
        workload.visit(refs[2], 13),
        ["conference", "move", "CF00001", moved],
        ["child", "edit", refs[3], "--language", "Welsh", "--interpreter"],
    ]


def run_worker(url: str, commands: list[list[str]], report: Path, data_dir: Path, **options: Any) -> int:
    context = workload.processes()
    worker = context.Process(
        target=workload.run_commands, args=(url, commands, str(report)), kwargs={"data_dir": str(data_dir), **options}
    )
    worker.start()
    worker.join(timeout=300)
    assert worker.exitcode is not None, "the worker did not finish"
    return worker.exitcode


def kill_after(url: str, commands: list[list[str]], report: Path, data_dir: Path, seconds: float) -> int:
    """Start the commands and kill them from outside after `seconds` (unless they finished first)."""
    context = workload.processes()
    worker = context.Process(
        target=workload.run_commands, args=(url, commands, str(report)), kwargs={"data_dir": str(data_dir)}
    )
    worker.start()
    worker.join(timeout=seconds)
    if worker.exitcode is None:
        os.kill(worker.pid or 0, signal.SIGKILL)
        worker.join(timeout=60)
    assert worker.exitcode is not None
    return worker.exitcode


def rehearse(store: StoreRef, commands: list[list[str]], report: Path, data_dir: Path) -> dict[str, Any]:
    context = workload.processes()
    worker = context.Process(target=workload.rehearse, args=(store.url, commands, str(report), str(data_dir)))
    worker.start()
    worker.join(timeout=300)
    assert worker.exitcode == 0
    *lines, summary = workload.read_report(report)
    assert [(line["code"], line["stderr"]) for line in lines] == [(0, "")] * len(commands), lines
    return {
        "states": [summary["before"], *[line["signature"] for line in lines]],
        "statements": summary["statements"],
        "seconds": sum(line["seconds"] for line in lines),
    }


def assert_checks(cli: Run, store: StoreRef) -> None:
    result = cli("--db", str(store), "db", "check")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout.endswith("No problems found.\n")


@pytest.fixture
def starting_store(make_store: Callable[..., StoreRef]) -> Iterator[tuple[StoreRef, list[str]]]:
    store = make_store("start.db")
    families = workload.prepare(store.url, 1, 6)
    yield store, families[0]


def test_killed_while_writing(
    cli: Run,
    backend: str,
    starting_store: tuple[StoreRef, list[str]],
    clone: Callable[[StoreRef], StoreRef],
    tmp_path: Path,
    data_dir: Path,
    figure: Callable[[str], None],
) -> None:
    start, refs = starting_store
    commands = casework(tmp_path, refs)
    rehearsal = rehearse(clone(start), commands, tmp_path / "rehearsal.jsonl", data_dir)
    states = rehearsal["states"]
    assert len(set(states)) == len(states)  # every command changes the store: each state can be told apart
    outcomes: list[tuple[int, bool]] = []
    for trial in range(TRIALS[backend]):
        chance = random.Random(f"{backend}-write-{trial}")
        store = clone(start)
        report = tmp_path / f"trial-{trial}.jsonl"
        if trial % 2 == 0:
            kill_at = chance.randint(1, rehearsal["statements"])
            code = run_worker(store.url, commands, report, data_dir, kill_at=kill_at)
            how = f"trial {trial}: killed before statement {kill_at} of {rehearsal['statements']}"
        else:
            seconds = chance.uniform(0, rehearsal["seconds"])
            code = kill_after(store.url, commands, report, data_dir, seconds)
            how = f"trial {trial}: killed after {seconds:.2f}s of {rehearsal['seconds']:.2f}s"
        finished = workload.read_report(report)
        assert code in (-signal.SIGKILL, 0), how
        assert [(line["code"], line["stderr"]) for line in finished] == [(0, "")] * len(finished), how
        done = len(finished)
        assert_checks(cli, store)
        found = workload.signature(store.url)
        # every finished command is there; the one killed is there whole or not at all
        allowed = states[done : done + 2]
        assert found in allowed, f"{how}: the store is in none of the states the casework passes through"
        outcomes.append((done, found == states[done]))
    killed = sum(1 for done, _ in outcomes if done < len(commands))
    left_out = sum(1 for done, clean in outcomes if done < len(commands) and clean)
    figure(
        f"{len(outcomes)} crash trials: {killed} killed before the casework ended ({left_out} without the "
        f"interrupted change, {killed - left_out} with it whole); every store passed `db check`"
    )


def test_killed_while_restoring(
    cli: Run,
    backend: str,
    starting_store: tuple[StoreRef, list[str]],
    clone: Callable[[StoreRef], StoreRef],
    tmp_path: Path,
    data_dir: Path,
    figure: Callable[[str], None],
) -> None:
    """A restore is one transaction: killed at any point, the store is the old one or the restored one."""
    start, refs = starting_store
    backup = tmp_path / "earlier.bak"
    assert cli("--db", str(start), "db", "backup", str(backup)).exit_code == 0
    later = clone(start)
    commands = casework(tmp_path, refs)
    assert run_worker(later.url, commands, tmp_path / "casework.jsonl", data_dir) == 0
    old = workload.signature(later.url, leave_out=("audit_entry",))
    restored = workload.signature(start.url, leave_out=("audit_entry",))
    old_entries = rows(later, "SELECT count(*) FROM audit_entry")[0][0]
    restored_entries = rows(start, "SELECT count(*) FROM audit_entry")[0][0] + 1  # and the restore's own
    restore = [["db", "restore", str(backup), "--force"]]
    rehearsal = rehearse(clone(later), restore, tmp_path / "restore-rehearsal.jsonl", data_dir)
    outcomes = []
    for trial in range(RESTORE_TRIALS[backend]):
        chance = random.Random(f"{backend}-restore-{trial}")
        store = clone(later)
        report = tmp_path / f"restore-{trial}.jsonl"
        if trial % 2 == 0:
            kill_at = chance.randint(1, rehearsal["statements"])
            code = run_worker(store.url, restore, report, data_dir, kill_at=kill_at)
            how = f"trial {trial}: killed before statement {kill_at} of {rehearsal['statements']}"
        else:
            seconds = chance.uniform(0, rehearsal["seconds"] * 1.2)
            code = kill_after(store.url, restore, report, data_dir, seconds)
            how = f"trial {trial}: killed after {seconds:.2f}s of {rehearsal['seconds']:.2f}s"
        assert code in (-signal.SIGKILL, 0), how
        assert_checks(cli, store)
        found = workload.signature(store.url, leave_out=("audit_entry",))
        entries = rows(store, "SELECT count(*) FROM audit_entry")[0][0]
        assert (found, entries) in ((old, old_entries), (restored, restored_entries)), how
        outcomes.append(found == old)
    kept = sum(outcomes)
    figure(
        f"{len(outcomes)} restores killed: {kept} left the old store as it was, {len(outcomes) - kept} had "
        "restored it whole; every store passed `db check`"
    )


def test_killed_while_exporting_every_plan(
    cli: Run,
    backend: str,
    starting_store: tuple[StoreRef, list[str]],
    clone: Callable[[StoreRef], StoreRef],
    tmp_path: Path,
    data_dir: Path,
    figure: Callable[[str], None],
) -> None:
    """`plan export --all`, the long export: killed at any point, the store passes `db check`, and, once the next
    cpctl has started, every copy in the folder is whole and in the audit trail, and nothing temporary is left. The
    copies are moved into place inside the transaction that records them; those a cpctl killed before its commit
    had moved are removed by the next cpctl to start. Killed at a statement or a move (not at a random moment,
    which could land after the commit and before the scratch note is cleared), every copy the trail records is
    there too."""
    import json

    start, refs = starting_store
    planned = clone(start)
    conference = workload.conference_file(tmp_path, "siblings", refs)
    assert (
        run_worker(planned.url, [["conference", "new", "--from", str(conference)]], tmp_path / "c.jsonl", data_dir) == 0
    )

    def export(folder: Path) -> list[list[str]]:
        return [["plan", "export", "--all", "--for", "professional", "--format", "html", "--out", str(folder)]]

    rehearsal = rehearse(clone(planned), export(tmp_path / "rehearsal"), tmp_path / "export.jsonl", data_dir)
    assert len(list((tmp_path / "rehearsal").glob("*.html"))) == len(refs)
    copies_left = withdrawn = 0
    for trial in range(EXPORT_TRIALS[backend]):
        chance = random.Random(f"{backend}-export-{trial}")
        store = clone(planned)
        folder = tmp_path / f"export-{trial}"
        report = tmp_path / f"export-{trial}.jsonl"
        if trial % 3 == 0:
            kill_at = chance.randint(1, rehearsal["statements"])
            code = run_worker(store.url, export(folder), report, data_dir, kill_at=kill_at)
            how = f"trial {trial}: killed before statement {kill_at} of {rehearsal['statements']}"
        elif trial % 3 == 1:
            file = chance.randint(1, len(refs))
            code = run_worker(store.url, export(folder), report, data_dir, kill_at_file=file)
            how = f"trial {trial}: killed as it moved copy {file} of {len(refs)} into place"
        else:
            seconds = chance.uniform(0, rehearsal["seconds"])
            code = kill_after(store.url, export(folder), report, data_dir, seconds)
            how = f"trial {trial}: killed after {seconds:.2f}s of {rehearsal['seconds']:.2f}s"
        assert code in (-signal.SIGKILL, 0), how
        before = set(folder.glob("*.html")) if folder.exists() else set()
        assert_checks(cli, store)  # the next cpctl to start
        recorded = {
            copy["child"]
            for (changes,) in rows(store, "SELECT changes FROM audit_entry WHERE action = 'plan.export'")
            for copy in json.loads(changes)["copies"]
        }
        written = sorted(folder.glob("*.html")) if folder.exists() else []
        for path in written:
            assert path.name.split("-plan")[0] in recorded, f"{how}: {path.name} left cpctl unrecorded"
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), f"{how}: {path.name} is cut short"
        if trial % 3 != 2:
            assert {path.name.split("-plan")[0] for path in written} == recorded, f"{how}: a recorded copy is missing"
        if folder.exists():
            assert sorted(p.name for p in folder.iterdir() if p.suffix != ".html") == [], f"{how}: temporary files left"
        copies_left += len(written)
        withdrawn += len(before) - len(written)
    figure(
        f"{EXPORT_TRIALS[backend]} exports of every plan killed part way ({copies_left} copies reached the folder "
        f"with their record; {withdrawn} moved into place before the kill, unrecorded, were removed by the next "
        "cpctl); every store passed `db check` and every copy written was in the audit trail"
    )
