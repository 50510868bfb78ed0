"""`cpctl db check`: is the store whole? The database's own checks, then cpctl's rules across its tables.

Each rule holds after every change cpctl makes, because every change is one transaction; a store that breaks one
was damaged, edited outside cpctl, or written by a cpctl with a bug. Problems name records by their references
(C00001, CF00002, plan 1 of a child), never by a child's name.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ForeignKeyConstraint
from sqlalchemy import func as sql_func
from sqlalchemy import select as core_select
from sqlmodel import Session, SQLModel, col, func, select

from cpctl import audit, schedule
from cpctl.models import (
    AuditEntry,
    CaseEvent,
    Child,
    Conference,
    CoreGroupMeeting,
    Decision,
    Plan,
    PlanVersion,
    Setting,
    Visit,
)

PLAN_OUTCOMES = ("plan-starts", "plan-continues", "plan-changes", "plan-ends")


@dataclass
class Report:
    """What the check found: the counts it looked at, and every problem (none when the store is whole)."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(store: Any) -> Report:
    """Run every check on an open Store, reading only."""
    report = Report()
    report.problems += store.engine_problems()
    with store.read() as session:
        for name, model in (
            ("children", Child),
            ("plans", Plan),
            ("conferences", Conference),
            ("core group meetings", CoreGroupMeeting),
            ("visits", Visit),
            ("audit entries", AuditEntry),
        ):
            report.counts[name] = session.exec(select(func.count()).select_from(model)).one()
        report.problems += references(session)
        report.problems += plans(session)
        report.problems += conferences(session)
        report.problems += events(session)
        with audit.tolerant_reads(session):  # an audit entry that is not UTF-8 is named by the chain, not a crash
            report.problems += audited(session)
        deadline_problems, note = deadlines(session)
        report.problems += deadline_problems
        if note:
            report.notes.append(note)
        chain = audit.verify(session)
        if not chain.intact:
            report.problems.append(f"the audit trail is broken {chain.problem}")
    return report


