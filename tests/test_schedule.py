"""Deadlines derived from events: `cpctl due`, its formats, and the events that move deadlines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backends import StoreRef
from cpctl.cli import app
from cpctl.demo import testwoods as demo
from cpctl.store.database import Store
from cpctl.store.models import CaseEvent, Child, Plan

TODAY = date(2026, 11, 22)  # a Sunday; the demo's conference is held 6 days before, Monday 16 November


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPCTL_DATA_DIR", str(tmp_path / "data"))
    for name in (
        "CPCTL_DB",
        "CPCTL_NO_AUTO_UPGRADE",
        "CPCTL_DEBUG",
        "CPCTL_PROFILE_OVERRIDES",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CPCTL_USER", "synthetic-chair")
    monkeypatch.setenv("COLUMNS", "220")


@pytest.fixture
def demo_store(make_store) -> StoreRef:
    """The demo family with their initial conference (16 Nov 2026), as `cpctl demo` makes them."""
    path = make_store("demo.db")
    store = path.open()
    demo.build(store, today=TODAY)
    demo.record_initial_conference(store, today=TODAY)
    store.dispose()
    return path


def run(db: StoreRef, *args: str):
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    assert "Traceback" not in result.output
    return result


def due_json(db: StoreRef, *args: str) -> list[dict]:
    result = run(db, "due", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_demo_family_has_first_core_groups_due(demo_store: StoreRef) -> None:
    rows = due_json(demo_store, "--on", TODAY.isoformat())
    first = [r for r in rows if r["kind"] == "first-core-group"]
    # 10 working days after Monday 16 November 2026 (day 0): Monday 30 November.
    assert [(r["child"], r["due"]) for r in first] == [
        ("DEMO-1001", "2026-11-30"),
        ("DEMO-1002", "2026-11-30"),
    ]
    assert all(r["lead_worker"]["ref"] == "P00004" for r in first)
    assert all(r["chair"]["ref"] == "P00001" for r in first)
    assert first[0]["explanation"]["rule"] == "first-core-group"
    assert "Working Together" in first[0]["explanation"]["source"]


def test_table_is_british_and_soonest_first(demo_store: StoreRef) -> None:
    result = run(demo_store, "due", "--on", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert "Monday 30 November 2026" in result.stdout
    assert "in 8 days" in result.stdout
    assert result.stdout.index("DEMO-1001") < result.stdout.index("DEMO-1002")


def test_all_includes_first_review_and_long_plan_flag(demo_store: StoreRef) -> None:
    rows = due_json(demo_store, "--all", "--on", TODAY.isoformat(), "--child", "DEMO-1001")
    by_kind = {r["kind"]: r["due"] for r in rows}
    assert by_kind["first-review"] == "2027-02-16"  # three calendar months
    assert by_kind["long-plan"] == "2028-11-16"  # two years
    assert by_kind["child-seen"] == "2026-11-30"  # every 10 working days, from the plan and the profile


def test_overdue_is_flagged_and_exit_code_for_scripts(demo_store: StoreRef) -> None:
    later = (TODAY + timedelta(days=30)).isoformat()
    result = run(demo_store, "due", "--on", later, "--fail-if-overdue")
    assert result.exit_code == 3
    assert "overdue" in result.stdout
    rows = due_json(demo_store, "--on", later)
    assert any(r["overdue"] for r in rows)
    late = run(demo_store, "due", "--on", TODAY.isoformat(), "--fail-if-overdue")
    assert late.exit_code == 3  # the outcome letters of the conference on 16 November were due the next day
    _letters_sent(demo_store, date(2026, 11, 17))
    calm = run(demo_store, "due", "--on", TODAY.isoformat(), "--fail-if-overdue")
    assert calm.exit_code == 0, calm.output


def _letters_sent(db: StoreRef, on: date) -> None:
    """The outcome letter of each conference sent to every child's parents on `on` (as `conference letter` does)."""
    from sqlmodel import select

    from cpctl.casework import schedule

    store = db.open()
    with store.write() as session:
        held = session.exec(select(CaseEvent).where(CaseEvent.kind == "conference")).all()
        for event in held:
            session.add(
                CaseEvent(
                    child_id=event.child_id,
                    plan_id=event.plan_id,
                    kind="outcome-letter-sent",
                    happened_on=on,
                    conference_id=event.conference_id,
                )
            )
        session.flush()
        for child in session.exec(select(Child)).all():
            schedule.refresh_child(session, child)
    store.dispose()


