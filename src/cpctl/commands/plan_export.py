"""`cpctl plan export`: a plan as a document for the professionals, the parents or the child."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from cpctl.commands.common import date_value, err, open_store, out, store_file

if TYPE_CHECKING:
    from cpctl.documents.render import Rendered
    from cpctl.documents.views import Audience, Format, PlanDocument
    from cpctl.store.database import Store

READERS = ("professional", "parent", "child")
FORMATS = ("md", "html", "pdf")


def plan_export(
    ctx: typer.Context,
    audience: Annotated[
        str,
        typer.Option(
            "--for",
            metavar="READER",
            help="Who the copy is for: professional (everything), parent or child (nothing marked not for the family).",
            show_default=False,
        ),
    ],
    child: Annotated[
        str | None,
        typer.Argument(help="The child's id (or full name). Leave out with --all.", show_default=False),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="md, html or pdf (PDF needs Chromium). Default: from the name of -o, else md.",
        ),
    ] = None,
    version: Annotated[
        int | None,
        typer.Option("--version", min=1, help="Export this version of the plan instead of the latest."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Write the copy to FILE (readable by you only). Without -o, at a terminal the copy is written "
            "into the current folder under a name made of the child's id, plan, version and reader "
            "(DEMO-1001-plan1-v2-parent.md); piped or redirected (`> FILE`, `| less`), it goes to standard output.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace FILE if it exists (with --all: a file of the same name in DIR)."),
    ] = False,
    every: Annotated[
        bool,
        typer.Option("--all", help="A copy for every child with a plan in force, one file each, into --out."),
    ] = False,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="With --all: the folder to write the copies into (made if new)."),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            metavar="LANGUAGE",
            help="The language of the copy's fixed text, e.g. Welsh or cy. "
            "Default: the reader's preferred language (the parent's given with --to, else the child's).",
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="PERSON",
            help="With --for parent: the parent or carer the copy is for (named on it, in their preferred language).",
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            "--templates",
            metavar="DIR",
            help="A folder of your own templates, used before cpctl's own (and before <data folder>/templates).",
        ),
    ] = None,
    on: Annotated[
        date | None,
        typer.Option(
            "--on",
            parser=date_value,
            metavar="DATE",
            help="Make the copy as on this day (its date, and the deadlines counted from it) instead of today.",
        ),
    ] = None,
) -> None:
    """Write a child's plan as a document: the professionals' copy, the parents' or the child's, in Markdown,
    HTML or PDF, in the reader's language where cpctl has a translation (English, Welsh)."""
    from cpctl.casework import schedule
    from cpctl.documents.disclose import disclose, format_from_suffix
    from cpctl.documents.gather import gather, reader_for
    from cpctl.documents.languages import check_language, default_language
    from cpctl.documents.redaction import for_reader
    from cpctl.documents.render import export, template_dirs

    if audience not in READERS:
        raise typer.BadParameter(f"choose professional, parent or child, not {audience!r}.", param_hint="--for")
    reader_kind = cast("Audience", audience)
    if fmt is not None and fmt not in FORMATS:
        raise typer.BadParameter(f"choose md, html or pdf, not {fmt!r}.", param_hint="--format")
    if every:
        _check_all(child, output, out_dir, version, to)
    else:
        if child is None:
            raise typer.BadParameter("name the child, or use --all with --out DIR.", param_hint="CHILD")
        if out_dir is not None:
            raise typer.BadParameter("--out goes with --all; for one child give -o FILE.", param_hint="--out")
    if to is not None and audience != "parent":
        raise typer.BadParameter(
            "--to names the parent a parent copy is for; use it with --for parent.", param_hint="--to"
        )
    if language is not None:
        language = check_language(language)
    chosen = fmt or (format_from_suffix(output) if output is not None else None)
    if chosen is None:
        if output is not None:
            raise typer.BadParameter(
                f"cannot tell the format from the name {output.name!r}: give --format md, html or pdf.",
                param_hint="--format",
            )
        chosen = "md"
    to_terminal = output is None and not every and stdout_is_terminal()
    if chosen == "pdf" and output is None and not every and not to_terminal:
        raise typer.BadParameter("a PDF needs a file: give -o FILE.", param_hint="--format")
    file_format = cast("Format", chosen)
    if output is not None:
        from cpctl.paths import check_output

        check_output(output, force=force, store=store_file(ctx))  # before any work: the store itself, say
    folders = template_dirs(templates)
    today = on or date.today()
    store = open_store(ctx)
    recomputed = schedule.ensure_current(store)
    if recomputed:
        err().print(f"The profile in force has changed: recomputed {recomputed} deadlines.", markup=False)
    if every:
        assert out_dir is not None
        _export_all(store, reader_kind, file_format, out_dir, language, folders, today, force=force)
        return
    assert child is not None
    from cpctl.casework import people

    with store.read() as session:
        found = people.find_child(session, child)
        full = gather(session, found, version=version, today=today)
        reader = reader_for(session, found, to) if to else None
    document = for_reader(full, reader_kind, reader=reader)
    if to_terminal:  # a document, not a screenful of HTML: into a file named for it, in the current folder
        from cpctl.documents.render import file_name
        from cpctl.paths import check_output

        output = Path(file_name(document, file_format))
        check_output(output, force=force, store=store_file(ctx))
    data, rendered = export(document, file_format, language=language or default_language(document), templates=folders)
    from cpctl.paths import OutputFiles

    with OutputFiles(force=force, store=store.path) as files:
        if output is not None:
            files.add(output, data)  # the whole copy, under a temporary name: a full disk stops it here
        _notes(document, rendered, full)
        if output is not None:  # beside "Wrote FILE"; a copy streamed into a pipe is followed by no report
            _reading_age(document, rendered, folders)
        # A disclosure of special category data: recorded in the step that puts the file in place, or, for
        # standard output, before it leaves.
        disclose(
            store,
            [document],
            file_format,
            rendered.language.code,
            files=files if output is not None else None,
            reader=reader,
            where="standard output" if output is None else str(output.absolute()),
        )
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
        return
    out().print(f"Wrote {output}: {_described(document, rendered)}.", markup=False, soft_wrap=True)


