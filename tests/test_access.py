"""A team's store on PostgreSQL: each login reaches only the children its role and team give it, through cpctl and
through plain SQL alike, and every attempt is in the read log (issue 18).

The store (access_fixtures.py) has two teams, a child restricted to one login, and a login for every role. The
matrix runs every command that names a child, or a record of one, as a login that may not reach it: the answer is
the one a child (or record) that does not exist gets, and nothing in the store changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import Result

import cpctl.cli
from access_support import BABY, ELLIS, JAMIE, LOGINS, MIA, WREN, Team
from cpctl.demo import testwoods as demo
from helpers import run_cli

pytest_plugins = ["access_fixtures"]  # the team store (team)
pytestmark = pytest.mark.postgresql_only(reason="logins, grants and row-level security are a server's")

EVERY_CHILD = {JAMIE, MIA, BABY, WREN, ELLIS}
# What each login must reach (worked out from the roles in issue 18, not from the policies' SQL).
REACH = {
    "owner": EVERY_CHILD,
    "sw_a": {JAMIE, MIA, BABY},  # team A, and the Testwoods they lead; not Ellis (restricted)
    "sw_b": {WREN},
    "tm_a": {JAMIE, MIA, BABY},
    "bs_a": {JAMIE, MIA, BABY},
    "chair": {JAMIE, MIA},  # the children of the conferences they chaired (Baby has none; Ellis restricted)
    "auditor": EVERY_CHILD - {ELLIS},
    "listed": {JAMIE, MIA, BABY, ELLIS},
}
NOT_OWNER = list(LOGINS)
ATTEMPTS = {"commands": 0, "sql": 0, "leaked": 0}  # for the trust summary (see test_zz_figures)


# -- the matrix ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """A command and its arguments; {child} (or {conference}, {visit}, {escalation}, {booking}, {parent}) is the
    record of the child asked for, {file} a file naming the child, {day} a recent weekday."""

    command: str
    args: tuple[str, ...]
    writes: bool = False

    @property
    def target(self) -> str:
        for kind in ("conference", "visit", "escalation", "booking", "parent"):
            if "{" + kind + "}" in self.args:
                return kind
        return "child"

    def __str__(self) -> str:
        return " ".join((self.command, *self.args))


def row(command: str, *args: str, writes: bool = False) -> Row:
    return Row(command, args, writes)


MATRIX = [
    row("child show", "{child}"),
    row("child show", "{child}", "--json"),
    row("child edit", "{child}", "--culture", "Changed by a test.", writes=True),
    row("child strategy", "{child}", "--on", "{day}", writes=True),
    row("child referral", "{child}", "--on", "{day}", "--source", "3B", "--need", "N1", writes=True),
    row("child enquiry", "{child}", "--started", "{day}", writes=True),
    row(
        "person add", "Nobody Testing", "--kind", "family", "--child", "{child}", "--relationship", "aunt", writes=True
    ),
    row("person list", "--child", "{child}"),
    row("person show", "{parent}"),
    row("person edit", "{parent}", "--phone", "07700 900999", writes=True),
    row("person edit", "P00005", "--child", "{child}", "--relationship", "health visitor", writes=True),
    row("conference new", "--from", "{file}", writes=True),
    row(
        "conference book", "--child", "{child}", "--date", "{later}", "--time", "10:00", "--venue", "Hall", writes=True
    ),
    row("conference list", "--child", "{child}"),
    row("conference show", "{conference}"),
    row("conference show", "{booking}"),
    row("conference letter", "{conference}", "--out", "{out}", writes=True),
    row("conference record", "{conference}", "--out", "{out}", writes=True),
    row("conference invite", "{booking}", "--out", "{out}", writes=True),
    row("conference move", "{booking}", "{later}", "--reason", "Room taken.", writes=True),
    row("conference correct", "{conference}", "--reason", "A typo.", "--discussion", "Changed.", writes=True),
    row("conference cancel", "{booking}", "--reason", "Not needed.", writes=True),
    row("conference report", "{booking}", "--from", "P00005", "--received", "{day}", writes=True),
    row("plan export", "--for", "professional", "{child}", "-o", "{outfile}"),
    row("plan export", "--for", "parent", "{child}", "-o", "{outfile}"),
    row("plan check", "{child}"),
    row("plan show", "{child}"),
    row("plan show", "{child}", "--json"),
    row("plan history", "{child}"),
    row("plan diff", "{child}", "1", "2"),
    row("plan edit", "{child}", "--from", "{file}", writes=True),
    row("core-group record", "{child}", "--from", "{file}", writes=True),
    row("core-group sent", "{child}", "--on", "{day}", writes=True),
    row("core-group list", "{child}"),
    row(
        "visit record",
        *(
            "{child}",
            "--on",
            "{day}",
            "--visitor",
            "P00005",
            "--announced",
            "--alone",
            "--bedroom",
            "--note",
            "A test.",
        ),
        writes=True,
    ),
    row("visit list", "{child}"),
    row("visit edit", "{visit}", "--reason", "A typo.", "--note", "Changed.", writes=True),
    row("visit delete", "{visit}", "--reason", "Recorded twice.", writes=True),
    row("review midway", "{child}", "--outcome", "on-track", "--on", "{day}", writes=True),
    row("escalation raise", "{child}", "--concern", "A test.", "--with", "Team manager", writes=True),
    row("escalation respond", "{escalation}", "--response", "Seen.", writes=True),
    row("escalation resolve", "{escalation}", "--outcome", "Resolved.", writes=True),
    row("due", "--child", "{child}"),
    row("audit log", "--child", "{child}"),
]
# Commands whose arguments name a child, or a record of one (a conference, booking, visit, escalation, a file of
# them), are in the matrix; these take such a name but do not look a child up.
NOT_A_CHILD = {
    "child add": "adds a child; an --id that a child out of reach holds is refused as taken (references are unique in "
    "the store), which tells that it is in use, and no more",
    "demo": "--children is how many synthetic children to make, in a new store of the demo's own",
    "core-group template": "writes the example file; --family only chooses its family",
    # The owner's alone: every other login is refused before anything is looked up (tests/test_team_store.py).
    "child restrict": "the owner's alone",
    "child unrestrict": "the owner's alone",
    "user add": "the owner's alone; --person is the user's own person record",
    "user edit": "the owner's alone; --person is the user's own person record",
}
CHILD_PARAMS = {"child", "children", "ref", "from_file", "person"}

# Who is tried on which child they may not reach: team A's roles on team B's child and team B on team A's; every
# login not listed on the restricted child, the auditor too.
PAIRS = [
    ("sw_a", WREN),
    ("tm_a", WREN),
    ("bs_a", WREN),
    ("chair", WREN),
    ("sw_b", JAMIE),
    *[(who, ELLIS) for who in ("sw_a", "sw_b", "tm_a", "bs_a", "chair", "auditor")],
]
MISSING = {
    "child": "ZZ-9999",
    "conference": "CF09999",
    "visit": "V09999",
    "escalation": "QC09999",
    "booking": "BK09999",
    "parent": "P09999",
}


def walk(command: Any, path: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            yield from walk(sub, (*path, name))
    else:
        yield " ".join(path), command


def leaves() -> Iterator[tuple[str, Any]]:
    """Every command of cpctl, by its words (those whose module is not written yet are left out)."""
    for name in cpctl.cli.COMMANDS:
        try:
            command = cpctl.cli.load_command(name)
        except ModuleNotFoundError:
            continue
        yield from walk(command, (name,))


def test_every_command_naming_a_child_is_in_the_matrix(backend: str) -> None:
    in_matrix = {r.command for r in MATRIX}
    missing = []
    for words, command in leaves():
        names = {param.name for param in command.params}
        if names & CHILD_PARAMS and words not in in_matrix and words not in NOT_A_CHILD:
            missing.append(words)
    assert not missing, f"commands naming a child with no row in the access matrix: {missing}"
    assert not (in_matrix - {words for words, _ in leaves()}), "a row of the matrix names no command"


# -- running commands as a login -------------------------------------------------------------------------------
def weekday_before(day: date, days: int) -> date:
    day -= timedelta(days=days)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def files_for(folder: Path, child: str, command: str) -> Path:
    """A file naming the child, as `--from` takes it for the command."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{command.replace(' ', '-')}-{child}.yaml"
    if command == "conference new":  # the Testwoods' parents left out: a login of team B may not see them
        data: Any = demo.example_conference(weekday_before(date.today(), 3))
        data["decisions"] = [dict(data["decisions"][0], child=child)]
        data = json.loads(json.dumps(data, default=str).replace('"P00002"', '"P00005"').replace('"P00003"', '"P00006"'))
        data["attendance"] = data["attendance"][2:]
    elif command == "core-group record":
        data = dict(demo.example_core_group(weekday_before(date.today(), 3)), child=child)
    else:  # plan edit: the plan's text
        data = demo.example_conference(date.today())["decisions"][0]["plan"]  # type: ignore[index]
    path.write_text(yaml.safe_dump(json.loads(json.dumps(data, default=str)), sort_keys=False), encoding="utf-8")
    return path


