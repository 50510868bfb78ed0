"""The synthetic store of the benchmarks: what it writes is what cpctl itself would write, and cpctl reads it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from helpers import Run, ok, ok_json, rows

TODAY = date(2026, 6, 15)


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic authority with 20 children on plans today, their history, and plans that ended."""
    import os

    from cpctl.demo import synthetic
    from cpctl.paths import sqlite_url
    from cpctl.store.database import Store

    path = tmp_path_factory.mktemp("synthetic") / "synthetic.db"
    before = os.environ.get("CPCTL_USER")
    os.environ["CPCTL_USER"] = "synthetic.maker"
    store = Store(sqlite_url(path))
    try:
        summary = synthetic.build(store, children=20, today=TODAY, children_per_transaction=15)
    finally:
        store.dispose()
        if before is None:
            del os.environ["CPCTL_USER"]
        else:
            os.environ["CPCTL_USER"] = before
    assert summary.children_on_plans == 20
    return path


def test_it_holds_20_children_on_plans_and_plans_that_ended(synthetic_store: Path) -> None:
    assert rows(synthetic_store, "SELECT count(*) FROM plan WHERE ended_on IS NULL") == [(20,)]
    ended = rows(synthetic_store, "SELECT count(*) FROM plan WHERE ended_on IS NOT NULL")[0][0]
    assert ended >= 6  # 62 a year for every 50 on a plan: 6 in the last three months, and earlier plans
    for table in ("conference", "decision", "plan_version", "core_group_meeting", "visit", "case_event", "deadline"):
        assert rows(synthetic_store, f"SELECT count(*) FROM {table}")[0][0] > 0, table


def test_the_store_is_sound(synthetic_store: Path) -> None:
    assert rows(synthetic_store, "PRAGMA integrity_check") == [("ok",)]
    assert rows(synthetic_store, "PRAGMA foreign_key_check") == []


def test_cpctl_db_check_finds_nothing_wrong(synthetic_store: Path, cli: Run) -> None:
    """cpctl's own invariants across tables, the deadlines recomputed and compared, and the audit chain."""
    assert ok(cli("--db", str(synthetic_store), "db", "check")).splitlines()[-1] == "No problems found."


def test_plans_and_decisions_are_valid_documents(synthetic_store: Path) -> None:
    from cpctl.casework.plan import DecisionDetails, PlanContent

    for content, gaps, draft in rows(synthetic_store, "SELECT content, gaps, draft FROM plan_version"):
        PlanContent.model_validate_json(content)
        assert bool(json.loads(gaps)) == bool(draft)
    for (details,) in rows(synthetic_store, "SELECT details FROM decision"):
        DecisionDetails.model_validate_json(details)


def test_core_group_records_are_the_json_cpctl_writes(synthetic_store: Path) -> None:
    for attendance, progress in rows(synthetic_store, "SELECT attendance, progress FROM core_group_meeting"):
        for text in (attendance, progress):
            assert json.dumps(json.loads(text), ensure_ascii=False) == text


def test_every_plan_has_its_conferences_and_events(synthetic_store: Path) -> None:
    plans = rows(synthetic_store, "SELECT id, started_on, ended_on, start_conference_id, end_conference_id FROM plan")
    for plan_id, started, ended, start_conference, end_conference in plans:
        kinds = Counter(k for (k,) in rows(synthetic_store, "SELECT kind FROM case_event WHERE plan_id = ?", [plan_id]))
        assert kinds["plan-start"] == 1
        assert kinds["plan-end"] == (1 if ended else 0)
        held = rows(synthetic_store, "SELECT held_on FROM conference WHERE id = ?", [start_conference])
        assert held == [(started,)]
        if ended:
            assert rows(synthetic_store, "SELECT held_on FROM conference WHERE id = ?", [end_conference]) == [(ended,)]
        outside = rows(
            synthetic_store,
            "SELECT count(*) FROM visit WHERE plan_id = ? "
            "AND (visited_on < ? OR visited_on > coalesce(?, '9999-12-31'))",
            [plan_id, started, ended],
        )
        assert outside == [(0,)]
    assert rows(
        synthetic_store,
        "SELECT count(*) FROM visit v JOIN child c ON c.id = v.child_id "
        "WHERE c.date_of_birth IS NULL OR v.visited_on < c.date_of_birth",
    ) == [(0,)]


