"""Several people recording at the same moment: separate processes write into one store and nothing is lost.

Each worker is a real process with its own connections, started together; each records a conference for its own
family, core groups, visits, and adds people and children (whose references come from one shared counter). Every
command must succeed with nothing on stderr ("database is locked" would fail it), and every row must be there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

import workload
from backends import StoreRef
from helpers import Run, ok, rows

WORKERS = 4
CHILDREN = 2
VISITS = 5  # per child


def commands_for(family: int, refs: list[str], folder: Path) -> list[list[str]]:
    conference = workload.conference_file(folder, f"conference-{family}", refs)
    out = [["conference", "new", "--from", str(conference)]]
    for index, child in enumerate(refs):
        out.append(
            ["core-group", "record", "--from", str(workload.core_group_file(folder, f"cg-{family}-{index}", child))]
        )
    for day in range(VISITS):
        for child in refs:
            out.append(workload.visit(child, 12 + 7 * day))
    for index in range(3):
        out.append(["person", "add", f"Contended Person {family}-{index}", "--kind", "professional"])
    for index in range(2):
        dob = (workload.TODAY - timedelta(days=2000 + index)).isoformat()
        out.append(["child", "add", f"New{index}", f"Family{family}", "--dob", dob])
    return out


def counts(store: StoreRef) -> dict[str, int]:
    tables = (
        "conference",
        "decision",
        "plan",
        "plan_version",
        "core_group_meeting",
        "visit",
        "case_event",
        "person",
        "child",
        "audit_entry",
    )
    return {table: rows(store, f'SELECT count(*) FROM "{table}"')[0][0] for table in tables}


@pytest.mark.slow
def test_writers_in_several_processes_lose_nothing(
    cli: Run, make_store: Callable[..., StoreRef], tmp_path: Path, data_dir: Path, figure: Callable[[str], None]
) -> None:
    store = make_store("shared.db")
    families = workload.prepare(store.url, WORKERS, CHILDREN)
    before = counts(store)
    actions_before = Counter(action for (action,) in rows(store, "SELECT action FROM audit_entry"))
    context = workload.processes()
    start = context.Event()
    plans = {family: commands_for(family, refs, tmp_path) for family, refs in families.items()}
    reports = {family: str(tmp_path / f"worker-{family}.jsonl") for family in families}
    workers = [
        context.Process(
            target=workload.run_commands,
            args=(store.url, plans[family], reports[family]),
            kwargs={"data_dir": str(data_dir), "user": f"worker.{family}", "start": start},
        )
        for family in families
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=300)
    assert [worker.exitcode for worker in workers] == [0] * WORKERS

    results = [line for family in families for line in workload.read_report(reports[family])]
    assert len(results) == sum(len(commands) for commands in plans.values())
    failures = [(line["args"][:2], line["code"], line["stderr"]) for line in results if line["code"] or line["stderr"]]
    assert failures == []

    after = counts(store)
    written = {table: after[table] - before[table] for table in after}
    visits = WORKERS * CHILDREN * VISITS
    assert written == {
        "conference": WORKERS,
        "decision": WORKERS * CHILDREN,
        "plan": WORKERS * CHILDREN,
        "plan_version": WORKERS * CHILDREN * 2,  # the conference's plan, and the core group's revision
        "core_group_meeting": WORKERS * CHILDREN,
        "visit": visits,
        # per child: the plan's start and its conference, a core group and its plan sent out, and each visit
        "case_event": WORKERS * CHILDREN * 4 + visits,
        "person": WORKERS * 3,
        "child": WORKERS * 2,
        "audit_entry": WORKERS * (1 + CHILDREN * 3 + CHILDREN * VISITS + 3 + 2),
    }
    actions = Counter(action for (action,) in rows(store, "SELECT action FROM audit_entry")) - actions_before
    assert actions == {
        "conference.add": WORKERS,
        "decision.add": WORKERS * CHILDREN,
        "core-group.add": WORKERS * CHILDREN,
        "plan.revise": WORKERS * CHILDREN,
        "visit.add": visits,
        "person.add": WORKERS * 3,
        "child.add": WORKERS * 2,
    }
    # the people and children added at the same moment each got a reference of their own
    refs = [ref for (ref,) in rows(store, "SELECT ref FROM person")] + [
        ref for (ref,) in rows(store, "SELECT ref FROM child")
    ]
    assert len(refs) == len(set(refs))
    assert ok(cli("--db", str(store), "db", "check")).endswith("No problems found.\n")
    figure(
        f"{WORKERS} processes ran {len(results)} commands at once and wrote {sum(written.values())} rows; "
        "every row is there"
    )


VISIT_WORKERS = 3
VISITS_EACH = 14
RESTORE_WORKERS = 2
RESTORES_EACH = 4


def visit_notes(path: Path | None, store: StoreRef | None = None) -> set[str]:
    """The probe notes of every visit a store holds (a safety copy is opened read-only)."""
    import json
    import sqlite3
    from contextlib import closing

    if path is not None:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            found = conn.execute("SELECT notes FROM visit").fetchall()
    else:
        assert store is not None
        found = rows(store, "SELECT notes FROM visit")
    return {item["text"] for (notes,) in found for item in json.loads(notes) if item["text"].startswith("probe ")}


@pytest.mark.slow
def test_visits_recorded_while_restoring_are_never_lost(
    cli: Run, make_store: Callable[..., StoreRef], tmp_path: Path, data_dir: Path, figure: Callable[[str], None]
) -> None:
    """Visits recorded while `db restore --force` runs: each one that printed "Recorded" is in the store at the end
    (it came after the last restore that replaced it) or in the safety copy of the restore that replaced it. A
    restore checks and copies the store inside its own write transaction, so no visit can slip in between."""
    store = make_store("shared.db")
    families = workload.prepare(store.url, 1, VISIT_WORKERS)
    backup = tmp_path / "before.bak"
    ok(cli("--db", str(store), "db", "backup", str(backup)))
    context = workload.processes()
    start = context.Event()
    plans: dict[str, list[list[str]]] = {}
    for worker, child in enumerate(families[0]):
        plans[f"visits-{worker}"] = [
            [*workload.visit(child, 12), "--note", f"probe {worker}-{index}"] for index in range(VISITS_EACH)
        ]
    for worker in range(RESTORE_WORKERS):
        plans[f"restores-{worker}"] = [["db", "restore", str(backup), "--force"]] * RESTORES_EACH
    reports = {name: str(tmp_path / f"{name}.jsonl") for name in plans}
    workers = [
        context.Process(
            target=workload.run_commands,
            args=(store.url, commands, reports[name]),
            kwargs={"data_dir": str(data_dir), "user": f"worker.{name}", "start": start},
        )
        for name, commands in plans.items()
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=600)
    assert [worker.exitcode for worker in workers] == [0] * len(workers)

    results = {name: workload.read_report(reports[name]) for name in plans}
    failures = [(line["args"][:2], line["code"], line["stderr"]) for lines in results.values() for line in lines]
    assert [failure for failure in failures if failure[1] or failure[2]] == []
    recorded = {
        line["args"][-1]
        for name, lines in results.items()
        if name.startswith("visits-")
        for line in lines
        if line["stdout"].startswith("Recorded")
    }
    assert len(recorded) == VISIT_WORKERS * VISITS_EACH
    restores = sum(len(lines) for name, lines in results.items() if name.startswith("restores-"))
    copies = sorted(tmp_path.rglob("*.before-restore-*.bak"))
    assert len(copies) == restores == RESTORE_WORKERS * RESTORES_EACH
    found = visit_notes(None, store)
    for copy in copies:
        found |= visit_notes(copy)
    assert sorted(recorded - found) == []
    assert ok(cli("--db", str(store), "db", "check")).endswith("No problems found.\n")
    figure(
        f"{restores} restores ran alongside {len(recorded)} visits recorded; {len(recorded & found)} found "
        f"afterwards (in the store or a safety copy); lost: {len(recorded - found)}"
    )
