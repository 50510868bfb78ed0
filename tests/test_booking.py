"""Booking a conference: `conference book`, move, cancel, report, show and list a booking, `conference new
--booking`, and the deadlines a booking sets (invitations, reports to the chair, reports shared with the parents)."""

from __future__ import annotations

import json
import shlex
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backends import StoreRef
from cpctl.cli import app
from cpctl.demo import testwoods as demo
from cpctl.store.models import AuditEntry, Booking, BookingInvitee, Deadline

DEMO_TODAY = date(2026, 11, 22)  # the demo family's initial conference was on Monday 16 November 2026


def _monday_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 or 7)


REVIEW = _monday_after(date.today() + timedelta(days=28))  # a review, booked four weeks or more ahead


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPCTL_DATA_DIR", str(tmp_path / "data"))
    for name in ("CPCTL_DB", "CPCTL_NO_AUTO_UPGRADE", "CPCTL_DEBUG", "CPCTL_PROFILE_OVERRIDES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CPCTL_USER", "synthetic-chair")
    monkeypatch.setenv("COLUMNS", "220")


@pytest.fixture
def demo_store(make_store) -> StoreRef:
    """The demo family with their initial conference (16 Nov 2026): Jamie and Mia are on plans."""
    path = make_store("demo.db")
    store = path.open()
    demo.build(store, today=DEMO_TODAY)
    demo.record_initial_conference(store, today=DEMO_TODAY)
    store.dispose()
    return path


def run(db: StoreRef, *args: str):
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    assert "Traceback" not in result.output
    return result


def ok(db: StoreRef, *args: str) -> str:
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def book_review(db: StoreRef, *extra: str) -> str:
    """The Testwoods' review: both parents, the social worker, the health visitor and the school (reports)."""
    out = ok(
        db,
        "conference",
        "book",
        "--child",
        "DEMO-1001",
        "--child",
        "DEMO-1002",
        "--date",
        REVIEW.isoformat(),
        "--time",
        "10:00",
        "--venue",
        "Northshire Family Centre",
        "--invite",
        "P00002",
        "--invite",
        "P00003",
        "--invite",
        "P00004",
        "--invite",
        "P00005",
        "--invite",
        "P00006",
        "--no-report",
        "P00004",
        "--interpreter",
        "Polish",
        *extra,
    )
    return out.split()[3]  # "Booked review conference BK00001 for ..."


def booking_deadlines(db: StoreRef) -> list[Deadline]:
    store = db.open()
    try:
        with store.read() as session:
            from sqlmodel import col, select

            return list(
                session.exec(
                    select(Deadline)
                    .where(col(Deadline.booking_id).is_not(None))
                    .order_by(col(Deadline.child_id), col(Deadline.kind), col(Deadline.person_id))
                ).all()
            )
    finally:
        store.dispose()


def test_book_sets_one_deadline_of_each_kind_per_child_and_report(demo_store: StoreRef) -> None:
    ref = book_review(demo_store)
    assert ref == "BK00001"
    rows = booking_deadlines(demo_store)
    # per child: invitations (1), and for the health visitor and the school a report in and a report shared (4)
    assert len(rows) == 10
    kinds = sorted({(r.kind, r.person_id) for r in rows}, key=lambda kp: (kp[0], kp[1] or 0))
    assert [k for k, _ in kinds] == [
        "invitations-sent",
        "report-received",
        "report-received",
        "report-shared",
        "report-shared",
    ]
    review = {r.kind: r for r in rows}
    assert all(r.status == "open" and r.chair_id is not None for r in rows)
    invitations = json.loads(review["invitations-sent"].explanation)
    assert invitations["rule"] == "invitations-sent"
    assert "5 working days before the review child protection conference on" in invitations["sentence"]
    shared = json.loads(review["report-shared"].explanation)
    assert shared["rule"] == "reports-shared-review"  # a review: 5 working days, not the initial's 3
    assert review["report-shared"].due_on < REVIEW
    assert "Sussex" in shared["source"]


