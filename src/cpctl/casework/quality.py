"""The chair's quality assurance between conferences: midway reviews of a plan's progress, and escalations.

A midway review looks at a plan halfway between two conferences and records what the chair found (`OUTCOMES`). An
escalation (dispute resolution) records a concern the chair raised about a plan, with whom, their response, and
when it was resolved. Each is a `QualityCheck` row, written with its audit entry and a case event that the
deadlines count from (`cpctl.casework.schedule`): `midway-review` meets the midway review due after a conference,
`escalation` starts the clock for a response, and `escalation-response` or `escalation-resolved` stops it. The
events carry the check's number in `detail`, so that each escalation has its own deadline.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from cpctl.casework import plan as plans
from cpctl.casework import schedule
from cpctl.dates import british, utc_now_iso
from cpctl.errors import CpctlError, NotFound
from cpctl.store import audit
from cpctl.store.models import CaseEvent, Child, Deadline, Plan, QualityCheck

REF_PREFIX = "QC"
_REF = re.compile(r"^\s*(?:QC)?0*(\d{1,9})\s*$", re.IGNORECASE)
MIDWAY = "midway"
ESCALATION = "escalation"
# What a midway review found: the codes the chair's report will count, and their words.
OUTCOMES: dict[str, str] = {
    "on-track": "the plan is on track",
    "slow": "progress is slow: actions agreed with the lead worker",
    "drift": "the plan has drifted: an escalation follows",
    "early-review": "the review conference is to be brought forward",
}
DEADLINE_KINDS = ("midway-review", "escalation-response")


def ref_of(check: QualityCheck) -> str:
    """The reference a user types for a midway review or an escalation (QC00012)."""
    return f"{REF_PREFIX}{check.id or 0:05d}"


def find(session: Session, ref: str, *, kind: str | None = None) -> QualityCheck:
    """A midway review or an escalation by its reference (QC00012, qc12 or 12)."""
    match = _REF.match(ref or "")
    check = session.get(QualityCheck, int(match.group(1))) if match else None
    if check is None or (kind is not None and check.kind != kind):
        what = {MIDWAY: "midway review", ESCALATION: "escalation"}.get(kind or "", "midway review or escalation")
        audit.note_read(session, str(ref).strip() or "?", found=False, entity="quality_check")
        raise NotFound(f"no {what} {str(ref)[:40]!r}; see `cpctl child show CHILD` for each one's reference.")
    audit.note_children_read(session, [check.child_id])
    return check


def _text(value: str | None, field: str, *, required: bool = False) -> str | None:
    from cpctl.text import LONG, clean

    return clean(value, field, required=required, multiline=True, max_length=LONG) or None


def _day(on: date | None, today: date | None, what: str) -> date:
    today = today or date.today()
    day = on or today
    if day > today:
        raise CpctlError(f"{day.isoformat()} is in the future: record {what} once it has happened.")
    return day


def _event(session: Session, check: QualityCheck, kind: str, on: date) -> None:
    session.add(
        CaseEvent(child_id=check.child_id, plan_id=check.plan_id, kind=kind, detail=str(check.id), happened_on=on)
    )


def _refresh(session: Session, check: QualityCheck) -> None:
    child = session.get(Child, check.child_id)
    assert child is not None
    schedule.refresh_child(session, child)


# -- midway reviews -----------------------------------------------------------------------------------------------
def midway_review(
    session: Session,
    child: Child,
    *,
    outcome: str,
    on: date | None = None,
    notes: str | None = None,
    today: date | None = None,
) -> QualityCheck:
    """Record a midway review of the plan in force, in the caller's transaction."""
    day = _day(on, today, "a midway review")
    key = (outcome or "").strip().lower()
    if key not in OUTCOMES:
        raise CpctlError(f"{str(outcome)[:30]!r} is not an outcome of a midway review: use {', '.join(OUTCOMES)}.")
    plan_row = plans.active_plan(session, child)
    if plan_row is None:
        raise CpctlError(f"child {child.ref} has no plan in force: a midway review looks at a plan's progress.")
    if day < plan_row.started_on:
        raise CpctlError(
            f"{british(day)} is before child {child.ref}'s plan began on {british(plan_row.started_on)}; "
            "check the date."
        )
    check = QualityCheck(
        child_id=child.id or 0,
        plan_id=plan_row.id,
        kind=MIDWAY,
        held_on=day,
        outcome=key,
        notes=_text(notes, "the notes") or "",
        author=audit.current_actor(session),
        recorded_at=utc_now_iso(),
    )
    session.add(check)
    session.flush()
    _event(session, check, "midway-review", day)
    audit.record(
        session,
        "quality.midway",
        "child",
        child.ref,
        f"midway review {ref_of(check)} of child {child.ref}'s plan {plan_row.number} on {day.isoformat()}: {key}",
        {"check": ref_of(check), "date": day.isoformat(), "plan": plan_row.number, "outcome": key},
    )
    _refresh(session, check)
    return check


