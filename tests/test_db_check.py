"""`cpctl db check`: a whole store passes, and each way of breaking one (done in SQL, outside cpctl) is named."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from backends import StoreRef
from helpers import Run, execute, ok, ok_json, rows

NEWEST_VISIT_ENTRY = "SELECT max(id) FROM audit_entry WHERE action = 'visit.add'"
NEWEST_VISIT_EVENT = "SELECT max(id) FROM case_event WHERE kind = 'visit'"
FAILED = (
    "Error: the store has {n} problem{s}; restore a backup made before it was damaged (`cpctl db restore`), "
    "or report it.\n"
)


@pytest.fixture
def casework(cli: Run, make_store: Callable[..., StoreRef]) -> StoreRef:
    """The demo's whole case: two conferences, plans and versions, core groups, visits, deadlines."""
    store = make_store("demo.db")
    ok(cli("demo", "--db", str(store)))
    return store


def check(cli: Run, store: StoreRef) -> list[str]:
    """The problems `db check` lists (it exits 1 when there are any)."""
    result = cli("--db", str(store), "db", "check")
    problems = [line[len("  problem: ") :] for line in result.stdout.splitlines() if line.startswith("  problem: ")]
    if problems:
        n = len(problems)
        assert (result.exit_code, result.stderr) == (1, FAILED.format(n=n, s="s" if n != 1 else ""))
    else:
        assert (result.exit_code, result.stderr) == (0, ""), result.output
    return problems


def test_a_whole_store_passes(cli: Run, casework: StoreRef) -> None:
    assert check(cli, casework) == []
    result = ok_json(cli("--db", str(casework), "db", "check", "--json"))
    assert result == {
        "ok": True,
        "counts": {
            "children": 3,
            "plans": 2,
            "conferences": 2,
            "core group meetings": 2,
            "visits": 8,
            "audit entries": rows(casework, "SELECT count(*) FROM audit_entry")[0][0],
        },
        "problems": [],
        "notes": [],
    }


def test_a_new_store_passes(cli: Run) -> None:
    result = cli("db", "check")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.endswith(
        ": 0 children, 0 plans, 0 conferences, 0 core group meetings, 0 visits, 0 audit entries.\nNo problems found.\n"
    )


def plan_id(store: StoreRef, child: str = "DEMO-1001") -> int:
    return rows(store, f"SELECT p.id FROM plan p JOIN child c ON c.id = p.child_id WHERE c.ref = '{child}'")[0][0]


@pytest.mark.parametrize(
    "damage, problem",
    [
        (
            ["UPDATE plan SET end_conference_id = NULL WHERE ended_on IS NOT NULL"],
            "plan 1 of child DEMO-1002 has an end date without the conference that ended it",
        ),
        (["UPDATE plan SET number = 2 WHERE id = {plan}"], "child DEMO-1001's plans are numbered [2], not 1, 2, ..."),
        (
            ["UPDATE plan_version SET number = number + 10 WHERE plan_id = {plan} AND number = 3"],
            "plan 1 of child DEMO-1001 has versions [1, 2, 13], not 1, 2, ...",
        ),
        (
            ["DELETE FROM deadline WHERE id IN (SELECT min(id) FROM deadline)"],
            "do not match their events",
        ),
        (
            ["UPDATE deadline SET due_on = due_on + 1 WHERE id IN (SELECT max(id) FROM deadline)"],
            "do not match their events",
        ),
        ([f"DELETE FROM audit_entry WHERE id IN ({NEWEST_VISIT_ENTRY})"], "visits but"),
        (["UPDATE audit_entry SET summary = 'edited' WHERE id = 3"], "the audit trail is broken at entry 3"),
        ([f"UPDATE case_event SET kind = 'note' WHERE id IN ({NEWEST_VISIT_EVENT})"], "visits but"),
    ],
    ids=[
        "ended-plan",
        "plan-number",
        "version-number",
        "deadline-missing",
        "deadline-moved",
        "visit-unaudited",
        "audit-edited",
        "visit-event",
    ],
)
def test_damage_is_named(cli: Run, casework: StoreRef, damage: list[str], problem: str) -> None:
    statements = [sql.format(plan=plan_id(casework)) for sql in damage]
    if casework.path is not None:
        statements = [sql.replace("due_on + 1", "date(due_on, '+1 day')") for sql in statements]
    execute(casework, *statements)
    found = check(cli, casework)
    assert any(problem in line for line in found), found