def test_every_child_has_the_census_items_and_a_team(synthetic_store: Path) -> None:
    from cpctl.casework import census_items
    from cpctl.rules import census_codes

    children = rows(
        synthetic_store, "SELECT upn, upn_unknown, census_gender, ethnicity, disabilities, team_id FROM child"
    )
    for upn, unknown, sex, ethnicity, disabilities, team in children:
        assert (upn is None) != (unknown is None)
        if upn is not None:
            assert census_items.upn(upn) == upn  # the format and the check letter
        else:
            assert unknown in census_codes.UPN_UNKNOWN
        assert sex in census_codes.GENDER and ethnicity in census_codes.ETHNICITY
        assert census_items.disabilities(disabilities.split(",")) == disabilities
        assert team is not None
    assert 8 <= rows(synthetic_store, "SELECT count(*) FROM team")[0][0] <= 20
    assert rows(synthetic_store, "SELECT value FROM setting WHERE key = 'census_lea'") == [("999",)]


def test_every_plan_and_enquiry_sits_in_one_child_in_need_episode(synthetic_store: Path) -> None:
    from cpctl.rules import census_codes

    held = (
        "SELECT count(*) FROM cin_episode e WHERE e.child_id = x.child_id AND e.referral_on <= x.{day} "
        "AND (e.closed_on IS NULL OR x.{day} <= e.closed_on)"
    )
    assert rows(synthetic_store, f"SELECT count(*) FROM plan x WHERE ({held.format(day='started_on')}) != 1") == [(0,)]
    assert rows(synthetic_store, f"SELECT count(*) FROM section47 x WHERE ({held.format(day='started_on')}) != 1") == [
        (0,)
    ]
    for source, need, closed, reason in rows(
        synthetic_store, "SELECT referral_source, primary_need, closed_on, closure_reason FROM cin_episode"
    ):
        assert source in census_codes.REFERRAL_SOURCE and need in census_codes.PRIMARY_NEED
        assert (closed is None) == (reason is None)
    # every initial conference has its enquiry, started on or before it; a transfer-in has none
    assert (
        rows(
            synthetic_store,
            "SELECT c.kind, count(s.id), sum(s.started_on <= c.held_on) FROM conference c "
            "LEFT JOIN section47 s ON s.conference_id = c.id WHERE c.kind IN ('initial', 'pre-birth-initial') "
            "GROUP BY c.id HAVING count(s.id) = 0 OR sum(s.started_on <= c.held_on) != count(s.id)",
        )
        == []
    )


def test_the_audit_chain_holds(synthetic_store: Path) -> None:
    from cpctl.store import audit

    previous = audit.GENESIS
    entries = rows(
        synthetic_store,
        "SELECT at, actor, action, entity, entity_id, summary, changes, prev_hash, hash FROM audit_entry ORDER BY id",
    )
    assert len(entries) > 1000
    for at, actor, action, entity, entity_id, summary, changes, prev_hash, digest in entries:
        assert prev_hash == previous
        assert digest == audit.entry_hash(prev_hash, at, actor, action, entity, entity_id, summary, changes)
        assert json.dumps(json.loads(changes), ensure_ascii=False, sort_keys=True) == changes  # as audit.record
        previous = digest
    actions = {action for _, _, action, *_ in entries}
    assert {"conference.add", "decision.add", "core-group.add", "plan.revise", "visit.add", "child.add"} <= actions


