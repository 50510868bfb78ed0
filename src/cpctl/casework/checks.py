"""`cpctl db check`: is the store whole? The database's own checks, then cpctl's rules across its tables.

Each rule holds after every change cpctl makes, because every change is one transaction; a store that breaks one
was damaged, edited outside cpctl, or written by a cpctl with a bug. Problems name records by their references
(C00001, CF00002, plan 1 of a child), never by a child's name.

The checks go in stages, each needing the one before: the schema (the tables and columns cpctl makes), the values
(each of the type its column holds, text within its limits and free of control characters), both in
`cpctl.store.integrity`; then the content cpctl parses (plans and the other JSON it keeps), then the rules between
records. A stage that finds what would make the next one misread the store stops there, and says so in a note.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import (
    bindparam,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel, col, select

from cpctl.casework import schedule
from cpctl.store import audit
from cpctl.store.integrity import COUNTED, Labels, Report, grouped, label_columns, references, schema, values
from cpctl.store.models import (
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


def check(store: Any, *, chain: bool = True) -> Report:
    """Run every check on an open Store, reading only (`chain=False` leaves the audit trail's own check out)."""
    report = Report()
    report.problems += store.engine_problems()
    with store.read() as session:
        conn = session.connection()
        shape = schema(conn)
        report.problems += shape.problems
        for name, table in COUNTED:
            if table in shape.tables:
                report.counts[name] = conn.execute(sql_text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        if shape.unreadable:
            report.notes.append("the other checks wait until the store has every table and column cpctl makes")
            return report
        if conn.dialect.name == "postgresql":  # a team's store: who may see what is in place
            from cpctl.store import access

            report.problems += access.problems(conn)
        found, unreadable = values(conn)
        report.problems += found
        if unreadable:
            report.notes.append("the other checks wait until every value is of the type its column holds")
            return report
        found, unreadable_plans = contents(conn)
        report.problems += found
        report.problems += references(session)
        report.problems += plans(session)
        report.problems += conferences(session)
        report.problems += events(session)
        with audit.tolerant_reads(session):  # an audit entry that is not UTF-8 is named by the chain, not a crash
            report.problems += audited(session)
        if unreadable_plans:
            report.notes.append("the deadlines are checked once every plan version can be read")
        else:
            deadline_problems, note = deadlines(session)
            report.problems += deadline_problems
            if note:
                report.notes.append(note)
        if chain:
            verified = audit.verify(session)
            if not verified.intact:
                report.problems.append(f"the audit trail is broken {verified.problem}")
    return report


# -- the content cpctl parses ------------------------------------------------------------------------------------
class _Attendee(BaseModel):
    person: str
    status: str
    reason: str | None = None


class _Progress(BaseModel):
    status: str
    note: str | None = None


@functools.cache
def _readers() -> dict[tuple[str, str], Any]:
    """How cpctl reads each JSON column: with the model it writes it from, or as the shape it expects."""
    from cpctl.casework.plan import DecisionDetails, Item, PlanContent

    words = TypeAdapter(list[str])
    items = TypeAdapter(list[Item])
    return {
        ("plan_version", "content"): TypeAdapter(PlanContent),
        ("plan_version", "gaps"): words,
        ("decision", "details"): TypeAdapter(DecisionDetails),
        ("decision", "categories"): words,
        ("plan", "initial_categories"): words,
        ("plan", "latest_categories"): words,
        ("core_group_meeting", "attendance"): TypeAdapter(list[_Attendee]),
        ("core_group_meeting", "progress"): TypeAdapter(dict[str, _Progress]),
        ("core_group_meeting", "parent_views"): items,
        ("core_group_meeting", "child_views"): items,
        ("core_group_meeting", "notes"): items,
        ("visit", "notes"): items,
    }  # deadline.explanation: the deadlines check compares each with the one worked out afresh


def contents(conn: Connection) -> tuple[list[str], bool]:
    """The JSON cpctl keeps reads back as cpctl reads it: each plan version through the plan model, each decision's
    details through theirs. Returns the problems, and whether a plan version cannot be read (deadlines are worked
    out from the plans)."""
    found: list[str] = []
    plans_unreadable = False
    labels = Labels(conn)
    quote = conn.dialect.identifier_preparer.quote
    for (table, column), reader in _readers().items():
        bad: dict[Any, str] = {}
        for ident, body in conn.execute(sql_text(f"SELECT id, {quote(column)} FROM {quote(table)} ORDER BY id")):
            try:
                reader.validate_json(body)
            except ValidationError as exc:
                bad[ident] = _why(exc)
        if bad:
            keys = label_columns(SQLModel.metadata.tables[table])
            shown = sorted(bad)[:3]
            query = sql_text(f"SELECT {', '.join(quote(k) for k in keys)} FROM {quote(table)} WHERE id IN :ids")
            named = {
                row[0]: labels.of(table, dict(zip(keys, row, strict=True)))
                for row in conn.execute(query.bindparams(bindparam("ids", expanding=True)), {"ids": shown})
            }
            listed = [f"{named[ident]} ({bad[ident]})" for ident in shown] + [""] * (len(bad) - len(shown))
            found.append(grouped(f"{table}.{column} cannot be read as cpctl reads it", listed))
            plans_unreadable = plans_unreadable or (table, column) == ("plan_version", "content")
    return found, plans_unreadable


def _why(exc: ValidationError) -> str:
    """Where the content goes wrong and how, without the value (it may be a child's name)."""
    error = exc.errors(include_input=False, include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['type']}" if where else str(error["type"])


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
    deleted = _deleted_visits(session)
    for action, model in (("visit.add", Visit), ("core-group.add", CoreGroupMeeting)):
        held = Counter(session.exec(select(model.child_id)).all())  # type: ignore[attr-defined]
        if model is Visit:  # a child whose every visit was deleted in error still has its entries
            held.update({child_id: 0 for child_id, ref in children.items() if deleted.get(ref)})
        for child_id, count in held.items():
            ref = children.get(child_id)
            logged = entries.get((action, ref), 0) - (deleted.get(ref, 0) if model is Visit else 0)
            if logged != count:
                what = "visits" if model is Visit else "core group meetings"
                found.append(f"child {ref} has {count} {what} but {logged} audit entries recording them")
    return found


def _deleted_visits(session: Session) -> Counter[str]:
    """How many visits of each child (by reference) were deleted in error: their `visit.delete` entries name the
    child in their changes."""
    import json

    found: Counter[str] = Counter()
    for changes in session.exec(select(AuditEntry.changes).where(AuditEntry.action == "visit.delete")).all():
        try:
            child = json.loads(changes).get("child")
        except (ValueError, AttributeError, TypeError):
            continue  # an entry changed outside cpctl: the chain names it
        if isinstance(child, str):
            found[child] += 1
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
    "booking_id",
    "person_id",
)