def test_booking_refuses_what_cannot_be(demo_store: StoreRef) -> None:
    past = run(demo_store, "conference", "book", "--child", "DEMO-1001", "--date", "2026-01-05")
    assert past.exit_code != 0 and "has passed" in past.stderr
    initial = run(
        demo_store, "conference", "book", "--child", "DEMO-1001", "--kind", "initial", "--date", REVIEW.isoformat()
    )
    assert initial.exit_code != 0 and "book a review conference" in initial.stderr
    parent_report = run(
        demo_store,
        "conference",
        "book",
        "--child",
        "DEMO-1001",
        "--date",
        REVIEW.isoformat(),
        "--invite",
        "P00002=agency",
    )
    assert parent_report.exit_code != 0 and "not a professional" in parent_report.stderr
    twice = run(
        demo_store,
        "conference",
        "book",
        "--child",
        "DEMO-1001",
        "--date",
        REVIEW.isoformat(),
        "--invite",
        "P00004",
        "--invite",
        "P00004",
    )
    assert twice.exit_code != 0 and "invited twice" in twice.stderr
    assert "Traceback" not in twice.output


def test_show_says_what_is_missing_and_report_records_it(demo_store: StoreRef) -> None:
    ref = book_review(demo_store)
    shown = ok(demo_store, "conference", "show", ref)
    assert "Interpreter: Polish" in shown
    assert "Not ready yet:" in shown
    assert "report from Ola Brennan (P00005) missing" in shown
    assert "invite Sam Testwood (P00002)" in shown
    today = date.today().isoformat()
    said = ok(demo_store, "conference", "report", ref, "--from", "P00005", "--received", today)
    assert said.startswith(f"{ref}: report from Ola Brennan received")
    ok(demo_store, "conference", "report", ref, "--from", "P00005", "--shared", today)
    again = ok(demo_store, "conference", "report", ref, "--from", "P00005", "--shared", today)
    assert "nothing changed" in again
    record = json.loads(ok(demo_store, "conference", "show", ref, "--json"))
    ola = next(i for i in record["invitees"] if i["ref"] == "P00005")
    assert ola["report_received_on"] == today and ola["report_shared_on"] == today
    assert ola["report_late"] is False
    rows = [r for r in booking_deadlines(demo_store) if r.person_id is not None]
    met = [r for r in rows if r.status == "met"]
    assert len(met) == 4  # received and shared, for each of the two children
    not_asked = run(demo_store, "conference", "report", ref, "--from", "P00002", "--received", today)
    assert not_asked.exit_code != 0 and "not as an agency" in not_asked.stderr
    future = run(
        demo_store, "conference", "report", ref, "--from", "P00006", "--received", (REVIEW + timedelta(1)).isoformat()
    )
    assert future.exit_code != 0 and "in the future" in future.stderr


def test_invitations_are_met_when_everyone_is_invited(demo_store: StoreRef) -> None:
    ref = book_review(demo_store)
    store = demo_store.open()
    days = [date.today() - timedelta(days=2), date.today() - timedelta(days=1)]
    with store.write() as session:
        from sqlmodel import select

        from cpctl.casework import booking, schedule

        row = booking.find(session, ref)
        invitees = session.exec(select(BookingInvitee).where(BookingInvitee.booking_id == row.id)).all()
        for index, invitee in enumerate(invitees):
            invitee.invited_on = days[0] if index else days[1]
            session.add(invitee)
        session.flush()
        for child in booking.children_of(session, row):
            schedule.refresh_child(session, child)
    store.dispose()
    invitations = [r for r in booking_deadlines(demo_store) if r.kind == "invitations-sent"]
    assert [(r.status, r.met_on) for r in invitations] == [("met", days[1]), ("met", days[1])]