def arguments(team: Team, r: Row, child: str, folder: Path, *, missing: bool) -> tuple[list[str], str]:
    """The row's arguments for this child (or for a record that does not exist), and the text asked for."""
    kind = r.target
    real = child if kind == "child" else team.refs[child][kind] if child in team.refs else ""
    asked = MISSING[kind] if missing else real
    values = {
        "{child}": asked if kind == "child" else child,
        "{day}": weekday_before(date.today(), 7).isoformat(),
        "{later}": weekday_before(date.today() + timedelta(days=30), 0).isoformat(),
        "{out}": str(folder.parent / "out"),
        "{outfile}": str(folder.parent / "plan.md"),
    }
    if kind != "child":
        values["{" + kind + "}"] = asked
    args = []
    for arg in r.args:
        if arg == "{file}":
            arg = str(files_for(folder, asked, r.command))
        args.append(values.get(arg, arg))
    return [*r.command.split(), *args], asked


def as_login(team: Team, who: str, *args: str) -> Result:
    return run_cli("--db", team.url_of(who), *args)


def shape(result: Result, asked: str) -> tuple[int, str, str]:
    """What the user is told, with the name asked for taken out, and the records it suggests instead (those are
    the login's own: close to the name asked, so they differ for another name)."""

    def plain(said: str) -> str:
        return SUGGESTION.sub("<suggestion>", said.replace(asked, "<asked>"))

    return result.exit_code, plain(result.stderr), plain(result.stdout)


