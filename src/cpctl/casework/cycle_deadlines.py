"""The conference cycle's deadlines, as `cpctl.casework.schedule` computes them for one child.

Before a booked conference, counted back from the booked day: the invitations sent (met when every invitee has
been invited, on the last of those days), each requested report received by the chair and shared with the parents.
After each conference held: the outcome letter to the parents and the record to those entitled to it, met by the
events that say they were sent for that conference.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from cpctl.casework.deadline_rules import Computed, Memo, _rule
from cpctl.store.models import Booking, BookingChild, BookingInvitee, CaseEvent, Plan

if TYPE_CHECKING:
    from cpctl.rules.profile import Profile


@dataclass
class Booked:
    """A booked conference as the schedule reads it: the booking and its invitees."""

    booking: Booking
    invitees: Sequence[BookingInvitee]


DOCUMENTS = {"outcome-letter": "outcome-letter-sent", "conference-record": "record-sent"}  # rule: the event it waits on


def document_deadlines(
    plans: Sequence[Plan], events: Sequence[CaseEvent], profile: Profile, memo: Memo | None
) -> list[Computed]:
    """After each conference about the child: the outcome letter to the parents and the record (minutes) to those
    entitled to it. Each is met by the event that says it was sent for this conference (`outcome-letter-sent`,
    `record-sent`, with its conference_id); one never sent is closed when the child's next conference is held."""
    ordered = sorted(events, key=lambda e: (e.happened_on, e.id or 0))
    held = [e for e in ordered if e.kind == "conference" and e.conference_id is not None]
    out: list[Computed] = []
    for index, conference in enumerate(held):
        following = next((e for e in held[index + 1 :] if e.happened_on > conference.happened_on), None)
        for rule, sent_kind in DOCUMENTS.items():
            result = _rule(profile, rule, conference.happened_on, conference, memo)
            if result is None:
                continue
            sent = next(
                (e for e in ordered if e.kind == sent_kind and e.conference_id == conference.conference_id), None
            )
            out.append(
                Computed(
                    kind=rule,
                    plan_id=conference.plan_id,
                    due_on=result[0],
                    explanation=result[1],
                    event_id=conference.id,
                    met=sent,
                    closed_on=following.happened_on if sent is None and following is not None else None,
                )
            )
    return out


REVIEW_BOOKINGS = ("review", "pre-birth-review")


def _booking_rule(
    profile: Profile, rule: str, booking: Booking, anchor: CaseEvent, memo: Memo | None
) -> tuple[date, dict[str, Any]] | None:
    """A booking's rule: a review's own (`reports-shared-review`) where the profile has one, else the rule itself."""
    if booking.kind in REVIEW_BOOKINGS and rule != "invitations-sent":
        found = _rule(profile, f"{rule}-review", booking.booked_for, anchor, memo)
        if found is not None:
            return found
    return _rule(profile, rule, booking.booked_for, anchor, memo)


def booking_deadlines(
    plans: Sequence[Plan],
    events: Sequence[CaseEvent],
    profile: Profile,
    bookings: Sequence[Booked],
    memo: Memo | None,
) -> list[Computed]:
    """Before each conference booked for the child, counted back from the booked day: the invitations sent (met
    when every invitee has been invited, on the last of those days), each requested report received by the chair
    and shared with the parents. A cancelled booking sets none; once the conference is held, what was not done by
    then is closed on that day."""
    out: list[Computed] = []
    for booked in bookings:
        if booked.booking.status != "cancelled":
            out += _one_booking(booked, plans, events, profile, memo)
    return out


def _one_booking(
    booked: Booked, plans: Sequence[Plan], events: Sequence[CaseEvent], profile: Profile, memo: Memo | None
) -> list[Computed]:
    booking = booked.booking
    anchor = CaseEvent(child_id=0, kind="conference", detail=booking.kind, happened_on=booking.booked_for)
    held_on = None
    if booking.status == "held":
        held_on = next(
            (e.happened_on for e in events if e.kind == "conference" and e.conference_id == booking.conference_id),
            booking.booked_for,
        )
    plan = next(
        (
            p
            for p in plans
            if p.started_on <= booking.booked_for and (p.ended_on is None or p.ended_on >= booking.booked_for)
        ),
        None,
    )
    out: list[Computed] = []

    def add(kind: str, result: tuple[date, dict[str, Any]] | None, met_on: date | None, person: int | None) -> None:
        if result is None:
            return
        out.append(
            Computed(
                kind=kind,
                plan_id=plan.id if plan else None,
                due_on=result[0],
                explanation=result[1],
                event_id=None,
                met_on=met_on,
                closed_on=held_on if met_on is None else None,
                booking_id=booking.id,
                person_id=person,
                chair_id=booking.chair_id,
            )
        )

    invited = [i.invited_on for i in booked.invitees]
    everyone = bool(invited) and all(day is not None for day in invited)
    add(
        "invitations-sent",
        _booking_rule(profile, "invitations-sent", booking, anchor, memo),
        max(day for day in invited if day is not None) if everyone else None,
        None,
    )
    for invitee in sorted(booked.invitees, key=lambda i: i.person_id):
        if not invitee.report_requested:
            continue
        add(
            "report-received",
            _booking_rule(profile, "reports-to-chair", booking, anchor, memo),
            invitee.report_received_on,
            invitee.person_id,
        )
        add(
            "report-shared",
            _booking_rule(profile, "reports-shared", booking, anchor, memo),
            invitee.report_shared_on,
            invitee.person_id,
        )
    return out


def bookings_by_child(session: Session, ids: Sequence[int] | None) -> dict[int, list[Booked]]:
    """Each child's booked conferences with their invitees, in two queries."""
    query = select(BookingChild.child_id, Booking).join(Booking, Booking.id == BookingChild.booking_id)
    if ids is not None:
        query = query.where(col(BookingChild.child_id).in_(ids))
    pairs = session.exec(query.order_by(col(Booking.booked_for), col(Booking.id))).all()
    if not pairs:
        return {}
    booking_ids = sorted({booking.id for _, booking in pairs if booking.id is not None})
    invitees: dict[int, list[BookingInvitee]] = defaultdict(list)
    for invitee in session.exec(select(BookingInvitee).where(col(BookingInvitee.booking_id).in_(booking_ids))).all():
        invitees[invitee.booking_id].append(invitee)
    out: dict[int, list[Booked]] = defaultdict(list)
    for child_id, booking in pairs:
        out[child_id].append(Booked(booking, invitees.get(booking.id or 0, [])))
    return out
