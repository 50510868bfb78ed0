"""The documents around a conference, from the store: the outcome letters, the conference record and its
distribution list, and the invitations to a booked conference.

Each is plain data (`cpctl.documents.views`) made for its reader before any template sees it: a family reader's
copy is made by `redaction.without_private`, as the plan's family copies are, and a section withheld from a
recipient of the record is left out of their copy's data, not merely hidden.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cpctl.casework import participation
from cpctl.documents.views import (
    RECORD_SECTIONS,
    BookingView,
    ChildView,
    ContentView,
    InvitationDocument,
    PersonView,
    PlanDocument,
    RecipientView,
    RecordChildView,
    RecordDocument,
    ReportView,
    TextItem,
)
from cpctl.errors import Invalid

if TYPE_CHECKING:
    from sqlmodel import Session

    from cpctl.store.models import Booking, Child, Conference, Decision, Person

# A child this old or older on the day gets a letter of their own about the decision (younger children have it
# explained by their worker). The plan's child's copy is written for any child; a letter read alone asks more.
CHILD_LETTER_AGE = 8
FAMILY_KINDS = ("parent", "carer", "family")
LETTER_ACTION = "conference.letter"
RECORD_ACTION = "conference.record"
INVITE_ACTION = "booking.invite"


def person_view(person: Person, relationship: str | None = None) -> PersonView:
    return PersonView(
        ref=person.ref,
        name=person.name,
        kind=person.kind,
        role=person.role,
        agency=person.agency,
        relationship=relationship,
        email=person.email,
        phone=person.phone,
        preferred_language=person.preferred_language,
    )


# -- outcome letters --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    """One letter to write: the copy (a parent's or the child's) and whom it goes to."""

    document: PlanDocument
    child_id: int
    to: str  # the person's reference, or the child's for the child's own letter


def letters(session: Session, conference: Conference, *, to: str | None, today: date) -> list[Letter]:
    """The outcome letters of a conference: one for each parent of each child it decided for (or only for the
    person `to`), and one for each child old enough (without `to`, or when `to` names the child)."""

    from cpctl.casework import people
    from cpctl.documents.redaction import for_reader

    decisions = _decisions(session, conference)
    wanted = people.find_person(session, to) if to and not _is_child(session, to) else None
    wanted_child = people.find_child(session, to) if to and wanted is None else None
    found: list[Letter] = []
    for decision, child in decisions:
        if decision.plan_id is None:  # the conference decided no plan is needed
            full = _without_plan(session, conference, decision, child, today=today)
        else:
            full = _plan_as_decided(session, conference, decision, child, today)
        full = dataclasses.replace(full, kind="outcome-letter")
        parents = [(p, rel) for p, rel in people.people_of_child(session, child) if p.kind == "parent"]
        if wanted is not None:
            linked = {p.id: rel for p, rel in people.people_of_child(session, child)}
            if wanted.id not in linked or wanted.kind == "professional":
                continue
            parents = [(wanted, linked[wanted.id])]
        elif wanted_child is not None and wanted_child.id != child.id:
            continue
        if wanted_child is None:
            for parent, relationship in parents:
                reader = person_view(parent, relationship)
                found.append(Letter(for_reader(full, "parent", reader=reader), child.id or 0, parent.ref))
        if wanted is None and full.child.age is not None and full.child.age >= CHILD_LETTER_AGE:
            found.append(Letter(for_reader(full, "child"), child.id or 0, child.ref))
        elif wanted_child is not None:
            raise Invalid(
                f"child {child.ref} is under {CHILD_LETTER_AGE}: a letter of their own is written for a child "
                f"of {CHILD_LETTER_AGE} or over; their worker explains the decision."
            )
    if not found:
        if wanted is not None:
            raise Invalid(
                f"{wanted.ref} is not a parent, carer or relative of a child {conference.ref} decided for; "
                "see `cpctl conference show`."
            )
        raise Invalid(f"{conference.ref} has no parent on record to write to; add them with `cpctl person add`.")
    return found


def _without_plan(
    session: Session, conference: Conference, decision: Decision, child: Child, *, today: date
) -> PlanDocument:
    """The full document for a decision that no plan is needed: the conference and the decision's reasons and
    voices, with an empty plan (number 0) that the letter never shows."""
    from cpctl.casework import conference as conferences
    from cpctl.casework import people, schedule
    from cpctl.casework import plan as plans
    from cpctl.documents.redaction import assemble
    from cpctl.documents.views import PlanView, VersionView
    from cpctl.store import settings

    state = settings.current(session)
    profile = schedule.load_profile(session)
    rules = conferences.rules_for(state.jurisdiction)
    linked = people.people_of_child(session, child)
    held = dataclasses.replace(_conference_view(session, conference, rules), outcome=decision.outcome)
    return assemble(
        issued_on=today,
        authority=state.authority,
        jurisdiction=profile.title,
        terms={key: value for key, value in profile.terms.items() if value},
        child=child_view(child, today),
        plan=PlanView(number=0, started_on=conference.held_on),
        version=VersionView(number=0, made_on=conference.held_on, source="conference"),
        conference=held,
        content=plans.PlanContent(),
        details=plans.details_of(decision),
        people={p.ref: person_view(p, rel) for p, rel in linked},
        lead_worker=None,
        parents=[p.ref for p, _ in linked if p.kind == "parent"],
    )


def child_view(child: Child, today: date) -> ChildView:
    from cpctl.dates import age_on

    born = child.date_of_birth
    return ChildView(
        ref=child.ref,
        given_name=child.given_name,
        family_name=child.family_name,
        name=child.full_name,
        date_of_birth=born,
        expected_date=child.expected_date,
        age=age_on(born, today) if born and born <= today else None,
        gender=child.gender,
        preferred_language=child.preferred_language or "English",
        interpreter_needed=child.interpreter_needed,
        culture_religion=child.culture_religion,
        disability=child.disability,
    )


def _is_child(session: Session, key: str) -> bool:
    from sqlmodel import select

    from cpctl.store.models import Child

    return session.exec(select(Child.id).where(Child.ref == key.strip())).first() is not None


def _decisions(session: Session, conference: Conference) -> list[tuple[Decision, Child]]:
    """The conference's decisions with their children, in the children's order."""
    from sqlmodel import col, select

    from cpctl.store.models import Child, Decision

    return list(
        session.exec(
            select(Decision, Child)
            .join(Child, col(Child.id) == col(Decision.child_id))
            .where(Decision.conference_id == conference.id)
            .order_by(col(Child.ref))
        ).all()
    )


def _plan_as_decided(
    session: Session, conference: Conference, decision: Decision, child: Child, today: date
) -> PlanDocument:
    """The child's plan as the conference left it (the version it made or reviewed), with the conference."""
    from cpctl.documents.gather import gather

    assert decision.plan_id is not None
    return gather(
        session,
        child,
        version=_version_of(session, decision.plan_id, conference),
        today=today,
        plan_id=decision.plan_id,
        conference_id=conference.id,
    )


