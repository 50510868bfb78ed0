"""Visits to the child: they meet the visiting deadlines of the plan and the profile.

Recording one (`record`), and correcting one recorded wrongly (`edit`, `delete`): each correction keeps its reason
and what it replaced or removed in the audit trail, and the deadlines follow.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from sqlmodel import Session, col, delete, select

from cpctl.casework import people, schedule
from cpctl.casework import plan as plans
from cpctl.casework.plan import Day, Item, Key, Strict
from cpctl.dates import british, utc_now_iso
from cpctl.errors import CpctlError, NotFound
from cpctl.fileinput import FieldError
from cpctl.rules.calendar import Calendar
from cpctl.store import audit
from cpctl.store.models import AuditEntry, CaseEvent, Child, Deadline, Person, Plan, Visit

REF_PREFIX = "V"
_REF = re.compile(r"^\s*[Vv]?0*(\d{1,9})\s*$")


class VisitIn(Strict):
    """A visit as typed on the command line, in the wizard, or read from a file."""

    child: Key
    date: Day
    visitor: Key | None = None
    announced: bool = True
    seen_alone: bool = False
    bedroom_seen: bool = False
    notes: list[Item] = []


def ref_of(visit: Visit) -> str:
    """The reference a user types for a visit (V00012): the prefix and its row's number."""
    return f"{REF_PREFIX}{visit.id or 0:05d}"


def find(session: Session, ref: str) -> Visit:
    """A visit by its reference (V00012, v12 or 12)."""
    match = _REF.match(ref or "")
    visit = session.get(Visit, int(match.group(1))) if match else None
    if visit is None:
        audit.note_read(session, str(ref).strip() or "?", found=False, entity="visit")
        raise NotFound(f"no visit {str(ref)[:40]!r}; see `cpctl visit list CHILD` for each visit's reference.")
    audit.note_children_read(session, [visit.child_id])
    return visit


def default_visitor(session: Session, child: Child, on: date) -> Person | None:
    """Who made a visit unless told otherwise: the lead worker of the child's plan on that day (or now)."""
    plan_row = _plan_on(session, child, on) or plans.active_plan(session, child)
    return session.get(Person, plan_row.lead_worker_id) if plan_row is not None else None


def closed_day(session: Session, day: date) -> str | None:
    """What a visit's date is when offices are closed ('a weekend', 'Boxing Day, a bank holiday'); None otherwise."""
    return closed_in(schedule.load_profile(session).calendar, day)


def closed_in(calendar: Calendar, day: date) -> str | None:
    """`closed_day` by one calendar of bank holidays."""
    holiday = calendar.holiday(day)
    if holiday:
        return f"{holiday}, a bank holiday"
    if day.weekday() >= 5:
        return "a weekend"
    return None


def check_date(session: Session, child: Child, day: date, *, today: date | None = None) -> Plan | None:
    """Refuse a date a visit cannot have happened on; return the plan it falls in (None when it is in no plan)."""
    today = today or date.today()
    if day > today:
        raise FieldError(("date",), f"{day.isoformat()} is in the future: record a visit once it has happened.")
    if child.date_of_birth is None or day < child.date_of_birth:
        raise FieldError(
            ("date",),
            f"child {child.ref} was not born by {day.isoformat()}; record the birth "
            f"first (`cpctl child edit {child.ref} --dob DATE`).",
        )
    plan_row = _plan_on(session, child, day)
    current = plans.active_plan(session, child)
    if plan_row is None and current is not None and day < current.started_on:
        raise FieldError(
            ("date",),
            f"{british(day)} is before child {child.ref}'s plan began on {british(current.started_on)}: "
            "check the date (a visit during the enquiry belongs to the enquiry's records, not the plan).",
        )
    return plan_row


