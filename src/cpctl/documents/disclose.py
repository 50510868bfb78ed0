"""Writing plan documents out: the private folder they go to, and the disclosure in the audit trail.

`disclose()` records a disclosure and puts its files in place as one step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cpctl.documents.views import Format, PersonView, PlanDocument
from cpctl.errors import Invalid

if TYPE_CHECKING:
    from sqlmodel import Session

    from cpctl.paths import OutputFiles
    from cpctl.store.database import Store

T = TypeVar("T")


def make_private_folder(folder: Path) -> None:
    """Create the folder (and missing parents) readable by its owner only; an existing one is left alone."""
    from cpctl.paths import make_private_folders

    if folder.is_dir():
        return
    if folder.exists():
        from cpctl.paths import shown_path

        raise Invalid(f"{shown_path(folder)} is a file, not a folder; choose another --out.")
    make_private_folders(folder)


def format_from_suffix(path: Path) -> Format | None:
    suffix = path.suffix.lower().lstrip(".")
    aliases: dict[str, Format] = {"md": "md", "markdown": "md", "html": "html", "htm": "html", "pdf": "pdf"}
    return aliases.get(suffix)


def record_disclosure(
    session: Session,
    documents: Sequence[PlanDocument],
    fmt: Format,
    language: str,
    *,
    reader: PersonView | None = None,
    where: str,
) -> None:
    """A copy of a plan left cpctl: say so in the audit trail (who, which children, which copy, where to)."""
    from cpctl.store import audit

    if not documents:
        return
    first = documents[0]
    copy = f"{first.audience} cop{'y' if len(documents) == 1 else 'ies'}"
    details = {
        "audience": first.audience,
        "format": fmt,
        "language": language,
        "to": reader.ref if reader is not None else None,
        "where": where,
        "copies": [{"child": d.child.ref, "version": d.version.number} for d in documents],
    }
    if len(documents) == 1:
        summary = f"{copy} of child {first.child.ref}'s plan, version {first.version.number}, exported ({fmt})"
        audit.record(session, "plan.export", "child", first.child.ref, summary, details)
    else:
        summary = f"{len(documents)} {copy} of plans exported ({fmt})"
        audit.record(session, "plan.export", "plan", None, summary, details)


def disclose(
    store: Store,
    documents: Sequence[PlanDocument],
    fmt: Format,
    language: str,
    *,
    files: OutputFiles | None,
    reader: PersonView | None = None,
    where: str,
) -> None:
    """Record a disclosure and put its files in place as one step, so that the trail never names a copy that was
    not written, nor a written copy go unrecorded.

    The files are written in full under temporary names first (`files`, see `paths.OutputFiles`); then, inside the
    store transaction that records the disclosure, they are moved into place before the commit. A file that cannot
    be moved rolls the record back; a commit that fails after the move removes the files again (OutputFiles says
    so). A caught signal (Ctrl-C, SIGTERM) waits until the step is done. Should cpctl be killed (SIGKILL) between
    the move and the commit, the files are noted in its scratch folder and the next cpctl that starts removes them.
    Copies to standard output (`files` None) are recorded before they are printed.
    """
    from contextlib import ExitStack

    from cpctl import interrupts

    with ExitStack() as step:
        with store.write() as session:
            record_disclosure(session, documents, fmt, language, reader=reader, where=where)
            if files is not None:
                step.enter_context(interrupts.held())
                files.place()
        if files is not None:
            files.keep()


@dataclass(frozen=True)
class Disclosure:
    """One document about a conference or a booking given to one recipient, for the audit trail."""

    action: str  # conference.letter, conference.record, booking.invite
    entity: str  # conference or booking
    entity_id: str
    summary: str
    details: dict[str, Any]


def disclose_documents(
    store: Store,
    disclosures: Sequence[Disclosure],
    *,
    files: OutputFiles,
    then: Callable[[Session], T] | None = None,
) -> T | None:
    """As `disclose`, for the conference's documents: every disclosure recorded, `then` (what writing them changes
    in the store: a CaseEvent that meets a deadline, invitees marked invited) done, and the files put in place, all
    in one step: none of it happens unless all of it does."""
    from contextlib import ExitStack

    from cpctl import interrupts
    from cpctl.store import audit

    result = None
    with ExitStack() as step:
        with store.write() as session:
            for item in disclosures:
                audit.record(session, item.action, item.entity, item.entity_id, item.summary, item.details)
            if then is not None:
                result = then(session)
            step.enter_context(interrupts.held())
            files.place()
        files.keep()
    return result