def test_explain_names_rule_event_and_source(demo_store: StoreRef) -> None:
    result = run(demo_store, "due", "--on", TODAY.isoformat(), "--explain", "--kind", "first-core-group")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "10 working days after the" in text
    assert "Monday 16 November 2026" in text
    assert "rule first-core-group" in text


def test_filters_by_worker_chair_child_and_kind(demo_store: StoreRef) -> None:
    everything = due_json(demo_store, "--all", "--on", TODAY.isoformat())
    assert due_json(demo_store, "--all", "--on", TODAY.isoformat(), "--worker", "P00004") == everything
    assert due_json(demo_store, "--all", "--on", TODAY.isoformat(), "--worker", "P00005") == []
    assert due_json(demo_store, "--all", "--on", TODAY.isoformat(), "--chair", "Alex Morgan") == everything
    only_mia = due_json(demo_store, "--all", "--on", TODAY.isoformat(), "--child", "DEMO-1002")
    assert only_mia and {r["child"] for r in only_mia} == {"DEMO-1002"}
    reviews = due_json(demo_store, "--all", "--on", TODAY.isoformat(), "--kind", "first-review")
    assert {r["kind"] for r in reviews} == {"first-review"} and len(reviews) == 2
    bad = run(demo_store, "due", "--kind", "tea-break")
    assert bad.exit_code == 1
    assert bad.stderr.startswith("Error: unknown kind of deadline 'tea-break'")