# -- escalations --------------------------------------------------------------------------------------------------
def raise_escalation(
    session: Session,
    child: Child,
    *,
    concern: str,
    raised_with: str,
    on: date | None = None,
    notes: str | None = None,
    today: date | None = None,
) -> QualityCheck:
    """Record an escalation the chair raised about a child's plan, in the caller's transaction."""
    day = _day(on, today, "an escalation")
    what = _text(concern, "the concern (--concern)", required=True)
    whom = _text(raised_with, "whom it was raised with (--with)", required=True)
    plan_row = plans.active_plan(session, child)
    check = QualityCheck(
        child_id=child.id or 0,
        plan_id=plan_row.id if plan_row else None,
        kind=ESCALATION,
        held_on=day,
        concern=what,
        raised_with=whom,
        notes=_text(notes, "the notes") or "",
        author=audit.current_actor(session),
        recorded_at=utc_now_iso(),
    )
    session.add(check)
    session.flush()
    _event(session, check, "escalation", day)
    audit.record(
        session,
        "quality.escalation",
        "child",
        child.ref,
        f"escalation {ref_of(check)} about child {child.ref} raised with {whom} on {day.isoformat()}",
        {"check": ref_of(check), "date": day.isoformat(), "concern": what, "raised_with": whom},
    )
    _refresh(session, check)
    return check


def respond(
    session: Session, check: QualityCheck, *, response: str, on: date | None = None, today: date | None = None
) -> date:
    """Record the response to an escalation, and the day it came; returns that day."""
    day = _day(on, today, "a response")
    if check.kind != ESCALATION:
        raise CpctlError(f"{ref_of(check)} is a midway review, not an escalation.")
    if day < check.held_on:
        raise CpctlError(f"{british(day)} is before the escalation was raised on {british(check.held_on)}.")
    text = _text(response, "the response (--response)", required=True)
    before = check.response
    check.response = text
    session.add(check)
    _event(session, check, "escalation-response", day)
    child = session.get(Child, check.child_id)
    assert child is not None
    audit.record(
        session,
        "quality.respond",
        "child",
        child.ref,
        f"response to escalation {ref_of(check)} about child {child.ref} on {day.isoformat()}",
        {"check": ref_of(check), "date": day.isoformat(), "response": [before, text]},
    )
    _refresh(session, check)
    return day


def resolve(
    session: Session, check: QualityCheck, *, outcome: str, on: date | None = None, today: date | None = None
) -> date:
    """Record that an escalation was resolved, how, and when; returns that day."""
    day = _day(on, today, "a resolution")
    if check.kind != ESCALATION:
        raise CpctlError(f"{ref_of(check)} is a midway review, not an escalation.")
    if check.resolved_on is not None:
        raise CpctlError(f"escalation {ref_of(check)} was resolved on {british(check.resolved_on)} already.")
    if day < check.held_on:
        raise CpctlError(f"{british(day)} is before the escalation was raised on {british(check.held_on)}.")
    text = _text(outcome, "how it was resolved (--outcome)", required=True)
    check.outcome = text
    check.resolved_on = day
    session.add(check)
    _event(session, check, "escalation-resolved", day)
    child = session.get(Child, check.child_id)
    assert child is not None
    audit.record(
        session,
        "quality.resolve",
        "child",
        child.ref,
        f"escalation {ref_of(check)} about child {child.ref} resolved on {day.isoformat()}",
        {"check": ref_of(check), "date": day.isoformat(), "outcome": text},
    )
    _refresh(session, check)
    return day


# -- reading ------------------------------------------------------------------------------------------------------
def listing(session: Session, child: Child) -> dict[str, Any]:
    """A child's midway reviews and escalations, oldest first, and the deadlines they meet or still owe."""
    checks = session.exec(
        select(QualityCheck)
        .where(QualityCheck.child_id == child.id)
        .order_by(col(QualityCheck.held_on), col(QualityCheck.id))
    ).all()
    numbers = {p.id: p.number for p in session.exec(select(Plan).where(Plan.child_id == child.id)).all()}
    deadlines = session.exec(
        select(Deadline, CaseEvent)
        .outerjoin(CaseEvent, CaseEvent.id == Deadline.event_id)
        .where(Deadline.child_id == child.id, col(Deadline.kind).in_(DEADLINE_KINDS))
        .order_by(col(Deadline.due_on))
    ).all()
    responses = {
        event.detail: event.happened_on
        for event in session.exec(
            select(CaseEvent).where(CaseEvent.child_id == child.id, CaseEvent.kind == "escalation-response")
        ).all()
    }
    by_check: dict[str, dict[str, Any]] = {}
    midway_due: list[dict[str, Any]] = []
    for deadline, event in deadlines:
        item = {
            "kind": deadline.kind,
            "due": deadline.due_on.isoformat(),
            "status": deadline.status,
            "met_on": deadline.met_on.isoformat() if deadline.met_on else None,
            "plan": numbers.get(deadline.plan_id),
            "explanation": json.loads(deadline.explanation)["sentence"],
        }
        if deadline.kind == "escalation-response" and event is not None and event.detail:
            by_check[event.detail] = item
        else:
            midway_due.append(item)
    out: list[dict[str, Any]] = []
    for check in checks:
        entry: dict[str, Any] = {
            "ref": ref_of(check),
            "kind": check.kind,
            "date": check.held_on.isoformat(),
            "plan": numbers.get(check.plan_id),
            "outcome": check.outcome,
            "notes": check.notes or None,
            "author": check.author,
        }
        if check.kind == ESCALATION:
            responded = responses.get(str(check.id))
            entry |= {
                "concern": check.concern,
                "raised_with": check.raised_with,
                "response": check.response,
                "responded_on": responded.isoformat() if responded else None,
                "resolved_on": check.resolved_on.isoformat() if check.resolved_on else None,
                "response_due": by_check.get(str(check.id)),
            }
        out.append(entry)
    return {"checks": out, "midway_reviews_due": midway_due}