def test_a_reference_to_nothing_is_named(cli: Run, casework: StoreRef) -> None:
    """Made possible only with the database's own check switched off (SQLite), or dropped (a server)."""
    if casework.path is not None:
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(casework.path)) as conn:
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute("UPDATE visit SET visitor_id = 999 WHERE id = 1")
            conn.commit()
        expected = ["SQLite's foreign key check: visit row 1 refers to a person that does not exist"]
    else:
        execute(
            casework,
            "ALTER TABLE visit DROP CONSTRAINT visit_visitor_id_fkey",
            "UPDATE visit SET visitor_id = 999 WHERE id = 1",
        )
        expected = []
    found = check(cli, casework)
    assert "1 visit record refer to a person that does not exist (visit.visitor_id)" in found
    for line in expected:
        assert line in found


ANOTHER_PLAN_IN_FORCE = (
    "INSERT INTO plan (child_id, number, started_on, start_conference_id, pre_birth, initial_categories, "
    "latest_categories, lead_worker_id) SELECT child_id, 2, started_on, start_conference_id, pre_birth, "
    "initial_categories, latest_categories, lead_worker_id FROM plan WHERE id = {plan}"
)


def refused(*statements: str) -> tuple[str, ...]:
    """Damage this database refuses (PostgreSQL keeps its types; SQLite cannot change a column's type)."""
    return statements


@pytest.mark.parametrize(
    "damage, problems",
    [
        (
            {"sqlite": ["DROP TABLE visit"], "postgresql": ["DROP TABLE visit CASCADE"]},
            ["the table visit is missing"],
        ),
        (["ALTER TABLE person DROP COLUMN address"], ["the column person.address is missing"]),
        (
            ["UPDATE plan_version SET content = '{{\"actions\": [' WHERE plan_id = {plan} AND number = 2"],
            [
                "plan_version.content cannot be read as cpctl reads it in 1 record: version 2 of plan 1 of child "
                "DEMO-1001 (json_invalid)"
            ],
        ),
        (
            ['UPDATE plan_version SET content = \'{{"actions": [{{"why": "no what"}}]}}\' WHERE plan_id = {plan}'],
            [
                "plan_version.content cannot be read as cpctl reads it in 3 records: version 1 of plan 1 of child "
                "DEMO-1001 (actions.0.what: missing), version 2 of plan 1 of child DEMO-1001 (actions.0.what: "
                "missing), version 3 of plan 1 of child DEMO-1001 (actions.0.what: missing)"
            ],
        ),
        (
            ['UPDATE decision SET details = \'{{"evidence": "one"}}\' WHERE plan_id = {plan}'],
            [
                "decision.details cannot be read as cpctl reads it in 2 records: decision 1 of child DEMO-1001 "
                "(evidence: list_type), decision 3 of child DEMO-1001 (evidence: list_type)"
            ],
        ),
        (
            {
                "sqlite": ["UPDATE visit SET visited_on = '2026-02-30' WHERE id = 1"],
                "postgresql": ["UPDATE visit SET visited_on = '10000-01-01' WHERE id = 1"],
            },
            ["visit.visited_on is not a date cpctl can read in 1 record: visit 1 of child DEMO-1001"],
        ),
        (
            {
                "sqlite": ["UPDATE plan SET started_on = 'soon' WHERE id = {plan}"],
                "postgresql": refused("UPDATE plan SET started_on = 'soon' WHERE id = {plan}"),
            },
            ["plan.started_on is not a date cpctl can read in 1 record: plan 1 of child DEMO-1001"],
        ),
        (
            {
                "sqlite": ["UPDATE child SET given_name = randomblob(64) WHERE ref = 'DEMO-1001'"],
                # a server keeps a column's type: binary data needs a binary column
                "postgresql": [
                    "ALTER TABLE child ALTER COLUMN given_name TYPE bytea USING convert_to(given_name, 'UTF8')"
                ],
            },
            {
                "sqlite": ["child.given_name holds binary data instead of text in 1 record: child DEMO-1001"],
                "postgresql": ["the column child.given_name holds binary data, not text"],
            },
        ),
        (
            {
                "sqlite": ["UPDATE child SET given_name = replace(hex(zeroblob(10485760)), '0', 'a') WHERE id = 1"],
                "postgresql": ["UPDATE child SET given_name = repeat('a', 20971520) WHERE id = 1"],
            },
            ["child.given_name is longer than 200 characters in 1 record: child DEMO-1001"],
        ),
        (
            {
                "sqlite": ["UPDATE child SET family_name = 'Test' || char(27) || '[2Jwood' WHERE ref = 'DEMO-1002'"],
                "postgresql": ["UPDATE child SET family_name = E'Test\\x1b[2Jwood' WHERE ref = 'DEMO-1002'"],
            },
            ["child.family_name holds control characters (such as ESC) in 1 record: child DEMO-1002"],
        ),
        (
            {
                "sqlite": ["UPDATE person SET role = 'Lead' || char(0) || 'worker' WHERE ref = 'P00002'"],
                "postgresql": refused("UPDATE person SET role = E'Lead\\x00worker' WHERE ref = 'P00002'"),
            },
            ["person.role holds a NUL character in 1 record: person P00002"],
        ),
        (
            {
                "sqlite": ["UPDATE plan SET number = 'two' WHERE id = {plan}"],
                "postgresql": refused("UPDATE plan SET number = 'two' WHERE id = {plan}"),
            },
            ["plan.number holds text instead of a whole number in 1 record: plan (unreadable) of child DEMO-1001"],
        ),
        (
            ["DROP INDEX uq_plan_one_active_per_child", ANOTHER_PLAN_IN_FORCE],
            [
                "the rule uq_plan_one_active_per_child that keeps one plan in force per child is missing",
                "child DEMO-1001 has 2 plans in force (plans [1, 2]); there can be one",
            ],
        ),
    ],
    ids=[
        "dropped-table",
        "dropped-column",
        "plan-not-json",
        "plan-not-a-plan",
        "decision-details",
        "bad-date",
        "not-a-date",
        "blob-name",
        "20mb-name",
        "esc-in-name",
        "nul-in-role",
        "number-as-text",
        "two-plans-in-force",
    ],
)
def test_damage_to_the_schema_and_values_is_named(
    cli: Run,
    casework: StoreRef,
    damage: list[str] | dict[str, list[str] | tuple[str, ...]],
    problems: list[str] | dict[str, list[str]],
) -> None:
    """What a database tool can do to a live store that cpctl never would; each is named by reference, and the
    checks that would misread such a store wait (a note says so) instead of failing on it."""
    statements = damage if isinstance(damage, list) else damage[casework.backend]
    statements = type(statements)(sql.format(plan=plan_id(casework)) for sql in statements)
    if isinstance(statements, tuple):  # this database refuses the damage: the store stays whole
        with pytest.raises(Exception):  # noqa: B017 (the driver's own error)
            execute(casework, *statements)
        assert check(cli, casework) == []
        return
    execute(casework, *statements)
    result = cli("--db", str(casework), "db", "check")
    assert "Testwood" not in result.output and "Jamie" not in result.output
    found = check(cli, casework)
    for problem in problems if isinstance(problems, list) else problems[casework.backend]:
        assert problem in found, found


