"""Synthetic casework for the tests that run cpctl in several processes at once, or kill it half way.

`prepare()` sets a store up with professionals and families (everyone invented); the `*_file()` functions write
the YAML that `conference new --from` and `core-group record --from` read; `run_commands()` is the body of a
worker process: it runs cpctl commands one after another in that process, as a person at a terminal would, and
reports each exit code and error line. Dates are counted back from today, so the store accepts them.
"""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

TODAY = date.today()
CONFERENCE_DAY = TODAY - timedelta(days=60)
AUTHORITY = "Workshire County Council (synthetic)"
CHAIR, LEAD, HEALTH, SCHOOL = "P00001", "P00002", "P00003", "P00004"


def prepare(url: str, families: int, children: int) -> dict[int, list[str]]:
    """A set-up store with three professionals and `families` families of `children` each: {family: [refs]}."""
    from cpctl.casework import people, users
    from cpctl.store.database import Store

    store = Store(url)
    made: dict[int, list[str]] = {}
    try:
        with store.write() as session:
            users.initialise(session, authority=AUTHORITY, jurisdiction="england", name="Robin Chairwell", role="chair")
            for name, role, agency in (
                ("Lee Casewright", "Lead social worker", "Workshire Children's Services"),
                ("Pat Wellbeing", "Health visitor", "Workshire Community Health"),
                ("Sol Teachwell", "Class teacher", "Workshire Primary (synthetic)"),
            ):
                people.add_person(session, name=name, kind="professional", role=role, agency=agency)
            for family in range(families):
                added = [
                    people.add_child(
                        session,
                        given_name=f"Kid{index}",
                        family_name=f"Family{family}",
                        ref=f"W{family:02d}-{index}",
                        date_of_birth=TODAY - timedelta(days=900 + 365 * index),
                        family=f"Family{family} household",
                    )
                    for index in range(children)
                ]
                people.add_person(
                    session, name=f"Parent Family{family}", kind="parent", child=added[0], relationship="mother"
                )
                made[family] = [child.ref for child in added]
    finally:
        store.dispose()
    return made


def plan(child: str) -> dict[str, Any]:
    """A complete outline plan (no gaps), so that nothing is saved as a draft."""
    start = (CONFERENCE_DAY + timedelta(days=3)).isoformat()
    by = (CONFERENCE_DAY + timedelta(days=90)).isoformat()
    return {
        "worries": [f"{child} may go hungry if the home stays as it is."],
        "working_well": ["The family wants help."],
        "immediate_actions": ["Food from the food bank this week."],
        "objectives": {
            "child_development": ["Health checks are up to date."],
            "parenting_capacity": ["A daily routine of meals and bedtimes."],
            "family_environment": ["The home is warm, with food in the cupboards."],
        },
        "actions": [
            {
                "what": "Parenting course",
                "why": "Routines for meals and bedtimes.",
                "who": LEAD,
                "start": start,
                "frequency": "weekly",
                "length": "10 weeks",
                "outcome": "A routine the school can see working.",
                "by": by,
                "measure": "Arrives fed and on time 9 days in 10.",
            }
        ],
        "child_seen": [{"who": LEAD, "how_often": "every 10 working days", "where": "at home"}],
        "contingency": ["A review conference is brought forward."],
        "must_change": ["Meals every day for three months."],
        "core_group": [LEAD, HEALTH, SCHOOL],
    }


