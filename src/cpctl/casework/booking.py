"""Booked conferences: booking one for a day to come, moving or cancelling it, the reports it waits for, whether it
is ready, and the conference recorded from it.

A booking (`BK00001`) names the children, the kind, the day and time, the venue (or online), the chair, whom it
invites (each as a parent, the child, an agency asked for a report, or another invitee) and the interpreter. Its
deadlines (invitations sent, reports to the chair, reports shared with the parents) are counted back from the booked
day by the profile's rules (`cpctl.casework.schedule`), and follow it when it moves; a cancelled booking has none.
Every write here adds its audit entry in the same transaction and refreshes the children's deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from sqlmodel import Session, col, select

from cpctl.casework import people
from cpctl.casework.conference_input import Kind, time_of_day
from cpctl.casework.plan import Day, Interpreter, Key, OptText, Strict
from cpctl.fileinput import FieldError
from cpctl.store import audit
from cpctl.store.models import Booking, BookingChild, BookingInvitee, Child, Person

ROLES = ("parent", "child", "agency", "other")
STATUSES = ("booked", "held", "cancelled")
REVIEW_KINDS = ("review", "pre-birth-review")
ROLE_WORDS = {"parent": "parent or carer", "child": "the child", "agency": "agency", "other": "invited"}


class InviteeIn(Strict):
    """Someone invited: a person by reference or name. `role` defaults from the person (a parent or carer is a
    parent, a professional an agency, anyone else other); an agency is asked for a report unless `report: false`."""

    person: Key
    role: Literal["parent", "child", "agency", "other"] | None = None
    report: bool | None = None
    note: OptText = None


class BookingIn(Strict):
    """Everything `cpctl conference book` records; the same shape from flags or from a file."""

    kind: Kind | None = None  # by default a review for children on a plan, else an initial (pre-birth if unborn)
    date: Day
    time: str | None = None
    venue: OptText = None
    virtual: bool = False
    chair: Key | None = None
    children: list[Key] = Field(min_length=1)
    invitees: list[InviteeIn] = []
    interpreter: Interpreter | None = None

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        return time_of_day(value)

    @model_validator(mode="after")
    def _interpreter(self) -> BookingIn:
        if self.interpreter is not None and self.interpreter.needed and not self.interpreter.language:
            raise ValueError("an interpreter is needed: say for which language (interpreter.language)")
        return self


@dataclass
class Booked:
    booking: Booking
    children: list[Child]
    invitees: list[tuple[Person, BookingInvitee]]


def find(session: Session, ref: str) -> Booking:
    from cpctl.errors import NotFound

    row = session.exec(select(Booking).where(Booking.ref == (ref or "").strip().upper())).first()
    if row is None:
        audit.note_read(session, (ref or "").strip() or "?", found=False, entity="booking")
        raise NotFound(f"no booking {ref[:40]!r}; see `cpctl conference list --booked`.")
    audit.note_children_read(session, select(BookingChild.child_id).where(BookingChild.booking_id == row.id))
    return row


def is_booking_ref(ref: str) -> bool:
    """'BK00001' (any case): a booking's reference rather than a recorded conference's."""
    text = (ref or "").strip().upper()
    return text.startswith("BK") and text[2:].isdigit()


def book(session: Session, data: BookingIn, *, today: date | None = None) -> Booked:
    """Check and save a booking, its children and invitees, with its audit entry; the children's deadlines follow."""
    from cpctl.casework import plan as plans
    from cpctl.store import settings

    today = today or date.today()
    settings.current(session)
    if data.date < today:
        raise FieldError(("date",), f"{data.date.isoformat()} has passed: a booking is for a day to come.")
    with FieldError.at(("chair",)):
        chair = people.find_person(session, data.chair) if data.chair else settings.current_user_person(session)
    if chair is None:
        raise FieldError(("chair",), "no chair given and no user set up: give the chair, or run `cpctl init`.")
    if chair.kind != "professional":
        raise FieldError(("chair",), f"{chair.ref} is not a professional: a conference is chaired by one.")
    children: list[Child] = []
    found: list[tuple[Child, Any]] = []
    for index, key in enumerate(data.children):
        with FieldError.at(("children", index)):
            child = people.find_child(session, key)
        if any(c.id == child.id for c, _ in found):
            raise FieldError(("children", index), f"{child.ref} is listed twice.")
        found.append((child, plans.active_plan(session, child)))
    if data.kind is None:
        unborn = all(child.unborn for child, _ in found)
        review = any(current is not None for _, current in found)
        data.kind = ("pre-birth-" if unborn else "") + ("review" if review else "initial")  # type: ignore[assignment]
    for index, (child, current) in enumerate(found):
        if data.kind in REVIEW_KINDS and current is None:
            raise FieldError(
                ("children", index), f"{child.ref} has no plan in force: a review conference reviews a plan."
            )
        if data.kind not in REVIEW_KINDS and current is not None:
            raise FieldError(
                ("children", index),
                f"{child.ref} has had a plan since {current.started_on.isoformat()}: book a review conference.",
            )
        children.append(child)
    invitees: list[tuple[Person, BookingInvitee]] = []
    for index, entry in enumerate(data.invitees):
        loc = ("invitees", index)
        with FieldError.at((*loc, "person")):
            person = people.find_person(session, entry.person)
        if any(p.id == person.id for p, _ in invitees):
            raise FieldError((*loc, "person"), f"{person.ref} is invited twice.")
        role = entry.role or _default_role(person)
        if role in ("parent", "child") and person.kind == "professional":
            raise FieldError((*loc, "role"), f"{person.ref} is a professional: invite them as agency or other.")
        if role == "agency" and person.kind != "professional":
            raise FieldError((*loc, "role"), f"{person.ref} is not a professional: invite them as parent or other.")
        report = entry.report if entry.report is not None else role == "agency"
        if report and role != "agency":
            raise FieldError((*loc, "report"), "a report is asked of an agency: give role: agency, or report: false.")
        invitees.append(
            (
                person,
                BookingInvitee(
                    booking_id=0, person_id=person.id or 0, role=role, report_requested=report, note=entry.note
                ),
            )
        )
    from cpctl.dates import utc_now_iso

    interpreter = data.interpreter if data.interpreter is not None and data.interpreter.needed else None
    row = Booking(
        ref=people.next_ref(session, Booking, "BK"),
        kind=data.kind,
        booked_for=data.date,
        start_time=data.time,
        venue=data.venue,
        virtual=data.virtual,
        chair_id=chair.id or 0,
        interpreter_needed=interpreter is not None,
        interpreter_language=interpreter.language if interpreter is not None else None,
        booked_on=today,
        status="booked",
        recorded_at=utc_now_iso(),
    )
    session.add(row)
    session.flush()
    for child in children:
        session.add(BookingChild(booking_id=row.id or 0, child_id=child.id or 0))
    for _, invitee in invitees:
        invitee.booking_id = row.id or 0
        session.add(invitee)
    session.flush()
    audit.record(
        session,
        "booking.add",
        "booking",
        row.ref,
        f"{data.kind} conference {row.ref} booked for {data.date.isoformat()}",
        {
            "kind": data.kind,
            "date": data.date.isoformat(),
            "time": data.time,
            "venue": data.venue,
            "virtual": data.virtual,
            "chair": chair.ref,
            "children": [c.ref for c in children],
            "invitees": {p.ref: {"role": i.role, "report": i.report_requested} for p, i in invitees},
            "interpreter": row.interpreter_language,
        },
    )
    _refresh(session, children)
    return Booked(booking=row, children=children, invitees=invitees)