NOT_FOUND = re.compile(
    r"\bno (child with id or name|person with reference or name|conference|booking|visit|escalation) '"
)
SUGGESTION = re.compile(r"did you mean [^?]*\? If not, |(?<=; )(?=see `cpctl)")


def owner_rows(team: Team, sql: str, **params: Any) -> list[Any]:
    with team.engine("owner").connect() as conn:
        return list(conn.execute(text(sql), params).all())


def newest_entry(team: Team) -> int:
    return int(owner_rows(team, "SELECT COALESCE(max(id), 0) FROM audit_entry")[0][0])


def store_without_reads(team: Team) -> list[tuple[str, str]]:
    """A digest of every table's rows, the read log's entries left out (one statement: the matrix runs it often)."""
    tables = [name for (name,) in owner_rows(team, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    digests = [
        f"SELECT '{name}', md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{name}\" t"
        + (" WHERE action NOT LIKE 'read.%'" if name == "audit_entry" else "")
        for name in sorted(tables)
    ]
    return [tuple(found) for found in owner_rows(team, " UNION ALL ".join(digests))]


ABSENT: dict[tuple[str, Row], Result] = {}


def check_matrix(team: Team, who: str, child: str, r: Row, folder: Path) -> None:
    login = team.logins[who]
    hidden_args, asked = arguments(team, r, child, folder / "hidden", missing=False)
    missing_args, missing_asked = arguments(team, r, child, folder / "missing", missing=True)
    before, since = store_without_reads(team), newest_entry(team)
    hidden = as_login(team, who, *hidden_args)
    ATTEMPTS["commands"] += 1
    asked_for = [asked]
    if (who, r) not in ABSENT:  # what a record that does not exist gets: the same for every child of the row
        ABSENT[who, r] = as_login(team, who, *missing_args)
        ATTEMPTS["commands"] += 1
        asked_for.append(missing_asked)
    absent = ABSENT[who, r]
    assert hidden.exit_code != 0, f"{who} ran `{r}` on {child}'s record {asked}: {hidden.output}"
    assert shape(hidden, asked) == shape(absent, missing_asked), f"`{r}` as {who}: {hidden.output} {absent.output}"
    assert hidden.stderr.count("\n") == 1, hidden.stderr
    assert NOT_FOUND.search(hidden.stderr), f"`{r}` as {who} failed before looking {asked} up: {hidden.stderr}"
    assert store_without_reads(team) == before, f"`{r}` as {who} changed the store"
    # The read log has both attempts, in the login's name.
    logged = owner_rows(
        team,
        "SELECT action, entity_id, actor FROM audit_entry WHERE id > :since AND action LIKE 'read.%'",
        since=since,
    )
    for text_asked in asked_for:
        assert any(
            action == "read.denied" and entity_id == text_asked and actor.endswith(f"({login})")
            for action, entity_id, actor in logged
        ), f"`{r}` as {who}: no read.denied entry for {text_asked} in {logged}"


@pytest.mark.parametrize("r", MATRIX, ids=str)
@pytest.mark.parametrize(("who", "child"), PAIRS, ids=[f"{w}-{c}" for w, c in PAIRS])
def test_no_child_out_of_reach(team: Team, who: str, child: str, r: Row, tmp_path: Path, backend: str) -> None:
    check_matrix(team, who, child, r, tmp_path)


# -- plain SQL ---------------------------------------------------------------------------------------------------
# How each table's rows belong to a child: the set of ids (worked out by the owner) its column must not be in.
BELONGS = {
    "child": ("id", "child"),
    "plan_version": ("plan_id", "plan"),
    "conference": ("id", "conference"),
    "conference_attendee": ("conference_id", "conference"),
    "conference_recipient": ("conference_id", "conference"),
    "booking": ("id", "booking"),
    "booking_invitee": ("booking_id", "booking"),
    "person": ("id", "person"),
    "family": ("id", "family"),
}
# Tables that hold no child's data (the store's configuration, its teams, who uses it).
NO_CHILD = {"alembic_version", "setting", "team", "app_user"}


def out_of_reach(team: Team, refs: set[str]) -> dict[str, list[Any]]:
    """The ids of every record that belongs to these children only, read by the owner."""
    children = sorted(refs)

    def ids(sql: str) -> list[Any]:
        return [found for (found,) in owner_rows(team, sql, refs=children)]

    mine = "SELECT id FROM child WHERE ref = ANY(:refs)"
    only = (
        "SELECT {id} FROM {table} t WHERE EXISTS (SELECT 1 FROM {link} l WHERE l.{key} = t.{id} AND l.child_id IN "
        f"({mine})) AND NOT EXISTS (SELECT 1 FROM {{link}} l WHERE l.{{key}} = t.{{id}} AND l.child_id NOT IN ({mine}))"
    )
    conference = only.format(id="id", table="conference", link="decision", key="conference_id")
    booking = only.format(id="id", table="booking", link="booking_child", key="booking_id")
    return {
        "child": ids(mine),
        "ref": children,
        "plan": ids(f"SELECT id FROM plan WHERE child_id IN ({mine})"),
        "conference": ids(conference),
        "conference_ref": ids(f"SELECT ref FROM conference WHERE id IN ({conference})"),
        "booking": ids(booking),
        "booking_ref": ids(f"SELECT ref FROM booking WHERE id IN ({booking})"),
        "visit_ref": ids(f"SELECT 'V' || lpad(id::text, 5, '0') FROM visit WHERE child_id IN ({mine})"),
        "person": ids(
            "SELECT id FROM person p WHERE kind <> 'professional' AND EXISTS (SELECT 1 FROM child_person l WHERE "
            f"l.person_id = p.id) AND NOT EXISTS (SELECT 1 FROM child_person l WHERE l.person_id = p.id AND "
            f"l.child_id NOT IN ({mine}))"
        ),
        "family": ids(
            f"SELECT id FROM family f WHERE EXISTS (SELECT 1 FROM child c WHERE c.family_id = f.id) AND NOT EXISTS "
            f"(SELECT 1 FROM child c WHERE c.family_id = f.id AND c.id NOT IN ({mine}))"
        ),
    }


def leak_queries(team: Team, hidden: dict[str, list[Any]]) -> Iterator[tuple[str, str]]:
    """For every table: the statement counting its rows that belong to the hidden children."""
    columns = owner_rows(
        team, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
    )
    by_table: dict[str, set[str]] = {}
    for table, column in columns:
        by_table.setdefault(table, set()).add(column)
    for table in sorted(by_table):
        if table in NO_CHILD:
            continue
        if table == "audit_entry":
            yield (
                table,
                "SELECT count(*) FROM audit_entry a WHERE (entity = 'child' AND entity_id = ANY(:ref)) "
                "OR (entity = 'conference' AND entity_id = ANY(:conference_ref)) "
                "OR (entity = 'booking' AND entity_id = ANY(:booking_ref)) "
                "OR (entity = 'visit' AND entity_id = ANY(:visit_ref)) "
                "OR EXISTS (SELECT 1 FROM unnest(CAST(:ref AS text[])) r "
                "WHERE a.summary LIKE '%' || r || '%' OR a.changes LIKE '%' || r || '%')",
            )
        elif table == "child_restriction":
            yield table, "SELECT count(*) FROM child_restriction"  # the owner's alone
        elif table in BELONGS:
            column, kind = BELONGS[table]
            yield table, f"SELECT count(*) FROM {table} WHERE {column} = ANY(:{kind})"
        elif "child_id" in by_table[table]:
            yield table, f"SELECT count(*) FROM {table} WHERE child_id = ANY(:child)"
        else:
            raise AssertionError(f"the table {table} is new: say how its rows belong to a child (BELONGS, NO_CHILD)")


def count_as(team: Team, who: str, sql: str, params: dict[str, Any]) -> int:
    """The rows the login counts (0 when the server refuses it the table)."""
    try:
        with team.engine(who).connect() as conn:
            return int(conn.execute(text(sql), params).scalar_one())
    except DBAPIError as refused:
        assert "permission denied" in str(refused.orig), refused
        return 0


@pytest.mark.parametrize("who", NOT_OWNER)
def test_plain_sql_sees_no_row_out_of_reach(team: Team, who: str, backend: str) -> None:
    seen = {ref for (ref,) in as_sql(team, who, "SELECT ref FROM child")}
    assert seen & EVERY_CHILD == REACH[who]
    hidden = out_of_reach(team, EVERY_CHILD - REACH[who])
    leaks = {}
    for table, sql in leak_queries(team, hidden):
        ATTEMPTS["sql"] += 1
        found = count_as(team, who, sql, hidden)
        ATTEMPTS["leaked"] += found
        if found:
            leaks[table] = found
    assert leaks == {}, f"{who} reads rows of children out of reach ({sorted(EVERY_CHILD - REACH[who])})"
    # The same statements count the rows of the children in reach: they are there to be found.
    shown = out_of_reach(team, REACH[who])
    assert count_as(team, who, "SELECT count(*) FROM plan WHERE child_id = ANY(:child)", shown) > 0


def as_sql(team: Team, who: str, sql: str, **params: Any) -> list[Any]:
    with team.engine(who).connect() as conn:
        return list(conn.execute(text(sql), params).all())


def test_the_restricted_child_is_the_listed_logins(team: Team, backend: str) -> None:
    for command in (("child", "show", ELLIS), ("plan", "show", ELLIS), ("visit", "list", ELLIS)):
        since = newest_entry(team)
        result = as_login(team, "listed", *command)
        ATTEMPTS["commands"] += 1
        assert result.exit_code == 0, result.output
        logged = owner_rows(
            team,
            "SELECT action, entity_id, actor FROM audit_entry WHERE id > :since AND action LIKE 'read.%'",
            since=since,
        )
        assert logged == [("read.show", ELLIS, f"Quinn Fairley ({team.logins['listed']})")]
    assert "Ellis" in as_login(team, "listed", "child", "list").stdout
    hidden = out_of_reach(team, {ELLIS})
    assert count_as(team, "listed", "SELECT count(*) FROM visit WHERE child_id = ANY(:child)", hidden) == 1
    assert count_as(team, "owner", "SELECT count(*) FROM visit WHERE child_id = ANY(:child)", hidden) == 1
    for who in NOT_OWNER:
        if who != "listed":
            assert ELLIS not in {ref for (ref,) in as_sql(team, who, "SELECT ref FROM child")}
            result = as_login(team, who, "child", "list")
            assert ELLIS not in result.output and "Ellis" not in result.output


# -- business support --------------------------------------------------------------------------------------------
def set_setting(team: Team, key: str, value: str) -> None:
    with team.engine("owner").begin() as conn:
        conn.execute(
            text("INSERT INTO setting (key, value) VALUES (:k, :v) ON CONFLICT (key) DO UPDATE SET value = :v"),
            {"k": key, "v": value},
        )


def test_business_support_sees_no_private_note(team: Team, backend: str) -> None:
    for table in ("visit", "core_group_meeting", "quality_check", "plan_version"):
        assert as_sql(team, "owner", f"SELECT count(*) FROM {table}")[0][0] > 0
        assert as_sql(team, "bs_a", f"SELECT count(*) FROM {table}")[0][0] == 0, table
        assert as_sql(team, "tm_a", f"SELECT count(*) FROM {table}")[0][0] > 0, table
    for refused in ("INSERT INTO visit (child_id) VALUES (1)", "DELETE FROM plan_version", "UPDATE visit SET id = id"):
        with pytest.raises(DBAPIError, match="permission denied"), team.engine("bs_a").begin() as conn:
            conn.execute(text(refused))
    result = as_login(team, "bs_a", "visit", "list", JAMIE)
    assert "Home warm" not in result.output
    set_setting(team, "support-sees-plan-text", "yes")
    try:
        versions = as_sql(team, "bs_a", "SELECT p.child_id FROM plan_version v JOIN plan p ON p.id = v.plan_id")
        ids = out_of_reach(team, REACH["bs_a"])["child"]
        assert versions and {child for (child,) in versions} <= set(ids)
        for table in ("visit", "core_group_meeting", "quality_check"):
            assert as_sql(team, "bs_a", f"SELECT count(*) FROM {table}")[0][0] == 0, table
    finally:
        set_setting(team, "support-sees-plan-text", "no")
    assert as_sql(team, "bs_a", "SELECT count(*) FROM plan_version")[0][0] == 0


# -- the auditor -------------------------------------------------------------------------------------------------
def test_the_auditor_reads_everything_but_the_restricted_child(team: Team, backend: str) -> None:
    for child in REACH["auditor"]:
        result = as_login(team, "auditor", "child", "show", child)
        assert result.exit_code == 0, result.output
    for command in (("audit", "log"), ("audit", "log", "--child", WREN), ("visit", "list", WREN)):
        result = as_login(team, "auditor", *command)
        assert result.exit_code == 0, result.output
    trail = as_sql(team, "auditor", "SELECT entity_id FROM audit_entry WHERE entity = 'child'")
    assert {WREN, JAMIE} <= {ref for (ref,) in trail}
    assert ELLIS not in {ref for (ref,) in trail}


def auditor_arguments(team: Team, r: Row, folder: Path) -> list[str]:
    """Arguments that make the change, for anyone who may: only the server stops the auditor."""
    args, _ = arguments(team, r, WREN, folder, missing=False)
    if r.command in ("child strategy", "child referral"):  # Baby: no plan, no referral
        args = [BABY if arg == WREN else arg for arg in args]
    elif r.command in ("conference new", "plan edit", "core-group record"):
        path = Path(args[args.index("--from") + 1])
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if r.command == "conference new":  # a review of Wren's plan
            data["kind"] = "review"
            data.pop("strategy_discussion")
            data["decisions"][0].update(outcome="plan-continues")
        elif r.command == "plan edit":  # Wren's plan with one more worry
            shown = as_login(team, "owner", "plan", "show", WREN, "--json")
            data = json.loads(shown.stdout)["content"]
            data["worries"].append({"text": "One more worry."})
        else:  # sent later; the plan's actions as they are
            for key in ("sent_on", "changed_actions"):
                data.pop(key)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return args


@pytest.mark.parametrize("r", [r for r in MATRIX if r.writes], ids=str)
def test_the_auditor_writes_nothing(team: Team, r: Row, tmp_path: Path, backend: str) -> None:
    args = auditor_arguments(team, r, tmp_path)
    before = store_without_reads(team)
    result = as_login(team, "auditor", *args)
    ATTEMPTS["commands"] += 1
    assert result.exit_code != 0, f"the auditor ran `{r}`: {result.output}"
    assert result.stderr.count("\n") == 1 and result.stdout == "", result.output
    assert "your login may not make this change" in result.stderr, result.stderr  # the server refused it
    assert store_without_reads(team) == before


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO team (name) VALUES ('Auditors'' own team')",
        "UPDATE child SET culture_religion = 'changed' WHERE ref = 'DEMO-1001'",
        "DELETE FROM visit",
        "DELETE FROM audit_entry",
        "UPDATE audit_entry SET summary = 'changed'",
        "INSERT INTO audit_entry (at, actor, action, entity, entity_id, summary, changes, prev_hash, hash) "
        "VALUES ('2026-01-01T00:00:00Z', '{login}', 'child.edit', 'child', 'DEMO-1001', 'x', '{{}}', '0', '0')",
    ],
)
def test_the_auditor_cannot_write_through_sql(team: Team, sql: str, backend: str) -> None:
    ATTEMPTS["sql"] += 1
    with pytest.raises(DBAPIError, match="permission denied|an auditor writes nothing"):
        with team.engine("auditor").begin() as conn:
            conn.execute(text(sql.format(login=team.logins["auditor"])))


