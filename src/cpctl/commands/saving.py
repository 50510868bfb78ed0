"""Saving what a command was given, from a file or from a wizard: check and save in one write transaction.

The commands that read a file and the wizards that ask in a terminal both save through here, so that the wizards
import down to this module and never back up into the command modules that call them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlmodel import Session

    from cpctl.casework.conference import ConferenceIn, ConferenceRules, Saved
    from cpctl.casework.coregroup import CoreGroupIn, FamilyCoreGroupIn, Recorded
    from cpctl.store.database import Store

Data = TypeVar("Data")
Result = TypeVar("Result")


def save_checked(
    store: Store,
    data: Data,
    save: Callable[[Session, Data], Result],
    document: Any = None,
    *,
    before: Callable[[Session, Data], Data] | None = None,
) -> Result:
    """Check and save in one write transaction; a field error names the file's line when there is a file.

    `before` runs first in the same transaction (a wizard creates the people typed in inline there) and returns
    what to save, so that a failure or a refusal leaves nothing behind.
    """
    from cpctl.fileinput import FieldError

    with store.write() as session:
        try:
            if before is not None:
                data = before(session, data)
            result = save(session, data)
        except FieldError as exc:
            if document is not None:
                raise document.error(exc.loc, exc.reason) from None
            raise
    report_plain_words(data)
    return result


def report_plain_words(record: Any) -> None:
    """After saving: the words a family may not know in what their copy will show, each with a plain
    alternative (`cpctl.casework.plain_words`), on standard error. Advice only: it was saved as written."""
    from cpctl.casework import plain_words
    from cpctl.commands.common import err

    found = plain_words.findings(record)
    if not found:
        return
    console = err()
    console.print(
        "Plain words: the family's copy will show words a parent or child may not know (saved as written; "
        "plainer words help them read it):",
        markup=False,
        soft_wrap=True,
    )
    for loc, finding in found:
        console.print(f"  {plain_words.where(loc)}: {finding.line()}", markup=False, soft_wrap=True)


def save_conference(
    store: Store,
    data: ConferenceIn,
    document: Any = None,
    *,
    before: Callable[[Session, ConferenceIn], ConferenceIn] | None = None,
    booking: str | None = None,
) -> tuple[Saved, ConferenceRules]:
    """A conference, checked and saved (see `save_checked`); returns what was saved and the rules it was held under.

    `booking` (BK00001): the conference booked, marked held by it in the same transaction."""
    from cpctl.casework import conference

    def save(session: Session, data: ConferenceIn) -> tuple[Saved, ConferenceRules]:
        from cpctl.casework import booking as bookings

        booked = bookings.find(session, booking) if booking is not None else None
        if booked is not None:
            bookings.check_can_record(booked)
        prepared = conference.prepare(session, data)
        saved = conference.save(session, prepared)
        if booked is not None:
            bookings.mark_held(session, booked, saved.conference.id or 0, saved.conference.ref)
        return saved, prepared.rules

    saved, rules = save_checked(store, data, save, document, before=before)
    print_census_warnings(saved.census_warnings)
    return saved, rules


def print_census_warnings(warnings: list[str]) -> None:
    """England: each census rule the records now break, on stderr (the change is saved: a warning, not a refusal)."""
    from cpctl.commands.common import err

    for line in warnings:
        err().print(f"Warning: {line}", markup=False, soft_wrap=True)


def save_core_group(
    store: Store,
    data: CoreGroupIn,
    document: Any = None,
    *,
    before: Callable[[Session, CoreGroupIn], CoreGroupIn] | None = None,
) -> Recorded:
    """A core group meeting, checked and recorded (see `save_checked`)."""
    from cpctl.casework import coregroup

    return save_checked(store, data, coregroup.record, document, before=before)


def save_family_core_group(
    store: Store,
    data: FamilyCoreGroupIn,
    document: Any = None,
    *,
    before: Callable[[Session, FamilyCoreGroupIn], FamilyCoreGroupIn] | None = None,
) -> list[Recorded]:
    """A core group meeting for several children of a family, each child's part checked and recorded in one
    transaction: a refusal for any child saves nothing for any of them (see `save_checked`)."""
    from cpctl.casework import coregroup

    return save_checked(store, data, coregroup.record_family, document, before=before)
