"""Correcting the facts of a conference recorded wrongly (`cpctl conference correct`): who came, gave apologies
or sent a report, and in what role; the category of harm a decision named; how a child took part (PN0 to PN7);
the chair's summary of the discussion; the date it was held.

A correction never rewrites history silently: it is one audit entry with the reason and each fact as it was and as
it is now; a changed category adds a plan version (the plan's history shows the correction), and the deadlines of
every child the conference decided about are worked out again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from cpctl.casework import people, schedule
from cpctl.casework import plan as plans
from cpctl.casework.conference import _categories, rules_for
from cpctl.casework.conference_changes import move
from cpctl.casework.conference_input import PLAN_OUTCOMES, DecisionIn
from cpctl.dates import utc_now_iso
from cpctl.errors import CpctlError
from cpctl.fileinput import FieldError
from cpctl.store import audit, settings
from cpctl.store.models import Child, Conference, ConferenceAttendee, Decision, Person, Plan, PlanVersion

STATUSES = ("attended", "apologies", "report", "not-invited")


@dataclass
class AttendanceFix:
    """One person's attendance as it really was: a new status (and why, for not-invited), a role or an agency as
    they were on the day, or `remove` for someone listed by mistake."""

    person: str
    status: str | None = None
    reason: str | None = None
    role: str | None = None
    agency: str | None = None
    remove: bool = False


@dataclass
class ConferenceFix:
    """What `conference correct` changes; anything left None or empty stays as recorded."""

    reason: str
    date: date | None = None
    attendance: list[AttendanceFix] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)  # child (id or name) -> category codes
    inquorate_reason: str | None = None
    participation: dict[str, str] = field(default_factory=dict)  # child (id or name) -> PN0 to PN7
    discussion: str | None = None  # the chair's summary as it should read ("" clears it)


@dataclass
class Corrected:
    """What a correction changed, for the command to print: {fact: [before, after]}, and any new plan versions."""

    changes: dict[str, list[Any]]
    versions: list[tuple[str, int, int]]  # (child ref, plan number, new version number)


def correct(session: Session, row: Conference, fix: ConferenceFix, *, today: date | None = None) -> Corrected:
    """Apply a correction to a recorded conference, in the caller's transaction."""
    from cpctl.text import LONG, clean

    today = today or date.today()
    if (
        fix.date is None
        and not fix.attendance
        and not fix.categories
        and fix.inquorate_reason is None
        and not fix.participation
        and fix.discussion is None
    ):
        raise CpctlError(
            "say what to correct: --date, --attended, --apologies, --report, --not-invited, --remove, --role, "
            "--agency, --category, --participation, --discussion or --inquorate-reason."
        )
    why = clean(fix.reason, "the reason") if fix.reason else None
    if not why:
        raise CpctlError('say why the conference is corrected (--reason "..."): the reason is kept in the audit trail.')
    changes: dict[str, list[Any]] = {}
    if fix.date is not None and fix.date != row.held_on:
        old = move(session, row, fix.date, today=today, audited=False)
        changes["date"] = [old.isoformat(), fix.date.isoformat()]
    for item in fix.attendance:
        changes.update(_attendance(session, row, item))
    changes.update(_quorum(session, row, fix.inquorate_reason))
    versions: list[tuple[str, int, int]] = []
    for key, codes in fix.categories.items():
        found, version = _category(session, row, key, codes, today)
        changes.update(found)
        if version is not None:
            versions.append(version)
    for key, code in fix.participation.items():
        changes.update(_participation(session, row, key, code))
    if fix.discussion is not None:
        text = clean(fix.discussion, "the summary of the discussion", multiline=True, max_length=LONG) or None
        if text != row.discussion:
            changes["discussion"] = [row.discussion, text]
            row.discussion = text
    if not changes:
        return Corrected({}, [])
    session.add(row)
    session.flush()
    audit.record(
        session,
        "conference.correct",
        "conference",
        row.ref,
        f"conference {row.ref} corrected: {why}",
        {"reason": why, **changes},
    )
    for decision in session.exec(select(Decision).where(Decision.conference_id == row.id)).all():
        child = session.get(Child, decision.child_id)
        assert child is not None
        schedule.refresh_child(session, child)
    return Corrected(changes, versions)


