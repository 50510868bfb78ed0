"""Deadlines derived from case events by the jurisdiction's rules, never typed in by hand.

Every deadline says which rule, which event and which source produced it. They are kept in the `deadline`
table so that `cpctl due` is one indexed query at any scale, and recomputed from the events in the same
transaction as anything that changes them: a conference recorded or moved, a core group, a visit, a birth.
When the profile in force changes (an authority's override), or this module changes how it reads the events
(`SCHEDULE_VERSION`), the fingerprint no longer matches and every child's deadlines are recomputed before they
are read.

A booked conference sets deadlines before it (`_booking_deadlines`): invitations sent, each agency's report to the
chair, each report shared with the parents, counted back from the booked day; and every conference held sets
deadlines after it for its documents (`_document_deadlines`): the outcome letter and the record.

The child-seen deadline follows the visits of the lead worker and any other statutory visitor (a social worker):
the profile's visiting rule, or the plan's own arrangement for those visits when it is more frequent. A teacher's
or a nursery's everyday contact with the child is part of the plan but sets no visiting deadline.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, union
from sqlmodel import Session, col, select

from cpctl.casework.cycle_deadlines import Booked, booking_deadlines, bookings_by_child, document_deadlines
from cpctl.casework.deadline_rules import Computed, Memo, _anchor_key, _explained, _rule, anchor_words
from cpctl.errors import NotFound
from cpctl.store.models import (
    Booking,
    BookingChild,
    CaseEvent,
    Child,
    Conference,
    Deadline,
    Person,
    Plan,
    PlanVersion,
    Setting,
)

if TYPE_CHECKING:
    from cpctl.rules.profile import Profile

FINGERPRINT_KEY = "schedule.fingerprint"
# Bump when the same events and profile give other deadlines (2: child seen follows only statutory visitors' own
# arrangements, and calendar-unit dates move off closed days; 3: the conference cycle of issue 15: bookings'
# deadlines, the documents after a conference, the chair's midway reviews and escalations), so that stores made
# before recompute theirs.
SCHEDULE_VERSION = 3
KINDS = {
    "initial-conference": "initial conference",
    "first-core-group": "first core group",
    "core-group": "next core group",
    "plan-circulated": "revised plan and minutes sent out",
    "first-review": "first review conference",
    "review": "review conference",
    "child-seen": "child seen",
    "long-plan": "plan reaches two years",
    "invitations-sent": "invitations sent",
    "report-received": "report to the chair",
    "report-shared": "report shared with the parents",
    "outcome-letter": "outcome letter sent",
    "conference-record": "conference record sent",
    "midway-review": "midway review",
    "escalation-response": "response to an escalation",
}
# Which of those a booked conference sets (one per child of the booking); the others follow events.
BOOKING_KINDS = ("invitations-sent", "report-received", "report-shared")
REVIEW_KINDS = ("review", "pre-birth-review")
STARTING_KINDS = ("initial", "pre-birth-initial", "transfer-in")


def label(kind: str, terms: dict[str, Any] | None = None) -> str:
    """The deadline in words, in the jurisdiction's own terms where it has them."""
    terms = terms or {}
    words = KINDS.get(kind, kind.replace("-", " "))
    if kind == "initial-conference" and terms.get("initial_conference"):
        words = str(terms["initial_conference"])
    elif kind in ("first-review", "review") and terms.get("review_conference"):
        words = ("first " if kind == "first-review" else "") + str(terms["review_conference"])
    elif kind in ("first-core-group", "core-group") and terms.get("core_group"):
        words = ("first " if kind == "first-core-group" else "next ") + str(terms["core_group"])
    return words[:1].upper() + words[1:]


def fingerprint(profile: Profile) -> str:
    """Changes whenever any value of the profile in force changes (rules, calendar, reading), or the way deadlines
    are worked out from it does (`SCHEDULE_VERSION`)."""
    return hashlib.sha256(f"{SCHEDULE_VERSION}\0{profile!r}".encode()).hexdigest()[:32]


def load_profile(session: Session) -> Profile:
    from cpctl.rules import profile
    from cpctl.store import settings

    return profile.load(settings.current(session).jurisdiction)


