"""The documents around a conference, written into a folder: one private file per recipient.

Each function writes its files in full first, then records one disclosure per recipient in the audit trail, makes
the change the documents stand for (the outcome letter's and the record's CaseEvents, which meet their deadlines; an
invitee's `invited_on`) and puts the files in place, as one step (`documents.disclose.disclose_documents`).
`cpctl conference letter | record | invite` print what these return; the demo calls them as they do.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import date

    from cpctl.documents.disclose import Disclosure
    from cpctl.documents.views import Document, Format, RecipientView
    from cpctl.store.database import Store


@dataclass
class Written:
    """What one command wrote: each file with a few words about it, the children whose deadline the documents met,
    and a note for each reader whose language cpctl lacks."""

    files: list[tuple[Path, str]] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def safe_name(text: str) -> str:
    """A piece of a file name made only of letters, digits, dot, dash and underscore, never starting with a dot."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text).lstrip(".") or "x"


def _render(
    document: Document, fmt: Format, language: str, folders: tuple[Path, ...], written: Written
) -> tuple[bytes, str]:
    """The document's bytes and language code; a reader whose language cpctl lacks is noted once."""
    from cpctl.documents.render import export

    data, rendered = export(document, fmt, language=language, templates=folders)
    if not rendered.language.available:
        reader = document.reader
        whose = f"{reader.name}'s" if reader is not None and reader.name else "the"
        note = (
            f"Note: cpctl has no {rendered.language.requested} translation yet, so {whose} copy is in English; the "
            "copy says so."
        )
        if note not in written.notes:
            written.notes.append(note)
    if rendered.language.available and not rendered.language.checked:
        from cpctl.documents.languages import unchecked_note

        reader = document.reader
        whose = f"{reader.name}'s" if reader is not None and reader.name else "the"
        note = unchecked_note(rendered.language.name, whose)
        if note not in written.notes:
            written.notes.append(note)
    return data, rendered.language.code


def _write(
    store: Store, made: Sequence[tuple[Path, bytes]], disclosures: Sequence[Disclosure], *, force: bool, then: Any
) -> Any:
    from cpctl.documents.disclose import disclose_documents
    from cpctl.paths import OutputFiles

    with OutputFiles(force=force, store=store.path) as files:
        for target, data in made:
            files.add(target, data)
        return disclose_documents(store, disclosures, files=files, then=then)


def write_letters(
    store: Store,
    ref: str,
    *,
    to: str | None,
    out_dir: Path,
    fmt: Format,
    language: str | None,
    folders: tuple[Path, ...],
    today: date,
    force: bool = False,
) -> Written:
    """The chair's outcome letter of conference `ref` for each parent (or `to` alone), in their language, and one
    for each child old enough; the letter's deadline is met for each child whose parents all have theirs."""
    from cpctl.casework import conference_records
    from cpctl.documents import conference_docs
    from cpctl.documents.disclose import Disclosure, make_private_folder
    from cpctl.documents.languages import default_language

    with store.read() as session:
        conference = conference_records.find(session, ref)
        found = conference_docs.letters(session, conference, to=to, today=today)
    written = Written()
    made: list[tuple[Path, bytes]] = []
    disclosures = []
    make_private_folder(out_dir)
    for letter in found:
        document = letter.document
        data, code = _render(document, fmt, language or default_language(document), folders, written)
        target = out_dir / f"{safe_name(document.child.ref)}-{safe_name(ref)}-letter-{safe_name(letter.to)}.{fmt}"
        made.append((target, data))
        written.files.append((target, ""))
        whom = "the child" if document.audience == "child" else letter.to
        disclosures.append(
            Disclosure(
                action=conference_docs.LETTER_ACTION,
                entity="conference",
                entity_id=conference.ref,
                summary=f"outcome letter of {conference.ref} about child {document.child.ref} written for {whom} "
                f"({fmt})",
                details={
                    "document": "outcome-letter",
                    "audience": document.audience,
                    "children": [document.child.ref],
                    "to": letter.to,
                    "format": fmt,
                    "language": code,
                    "where": str(target.absolute()),
                },
            )
        )

    def then(session: Any) -> list[str]:
        held = conference_records.find(session, ref)
        return conference_docs.add_event_when_complete(
            session, held, "outcome-letter-sent", conference_docs.LETTER_ACTION, today=today
        )

    written.completed = _write(store, made, disclosures, force=force, then=then) or []
    return written


