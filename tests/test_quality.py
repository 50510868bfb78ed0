"""Issue 15: the chair's quality assurance between conferences, midway reviews and escalations.

`cpctl review midway` and `cpctl escalation raise|respond|resolve` write a QualityCheck with its audit entry and
the case event the deadlines count from; each profile has the rules (local defaults, marked so); the deadlines
follow in `due`, `deadline`'s explanations and `child show`.
"""

# ruff: noqa: F811  (the fixtures imported from plan_fixtures are used as test arguments)
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from backends import StoreRef
from conference_fixtures import TODAY, days_ago
from cpctl.casework import schedule
from cpctl.dates import british
from cpctl.rules import profile, timescales
from cpctl.store.models import CaseEvent, Child, Plan
from helpers import failed, ok, ok_json
from plan_fixtures import JAMIE, MIA, aged_db, due_json, on  # noqa: F401
from plan_fixtures import testwoods as family_store

SHIPPED = ("england", "wales", "scotland", "northern-ireland", "guernsey")
RULES = ("midway-review", "midway-review-later", "escalation-response")


def due_on(rule: str, after: date, name: str = "england") -> date:
    return timescales.due(profile.load(name), rule, after)[0]


def quality(db: StoreRef, child: str = JAMIE) -> dict[str, Any]:
    return ok_json(on(db, "child", "show", child, "--json"))["quality"]  # type: ignore[no-any-return]


def audit(db: StoreRef, action: str) -> list[dict[str, Any]]:
    return [e for e in ok_json(on(db, "audit", "log", "--json")) if e["action"] == action]


# -- the rules, in every profile ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SHIPPED)
def test_every_profile_has_the_rules_marked_as_local_defaults_with_a_note(name: str) -> None:
    loaded = profile.load(name)
    for rule_name in RULES:
        rule = loaded.rule(rule_name)
        assert rule.source == "cpctl local default" and rule.note and "set your own" in rule.note
    assert loaded.rule("escalation-response").after == "escalation"
    when, explanation = timescales.due(loaded, "escalation-response", date(2026, 12, 4))
    assert when == date(2026, 12, 18)  # 10 working days, no bank holiday between
    assert explanation.sentence() == (
        "due Friday 18 December 2026: 10 working days after the chair's escalation on Friday 4 December 2026 "
        "(that day is day 0); rule escalation-response, cpctl local default"
    )


@pytest.mark.parametrize(
    ("name", "first"), [("england", 42), ("wales", 42), ("northern-ireland", 42), ("guernsey", 42)]
)
def test_the_first_midway_review_is_halfway_to_a_three_month_first_review(name: str, first: int) -> None:
    assert due_on("midway-review", date(2026, 12, 4), name) == date(2026, 12, 4) + timedelta(days=first)


def test_scotland_reviews_first_at_six_months_so_its_first_midway_review_is_at_three() -> None:
    loaded = profile.load("scotland")
    assert (loaded.rule("midway-review").amount, loaded.rule("midway-review").unit) == (3, "months")
    _, explanation = timescales.due(loaded, "midway-review", date(2026, 12, 4))
    assert "3 months after the initial Child Protection Planning Meeting on Friday 4 December 2026" in (
        explanation.sentence()
    )


# -- the deadlines, worked out from the events (pure) ------------------------------------------------------------
def _case() -> tuple[Child, Plan, list[CaseEvent]]:
    child = Child(id=1, ref="C1", given_name="Jamie", family_name="Testwood", date_of_birth=date(2018, 1, 1))
    plan = Plan(
        id=1,
        child_id=1,
        number=1,
        started_on=date(2026, 6, 1),
        start_conference_id=1,
        initial_categories="[]",
        latest_categories="[]",
        lead_worker_id=1,
    )
    events = [
        CaseEvent(
            id=1,
            child_id=1,
            plan_id=1,
            kind="conference",
            detail="initial",
            happened_on=date(2026, 6, 1),
            conference_id=1,
        ),
        CaseEvent(
            id=2,
            child_id=1,
            plan_id=1,
            kind="conference",
            detail="review",
            happened_on=date(2026, 9, 1),
            conference_id=2,
        ),
        CaseEvent(id=3, child_id=1, plan_id=1, kind="midway-review", detail="7", happened_on=date(2026, 10, 20)),
    ]
    return child, plan, events