# -- computing (one rule's date and explanation: cpctl.casework.deadline_rules; the conference cycle's deadlines:
# cpctl.casework.cycle_deadlines) ---------------------------------------------------------------------------------
_EVERY = re.compile(
    r"(?:every|each|once every)?\s*(\d+)?\s*(working days?|school days?|days?|weeks?|months?)", re.IGNORECASE
)
_WORDS = {"daily": (1, "days"), "weekly": (1, "weeks"), "fortnightly": (2, "weeks"), "monthly": (1, "months")}


def seen_frequency(text: str | None) -> tuple[int, str] | None:
    """'every 10 working days', 'fortnightly', 'every 4 weeks' as (amount, unit); None if it says no number."""
    if not text:
        return None
    lowered = text.lower()
    for word, value in _WORDS.items():
        if word in lowered:
            return value
    match = _EVERY.search(lowered)
    if not match:
        return None
    amount = int(match.group(1) or 1)
    unit = match.group(2)
    unit = "working-days" if unit.startswith(("working", "school")) else unit.rstrip("s") + "s"
    return (amount, unit) if amount > 0 else None


def _seen_rule(
    profile: Profile, on: date, frequency: tuple[int, str] | None, anchor: CaseEvent | None, memo: Memo | None = None
) -> tuple[date, dict[str, Any]] | None:
    """Child seen: the profile's minimum, or the plan's own frequency when that is sooner."""
    if memo is None:
        return _seen_rule_now(profile, on, frequency, anchor, None)
    key = ("seen", on, frequency, *_anchor_key(anchor))
    if key not in memo.rules:
        memo.rules[key] = _seen_rule_now(profile, on, frequency, anchor, memo)
    return memo.rules[key]


def _seen_rule_now(
    profile: Profile, on: date, frequency: tuple[int, str] | None, anchor: CaseEvent | None, memo: Memo | None
) -> tuple[date, dict[str, Any]] | None:
    from cpctl.rules.timescales import due_by

    base = _rule(profile, "child-seen", on, anchor, memo)
    if frequency is None:
        return base
    try:
        rule = profile.rule("child-seen")
    except NotFound:
        return None
    amount, unit = frequency
    own = dataclasses.replace(
        rule,
        amount=amount,
        unit=unit,
        source=f"the plan's arrangement for visits by the {profile.terms.lead_worker}",
        note=None,
    )
    when, explanation = due_by(profile, own, on)
    if base is not None and base[0] <= when:
        return base
    explanation = dataclasses.replace(explanation, event=anchor_words(profile, anchor) or explanation.event)
    return when, _explained(when, explanation)


def compute(
    child: Child,
    plans: Sequence[Plan],
    events: Sequence[CaseEvent],
    profile: Profile,
    frequencies: dict[int, tuple[int, str] | None] | None = None,
    memo: Memo | None = None,
    bookings: Sequence[Booked] = (),
) -> list[Computed]:
    """Every deadline of one child, from their events, plans, bookings and the profile (pure: reads nothing).

    Give one `memo` to many calls with the same profile (recomputing a whole store) to work each rule out once.
    """
    out = _plan_deadlines(child, plans, events, profile, frequencies, memo)
    out += document_deadlines(plans, events, profile, memo)
    out += booking_deadlines(plans, events, profile, bookings, memo)
    return out