def _version_of(session: Session, plan_id: int, conference: Conference) -> int | None:
    """The plan version the conference made, or else the latest made by its day (a plan that ends has none)."""
    from sqlmodel import col, select

    from cpctl.store.models import PlanVersion

    made = session.exec(
        select(PlanVersion.number)
        .where(PlanVersion.plan_id == plan_id, PlanVersion.conference_id == conference.id)
        .order_by(col(PlanVersion.number).desc())
    ).first()
    if made is not None:
        return made
    return session.exec(
        select(PlanVersion.number)
        .where(PlanVersion.plan_id == plan_id, PlanVersion.made_on <= conference.held_on)
        .order_by(col(PlanVersion.number).desc())
    ).first()


def written_for(session: Session, conference: Conference, action: str) -> set[tuple[str, str]]:
    """(child, person) pairs the audit trail records a document of this kind written for."""
    from cpctl.store import audit

    pairs: set[tuple[str, str]] = set()
    for entry in audit.entries(session, entity="conference", entity_id=conference.ref):
        if entry.action != action:
            continue
        details = json.loads(entry.changes or "{}")
        for child in details.get("children", []):
            pairs.add((child, details.get("to") or ""))
    return pairs


def add_event_when_complete(
    session: Session, conference: Conference, kind: str, action: str, *, today: date, parents_only: bool = True
) -> list[str]:
    """Add the CaseEvent `kind` (with the conference, per child) for each child of the conference every one of whose
    parents has now had the document (per the audit trail, this run's entries included); refresh their deadlines.
    Returns the children's references it was added for."""
    from sqlmodel import col, select

    from cpctl.casework import people, schedule
    from cpctl.store.models import CaseEvent, Child, Decision

    done = written_for(session, conference, action)
    added = []
    rows = session.exec(
        select(Decision, Child)
        .join(Child, col(Child.id) == col(Decision.child_id))
        .where(Decision.conference_id == conference.id)
        .order_by(col(Child.ref))
    ).all()
    for decision, child in rows:
        parents = {p.ref for p, _ in people.people_of_child(session, child) if p.kind == "parent" or not parents_only}
        sent_to = {person for ref, person in done if ref == child.ref}
        if parents_only and not parents <= sent_to:
            continue
        if not parents_only and not sent_to:
            continue
        exists = session.exec(
            select(CaseEvent.id).where(
                CaseEvent.child_id == child.id, CaseEvent.kind == kind, CaseEvent.conference_id == conference.id
            )
        ).first()
        if exists is not None:
            continue
        session.add(
            CaseEvent(
                child_id=child.id or 0,
                plan_id=decision.plan_id,
                kind=kind,
                happened_on=today,
                conference_id=conference.id,
            )
        )
        session.flush()
        schedule.refresh_child(session, child)
        added.append(child.ref)
    return added