def write_record(
    store: Store,
    ref: str,
    *,
    out_dir: Path,
    exclude: Sequence[str] = (),
    withholding: Sequence[tuple[str, str]] = (),
    reason: str | None = None,
    fmt: Format,
    language: str | None,
    folders: tuple[Path, ...],
    today: date,
    force: bool = False,
) -> tuple[Written, tuple[RecipientView, ...]]:
    """The record of conference `ref`, one copy for each person entitled to it, and its distribution list: those in
    `exclude` get none, a section withheld from someone is left out of their copy (both kept with `reason` for the
    next time). Returns what was written and the distribution list as it now stands."""
    from cpctl.casework import conference_records, people
    from cpctl.documents import conference_docs
    from cpctl.documents.disclose import Disclosure, make_private_folder
    from cpctl.errors import Invalid

    with store.read() as session:
        conference = conference_records.find(session, ref)
        full = conference_docs.record(session, conference, today=today)
        by_ref = {r.person.ref: r for r in full.distribution}
        changes: dict[str, tuple[bool, tuple[str, ...], str | None]] = {
            r.person.ref: (r.receives, r.withheld, r.reason) for r in full.distribution
        }
        for key in exclude:
            person = people.find_person(session, key)
            if person.ref not in by_ref:
                raise Invalid(f"{person.ref} is not on the distribution list of {ref}: there is nothing to exclude.")
            changes[person.ref] = (False, (), reason)
        for key, section in withholding:
            person = people.find_person(session, key)
            if person.ref not in by_ref:
                raise Invalid(
                    f"{person.ref} is not on the distribution list of {ref}: they get no copy to withhold from."
                )
            receives, sections, _ = changes[person.ref]
            if not receives:
                raise Invalid(f"{person.ref} is excluded from the record: there is no copy to withhold a section from.")
            changes[person.ref] = (True, tuple(dict.fromkeys((*sections, section))), reason)
    distribution = tuple(
        dataclasses.replace(
            r, receives=changes[r.person.ref][0], withheld=changes[r.person.ref][1], reason=changes[r.person.ref][2]
        )
        for r in full.distribution
    )
    full = dataclasses.replace(full, distribution=distribution)
    make_private_folder(out_dir)
    written = Written()
    made: list[tuple[Path, bytes]] = []
    disclosures = []
    children = [c.child.ref for c in full.children]
    for recipient in distribution:
        if not recipient.receives:
            continue
        copy = conference_docs.copy_for(full, recipient)
        data, code = _render(copy, fmt, language or "English", folders, written)
        target = out_dir / f"{safe_name(ref)}-record-{safe_name(recipient.person.ref)}.{fmt}"
        made.append((target, data))
        written.files.append((target, ""))
        disclosures.append(
            Disclosure(
                action=conference_docs.RECORD_ACTION,
                entity="conference",
                entity_id=ref,
                summary=f"record of {ref} written for {recipient.person.ref} ({fmt})"
                + (f", without {', '.join(recipient.withheld)}" if recipient.withheld else ""),
                details={
                    "document": "record",
                    "audience": copy.audience,
                    "children": children,
                    "to": recipient.person.ref,
                    "withheld": list(recipient.withheld),
                    "format": fmt,
                    "language": code,
                    "where": str(target.absolute()),
                },
            )
        )
    if not made:
        raise Invalid(f"everyone on the distribution list of {ref} is excluded: no copy to write.")

    def then(session: Any) -> list[str]:
        held = conference_records.find(session, ref)
        _keep_distribution(session, held, ref, changes)
        return conference_docs.add_event_when_complete(
            session, held, "record-sent", conference_docs.RECORD_ACTION, today=today, parents_only=False
        )

    written.completed = _write(store, made, disclosures, force=force, then=then) or []
    return written, distribution