def stdout_is_terminal() -> bool:
    """Whether standard output is a terminal, where a copy is written to a file rather than shown."""
    return sys.stdout.isatty()


def _check_all(
    child: str | None, output: Path | None, out_dir: Path | None, version: int | None, to: str | None
) -> None:
    if child is not None:
        raise typer.BadParameter("--all exports every child's plan: leave out the child.", param_hint="--all")
    if out_dir is None:
        raise typer.BadParameter("--all writes one file per child: give the folder with --out DIR.", param_hint="--out")
    for flag, value in (("-o", output), ("--version", version), ("--to", to)):
        if value is not None:
            raise typer.BadParameter(f"{flag} is for one child's copy, not --all.", param_hint=flag)


def _described(document: PlanDocument, rendered: Rendered) -> str:
    words = {"professional": "professionals'", "parent": "parents'", "child": "child's"}[document.audience]
    return (
        f"the {words} copy of plan {document.plan.number}, version {document.version.number}, for "
        f"{document.child.ref}, in {rendered.language.name}"
    )


def _notes(document: PlanDocument, rendered: Rendered, full: PlanDocument) -> None:
    """What the person making the copy should know: a missing translation, a draft, a parent's language."""
    console = err()
    language = rendered.language
    if not language.available:
        console.print(
            f"Note: cpctl has no {language.requested} translation yet, so the copy is in English; the copy says so.",
            markup=False,
        )
    if not language.checked:
        from cpctl.documents.languages import unchecked_note

        console.print(unchecked_note(language.name), markup=False)
    if language.partial:
        console.print(
            f"Note: {len(rendered.missing)} phrases have no {language.name} translation yet and are in English.",
            markup=False,
        )
    if full.version.draft:
        console.print(
            f"Note: version {full.version.number} is a draft that still lacks {len(full.version.gaps)} "
            f"parts; see `cpctl plan check {full.child.ref}`.",
            markup=False,
        )
    if document.audience != "professional" and document.jurisdiction == "Wales" and language.code != "cy":
        console.print(
            "Note: in Wales the family must be offered a copy in Welsh (the active offer): make one with "
            "--language Welsh.",
            markup=False,
        )
    if document.audience == "parent" and document.reader is None:
        from cpctl.documents.languages import language_code

        for parent in full.parents:
            preferred = parent.preferred_language
            if preferred and language_code(preferred) != language.code:
                console.print(
                    f"Note: {parent.name} prefers {preferred}; make their own copy with --to {parent.ref}.",
                    markup=False,
                )