# -- the conference record --------------------------------------------------------------------------------------


def record(session: Session, conference: Conference, *, today: date) -> RecordDocument:
    """The full record of a conference (everything, private items marked), with its distribution list as stored."""
    from sqlmodel import col, select

    from cpctl.casework import conference as conferences
    from cpctl.casework import plan as plans
    from cpctl.casework import schedule
    from cpctl.documents.redaction import details_view
    from cpctl.store import settings
    from cpctl.store.models import Booking, BookingInvitee, ConferenceRecipient, Person

    state = settings.current(session)
    profile = schedule.load_profile(session)
    rules = conferences.rules_for(state.jurisdiction)
    terms = {key: value for key, value in profile.terms.items() if value}
    decisions = _decisions(session, conference)
    children: list[RecordChildView] = []
    held = None
    for decision, child in decisions:
        categories = tuple(rules.categories.get(c, c) for c in plans.categories_of(decision.categories))
        if decision.plan_id is not None:
            full = _plan_as_decided(session, conference, decision, child, today)
            held = held or full.conference
            children.append(
                RecordChildView(
                    child=full.child,
                    outcome=decision.outcome,
                    categories=categories,
                    plan_number=full.plan.number,
                    lead_worker=full.lead_worker,
                    details=full.details,
                    content=full.content if decision.outcome != "plan-ends" else ContentView(),
                    participation=participation.words(decision.participation) if decision.participation else None,
                )
            )
        else:
            lead = session.get(Person, decision.lead_worker_id) if decision.lead_worker_id else None
            children.append(
                RecordChildView(
                    child=child_view(child, today),
                    outcome=decision.outcome,
                    categories=categories,
                    lead_worker=person_view(lead) if lead else None,
                    details=details_view(plans.details_of(decision)),
                    participation=participation.words(decision.participation) if decision.participation else None,
                )
            )
    if held is None:
        held = _conference_view(session, conference, rules)
    booking = session.exec(select(Booking).where(Booking.conference_id == conference.id)).first()
    reports: list[ReportView] = []
    invitees: list[tuple[Person, str]] = []
    if booking is not None:
        for invitee, person in session.exec(
            select(BookingInvitee, Person)
            .join(Person, col(Person.id) == col(BookingInvitee.person_id))
            .where(BookingInvitee.booking_id == booking.id)
            .order_by(col(Person.name))
        ).all():
            invitees.append((person, invitee.role))
            if invitee.report_requested:
                reports.append(
                    ReportView(
                        person=person_view(person),
                        received_on=invitee.report_received_on,
                        shared_on=invitee.report_shared_on,
                    )
                )
    stored = {
        r.person_id: r
        for r in session.exec(select(ConferenceRecipient).where(ConferenceRecipient.conference_id == conference.id))
    }
    distribution = []
    for person in entitled(session, conference, [child for _, child in decisions], invitees):
        row = stored.get(person.id)
        distribution.append(
            RecipientView(
                person=person_view(person),
                receives=row.receives if row is not None else True,
                withheld=tuple(s for s in (row.withheld or "").split(",") if s) if row is not None else (),
                reason=row.reason if row is not None else None,
            )
        )
    return RecordDocument(
        audience="professional",
        issued_on=today,
        authority=state.authority,
        jurisdiction=profile.title,
        terms=terms,
        conference=held,
        children=tuple(children),
        discussion=tuple(TextItem(text=line) for line in _paragraphs(conference.discussion)),
        reports=tuple(reports),
        distribution=tuple(distribution),
    )


