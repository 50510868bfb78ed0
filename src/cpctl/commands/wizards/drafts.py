"""What a wizard has been answered so far, kept as plain data until the person chooses Save.

A conference's answers (`Draft`, with its `Details` and one `DecisionDraft` a child), a core group meeting's
(`MeetingDraft`), and the people typed in along the way (`NewPerson`): they stand in the answers under a key
(`NEW_KEY` and a number) until `add_new_people` creates them in the transaction that saves, and puts their
references where the keys were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlmodel import Session

    from cpctl.casework.conference import ConferenceIn
    from cpctl.casework.plan import Dissent, Interpreter, Item, NotDiscussed, PlanContent

Input = TypeVar("Input", bound="BaseModel")  # what a wizard saves: a ConferenceIn, a CoreGroupIn
NEW_KEY = "new-person:"


# -- the answers ---------------------------------------------------------------------------------
@dataclass
class NewPerson:
    key: str
    name: str
    kind: str
    role: str | None
    agency: str | None
    relationship: str | None


@dataclass
class Details:
    kind: str
    day: date
    time: str | None
    venue: str | None
    virtual: bool
    chair: str
    strategy_discussion: date | None = None
    s47_start: date | None = None  # England: the section 47 enquiry's start, when no child has one recorded
    s47_asked: bool = False


@dataclass
class DecisionDraft:
    outcome: str
    categories: list[str] = field(default_factory=list)
    evidence: list[Item] = field(default_factory=list)
    child_views: list[Item] = field(default_factory=list)
    parent_views: list[Item] = field(default_factory=list)
    dissent: list[Dissent] = field(default_factory=list)
    not_discussed_with: list[NotDiscussed] = field(default_factory=list)
    lead_worker: str | None = None
    core_group: list[str] | None = None
    interpreter: Interpreter | None = None
    cultural_needs: str | None = None
    end_reason: str | None = None
    step_down: str | None = None
    plan: PlanContent | None = None
    plan_asked: bool = False
    plan_from: str | None = None  # "same:REF": a brother's or sister's plan at this conference; "keep"; "typed"
    private_asked: bool = False
    participation: str | None = None  # PN0 to PN7


@dataclass
class Draft:
    details: Details | None = None
    children: list[str] = field(default_factory=list)
    attendance: dict[str, tuple[str, str | None]] | None = None
    new_people: list[NewPerson] = field(default_factory=list)
    inquorate_reason: str | None = None
    decisions: dict[str, DecisionDraft] = field(default_factory=dict)
    discussion: str | None = None
    discussion_asked: bool = False

    def to_input(self, *, as_draft: bool = False) -> ConferenceIn:
        from cpctl.casework.conference import PLAN_OUTCOMES, AttendeeIn, ConferenceIn, DecisionIn

        assert self.details is not None and self.attendance is not None
        d = self.details
        decisions = []
        for ref in self.children:
            x = self.decisions[ref]
            with_plan = x.outcome in PLAN_OUTCOMES
            decisions.append(
                DecisionIn(
                    child=ref,
                    outcome=x.outcome,
                    categories=x.categories,
                    lead_worker=x.lead_worker,  # type: ignore[arg-type]
                    core_group=x.core_group,
                    evidence=x.evidence,
                    child_views=x.child_views,
                    parent_views=x.parent_views,
                    dissent=x.dissent,
                    not_discussed_with=x.not_discussed_with,
                    interpreter=x.interpreter,
                    cultural_needs=x.cultural_needs,
                    end_reason=x.end_reason,
                    step_down=x.step_down,
                    plan=x.plan.model_copy(deep=True) if x.plan is not None and with_plan else None,
                    save_as_draft=as_draft,
                    participation=x.participation,
                )
            )
        return ConferenceIn(
            kind=d.kind,
            date=d.day,
            time=d.time,
            venue=d.venue,
            virtual=d.virtual,
            chair=d.chair,  # type: ignore[arg-type]
            strategy_discussion=d.strategy_discussion,
            s47_start=d.s47_start,
            attendance=[
                AttendeeIn(person=ref, status=status, reason=reason)  # type: ignore[arg-type]
                for ref, (status, reason) in self.attendance.items()
            ],
            inquorate_reason=self.inquorate_reason,
            discussion=self.discussion,
            decisions=decisions,
        )


@dataclass
class MeetingDraft:
    day: date | None = None
    attendance: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    progress: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    parent_views: list[Item] = field(default_factory=list)
    child_views: list[Item] = field(default_factory=list)
    notes: list[Item] = field(default_factory=list)
    plan: PlanContent | None = None
    agreed_by: str | None = None
    next_meeting: date | None = None
    sent_on: date | None = None
    attendance_asked: bool = False


# -- people typed in along the way ---------------------------------------------------------------
def add_new_people(
    session: Session, data: Input, new_people: list[NewPerson], children: list[str] | None = None
) -> Input:
    """Create the people typed in during a wizard, and put their references where the draft named them.

    Relatives are linked to `children` (by default the children of the conference `data` records).
    """
    from cpctl.casework import people

    dumped = data.model_dump()
    named = _strings(dumped)
    wanted = [new for new in new_people if new.key in named]  # someone added, then left out again, is not kept
    if not wanted:
        return data
    refs_of_children = children if children is not None else [d.child for d in data.decisions]  # type: ignore[attr-defined]
    found = [people.find_child(session, ref) for ref in refs_of_children]
    refs: dict[str, str] = {}
    for new in wanted:
        person = people.add_person(session, name=new.name, kind=new.kind, role=new.role, agency=new.agency)
        if new.relationship:
            for child in found:
                people.link(session, child, person, new.relationship)
        refs[new.key] = person.ref
    return type(data).model_validate(_replace_keys(dumped, refs))


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_strings(item) for item in value))
    return set()


def _replace_keys(value: Any, refs: dict[str, str]) -> Any:
    if isinstance(value, str):
        return refs.get(value, value)
    if isinstance(value, dict):
        return {key: _replace_keys(item, refs) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_keys(item, refs) for item in value]
    return value