def references(session: Session) -> list[str]:
    """Every reference from one record to another points at a record that exists."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for constraint in table.constraints:
            if not isinstance(constraint, ForeignKeyConstraint):
                continue
            (column,) = constraint.columns
            (element,) = constraint.elements
            target = element.column
            missing = (
                session.connection()
                .execute(
                    core_select(sql_func.count())
                    .select_from(table.outerjoin(target.table, column == target))
                    .where(column.is_not(None), target.is_(None))
                )
                .scalar_one()
            )
            if missing:
                found.append(
                    f"{missing} {table.name} record{'s' if missing != 1 else ''} refer to a {target.table.name} "
                    f"that does not exist ({table.name}.{column.name})"
                )
    return found


def plans(session: Session) -> list[str]:
    """Plans are numbered 1, 2, ... per child, at most one is in force, versions are 1, 2, ..., and each has the
    decision that started it (and, once ended, the one that ended it)."""
    found = []
    refs = dict(session.exec(select(Child.id, Child.ref)).all())
    by_child: dict[int, list[Plan]] = defaultdict(list)
    for row in session.exec(select(Plan).order_by(col(Plan.child_id), col(Plan.number))):
        by_child[row.child_id].append(row)
    versions: dict[int, list[int]] = defaultdict(list)
    for plan_id, number in session.exec(select(PlanVersion.plan_id, PlanVersion.number)).all():
        versions[plan_id].append(number)
    decisions: dict[int, list[Decision]] = defaultdict(list)
    for decision in session.exec(select(Decision)):
        if decision.plan_id is not None:
            decisions[decision.plan_id].append(decision)
    for child_id, rows in by_child.items():
        ref = refs.get(child_id, f"#{child_id}")
        if [r.number for r in rows] != list(range(1, len(rows) + 1)):
            found.append(f"child {ref}'s plans are numbered {[r.number for r in rows]}, not 1, 2, ...")
        active = [r.number for r in rows if r.ended_on is None]
        if len(active) > 1:
            found.append(f"child {ref} has {len(active)} plans in force (plans {active}); there can be one")
        for row in rows:
            name = f"plan {row.number} of child {ref}"
            numbers = sorted(versions.get(row.id or 0, []))
            if numbers != list(range(1, len(numbers) + 1)):
                found.append(f"{name} has versions {numbers}, not 1, 2, ...")
            mine = decisions.get(row.id or 0, [])
            if not any(d.conference_id == row.start_conference_id and d.outcome == "plan-starts" for d in mine):
                found.append(f"{name} has no decision that started it at its first conference")
            if (row.ended_on is None) != (row.end_conference_id is None):
                found.append(f"{name} has an end date without the conference that ended it, or the other way round")
            if row.ended_on is not None:
                if row.ended_on < row.started_on:
                    found.append(f"{name} ends before it starts")
                if not any(d.conference_id == row.end_conference_id and d.outcome == "plan-ends" for d in mine):
                    found.append(f"{name} has ended without a decision that it ends")
    return found


def conferences(session: Session) -> list[str]:
    """Every conference decided something for at least one child; every decision about a plan has its plan."""
    found = []
    decided = Counter(session.exec(select(Decision.conference_id)).all())
    for conference_id, ref in session.exec(select(Conference.id, Conference.ref)).all():
        if not decided.get(conference_id):
            found.append(f"conference {ref} has no decision for any child")
    refs = dict(session.exec(select(Conference.id, Conference.ref)).all())
    children = dict(session.exec(select(Child.id, Child.ref)).all())
    plan_children = dict(session.exec(select(Plan.id, Plan.child_id)).all())
    for decision in session.exec(select(Decision)):
        where = f"the decision for child {children.get(decision.child_id)} at {refs.get(decision.conference_id)}"
        if decision.outcome in PLAN_OUTCOMES and decision.plan_id is None:
            found.append(f"{where} ({decision.outcome}) has no plan")
        if decision.plan_id is not None and plan_children.get(decision.plan_id) != decision.child_id:
            found.append(f"{where} points at another child's plan")
        try:
            json.loads(decision.details)
        except ValueError:
            found.append(f"{where} holds details that are not readable")
    return found


def events(session: Session) -> list[str]:
    """Case events, core groups and visits belong to the child whose plan they name; each conference decision
    has the event that deadlines are counted from."""
    found = []
    plan_children = dict(session.exec(select(Plan.id, Plan.child_id)).all())
    children = dict(session.exec(select(Child.id, Child.ref)).all())
    for label, model in (("event", CaseEvent), ("core group meeting", CoreGroupMeeting), ("visit", Visit)):
        stray = [
            (child_id, plan_id)
            for child_id, plan_id in session.exec(select(model.child_id, model.plan_id)).all()  # type: ignore[attr-defined]
            if plan_id is not None and plan_children.get(plan_id) != child_id
        ]
        for child_id, _ in stray:
            found.append(f"a {label} of child {children.get(child_id)} names another child's plan")
    conference_events = {
        (child_id, conference_id)
        for child_id, conference_id in session.exec(
            select(CaseEvent.child_id, CaseEvent.conference_id).where(CaseEvent.kind == "conference")
        ).all()
    }
    refs = dict(session.exec(select(Conference.id, Conference.ref)).all())
    for child_id, conference_id in session.exec(select(Decision.child_id, Decision.conference_id)).all():
        if (child_id, conference_id) not in conference_events:
            found.append(
                f"child {children.get(child_id)}'s conference {refs.get(conference_id)} has no case event, so "
                "no deadline counts from it"
            )
    visits = Counter(session.exec(select(Visit.child_id)).all())
    visit_events = Counter(session.exec(select(CaseEvent.child_id).where(CaseEvent.kind == "visit")).all())
    for child_id in set(visits) | set(visit_events):
        if visits[child_id] != visit_events[child_id]:
            found.append(
                f"child {children.get(child_id)} has {visits[child_id]} visits but {visit_events[child_id]} visit "
                "events"
            )
    return found


def audited(session: Session) -> list[str]:
    """Every child, conference, core group and visit has the audit entry that recorded it: a change and its
    audit record are saved together or not at all."""
    found = []
    entries = Counter(
        (action, entity_id) for action, entity_id in session.exec(select(AuditEntry.action, AuditEntry.entity_id))
    )
    for ref in session.exec(select(Child.ref)).all():
        if not entries.get(("child.add", ref)):
            found.append(f"child {ref} has no audit entry that added them")
    for ref in session.exec(select(Conference.ref)).all():
        if not entries.get(("conference.add", ref)):
            found.append(f"conference {ref} has no audit entry that recorded it")
    children = dict(session.exec(select(Child.id, Child.ref)).all())
    for action, model in (("visit.add", Visit), ("core-group.add", CoreGroupMeeting)):
        held = Counter(session.exec(select(model.child_id)).all())  # type: ignore[attr-defined]
        for child_id, count in held.items():
            ref = children.get(child_id)
            logged = entries.get((action, ref), 0)
            if logged != count:
                what = "visits" if model is Visit else "core group meetings"
                found.append(f"child {ref} has {count} {what} but {logged} audit entries recording them")
    return found


def deadlines(session: Session) -> tuple[list[str], str | None]:
    """The stored deadlines are exactly those the events give under the profile they were computed with."""
    from cpctl.errors import CpctlError

    stored_print = session.get(Setting, schedule.FINGERPRINT_KEY)
    columns = [getattr(schedule.Deadline, key) for key in DEADLINE_KEYS]
    have = Counter(tuple(row) for row in session.exec(select(*columns)))  # columns, not ORM objects
    try:
        profile = schedule.load_profile(session)
    except CpctlError:  # a store not yet set up has no jurisdiction, so it can hold no deadlines
        return ([f"the store holds {sum(have.values())} deadlines but no jurisdiction"] if have else []), None
    if stored_print is None:
        return ([f"the store holds {sum(have.values())} deadlines that were never computed"] if have else []), None
    if stored_print.value != schedule.fingerprint(profile):
        return [], "the deadlines were worked out under an earlier profile; `cpctl due` recomputes them"
    wanted = Counter(tuple(row[key] for key in DEADLINE_KEYS) for row in schedule.expected_rows(session, profile))
    if wanted == have:
        return [], None
    children = dict(session.exec(select(Child.id, Child.ref)).all())
    differing = sorted({children.get(key[0], f"#{key[0]}") for key in (wanted - have) + (have - wanted)})
    who = f"child{'ren' if len(differing) != 1 else ''} {', '.join(differing)}"
    return [f"the stored deadlines of {who} do not match their events"], None


DEADLINE_KEYS = (
    "child_id",
    "plan_id",
    "kind",
    "due_on",
    "status",
    "met_on",
    "closed_on",
    "event_id",
    "met_event_id",
    "worker_id",
    "chair_id",
    "explanation",
)