def _plan_deadlines(
    child: Child,
    plans: Sequence[Plan],
    events: Sequence[CaseEvent],
    profile: Profile,
    frequencies: dict[int, tuple[int, str] | None] | None,
    memo: Memo | None,
) -> list[Computed]:
    """The deadlines of a child's plans: the initial conference, core groups, reviews, visits, the chair's midway
    reviews, and the answers to the chair's escalations."""
    frequencies = frequencies or {}
    ordered = sorted(events, key=lambda e: (e.happened_on, e.id or 0))
    out: list[Computed] = []

    def add(
        kind: str,
        plan: Plan | None,
        anchor: CaseEvent | None,
        result: tuple[date, dict[str, Any]] | None,
        met: CaseEvent | None,
    ) -> None:
        if result is None:
            return
        out.append(
            Computed(
                kind=kind,
                plan_id=plan.id if plan else None,
                due_on=result[0],
                explanation=result[1],
                event_id=anchor.id if anchor else None,
                met=met,
            )
        )

    conferences = [e for e in ordered if e.kind == "conference"]
    for discussion in (e for e in ordered if e.kind == "strategy-discussion"):
        met = next(
            (c for c in conferences if c.detail in STARTING_KINDS and c.happened_on >= discussion.happened_on),
            None,
        )
        add(
            "initial-conference",
            None,
            discussion,
            _rule(profile, "initial-conference", discussion.happened_on, discussion, memo),
            met,
        )

    for plan in plans:
        mine = [e for e in ordered if e.plan_id == plan.id]
        start = next((e for e in mine if e.kind == "conference" and e.conference_id == plan.start_conference_id), None)
        if start is None:
            continue
        before = len(out)
        core_groups = [e for e in mine if e.kind == "core-group"]
        sent = [e for e in mine if e.kind == "plan-circulated"]
        reviews = [e for e in mine if e.kind == "conference" and e.detail in REVIEW_KINDS]
        visits = [e for e in mine if e.kind == "visit"]

        add(
            "first-core-group",
            plan,
            start,
            _rule(profile, "first-core-group", start.happened_on, start, memo),
            next((g for g in core_groups if g.happened_on >= start.happened_on), None),
        )
        for index, group in enumerate(core_groups):
            following = core_groups[index + 1] if index + 1 < len(core_groups) else None
            add(
                "core-group",
                plan,
                group,
                _rule(profile, "core-group-cycle", group.happened_on, group, memo),
                following,
            )
            add(
                "plan-circulated",
                plan,
                group,
                _rule(profile, "plan-circulated", group.happened_on, group, memo),
                next((s for s in sent if s.happened_on >= group.happened_on), None),
            )

        first_review = _first_review(child, plan, start, profile, memo)
        add("first-review", plan, start, first_review, reviews[0] if reviews else None)
        for index, review in enumerate(reviews):
            if review.conference_id == plan.end_conference_id:
                break
            following = reviews[index + 1] if index + 1 < len(reviews) else None
            add("review", plan, review, _rule(profile, "later-review", review.happened_on, review, memo), following)

        frequency = frequencies.get(plan.id or 0)
        first_anchor: tuple[date, CaseEvent | None] = (start.happened_on, start)
        if plan.pre_birth and child.date_of_birth and child.date_of_birth > start.happened_on:
            first_anchor = (child.date_of_birth, None)
        # `visits` is in (date, id) order, so the visit after the one at index i is the one at i + 1.
        anchors: list[tuple[date, CaseEvent | None, CaseEvent | None]] = [
            (*first_anchor, next((v for v in visits if v.happened_on >= first_anchor[0]), None))
        ]
        anchors += [(v.happened_on, v, visits[i + 1] if i + 1 < len(visits) else None) for i, v in enumerate(visits)]
        for on, anchor, met in anchors:
            if child.date_of_birth is None or on < child.date_of_birth:
                continue  # an unborn baby is not visited
            add("child-seen", plan, anchor, _seen_rule(profile, on, frequency, anchor, memo), met)

        out += _quality_deadlines(plan, start, reviews, mine, profile, memo)
        add("long-plan", plan, start, _rule(profile, "long-plan", start.happened_on, start, memo), None)
        if plan.ended_on is not None:
            for item in out[before:]:
                if item.met is None and item.closed_on is None:
                    item.closed_on = plan.ended_on
    out += _quality_deadlines(None, None, (), ordered, profile, memo)
    return out


def _quality_deadlines(
    plan: Plan | None,
    start: CaseEvent | None,
    reviews: Sequence[CaseEvent],
    events: Sequence[CaseEvent],
    profile: Profile,
    memo: Memo | None,
) -> list[Computed]:
    """The chair's quality assurance: a midway review after each conference of `plan` (given its `start` and
    `reviews`), or, with no plan, a response to each escalation among `events` (`cpctl.casework.quality_steps`)."""
    from cpctl.casework import quality_steps

    if plan is not None and start is not None:
        steps = quality_steps.midway_steps(plan, start, reviews, events)
    else:
        steps = quality_steps.escalation_steps(events)
    out = []
    for step in steps:
        result = _rule(profile, step.rule, step.anchor.happened_on, step.anchor, memo)
        if result is not None:
            out.append(
                Computed(step.kind, step.plan_id, result[0], result[1], step.anchor.id, step.met, step.closed_on)
            )
    return out