def record(session: Session, data: VisitIn, *, visitor: Person | None = None, today: date | None = None) -> Visit:
    with FieldError.at(("child",)):
        child = people.find_child(session, data.child)
    if visitor is None:
        if not data.visitor:
            raise FieldError(("visitor",), "say who visited (visitor).")
        with FieldError.at(("visitor",)):
            visitor = people.find_person(session, data.visitor)
    _check_visitor(visitor)
    plan_row = check_date(session, child, data.date, today=today)
    visit = Visit(
        child_id=child.id or 0,
        plan_id=plan_row.id if plan_row else None,
        visited_on=data.date,
        visitor_id=visitor.id or 0,
        announced=data.announced,
        seen_alone=data.seen_alone,
        bedroom_seen=data.bedroom_seen,
        notes=json.dumps([i.model_dump() for i in data.notes], ensure_ascii=False),
        recorded_at=utc_now_iso(),
    )
    unused = _unused_id(session)
    if unused is not None:
        visit.id = unused
    session.add(visit)
    session.add(
        CaseEvent(
            child_id=child.id or 0,
            plan_id=plan_row.id if plan_row else None,
            kind="visit",
            happened_on=data.date,
        )
    )
    session.flush()
    audit.record(
        session,
        "visit.add",
        "child",
        child.ref,
        f"visit {ref_of(visit)} to child {child.ref} on {data.date.isoformat()}",
        {
            "visit": ref_of(visit),
            "date": data.date.isoformat(),
            "visitor": visitor.ref,
            "announced": data.announced,
            "seen_alone": data.seen_alone,
            "bedroom_seen": data.bedroom_seen,
        },
    )
    schedule.refresh_child(session, child)
    return visit


def _check_visitor(visitor: Person) -> None:
    if visitor.kind != "professional":
        raise FieldError(("visitor",), f"{visitor.ref} is a {visitor.kind}; a visit is made by a professional.")


def _unused_id(session: Session) -> int | None:
    """On SQLite, the row number a new visit would take may be that of a deleted one; give it the next number no
    visit ever had, so that a reference in the audit trail always means one visit. (PostgreSQL never reuses one.)"""
    if session.connection().dialect.name != "sqlite":
        return None
    from sqlmodel import func

    number = (session.exec(select(func.max(Visit.id))).one() or 0) + 1
    deleted = set(
        session.exec(
            select(AuditEntry.entity_id).where(AuditEntry.action == "visit.delete", AuditEntry.entity == "visit")
        ).all()
    )
    if f"{REF_PREFIX}{number:05d}" not in deleted:
        return None
    while f"{REF_PREFIX}{number:05d}" in deleted:
        number += 1
    return number


def _plan_on(session: Session, child: Child, day: date) -> Plan | None:
    for row in reversed(plans.plans_of(session, child)):
        if row.started_on <= day and (row.ended_on is None or day <= row.ended_on):
            return row
    return None


# -- correcting a visit recorded wrongly -----------------------------------------------------------------------
EDITABLE = ("date", "visitor", "announced", "seen_alone", "bedroom_seen", "notes")


def as_record(session: Session, visit: Visit) -> dict[str, Any]:
    """A visit as plain data: what `visit list --json` shows and what an audit entry keeps of a removed one."""
    child = session.get(Child, visit.child_id)
    visitor = session.get(Person, visit.visitor_id)
    plan_row = session.get(Plan, visit.plan_id) if visit.plan_id is not None else None
    return {
        "ref": ref_of(visit),
        "child": child.ref if child else None,
        "plan": plan_row.number if plan_row else None,
        "date": visit.visited_on.isoformat(),
        "visitor": visitor.ref if visitor else None,
        "announced": visit.announced,
        "seen_alone": visit.seen_alone,
        "bedroom_seen": visit.bedroom_seen,
        "notes": json.loads(visit.notes),
        "recorded_at": visit.recorded_at,
    }


def _reason(reason: str | None) -> str:
    from cpctl.text import clean

    text = clean(reason, "the reason") if reason else None
    if not text:
        raise CpctlError('say why the visit is corrected (--reason "..."): the reason is kept in the audit trail.')
    return text


