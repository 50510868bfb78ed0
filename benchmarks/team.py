"""Team load on PostgreSQL (issue 18): 20 logins doing a day's casework at once, and `due` under it.

    python benchmarks/run.py --only team     # the stores are made by pgstore.py (kept between runs with --reuse)

Three targets, each a ratio measured in one run:
1. The day: 20 logins (10 social workers, 4 chairs, 3 team managers, 2 business support, an auditor), each in a
   process of its own and with its own data folder, run their commands at once against the 10,000-child store:
   conferences recorded from files, core groups, visits, `due`, plan exports, `child show`, the audit log. Every
   command must succeed, and afterwards, as the owner, every write must be in the store (each carries a marker of
   its own), and `cpctl audit verify` and `cpctl db check` must pass.
2. `due` of one social worker while the day runs, against the same login's `due` with the store idle (medians).
3. The owner's `due` on the 50,000-child store against the owner's `due` on an empty store; a chair's and a social
   worker's `due` on the 50,000-child store beside it, for information.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pgstore
from sqlalchemy import text

if TYPE_CHECKING:
    from run import Row, Runner, Sizes

LOAD_SIZE = 10_000  # the store of the day's load
PROBE = "sw01"  # the login whose `due` is timed idle and under load


@dataclass
class Command:
    login: pgstore.Login
    args: list[str]
    marker: tuple[str, str] | None = None  # (table, text) the write leaves, checked afterwards
    seconds: float = 0.0
    cpu: float = 0.0
    code: int = -1
    stderr: str = ""


@dataclass
class Day:
    commands: list[Command] = field(default_factory=list)
    wall: float = 0.0

    @property
    def failed(self) -> list[Command]:
        return [c for c in self.commands if c.code != 0]

    @property
    def writes(self) -> list[Command]:
        return [c for c in self.commands if c.marker is not None]


# -- the day's work ---------------------------------------------------------------------------------------------
def _cases(url: str, logins: Sequence[pgstore.Login]) -> dict[str, dict[str, list[str]]]:
    """For each login, children it works with (as the owner reads them): the plans they lead, the plans whose latest
    conference they chaired (only children alone on their plan's conference, so that a review is one child's), and
    their team's children with a plan."""
    found: dict[str, dict[str, list[str]]] = {}
    with pgstore.connect(url) as conn:
        for login in logins:
            leads = conn.execute(
                text(
                    "SELECT c.ref FROM plan p JOIN child c ON c.id = p.child_id WHERE p.ended_on IS NULL "
                    "AND p.lead_worker_id = :p ORDER BY c.id LIMIT 6"
                ),
                {"p": login.person_id},
            ).scalars()
            chaired = conn.execute(
                text(
                    "SELECT c.ref || ' ' || w.ref FROM plan p JOIN child c ON c.id = p.child_id "
                    "JOIN person w ON w.id = p.lead_worker_id "
                    "JOIN LATERAL (SELECT k.id, k.chair_id, k.held_on FROM decision d JOIN conference k "
                    "  ON k.id = d.conference_id WHERE d.plan_id = p.id ORDER BY k.held_on DESC LIMIT 1) last ON true "
                    "WHERE p.ended_on IS NULL AND last.chair_id = :p AND last.held_on < current_date - 120 "
                    "AND (SELECT count(*) FROM decision d2 WHERE d2.conference_id = last.id) = 1 "
                    "ORDER BY c.id LIMIT 4"
                ),
                {"p": login.person_id},
            ).scalars()
            team = conn.execute(
                text(
                    "SELECT c.ref FROM plan p JOIN child c ON c.id = p.child_id WHERE p.ended_on IS NULL "
                    "AND (CAST(:t AS integer) IS NULL OR c.team_id = :t) ORDER BY c.id DESC LIMIT 4"
                ),
                {"t": login.team_id},
            ).scalars()
            found[login.login] = {"leads": list(leads), "chaired": list(chaired), "team": list(team)}
        # Two more agencies at each review (England needs three for a quorate conference).
        others = conn.execute(
            text(
                "SELECT min(ref) FROM person WHERE kind = 'professional' AND role IN ('Health visitor', "
                "'Police officer') GROUP BY role ORDER BY role"
            )
        ).scalars()
        found[""] = {"agencies": list(others)}
    return found