def _first_review(
    child: Child, plan: Plan, start: CaseEvent, profile: Profile, memo: Memo | None = None
) -> tuple[date, dict[str, Any]] | None:
    if not plan.pre_birth:
        return _rule(profile, "first-review", start.happened_on, start, memo)
    options = [_rule(profile, "pre-birth-review", start.happened_on, start, memo)]
    if child.date_of_birth is not None and child.date_of_birth >= start.happened_on:
        options.append(_rule(profile, "pre-birth-review-after-birth", child.date_of_birth, None, memo))
    found = [o for o in options if o is not None]
    if not found:
        return _rule(profile, "first-review", start.happened_on, start, memo)
    when, explanation = min(found, key=lambda o: o[0])
    if len(found) > 1:
        explanation = {
            **explanation,
            "sentence": explanation["sentence"] + " (the earlier of the pre-birth rules)",
        }
    return when, explanation


# -- storing --------------------------------------------------------------------------------------------------
def recompute(session: Session, profile: Profile, child_ids: Iterable[int] | None = None) -> int:
    """Replace the stored deadlines of these children (all, when None) with freshly computed ones."""
    ids = None if child_ids is None else sorted(set(child_ids))
    if ids is not None and not ids:
        return 0
    rows = expected_rows(session, profile, ids)
    delete_query = delete(Deadline)
    if ids is not None:
        delete_query = delete_query.where(col(Deadline.child_id).in_(ids))
    session.exec(delete_query)  # type: ignore[call-overload]
    if rows:
        session.exec(insert(Deadline), params=rows)  # type: ignore[call-overload]
    return len(rows)