def _paragraphs(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split("\n\n") if part.strip()]


def _conference_view(session: Session, conference: Conference, rules: Any) -> Any:
    from sqlmodel import col, select

    from cpctl.documents.views import AttendeeView, ConferenceView
    from cpctl.store.models import ConferenceAttendee, Person

    chair = session.get(Person, conference.chair_id)
    attendees = session.exec(
        select(ConferenceAttendee, Person)
        .join(Person, col(Person.id) == col(ConferenceAttendee.person_id))
        .where(ConferenceAttendee.conference_id == conference.id)
        .order_by(col(Person.name))
    ).all()
    return ConferenceView(
        ref=conference.ref,
        kind=conference.kind,
        kind_name=rules.kind_name(conference.kind),
        held_on=conference.held_on,
        outcome="",
        time=conference.start_time,
        venue=conference.venue,
        virtual=conference.virtual,
        chair=person_view(chair) if chair else None,
        quorate=conference.quorate,
        inquorate_reason=conference.inquorate_reason,
        attendance=tuple(
            AttendeeView(
                person=dataclasses.replace(person_view(p), role=a.role, agency=a.agency),
                status=a.status,
                reason=a.reason,
            )
            for a, p in attendees
        ),
    )


def entitled(
    session: Session, conference: Conference, children: Sequence[Child], invitees: Sequence[tuple[Person, str]]
) -> list[Person]:
    """Everyone entitled to the record: the chair, everyone on the attendance list and the booking's invitees,
    and the children's parents; by name."""
    from sqlmodel import col, select

    from cpctl.casework import people
    from cpctl.store.models import ConferenceAttendee, Person

    found: dict[int, Person] = {}
    chair = session.get(Person, conference.chair_id)
    if chair is not None:
        found[chair.id or 0] = chair
    for person in session.exec(
        select(Person)
        .join(ConferenceAttendee, col(ConferenceAttendee.person_id) == col(Person.id))
        .where(ConferenceAttendee.conference_id == conference.id)
    ).all():
        found[person.id or 0] = person
    for person, _ in invitees:
        found[person.id or 0] = person
    for child in children:
        for person, _ in people.people_of_child(session, child):
            if person.kind == "parent":
                found[person.id or 0] = person
    return sorted(found.values(), key=lambda p: (p.kind != "professional", p.name, p.ref))