def test_move_and_cancel_with_a_reason_and_the_deadlines_follow(demo_store: StoreRef) -> None:
    ref = book_review(demo_store)
    before = {(r.kind, r.person_id): r.due_on for r in booking_deadlines(demo_store)}
    later = REVIEW + timedelta(days=7)
    no_reason = run(demo_store, "conference", "move", ref, "--to", later.isoformat())
    assert no_reason.exit_code != 0 and "--reason" in no_reason.stderr
    moved = ok(demo_store, "conference", "move", ref, "--to", later.isoformat(), "--reason", "The school is closed.")
    assert moved.startswith(f"Moved {ref} from ")
    after = {(r.kind, r.person_id): r.due_on for r in booking_deadlines(demo_store)}
    assert after.keys() == before.keys()
    assert all(before[key] < after[key] < later for key in before)
    shown = ok(demo_store, "conference", "show", ref)
    assert "Moved: The school is closed." in shown
    cancelled = ok(demo_store, "conference", "cancel", ref, "--reason", "The family moved away.")
    assert cancelled.startswith(f"Cancelled {ref}")
    assert booking_deadlines(demo_store) == []
    assert "CANCELLED: The family moved away." in ok(demo_store, "conference", "show", ref)
    again = run(demo_store, "conference", "move", ref, "--to", later.isoformat(), "--reason", "x")
    assert again.exit_code != 0 and "was cancelled" in again.stderr
    store = demo_store.open()
    with store.read() as session:
        from sqlmodel import select

        actions = [e.action for e in session.exec(select(AuditEntry).where(AuditEntry.entity == "booking")).all()]
    store.dispose()
    assert actions == ["booking.add", "booking.move", "booking.cancel"]


def test_move_of_a_recorded_conference_takes_no_reason(demo_store: StoreRef) -> None:
    result = run(demo_store, "conference", "move", "CF00001", "--to", "2026-11-17", "--reason", "typo")
    assert result.exit_code != 0 and "conference correct" in result.stderr


def test_list_booked(demo_store: StoreRef) -> None:
    assert "No conferences booked" in ok(demo_store, "conference", "list", "--booked")
    ref = book_review(demo_store)
    listed = ok(demo_store, "conference", "list", "--booked")
    assert ref in listed and "DEMO-1001, DEMO-1002" in listed and "0 of 2" in listed
    rows = json.loads(ok(demo_store, "conference", "list", "--booked", "--json", "--child", "DEMO-1002"))
    assert [r["ref"] for r in rows] == [ref]


def test_book_from_a_file(demo_store: StoreRef, tmp_path: Path) -> None:
    path = tmp_path / "booking.yaml"
    path.write_text(
        f"date: {REVIEW.isoformat()}\ntime: '14:30'\nvirtual: true\nchildren: [DEMO-1001]\n"
        "invitees:\n  - {person: P00002}\n  - {person: P00006, role: agency}\n  - {person: P00005, report: false}\n"
    )
    said = ok(demo_store, "conference", "book", "--from", str(path))
    assert said.startswith("Booked review conference BK00001")
    record = json.loads(ok(demo_store, "conference", "show", "BK00001", "--json"))
    assert record["virtual"] is True and record["time"] == "14:30"
    assert [(i["ref"], i["role"], i["report_requested"]) for i in record["invitees"]] == [
        ("P00002", "parent", False),
        ("P00005", "agency", False),
        ("P00006", "agency", True),
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"date: {REVIEW.isoformat()}\nchildren: [DEMO-1001]\ninvitees:\n  - {{person: P99999}}\n")
    refused = run(demo_store, "conference", "book", "--from", str(bad))
    assert refused.exit_code != 0
    assert "bad.yaml, line 4" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    both = run(demo_store, "conference", "book", "--from", str(path), "--child", "DEMO-1001")
    assert both.exit_code != 0