def _core_group(folder: Path, login: pgstore.Login, child: str, marker: str) -> Path:
    path = folder / f"{marker}.json"
    today = date.today()
    document = {
        "child": child,
        "date": today.isoformat(),
        "attendance": [{"person": login.person_ref, "status": "attended"}],
        "progress": [],
        "notes": [f"Bench note {marker}."],
        "next_meeting": (today + timedelta(days=40)).isoformat(),
    }
    path.write_text(json.dumps(document))
    return path


def _review(folder: Path, login: pgstore.Login, child: str, worker: str, marker: str, others: list[str]) -> Path:
    path = folder / f"{marker}.json"
    document = {
        "kind": "review",
        "date": date.today().isoformat(),
        "time": "10:00",
        "venue": "Bench Room 1",
        "virtual": False,
        "chair": login.person_ref,
        "attendance": [
            {"person": login.person_ref, "status": "attended"},
            {"person": worker, "status": "attended"},
            *({"person": other, "status": "attended"} for other in others),
        ],
        "discussion": f"Bench review {marker}.",
        "decisions": [
            {
                "child": child,
                "outcome": "plan-continues",
                "lead_worker": worker,
                "evidence": ["Bench: the worries of the last conference continue."],
                "child_views": ["Bench: the child said home is better."],
                "parent_views": ["Bench: the parents agree with the plan."],
            }
        ],
    }
    path.write_text(json.dumps(document))
    return path


def day_commands(url: str, logins: Sequence[pgstore.Login], folder: Path, tag: str) -> list[Command]:
    """Each login's day, in order: what their role does (a write's marker names its table and text)."""
    cases = _cases(url, logins)
    commands: list[Command] = []
    for login in logins:
        mine = cases[login.login]
        short = login.login.removeprefix(f"{pgstore.PREFIX}_")
        n = 0

        def marker(short: str = short) -> str:
            nonlocal n
            n += 1
            return f"{tag}-{short}-{n}"

        def add(*args: str, writes: tuple[str, str] | None = None, login: pgstore.Login = login) -> None:
            commands.append(Command(login, list(args), writes))

        export = folder / f"{tag}-{short}"
        if login.role == "social-worker":
            add("due")
            for child in mine["leads"][:3]:
                m = marker()
                add("visit", "record", child, "--announced", "--alone", "--bedroom", "--note", f"Bench visit {m}.")
                commands[-1].marker = ("visit", m)
            if mine["leads"]:
                child = mine["leads"][-1]
                m = marker()
                add("core-group", "record", "--from", str(_core_group(folder, login, child, m)), writes=("cg", m))
                add("plan", "export", child, "--for", "professional", "-o", f"{export}-{child}.md")
                add("child", "show", child)
            add("due", "--days", "28")
        elif login.role == "chair":
            add("due")
            for case in mine["chaired"][:2]:
                child, worker = case.split()
                m = marker()
                add(
                    "conference",
                    "new",
                    "--from",
                    str(_review(folder, login, child, worker, m, cases[""]["agencies"])),
                    writes=("conf", m),
                )
                add("plan", "export", child, "--for", "parent", "-o", f"{export}-{child}.md")
            add("due", "--all")
        elif login.role == "team-manager":
            add("due", "--days", "7")
            for child in mine["team"][:2]:
                add("child", "show", child)
                add("plan", "show", child)
            if mine["team"]:
                m = marker()
                add(
                    "visit",
                    "record",
                    mine["team"][0],
                    "--unannounced",
                    "--not-alone",
                    "--no-bedroom",
                    "--note",
                    f"Bench visit {m}.",
                )
                commands[-1].marker = ("visit", m)
        elif login.role == "business-support":
            for child in mine["team"][:3]:
                add("child", "show", child)
                add("due", "--child", child)
        else:  # auditor
            for child in mine["team"][:2]:
                add("audit", "log", "--child", child, "--limit", "20")
                add("plan", "export", child, "--for", "professional", "-o", f"{export}-{child}.md")
                add("due", "--child", child)
    return commands