def copy_for(full: RecordDocument, recipient: RecipientView) -> RecordDocument:
    """One recipient's copy: a family member's without anything private (nor phones, addresses, carers' names),
    and without the sections withheld from them, whose data is left out of the copy, not hidden."""
    from cpctl.documents.redaction import without_private

    if not recipient.receives:
        raise Invalid(f"{recipient.person.ref} is excluded from the record: they are never given a copy.")
    copy = full
    family = recipient.person.kind in FAMILY_KINDS
    if family:
        copy = without_private(copy)
        # A family copy lists who receives the record, never who was kept from it or why.
        copy = dataclasses.replace(
            copy,
            audience="parent",
            distribution=tuple(
                dataclasses.replace(r, withheld=(), reason=None) for r in copy.distribution if r.receives
            ),
            conference=dataclasses.replace(copy.conference, inquorate_reason=None),
        )
    gone = set(recipient.withheld)
    children = copy.children
    if "reasons" in gone:
        children = tuple(dataclasses.replace(c, details=dataclasses.replace(c.details, evidence=())) for c in children)
    if "views" in gone:
        children = tuple(
            dataclasses.replace(c, details=dataclasses.replace(c.details, child_views=(), parent_views=()))
            for c in children
        )
    if "dissent" in gone:
        children = tuple(
            dataclasses.replace(c, details=dataclasses.replace(c.details, dissent=(), not_discussed_with=()))
            for c in children
        )
    if "plan" in gone:
        children = tuple(dataclasses.replace(c, content=ContentView()) for c in children)
    conference = copy.conference
    if "attendance" in gone:
        conference = dataclasses.replace(conference, attendance=())
    reader = without_private(recipient.person) if family else recipient.person
    return dataclasses.replace(
        copy,
        children=children,
        conference=conference,
        discussion=() if "discussion" in gone else copy.discussion,
        reports=() if "reports" in gone else copy.reports,
        sections=tuple(s for s in RECORD_SECTIONS if s not in gone),
        withheld=tuple(RECORD_SECTIONS[s] for s in RECORD_SECTIONS if s in gone),
        reader=reader,
    )


def parse_withholding(values: Sequence[str]) -> list[tuple[str, str]]:
    """PERSON=SECTION pairs from --withhold, each section one of RECORD_SECTIONS."""
    found = []
    for value in values:
        person, sep, section = value.partition("=")
        section = section.strip().lower()
        if not sep or not person.strip() or not section:
            raise Invalid(f"--withhold takes PERSON=SECTION (e.g. P00003=discussion), not {value[:40]!r}.")
        if section not in RECORD_SECTIONS:
            raise Invalid(
                f"there is no section {section[:40]!r} to withhold: choose one of {', '.join(RECORD_SECTIONS)}."
            )
        found.append((person.strip(), section))
    return found


# -- invitations -------------------------------------------------------------------------------------------------

# When the profile has no `reports-to-chair` rule: reports are asked for this many working days before.
REPORT_FALLBACK_DAYS = 3
PARENT_ROLES = ("parent", "child")


def report_due(session: Session, booking: Booking) -> tuple[date, str]:
    """When the agencies' reports are due with the chair: the profile's `reports-to-chair` rule (a review's own,
    `reports-to-chair-review`, where it has one, as `due` counts them) counted back from the booked day, else
    REPORT_FALLBACK_DAYS working days before (said so)."""
    from cpctl.casework import schedule
    from cpctl.casework.cycle_deadlines import REVIEW_BOOKINGS
    from cpctl.errors import NotFound as Missing
    from cpctl.rules import timescales

    profile = schedule.load_profile(session)
    rules = ["reports-to-chair"]
    if booking.kind in REVIEW_BOOKINGS:
        rules.insert(0, "reports-to-chair-review")
    for rule in rules:
        try:
            due, explanation = timescales.due(profile, rule, booking.booked_for)
            break
        except Missing:
            continue
    else:
        day = booking.booked_for
        for _ in range(REPORT_FALLBACK_DAYS):
            day = timescales.working_day_before(day, profile.calendar)
        return day, (
            f"{REPORT_FALLBACK_DAYS} working days before the conference: the {profile.name} profile has no "
            "reports-to-chair rule (cpctl's fallback)"
        )
    if due > booking.booked_for:  # a rule counted after the event (a profile without `before:`): not a due date
        day = booking.booked_for
        for _ in range(REPORT_FALLBACK_DAYS):
            day = timescales.working_day_before(day, profile.calendar)
        return day, f"{REPORT_FALLBACK_DAYS} working days before the conference (cpctl's fallback)"
    return due, f"rule {rule}, {explanation.source}"