def _default_role(person: Person) -> str:
    if person.kind in ("parent", "carer"):
        return "parent"
    return "agency" if person.kind == "professional" else "other"


def children_of(session: Session, row: Booking) -> list[Child]:
    return list(
        session.exec(
            select(Child)
            .join(BookingChild, BookingChild.child_id == Child.id)
            .where(BookingChild.booking_id == row.id)
            .order_by(col(Child.ref))
        ).all()
    )


def invitees_of(session: Session, row: Booking) -> list[tuple[Person, BookingInvitee]]:
    """The booking's invitees: parents first, then the child, agencies and others, each by name."""
    found = session.exec(
        select(Person, BookingInvitee)
        .join(BookingInvitee, BookingInvitee.person_id == Person.id)
        .where(BookingInvitee.booking_id == row.id)
    ).all()
    return sorted(found, key=lambda pair: (ROLES.index(pair[1].role), pair[0].name.casefold(), pair[0].ref))


def _refresh(session: Session, children: list[Child]) -> None:
    from cpctl.casework import schedule

    for child in children:
        schedule.refresh_child(session, child)


def _still_booked(row: Booking, doing: str) -> None:
    from cpctl.errors import Invalid

    if row.status == "cancelled":
        raise Invalid(f"{row.ref} was cancelled ({row.reason}); it cannot be {doing}: book another.")
    if row.status == "held":
        raise Invalid(f"{row.ref} has been held and recorded; it cannot be {doing}.")


