"""The conference cycle's deadlines in every profile: the steps before a booked conference (rules that count
back, `before:`), and the outcome letter and the record after it, with their explanations and sources."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cpctl.casework import schedule
from cpctl.errors import Invalid
from cpctl.rules import profile, timescales
from cpctl.rules.profile_files import BEFORE_RULES
from cpctl.store.models import Booking, BookingInvitee, CaseEvent, Child, Plan

PROFILES = ("england", "wales", "scotland", "northern-ireland", "guernsey")
BEFORE = ("invitations-sent", "reports-to-chair", "reports-to-chair-review", "reports-shared", "reports-shared-review")
AFTER = ("outcome-letter", "conference-record")
REVIEW_DAY = date(2027, 3, 8)  # a Monday; Easter 2027 (26 and 29 March) falls in the weeks after it


@pytest.fixture(autouse=True)
def _data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPCTL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CPCTL_PROFILE_OVERRIDES", raising=False)


@pytest.mark.parametrize("name", PROFILES)
def test_every_profile_has_every_cycle_rule_with_its_source(name: str) -> None:
    loaded = profile.load(name)
    for rule_name in (*BEFORE, *AFTER):
        rule = loaded.rule(rule_name)
        assert rule.direction == ("before" if rule_name in BEFORE else "after")
        assert rule.source.strip()
        if "cpctl local default" in rule.source:
            assert rule.note, f"{name} {rule_name}: a local default says why in its note"
    assert set(BEFORE) == BEFORE_RULES


# (profile, rule) -> the due date for a conference on Monday 8 March 2027, and words its explanation says
EXPECTED = {
    ("england", "reports-shared"): (date(2027, 3, 3), "3 working days before the initial child protection conference"),
    ("england", "reports-shared-review"): (date(2027, 3, 1), "5 working days before the review child protection"),
    ("england", "invitations-sent"): (date(2027, 3, 1), "5 working days before the child protection conference"),
    ("england", "outcome-letter"): (date(2027, 3, 9), "1 working day after the child protection conference"),
    ("england", "conference-record"): (date(2027, 3, 31), "skipping Good Friday on 26 Mar 2027, Easter Monday"),
    ("wales", "outcome-letter"): (date(2027, 3, 15), "5 working days after the child protection conference"),
    ("wales", "conference-record"): (date(2027, 4, 7), "20 working days after"),
    ("scotland", "invitations-sent"): (date(2027, 3, 3), "5 days before the Child Protection Planning Meeting"),
    ("scotland", "outcome-letter"): (date(2027, 3, 10), "2 days after the Child Protection Planning Meeting"),
    ("scotland", "conference-record"): (date(2027, 3, 18), "10 days after the Child Protection Planning Meeting"),
    ("northern-ireland", "reports-shared"): (
        date(2027, 3, 3),
        "3 working days before the initial child protection case",
    ),
    ("northern-ireland", "conference-record"): (date(2027, 4, 1), "skipping Saint Patrick's Day on 17 Mar 2027"),
    ("guernsey", "conference-record"): (date(2027, 3, 22), "10 working days after the child protection conference"),
    ("guernsey", "reports-to-chair-review"): (date(2027, 3, 1), "5 working days before the review"),
}


@pytest.mark.parametrize(("name", "rule"), sorted(EXPECTED))
def test_each_rule_falls_due_as_its_procedure_says(name: str, rule: str) -> None:
    due, why = timescales.due(profile.load(name), rule, REVIEW_DAY)
    expected, words = EXPECTED[(name, rule)]
    assert due == expected, why.sentence()
    assert words in why.sentence()
    assert f"rule {rule}, {why.source}" in why.sentence()


def test_a_before_rule_on_a_closed_day_moves_earlier_never_later() -> None:
    scotland = profile.load("scotland")
    # 5 days before Thursday 6 May 2027 is Saturday 1 May: the notice goes out on Friday 30 April.
    due, why = timescales.due(scotland, "invitations-sent", date(2027, 5, 6))
    assert due == date(2027, 4, 30)
    assert why.moved_from == date(2027, 5, 1)
    assert "brought forward to the working day before, so that it is done before the" in why.sentence()
    # Working days counted back skip the bank holidays between: 5 working days before Tuesday 4 January 2027.
    due, why = timescales.due(profile.load("england"), "invitations-sent", date(2027, 1, 4))
    assert due == date(2026, 12, 23)
    assert "skipping Christmas Day on 25 Dec 2026" in why.sentence()


def test_an_override_keeps_the_rule_counting_before_or_turns_it(tmp_path: Path) -> None:
    from cpctl.rules import overrides

    path = tmp_path / "england.yaml"
    overrides.set_override("england", "rules.reports-shared", "2 working-days", source="Our procedure 4.2", path=path)
    loaded = profile.load("england", override_path=path)
    rule = loaded.rule("reports-shared")
    assert (rule.amount, rule.direction, rule.after, rule.source) == (
        2,
        "before",
        "initial-conference",
        "Our procedure 4.2",
    )
    overrides.set_override("england", "rules.outcome-letter", "3 working-days before conference", path=path)
    turned = profile.load("england", override_path=path).rule("outcome-letter")
    assert (turned.direction, turned.after) == ("before", "conference")
    path.write_text("rules:\n  reports-shared: {amount: 2, unit: days, after: conference, before: conference}\n")
    with pytest.raises(Invalid, match="both after and before"):
        profile.load("england", override_path=path)


# -- the schedule: a booking's deadlines, and the documents after a conference (pure: no store) ----------------------
def _child() -> Child:
    return Child(id=1, ref="C00001", given_name="Jamie", family_name="Testwood", date_of_birth=date(2019, 3, 2))


def _plan() -> Plan:
    return Plan(
        id=1,
        child_id=1,
        number=1,
        started_on=date(2026, 11, 16),
        start_conference_id=1,
        initial_categories='["NEG"]',
        latest_categories='["NEG"]',
        lead_worker_id=4,
    )


def _events() -> list[CaseEvent]:
    return [
        CaseEvent(
            id=1,
            child_id=1,
            plan_id=1,
            kind="conference",
            detail="initial",
            happened_on=date(2026, 11, 16),
            conference_id=1,
        )
    ]


def _booked(status: str = "booked", **invitee: object) -> schedule.Booked:
    booking = Booking(
        id=7,
        ref="BK00007",
        kind="review",
        booked_for=REVIEW_DAY,
        chair_id=1,
        booked_on=date(2027, 1, 4),
        status=status,
        recorded_at="",
        conference_id=2 if status == "held" else None,
    )
    invitees = [
        BookingInvitee(booking_id=7, person_id=2, role="parent", invited_on=date(2027, 2, 1)),
        BookingInvitee(booking_id=7, person_id=5, role="agency", report_requested=True, **invitee),
    ]
    return schedule.Booked(booking, invitees)


@pytest.mark.parametrize("name", PROFILES)
def test_a_booking_sets_its_deadlines_in_every_profile(name: str) -> None:
    loaded = profile.load(name)
    found = [
        c
        for c in schedule.compute(_child(), [_plan()], _events(), loaded, bookings=[_booked()])
        if c.booking_id is not None
    ]
    assert [(c.kind, c.person_id, c.status) for c in found] == [
        ("invitations-sent", None, "open"),  # the agency has not been invited yet
        ("report-received", 5, "open"),
        ("report-shared", 5, "open"),
    ]
    assert all(c.due_on < REVIEW_DAY and c.chair_id == 1 and c.plan_id == 1 for c in found)
    rules = [c.explanation["rule"] for c in found]
    assert rules == ["invitations-sent", "reports-to-chair-review", "reports-shared-review"]
    assert all(" before the " in c.explanation["sentence"] for c in found)


def test_reports_are_met_by_their_days_and_a_held_booking_closes_the_rest() -> None:
    england = profile.load("england")
    found = schedule.compute(
        _child(), [_plan()], _events(), england, bookings=[_booked(report_received_on=date(2027, 2, 26))]
    )
    by_kind = {c.kind: c for c in found if c.booking_id}
    assert (by_kind["report-received"].status, by_kind["report-received"].met_on) == ("met", date(2027, 2, 26))
    assert by_kind["report-shared"].status == "open"
    held = _events() + [
        CaseEvent(
            id=2,
            child_id=1,
            plan_id=1,
            kind="conference",
            detail="review",
            happened_on=date(2027, 3, 9),
            conference_id=2,
        )
    ]
    after = schedule.compute(
        _child(), [_plan()], held, england, bookings=[_booked("held", report_received_on=date(2027, 2, 26))]
    )
    by_kind = {c.kind: c for c in after if c.booking_id}
    assert by_kind["report-received"].status == "met"
    assert (by_kind["report-shared"].status, by_kind["report-shared"].closed_on) == ("closed", date(2027, 3, 9))
    assert (by_kind["invitations-sent"].status, by_kind["invitations-sent"].closed_on) == ("closed", date(2027, 3, 9))


def test_a_cancelled_booking_has_no_deadlines() -> None:
    found = schedule.compute(_child(), [_plan()], _events(), profile.load("england"), bookings=[_booked("cancelled")])
    assert [c for c in found if c.booking_id] == []


@pytest.mark.parametrize(
    ("name", "letter", "record"),
    [
        ("england", date(2026, 11, 17), date(2026, 12, 7)),
        ("wales", date(2026, 11, 23), date(2026, 12, 14)),
        ("scotland", date(2026, 11, 18), date(2026, 11, 26)),
        ("northern-ireland", date(2026, 11, 17), date(2026, 12, 7)),
        ("guernsey", date(2026, 11, 17), date(2026, 11, 30)),
    ],
)
def test_the_outcome_letter_and_the_record_are_due_after_each_conference(name: str, letter: date, record: date) -> None:
    found = {c.kind: c for c in schedule.compute(_child(), [_plan()], _events(), profile.load(name))}
    assert found["outcome-letter"].due_on == letter, found["outcome-letter"].explanation["sentence"]
    assert found["conference-record"].due_on == record, found["conference-record"].explanation["sentence"]
    assert found["outcome-letter"].explanation["rule"] == "outcome-letter"
    assert found["outcome-letter"].status == found["conference-record"].status == "open"


def test_the_documents_are_met_by_their_events_for_that_conference_and_closed_by_the_next() -> None:
    england = profile.load("england")
    events = _events() + [
        CaseEvent(
            id=5, child_id=1, plan_id=1, kind="outcome-letter-sent", happened_on=date(2026, 11, 17), conference_id=1
        ),
        CaseEvent(id=6, child_id=1, plan_id=1, kind="record-sent", happened_on=date(2026, 11, 20), conference_id=99),
    ]
    found = {c.kind: c for c in schedule.compute(_child(), [_plan()], events, england)}
    assert found["outcome-letter"].status == "met" and found["outcome-letter"].met is events[1]
    assert found["conference-record"].status == "open"  # the record sent was another conference's
    review = CaseEvent(
        id=7, child_id=1, plan_id=1, kind="conference", detail="review", happened_on=date(2027, 2, 15), conference_id=2
    )
    later = [c for c in schedule.compute(_child(), [_plan()], [*events, review], england) if c.event_id == 1]
    record = next(c for c in later if c.kind == "conference-record")
    assert (record.status, record.closed_on) == ("closed", date(2027, 2, 15))
