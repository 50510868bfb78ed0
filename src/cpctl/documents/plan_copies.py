"""Plan documents for the core group, the parents and the child (seed 002 §3.2, 3.7, 3.19-3.23).

A plan is gathered from the store into a `PlanDocument`, a plain render context. The copy for a reader is made
from it by `for_reader()`: the parents' and the child's copies drop, before any template sees them, everything
marked not for the family and every phone number, address and withheld name, so that no template
(packaged or an authority's own) can show what it was never given. Templates are Jinja2, run in its immutable
sandbox (`cpctl/templates/`, overridable from `<data dir>/templates` or a folder of the user's choice), with
autoescaping for HTML, Markdown escaping of every value for Markdown, StrictUndefined, and the fixed text
translated through gettext catalogues (`cpctl/locale/<lang>/LC_MESSAGES/cpctl.po`, compiled in memory at
first use). PDF is printed from the HTML by Chromium (`cpctl.documents.pdf`).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from cpctl.errors import CpctlError, Invalid, NotFound

if TYPE_CHECKING:
    from babel.support import NullTranslations
    from jinja2 import Environment
    from sqlmodel import Session

    from cpctl.casework.plan import DecisionDetails, PlanContent
    from cpctl.paths import OutputFiles
    from cpctl.store.database import Store
    from cpctl.store.models import Child, Person

Audience = Literal["professional", "parent", "child"]
Format = Literal["md", "html", "pdf"]
AUDIENCES: tuple[Audience, ...] = ("professional", "parent", "child")
FORMATS: tuple[Format, ...] = ("md", "html", "pdf")
SOURCE_LANGUAGE = "en"
# Deadlines a family copy tells the reader about: the meetings, and for the child when they will be seen.
FAMILY_DEADLINES = ("first-core-group", "core-group", "first-review", "review", "child-seen")
# The core group's words for progress on an action (cpctl.casework.coregroup.PROGRESS; a test keeps them equal).
PROGRESS_STATUSES = ("done", "on-track", "some-concern", "not-started", "no-longer-needed")


class TemplateProblem(CpctlError):
    """A document template cannot be read or rendered."""


class NotBornYet(Invalid):
    """There is no child's copy of the plan for an unborn baby."""


# -- the render context --------------------------------------------------------------------------------------
# Every template receives the fields of PlanDocument as variables (`child`, `content`, `deadlines`, ...).
# These classes are the whole contract with template authors: a field not here is an error (StrictUndefined).
@dataclass(frozen=True)
class TextItem:
    """One piece of the plan's free text, as written; `private` ones exist only in the professional copy."""

    text: str
    private: bool = False


@dataclass(frozen=True)
class PersonView:
    """Someone named in the plan. In a family copy `name` is None for a carer (it could reveal a placement),
    `email` is kept only for professionals (their work address), and there is never a phone or an address."""

    ref: str
    name: str | None
    kind: str  # parent, carer, family or professional
    role: str | None = None
    agency: str | None = None
    relationship: str | None = None  # to the child: mother, father, ...
    email: str | None = None
    phone: str | None = None
    preferred_language: str | None = None


@dataclass(frozen=True)
class ProgressView:
    """How an action is going, as the core group last recorded it (None until progress is recorded)."""

    status: str  # one of PROGRESS_STATUSES
    note: str | None = None
    recorded_on: date | None = None


@dataclass(frozen=True)
class ActionView:
    id: str | None
    what: str
    why: str | None = None
    who: str | None = None  # as written, when it names no person on record
    who_person: PersonView | None = None  # when `who` is a person's reference
    start: date | None = None
    frequency: str | None = None
    length: str | None = None
    outcome: str | None = None
    by: date | None = None
    measure: str | None = None
    private: bool = False
    for_family: bool = False  # the person responsible is a parent, carer or relative
    progress: ProgressView | None = None


@dataclass(frozen=True)
class ChildSeenView:
    who: str | None = None
    who_person: PersonView | None = None
    how_often: str | None = None
    where: str | None = None
    parents_present: str | None = None  # yes, no, sometimes
    private: bool = False


@dataclass(frozen=True)
class DissentView:
    who: str
    reason: str
    private: bool = False


@dataclass(frozen=True)
class NotDiscussedView:
    who: str
    why: str
    private: bool = False


@dataclass(frozen=True)
class ObjectivesView:
    child_development: tuple[TextItem, ...] = ()
    parenting_capacity: tuple[TextItem, ...] = ()
    family_environment: tuple[TextItem, ...] = ()


