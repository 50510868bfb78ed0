"""`cpctl conference letter | record | invite`: the documents around a conference, one file per recipient.

Each writes its files in full first, then records one disclosure per recipient in the audit trail, makes the
change the documents stand for (the outcome letter's and the record's CaseEvents, which meet their deadlines; an
invitee's `invited_on`) and puts the files in place, as one step (`documents.disclose.disclose_documents`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cpctl.commands.common import date_value, err, open_store, out

if TYPE_CHECKING:
    from cpctl.documents.disclose import Disclosure
    from cpctl.documents.views import Document, Format

FORMATS = ("md", "html", "pdf")

OutDir = Annotated[
    Path,
    typer.Option(
        "-o",
        "--out",
        metavar="DIR",
        help="The folder to write into, one private file per recipient (made if new). Default: the current folder.",
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", metavar="FORMAT", help="md, html or pdf (PDF needs Chromium).")]
LanguageOpt = Annotated[
    str | None,
    typer.Option(
        "--language",
        metavar="LANGUAGE",
        help="The language of the fixed text for every copy, e.g. Welsh. Default: each reader's preferred language.",
    ),
]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option("--templates", metavar="DIR", help="A folder of your own templates, used before cpctl's own."),
]
OnOpt = Annotated[
    date | None,
    typer.Option("--on", parser=date_value, metavar="DATE", help="Date the documents this day instead of today."),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace a file of the same name in DIR.")]


def _checked(fmt: str, language: str | None) -> tuple[Format, str | None]:
    from typing import cast

    from cpctl.documents.languages import check_language

    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose md, html or pdf, not {fmt!r}.", param_hint="--format")
    return cast("Format", fmt), check_language(language) if language is not None else None


def _write(
    store: Any,
    made: list[tuple[Path, bytes]],
    disclosures: list[Disclosure],
    *,
    force: bool,
    then: Any,
) -> Any:
    from cpctl.documents.disclose import disclose_documents
    from cpctl.paths import OutputFiles

    with OutputFiles(force=force, store=store.path) as files:
        for target, data in made:
            files.add(target, data)
        return disclose_documents(store, disclosures, files=files, then=then)


def _render(
    document: Document, fmt: Format, language: str, folders: tuple[Path, ...], noted: set[str]
) -> tuple[bytes, str]:
    """The document's bytes and language code; a reader whose language cpctl lacks is noted once (in `noted`)."""
    from cpctl.documents.render import export

    data, rendered = export(document, fmt, language=language, templates=folders)
    if not rendered.language.available:
        note = (
            f"Note: cpctl has no {rendered.language.requested} translation yet, so {_whose(document)} copy is in "
            "English; the copy says so."
        )
        if note not in noted:
            noted.add(note)
            err().print(note, markup=False, soft_wrap=True)
    return data, rendered.language.code


def _whose(document: Document) -> str:
    reader = document.reader
    if reader is not None and reader.name:
        return f"{reader.name}'s"
    return "the"


def _safe(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]", "_", text).lstrip(".") or "x"