def test_csv_and_ics_parse_back(demo_store: StoreRef) -> None:
    from icalendar import Calendar

    result = run(demo_store, "due", "--csv", "--all", "--on", TODAY.isoformat())
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["child"] for r in rows} == {"DEMO-1001", "DEMO-1002"}
    assert all(date.fromisoformat(r["due"]) for r in rows)
    ics = run(demo_store, "due", "--ics", "--all", "--on", TODAY.isoformat())
    assert ics.exit_code == 0, ics.output
    calendar = Calendar.from_ical(ics.stdout)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(rows)
    first = next(e for e in events if "DEMO-1001" in str(e["summary"]) and "first-core-group" in str(e["uid"]))
    assert first.decoded("dtstart") == date(2026, 11, 30)
    assert "Testwood" not in ics.stdout and "Jamie" not in ics.stdout  # ids only in calendars
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_output_file_and_one_format_only(demo_store: StoreRef, tmp_path: Path) -> None:
    target = tmp_path / "due.ics"
    result = run(demo_store, "due", "--ics", "-o", str(target), "--on", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("BEGIN:VCALENDAR")
    both = run(demo_store, "due", "--json", "--csv")
    assert both.exit_code == 2
    assert "choose one output format" in both.stderr


def test_an_output_file_is_private_and_its_mistakes_are_one_line(demo_store: StoreRef, tmp_path: Path) -> None:
    import stat

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "due.csv"
    assert run(demo_store, "due", "--csv", "-o", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # it names children
    missing = run(demo_store, "due", "--csv", "-o", str(tmp_path / "nowhere" / "due.csv"))
    assert (missing.exit_code, missing.stderr) == (
        1,
        f"Error: the folder {tmp_path / 'nowhere'} does not exist; create it or choose another file.\n",
    )
    folder = run(demo_store, "due", "--csv", "-o", str(tmp_path))
    assert (folder.exit_code, folder.stderr) == (1, f"Error: {tmp_path} is a folder; give a file name.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["due.csv"]  # nothing half-written left behind
    plain = run(demo_store, "due", "-o", str(tmp_path / "due.txt"))
    assert (plain.exit_code, plain.stderr) == (1, "Error: --output goes with --json, --csv or --ics.\n")


def test_moved_conference_moves_its_deadlines(demo_store: StoreRef) -> None:
    result = run(demo_store, "conference", "move", "CF00001", "2026-11-13")
    assert result.exit_code == 0, result.output
    first = due_json(demo_store, "--on", TODAY.isoformat(), "--kind", "first-core-group")
    # Friday 13 November + 10 working days = Friday 27 November.
    assert {r["due"] for r in first} == {"2026-11-27"}
    shown = json.loads(run(demo_store, "child", "show", "DEMO-1001", "--json").stdout)
    assert shown["plans"][0]["started_on"] == "2026-11-13"
    bad = run(demo_store, "conference", "move", "CF00001", "2099-01-01")
    assert bad.exit_code == 2 or bad.exit_code == 1
    assert "future" in bad.stderr


def test_ended_plan_closes_its_open_deadlines(demo_store: StoreRef, tmp_path: Path) -> None:
    review = tmp_path / "review.yaml"
    review.write_text(
        "kind: review\ndate: 2026-11-20\ndecisions:\n"
        "  - child: DEMO-1002\n    outcome: plan-ends\n"
        "    end_reason: Mia's needs are met at home and at nursery.\n"
        "    step_down: child in need plan\n"
        "attendance:\n  - {person: P00004, status: attended}\n  - {person: P00005, status: attended}\n"
        "  - {person: P00007, status: attended}\n"
    )
    result = CliRunner().invoke(app, ["--db", str(demo_store), "conference", "new", "--from", str(review)])
    assert result.exit_code == 0, result.output
    left = due_json(demo_store, "--all", "--on", TODAY.isoformat(), "--child", "DEMO-1002")
    # what is left is the review's own letter and record, which the family and agencies still get
    assert {(r["kind"], r["explanation"]["event_date"]) for r in left} == {
        ("outcome-letter", "2026-11-20"),
        ("conference-record", "2026-11-20"),
    }
    assert due_json(demo_store, "--all", "--on", TODAY.isoformat(), "--child", "DEMO-1001")


def test_strategy_discussion_starts_the_initial_conference_clock(make_store) -> None:
    path = make_store("s.db")
    store = path.open()
    demo.build(store, today=TODAY)
    store.dispose()
    result = run(path, "child", "strategy", "DEMO-1001", "--on", "2026-11-02")
    assert result.exit_code == 0, result.output
    rows = due_json(path, "--on", TODAY.isoformat())
    # 15 working days after Monday 2 November 2026: Monday 23 November.
    assert [(r["kind"], r["child"], r["due"]) for r in rows] == [("initial-conference", "DEMO-1001", "2026-11-23")]
    again = run(path, "child", "strategy", "DEMO-1001", "--on", "2026-11-02")
    assert "nothing changed" in again.stdout


def test_profile_change_recomputes_deadlines(demo_store: StoreRef, tmp_path: Path, monkeypatch) -> None:
    override = tmp_path / "northshire.yaml"
    override.write_text("rules:\n  first-core-group:\n    amount: 15\n    source: Northshire procedure 4.2\n")
    monkeypatch.setenv("CPCTL_PROFILE_OVERRIDES", str(override))
    result = run(demo_store, "due", "--json", "--all", "--on", TODAY.isoformat(), "--kind", "first-core-group")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["due"] for r in rows} == {"2026-12-07"}  # 15 working days after Monday 16 November
    assert rows[0]["explanation"]["source"] == "Northshire procedure 4.2"
    assert "recomputed" in result.stderr


@pytest.fixture
def plan_store(make_store) -> Iterator[Store]:
    store = make_store("p.db").open()
    demo.build(store, today=TODAY)
    demo.record_initial_conference(store, today=TODAY)
    yield store
    store.dispose()


def test_late_core_group_meets_the_deadline_late_and_starts_the_cycle(plan_store: Store) -> None:
    from cpctl.casework import schedule

    store = plan_store
    with store.write() as session:
        child = session.exec(schedule.select(Child).where(Child.ref == "DEMO-1001")).one()
        plan = session.exec(schedule.select(Plan).where(Plan.child_id == child.id)).one()
        session.add(CaseEvent(child_id=child.id, plan_id=plan.id, kind="core-group", happened_on=date(2026, 12, 4)))
        session.flush()
        schedule.refresh_child(session, child)
    with store.read() as session:
        from cpctl.store.models import Deadline

        rows = session.exec(schedule.select(Deadline).where(Deadline.child_id == child.id)).all()
        first = next(r for r in rows if r.kind == "first-core-group")
        assert first.status == "met" and first.met_on == date(2026, 12, 4) and first.met_on > first.due_on
        cycle = next(r for r in rows if r.kind == "core-group")
        assert cycle.status == "open" and cycle.due_on == date(2027, 1, 15)  # six weeks later
        sent = next(r for r in rows if r.kind == "plan-circulated")
        assert sent.due_on == date(2026, 12, 11)  # five working days


def test_pre_birth_review_is_the_earlier_of_its_rules(make_store) -> None:
    from cpctl.casework import conference

    db = make_store("pb.db")
    store = db.open()
    demo.build(store, today=TODAY)
    data = conference.ConferenceIn.model_validate(
        {
            "kind": "pre-birth-initial",
            "date": "2026-11-20",
            "attendance": [
                {"person": "P00004", "status": "attended"},
                {"person": "P00008", "status": "attended"},
                {"person": "P00005", "status": "attended"},
            ],
            "decisions": [
                {
                    "child": "DEMO-1003",
                    "outcome": "plan-starts",
                    "categories": ["NEG"],
                    "lead_worker": "P00004",
                    "save_as_draft": True,
                }
            ],
        }
    )
    with store.write() as session:
        conference.save(session, conference.prepare(session, data, today=TODAY))
    store.dispose()
    first = due_json(db, "--all", "--on", TODAY.isoformat(), "--kind", "first-review")
    # Three months after the pre-birth conference is Saturday 20 February 2027: brought forward to Friday 19.
    assert [r["due"] for r in first] == ["2027-02-19"]
    assert not due_json(db, "--all", "--on", TODAY.isoformat(), "--kind", "child-seen")  # not born yet
    born = run(db, "child", "edit", "DEMO-1003", "--dob", TODAY.isoformat())
    assert born.exit_code == 0, born.output
    first = due_json(db, "--all", "--on", TODAY.isoformat(), "--kind", "first-review")
    # 10 working days after the birth on Sunday 22 November 2026 is Friday 4 December: earlier than February.
    assert [r["due"] for r in first] == ["2026-12-04"]
    assert "earlier of the pre-birth rules" in first[0]["explanation"]["sentence"]
    assert due_json(db, "--all", "--on", TODAY.isoformat(), "--kind", "child-seen")


def test_seen_frequency_reads_plain_words() -> None:
    from cpctl.casework.schedule import seen_frequency

    assert seen_frequency("every 10 working days") == (10, "working-days")
    assert seen_frequency("Fortnightly, at home") == (2, "weeks")
    assert seen_frequency("at least every 4 weeks") == (4, "weeks")
    assert seen_frequency("weekly") == (1, "weeks")
    assert seen_frequency("every school day") == (1, "working-days")  # never a Saturday
    assert seen_frequency("every 2 school days") == (2, "working-days")
    assert seen_frequency("when needed") is None
    assert seen_frequency(None) is None


def test_grouped_by_worker_and_by_child(demo_store: Path) -> None:
    by_worker = run(demo_store, "due", "--all", "--on", TODAY.isoformat(), "--by", "worker")
    assert by_worker.exit_code == 0, by_worker.output
    assert by_worker.stdout.count("Jordan Ashby") >= 1
    by_child = run(demo_store, "due", "--all", "--on", TODAY.isoformat(), "--by", "child")
    titles = [line.strip() for line in by_child.stdout.splitlines() if line.strip().endswith(")")]
    assert titles == ["Jamie Testwood (DEMO-1001)", "Mia Testwood (DEMO-1002)"]
    wrong = run(demo_store, "due", "--by", "colour")
    assert wrong.exit_code == 2
    assert "group by worker, chair or child" in wrong.stderr


def test_scottish_store_speaks_of_planning_meetings(make_store) -> None:
    from cpctl.casework import conference, users

    scottish = make_store("scot.db")
    store = scottish.open()
    demo.build(store, today=TODAY)
    with store.write() as session:
        users.initialise(
            session, authority="Lochside Council (synthetic)", jurisdiction="scotland", name="Alex Morgan", role="chair"
        )
    data = conference.ConferenceIn.model_validate(
        {
            "kind": "initial",
            "date": "2026-11-16",
            "attendance": [{"person": p, "status": "attended"} for p in ("P00004", "P00005", "P00006")],
            "decisions": [
                {
                    "child": "DEMO-1001",
                    "outcome": "plan-starts",
                    "categories": ["neglect", "domestic-abuse"],
                    "lead_worker": "P00004",
                    "save_as_draft": True,
                }
            ],
        }
    )
    with store.write() as session:
        conference.save(session, conference.prepare(session, data, today=TODAY))
    store.dispose()
    rows = due_json(scottish, "--all", "--on", TODAY.isoformat())
    whats = {r["kind"]: r["what"] for r in rows}
    assert whats["first-review"] == "First review Child Protection Planning Meeting"
    assert whats["first-core-group"] == "First core group"
    first = next(r for r in rows if r["kind"] == "first-core-group")
    assert first["due"] == "2026-12-01"  # Scotland: 15 calendar days
    assert "Child Protection Planning Meeting" in first["explanation"]["sentence"]
