"""Changing what was recorded about a conference: correcting its date (`move`; `cpctl conference correct`, in
`corrections`, corrects its other facts too), and recording the strategy discussion that leads to an initial
conference. Each checks the child's other records first, and the deadlines
follow.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, func, select

from cpctl.casework import plan as plans
from cpctl.casework.conference import _add_strategy_discussion, _check_birth
from cpctl.casework.conference_input import ConferenceIn
from cpctl.fileinput import FieldError
from cpctl.store import audit
from cpctl.store.models import CaseEvent, Child, Conference, Decision, Plan, PlanVersion


def move(session: Session, row: Conference, new_date: date, *, today: date | None = None, audited: bool = True) -> date:
    """Correct the date a conference was held on; its plans, versions, events and deadlines follow.

    `audited=False` leaves the audit entry to the caller (`corrections.correct` records the whole correction in one).
    """
    from cpctl.casework import schedule

    today = today or date.today()
    old = row.held_on
    if new_date == old:
        return old
    if new_date > today:
        raise FieldError(
            (), f"{new_date.isoformat()} is in the future: a conference is recorded once it has been held."
        )
    decisions = session.exec(select(Decision).where(Decision.conference_id == row.id)).all()
    for decision in decisions:
        child = session.get(Child, decision.child_id)
        assert child is not None
        others = session.exec(
            select(CaseEvent.happened_on).where(
                CaseEvent.child_id == child.id,
                CaseEvent.kind == "conference",
                CaseEvent.conference_id != row.id,
            )
        ).all()
        earlier = [d for d in others if d < old]
        later = [d for d in others if d > old]
        if earlier and new_date <= max(earlier):
            raise FieldError(
                (),
                f"child {child.ref} had a conference on {max(earlier).isoformat()}; this one must stay after it.",
            )
        if later and new_date >= min(later):
            raise FieldError(
                (),
                f"child {child.ref} has a later conference on {min(later).isoformat()}; this one must stay before it.",
            )
        _check_birth(child, ConferenceIn.model_construct(kind=row.kind, date=new_date), ())
        if decision.plan_id is not None:
            plan_row = session.get(Plan, decision.plan_id)
            assert plan_row is not None
            if plan_row.start_conference_id == row.id:
                stray = session.exec(
                    select(CaseEvent.happened_on).where(
                        CaseEvent.plan_id == plan_row.id,
                        CaseEvent.conference_id != row.id,
                        col(CaseEvent.conference_id).is_not(None) | (CaseEvent.kind != "conference"),
                        CaseEvent.happened_on < new_date,
                    )
                ).first()
                if stray is not None:
                    raise FieldError(
                        (),
                        f"child {child.ref}'s plan has a record dated {stray.isoformat()}, before "
                        f"{new_date.isoformat()}: correct that first.",
                    )
                plan_row.started_on = new_date
            if plan_row.end_conference_id == row.id:
                plan_row.ended_on = new_date
            session.add(plan_row)
        discussion = session.exec(
            select(func.max(CaseEvent.happened_on)).where(
                CaseEvent.child_id == child.id, CaseEvent.kind == "strategy-discussion"
            )
        ).one()
        if row.kind in ("initial", "pre-birth-initial") and discussion is not None and discussion > new_date:
            raise FieldError(
                (),
                f"the strategy discussion for child {child.ref} was on {discussion.isoformat()}, after that date.",
            )
    for event in session.exec(select(CaseEvent).where(CaseEvent.conference_id == row.id)).all():
        event.happened_on = new_date
        session.add(event)
    for version_row in session.exec(select(PlanVersion).where(PlanVersion.conference_id == row.id)).all():
        version_row.made_on = new_date
        session.add(version_row)
    row.held_on = new_date
    session.add(row)
    session.flush()
    if not audited:
        return old
    audit.record(
        session,
        "conference.move",
        "conference",
        row.ref,
        f"conference {row.ref} moved from {old.isoformat()} to {new_date.isoformat()}",
        {"date": [old.isoformat(), new_date.isoformat()]},
    )
    for decision in decisions:
        child = session.get(Child, decision.child_id)
        assert child is not None
        schedule.refresh_child(session, child)
    return old


def record_strategy_discussion(session: Session, child: Child, on: date, *, today: date | None = None) -> bool:
    """A strategy discussion that decided to convene an initial conference: it starts that conference's clock."""
    from cpctl.casework import schedule

    today = today or date.today()
    if on > today:
        raise FieldError((), f"{on.isoformat()} is in the future: record a strategy discussion once it has happened.")
    current = plans.active_plan(session, child)
    if current is not None:
        raise FieldError(
            (),
            f"child {child.ref} has had a plan since {current.started_on.isoformat()}; a strategy "
            "discussion about a child on a plan leads to a review conference instead.",
        )
    if not _add_strategy_discussion(session, child, on):
        return False
    session.flush()
    audit.record(
        session,
        "strategy.add",
        "child",
        child.ref,
        f"strategy discussion for child {child.ref} on {on.isoformat()}",
        {"date": on.isoformat()},
    )
    schedule.refresh_child(session, child)
    return True