def conference_letter(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The conference's reference (CF00001).")],
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="PERSON", help="Write only this parent's letter (or the child's, by child id)."),
    ] = None,
    out_dir: OutDir = Path("."),
    fmt: FormatOpt = "md",
    language: LanguageOpt = None,
    templates: TemplatesOpt = None,
    on: OnOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write the chair's outcome letter for each parent, in their language (and one for each child of 8 or over):
    the decision, the kinds of harm, the lead worker, the next meetings, how to disagree or complain."""
    from cpctl.casework import conference_records, schedule
    from cpctl.documents import conference_docs
    from cpctl.documents.disclose import Disclosure, make_private_folder
    from cpctl.documents.languages import default_language
    from cpctl.documents.render import template_dirs

    chosen, language = _checked(fmt, language)
    folders = template_dirs(templates)
    today = on or date.today()
    store = open_store(ctx)
    schedule.ensure_current(store)
    with store.read() as session:
        conference = conference_records.find(session, ref)
        found = conference_docs.letters(session, conference, to=to, today=today)
    made: list[tuple[Path, bytes]] = []
    noted: set[str] = set()
    disclosures = []
    make_private_folder(out_dir)
    for letter in found:
        document = letter.document
        data, code = _render(document, chosen, language or default_language(document), folders, noted)
        target = out_dir / f"{_safe(document.child.ref)}-{_safe(ref)}-letter-{_safe(letter.to)}.{chosen}"
        made.append((target, data))
        whom = "the child" if document.audience == "child" else letter.to
        disclosures.append(
            Disclosure(
                action=conference_docs.LETTER_ACTION,
                entity="conference",
                entity_id=conference.ref,
                summary=f"outcome letter of {conference.ref} about child {document.child.ref} written for {whom} "
                f"({chosen})",
                details={
                    "document": "outcome-letter",
                    "audience": document.audience,
                    "children": [document.child.ref],
                    "to": letter.to,
                    "format": chosen,
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

    completed = _write(store, made, disclosures, force=force, then=then)
    console = out()
    for target, _ in made:
        console.print(f"Wrote {target}", markup=False, soft_wrap=True)
    for child in completed or []:
        console.print(
            f"Every parent of {child} now has the outcome letter: its deadline is met.", markup=False, soft_wrap=True
        )


def conference_record(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The conference's reference (CF00001).")],
    out_dir: OutDir = Path("."),
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude", metavar="PERSON", help="Someone entitled who must not receive the record (repeat it)."
        ),
    ] = None,
    withhold: Annotated[
        list[str] | None,
        typer.Option(
            "--withhold",
            metavar="PERSON=SECTION",
            help="Leave a section out of one person's copy (repeat it). Sections: attendance, reports, discussion, "
            "reasons, views, dissent, plan.",
        ),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", metavar="TEXT", help="Why (needed with --exclude and --withhold).")
    ] = None,
    fmt: FormatOpt = "md",
    language: LanguageOpt = None,
    templates: TemplatesOpt = None,
    on: OnOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write the conference record for everyone entitled to it, one copy each: attendance, reports, the discussion,
    the decision with its reasons, dissent and the outline plan, with its distribution list. Those excluded get no
    copy; a withheld section is left out of that person's copy. Both are kept for the next time."""
    from cpctl.casework import conference_records, people, schedule
    from cpctl.documents import conference_docs
    from cpctl.documents.disclose import Disclosure, make_private_folder
    from cpctl.documents.render import template_dirs
    from cpctl.errors import Invalid

    chosen, language = _checked(fmt, language)
    withholding = conference_docs.parse_withholding(withhold or [])
    if (exclude or withholding) and not (reason or "").strip():
        raise typer.BadParameter("say why with --reason TEXT (it is kept with the distribution list).")
    folders = template_dirs(templates)
    today = on or date.today()
    store = open_store(ctx)
    schedule.ensure_current(store)
    with store.read() as session:
        conference = conference_records.find(session, ref)
        full = conference_docs.record(session, conference, today=today)
        by_ref = {r.person.ref: r for r in full.distribution}
        changes: dict[str, tuple[bool, tuple[str, ...], str | None]] = {
            r.person.ref: (r.receives, r.withheld, r.reason) for r in full.distribution
        }
        for key in exclude or []:
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
    import dataclasses

    distribution = tuple(
        dataclasses.replace(
            r, receives=changes[r.person.ref][0], withheld=changes[r.person.ref][1], reason=changes[r.person.ref][2]
        )
        for r in full.distribution
    )
    full = dataclasses.replace(full, distribution=distribution)
    make_private_folder(out_dir)
    made: list[tuple[Path, bytes]] = []
    noted: set[str] = set()
    disclosures = []
    children = [c.child.ref for c in full.children]
    for recipient in distribution:
        if not recipient.receives:
            continue
        copy = conference_docs.copy_for(full, recipient)
        data, code = _render(copy, chosen, language or "English", folders, noted)
        target = out_dir / f"{_safe(ref)}-record-{_safe(recipient.person.ref)}.{chosen}"
        made.append((target, data))
        disclosures.append(
            Disclosure(
                action=conference_docs.RECORD_ACTION,
                entity="conference",
                entity_id=ref,
                summary=f"record of {ref} written for {recipient.person.ref} ({chosen})"
                + (f", without {', '.join(recipient.withheld)}" if recipient.withheld else ""),
                details={
                    "document": "record",
                    "audience": copy.audience,
                    "children": children,
                    "to": recipient.person.ref,
                    "withheld": list(recipient.withheld),
                    "format": chosen,
                    "language": code,
                    "where": str(target.absolute()),
                },
            )
        )
    if not made:
        raise Invalid(f"everyone on the distribution list of {ref} is excluded: no copy to write.")

    def then(session: Any) -> list[str]:
        from sqlmodel import select

        from cpctl.store import audit
        from cpctl.store.models import ConferenceRecipient, Person

        held = conference_records.find(session, ref)
        ids = dict(session.exec(select(Person.ref, Person.id).where(Person.ref.in_(list(changes)))).all())  # type: ignore[attr-defined]
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
        return conference_docs.add_event_when_complete(
            session, held, "record-sent", conference_docs.RECORD_ACTION, today=today, parents_only=False
        )

    completed = _write(store, made, disclosures, force=force, then=then)
    console = out()
    console.print(f"Wrote {len(made)} copies of the record of {ref} into {out_dir}:", markup=False, soft_wrap=True)
    for recipient in distribution:
        name = f"{recipient.person.name} ({recipient.person.ref})"
        if not recipient.receives:
            console.print(f"  not sent to {name}: {recipient.reason}", markup=False, soft_wrap=True)
        elif recipient.withheld:
            console.print(
                f"  {name}, without {', '.join(recipient.withheld)}: {recipient.reason}", markup=False, soft_wrap=True
            )
        else:
            console.print(f"  {name}", markup=False, soft_wrap=True)
    for child in completed or []:
        console.print(f"The record's deadline for {child} is met.", markup=False, soft_wrap=True)


