"""From the plan's records to a document, and each reader's copy of it.

`assemble()` makes the full (professional) document from a plan's content and decision. The copy for a reader is
made from it by `for_reader()`: the parents' and the child's copies drop, before any template sees them, everything
marked not for the family and every phone number, address and withheld name, so that no template (packaged or an
authority's own) can show what it was never given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from cpctl.documents.views import (
    AUDIENCES,
    ActionView,
    Audience,
    ChildSeenView,
    ChildView,
    ConferenceView,
    ContentView,
    DeadlineView,
    DetailsView,
    DissentView,
    NotDiscussedView,
    ObjectivesView,
    PersonView,
    PlanDocument,
    PlanView,
    ProgressView,
    TextItem,
    VersionView,
)
from cpctl.documents.who import means_family
from cpctl.errors import Invalid

if TYPE_CHECKING:
    from cpctl.casework.plan import DecisionDetails, PlanContent

# The kinds of person who are the child's family rather than professionals.
FAMILY_KINDS = ("parent", "carer", "family")
# Deadlines a family copy tells the reader about: the meetings, and for the child when they will be seen.
FAMILY_DEADLINES = ("first-core-group", "core-group", "first-review", "review", "child-seen")


class NotBornYet(Invalid):
    """There is no child's copy of the plan for an unborn baby."""


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

    family = [p.name for p in people.values() if p.kind in FAMILY_KINDS and p.name]
    others = [p.name for p in people.values() if p.kind not in FAMILY_KINDS and p.name]
    actions = []
    for action in content.actions:
        who_person = person(action.who)
        for_family = who_person.kind in FAMILY_KINDS if who_person else means_family(action.who, family, others)
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
                for_family=for_family,
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
    reasons = details_view(details)
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


def details_view(details: DecisionDetails) -> DetailsView:
    """The reasons and voices behind a decision, as documents show them."""
    return DetailsView(
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


def without_private(value: T) -> T:
    """The same records with everything marked private left out, and no one's phone, address or carer's name:
    what any family copy (a plan's, a letter's, a record's) is made from."""
    family = _map_people(_without_private(value), _for_family)
    leaks = [type(v).__name__ for v in _walk(family) if getattr(v, "private", False)]
    if leaks:  # unreachable unless _without_private misses a new kind of record
        raise AssertionError(f"a family copy still holds private {', '.join(sorted(set(leaks)))}")
    return family  # type: ignore[no-any-return]


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