def _reading_age(document: PlanDocument, rendered: Rendered, folders: tuple[Path, ...]) -> None:
    """For a family copy in English: how hard it is to read, and the typed sentences that make it harder."""
    if document.audience == "professional" or rendered.language.code != "en":
        return
    from cpctl.documents import reading
    from cpctl.documents.render import render

    html = render(document, "html", language="en", templates=folders).text
    who = "parents'" if document.audience == "parent" else "child's"
    console = err()
    for line in reading.lines(reading.measure(html, document), who):
        console.print(line, markup=False, soft_wrap=True)


def _export_all(
    store: Store,
    audience: Audience,
    fmt: Format,
    out_dir: Path,
    language: str | None,
    folders: tuple[Path, ...],
    today: date,
    *,
    force: bool,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from cpctl.documents.disclose import disclose, make_private_folder
    from cpctl.documents.gather import children_with_plans, gather
    from cpctl.documents.languages import default_language
    from cpctl.documents.redaction import NotBornYet, for_reader
    from cpctl.documents.render import export, file_name
    from cpctl.errors import CpctlError
    from cpctl.paths import OutputFiles

    made_folder = not out_dir.exists()
    make_private_folder(out_dir)
    written: list[PlanDocument] = []
    made: list[tuple[Path, bytes]] = []
    failed: list[str] = []
    skipped: list[str] = []
    unchecked: dict[str, int] = {}  # language: how many copies its unchecked catalogue wrote
    with store.read() as session:
        children = children_with_plans(session)
        console = err()
        with Progress(
            TextColumn("Exporting plans"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            disable=not console.is_terminal,
        ) as progress:
            task = progress.add_task("export", total=len(children))
            for found in children:
                try:
                    full = gather(session, found, today=today)
                    document = for_reader(full, audience)
                    data, rendered = export(
                        document,
                        fmt,
                        language=language or default_language(document),
                        templates=folders,
                    )
                    if rendered.language.available and not rendered.language.checked:
                        unchecked[rendered.language.name] = unchecked.get(rendered.language.name, 0) + 1
                    made.append((out_dir / file_name(document, fmt), data))
                    written.append(document)
                except NotBornYet:
                    skipped.append(found.ref)
                except CpctlError as exc:
                    failed.append(f"{found.ref}: {exc.message}")
                finally:
                    progress.advance(task)
    # Every copy is written in full before any is moved into place, and all are moved in the step that records
    # the one disclosure: a copy that cannot be written (a full disk, a file already there) stops them all.
    try:
        with OutputFiles(force=force, store=store.path) as files:
            for target, data in made:
                files.add(target, data)
            disclose(store, written, fmt, language or "reader's own", files=files, where=str(out_dir.absolute()))
    except BaseException:
        if made_folder:
            _remove_if_empty(out_dir)
        raise
    console = out()
    console.print(
        f"Wrote {len(written)} {audience} cop{'y' if len(written) == 1 else 'ies'} into {out_dir}.",
        markup=False,
        soft_wrap=True,
    )
    if skipped:
        console.print(f"No child's copy for {', '.join(skipped)}: not born yet.", markup=False)
    for name, count in sorted(unchecked.items()):
        err().print(
            f"Note: {count} cop{'y' if count == 1 else 'ies'} in {name}, whose translation has not been checked by "
            "a qualified translator yet (see `cpctl language list`); each copy says so, in both languages.",
            markup=False,
        )
    if failed:
        for line in failed:
            err().print(f"Could not export {line}", markup=False, soft_wrap=True)
        raise CpctlError(f"{len(failed)} of {len(children)} copies could not be made (see above).")


def _remove_if_empty(folder: Path) -> None:
    """A folder the export made for copies it could not write goes again (one holding anything stays)."""
    try:
        folder.rmdir()
    except OSError:
        pass