@dataclass(frozen=True)
class ContentView:
    """The body of the plan (cpctl.casework.plan.PlanContent) as the reader may see it."""

    worries: tuple[TextItem, ...] = ()
    working_well: tuple[TextItem, ...] = ()
    immediate_actions: tuple[TextItem, ...] = ()
    objectives: ObjectivesView = ObjectivesView()
    actions: tuple[ActionView, ...] = ()
    child_seen: tuple[ChildSeenView, ...] = ()
    contingency: tuple[TextItem, ...] = ()
    must_change: tuple[TextItem, ...] = ()
    safety_scale: int | None = None


@dataclass(frozen=True)
class DetailsView:
    """The reasons and voices behind the decision (cpctl.casework.plan.DecisionDetails)."""

    evidence: tuple[TextItem, ...] = ()
    child_views: tuple[TextItem, ...] = ()
    parent_views: tuple[TextItem, ...] = ()
    dissent: tuple[DissentView, ...] = ()
    not_discussed_with: tuple[NotDiscussedView, ...] = ()
    interpreter_needed: bool = False
    interpreter_language: str | None = None
    cultural_needs: str | None = None


@dataclass(frozen=True)
class ChildView:
    ref: str
    given_name: str
    family_name: str
    name: str
    date_of_birth: date | None = None
    expected_date: date | None = None
    age: int | None = None  # whole years on the day the copy is made; None before birth
    gender: str | None = None
    preferred_language: str = "English"
    interpreter_needed: bool = False
    culture_religion: str | None = None
    disability: str | None = None

    @property
    def unborn(self) -> bool:
        return self.date_of_birth is None


@dataclass(frozen=True)
class AttendeeView:
    person: PersonView
    status: str  # attended, apologies, report, not-invited
    reason: str | None = None


@dataclass(frozen=True)
class ConferenceView:
    ref: str
    kind: str
    kind_name: str  # in the jurisdiction's words
    held_on: date
    outcome: str  # plan-starts, plan-continues, plan-changes, plan-ends
    time: str | None = None
    venue: str | None = None
    virtual: bool = False
    chair: PersonView | None = None
    quorate: bool = True
    inquorate_reason: str | None = None
    categories: tuple[str, ...] = ()
    attendance: tuple[AttendeeView, ...] = ()


@dataclass(frozen=True)
class PlanView:
    number: int
    started_on: date
    ended_on: date | None = None
    pre_birth: bool = False
    categories: tuple[str, ...] = ()  # labels, as the latest conference recorded them
    initial_categories: tuple[str, ...] = ()
    previous_plans: int = 0
    end_reason: str | None = None
    step_down: str | None = None


@dataclass(frozen=True)
class VersionView:
    number: int
    made_on: date
    source: str  # conference, core-group, ...
    draft: bool = False
    gaps: tuple[str, ...] = ()
    latest: bool = True
    count: int = 1
    agreed_by: str | None = None  # who agreed a revision at a core group, as recorded


@dataclass(frozen=True)
class DeadlineView:
    kind: str  # first-core-group, core-group, first-review, review, child-seen, ...
    what: str  # in the jurisdiction's words
    due: date
    overdue: bool = False
    sentence: str | None = None  # how the date was worked out (professional copy)


@dataclass(frozen=True)
class LanguageView:
    """The language of the fixed text, and what the reader is told when it is not the one asked for."""

    code: str  # BCP 47 code of the fixed text: en, cy
    name: str  # in English: Welsh
    native_name: str  # in itself: Cymraeg
    requested: str  # what was asked for, as written: Polish
    available: bool = True  # False: no translation, so the fixed text is in English
    partial: bool = False  # some fixed text had no translation and is in English
    text_code: str = SOURCE_LANGUAGE  # the language the plan's own words are taken to be written in