# -- the audit actor ---------------------------------------------------------------------------------------------
def entry(actor: str, action: str = "child.edit") -> str:
    return (
        "INSERT INTO audit_entry (at, actor, action, entity, entity_id, summary, changes, prev_hash, hash) "
        f"VALUES ('2026-01-01T00:00:00Z', '{actor}', '{action}', 'child', 'DEMO-1001', 'x', '{{}}', '0', '0')"
    )


@pytest.mark.parametrize("actor", ["Ada Fictional (someone.else)", "cpctl_test", "Jordan Ashby (cpctl_test)"])
def test_a_login_writes_audit_entries_in_its_own_name_only(team: Team, actor: str, backend: str) -> None:
    ATTEMPTS["sql"] += 1
    with pytest.raises(DBAPIError, match="must name that login"), team.engine("sw_a").begin() as conn:
        conn.execute(text(entry(actor)))


def test_cpctl_names_the_servers_login(team: Team, monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    monkeypatch.setenv("CPCTL_USER", "someone.else")
    login = team.logins["sw_a"]
    result = as_login(team, "sw_a", "child", "edit", JAMIE, "--culture", "Recorded by the lead social worker.")
    assert result.exit_code == 0, result.output
    (actor,) = owner_rows(team, "SELECT actor FROM audit_entry WHERE action = 'child.edit' ORDER BY id DESC LIMIT 1")[0]
    assert actor == f"Jordan Ashby ({login})"
    result = as_login(team, "auditor", "child", "show", JAMIE)
    assert result.exit_code == 0, result.output
    (actor,) = owner_rows(team, "SELECT actor FROM audit_entry WHERE action = 'read.show' ORDER BY id DESC LIMIT 1")[0]
    assert actor == f"Audrey Vale ({team.logins['auditor']})"


# -- what each role may still do -------------------------------------------------------------------------------
def test_each_role_does_its_work(team: Team, backend: str) -> None:
    """Row-level security lets the work through: a social worker adds a child to their team, a relative and a
    professional (new references that no hidden record holds), and records a visit; business support books a
    review; the chair records a midway review."""
    day = weekday_before(date.today(), 2).isoformat()
    later = weekday_before(date.today() + timedelta(days=40), 0).isoformat()
    work = [
        ("sw_a", "child", "add", "Sky", "Testwood", "--dob", "2019-05-01", "--team", "Riverside Locality Team"),
        ("sw_a", "person", "add", "Ash Testwood", "--kind", "family", "--child", JAMIE, "--relationship", "aunt"),
        ("sw_a", "person", "add", "Rowan Hale", "--kind", "professional", "--role", "School nurse"),
        ("sw_a", "visit", "record", JAMIE, "--on", day, "--visitor", "P00004", "--announced", "--alone", "--bedroom"),
        ("bs_a", "conference", "book", "--child", MIA, "--date", later, "--time", "10:00", "--venue", "Hall"),
        ("chair", "review", "midway", JAMIE, "--outcome", "on-track", "--on", day),
        ("sw_b", "visit", "record", WREN, "--on", day, "--announced", "--alone", "--bedroom"),
    ]
    for who, *args in work:
        result = as_login(team, who, *args)
        ATTEMPTS["commands"] += 1
        assert result.exit_code == 0, f"{who}: {args}: {result.output}"
    refs = owner_rows(team, "SELECT ref FROM person UNION ALL SELECT ref FROM child UNION ALL SELECT ref FROM booking")
    assert len(refs) == len(set(refs))
    actors = owner_rows(
        team, "SELECT DISTINCT actor FROM audit_entry WHERE action NOT LIKE 'read.%' AND actor LIKE :me", me="%_sw_a)"
    )
    assert actors == [(f"Jordan Ashby ({team.logins['sw_a']})",)]


# -- the figures -------------------------------------------------------------------------------------------------
def test_zz_figures(figure: Any, backend: str) -> None:
    """Last in the module: what the tests above tried, for the trust summary at the end of the suite."""
    attempts = ATTEMPTS["commands"] + ATTEMPTS["sql"]
    figure(
        f"team store: {attempts} attempts made ({ATTEMPTS['commands']} commands, {ATTEMPTS['sql']} SQL statements), "
        f"{ATTEMPTS['leaked']} rows leaked"
    )
    assert ATTEMPTS["leaked"] == 0