def conference_invite(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The booking's reference (BK00001).")],
    to: Annotated[str | None, typer.Option("--to", metavar="PERSON", help="Write only this invitee's.")] = None,
    out_dir: OutDir = Path("."),
    fmt: FormatOpt = "md",
    language: LanguageOpt = None,
    templates: TemplatesOpt = None,
    on: OnOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write an invitation for each invitee of a booked conference, in their language: a letter in plain words for
    the family, the report request and its date for agencies. Each invitee written for is marked invited today."""
    from cpctl.casework import schedule
    from cpctl.documents import conference_docs
    from cpctl.documents.disclose import Disclosure, make_private_folder
    from cpctl.documents.render import template_dirs

    chosen, language = _checked(fmt, language)
    folders = template_dirs(templates)
    today = on or date.today()
    store = open_store(ctx)
    schedule.ensure_current(store)
    with store.read() as session:
        booking = conference_docs.find_booking(session, ref)
        found = conference_docs.invitations(session, booking, to=to, today=today)
    make_private_folder(out_dir)
    made: list[tuple[Path, bytes]] = []
    noted: set[str] = set()
    disclosures = []
    for document, _ in found:
        wanted = language or (document.reader.preferred_language if document.audience == "parent" else None)
        data, code = _render(document, chosen, wanted or "English", folders, noted)
        target = out_dir / f"{_safe(ref)}-invitation-{_safe(document.reader.ref)}.{chosen}"
        made.append((target, data))
        disclosures.append(
            Disclosure(
                action=conference_docs.INVITE_ACTION,
                entity="booking",
                entity_id=ref,
                summary=f"invitation to {ref} written for {document.reader.ref} ({chosen})",
                details={
                    "document": "invitation",
                    "audience": document.audience,
                    "children": [c.ref for c in document.children],
                    "to": document.reader.ref,
                    "report_due": document.report_due.isoformat() if document.report_due else None,
                    "format": chosen,
                    "language": code,
                    "where": str(target.absolute()),
                },
            )
        )
    person_ids = [person_id for _, person_id in found]

    def then(session: Any) -> None:
        from sqlmodel import col, select

        from cpctl.store.models import BookingChild, BookingInvitee, Child

        held = conference_docs.find_booking(session, ref)
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
    console = out()
    for (document, _), (target, _) in zip(found, made, strict=True):
        extra = f", report due {document.report_due.isoformat()}" if document.report_due else ""
        console.print(f"Wrote {target}{extra}", markup=False, soft_wrap=True)