def test_a_midway_review_not_held_before_the_review_closes_and_the_next_one_is_met() -> None:
    child, plan, events = _case()
    found = [d for d in schedule.compute(child, [plan], events, profile.load("england")) if d.kind == "midway-review"]
    first, second = found
    assert (first.due_on, first.status, first.closed_on) == (date(2026, 7, 13), "closed", date(2026, 9, 1))
    assert (second.due_on, second.status, second.met.happened_on) == (date(2026, 12, 1), "met", date(2026, 10, 20))
    assert (
        "3 months after the review child protection conference on Tuesday 1 September 2026"
        in (second.explanation["sentence"])
    )


def test_each_escalation_has_its_own_response_met_by_its_answer_or_its_resolution() -> None:
    child, plan, events = _case()
    events += [
        CaseEvent(id=4, child_id=1, plan_id=1, kind="escalation", detail="8", happened_on=date(2026, 10, 1)),
        CaseEvent(id=5, child_id=1, plan_id=1, kind="escalation", detail="9", happened_on=date(2026, 10, 5)),
        CaseEvent(id=6, child_id=1, plan_id=1, kind="escalation-resolved", detail="9", happened_on=date(2026, 10, 6)),
        CaseEvent(id=7, child_id=1, plan_id=1, kind="escalation-response", detail="8", happened_on=date(2026, 10, 30)),
    ]
    found = [
        d for d in schedule.compute(child, [plan], events, profile.load("england")) if d.kind == "escalation-response"
    ]
    assert [(d.event_id, d.due_on, d.met.id if d.met else None) for d in found] == [
        (4, date(2026, 10, 15), 7),  # answered late
        (5, date(2026, 10, 19), 6),  # resolved the next day, which answers it
    ]


# -- the commands ------------------------------------------------------------------------------------------------
def test_review_midway_meets_the_midway_review_due_after_the_initial_conference(aged_db: StoreRef) -> None:
    due = due_on("midway-review", days_ago(60))
    owed = [d for d in due_json(aged_db, "--kind", "midway-review")]
    assert [(d["child"], d["due"]) for d in owed] == [(JAMIE, due.isoformat()), (MIA, due.isoformat())]
    assert owed[0]["explanation"]["source"] == "cpctl local default"
    out = ok(
        on(aged_db, "review", "midway", JAMIE, "--outcome", "slow", "--on", days_ago(10).isoformat(), "--notes", "x")
    )
    assert out.startswith(f"Recorded midway review QC00001 of {JAMIE}'s plan on ")
    assert out.endswith(": progress is slow: actions agreed with the lead worker.\n")
    assert [d["child"] for d in due_json(aged_db, "--kind", "midway-review")] == [MIA]
    shown = quality(aged_db)
    (check,) = shown["checks"]
    assert (check["ref"], check["kind"], check["date"], check["plan"], check["outcome"], check["notes"]) == (
        "QC00001",
        "midway",
        days_ago(10).isoformat(),
        1,
        "slow",
        "x",
    )
    (deadline,) = shown["midway_reviews_due"]
    assert (deadline["status"], deadline["met_on"]) == ("met", days_ago(10).isoformat())
    text = ok(on(aged_db, "child", "show", JAMIE))
    assert "The chair's quality assurance" in text and "midway review of plan 1" in text
    assert "midway review QC00001: progress is slow" in text  # the timeline
    (entry,) = audit(aged_db, "quality.midway")
    assert entry["changes"] == {"check": "QC00001", "date": days_ago(10).isoformat(), "plan": 1, "outcome": "slow"}


def test_review_midway_refusals_write_nothing(aged_db: StoreRef, make_store: Callable[..., StoreRef]) -> None:
    failed(
        on(aged_db, "review", "midway", JAMIE, "--outcome", "fine"),
        "Error: 'fine' is not an outcome of a midway review: use on-track, slow, drift, early-review.",
    )
    failed(
        on(
            aged_db, "review", "midway", JAMIE, "--outcome", "on-track", "--on", (TODAY + timedelta(days=1)).isoformat()
        ),
        f"Error: {(TODAY + timedelta(days=1)).isoformat()} is in the future: record a midway review once it has "
        "happened.",
    )
    failed(
        on(aged_db, "review", "midway", "DEMO-1003", "--outcome", "on-track"),
        "Error: child DEMO-1003 has no plan in force: a midway review looks at a plan's progress.",
    )
    assert audit(aged_db, "quality.midway") == []