def run_day(runner: Runner, commands: list[Command], homes: dict[str, Path]) -> Day:
    """Every login's commands in order, all logins at once (one thread each, whole processes)."""
    by_login: dict[str, list[Command]] = {}
    for command in commands:
        by_login.setdefault(command.login.login, []).append(command)

    def work(mine: list[Command]) -> None:
        for command in mine:
            env = _env(runner, command.login, homes)
            elapsed, cpu, _, code, stderr = runner.once(runner.cpctl(*command.args), env=env)
            command.seconds, command.cpu, command.code, command.stderr = elapsed, cpu, code, stderr

    threads = [threading.Thread(target=work, args=(mine,)) for mine in by_login.values()]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Day(commands, time.perf_counter() - start)


def _env(runner: Runner, login: pgstore.Login | None, homes: dict[str, Path], url: str | None = None) -> dict[str, str]:
    """A login's own environment: its store URL (with its password) and a data folder of its own."""
    env = dict(runner.env)
    name = login.login if login else "owner"
    home = homes.setdefault(name, Path(tempfile.mkdtemp(prefix=f"{name}-", dir=runner.data)))
    env["CPCTL_DATA_DIR"] = str(home)
    env["CPCTL_DATABASE_URL"] = login.url if login else str(url)
    env.pop("CPCTL_DB", None)
    return env


def lost_writes(url: str, day: Day) -> list[str]:
    """The writes that succeeded and are not in the store, read as the owner."""
    where = {
        "visit": "SELECT count(*) FROM visit WHERE notes LIKE :m",
        "cg": "SELECT count(*) FROM core_group_meeting WHERE notes LIKE :m",
        "conf": "SELECT count(*) FROM conference WHERE discussion LIKE :m",
    }
    lost = []
    with pgstore.connect(url) as conn:
        for command in day.writes:
            if command.code != 0 or command.marker is None:
                continue
            table, marker = command.marker
            if conn.execute(text(where[table]), {"m": f"%{marker}%"}).scalar_one() != 1:
                lost.append(f"{command.login.login}: {' '.join(command.args[:2])} ({marker})")
    return lost