# -- a store others can read: a safety problem, not damage ---------------------------------------------------------
@pytest.mark.sqlite_only(reason="file modes")
def test_a_store_others_can_read_is_a_problem(cli: Run, casework: StoreRef) -> None:
    """Exit 1: `db check` is what a scheduled job runs, and a store anyone can read must not pass it quietly. Its
    error line says what fixes it (a backup would not)."""
    path = casework.path
    assert path is not None
    path.chmod(0o644)
    line = (
        f"the store {path} can be read by anyone on this computer (mode 0644), and SQLite gives the files it makes "
        "beside it the same mode: run `cpctl db secure` to make the store's files yours alone."
    )
    result = cli("--db", str(path), "db", "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:] == [f"  problem: {line}"]
    assert result.stderr == (
        "Error: others can read or change the store's files; run `cpctl db secure` to make them yours alone, then "
        "check again.\n"
    )
    report = json.loads(cli("--db", str(path), "db", "check", "--json").stdout)
    assert (report["ok"], report["problems"]) == (False, [line])
    execute(casework, "UPDATE plan SET number = 2 WHERE id = 1")  # damage as well: the damage leads
    assert cli("--db", str(path), "db", "check").stderr == FAILED.format(n=1, s="").replace(
        "report it.\n", "report it. Others can reach its files too: run `cpctl db secure`.\n"
    )
    execute(casework, "UPDATE plan SET number = 1 WHERE id = 1")
    ok(cli("--db", str(path), "db", "secure"))
    assert check(cli, casework) == []