def test_an_escalation_is_raised_answered_late_and_resolved(aged_db: StoreRef) -> None:
    raised = days_ago(30)
    due = due_on("escalation-response", raised)
    out = ok(
        on(
            aged_db,
            "escalation",
            "raise",
            JAMIE,
            "--concern",
            "The parenting course has not started",
            "--with",
            "Team manager, Northshire CSC",
            "--on",
            raised.isoformat(),
        )
    )
    assert out.startswith("Raised escalation QC00001 about DEMO-1001 with Team manager, Northshire CSC on ")
    (owed,) = due_json(aged_db, "--kind", "escalation-response")
    assert (owed["due"], owed["overdue"], owed["what"]) == (due.isoformat(), True, "Response to an escalation")
    assert "after the chair's escalation on" in owed["explanation"]["sentence"]
    ok(
        on(
            aged_db,
            "escalation",
            "respond",
            "QC00001",
            "--response",
            "A place is booked",
            "--on",
            days_ago(2).isoformat(),
        )
    )
    assert due_json(aged_db, "--kind", "escalation-response") == []
    assert ok(on(aged_db, "escalation", "resolve", "qc1", "--outcome", "The course started")) == (
        f"Resolved QC00001 on {british(TODAY)}.\n"
    )
    (check,) = quality(aged_db)["checks"]
    assert check["concern"] == "The parenting course has not started"
    assert (check["response"], check["responded_on"]) == ("A place is booked", days_ago(2).isoformat())
    assert (check["outcome"], check["resolved_on"]) == ("The course started", TODAY.isoformat())
    response = check["response_due"]
    assert (response["status"], response["due"], response["met_on"]) == (
        "met",
        due.isoformat(),
        days_ago(2).isoformat(),
    )
    text = ok(on(aged_db, "child", "show", JAMIE))
    assert "escalation QC00001 answered" in text and "escalation QC00001 resolved" in text
    assert [
        e["action"] for e in ok_json(on(aged_db, "audit", "log", "--json")) if e["action"].startswith("quality.")
    ] in (
        ["quality.escalation", "quality.respond", "quality.resolve"],
        ["quality.resolve", "quality.respond", "quality.escalation"],
    )


def test_escalation_refusals_are_one_line_and_write_nothing(aged_db: StoreRef) -> None:
    result = on(aged_db, "escalation", "raise", JAMIE, "--concern", " ", "--with", "Team manager")
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    failed(
        on(aged_db, "escalation", "respond", "QC00009", "--response", "x"),
        "Error: no escalation 'QC00009'; see `cpctl child show CHILD` for each one's reference.",
    )
    ok(on(aged_db, "review", "midway", JAMIE, "--outcome", "on-track"))
    failed(
        on(aged_db, "escalation", "resolve", "QC00001", "--outcome", "x"),
        "Error: no escalation 'QC00001'; see `cpctl child show CHILD` for each one's reference.",
    )
    ok(on(aged_db, "escalation", "raise", JAMIE, "--concern", "Drift", "--with", "Service manager"))
    ok(on(aged_db, "escalation", "resolve", "QC00002", "--outcome", "Agreed"))
    failed(
        on(aged_db, "escalation", "resolve", "QC00002", "--outcome", "Again"),
        f"Error: escalation QC00002 was resolved on {british(TODAY)} already.",
    )
    assert len(audit(aged_db, "quality.resolve")) == 1


def test_a_child_with_no_plan_can_still_be_escalated_about(make_store: Callable[..., StoreRef]) -> None:
    db = family_store(make_store("family.db"))
    ok(on(db, "escalation", "raise", JAMIE, "--concern", "No strategy discussion yet", "--with", "MASH manager"))
    (owed,) = due_json(db, "--kind", "escalation-response")
    assert owed["plan"] is None and owed["child"] == JAMIE
