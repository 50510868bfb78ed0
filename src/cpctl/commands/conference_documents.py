"""`cpctl conference letter | record | invite`: the documents around a conference, one file per recipient.

The writing, the disclosures and the deadlines they meet are `cpctl.documents.conference_files`'; these commands
check their options and say what was written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cpctl.commands.common import date_value, err, open_store, out

if TYPE_CHECKING:
    from cpctl.documents.conference_files import Written
    from cpctl.documents.views import Format

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


def _report(written: Written, *, paths: bool = True) -> None:
    """Say where each file went (unless `paths` is False), and each note about a language cpctl lacks."""
    console = out()
    if paths:
        for target, extra in written.files:
            console.print(f"Wrote {target}{extra}", markup=False, soft_wrap=True)
    for note in written.notes:
        err().print(note, markup=False, soft_wrap=True)


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
    from cpctl.casework import schedule
    from cpctl.documents.conference_files import write_letters
    from cpctl.documents.render import template_dirs

    chosen, language = _checked(fmt, language)
    folders = template_dirs(templates)
    store = open_store(ctx)
    schedule.ensure_current(store)
    written = write_letters(
        store,
        ref,
        to=to,
        out_dir=out_dir,
        fmt=chosen,
        language=language,
        folders=folders,
        today=on or date.today(),
        force=force,
    )
    _report(written)
    console = out()
    for child in written.completed:
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
    from cpctl.casework import schedule
    from cpctl.documents import conference_docs
    from cpctl.documents.conference_files import write_record
    from cpctl.documents.render import template_dirs

    chosen, language = _checked(fmt, language)
    withholding = conference_docs.parse_withholding(withhold or [])
    if (exclude or withholding) and not (reason or "").strip():
        raise typer.BadParameter("say why with --reason TEXT (it is kept with the distribution list).")
    folders = template_dirs(templates)
    store = open_store(ctx)
    schedule.ensure_current(store)
    written, distribution = write_record(
        store,
        ref,
        out_dir=out_dir,
        exclude=exclude or (),
        withholding=withholding,
        reason=reason,
        fmt=chosen,
        language=language,
        folders=folders,
        today=on or date.today(),
        force=force,
    )
    made = written.files
    completed = written.completed
    _report(written, paths=False)
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
    from cpctl.documents.conference_files import write_invitations
    from cpctl.documents.render import template_dirs

    chosen, language = _checked(fmt, language)
    folders = template_dirs(templates)
    store = open_store(ctx)
    schedule.ensure_current(store)
    written = write_invitations(
        store,
        ref,
        to=to,
        out_dir=out_dir,
        fmt=chosen,
        language=language,
        folders=folders,
        today=on or date.today(),
        force=force,
    )
    _report(written)
