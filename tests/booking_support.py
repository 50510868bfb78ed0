"""A booked review conference for the document tests, booked as `cpctl conference book` books it: the fixed plan's
family, two parents and two agencies asked for reports, an interpreter in Polish. Its fixture is in
booking_fixtures.py."""

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
    """Book the review as `cpctl conference book` does, on `booked_on`."""
    from cpctl.casework import booking

    data = booking.BookingIn.model_validate(
        {
            "kind": kind,
            "date": BOOKED_FOR,
            "time": "10:00",
            "venue": "Northshire Civic Centre, Room 2",
            "chair": "P00001",
            "children": ["DEMO-1001", "DEMO-1002"],
            "invitees": [{"person": ref, "role": role, "report": report} for ref, role, report in INVITEES],
            "interpreter": {"needed": True, "language": "Polish"},
        }
    )
    with store.write() as session:
        made = booking.book(session, data, today=booked_on)
        assert made.booking.ref == BOOKING