def edit(
    session: Session, visit: Visit, changes: dict[str, Any], *, reason: str | None, today: date | None = None
) -> dict[str, list[Any]]:
    """Correct what was recorded about a visit; returns {field: [before, after]} for what changed."""
    why = _reason(reason)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise CpctlError(f"a visit has no {', '.join(unknown)} to correct; it has {', '.join(EDITABLE)}.")
    child = session.get(Child, visit.child_id)
    assert child is not None
    before = as_record(session, visit)
    if "visitor" in changes:
        with FieldError.at(("visitor",)):
            visitor = people.find_person(session, str(changes["visitor"]))
        _check_visitor(visitor)
        visit.visitor_id = visitor.id or 0
    old_day, old_plan = visit.visited_on, visit.plan_id
    if "date" in changes and changes["date"] != visit.visited_on:
        plan_row = check_date(session, child, changes["date"], today=today)
        visit.visited_on = changes["date"]
        visit.plan_id = plan_row.id if plan_row else None
    for key, column in (("announced", "announced"), ("seen_alone", "seen_alone"), ("bedroom_seen", "bedroom_seen")):
        if key in changes:
            setattr(visit, column, bool(changes[key]))
    if "notes" in changes:
        visit.notes = json.dumps([Item.model_validate(i).model_dump() for i in changes["notes"]], ensure_ascii=False)
    after = as_record(session, visit)
    changed = audit.diff(before, after)
    if not changed:
        return {}
    session.add(visit)
    if (visit.visited_on, visit.plan_id) != (old_day, old_plan):
        event = _event_of(session, child, old_day, old_plan)
        event.happened_on = visit.visited_on
        event.plan_id = visit.plan_id
        session.add(event)
    session.flush()
    audit.record(
        session,
        "visit.edit",
        "visit",
        ref_of(visit),
        f"visit {ref_of(visit)} to child {child.ref} corrected: {why}",
        {"child": child.ref, "reason": why, **changed},
    )
    schedule.refresh_child(session, child)
    return changed


def remove(session: Session, visit: Visit, *, reason: str | None) -> dict[str, Any]:
    """Delete a visit recorded in error; the audit entry keeps the whole visit and the reason. Returns the visit."""
    why = _reason(reason)
    child = session.get(Child, visit.child_id)
    assert child is not None
    removed = as_record(session, visit)
    event = _event_of(session, child, visit.visited_on, visit.plan_id)
    # The child's deadlines may count from this visit's event: they are worked out afresh below.
    session.exec(delete(Deadline).where(col(Deadline.child_id) == child.id))  # type: ignore[call-overload]
    session.delete(event)
    session.delete(visit)
    session.flush()
    audit.record(
        session,
        "visit.delete",
        "visit",
        removed["ref"],
        f"visit {removed['ref']} to child {child.ref} on {removed['date']} deleted: {why}",
        {"child": child.ref, "reason": why, "removed": removed},
    )
    schedule.refresh_child(session, child)
    return removed


def _event_of(session: Session, child: Child, day: date, plan_id: int | None) -> CaseEvent:
    query = select(CaseEvent).where(
        CaseEvent.child_id == child.id, CaseEvent.kind == "visit", CaseEvent.happened_on == day
    )
    query = query.where(col(CaseEvent.plan_id).is_(None) if plan_id is None else CaseEvent.plan_id == plan_id)
    event = session.exec(query.order_by(col(CaseEvent.id))).first()
    if event is None:
        raise CpctlError(
            f"child {child.ref}'s visit on {day.isoformat()} has no case event, so the store is damaged: "
            "run `cpctl db check`."
        )
    return event


def listing(session: Session, child: Child) -> list[dict[str, object]]:
    rows = session.exec(
        select(Visit, Person)
        .join(Person, Person.id == Visit.visitor_id)
        .where(Visit.child_id == child.id)
        .order_by(col(Visit.visited_on), col(Visit.id))
    ).all()
    return [
        {
            "ref": ref_of(v),
            "date": v.visited_on.isoformat(),
            "visitor": {"ref": p.ref, "name": p.name},
            "announced": v.announced,
            "seen_alone": v.seen_alone,
            "bedroom_seen": v.bedroom_seen,
            "notes": json.loads(v.notes),
        }
        for v, p in rows
    ]