def _reason(reason: str | None) -> str:
    from cpctl.errors import Invalid

    text = " ".join((reason or "").split())
    if not text:
        raise Invalid("say why with --reason (it is kept with the booking and in the audit trail).")
    return text


def move(session: Session, row: Booking, new_date: date, reason: str | None, *, today: date | None = None) -> date:
    """Move a booked conference to another day (with the reason); its deadlines follow. Returns the old day."""
    from cpctl.errors import Invalid

    today = today or date.today()
    _still_booked(row, "moved")
    why = _reason(reason)
    if new_date < today:
        raise Invalid(f"{new_date.isoformat()} has passed: move a booking to a day to come.")
    old = row.booked_for
    if new_date == old:
        raise Invalid(f"{row.ref} is already booked for {old.isoformat()}; nothing to move.")
    row.booked_for = new_date
    row.reason = why
    session.add(row)
    session.flush()
    audit.record(
        session,
        "booking.move",
        "booking",
        row.ref,
        f"conference {row.ref} moved from {old.isoformat()} to {new_date.isoformat()}: {why}",
        {"date": [old.isoformat(), new_date.isoformat()], "reason": why},
    )
    _refresh(session, children_of(session, row))
    return old


def cancel(session: Session, row: Booking, reason: str | None) -> None:
    """Cancel a booked conference (with the reason); its deadlines go."""
    _still_booked(row, "cancelled")
    why = _reason(reason)
    row.status = "cancelled"
    row.reason = why
    session.add(row)
    session.flush()
    audit.record(
        session,
        "booking.cancel",
        "booking",
        row.ref,
        f"conference {row.ref} for {row.booked_for.isoformat()} cancelled: {why}",
        {"status": ["booked", "cancelled"], "reason": why},
    )
    _refresh(session, children_of(session, row))


