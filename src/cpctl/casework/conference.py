"""Recording a conference: who was there, one decision per child, and the outline plan (seed 002 §3.8-3.23).

`prepare()` checks everything against the store and the jurisdiction's profile without writing, so that the
wizard can show the summary, the quorum and the plan's gaps before anything is saved; `save()` writes it all in
the caller's transaction, with its audit records and the case events that deadlines are derived from.

What may be recorded (`ConferenceIn`) is `cpctl.casework.conference_input`; reading conferences back is
`conference_records`, and correcting one (its date) or recording a strategy discussion is `conference_changes`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from cpctl.casework import census_items, people
from cpctl.casework import plan as plans
from cpctl.casework.conference_input import (
    OUTCOMES_FOR_KIND,
    PLAN_OUTCOMES,
    AttendeeIn,
    ConferenceIn,
    DecisionIn,
)
from cpctl.casework.plan import DecisionDetails, Interpreter, PlanContent
from cpctl.dates import utc_now_iso
from cpctl.errors import Invalid
from cpctl.fileinput import FieldError
from cpctl.store import audit, settings
from cpctl.store.models import (
    CaseEvent,
    Child,
    Conference,
    ConferenceAttendee,
    Deadline,
    Decision,
    Person,
    Plan,
    PlanVersion,
)


# -- the rules of the jurisdiction that a conference needs ----------------------------------------------------
@dataclass(frozen=True)
class ConferenceRules:
    jurisdiction: str
    categories: dict[str, str]
    single_category: bool
    several: str | None  # the code that stands for two or more kinds (England's MUL), derived, never chosen alone
    min_agencies: int
    terms: dict[str, str]

    def term(self, key: str, fallback: str) -> str:
        return self.terms.get(key) or fallback

    def kind_name(self, kind: str) -> str:
        key = {
            "initial": "initial_conference",
            "review": "review_conference",
            "pre-birth-initial": "pre_birth_conference",
            "pre-birth-review": "pre_birth_conference",
            "transfer-in": "transfer_in_conference",
        }[kind]
        name = self.term(key, kind.replace("-", " ") + " conference")
        if kind == "pre-birth-review":
            name = f"{name} (review)"
        return name[:1].upper() + name[1:]


def rules_for(jurisdiction: str) -> ConferenceRules:
    from dataclasses import asdict

    from cpctl.rules import profile

    loaded = profile.load(jurisdiction)
    return ConferenceRules(
        jurisdiction=jurisdiction,
        categories={c.code: c.label for c in loaded.categories},
        single_category=loaded.category_mode == "single",
        several=loaded.several_category.code if loaded.several_category else None,
        min_agencies=loaded.quorum.min_agencies,
        terms={key: value for key, value in asdict(loaded.terms).items() if value},
    )


# -- prepared, checked, not yet written ------------------------------------------------------------------------
@dataclass
class PreparedDecision:
    child: Child
    input: DecisionIn
    categories: list[str]
    lead_worker: Person | None
    current_plan: Plan | None
    previous_plans: int
    content: PlanContent | None
    details: DecisionDetails
    gaps: list[str]
    new_version: bool


@dataclass
class PreparedConference:
    input: ConferenceIn
    rules: ConferenceRules
    chair: Person
    attendees: list[tuple[Person, AttendeeIn]]
    agencies: list[str]
    decisions: list[PreparedDecision] = field(default_factory=list)

    @property
    def quorate(self) -> bool:
        return len(self.agencies) >= self.rules.min_agencies

    @property
    def has_gaps(self) -> bool:
        return any(d.gaps for d in self.decisions)


def prepare(session: Session, data: ConferenceIn, *, today: date | None = None) -> PreparedConference:
    """Check a conference against the store and the jurisdiction; raise FieldError naming the field at fault."""
    today = today or date.today()
    state = settings.current(session)
    rules = rules_for(state.jurisdiction)
    if data.date > today:
        raise FieldError(
            ("date",), f"{data.date.isoformat()} is in the future: record a conference once it has been held."
        )
    if data.strategy_discussion and data.strategy_discussion > data.date:
        raise FieldError(("strategy_discussion",), "the strategy discussion is after the conference; check the dates.")
    if data.strategy_discussion and data.kind not in ("initial", "pre-birth-initial"):
        raise FieldError(("strategy_discussion",), "a strategy discussion leads to an initial conference only.")
    if data.s47_start and data.s47_start > data.date:
        raise FieldError(("s47_start",), "the section 47 enquiry starts after the conference; check the dates.")
    if data.s47_start and data.kind not in ("initial", "pre-birth-initial"):
        raise FieldError(("s47_start",), "a section 47 enquiry leads to an initial conference only.")
    chair = _person(session, data.chair, ("chair",)) if data.chair else settings.current_user_person(session)
    if chair is None:
        raise FieldError(("chair",), "no chair given and no user set up: give the chair, or run `cpctl init`.")
    attendees: list[tuple[Person, AttendeeIn]] = []
    seen: set[int] = set()
    for index, entry in enumerate(data.attendance):
        person = _person(session, entry.person, ("attendance", index, "person"))
        if person.id in seen:
            raise FieldError(("attendance", index, "person"), f"{person.ref} is listed twice.")
        seen.add(person.id or 0)
        attendees.append((person, entry))
    agencies = agencies_taking_part(
        [chair.agency, *(p.agency for p, a in attendees if a.status == "attended" and p.kind == "professional")]
    )
    prepared = PreparedConference(input=data, rules=rules, chair=chair, attendees=attendees, agencies=agencies)
    if not prepared.quorate and not data.inquorate_reason:
        raise FieldError(
            ("inquorate_reason",),
            (
                f"the conference was not quorate: {len(agencies)} agenc{'y' if len(agencies) == 1 else 'ies'} "
                f"took part and {rules.jurisdiction} needs {rules.min_agencies}. Record why it went ahead "
                "(inquorate_reason), or correct the attendance."
            ),
        )
    children_seen: set[int] = set()
    for index, decision in enumerate(data.decisions):
        prepared.decisions.append(_prepare_decision(session, data, rules, decision, ("decisions", index)))
        child_id = prepared.decisions[-1].child.id or 0
        if child_id in children_seen:
            raise FieldError(("decisions", index, "child"), "this child already has a decision at this conference.")
        children_seen.add(child_id)
    return prepared


def agencies_taking_part(agencies: Iterable[str | None]) -> list[str]:
    """Each agency once, its name as recorded ("NHS", not "nhs"), in alphabetical order.

    Two spellings that differ only in case or spacing ("NHS Northshire", "nhs  northshire") are one agency,
    shown as it was first given.
    """
    names: dict[str, str] = {}
    for agency in agencies:
        shown = " ".join((agency or "").split())
        if shown:
            names.setdefault(shown.casefold(), shown)
    return sorted(names.values(), key=str.casefold)


def _person(session: Session, key: str, loc: tuple[Any, ...]) -> Person:
    with FieldError.at(loc):
        return people.find_person(session, key)


def _prepare_decision(
    session: Session, conf: ConferenceIn, rules: ConferenceRules, decision: DecisionIn, loc: tuple[Any, ...]
) -> PreparedDecision:
    with FieldError.at((*loc, "child")):
        child = people.find_child(session, decision.child)
    _check_birth(child, conf, (*loc, "child"))
    if decision.outcome not in OUTCOMES_FOR_KIND[conf.kind]:
        allowed = " or ".join(OUTCOMES_FOR_KIND[conf.kind])
        raise FieldError((*loc, "outcome"), f"a {conf.kind} conference decides {allowed}, not {decision.outcome}.")
    current = plans.active_plan(session, child)
    previous = session.exec(select(func.count()).select_from(Plan).where(Plan.child_id == child.id)).one()
    last = session.exec(
        select(Conference.held_on, Conference.ref)
        .join(Decision, Decision.conference_id == Conference.id)
        .where(Decision.child_id == child.id)
        .order_by(Conference.held_on.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    if last is not None and conf.date <= last[0]:
        raise FieldError(
            ("date",),
            (
                f"child {child.ref} already had a conference on {last[0].isoformat()} ({last[1]}); "
                "a new one must be later. If that one's date is wrong, correct it: "
                f'`cpctl conference correct {last[1]} --date DATE --reason "..."`.'
            ),
        )
    if conf.kind in ("initial", "pre-birth-initial", "transfer-in") and current is not None:
        raise FieldError(
            (*loc, "child"),
            (
                f"child {child.ref} has had a plan since {current.started_on.isoformat()}: record a review conference, "
                "not a new one."
            ),
        )
    if conf.kind in ("review", "pre-birth-review"):
        if current is None:
            raise FieldError(
                (*loc, "child"),
                (
                    f"child {child.ref} has no plan in force, so there is nothing to review: record an initial "
                    "conference instead."
                ),
            )
        if conf.date <= current.started_on:
            raise FieldError(
                ("date",),
                (
                    f"a review on {conf.date.isoformat()} cannot come before the plan began on "
                    f"{current.started_on.isoformat()}."
                ),
            )
        if conf.kind == "pre-birth-review" and not current.pre_birth:
            raise FieldError(("kind",), f"child {child.ref}'s plan did not start before birth: record a review.")
    categories = _categories(rules, decision, (*loc, "categories"), current)
    lead = None
    if decision.outcome in PLAN_OUTCOMES:
        if decision.lead_worker:
            lead = _person(session, decision.lead_worker, (*loc, "lead_worker"))
        elif current is not None:
            lead = session.get(Person, current.lead_worker_id)
        if lead is None:
            raise FieldError(
                (*loc, "lead_worker"),
                (f"a plan needs a {rules.term('lead_worker', 'lead social worker')}: name one (lead_worker)."),
            )
        if lead.kind != "professional":
            raise FieldError(
                (*loc, "lead_worker"), f"{lead.ref} is a {lead.kind}; the lead worker must be a professional."
            )
    elif decision.lead_worker or decision.plan is not None:
        raise FieldError(
            (*loc, "plan" if decision.plan is not None else "lead_worker"),
            (f"{decision.outcome} has no plan: leave out lead_worker and plan."),
        )
    if decision.outcome == "plan-ends":
        if not decision.end_reason:
            raise FieldError((*loc, "end_reason"), "say why the plan can end (end_reason).")
        if not decision.step_down:
            raise FieldError(
                (*loc, "step_down"),
                (
                    f"say what follows the plan (step_down), e.g. {rules.term('step_down', 'a child in need plan')}, "
                    "no further action, or moved to another authority."
                ),
            )
    elif decision.end_reason or decision.step_down:
        raise FieldError(
            (*loc, "end_reason" if decision.end_reason else "step_down"),
            "end_reason and step_down are for a decision that the plan ends.",
        )

    content, previous_content = _content(session, decision, current, loc)
    if content is not None:
        content.core_group = _core_group(session, decision, content, lead, loc)
        for index, action in enumerate(content.actions):
            if action.who and _looks_like_ref(action.who):
                _person(session, action.who, (*loc, "plan", "actions", index, "who"))
    new_version = content is not None and (previous_content is None or content != previous_content)
    interpreter = decision.interpreter or Interpreter(
        needed=child.interpreter_needed,
        language=child.preferred_language if child.interpreter_needed else None,
    )
    details = DecisionDetails(
        evidence=decision.evidence,
        child_views=decision.child_views,
        parent_views=decision.parent_views,
        dissent=decision.dissent,
        not_discussed_with=decision.not_discussed_with,
        interpreter=interpreter,
        cultural_needs=decision.cultural_needs if decision.cultural_needs is not None else child.culture_religion,
        end_reason=decision.end_reason,
        step_down=decision.step_down,
    )
    if decision.participation is not None:
        from cpctl.casework import participation

        wrong = participation.fits(decision.participation, child.date_of_birth, conf.date)
        if wrong is not None:
            raise FieldError((*loc, "participation"), f"child {child.ref}: {wrong}.")
    found_gaps = plans.gaps(content, details) if decision.outcome in PLAN_OUTCOMES else []
    return PreparedDecision(
        child=child,
        input=decision,
        categories=categories,
        lead_worker=lead,
        current_plan=current,
        previous_plans=previous,
        content=content,
        details=details,
        gaps=found_gaps,
        new_version=new_version,
    )


def _check_birth(child: Child, conf: ConferenceIn, loc: tuple[Any, ...]) -> None:
    born_by_then = child.date_of_birth is not None and child.date_of_birth <= conf.date
    if conf.kind == "pre-birth-initial" and born_by_then:
        raise FieldError(
            loc,
            (
                f"child {child.ref} was born on {child.date_of_birth.isoformat()}, before this conference: "  # type: ignore[union-attr]
                "record an initial conference, not a pre-birth one."
            ),
        )
    if conf.kind in ("initial", "review", "transfer-in") and not born_by_then:
        when = (
            f"born on {child.date_of_birth.isoformat()}, after this conference"
            if child.date_of_birth
            else "not born yet"
        )
        raise FieldError(
            loc,
            (
                f"child {child.ref} is {when}: a conference before birth is a pre-birth conference "
                "(kind pre-birth-initial or pre-birth-review); if the baby has been born, record it with "
                f"`cpctl child edit {child.ref} --dob DATE`."
            ),
        )


def _categories(rules: ConferenceRules, decision: DecisionIn, loc: tuple[Any, ...], current: Plan | None) -> list[str]:
    """The kinds of harm the decision names, as codes: each given by code or label; several (England's MUL) are
    stored as the kinds themselves, and the census code is derived from them (`Profile.census_code`)."""
    from cpctl.rules import profile

    kinds = ", ".join(f"{code} ({label})" for code, label in rules.categories.items() if code != rules.several)
    known = f"{kinds}; for more than one, name each (recorded as {rules.several})" if rules.several else kinds
    if decision.outcome not in PLAN_OUTCOMES:
        if decision.categories:
            raise FieldError(loc, "categories are recorded only when a plan starts, continues or changes.")
        return []
    if not decision.categories:
        if decision.outcome == "plan-continues" and current is not None:
            return plans.categories_of(current.latest_categories)
        raise FieldError(loc, f"name the category of harm: {known}.")
    codes: list[str] = []
    by_label = {label.lower(): code for code, label in rules.categories.items()}
    by_code = {code.lower(): code for code in rules.categories}
    for index, given in enumerate(decision.categories):
        key = str(given).strip().lower()
        code = by_code.get(key) or by_label.get(key)
        if code is None:
            raise FieldError(
                (*loc, index), f"{str(given)[:40]!r} is not a category in {rules.jurisdiction}: use {known}."
            )
        codes.append(code)
    try:
        return [category.code for category in profile.load(rules.jurisdiction).check_categories(codes)]
    except Invalid as exc:  # as said: it may begin with a code ("MUL ..."), which must not be lower-cased
        raise FieldError(loc, exc.message) from None


def _content(
    session: Session, decision: DecisionIn, current: Plan | None, loc: tuple[Any, ...]
) -> tuple[PlanContent | None, PlanContent | None]:
    """The plan this decision leaves in force, and the version it follows (None for a new plan)."""
    if decision.outcome not in PLAN_OUTCOMES:
        return None, None
    previous_row = plans.version(session, current) if current is not None else None
    previous = plans.content_of(previous_row) if previous_row is not None else None
    if decision.plan is not None:
        return plans.number_actions(decision.plan.model_copy(deep=True), previous), previous
    if decision.outcome == "plan-changes":
        raise FieldError((*loc, "plan"), "the plan changes: give the changed plan (plan).")
    if previous is not None:
        return previous.model_copy(deep=True), previous
    return PlanContent(), None


def _core_group(
    session: Session, decision: DecisionIn, content: PlanContent, lead: Person | None, loc: tuple[Any, ...]
) -> list[str]:
    refs = decision.core_group if decision.core_group is not None else content.core_group
    members: list[str] = []
    for index, key in enumerate(refs):
        members.append(_person(session, key, (*loc, "core_group", index)).ref)
    if lead is not None and lead.ref not in members:
        members.insert(0, lead.ref)
    return list(dict.fromkeys(members))


def _looks_like_ref(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}", text)) and any(ch.isdigit() for ch in text)


# -- saving -----------------------------------------------------------------------------------------------------
# The deadlines a conference sets, as its confirmation shows them: the meetings first, then the next visit.
SCHEDULED_KINDS = ("first-core-group", "core-group", "first-review", "review", "child-seen")


@dataclass
class Saved:
    conference: Conference
    outcomes: list[dict[str, Any]]
    scheduled: dict[str, list[tuple[str, date]]] = field(default_factory=dict)  # child ref -> [(kind, due)]
    census_warnings: list[str] = field(default_factory=list)  # England: census rules the children's records break


def save(session: Session, prepared: PreparedConference) -> Saved:
    """Write a prepared conference, its decisions, plans, versions, events and audit records."""
    data = prepared.input
    drafts = [d for d in prepared.decisions if d.gaps and not d.input.save_as_draft]
    if drafts:
        index = prepared.decisions.index(drafts[0])
        raise FieldError(
            ("decisions", index, "plan"),
            (
                f"the outline plan for child {drafts[0].child.ref} still lacks: {'; '.join(drafts[0].gaps)}. "
                "Fill these in, or set save_as_draft: true to save it as a draft with the gaps recorded."
            ),
        )
    conference = Conference(
        ref=people.next_ref(session, Conference, "CF"),
        kind=data.kind,
        held_on=data.date,
        start_time=data.time,
        venue=data.venue,
        virtual=data.virtual,
        chair_id=prepared.chair.id or 0,
        agencies_present=len(prepared.agencies),
        quorate=prepared.quorate,
        inquorate_reason=data.inquorate_reason if not prepared.quorate else None,
        recorded_at=utc_now_iso(),
        discussion=data.discussion or None,
    )
    session.add(conference)
    session.flush()
    for person, entry in prepared.attendees:
        session.add(
            ConferenceAttendee(
                conference_id=conference.id or 0,
                person_id=person.id or 0,
                status=entry.status,
                reason=entry.reason,
                role=person.role,
                agency=person.agency,
            )
        )
    author = audit.current_actor(session)
    outcomes = [_save_decision(session, prepared, conference, d, author) for d in prepared.decisions]
    from cpctl.casework import schedule

    for decision in prepared.decisions:
        schedule.refresh_child(session, decision.child)
    scheduled = {d.child.ref: _scheduled(session, d.child) for d in prepared.decisions}
    warnings = census_warnings(session, [d.child for d in prepared.decisions], prepared.rules.jurisdiction)
    audit.record(
        session,
        "conference.add",
        "conference",
        conference.ref,
        f"{data.kind} conference {conference.ref} on {data.date.isoformat()} recorded",
        {
            "kind": data.kind,
            "date": data.date.isoformat(),
            "chair": prepared.chair.ref,
            "children": [o["child"] for o in outcomes],
            "quorate": prepared.quorate,
            "attendance": {p.ref: a.status for p, a in prepared.attendees},
            "discussion": bool(data.discussion),
        },
    )
    return Saved(conference=conference, outcomes=outcomes, scheduled=scheduled, census_warnings=warnings)


# The census rules a conference, a plan or its ending can break, checked as they are recorded (England only), so
# that a mistake shows the day it is made. Items not yet recorded (a referral, a UPN) are `cpctl census --check`'s
# to list, not a warning on every conference.
RECORDING_RULES = frozenset(
    {
        "2885",
        "1105",
        "1104",
        "8615",
        "2889",
        "8875",
        "8565",
        "8831",
        "8832",
        "2990",
        "8841",
        "8925",
        "8840",
        "8935",
        "8940",
        "8868",
    }
)


def census_warnings(session: Session, children: Iterable[Child], jurisdiction: str) -> list[str]:
    """The census rules these children's records break, in plain words with each rule's number (England only)."""
    if jurisdiction != "england":
        return []
    from cpctl.casework.census_gather import gather
    from cpctl.casework.census_rules import check_child
    from cpctl.casework.schedule import load_profile

    profile = load_profile(session)
    found = []
    for items in gather(session, profile, [child.id for child in children if child.id is not None]):
        found += [
            f"census rule {p.rule}: child {p.child}: {p.text} {p.fix}".rstrip()
            for p in check_child(items)
            if p.rule in RECORDING_RULES
        ]
    return found


def census_warnings_after_change(session: Session, row: Conference) -> list[str]:
    """The census warnings for the children of a conference whose facts were corrected (its date, a category),
    as recording it gives them (England only)."""
    from cpctl.store.settings import get

    children = session.exec(
        select(Child).join(Decision, col(Decision.child_id) == col(Child.id)).where(Decision.conference_id == row.id)
    ).all()
    return census_warnings(session, children, get(session, "jurisdiction") or "")


def _scheduled(session: Session, child: Child) -> list[tuple[str, date]]:
    """The child's open deadlines that a conference sets (SCHEDULED_KINDS), in that order."""
    rows = session.exec(
        select(Deadline).where(
            Deadline.child_id == child.id,
            Deadline.status == "open",
            col(Deadline.kind).in_(SCHEDULED_KINDS),
        )
    ).all()
    return sorted(((row.kind, row.due_on) for row in rows), key=lambda kd: (SCHEDULED_KINDS.index(kd[0]), kd[1]))


def _save_decision(
    session: Session,
    prepared: PreparedConference,
    conference: Conference,
    decision: PreparedDecision,
    author: str,
) -> dict[str, Any]:
    data = prepared.input
    child = decision.child
    outcome = decision.input.outcome
    plan_row = decision.current_plan
    version_number: int | None = None
    if data.strategy_discussion:
        _add_strategy_discussion(session, child, data.strategy_discussion)
    if data.kind in ("initial", "pre-birth-initial"):
        census_items.enquiry_for_conference(session, child, conference, data.s47_start)
    if outcome == "plan-starts":
        plan_row = Plan(
            child_id=child.id or 0,
            number=decision.previous_plans + 1,
            started_on=data.date,
            start_conference_id=conference.id or 0,
            pre_birth=data.kind == "pre-birth-initial",
            initial_categories=json.dumps(decision.categories),
            latest_categories=json.dumps(decision.categories),
            lead_worker_id=decision.lead_worker.id or 0 if decision.lead_worker else 0,
        )
        session.add(plan_row)
        session.flush()
        _event(session, child, plan_row, "plan-start", data.kind, data.date, conference)
    elif plan_row is not None and outcome in ("plan-continues", "plan-changes"):
        plan_row.latest_categories = json.dumps(decision.categories)
        if decision.lead_worker is not None:
            plan_row.lead_worker_id = decision.lead_worker.id or 0
        session.add(plan_row)
    elif plan_row is not None and outcome == "plan-ends":
        plan_row.ended_on = data.date
        plan_row.end_conference_id = conference.id
        plan_row.end_reason = decision.details.end_reason
        plan_row.step_down = decision.details.step_down
        session.add(plan_row)
        session.flush()
        # The step down is the plan's (free text, any length); an event's detail holds a short code only.
        _event(session, child, plan_row, "plan-end", None, data.date, conference)
    _event(session, child, plan_row, "conference", data.kind, data.date, conference)
    if plan_row is not None and decision.content is not None and decision.new_version:
        last = plans.version(session, plan_row)
        version_number = (last.number if last else 0) + 1
        session.add(
            PlanVersion(
                plan_id=plan_row.id or 0,
                number=version_number,
                made_on=data.date,
                made_at=utc_now_iso(),
                source="conference",
                conference_id=conference.id,
                draft=bool(decision.gaps),
                gaps=json.dumps(decision.gaps, ensure_ascii=False),
                content=decision.content.model_dump_json(),
                author=author,
            )
        )
    session.add(
        Decision(
            conference_id=conference.id or 0,
            child_id=child.id or 0,
            outcome=outcome,
            categories=json.dumps(decision.categories),
            plan_id=plan_row.id if plan_row else None,
            lead_worker_id=decision.lead_worker.id if decision.lead_worker else None,
            details=decision.details.model_dump_json(),
            participation=decision.input.participation,
        )
    )
    session.flush()
    summary = {
        "child": child.ref,
        "outcome": outcome,
        "categories": decision.categories,
        "plan": plan_row.number if plan_row else None,
        "version": version_number,
        "draft": bool(decision.gaps) if version_number else False,
        "gaps": decision.gaps,
    }
    audit.record(
        session,
        "decision.add",
        "child",
        child.ref,
        f"{outcome} for child {child.ref} at {conference.ref}",
        {**summary, "participation": decision.input.participation},
    )
    return summary


def _event(
    session: Session,
    child: Child,
    plan_row: Plan | None,
    kind: str,
    detail: str | None,
    on: date,
    conference: Conference | None,
) -> None:
    session.add(
        CaseEvent(
            child_id=child.id or 0,
            plan_id=plan_row.id if plan_row else None,
            kind=kind,
            detail=detail,
            happened_on=on,
            conference_id=conference.id if conference else None,
        )
    )


def _add_strategy_discussion(session: Session, child: Child, on: date) -> bool:
    """The strategy discussion's event, unless the child has one that day already; says whether it was added."""
    exists = session.exec(
        select(CaseEvent.id).where(
            CaseEvent.child_id == child.id,
            CaseEvent.kind == "strategy-discussion",
            CaseEvent.happened_on == on,
        )
    ).first()
    if exists is not None:
        return False
    _event(session, child, None, "strategy-discussion", None, on, None)
    return True