def test_stored_deadlines_are_what_cpctl_computes(synthetic_store: Path) -> None:
    from cpctl.casework import schedule
    from cpctl.paths import sqlite_url
    from cpctl.store.database import Store
    from cpctl.store.models import Setting

    query = (
        "SELECT child_id, plan_id, kind, due_on, status, met_on, closed_on, event_id, met_event_id, worker_id, "
        "chair_id, explanation FROM deadline ORDER BY 1, 2, 3, 4, 8"
    )
    stored = rows(synthetic_store, query)
    store = Store(sqlite_url(synthetic_store))
    try:
        with store.write() as session:
            profile = schedule.load_profile(session)
            assert session.get(Setting, schedule.FINGERPRINT_KEY).value == schedule.fingerprint(profile)
            assert schedule.recompute(session, profile) == len(stored)
            recomputed = session.connection().exec_driver_sql(query).all()
            session.rollback()
    finally:
        store.dispose()
    assert [tuple(r) for r in recomputed] == stored


def test_cpctl_reads_it(synthetic_store: Path, cli: Run) -> None:
    db = ["--db", str(synthetic_store)]
    due = ok_json(cli(*db, "due", "--json", "--all", "--on", TODAY.isoformat()))
    open_count = rows(synthetic_store, "SELECT count(*) FROM deadline WHERE status = 'open'")[0][0]
    assert len(due) == open_count
    ((ref,),) = rows(
        synthetic_store, "SELECT c.ref FROM child c JOIN plan p ON p.child_id = c.id WHERE p.ended_on IS NULL LIMIT 1"
    )
    assert "Timeline" in ok(cli(*db, "child", "show", ref))
    assert f"({ref})" in ok(cli(*db, "plan", "show", ref))
    assert ok(cli(*db, "plan", "history", ref))


def test_cpctl_demo_children_builds_one(cli: Run, tmp_path: Path, store_path: Path) -> None:
    target = tmp_path / "authority.db"
    result = cli("demo", "--children", "5", "--db", str(target))
    assert result.exit_code == 0, result.output
    assert result.stderr.endswith(" children written\n")  # progress, on stderr
    out = result.stdout
    assert out.startswith(f"A synthetic authority in {target}: 5 children on plans today, ")
    assert " ".join(out.split()).endswith("Everyone in it is invented.")
    assert rows(target, "SELECT count(*) FROM plan WHERE ended_on IS NULL") == [(5,)]
    assert rows(target, "PRAGMA journal_mode") == [("wal",)]  # left as cpctl makes its stores
    assert not store_path.exists()


@pytest.mark.sqlite_only  # the generator writes SQLite files; on a server it refuses first (see below)
def test_the_generator_refuses_a_store_with_children(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"))
    result = cli("demo", "--children", "5", "--db", str(initialised))
    assert result.exit_code == 1
    assert result.stderr == "Error: that store already holds children; give the generator a new file with --db PATH.\n"


def test_due_shows_a_chair_the_plans_they_chair_or_lead(
    synthetic_store: Path, cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CPCTL_USER", "synthetic.maker")  # the store's own user: one of its chairs
    db = ["--db", str(synthetic_store)]
    ((me,),) = rows(synthetic_store, "SELECT person_id FROM app_user WHERE login = 'synthetic.maker'")
    ((ref,),) = rows(synthetic_store, "SELECT ref FROM person WHERE id = ?", [me])
    everyone = ok_json(cli(*db, "due", "--json", "--all", "--everyone", "--on", TODAY.isoformat()))
    mine = ok_json(cli(*db, "due", "--json", "--all", "--on", TODAY.isoformat()))
    assert 0 < len(mine) < len(everyone)
    assert all(ref in ((r["chair"] or {}).get("ref"), (r["lead_worker"] or {}).get("ref")) for r in mine)
    assert mine == [r for r in everyone if ref in ((r["chair"] or {}).get("ref"), (r["lead_worker"] or {}).get("ref"))]
    table = ok(cli(*db, "due", "--all", "--on", TODAY.isoformat()))
    assert "every open deadline in the plans you chair or lead" in table
    assert table.endswith("Every plan's deadlines: cpctl due --everyone\n")
    other = ok_json(cli(*db, "due", "--json", "--all", "--on", TODAY.isoformat(), "--kind", "review"))
    assert all(r["kind"] == "review" for r in other)
    assert ok_json(cli(*db, "due", "--json", "--all", "--child", everyone[0]["child"], "--on", TODAY.isoformat()))