def expected_rows(session: Session, profile: Profile, ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """The `deadline` rows these children (all, when None) should have now, computed afresh: for one bulk insert,
    or to compare with what is stored."""
    children_query = select(Child)
    events_query = select(CaseEvent)
    plans_query = select(Plan)
    if ids is not None:
        children_query = children_query.where(col(Child.id).in_(ids))
        events_query = events_query.where(col(CaseEvent.child_id).in_(ids))
        plans_query = plans_query.where(col(Plan.child_id).in_(ids))
    else:
        involved = union(select(CaseEvent.child_id), select(BookingChild.child_id))
        children_query = children_query.where(col(Child.id).in_(involved))
    children = {c.id: c for c in session.exec(children_query).all()}
    events_by_child: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in session.exec(events_query).all():
        events_by_child[event.child_id].append(event)
    plans_by_child: dict[int, list[Plan]] = defaultdict(list)
    for plan in session.exec(plans_query.order_by(col(Plan.number))).all():
        plans_by_child[plan.child_id].append(plan)
    frequencies = _frequencies(session, [p for group in plans_by_child.values() for p in group])
    chairs = _chairs(session, [e for group in events_by_child.values() for e in group])
    bookings = bookings_by_child(session, ids)
    memo = Memo()
    rows: list[dict[str, Any]] = []
    for child_id, child in children.items():
        rows += deadline_rows(
            child,
            plans_by_child.get(child_id or 0, []),
            events_by_child.get(child_id or 0, []),
            profile,
            frequencies,
            chairs,
            memo,
            bookings.get(child_id or 0, ()),
        )
    return rows


def deadline_rows(
    child: Child,
    plans: Sequence[Plan],
    events: Sequence[CaseEvent],
    profile: Profile,
    frequencies: dict[int, tuple[int, str] | None],
    chairs: dict[int, int],
    memo: Memo | None = None,
    bookings: Sequence[Booked] = (),
) -> list[dict[str, Any]]:
    """One child's `deadline` rows as `compute` gives them, with each plan's lead worker and chair (a booking's
    deadlines, its own chair)."""
    memo = memo or Memo()
    workers = {p.id: p.lead_worker_id for p in plans}
    return [
        {
            "child_id": child.id or 0,
            "plan_id": item.plan_id,
            "kind": item.kind,
            "due_on": item.due_on,
            "status": item.status,
            "met_on": item.met.happened_on if item.met else item.met_on,
            "closed_on": item.closed_on,
            "event_id": item.event_id,
            "met_event_id": item.met.id if item.met else None,
            "worker_id": workers.get(item.plan_id) if item.plan_id else None,
            "chair_id": item.chair_id or (chairs.get(item.plan_id) if item.plan_id else None),
            "explanation": memo.json(item.explanation),
            "booking_id": item.booking_id,
            "person_id": item.person_id,
        }
        for item in compute(child, plans, events, profile, frequencies, memo, bookings)
    ]


def _frequencies(session: Session, plans: Sequence[Plan]) -> dict[int, tuple[int, str] | None]:
    """How often each plan says its statutory visitors will see the child (the most frequent of their
    arrangements), from its latest version; None where the plan sets no such frequency."""
    from cpctl.casework.plan import content_of

    out: dict[int, tuple[int, str] | None] = {}
    by_id = {p.id: p for p in plans if p.id is not None}
    if not by_id:
        return out
    rows = session.exec(
        select(PlanVersion).where(col(PlanVersion.plan_id).in_(list(by_id))).order_by(col(PlanVersion.number))
    ).all()
    newest = {row.plan_id: row for row in rows}  # in version order, so the last one read is the latest
    latest = {plan_id: content_of(row) for plan_id, row in newest.items()}
    named = {s.who.strip() for content in latest.values() for s in content.child_seen if s.who and s.who.strip()}
    people = _people(session, {p.lead_worker_id for p in by_id.values()}, named)
    for plan_id, content in latest.items():
        lead = people.by_id.get(by_id[plan_id].lead_worker_id)
        found = [seen_frequency(s.how_often) for s in content.child_seen if people.statutory(s.who, lead)]
        known = [f for f in found if f is not None]
        out[plan_id] = min(known, key=_rough_days) if known else None
    return out


_SOCIAL_WORK = re.compile(
    r"social\s*work|social\s*care|social\s*services|lead\s+practitioner|protection\s+co-?ordinator", re.IGNORECASE
)


@dataclass
class _People:
    """The lead workers and the people named in plans' arrangements for seeing the child."""

    by_id: dict[int, Person]
    by_key: dict[str, Person]  # by reference and by unique full name, lower-cased

    def statutory(self, who: str | None, lead: Person | None) -> bool:
        """Whether `who` (a reference, a name or words typed in the plan) is the plan's lead worker or another
        statutory visitor: a social worker. A class teacher, a nursery or a health visitor sees the child as
        part of their everyday work, and sets no visiting deadline."""
        if not who or not who.strip():
            return False
        key = " ".join(who.split()).lower()
        if lead is not None and key in (lead.ref.lower(), " ".join(lead.name.split()).lower()):
            return True
        person = self.by_key.get(key)
        if person is None:
            return bool(_SOCIAL_WORK.search(who))
        if person.kind != "professional":
            return False
        if person.role and person.role.strip():
            return bool(_SOCIAL_WORK.search(person.role))
        return bool(person.agency and _SOCIAL_WORK.search(person.agency))


def _people(session: Session, ids: set[int], named: set[str]) -> _People:
    """The lead workers by id and the people named by reference or full name, in one indexed query (or every
    professional, when a whole store names more people than a query should list)."""
    from sqlalchemy import or_

    spaced = {" ".join(n.split()) for n in named}
    refs = sorted(spaced | {n.upper() for n in spaced})
    if len(ids) + len(refs) + len(spaced) > 5000:
        query = select(Person).where(or_(Person.kind == "professional", col(Person.id).in_(sorted(ids))))
    else:
        query = select(Person).where(
            or_(col(Person.id).in_(sorted(ids)), col(Person.ref).in_(refs), col(Person.name).in_(sorted(spaced)))
        )
    found = session.exec(query).all()
    by_key: dict[str, Person] = {}
    names: dict[str, list[Person]] = defaultdict(list)
    for person in found:
        names[" ".join(person.name.split()).lower()].append(person)
    for name, holders in names.items():
        if len(holders) == 1:
            by_key[name] = holders[0]
    for person in found:
        by_key[person.ref.lower()] = person
    return _People(by_id={p.id or 0: p for p in found}, by_key=by_key)


def _rough_days(frequency: tuple[int, str]) -> float:
    amount, unit = frequency
    return amount * {"days": 1, "working-days": 1.4, "weeks": 7, "months": 30.4}[unit]


def _chairs(session: Session, events: Sequence[CaseEvent]) -> dict[int, int]:
    """The chair of each plan's latest conference."""
    latest: dict[int, tuple[date, int]] = {}
    for event in events:
        if event.kind == "conference" and event.plan_id and event.conference_id:
            current = latest.get(event.plan_id)
            if current is None or (event.happened_on, event.conference_id) > current:
                latest[event.plan_id] = (event.happened_on, event.conference_id)
    if not latest:
        return {}
    conference_ids = {conf for _, conf in latest.values()}
    chair_of = dict(
        session.exec(select(Conference.id, Conference.chair_id).where(col(Conference.id).in_(conference_ids))).all()
    )
    return {plan_id: chair_of[conf] for plan_id, (_, conf) in latest.items() if conf in chair_of}


def refresh_child(session: Session, child: Child) -> None:
    """Recompute one child's deadlines after something about them changed (in the same transaction).

    If the profile changed since the store's deadlines were computed, every child's are recomputed, so that the
    stored deadlines always match the stored fingerprint.
    """
    profile = load_profile(session)
    wanted = fingerprint(profile)
    stored = session.get(Setting, FINGERPRINT_KEY)
    if stored is not None and stored.value == wanted:
        recompute(session, profile, [child.id or 0])
        return
    recompute(session, profile)
    _set_fingerprint(session, stored, wanted)


def refresh_for_person(session: Session, person: Person, *, names: Iterable[str] = ()) -> None:
    """Recompute the deadlines of every child whose plan this person leads or names in its arrangements for seeing
    the child, after their name, role, agency or kind changed: those say whether they are a statutory visitor.
    `names` are the names they had before (a plan may name them by the old one)."""
    from sqlalchemy import func, or_

    keys = {person.ref, person.name, *names}
    mentioned = [func.lower(PlanVersion.content).contains(key.lower(), autoescape=True) for key in keys if key]
    plan_ids = select(PlanVersion.plan_id).where(or_(*mentioned))
    children = session.exec(
        select(Plan.child_id).where(or_(Plan.lead_worker_id == person.id, col(Plan.id).in_(plan_ids))).distinct()
    ).all()
    for child_id in children:
        child = session.get(Child, child_id)
        if child is not None:
            refresh_child(session, child)


def _set_fingerprint(session: Session, row: Setting | None, value: str) -> None:
    if row is None:
        session.add(Setting(key=FINGERPRINT_KEY, value=value))
    else:
        row.value = value
        session.add(row)
    session.flush()


def ensure_current(store: Any) -> int | None:
    """Recompute every deadline if the profile in force changed since they were computed; returns how many."""
    with store.read() as session:
        profile = load_profile(session)
        stored = session.get(Setting, FINGERPRINT_KEY)
        wanted = fingerprint(profile)
        if stored is not None and stored.value == wanted:
            return None
    with store.write() as session:
        stored = session.get(Setting, FINGERPRINT_KEY)
        if stored is not None and stored.value == wanted:
            return None  # another process got there first
        count = recompute(session, profile)
        _set_fingerprint(session, stored, wanted)
    return count


# -- reading ----------------------------------------------------------------------------------------------------
def upcoming(
    session: Session,
    *,
    on: date,
    days: int = 14,
    every: bool = False,
    child_id: int | None = None,
    worker_id: int | None = None,
    chair_id: int | None = None,
    kind: str | None = None,
    terms: dict[str, Any] | None = None,
    mine: int | None = None,
) -> list[dict[str, Any]]:
    """Open deadlines due within `days` of `on`, and all overdue ones, soonest first: one query at any scale.

    `mine`: only the plans this person chairs or leads.
    """
    from datetime import timedelta

    worker, chair = _worker_and_chair()
    waits_on = _waits_on()
    query = (
        select(  # columns, not the Deadline entity: building ORM objects costs more than the query
            Deadline.due_on,
            Deadline.kind,
            Deadline.explanation,
            Child.ref,
            Child.given_name,
            Child.family_name,
            worker.ref,
            worker.name,
            chair.ref,
            chair.name,
            Plan.number,
            Booking.ref,
            waits_on.name,
        )
        .join(Child, Child.id == Deadline.child_id)
        .outerjoin(worker, worker.id == Deadline.worker_id)
        .outerjoin(chair, chair.id == Deadline.chair_id)
        .outerjoin(Plan, Plan.id == Deadline.plan_id)
        .outerjoin(Booking, Booking.id == Deadline.booking_id)
        .outerjoin(waits_on, waits_on.id == Deadline.person_id)
    )
    until = None if every else on + timedelta(days=days)

    def open_deadlines(*conditions: Any) -> Any:
        return [*conditions, Deadline.status == "open", *([Deadline.due_on <= until] if until is not None else [])]

    if mine is not None:
        # Two index ranges, (chair_id, status, due_on) and (worker_id, status, due_on), found first: given the same
        # conditions with an OR, SQLite's planner reads (status, due_on), every open deadline in the store.
        chaired = select(Deadline.id).where(*open_deadlines(Deadline.chair_id == mine))
        led = select(Deadline.id).where(*open_deadlines(Deadline.worker_id == mine))
        query = query.where(col(Deadline.id).in_(union(chaired, led)))
    else:
        query = query.where(*open_deadlines())
    if child_id is not None:
        query = query.where(Deadline.child_id == child_id)
    if worker_id is not None:
        query = query.where(Deadline.worker_id == worker_id)
    if chair_id is not None:
        query = query.where(Deadline.chair_id == chair_id)
    if kind is not None:
        query = query.where(Deadline.kind == kind)
    query = query.order_by(col(Deadline.due_on), col(Child.ref), col(Deadline.kind))
    out = []
    for (
        due_on,
        kind_of,
        explanation,
        ref,
        given,
        family,
        worker_ref,
        worker_name,
        chair_ref,
        chair_name,
        plan_number,
        booking_ref,
        waits_on_name,
    ) in session.exec(query):
        what = label(kind_of, terms)
        if waits_on_name:
            what += f": {waits_on_name}"
        if booking_ref:
            what += f" ({booking_ref})"
        out.append(
            {
                "due": due_on,
                "days": (due_on - on).days,
                "overdue": due_on < on,
                "kind": kind_of,
                "what": what,
                "booking": booking_ref,
                "child": ref,
                "child_name": f"{given} {family}",
                "plan": plan_number,
                "lead_worker": {"ref": worker_ref, "name": worker_name} if worker_ref else None,
                "chair": {"ref": chair_ref, "name": chair_name} if chair_ref else None,
                "explanation": json.loads(explanation),
            }
        )
    return out


@functools.cache
def _waits_on() -> Any:
    """Person as whom a booking's step waits on (the agency asked for a report), made once (see below)."""
    from sqlalchemy.orm import aliased

    return aliased(Person, name="waits_on")


@functools.cache
def _worker_and_chair() -> tuple[Any, Any]:
    """Person twice, as a plan's lead worker and as its chair: made once, so that each query reuses the last's
    compiled form instead of building new aliases (plan export --all asks once per child)."""
    from sqlalchemy.orm import aliased

    from cpctl.store.models import Person

    return aliased(Person, name="lead_worker"), aliased(Person, name="chair")


def chairs_or_leads(session: Session, person_id: int) -> bool:
    """Whether this person chairs or leads any plan (has any deadline as its chair or lead worker)."""
    found = session.exec(
        select(Deadline.id).where((Deadline.chair_id == person_id) | (Deadline.worker_id == person_id)).limit(1)
    ).first()
    return found is not None


def check_kind(kind: str) -> str:
    from cpctl.errors import Invalid

    key = kind.strip().lower()
    if key not in KINDS:
        raise Invalid(f"unknown kind of deadline {kind!r}: choose one of {', '.join(KINDS)}.")
    return key
