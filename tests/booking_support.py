"""A booked review conference for the document tests, written straight into the store with the models
(`cpctl conference book` is another branch's work): the fixed plan's family, two parents and two agencies
asked for reports, an interpreter in Polish. Its fixture is in booking_fixtures.py."""

from __future__ import annotations

from datetime import date

from cpctl.store.database import Store

CONF = "CF00001"
DISCUSSION = "The chair summed up: the risk is neglect at home.\n\nThe family has begun to work with the plan."

BOOKING = "BK00001"
BOOKED_FOR = date(2027, 2, 10)  # a Wednesday
INVITEES = (
    ("P00002", "parent", False),  # Sam Testwood, mother
    ("P00003", "parent", False),  # Chris Testwood, father (prefers Polish)
    ("P00005", "agency", True),  # Ola Brennan, health visitor
    ("P00006", "agency", True),  # Tom Hale, class teacher
)


def add_booking(store: Store, *, booked_on: date, kind: str = "review") -> None:
    from sqlmodel import select

    from cpctl.store.models import Booking, BookingChild, BookingInvitee, Child, Person

    with store.write() as session:
        ids = dict(session.exec(select(Person.ref, Person.id)).all())
        booking = Booking(
            ref=BOOKING,
            kind=kind,
            booked_for=BOOKED_FOR,
            start_time="10:00",
            venue="Northshire Civic Centre, Room 2",
            chair_id=ids["P00001"],
            interpreter_needed=True,
            interpreter_language="Polish",
            booked_on=booked_on,
            recorded_at=f"{booked_on.isoformat()}T09:00:00Z",
        )
        session.add(booking)
        session.flush()
        for child_id in session.exec(select(Child.id).where(Child.ref.in_(["DEMO-1001", "DEMO-1002"]))).all():  # type: ignore[attr-defined]
            session.add(BookingChild(booking_id=booking.id or 0, child_id=child_id or 0))
        for ref, role, report in INVITEES:
            session.add(
                BookingInvitee(booking_id=booking.id or 0, person_id=ids[ref], role=role, report_requested=report)
            )
