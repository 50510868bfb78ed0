"""Visits to the child: they meet the visiting deadlines of the plan and the profile."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import Session, col, select

from cpctl.casework import people, schedule
from cpctl.casework import plan as plans
from cpctl.casework.plan import Day, Item, Key, Strict
from cpctl.dates import utc_now_iso
from cpctl.fileinput import FieldError
from cpctl.store import audit
from cpctl.store.models import CaseEvent, Child, Person, Plan, Visit


class VisitIn(Strict):
    """A visit as typed on the command line, in the wizard, or read from a file."""

    child: Key
    date: Day
    visitor: Key | None = None
    announced: bool = True
    seen_alone: bool = False
    bedroom_seen: bool = False
    notes: list[Item] = []


def record(session: Session, data: VisitIn, *, visitor: Person | None = None, today: date | None = None) -> Visit:
    today = today or date.today()
    with FieldError.at(("child",)):
        child = people.find_child(session, data.child)
    if visitor is None:
        if not data.visitor:
            raise FieldError(("visitor",), "say who visited (visitor).")
        with FieldError.at(("visitor",)):
            visitor = people.find_person(session, data.visitor)
    if visitor.kind != "professional":
        raise FieldError(("visitor",), f"{visitor.ref} is a {visitor.kind}; a visit is made by a professional.")
    if data.date > today:
        raise FieldError(("date",), f"{data.date.isoformat()} is in the future: record a visit once it has happened.")
    if child.date_of_birth is None or data.date < child.date_of_birth:
        raise FieldError(
            ("date",),
            f"child {child.ref} was not born by {data.date.isoformat()}; record the birth "
            f"first (`cpctl child edit {child.ref} --dob DATE`).",
        )
    plan_row = _plan_on(session, child, data.date)
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
        f"visit to child {child.ref} on {data.date.isoformat()}",
        {
            "date": data.date.isoformat(),
            "visitor": visitor.ref,
            "announced": data.announced,
            "seen_alone": data.seen_alone,
            "bedroom_seen": data.bedroom_seen,
        },
    )
    schedule.refresh_child(session, child)
    return visit


def _plan_on(session: Session, child: Child, day: date) -> Plan | None:
    for row in reversed(plans.plans_of(session, child)):
        if row.started_on <= day and (row.ended_on is None or day <= row.ended_on):
            return row
    return None


def listing(session: Session, child: Child) -> list[dict[str, object]]:
    rows = session.exec(
        select(Visit, Person)
        .join(Person, Person.id == Visit.visitor_id)
        .where(Visit.child_id == child.id)
        .order_by(col(Visit.visited_on), col(Visit.id))
    ).all()
    return [
        {
            "date": v.visited_on.isoformat(),
            "visitor": {"ref": p.ref, "name": p.name},
            "announced": v.announced,
            "seen_alone": v.seen_alone,
            "bedroom_seen": v.bedroom_seen,
            "notes": json.loads(v.notes),
        }
        for v, p in rows
    ]