def record_report(
    session: Session,
    row: Booking,
    person: Person,
    *,
    received: date | None,
    shared: date | None,
    today: date | None = None,
) -> dict[str, list[Any]]:
    """Record that an agency's report was received by the chair and/or shared with the parents; returns what
    changed ({field: [old, new]}), empty if the booking already said so."""
    from cpctl.errors import Invalid

    today = today or date.today()
    if row.status == "cancelled":
        raise Invalid(f"{row.ref} was cancelled ({row.reason}); it waits for no reports.")
    if received is None and shared is None:
        raise Invalid("give --received DATE, --shared DATE or both (today: --received today).")
    invitee = session.get(BookingInvitee, (row.id, person.id))
    if invitee is None:
        raise Invalid(
            f"{person.ref} ({person.name}) is not invited to {row.ref}; see `cpctl conference show {row.ref}`."
        )
    if not invitee.report_requested:
        if invitee.role != "agency":
            raise Invalid(
                f"{person.ref} is invited as {ROLE_WORDS[invitee.role]}, not as an agency asked for a report."
            )
        invitee.report_requested = True
    for label, day in (("--received", received), ("--shared", shared)):
        if day is not None and day > today:
            raise Invalid(f"{label} {day.isoformat()} is in the future: record a report once it has come.")
    new_received = received or invitee.report_received_on
    new_shared = shared or invitee.report_shared_on
    if new_shared is not None and new_received is None:
        raise Invalid("a report is shared with the parents once the chair has it: give --received DATE too.")
    if new_shared is not None and new_received is not None and new_shared < new_received:
        raise Invalid(
            f"shared on {new_shared.isoformat()}, before it was received on {new_received.isoformat()}: "
            "check the dates."
        )
    before = {"received": _iso(invitee.report_received_on), "shared": _iso(invitee.report_shared_on)}
    after = {"received": _iso(new_received), "shared": _iso(new_shared)}
    changes = audit.diff(before, after)
    if not changes:
        return {}
    invitee.report_received_on = new_received
    invitee.report_shared_on = new_shared
    session.add(invitee)
    session.flush()
    audit.record(
        session,
        "booking.report",
        "booking",
        row.ref,
        f"report from {person.ref} for conference {row.ref}: "
        + ", ".join(f"{key} {value[1]}" for key, value in changes.items()),
        {"person": person.ref, **changes},
    )
    _refresh(session, children_of(session, row))
    return changes


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def check_can_record(row: Booking) -> None:
    """A conference can be recorded from a booking still booked (not cancelled, not recorded already)."""
    from cpctl.errors import Invalid

    if row.status == "cancelled":
        raise Invalid(f"{row.ref} was cancelled ({row.reason}); record the conference without --booking.")
    if row.status == "held":
        raise Invalid(f"{row.ref} has been recorded already; see `cpctl conference show {row.ref}`.")


def mark_held(session: Session, row: Booking, conference_id: int, conference_ref: str) -> None:
    """The conference booked has been recorded (`conference new --booking`): the booking is held, and what it
    waited for and did not get is closed on the day."""
    check_can_record(row)
    row.status = "held"
    row.conference_id = conference_id
    session.add(row)
    session.flush()
    audit.record(
        session,
        "booking.held",
        "booking",
        row.ref,
        f"conference {row.ref} held and recorded as {conference_ref}",
        {"status": ["booked", "held"], "conference": conference_ref},
    )
    _refresh(session, children_of(session, row))


# -- reading ------------------------------------------------------------------------------------------------------
def listing(session: Session, *, child: Child | None = None, every: bool = False) -> list[dict[str, Any]]:
    """Bookings, soonest first: those still booked (every one, held and cancelled too, with `every`)."""
    query = select(Booking)
    if child is not None:
        query = query.where(
            col(Booking.id).in_(select(BookingChild.booking_id).where(BookingChild.child_id == child.id))
        )
    if not every:
        query = query.where(Booking.status == "booked")
    rows = session.exec(query.order_by(col(Booking.booked_for), col(Booking.id))).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    refs: dict[int, list[str]] = {}
    for booking_id, ref in session.exec(
        select(BookingChild.booking_id, Child.ref)
        .join(Child, Child.id == BookingChild.child_id)
        .where(col(BookingChild.booking_id).in_(ids))
        .order_by(col(Child.ref))
    ).all():
        refs.setdefault(booking_id, []).append(ref)
    invited: dict[int, list[BookingInvitee]] = {}
    for invitee in session.exec(select(BookingInvitee).where(col(BookingInvitee.booking_id).in_(ids))).all():
        invited.setdefault(invitee.booking_id, []).append(invitee)
    chairs = dict(
        session.exec(select(Person.id, Person.name).where(col(Person.id).in_({r.chair_id for r in rows}))).all()
    )
    out = []
    for row in rows:
        mine = invited.get(row.id or 0, [])
        asked = [i for i in mine if i.report_requested]
        out.append(
            {
                "ref": row.ref,
                "kind": row.kind,
                "date": row.booked_for.isoformat(),
                "time": row.start_time,
                "status": row.status,
                "chair": chairs.get(row.chair_id),
                "children": refs.get(row.id or 0, []),
                "invited": sum(1 for i in mine if i.invited_on is not None),
                "invitees": len(mine),
                "reports_in": sum(1 for i in asked if i.report_received_on is not None),
                "reports_asked": len(asked),
            }
        )
    return out