def invitations(
    session: Session, booking: Booking, *, to: str | None, today: date
) -> list[tuple[InvitationDocument, int]]:
    """One invitation for each invitee of the booking (or only `to`): a family letter for parents (and a child
    invited), the report request for agencies and others; with each invitee's person id."""
    from sqlmodel import col, select

    from cpctl.casework import conference as conferences
    from cpctl.casework import people, schedule
    from cpctl.store import settings
    from cpctl.store.models import BookingChild, BookingInvitee, Child, Person

    if booking.status != "booked":
        raise Invalid(f"booking {booking.ref} is {booking.status}: invitations are for a conference still to come.")
    state = settings.current(session)
    profile = schedule.load_profile(session)
    rules = conferences.rules_for(state.jurisdiction)
    terms = {key: value for key, value in profile.terms.items() if value}
    chair = session.get(Person, booking.chair_id)
    children = session.exec(
        select(Child)
        .join(BookingChild, col(BookingChild.child_id) == col(Child.id))
        .where(BookingChild.booking_id == booking.id)
        .order_by(col(Child.ref))
    ).all()
    view = BookingView(
        ref=booking.ref,
        kind=booking.kind,
        kind_name=rules.kind_name(booking.kind),
        booked_for=booking.booked_for,
        time=booking.start_time,
        venue=booking.venue,
        virtual=booking.virtual,
        chair=person_view(chair) if chair else None,
        interpreter_needed=booking.interpreter_needed,
        interpreter_language=booking.interpreter_language,
    )
    child_views = tuple(child_view(c, today) for c in children)
    wanted = people.find_person(session, to) if to else None
    rows = session.exec(
        select(BookingInvitee, Person)
        .join(Person, col(Person.id) == col(BookingInvitee.person_id))
        .where(BookingInvitee.booking_id == booking.id)
        .order_by(col(Person.name))
    ).all()
    if wanted is not None:
        rows = [(i, p) for i, p in rows if p.id == wanted.id]
        if not rows:
            raise Invalid(f"{wanted.ref} is not invited to {booking.ref}; see `cpctl conference show {booking.ref}`.")
    if not rows:
        raise Invalid(f"booking {booking.ref} has no invitees to write to.")
    relationships: dict[int, str] = {}
    for c in children:
        for p, rel in people.people_of_child(session, c):
            relationships.setdefault(p.id or 0, rel)
    due: tuple[date, str] | None = None
    found = []
    for invitee, person in rows:
        family = invitee.role in PARENT_ROLES or person.kind in FAMILY_KINDS
        asked = invitee.report_requested and not family
        if asked and due is None:
            due = report_due(session, booking)
        document = InvitationDocument(
            audience="parent" if family else "professional",
            issued_on=today,
            authority=state.authority,
            jurisdiction=profile.title,
            terms=terms,
            booking=view,
            children=child_views,
            reader=person_view(person, relationships.get(person.id or 0)),
            report_requested=asked,
            report_due=due[0] if asked and due else None,
            report_rule=due[1] if asked and due else None,
        )
        if family:
            from cpctl.documents.redaction import without_private

            document = without_private(document)
        found.append((document, person.id or 0))
    return found
