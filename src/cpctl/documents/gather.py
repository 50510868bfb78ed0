"""A plan document from the store: the child's plan, its version and decision, the people it names, its deadlines.

`gather()` reads what `cpctl.documents.redaction.assemble` needs and returns the full (professional) document;
`reader_for()` finds the parent or carer a parent copy is made for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from cpctl.documents.redaction import assemble
from cpctl.documents.views import (
    AttendeeView,
    ChildView,
    ConferenceView,
    DeadlineView,
    PersonView,
    PlanDocument,
    PlanView,
    ProgressView,
    VersionView,
)
from cpctl.errors import Invalid, NotFound

if TYPE_CHECKING:
    from sqlmodel import Session

    from cpctl.store.models import Child, Person


def gather(
    session: Session,
    child: Child,
    *,
    version: int | None = None,
    today: date,
    progress: Mapping[str, ProgressView] | None = None,
    plan_id: int | None = None,
    conference_id: int | None = None,
) -> PlanDocument:
    """The full document for the child's plan in force (or their latest plan), at a version or the latest.

    `plan_id` names another of the child's plans; `conference_id` the conference whose decision the document shows
    (an outcome letter's), instead of the one that made the version."""
    import json

    from sqlmodel import col, select

    from cpctl.casework import conference as conferences
    from cpctl.casework import plan as plans
    from cpctl.casework import progress as core_groups
    from cpctl.casework import schedule
    from cpctl.dates import age_on
    from cpctl.store import settings
    from cpctl.store.models import Conference, ConferenceAttendee, Decision, Person, Plan

    chosen_plan = session.get(Plan, plan_id) if plan_id is not None else None
    plan_row = chosen_plan or plans.active_plan(session, child) or plans.latest_plan(session, child)
    if plan_row is None:
        raise NotFound(
            f"child {child.ref} has never had a plan; a plan starts at a conference (`cpctl conference new`)."
        )
    every_version = plans.versions(session, plan_row)
    row = plans.version(session, plan_row, version)
    if row is None:
        if not every_version:
            raise NotFound(
                f"plan {plan_row.number} of child {child.ref} has no written plan yet; record the "
                "outline plan at a conference first."
            )
        numbers = [v.number for v in every_version]
        raise NotFound(
            f"plan {plan_row.number} of child {child.ref} has no version {version}; it has "
            f"version{'s' if len(numbers) > 1 else ''} {_span(numbers)}."
        )
    decision = None
    if conference_id is not None:
        decision = session.exec(
            select(Decision).where(Decision.conference_id == conference_id, Decision.plan_id == plan_row.id)
        ).first()
    if decision is None and row.conference_id is not None:
        decision = session.exec(
            select(Decision).where(Decision.conference_id == row.conference_id, Decision.plan_id == plan_row.id)
        ).first()
    if decision is None:
        decision = session.exec(
            select(Decision)
            .join(Conference, col(Conference.id) == col(Decision.conference_id))
            .where(Decision.plan_id == plan_row.id, Conference.held_on <= row.made_on)
            .order_by(col(Conference.held_on).desc(), col(Decision.id).desc())
            .limit(1)
        ).first()
    content = plans.content_of(row)
    details = plans.details_of(decision) if decision is not None else plans.DecisionDetails()
    state = settings.current(session)
    profile = schedule.load_profile(session)
    rules = conferences.rules_for(state.jurisdiction)
    terms = {key: value for key, value in profile.terms.items() if value}

    def labels(codes_json: str) -> tuple[str, ...]:
        return tuple(rules.categories.get(code, code) for code in plans.categories_of(codes_json))

    relationships = {person.id: (person, rel) for person, rel in _people_of_child(session, child)}
    wanted: set[str] = set(content.core_group)
    wanted |= {a.who.strip() for a in content.actions if a.who}
    wanted |= {s.who.strip() for s in content.child_seen if s.who}
    found = session.exec(select(Person).where(col(Person.ref).in_(sorted(wanted)))).all() if wanted else []
    by_id: dict[int, Person] = {p.id or 0: p for p in found}
    for extra_id in (plan_row.lead_worker_id,):
        extra = session.get(Person, extra_id)
        if extra is not None:
            by_id[extra.id or 0] = extra
    for person_id, (person, _) in relationships.items():
        by_id[person_id or 0] = person

    def view(person: Person) -> PersonView:
        linked = relationships.get(person.id)
        return PersonView(
            ref=person.ref,
            name=person.name,
            kind=person.kind,
            role=person.role,
            agency=person.agency,
            relationship=linked[1] if linked else None,
            email=person.email,
            phone=person.phone,
            preferred_language=person.preferred_language,
        )

    people = {p.ref: view(p) for p in by_id.values()}
    lead = session.get(Person, plan_row.lead_worker_id)
    conference_view = None
    if decision is not None:
        held = session.get(Conference, decision.conference_id)
        assert held is not None
        chair = session.get(Person, held.chair_id)
        attendees = session.exec(
            select(ConferenceAttendee, Person)
            .join(Person, col(Person.id) == col(ConferenceAttendee.person_id))
            .where(ConferenceAttendee.conference_id == held.id)
            .order_by(col(Person.name))
        ).all()
        conference_view = ConferenceView(
            ref=held.ref,
            kind=held.kind,
            kind_name=rules.kind_name(held.kind),
            held_on=held.held_on,
            outcome=decision.outcome,
            time=held.start_time,
            venue=held.venue,
            virtual=held.virtual,
            chair=view(chair) if chair else None,
            quorate=held.quorate,
            inquorate_reason=held.inquorate_reason,
            categories=labels(decision.categories),
            attendance=tuple(
                AttendeeView(
                    person=dataclasses.replace(view(p), role=a.role, agency=a.agency),
                    status=a.status,
                    reason=a.reason,
                )
                for a, p in attendees
            ),
        )
    rows = schedule.upcoming(session, on=today, every=True, child_id=child.id, terms=terms)
    deadlines = tuple(
        DeadlineView(
            kind=r["kind"],
            what=r["what"],
            due=r["due"],
            overdue=r["overdue"],
            sentence=r["explanation"].get("sentence"),
        )
        for r in rows
        if r["plan"] == plan_row.number
    )
    child_view = ChildView(
        ref=child.ref,
        given_name=child.given_name,
        family_name=child.family_name,
        name=child.full_name,
        date_of_birth=child.date_of_birth,
        expected_date=child.expected_date,
        age=age_on(child.date_of_birth, today) if child.date_of_birth and child.date_of_birth <= today else None,
        gender=child.gender,
        preferred_language=child.preferred_language or "English",
        interpreter_needed=child.interpreter_needed,
        culture_religion=child.culture_religion,
        disability=child.disability,
    )
    plan_view = PlanView(
        number=plan_row.number,
        started_on=plan_row.started_on,
        ended_on=plan_row.ended_on,
        pre_birth=plan_row.pre_birth,
        categories=labels(plan_row.latest_categories),
        initial_categories=labels(plan_row.initial_categories),
        several_unnamed=rules.several is not None
        and plans.categories_of(plan_row.latest_categories) == [rules.several],
        previous_plans=plan_row.number - 1,
        end_reason=plan_row.end_reason,
        step_down=plan_row.step_down,
    )
    version_view = VersionView(
        number=row.number,
        made_on=row.made_on,
        source=row.source,
        draft=row.draft,
        gaps=tuple(json.loads(row.gaps)),
        latest=row.number == every_version[-1].number,
        count=len(every_version),
        agreed_by=row.agreed_by,
    )
    parents = [p.ref for p, rel in relationships.values() if p.kind == "parent"]
    later = next((v for v in every_version if v.number == row.number + 1), None)
    if progress is None:
        recorded = core_groups.latest_progress(session, plan_row, until=later.made_on if later else None)
        progress = {
            action: ProgressView(
                status=value["status"],
                note=value.get("note"),
                recorded_on=date.fromisoformat(value["recorded_on"]) if value.get("recorded_on") else None,
            )
            for action, value in recorded.items()
        }
    arranged = [m.next_meeting for m in core_groups.meetings(session, plan_row) if m.next_meeting]
    next_core_group = arranged[-1] if arranged and arranged[-1] >= today and plan_row.ended_on is None else None
    return assemble(
        issued_on=today,
        authority=state.authority,
        jurisdiction=profile.title,
        terms=terms,
        child=child_view,
        plan=plan_view,
        version=version_view,
        conference=conference_view,
        content=content,
        details=details,
        people=people,
        lead_worker=lead.ref if lead else None,
        parents=parents,
        deadlines=deadlines,
        progress=progress,
        next_core_group=next_core_group,
    )


def children_with_plans(session: Session) -> Sequence[Child]:
    """Every child with a plan in force, by reference (for `plan export --all`)."""
    from sqlmodel import col, select

    from cpctl.store.models import Child, Plan

    return session.exec(
        select(Child)
        .join(Plan, col(Plan.child_id) == col(Child.id))
        .where(col(Plan.ended_on).is_(None))
        .order_by(col(Child.ref))
    ).all()


def _people_of_child(session: Session, child: Child) -> list[tuple[Person, str]]:
    from cpctl.casework import people

    return people.people_of_child(session, child)


def _span(numbers: Sequence[int]) -> str:
    if len(numbers) == 1:
        return str(numbers[0])
    return f"{numbers[0]} to {numbers[-1]}"


def reader_for(session: Session, child: Child, key: str) -> PersonView:
    """The parent or carer a parent copy is for (--to): someone linked to the child, not a professional."""
    from cpctl.casework import people

    person = people.find_person(session, key)
    linked = {p.id: rel for p, rel in people.people_of_child(session, child)}
    if person.id not in linked or person.kind == "professional":
        raise Invalid(
            f"{person.ref} is not a parent, carer or relative of child {child.ref}; a parent copy is "
            "for one of them (see `cpctl child show`)."
        )
    return PersonView(
        ref=person.ref,
        name=person.name,
        kind=person.kind,
        role=person.role,
        agency=person.agency,
        relationship=linked[person.id],
        email=person.email,
        phone=person.phone,
        preferred_language=person.preferred_language,
    )