def test_new_from_the_booking_marks_it_held_and_closes_what_it_waited_for(
    demo_store: StoreRef, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = book_review(demo_store)
    store = demo_store.open()
    with store.write() as session:  # held today, as if booked for today: a conference is recorded once held
        from sqlmodel import select

        row = session.exec(select(Booking).where(Booking.ref == ref)).one()
        row.booked_for = date.today()
        session.add(row)
    store.dispose()
    # The prefilled document, saved as it is (with a comment added, so that it counts as saved).
    script = tmp_path / "editor.py"
    script.write_text("import sys\nwith open(sys.argv[1], 'a') as f:\n    f.write('# read\\n')\n")
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    monkeypatch.delenv("VISUAL", raising=False)
    result = run(demo_store, "conference", "new", "--booking", ref, "--draft")
    assert result.exit_code == 0, result.output
    shown = json.loads(ok(demo_store, "conference", "show", ref, "--json"))
    assert shown["status"] == "held" and shown["conference"] == "CF00002"
    conference = json.loads(ok(demo_store, "conference", "show", "CF00002", "--json"))
    assert conference["kind"] == "review"
    assert conference["venue"] == "Northshire Family Centre" and conference["time"] == "10:00"
    assert {a["ref"] for a in conference["attendance"]} >= {"P00002", "P00003", "P00005", "P00006"}
    rows = booking_deadlines(demo_store)
    assert rows and all(r.status == "closed" and r.closed_on == date.today() for r in rows)
    again = run(demo_store, "conference", "new", "--booking", ref)
    assert again.exit_code != 0 and "recorded already" in again.stderr


def test_the_outcome_letter_is_met_by_its_event_in_the_store_and_due_shows_it(demo_store: StoreRef) -> None:
    due = json.loads(ok(demo_store, "due", "--json", "--all", "--on", DEMO_TODAY.isoformat(), "--child", "DEMO-1001"))
    letter = next(r for r in due if r["kind"] == "outcome-letter")
    assert letter["what"] == "Outcome letter sent" and letter["due"] == "2026-11-17" and letter["overdue"]
    assert "1 working day after the initial child protection conference" in letter["explanation"]["sentence"]
    store = demo_store.open()
    with store.write() as session:  # what `conference letter` (written elsewhere) records once every parent has one
        from sqlmodel import select

        from cpctl.casework import people, schedule
        from cpctl.store.models import CaseEvent, Conference

        conference = session.exec(select(Conference).where(Conference.ref == "CF00001")).one()
        child = people.find_child(session, "DEMO-1001")
        session.add(
            CaseEvent(
                child_id=child.id or 0,
                kind="outcome-letter-sent",
                happened_on=date(2026, 11, 17),
                conference_id=conference.id,
            )
        )
        session.flush()
        schedule.refresh_child(session, child)
    store.dispose()
    due = json.loads(ok(demo_store, "due", "--json", "--all", "--on", DEMO_TODAY.isoformat()))
    letters = {r["child"] for r in due if r["kind"] == "outcome-letter"}
    assert letters == {"DEMO-1002"}  # Jamie's letter went; Mia's has not yet
    assert any(r["kind"] == "conference-record" and r["child"] == "DEMO-1001" for r in due)
    check = run(demo_store, "db", "check")
    assert check.exit_code == 0, check.output


def test_due_names_whose_report_it_waits_for(demo_store: StoreRef) -> None:
    ref = book_review(demo_store)
    due = json.loads(ok(demo_store, "due", "--json", "--all", "--child", "DEMO-1001"))
    reports = sorted(r["what"] for r in due if r["kind"] == "report-received")
    assert reports == [f"Report to the chair: Ola Brennan ({ref})", f"Report to the chair: Tom Hale ({ref})"]
    table = ok(demo_store, "due", "--all", "--child", "DEMO-1001", "--explain")
    assert "Report shared with the parents: Tom Hale" in table
    assert "5 working days before the review child protection conference" in table


def test_the_demo_books_its_review_and_one_report_comes_late(make_store) -> None:
    path = make_store("plan-life.db")
    store = path.open()
    demo.build(store)
    demo.record_plan_life(store)
    store.dispose()
    record = json.loads(ok(path, "conference", "show", "BK00001", "--json"))
    assert record["status"] == "held" and record["conference"] == "CF00002"
    assert all(i["invited_on"] for i in record["invitees"])
    late = {i["ref"] for i in record["invitees"] if i["report_late"]}
    assert "P00006" in late and "P00005" not in late
    check = run(path, "db", "check")
    assert check.exit_code == 0, check.output