# -- attendance -------------------------------------------------------------------------------------------------
def _attendance(session: Session, row: Conference, item: AttendanceFix) -> dict[str, list[Any]]:
    from cpctl.text import clean

    person = people.find_person(session, item.person)
    if row.chair_id == person.id:
        raise CpctlError(f"{person.ref} chaired {row.ref}; the chair is not in the attendance list.")
    entry = session.get(ConferenceAttendee, (row.id, person.id))
    key = f"attendance.{person.ref}"
    before = _shown(entry)
    if item.remove:
        if entry is None:
            raise CpctlError(f"{person.ref} is not in the attendance of {row.ref}; nothing to remove.")
        session.delete(entry)
        return {key: [before, None]}
    if entry is None:
        if item.status is None:
            raise CpctlError(
                f"{person.ref} is not in the attendance of {row.ref}: say how they took part "
                "(--attended, --apologies, --report or --not-invited)."
            )
        entry = ConferenceAttendee(
            conference_id=row.id or 0,
            person_id=person.id or 0,
            status=item.status,
            role=person.role,
            agency=person.agency,
        )
    if item.status is not None:
        if item.status not in STATUSES:
            raise CpctlError(f"{item.status!r} is not an attendance: use {', '.join(STATUSES)}.")
        entry.status = item.status
        entry.reason = None
    if item.reason is not None:
        entry.reason = clean(item.reason, "the reason they were not invited")
    if entry.status == "not-invited" and not entry.reason:
        raise CpctlError(f"say why {person.ref} was not invited: --not-invited {person.ref}=REASON.")
    if item.role is not None:
        entry.role = clean(item.role, "the role") or None
    if item.agency is not None:
        entry.agency = clean(item.agency, "the agency") or None
    after = _shown(entry)
    if after == before:
        return {}
    session.add(entry)
    return {key: [before, after]}


def _shown(entry: ConferenceAttendee | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"status": entry.status, "reason": entry.reason, "role": entry.role, "agency": entry.agency}


def _quorum(session: Session, row: Conference, inquorate_reason: str | None) -> dict[str, list[Any]]:
    """The quorum worked out again from the attendance as it now stands (the agencies as they were on the day)."""
    from cpctl.text import clean

    session.flush()
    rules = rules_for(settings.current(session).jurisdiction)
    chair = session.get(Person, row.chair_id)
    agencies = {
        (entry.agency or "").strip().lower()
        for entry, person in session.exec(
            select(ConferenceAttendee, Person)
            .join(Person, Person.id == ConferenceAttendee.person_id)
            .where(ConferenceAttendee.conference_id == row.id, ConferenceAttendee.status == "attended")
        ).all()
        if person.kind == "professional" and entry.agency
    } | ({chair.agency.strip().lower()} if chair is not None and chair.agency else set())
    quorate = len(agencies) >= rules.min_agencies
    reason = clean(inquorate_reason, "why it went ahead") if inquorate_reason else row.inquorate_reason
    if not quorate and not reason:
        raise CpctlError(
            f"with this attendance {row.ref} was not quorate: {len(agencies)} "
            f"agenc{'y' if len(agencies) == 1 else 'ies'} took part and {rules.jurisdiction} needs "
            f"{rules.min_agencies}. Say why it went ahead (--inquorate-reason), or correct the attendance."
        )
    before = {"agencies": row.agencies_present, "quorate": row.quorate, "inquorate_reason": row.inquorate_reason}
    row.agencies_present, row.quorate = len(agencies), quorate
    row.inquorate_reason = None if quorate else reason
    after = {"agencies": row.agencies_present, "quorate": row.quorate, "inquorate_reason": row.inquorate_reason}
    return {} if after == before else {"quorum": [before, after]}