def _keep_distribution(
    session: Any, held: Any, ref: str, changes: dict[str, tuple[bool, tuple[str, ...], str | None]]
) -> None:
    """Keep each change to the record's distribution list (ConferenceRecipient), each in the audit trail."""
    from sqlmodel import col, select

    from cpctl.store import audit
    from cpctl.store.models import ConferenceRecipient, Person

    ids = dict(session.exec(select(Person.ref, Person.id).where(col(Person.ref).in_(list(changes)))).all())
    for person_ref, (receives, sections, why) in changes.items():
        row = session.get(ConferenceRecipient, (held.id, ids[person_ref]))
        before = (row.receives, row.withheld, row.reason) if row is not None else None
        after = (receives, ",".join(sections) or None, why if (not receives or sections) else None)
        if before == after:
            continue
        if row is None:
            row = ConferenceRecipient(conference_id=held.id or 0, person_id=ids[person_ref])
        row.receives, row.withheld, row.reason = after
        session.add(row)
        if not receives:
            summary = f"{person_ref} excluded from the record of {ref}"
        elif sections:
            summary = f"{person_ref} receives the record of {ref} without {after[1]}"
        else:
            summary = f"{person_ref} is on the distribution list of the record of {ref}"
        audit.record(
            session,
            "conference.recipient",
            "conference",
            ref,
            summary,
            {"person": person_ref, "receives": receives, "withheld": list(sections), "reason": after[2]},
        )
    session.flush()


def write_invitations(
    store: Store,
    ref: str,
    *,
    to: str | None,
    out_dir: Path,
    fmt: Format,
    language: str | None,
    folders: tuple[Path, ...],
    today: date,
    force: bool = False,
) -> Written:
    """An invitation to booking `ref` for each invitee (or `to` alone), in their language: a letter in plain words
    for the family, the report request and its date for agencies. Each invitee written for is marked invited on
    `today` (if not invited before), and the booking's children's deadlines follow."""
    from cpctl.casework import booking as booking_records
    from cpctl.casework import schedule
    from cpctl.documents import conference_docs
    from cpctl.documents.disclose import Disclosure, make_private_folder

    with store.read() as session:
        booking = booking_records.find(session, ref)
        found = conference_docs.invitations(session, booking, to=to, today=today)
    make_private_folder(out_dir)
    written = Written()
    made: list[tuple[Path, bytes]] = []
    disclosures = []
    for document, _ in found:
        wanted = language or (document.reader.preferred_language if document.audience == "parent" else None)
        data, code = _render(document, fmt, wanted or "English", folders, written)
        target = out_dir / f"{safe_name(ref)}-invitation-{safe_name(document.reader.ref)}.{fmt}"
        made.append((target, data))
        written.files.append((target, f", report due {document.report_due.isoformat()}" if document.report_due else ""))
        disclosures.append(
            Disclosure(
                action=conference_docs.INVITE_ACTION,
                entity="booking",
                entity_id=ref,
                summary=f"invitation to {ref} written for {document.reader.ref} ({fmt})",
                details={
                    "document": "invitation",
                    "audience": document.audience,
                    "children": [c.ref for c in document.children],
                    "to": document.reader.ref,
                    "report_due": document.report_due.isoformat() if document.report_due else None,
                    "format": fmt,
                    "language": code,
                    "where": str(target.absolute()),
                },
            )
        )
    person_ids = [person_id for _, person_id in found]

    def then(session: Any) -> None:
        from sqlmodel import col, select

        from cpctl.store.models import BookingChild, BookingInvitee, Child

        held = booking_records.find(session, ref)
        for person_id in person_ids:
            row = session.get(BookingInvitee, (held.id, person_id))
            if row is not None and row.invited_on is None:
                row.invited_on = today
                session.add(row)
        session.flush()
        for child in session.exec(
            select(Child)
            .join(BookingChild, col(BookingChild.child_id) == col(Child.id))
            .where(BookingChild.booking_id == held.id)
        ).all():
            schedule.refresh_child(session, child)

    _write(store, made, disclosures, force=force, then=then)
    return written