# -- the rows ---------------------------------------------------------------------------------------------------
def team_rows(runner: Runner, stores: Path, sizes: Sizes, *, reuse: bool) -> list[Row]:
    from run import Row, Timing, ratio_row

    large = sizes.largest
    load_size = min(sizes.all, key=lambda n: abs(n - LOAD_SIZE))
    srv = pgstore.server(stores)
    homes: dict[str, Path] = {}
    empty = pgstore.empty_store(srv, reuse=reuse, env=_env(runner, None, homes, "unused"))
    loaded = {
        size: pgstore.synthetic_store(srv, stores / f"children-{size}.db", size, reuse=reuse)
        for size in {load_size, large}
    }
    rows: list[Row] = []

    # 3. `due` on the largest store against an empty one, as the owner; a chair's and a social worker's beside it.
    team_large = pgstore.team_logins(srv, loaded[large], (("sw", "social-worker", 1), ("chair", "chair", 1)))
    owner_large = runner.cpctl("due")
    big_env, empty_env = _env(runner, None, homes, loaded[large]), dict(_env(runner, None, homes, empty))
    empty_env["CPCTL_DATABASE_URL"] = empty
    timings = runner.compare(
        owner_large,
        owner_large,
        *(runner.cpctl("due") for _ in team_large),
        envs=[big_env, empty_env, *(_env(runner, login, {}) for login in team_large)],
    )
    rows.append(
        ratio_row(f"PostgreSQL: due on {large:,} children vs an empty store (owner)", timings[0], timings[1], 1.3)
    )
    for login, timing in zip(team_large, timings[2:], strict=True):
        rows.append(ratio_row(f"  the same as a {login.role} (for information)", timing, timings[1], 1.3, judged=False))

    # 1. and 2. The day on the load store, and one social worker's `due` idle and under it.
    url = loaded[load_size]
    logins = pgstore.team_logins(srv, url)
    probe = next(login for login in logins if login.login.endswith(PROBE))
    probe_env = _env(runner, probe, {}, None)
    (idle,) = runner.compare(runner.cpctl("due"), envs=[probe_env])
    tag = f"b{int(time.time())}"
    with tempfile.TemporaryDirectory(prefix="cpctl-bench-day-") as folder:
        commands = day_commands(url, logins, Path(folder), tag)
        loaded_runs: list[tuple[float, float]] = []
        done = threading.Event()

        def probe_due() -> None:
            while not done.is_set():
                elapsed, cpu, _, code, _ = runner.once(runner.cpctl("due"), env=probe_env)
                if not done.is_set() and code == 0:
                    loaded_runs.append((elapsed, cpu))

        prober = threading.Thread(target=probe_due)
        prober.start()
        day = run_day(runner, commands, homes)
        done.set()
        prober.join()
    owner_env = _env(runner, None, homes, url)
    lost = lost_writes(url, day)
    checks = {}
    for words in (("audit", "verify"), ("db", "check")):
        _, cpu, _, code, stderr = runner.once(runner.cpctl(*words), env=owner_env)
        checks[" ".join(words)] = (code, cpu, stderr)
    failed = day.failed
    cpu = sum(c.cpu for c in day.commands)
    measured = (
        f"{len(day.commands)} commands by {len(logins)} logins, {len(failed)} failed; "
        f"{len(day.writes)} writes, {len(lost)} lost (wall {day.wall:.0f} s, CPU {cpu:.0f} s in cpctl)"
    )
    rows.append(
        Row(
            f"PostgreSQL: a day's casework on {load_size:,} children",
            measured,
            "0 failed, 0 lost",
            _ok(not failed and not lost),
        )
    )
    for words, (code, seconds, stderr) in checks.items():
        result = "passes" if code == 0 else f"exit {code}: {stderr.strip()[:60]}"
        rows.append(Row(f"  then cpctl {words} (owner)", f"{result} (CPU {seconds:.0f} s)", "passes", _ok(code == 0)))
    if loaded_runs:
        busy = Timing([s for s, _ in loaded_runs], [c for _, c in loaded_runs], 0.0, 0, "")
        target = f"PostgreSQL: due under the day's load vs idle ({probe.role}, {len(loaded_runs)} runs)"
        rows.append(ratio_row(target, busy, idle, 2.0))
    else:
        rows.append(
            Row("PostgreSQL: due under the day's load vs idle", "no run finished during the day", "≤ 2.0×", "FAIL")
        )
    _report(day, failed, lost)
    return rows


def _ok(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _report(day: Day, failed: list[Command], lost: list[str]) -> None:
    """What went wrong, on standard error, so that the table stays one line a target."""
    import sys

    by_role: dict[str, list[float]] = {}
    for command in day.commands:
        by_role.setdefault(command.login.role, []).append(command.seconds)
    for role, seconds in sorted(by_role.items()):
        print(f"  {role}: {len(seconds)} commands, median wall {statistics.median(seconds):.1f} s", file=sys.stderr)
    for command in failed:
        print(f"  FAILED {command.login.login}: cpctl {' '.join(command.args)}", file=sys.stderr)
        print(f"    {command.stderr.strip()[:400]}", file=sys.stderr)
    for line in lost:
        print(f"  LOST {line}", file=sys.stderr)