# -- how a child took part ----------------------------------------------------------------------------------------
def _participation(session: Session, row: Conference, key: str, code: str) -> dict[str, list[Any]]:
    from cpctl.casework import participation

    child = people.find_child(session, key)
    decision = session.exec(
        select(Decision).where(Decision.conference_id == row.id, Decision.child_id == child.id)
    ).first()
    if decision is None:
        raise CpctlError(f"{row.ref} made no decision about child {child.ref}; see `cpctl conference show {row.ref}`.")
    try:
        new = participation.check(code)
    except ValueError as exc:
        raise CpctlError(f"{exc}.") from None
    if new is not None:
        wrong = participation.fits(new, child.date_of_birth, row.held_on)
        if wrong is not None:
            raise CpctlError(f"child {child.ref}: {wrong}.")
    if new == decision.participation:
        return {}
    old = decision.participation
    decision.participation = new
    session.add(decision)
    return {f"participation.{child.ref}": [old, new]}


# -- a decision's category --------------------------------------------------------------------------------------
def _category(
    session: Session, row: Conference, key: str, codes: list[str], today: date
) -> tuple[dict[str, list[Any]], tuple[str, int, int] | None]:
    child = people.find_child(session, key)
    decision = session.exec(
        select(Decision).where(Decision.conference_id == row.id, Decision.child_id == child.id)
    ).first()
    if decision is None:
        raise CpctlError(f"{row.ref} made no decision about child {child.ref}; see `cpctl conference show {row.ref}`.")
    if decision.outcome not in PLAN_OUTCOMES or decision.plan_id is None:
        raise CpctlError(
            f"{row.ref} decided {decision.outcome} for child {child.ref}, which names no category of harm."
        )
    rules = rules_for(settings.current(session).jurisdiction)
    given = DecisionIn.model_construct(outcome=decision.outcome, categories=codes)
    try:
        new = _categories(rules, given, (), None)
    except FieldError as exc:
        raise CpctlError(exc.reason) from None
    old = plans.categories_of(decision.categories)
    if new == old:
        return {}, None
    decision.categories = json.dumps(new)
    session.add(decision)
    plan_row = session.get(Plan, decision.plan_id)
    assert plan_row is not None
    if plan_row.start_conference_id == row.id:
        plan_row.initial_categories = json.dumps(new)
    if _latest_decision_id(session, plan_row) == decision.id:
        plan_row.latest_categories = json.dumps(new)
    session.add(plan_row)
    version = _correction_version(session, plan_row, today)
    return {f"categories.{child.ref}": [old, new]}, (child.ref, plan_row.number, version)


def _latest_decision_id(session: Session, plan_row: Plan) -> int | None:
    """The decision that set the plan's latest categories: the last conference to start, continue or change it."""
    return session.exec(
        select(Decision.id)
        .join(Conference, Conference.id == Decision.conference_id)
        .where(Decision.plan_id == plan_row.id, col(Decision.outcome).in_(PLAN_OUTCOMES))
        .order_by(col(Conference.held_on).desc(), col(Decision.id).desc())
        .limit(1)
    ).first()


def _correction_version(session: Session, plan_row: Plan, today: date) -> int:
    """A new version of the plan, its content as it stands, made by the correction: the plan's history shows that
    what it rests on (its category) was corrected, when and by whom."""
    last = plans.version(session, plan_row)
    if last is None:
        raise CpctlError(
            f"plan {plan_row.number} has no version to correct; the store is damaged: run `cpctl db check`."
        )
    number = last.number + 1
    session.add(
        PlanVersion(
            plan_id=plan_row.id or 0,
            number=number,
            made_on=max(today, last.made_on),
            made_at=utc_now_iso(),
            source="correction",
            draft=last.draft,
            gaps=last.gaps,
            content=last.content,
            author=audit.current_actor(session),
        )
    )
    return number
