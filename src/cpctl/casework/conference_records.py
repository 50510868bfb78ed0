"""Reading recorded conferences: finding one by its reference, listing them, and one as plain data."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select

from cpctl.store import audit
from cpctl.store.models import Child, Conference, ConferenceAttendee, Decision, Person, Plan, PlanVersion


def find(session: Session, ref: str) -> Conference:
    from cpctl.errors import NotFound

    row = session.exec(select(Conference).where(Conference.ref == (ref or "").strip())).first()
    if row is None:
        audit.note_read(session, (ref or "").strip() or "?", found=False, entity="conference")
        raise NotFound(f"no conference {ref[:40]!r}; see `cpctl conference list`.")
    audit.note_children_read(session, select(Decision.child_id).where(Decision.conference_id == row.id))
    return row


def listing(session: Session, *, child: Child | None = None) -> list[dict[str, Any]]:
    """Every conference (or one child's), newest first: three statements, however many there are."""
    chosen = select(Conference.id)
    if child is not None:
        chosen = chosen.join(Decision, Decision.conference_id == Conference.id).where(Decision.child_id == child.id)
    query = select(Conference).where(col(Conference.id).in_(chosen))
    rows = session.exec(query.order_by(col(Conference.held_on).desc(), col(Conference.id).desc())).all()
    decided: dict[int, list[tuple[Decision, Child]]] = {}
    for decision, decided_child in session.exec(
        select(Decision, Child)
        .join(Child, Child.id == Decision.child_id)
        .where(col(Decision.conference_id).in_(chosen))
        .order_by(col(Decision.id))
    ).all():
        decided.setdefault(decision.conference_id, []).append((decision, decided_child))
    chairs = {
        person.id: person
        for person in session.exec(
            select(Person).where(col(Person.id).in_(select(Conference.chair_id).where(col(Conference.id).in_(chosen))))
        ).all()
    }
    out = []
    for row in rows:
        decisions = decided.get(row.id or 0, [])
        chair = chairs.get(row.chair_id)
        out.append(
            {
                "ref": row.ref,
                "kind": row.kind,
                "date": row.held_on.isoformat(),
                "time": row.start_time,
                "chair": chair.name if chair else None,
                "quorate": row.quorate,
                "decisions": [
                    {"child": c.ref, "outcome": d.outcome, "categories": json.loads(d.categories)} for d, c in decisions
                ],
            }
        )
    return out


def _decisions(session: Session, row: Conference) -> list[tuple[Decision, Child]]:
    """A conference's decisions with their children, in the order they were recorded."""
    return list(
        session.exec(
            select(Decision, Child)
            .join(Child, Child.id == Decision.child_id)
            .where(Decision.conference_id == row.id)
            .order_by(col(Decision.id))
        ).all()
    )


def record(session: Session, row: Conference) -> dict[str, Any]:
    """A conference as plain data, for `conference show` and --json."""
    chair = session.get(Person, row.chair_id)
    attendees = session.exec(
        select(ConferenceAttendee, Person)
        .join(Person, Person.id == ConferenceAttendee.person_id)
        .where(ConferenceAttendee.conference_id == row.id)
        .order_by(col(Person.name))
    ).all()
    decisions = _decisions(session, row)
    out_decisions = []
    for decision, child in decisions:
        lead = session.get(Person, decision.lead_worker_id) if decision.lead_worker_id else None
        plan_row = session.get(Plan, decision.plan_id) if decision.plan_id else None
        version_row = (
            session.exec(
                select(PlanVersion).where(PlanVersion.conference_id == row.id, PlanVersion.plan_id == decision.plan_id)
            ).first()
            if plan_row
            else None
        )
        out_decisions.append(
            {
                "child": child.ref,
                "child_name": child.full_name,
                "outcome": decision.outcome,
                "categories": json.loads(decision.categories),
                "lead_worker": {"ref": lead.ref, "name": lead.name} if lead else None,
                "plan": plan_row.number if plan_row else None,
                "plan_version": version_row.number if version_row else None,
                "draft": version_row.draft if version_row else None,
                "gaps": json.loads(version_row.gaps) if version_row else [],
                "details": json.loads(decision.details),
                "plan_content": json.loads(version_row.content) if version_row else None,
                "participation": decision.participation,
            }
        )
    return {
        "ref": row.ref,
        "kind": row.kind,
        "date": row.held_on.isoformat(),
        "time": row.start_time,
        "venue": row.venue,
        "virtual": row.virtual,
        "chair": {"ref": chair.ref, "name": chair.name} if chair else None,
        "agencies_present": row.agencies_present,
        "quorate": row.quorate,
        "inquorate_reason": row.inquorate_reason,
        "discussion": row.discussion,
        "attendance": [
            {
                "ref": p.ref,
                "name": p.name,
                "role": a.role,
                "agency": a.agency,
                "status": a.status,
                "reason": a.reason,
            }
            for a, p in attendees
        ],
        "decisions": out_decisions,
    }
