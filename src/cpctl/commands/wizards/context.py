"""What the wizards choose from, read from the store once before the first question.

The people and children (`Context`, from `load_context`), and for the wizards about a plan in force, what the
store says about that plan (`PlanFacts`). Nothing here asks anything or writes to the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cpctl.casework.conference import ConferenceRules
    from cpctl.casework.plan import DecisionDetails, PlanContent
    from cpctl.rules.profile import Profile
    from cpctl.store.database import Store


# -- the people and the children -----------------------------------------------------------------
@dataclass
class PersonInfo:
    ref: str
    name: str
    kind: str
    role: str | None = None
    agency: str | None = None
    new: bool = False

    @property
    def label(self) -> str:
        about = ", ".join(part for part in (self.role, self.agency) if part) or self.kind
        return f"{self.name} ({about})" + ("  [new]" if self.new else "")


@dataclass
class ChildInfo:
    ref: str
    name: str
    date_of_birth: date | None
    expected_date: date | None
    siblings: list[str]
    people: list[tuple[str, str]]
    interpreter_needed: bool
    language: str
    culture: str | None
    plan_number: int | None = None
    plan_started: date | None = None
    plan_pre_birth: bool = False
    lead_worker: str | None = None
    categories: list[str] = field(default_factory=list)
    version: int | None = None
    content: PlanContent | None = None
    open_enquiry: date | None = None  # the start of a section 47 enquiry that has led to no conference yet

    def born_by(self, day: date) -> bool:
        return self.date_of_birth is not None and self.date_of_birth <= day

    @property
    def label(self) -> str:
        if self.date_of_birth is not None:
            from cpctl.dates import age_on

            about = f"age {age_on(self.date_of_birth, date.today())}"
        else:
            from cpctl.dates import short_british

            about = f"unborn, due {short_british(self.expected_date)}"
        plan = (
            f"plan {self.plan_number} in force since {self.plan_started:%d/%m/%Y}"
            if self.plan_number
            else "no plan in force"
        )
        return f"{self.ref}  {self.name} ({about}; {plan})"


@dataclass
class Context:
    rules: ConferenceRules
    jurisdiction: str
    me: str | None
    people: dict[str, PersonInfo]
    children: dict[str, ChildInfo]


def load_context(store: Store, only: str | None = None) -> Context:
    """What the wizards choose from: the people, and the children (only the one named by `only`, when given: a
    wizard about one child need not read every child of an authority's store)."""
    from cpctl.casework import conference, people
    from cpctl.casework import plan as plans
    from cpctl.store import settings
    from cpctl.store.models import Person

    with store.read() as session:
        state = settings.current(session)
        rules = conference.rules_for(state.jurisdiction)
        me = settings.current_user_person(session)
        everyone = {p.ref: PersonInfo(p.ref, p.name, p.kind, p.role, p.agency) for p in people.list_people(session)}
        children: dict[str, ChildInfo] = {}
        for child in [people.find_child(session, only)] if only is not None else people.list_children(session):
            info = ChildInfo(
                ref=child.ref,
                name=child.full_name,
                date_of_birth=child.date_of_birth,
                expected_date=child.expected_date,
                siblings=[s.ref for s in people.siblings(session, child)],
                people=[(p.ref, rel) for p, rel in people.people_of_child(session, child)],
                interpreter_needed=child.interpreter_needed,
                language=child.preferred_language,
                culture=child.culture_religion,
            )
            current = plans.active_plan(session, child)
            if current is not None:
                lead = session.get(Person, current.lead_worker_id)
                row = plans.version(session, current)
                info.plan_number, info.plan_started = current.number, current.started_on
                info.plan_pre_birth = current.pre_birth
                info.lead_worker = lead.ref if lead else None
                info.categories = plans.categories_of(current.latest_categories)
                info.version = row.number if row else None
                info.content = plans.content_of(row) if row else None
            children[child.ref] = info
        if state.jurisdiction == "england":
            _add_open_enquiries(session, children)
    return Context(
        rules=rules,
        jurisdiction=state.jurisdiction,
        me=me.ref if me else None,
        people=everyone,
        children=children,
    )


def _add_open_enquiries(session: Any, children: dict[str, ChildInfo]) -> None:
    """Each child's latest section 47 enquiry still waiting for its conference, in one query."""
    from sqlmodel import col, select

    from cpctl.store.models import Child, Section47

    rows = session.exec(
        select(Child.ref, Section47.started_on)
        .join(Child, Child.id == Section47.child_id)
        .where(col(Section47.conference_id).is_(None), col(Section47.icpc_not_required).is_(False))
        .order_by(col(Section47.started_on))
    ).all()
    for ref, started in rows:
        if ref in children:
            children[ref].open_enquiry = started


# -- what the store says about one child's plan, read once ---------------------------------------
@dataclass
class PlanFacts:
    child: ChildInfo
    content: PlanContent
    version: int
    details: DecisionDetails | None
    last_meeting: date | None
    progress: dict[str, dict[str, Any]]
    profile: Profile


def find_child(store: Store, key: str) -> str:
    from cpctl.casework import people

    with store.read() as session:
        return people.find_child(session, key).ref


def plan_facts(store: Store, ctx: Context, ref: str) -> PlanFacts:
    from cpctl.casework import people, progress, revision, schedule
    from cpctl.casework import plan as plans

    with store.read() as session:
        child = people.find_child(session, ref)
        plan_row = revision.active_plan_of(session, child)
        row = plans.version(session, plan_row)
        decision = plans.latest_decision(session, plan_row)
        meetings = progress.meetings(session, plan_row)
        return PlanFacts(
            child=ctx.children[ref],
            content=plans.content_of(row) if row is not None else plans.PlanContent(),
            version=row.number if row is not None else 0,
            details=plans.details_of(decision) if decision is not None else None,
            last_meeting=meetings[-1].held_on if meetings else None,
            progress=progress.latest_progress(session, plan_row),
            profile=schedule.load_profile(session),
        )