@dataclass(frozen=True)
class PlanDocument:
    """Everything a plan document shows. `for_reader()` makes the parents' and the child's from it."""

    audience: Audience
    issued_on: date
    authority: str
    jurisdiction: str
    terms: Mapping[str, str]
    child: ChildView
    plan: PlanView
    version: VersionView
    conference: ConferenceView | None
    lead_worker: PersonView | None
    core_group: tuple[PersonView, ...]
    parents: tuple[PersonView, ...]
    content: ContentView
    details: DetailsView
    deadlines: tuple[DeadlineView, ...]
    next_core_group: date | None = None  # the next core group meeting as arranged at the last one
    reader: PersonView | None = None  # the parent or carer a parent copy is made for
    language: LanguageView | None = None  # set when rendering

    def variables(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


# -- from the plan's records to a document -------------------------------------------------------------------
def _texts(items: Iterable[Any]) -> tuple[TextItem, ...]:
    return tuple(TextItem(text=item.text, private=item.private) for item in items)


def assemble(
    *,
    audience: Audience = "professional",
    issued_on: date,
    authority: str,
    jurisdiction: str,
    terms: Mapping[str, str],
    child: ChildView,
    plan: PlanView,
    version: VersionView,
    conference: ConferenceView | None,
    content: PlanContent,
    details: DecisionDetails,
    people: Mapping[str, PersonView],
    lead_worker: str | None,
    parents: Sequence[str] = (),
    deadlines: Sequence[DeadlineView] = (),
    progress: Mapping[str, ProgressView] | None = None,
    next_core_group: date | None = None,
) -> PlanDocument:
    """The full (professional) document from the plan's content and decision; pure, reads nothing.

    `people` maps references to the people the plan may name; an action's or visit's `who` that is one of
    them is shown as that person. `progress` maps action ids to the core group's latest progress record.
    """
    progress = progress or {}

    def person(ref: str | None) -> PersonView | None:
        return people.get(ref.strip()) if ref else None

    actions = []
    for action in content.actions:
        who_person = person(action.who)
        actions.append(
            ActionView(
                id=action.id,
                what=action.what,
                why=action.why,
                who=None if who_person else action.who,
                who_person=who_person,
                start=action.start,
                frequency=action.frequency,
                length=action.length,
                outcome=action.outcome,
                by=action.by,
                measure=action.measure,
                private=action.private,
                for_family=who_person is not None and who_person.kind in ("parent", "carer", "family"),
                progress=progress.get(action.id or ""),
            )
        )
    seen = []
    for entry in content.child_seen:
        who_person = person(entry.who)
        seen.append(
            ChildSeenView(
                who=None if who_person else entry.who,
                who_person=who_person,
                how_often=entry.how_often,
                where=entry.where,
                parents_present=entry.parents_present,
                private=entry.private,
            )
        )
    body = ContentView(
        worries=_texts(content.worries),
        working_well=_texts(content.working_well),
        immediate_actions=_texts(content.immediate_actions),
        objectives=ObjectivesView(
            child_development=_texts(content.objectives.child_development),
            parenting_capacity=_texts(content.objectives.parenting_capacity),
            family_environment=_texts(content.objectives.family_environment),
        ),
        actions=tuple(actions),
        child_seen=tuple(seen),
        contingency=_texts(content.contingency),
        must_change=_texts(content.must_change),
        safety_scale=content.safety_scale,
    )
    reasons = DetailsView(
        evidence=_texts(details.evidence),
        child_views=_texts(details.child_views),
        parent_views=_texts(details.parent_views),
        dissent=tuple(DissentView(who=d.who, reason=d.reason, private=d.private) for d in details.dissent),
        not_discussed_with=tuple(
            NotDiscussedView(who=n.who, why=n.why, private=n.private) for n in details.not_discussed_with
        ),
        interpreter_needed=details.interpreter.needed,
        interpreter_language=details.interpreter.language,
        cultural_needs=details.cultural_needs,
    )
    core = tuple(p for p in (person(ref) for ref in content.core_group) if p is not None)
    document = PlanDocument(
        audience="professional",
        issued_on=issued_on,
        authority=authority,
        jurisdiction=jurisdiction,
        terms=dict(terms),
        child=child,
        plan=plan,
        version=version,
        conference=conference,
        lead_worker=person(lead_worker),
        core_group=core,
        parents=tuple(p for p in (person(ref) for ref in parents) if p is not None),
        content=body,
        details=reasons,
        deadlines=tuple(deadlines),
        next_core_group=next_core_group,
    )
    return for_reader(document, audience)


def for_reader(document: PlanDocument, audience: Audience, *, reader: PersonView | None = None) -> PlanDocument:
    """The copy for this reader. A family copy holds nothing marked private and no one's phone or address."""
    if audience not in AUDIENCES:
        raise Invalid(f"there is no {audience!r} copy: choose one of {', '.join(AUDIENCES)}.")
    if document.audience != "professional":
        raise ValueError("make every copy from the full (professional) document")
    if audience == "professional":
        return dataclasses.replace(document, reader=reader)
    if audience == "child" and document.child.unborn:
        raise NotBornYet(
            f"child {document.child.ref} is not born yet, so there is no child's copy; make the parents' "
            "copy (--for parent)."
        )
    family = _without_private(document)
    assert isinstance(family, PlanDocument)
    family = _map_people(family, _for_family)
    conference = family.conference
    if conference is not None:
        conference = dataclasses.replace(conference, attendance=(), inquorate_reason=None)
    family = dataclasses.replace(
        family,
        audience=audience,
        conference=conference,
        version=dataclasses.replace(family.version, gaps=()),
        deadlines=tuple(dataclasses.replace(d, sentence=None) for d in family.deadlines if d.kind in FAMILY_DEADLINES),
        reader=_for_family(reader) if reader is not None else None,
    )
    leaks = [type(value).__name__ for value in _walk(family) if getattr(value, "private", False)]
    if leaks:  # unreachable unless _without_private misses a new kind of record: never write such a copy
        raise AssertionError(f"a family copy still holds private {', '.join(sorted(set(leaks)))}")
    return family


def _for_family(person: PersonView) -> PersonView:
    """What a family copy may say about a person: a carer by role only; a professional's work email."""
    return dataclasses.replace(
        person,
        name=None if person.kind == "carer" else person.name,
        email=person.email if person.kind == "professional" else None,
        phone=None,
    )


def _without_private(value: Any) -> Any:
    """The same records, with every element of every sequence that is marked private left out."""
    if isinstance(value, tuple):
        return tuple(_without_private(v) for v in value if not getattr(v, "private", False))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _without_private(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def _map_people(value: Any, change: Callable[[PersonView], PersonView]) -> Any:
    if isinstance(value, PersonView):
        return change(value)
    if isinstance(value, tuple):
        return tuple(_map_people(v, change) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _map_people(getattr(value, f.name), change) for f in dataclasses.fields(value)}
        )
    return value


def _walk(value: Any) -> Iterable[Any]:
    yield value
    if isinstance(value, tuple | list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _walk(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name))


T = TypeVar("T")


def map_strings(value: T, change: Callable[[str], str]) -> T:
    """The same document with `change` applied to every string in it (for Markdown escaping)."""
    result: Any
    if isinstance(value, str):
        result = change(value)
    elif isinstance(value, tuple):
        result = tuple(map_strings(v, change) for v in value)
    elif isinstance(value, Mapping):
        result = {k: map_strings(v, change) for k, v in value.items()}
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        result = dataclasses.replace(
            value, **{f.name: map_strings(getattr(value, f.name), change) for f in dataclasses.fields(value)}
        )
    else:
        result = value
    return result  # type: ignore[no-any-return]


# -- from the store ------------------------------------------------------------------------------------------
def gather(
    session: Session,
    child: Child,
    *,
    version: int | None = None,
    today: date,
    progress: Mapping[str, ProgressView] | None = None,
) -> PlanDocument:
    """The full document for the child's plan in force (or their latest plan), at a version or the latest."""
    import json

    from sqlmodel import col, select

    from cpctl.casework import conference as conferences
    from cpctl.casework import coregroup, schedule
    from cpctl.casework import plan as plans
    from cpctl.dates import age_on
    from cpctl.store import settings
    from cpctl.store.models import Conference, ConferenceAttendee, Decision, Person

    plan_row = plans.active_plan(session, child) or plans.latest_plan(session, child)
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
    if row.conference_id is not None:
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
        recorded = coregroup.latest_progress(session, plan_row, until=later.made_on if later else None)
        progress = {
            action: ProgressView(
                status=value["status"],
                note=value.get("note"),
                recorded_on=date.fromisoformat(value["recorded_on"]) if value.get("recorded_on") else None,
            )
            for action, value in recorded.items()
        }
    arranged = [m.next_meeting for m in coregroup.meetings(session, plan_row) if m.next_meeting]
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


# -- languages -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Catalogue:
    """The translations of the fixed text into one language, and which messages it really translates."""

    code: str
    translations: NullTranslations
    translated: frozenset[str] = frozenset()


def available_languages() -> tuple[str, ...]:
    """The languages cpctl's documents can be written in: English and every packaged catalogue."""
    from importlib.resources import files

    root = files("cpctl").joinpath("locale")
    found = sorted(
        entry.name for entry in root.iterdir() if entry.is_dir() and entry.joinpath("LC_MESSAGES", "cpctl.po").is_file()
    )
    return (SOURCE_LANGUAGE, *found)


def language_code(text: str | None) -> str | None:
    """A language as people write it ('Welsh', 'Cymraeg', 'cy', 'cy-GB') as its code; None if unknown."""
    from babel import Locale, UnknownLocaleError

    value = (text or "").strip()
    if not value:
        return None
    lowered = value.lower()
    english = Locale("en")
    for code, name in english.languages.items():
        if name.lower() == lowered and "_" not in code:
            return code
    for code in available_languages():
        if (Locale.parse(code).get_display_name(code) or "").lower() == lowered:
            return code
    try:
        parsed = Locale.parse(value.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    return parsed.language


def choose_language(requested: str | None) -> LanguageView:
    """The language to write in: the one requested if cpctl has a catalogue for it, otherwise English."""
    from babel import Locale

    wanted = (requested or "").strip() or "English"
    code = language_code(wanted)
    if code is None or code not in available_languages():
        english = Locale.parse(SOURCE_LANGUAGE)
        return LanguageView(
            code=SOURCE_LANGUAGE,
            name="English",
            native_name=english.get_display_name("en") or "",
            requested=wanted,
            available=code == SOURCE_LANGUAGE,
        )
    locale = Locale.parse(code)
    return LanguageView(
        code=code,
        name=locale.get_display_name("en") or code,
        native_name=locale.get_display_name(code) or code,
        requested=wanted,
        available=True,
    )


def check_language(text: str) -> str:
    """A --language value cpctl knows as a language (whether or not it has a translation into it)."""
    if language_code(text) is None:
        from babel import Locale

        names = " and ".join(Locale.parse(code).get_display_name("en") or code for code in available_languages())
        raise Invalid(
            f"unknown language {text[:40]!r}: give a name such as Welsh or a code such as cy "
            f"(cpctl has copies in {names})."
        )
    return text.strip()


@functools.cache
def catalogue(code: str) -> Catalogue:
    """The packaged catalogue for a language, compiled from its .po file in memory on first use."""
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    if code == SOURCE_LANGUAGE:
        return Catalogue(code=code, translations=NullTranslations())
    from importlib.resources import files

    source = files("cpctl").joinpath("locale", code, "LC_MESSAGES", "cpctl.po")
    with source.open("rb") as handle:
        po = read_po(handle, locale=code, domain="cpctl")
    buffer = BytesIO()
    write_mo(buffer, po, use_fuzzy=False)
    buffer.seek(0)
    translated = frozenset(
        message_key(str(message.id if isinstance(message.id, str) else message.id[0]), message.context)
        for message in po
        if message.id
        and not message.fuzzy
        and (all(message.string) if isinstance(message.string, tuple | list) else message.string)
    )
    return Catalogue(code=code, translations=Translations(buffer, domain="cpctl"), translated=translated)


def message_key(message: str, context: str | None = None) -> str:
    """A message as gettext files it: with its context, if any, before an EOT character."""
    return message if context is None else f"{context}\x04{message}"


class RecordingTranslations:
    """gettext for the templates that notes every fixed message the catalogue has no translation for."""

    def __init__(self, found: Catalogue) -> None:
        self.catalogue = found
        self.missing: set[str] = set()
        self.used: set[str] = set()

    def _note(self, message: str, context: str | None = None) -> None:
        key = message_key(message, context)
        self.used.add(key)
        if self.catalogue.code != SOURCE_LANGUAGE and key not in self.catalogue.translated:
            self.missing.add(key)

    def gettext(self, message: str) -> str:
        self._note(message)
        return str(self.catalogue.translations.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self._note(singular)
        return str(self.catalogue.translations.ngettext(singular, plural, n))

    def pgettext(self, context: str, message: str) -> str:
        self._note(message, context)
        return str(self.catalogue.translations.pgettext(context, message))

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        self._note(singular, context)
        return str(self.catalogue.translations.npgettext(context, singular, plural, n))


# -- rendering -----------------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&])")
_MD_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")


def markdown_escape(text: str) -> str:
    """Free text that Markdown shows exactly as written: no emphasis, links, HTML, headings or lists.

    Every character Markdown could read as syntax is backslash-escaped (CommonMark lets any ASCII punctuation
    be), a line may not open a list, heading or quote, line breaks inside the text become hard breaks, and control
    characters and bidi overrides are taken out first (so that none can hide a list marker from the check).
    """
    from cpctl.text import without_controls

    lines = []
    for raw in without_controls(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n"):
        line = _MD_SPECIAL.sub(r"\\\1", raw.strip())
        line = _MD_LINE_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", line)
        if line:
            lines.append(line)
    return "  \n  ".join(lines)


def css_string(text: str) -> str:
    """A CSS string literal (with its quotes) that shows `text` as written, safe inside <style>."""
    out = []
    for ch in text:
        if ch in '"\\' or ch in "<>&" or not ch.isprintable():
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def css_counter_text(message: str) -> str:
    """'Page %(page)s of %(pages)s' as a CSS `content` value with the page counters in their places."""
    parts = re.split(r"(%\((?:page|pages)\)s)", message)
    out = []
    for part in parts:
        if part == "%(page)s":
            out.append("counter(page)")
        elif part == "%(pages)s":
            out.append("counter(pages)")
        elif part:
            out.append(css_string(part))
    return " ".join(out)


@dataclass(frozen=True)
class Rendered:
    text: str
    language: LanguageView
    missing: frozenset[str] = frozenset()  # fixed messages with no translation (shown in English)
    used: frozenset[str] = frozenset()  # every fixed message the copy shows (for the tests' coverage checks)
    template: str = ""


def template_dirs(extra: Path | None = None) -> tuple[Path, ...]:
    """Users' own templates, looked for before the packaged ones: --templates, then the data folder's."""
    from cpctl.paths import data_dir

    found = []
    if extra is not None:
        if not extra.is_dir():
            raise Invalid(f"the templates folder {extra} does not exist; give a folder that holds your templates.")
        found.append(extra)
    own = data_dir() / "templates"
    if own.is_dir():
        found.append(own)
    return tuple(found)


@functools.lru_cache(maxsize=32)
def environment(
    fmt: Literal["md", "html"], code: str, dirs: tuple[Path, ...] = ()
) -> tuple[Environment, RecordingTranslations]:
    """A Jinja2 environment for one format and language (users' folders first, then cpctl's own templates),
    with the gettext that records untranslated messages. Kept for the process, so `--all` compiles once.

    Every template, cpctl's and an authority's own, runs in Jinja2's immutable sandbox: it reads the fields of
    the copy it is given and nothing else (no underscore attributes, so no way from a value to its class, a
    function's globals, the os module or the garbage collector; no changing lists or dicts; no huge ranges).
    The copy itself is plain data made for the reader (`for_reader`), and the filters and globals below are
    plain functions and values, so the sandbox guards nothing that holds the full document, the session or
    the store."""
    from babel.dates import format_date
    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from markupsafe import Markup

    class Refused(StrictUndefined):
        """What the sandbox gives for an attribute templates may not read: any use of it, taking a further
        attribute too (`x|attr('__init__')|attr('__globals__')`), is the sandbox's error, not a missing field."""

        def __getattr__(self, name: str) -> Any:
            if self._undefined_exception is SecurityError:
                self._fail_with_undefined_error()
            return super().__getattr__(name)

    loader = ChoiceLoader([*(FileSystemLoader(str(d)) for d in dirs), PackageLoader("cpctl", "templates")])
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        bytecode_cache=_bytecode_cache(fmt),
        autoescape=fmt == "html",
        undefined=Refused,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    gettext = RecordingTranslations(catalogue(code))
    env.install_gettext_translations(gettext, newstyle=True)  # type: ignore[attr-defined]
    locale = "en_GB" if code == SOURCE_LANGUAGE else code

    def day(value: date | None, pattern: str = "d MMMM y") -> str:
        return format_date(value, pattern, locale=locale) if value is not None else ""

    def plain(value: Any) -> str:
        return value.unescape() if isinstance(value, Markup) else str(value)

    def css(value: Any) -> Markup:
        return Markup(css_string(plain(value)))

    def css_counters(value: Any) -> Markup:
        return Markup(css_counter_text(plain(value)))

    def capfirst(value: Any) -> Any:
        return value[:1].upper() + value[1:] if value else value

    def lowerfirst(value: Any) -> Any:
        return value[:1].lower() + value[1:] if value else value

    env.filters.update(day=day, css_string=css, css_counters=css_counters, capfirst=capfirst, lowerfirst=lowerfirst)
    env.globals.update(format=fmt, PROGRESS_STATUSES=PROGRESS_STATUSES)
    return env, gettext


# Bump when environment() changes how the same template source compiles. 2: the sandbox (its code calls through
# the environment's checks), so that nothing compiled outside it is ever loaded.
TEMPLATE_CACHE_FORMAT = 2


def _bytecode_cache(fmt: str) -> Any:
    """Compiled templates, kept in the data folder's cache/templates: one copy exported on its own then costs no
    compiling (about 70 ms). Jinja2 checks each against its template's source, so an edited template is compiled
    again. The folder's name holds cpctl's version and TEMPLATE_CACHE_FORMAT, so an upgrade that compiles
    differently (other settings, filters or escaping) does not reuse old code; each format has a folder of its
    own, since the same template compiles differently with HTML's escaping on. What is cached is code that will
    be run, so a folder that is not the user's own, or that others can write to, is not used (`paths.cache_dir`).
    A cache that cannot be read, written or trusted, or a damaged file in it, only means compiling again."""
    from jinja2 import FileSystemBytecodeCache

    from cpctl import __version__

    parts = ("templates", f"{__version__}-{TEMPLATE_CACHE_FORMAT}", fmt)

    class DataFolderCache(FileSystemBytecodeCache):
        def __init__(self) -> None:
            super().__init__(directory=".")  # the folder is found at each use: the data folder can change

        def _get_cache_filename(self, bucket: Any) -> str:
            from cpctl.paths import cache_dir

            folder = cache_dir(*parts)
            if folder is None:
                raise OSError("no private cache folder")
            return str(folder / (self.pattern % (bucket.key,)))

        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # missing, unreadable, untrusted or damaged (pickle and marshal raise many kinds)
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return DataFolderCache()


def render(
    document: PlanDocument,
    fmt: Literal["md", "html"],
    *,
    language: str | None = None,
    templates: Sequence[Path] = (),
) -> Rendered:
    """The document as Markdown or HTML, its fixed text in `language` where cpctl has a translation. Neither holds
    a control character (but line breaks and tabs) or a bidi override, from the plan's words or a template."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    from cpctl.text import without_controls

    chosen = choose_language(language)
    found = catalogue(chosen.code)
    document = _translated_terms(document, found)
    name = f"{document.audience}.j2"
    env, gettext = environment(fmt, chosen.code, tuple(templates))
    for attempt in range(2):
        gettext.missing.clear()
        gettext.used.clear()
        shown = dataclasses.replace(document, language=chosen)
        shown = map_strings(shown, markdown_escape if fmt == "md" else without_controls)
        try:
            text = without_controls(env.get_template(name).render(shown.variables()))
        except TemplateSyntaxError as exc:
            raise TemplateProblem(
                f"the template {exc.filename or exc.name or name}, line {exc.lineno}, is not "
                f"valid: {exc.message}. Fix it, or remove it to use cpctl's own."
            ) from None
        except TemplateNotFound as exc:
            raise TemplateProblem(
                f"no template {exc.name} for the {document.audience} copy in {fmt}; check the templates folder."
            ) from None
        except SecurityError as exc:
            raise _sandbox_problem(exc, name) from None
        except OverflowError as exc:  # the sandbox's range() refuses a range too big to be a document's
            raise _sandbox_problem(exc, name) from None
        except UndefinedError as exc:
            raise TemplateProblem(
                f"the template for the {document.audience} copy in {fmt} uses something a "
                f"plan document does not have ({exc.message}); fix the template."
            ) from None
        except TemplateError as exc:
            raise TemplateProblem(f"the template for the {document.audience} copy in {fmt} failed: {exc}.") from None
        if fmt == "md":
            text = _tidy_markdown(text)
        if not gettext.missing or attempt == 1:
            break
        chosen = dataclasses.replace(chosen, partial=True)
    return Rendered(
        text=text,
        language=chosen,
        missing=frozenset(gettext.missing),
        used=frozenset(gettext.used),
        template=name,
    )


def _sandbox_problem(exc: Exception, name: str) -> TemplateProblem:
    """One line for a template that broke the sandbox's rules, naming the template file (the innermost one,
    when one template includes another) and what it tried, never a value it reached."""
    where = name
    tb = exc.__traceback__
    while tb is not None:  # Jinja2 rewrites the traceback so that each template's frame names its file
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            where = f"{tb.tb_frame.f_code.co_filename}, line {tb.tb_lineno},"
        tb = tb.tb_next
    message = str(exc)
    found = re.fullmatch(r"access to attribute ('.{1,80}') of '(\w{1,80})' object is unsafe\.", message, re.DOTALL)
    if found:
        what = f"it read the attribute {found.group(1)} of a {found.group(2)}"
    elif isinstance(exc, OverflowError):
        what = "it asked for a range of more than 100,000 numbers"
    else:  # "... is not safely callable" quotes the value: never show it
        what = "it called something templates may not call"
    return TemplateProblem(
        f"the template {where} tried something templates may not do: {what}. A template may use the fields of the "
        "plan document and Jinja2's filters and tests; fix it, or remove it to use cpctl's own."
    )


def _tidy_markdown(text: str) -> str:
    """One blank line between blocks, none at the start, one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def _translated_terms(document: PlanDocument, found: Catalogue) -> PlanDocument:
    """The jurisdiction's words and category names in the reader's language where the catalogue has them."""
    if found.code == SOURCE_LANGUAGE:
        return document

    def word(text: str) -> str:
        if text in found.translated:
            return str(found.translations.gettext(text))
        lowered = text[:1].lower() + text[1:]  # "Initial child protection conference", as a heading has it
        if lowered != text and lowered in found.translated:
            translated = str(found.translations.gettext(lowered))
            return translated[:1].upper() + translated[1:]
        return text

    terms = {key: word(value) for key, value in document.terms.items()}
    plan = dataclasses.replace(
        document.plan,
        categories=tuple(word(c) for c in document.plan.categories),
        initial_categories=tuple(word(c) for c in document.plan.initial_categories),
    )
    conference = document.conference
    if conference is not None:
        conference = dataclasses.replace(
            conference,
            kind_name=word(conference.kind_name),
            categories=tuple(word(c) for c in conference.categories),
        )
    return dataclasses.replace(document, terms=terms, plan=plan, conference=conference)


def export(
    document: PlanDocument, fmt: Format, *, language: str | None = None, templates: Sequence[Path] = ()
) -> tuple[bytes, Rendered]:
    """The document as the bytes of a file in `fmt` (PDF is printed from the HTML by Chromium)."""
    if fmt not in FORMATS:
        raise Invalid(f"there is no {fmt!r} format: choose one of {', '.join(FORMATS)}.")
    rendered = render(document, "md" if fmt == "md" else "html", language=language, templates=templates)
    if fmt == "pdf":
        from cpctl.documents import pdf

        return pdf.html_to_pdf(rendered.text), rendered
    return rendered.text.encode("utf-8"), rendered


def default_language(document: PlanDocument) -> str:
    """The reader's preferred language: the parent's a copy is made for, or else the child's."""
    if document.audience == "professional":
        return "English"
    if document.audience == "parent" and document.reader is not None and document.reader.preferred_language:
        return document.reader.preferred_language
    return document.child.preferred_language or "English"


def file_name(document: PlanDocument, fmt: Format) -> str:
    """DEMO-1001-plan1-v2-parent.pdf: the child's id (made safe for a file name), plan, version and reader."""
    ref = re.sub(r"[^A-Za-z0-9._-]", "_", document.child.ref).lstrip(".") or "child"
    return f"{ref}-plan{document.plan.number}-v{document.version.number}-{document.audience}.{fmt}"


# -- writing -------------------------------------------------------------------------------------------------
def make_private_folder(folder: Path) -> None:
    """Create the folder (and missing parents) readable by its owner only; an existing one is left alone."""
    from cpctl.paths import make_private_folders

    if folder.is_dir():
        return
    if folder.exists():
        raise Invalid(f"{folder} is a file, not a folder; choose another --out.")
    make_private_folders(folder)


def format_from_suffix(path: Path) -> Format | None:
    suffix = path.suffix.lower().lstrip(".")
    aliases: dict[str, Format] = {"md": "md", "markdown": "md", "html": "html", "htm": "html", "pdf": "pdf"}
    return aliases.get(suffix)


def record_disclosure(
    session: Session,
    documents: Sequence[PlanDocument],
    fmt: Format,
    language: str,
    *,
    reader: PersonView | None = None,
    where: str,
) -> None:
    """A copy of a plan left cpctl: say so in the audit trail (who, which children, which copy, where to)."""
    from cpctl.store import audit

    if not documents:
        return
    first = documents[0]
    copy = f"{first.audience} cop{'y' if len(documents) == 1 else 'ies'}"
    details = {
        "audience": first.audience,
        "format": fmt,
        "language": language,
        "to": reader.ref if reader is not None else None,
        "where": where,
        "copies": [{"child": d.child.ref, "version": d.version.number} for d in documents],
    }
    if len(documents) == 1:
        summary = f"{copy} of child {first.child.ref}'s plan, version {first.version.number}, exported ({fmt})"
        audit.record(session, "plan.export", "child", first.child.ref, summary, details)
    else:
        summary = f"{len(documents)} {copy} of plans exported ({fmt})"
        audit.record(session, "plan.export", "plan", None, summary, details)


def disclose(
    store: Store,
    documents: Sequence[PlanDocument],
    fmt: Format,
    language: str,
    *,
    files: OutputFiles | None,
    reader: PersonView | None = None,
    where: str,
) -> None:
    """Record a disclosure and put its files in place as one step, so that the trail never names a copy that was
    not written, nor a written copy go unrecorded.

    The files are written in full under temporary names first (`files`, see `paths.OutputFiles`); then, inside the
    store transaction that records the disclosure, they are moved into place before the commit. A file that cannot
    be moved rolls the record back; a commit that fails after the move removes the files again (OutputFiles says
    so). A caught signal (Ctrl-C, SIGTERM) waits until the step is done. Should cpctl be killed (SIGKILL) between
    the move and the commit, the files are noted in its scratch folder and the next cpctl that starts removes them.
    Copies to standard output (`files` None) are recorded before they are printed.
    """
    from contextlib import ExitStack

    from cpctl import interrupts

    with ExitStack() as step:
        with store.write() as session:
            record_disclosure(session, documents, fmt, language, reader=reader, where=where)
            if files is not None:
                step.enter_context(interrupts.held())
                files.place()
        if files is not None:
            files.keep()