def readiness(session: Session, row: Booking, *, today: date | None = None) -> dict[str, Any]:
    """A booking as plain data, for `conference show BK…` and --json: each invitee invited or not, each report in
    or missing (and late), shared or not, the interpreter, and what is still to do."""
    from cpctl.store.models import Conference, Deadline

    today = today or date.today()
    chair = session.get(Person, row.chair_id)
    children = children_of(session, row)
    due: dict[tuple[str, int | None], date] = {}
    for kind, person_id, due_on in session.exec(
        select(Deadline.kind, Deadline.person_id, Deadline.due_on).where(Deadline.booking_id == row.id)
    ).all():
        key = (kind, person_id)
        due[key] = min(due_on, due.get(key, due_on))
    invitees = []
    to_do: list[str] = []
    for person, invitee in invitees_of(session, row):
        entry: dict[str, Any] = {
            "ref": person.ref,
            "name": person.name,
            "role": invitee.role,
            "agency": person.agency,
            "language": person.preferred_language,
            "invited_on": _iso(invitee.invited_on),
            "report_requested": invitee.report_requested,
            "report_due": None,
            "report_received_on": None,
            "report_late": None,
            "share_due": None,
            "report_shared_on": None,
            "share_late": None,
            "note": invitee.note,
        }
        if invitee.invited_on is None:
            to_do.append(f"invite {person.name} ({person.ref})")
        if invitee.report_requested:
            report_due = due.get(("report-received", person.id))
            share_due = due.get(("report-shared", person.id))
            received, shared = invitee.report_received_on, invitee.report_shared_on
            entry.update(
                report_due=_iso(report_due),
                report_received_on=_iso(received),
                report_late=_late(received, report_due, today),
                share_due=_iso(share_due),
                report_shared_on=_iso(shared),
                share_late=_late(shared, share_due, today),
            )
            if received is None:
                to_do.append(f"report from {person.name} ({person.ref}) missing")
            elif shared is None:
                to_do.append(f"report from {person.name} ({person.ref}) not yet shared with the parents")
        invitees.append(entry)
    conference = session.get(Conference, row.conference_id) if row.conference_id else None
    return {
        "ref": row.ref,
        "kind": row.kind,
        "date": row.booked_for.isoformat(),
        "time": row.start_time,
        "venue": row.venue,
        "virtual": row.virtual,
        "status": row.status,
        "reason": row.reason,
        "booked_on": row.booked_on.isoformat(),
        "chair": {"ref": chair.ref, "name": chair.name} if chair else None,
        "children": [{"ref": c.ref, "name": c.full_name} for c in children],
        "interpreter": row.interpreter_language if row.interpreter_needed else None,
        "invitations_due": _iso(due.get(("invitations-sent", None))),
        "invitees": invitees,
        "conference": conference.ref if conference else None,
        "ready": row.status == "booked" and not to_do,
        "to_do": to_do if row.status == "booked" else [],
    }


def _late(done: date | None, due: date | None, today: date) -> bool | None:
    """Whether a step was (or, not yet done, now is) after its due date; None when nothing is due."""
    if due is None:
        return None
    return (done or today) > due