def conference_file(folder: Path, name: str, children: list[str], *, day: date = CONFERENCE_DAY) -> Path:
    """An initial conference deciding that each of `children` needs a plan."""
    data = {
        "kind": "initial",
        "date": day.isoformat(),
        "time": "10:00",
        "chair": CHAIR,
        "attendance": [
            {"person": LEAD, "status": "attended"},
            {"person": HEALTH, "status": "attended"},
            {"person": SCHOOL, "status": "report"},
        ],
        "decisions": [
            {
                "child": child,
                "outcome": "plan-starts",
                "categories": ["NEG"],
                "lead_worker": LEAD,
                "evidence": [f"{child} has come to school hungry since September."],
                "child_views": ["Likes school."],
                "parent_views": ["Wants help with money."],
                "plan": plan(child),
            }
            for child in children
        ],
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def core_group_file(folder: Path, name: str, child: str, *, day: date | None = None) -> Path:
    """The first core group for a child's plan: progress, views, one new action."""
    day = day or CONFERENCE_DAY + timedelta(days=10)
    data = {
        "child": child,
        "date": day.isoformat(),
        "attendance": [{"person": LEAD, "status": "attended"}, {"person": HEALTH, "status": "attended"}],
        "progress": [{"action": "A1", "status": "on-track"}],
        "parent_views": ["Bedtimes are better."],
        "child_views": ["Breakfast club is good."],
        "new_actions": [
            {
                "what": "Breakfast club place",
                "why": "A fed start to each day.",
                "who": SCHOOL,
                "start": (day + timedelta(days=3)).isoformat(),
                "frequency": "every school day",
                "length": "until the review",
                "outcome": "Breakfast every school day.",
                "by": (day + timedelta(days=80)).isoformat(),
                "measure": "The club's register.",
            }
        ],
        "next_meeting": (day + timedelta(days=28)).isoformat(),
        "sent_on": (day + timedelta(days=2)).isoformat(),
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def visit(child: str, days_after: int) -> list[str]:
    on = (CONFERENCE_DAY + timedelta(days=days_after)).isoformat()
    return [
        "visit", "record", child, "--on", on, "--visitor", LEAD,
        "--announced", "--alone", "--bedroom", "--note", "Seen at home.",
    ]  # fmt: skip


# -- what a store holds --------------------------------------------------------------------------------------------
VOLATILE = {  # when a change was made: differs between two runs of the same commands
    "audit_entry": {"at", "prev_hash", "hash"},
    "conference": {"recorded_at"},
    "core_group_meeting": {"recorded_at"},
    "visit": {"recorded_at"},
    "plan_version": {"made_at"},
}


def signature(url: str, *, leave_out: tuple[str, ...] = ()) -> str:
    """A digest of every row of every table, without the moments the rows were written: two stores that hold the
    same records have the same signature, whichever backend and whenever they were made."""
    import hashlib

    from sqlalchemy import MetaData, create_engine, select
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    digest = hashlib.sha256()
    try:
        with engine.connect() as conn:
            metadata = MetaData()
            metadata.reflect(bind=conn)
            for name in sorted(metadata.tables):
                if name in leave_out or name == "alembic_version":
                    continue
                table = metadata.tables[name]
                columns = [c for c in table.columns if c.name not in VOLATILE.get(name, set())]
                found = sorted(repr(tuple(_plain(v) for v in row)) for row in conn.execute(select(*columns)))
                digest.update(f"{name}:{len(found)}\n".encode())
                for row in found:
                    digest.update(row.encode() + b"\n")
    finally:
        engine.dispose()
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def processes() -> Any:
    """Worker processes forked from a server that has cpctl imported already, so that each starts at once."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["workload", "cpctl.cli", "cpctl.store.database", "cpctl.casework.conference", "cpctl.casework.coregroup"]
    )
    return context


# -- inside a worker process --------------------------------------------------------------------------------------
def run_commands(
    url: str,
    commands: list[list[str]],
    report: str,
    *,
    data_dir: str,
    user: str = "worker.chair",
    start: Any = None,
    kill_at: int | None = None,
    kill_at_file: int | None = None,
    snapshots: bool = False,
) -> None:
    """Run each command as `cpctl --db URL ...` in this process; append one JSON line per command to `report`.

    `start` (an Event) lets several workers begin at once; `kill_at` kills this process with SIGKILL just
    before its N-th database statement (or commit), in the middle of whatever it was doing; `kill_at_file`
    just before the N-th file it moves into place (os.replace); `snapshots` adds the store's signature after
    each command to its line.
    """
    for name in ("CPCTL_DEBUG", "CPCTL_DB", "CPCTL_NO_AUTO_UPGRADE", "CPCTL_PROFILE_OVERRIDES"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "CPCTL_USER": user,
            "CPCTL_DATABASE_URL": url,
            "CPCTL_DATA_DIR": data_dir,
            "TERMINAL_WIDTH": "200",
            "COLUMNS": "200",
            "_TYPER_FORCE_DISABLE_TERMINAL": "1",
        }
    )
    from typer.testing import CliRunner

    import cpctl.cli

    if kill_at is not None:
        _kill_at_statement(kill_at)
    if kill_at_file is not None:
        _kill_at_file(kill_at_file)
    if start is not None:
        start.wait(60)
    runner = CliRunner()
    with open(report, "a", encoding="utf-8") as out:
        for args in commands:
            started = time.monotonic()
            result = runner.invoke(cpctl.cli.app, ["--db", url, *args], prog_name="cpctl", catch_exceptions=True)
            line = {"args": args, "code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr}
            line["seconds"] = time.monotonic() - started
            if snapshots:
                _counting[0] = False
                line["signature"] = signature(url)
                _counting[0] = True
            out.write(json.dumps(line) + "\n")
            out.flush()


def _kill_at_file(n: int) -> None:
    real, seen = os.replace, [0]

    def replace(*args: Any, **kwargs: Any) -> None:
        seen[0] += 1
        if seen[0] >= n:
            os.kill(os.getpid(), signal.SIGKILL)
        real(*args, **kwargs)

    os.replace = replace  # type: ignore[assignment]


def _kill_at_statement(n: int) -> None:
    """Count every statement any engine runs, and every commit; die at the n-th."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen = [0]

    def tick(*_args: Any, **_kwargs: Any) -> None:
        seen[0] += _counting[0]
        if seen[0] >= n:
            os.kill(os.getpid(), signal.SIGKILL)

    event.listen(Engine, "before_cursor_execute", tick)
    event.listen(Engine, "commit", tick)


def rehearse(url: str, commands: list[list[str]], report: str, data_dir: str) -> None:
    """Run the commands without a kill, noting the signature after each, and how many statements they took."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen = [0]

    def tick(*_args: Any, **_kwargs: Any) -> None:
        seen[0] += _counting[0]

    before = signature(url)
    event.listen(Engine, "before_cursor_execute", tick)
    event.listen(Engine, "commit", tick)
    run_commands(url, commands, report, data_dir=data_dir, snapshots=True)
    with open(report, "a", encoding="utf-8") as out:
        out.write(json.dumps({"before": before, "statements": seen[0]}) + "\n")


_counting = [True]  # off while the worker takes a signature, which is not part of what it is testing


def read_report(report: str | Path) -> list[dict[str, Any]]:
    path = Path(report)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
