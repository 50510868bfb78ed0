"""`cpctl visit`: visits to the child, which meet the visiting deadlines."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from cpctl.commands.common import (
    ChildArg,
    JsonOpt,
    date_value,
    emit_json,
    interactive,
    open_store,
    out,
    table,
    yes_no,
)

app = typer.Typer(help="Record and list visits to the child.", no_args_is_help=True)


@app.command("record")
def visit_record(
    ctx: typer.Context,
    child: Annotated[str | None, typer.Argument(help="The child's id (or full name).")] = None,
    on: Annotated[
        date | None,
        typer.Option("--on", parser=date_value, metavar="DATE", help="When the visit was (default today)."),
    ] = None,
    visitor: Annotated[str | None, typer.Option(help="Who visited (default: you).")] = None,
    announced: Annotated[bool | None, typer.Option("--announced/--unannounced", help="Was it announced?")] = None,
    alone: Annotated[bool | None, typer.Option("--alone/--not-alone", help="Was the child seen alone?")] = None,
    bedroom: Annotated[bool | None, typer.Option("--bedroom/--no-bedroom", help="Was the bedroom seen?")] = None,
    note: Annotated[list[str] | None, typer.Option("--note", help="A note (repeat for more).")] = None,
    private_note: Annotated[
        list[str] | None,
        typer.Option("--private-note", help="A note kept out of the family's copy (repeat for more)."),
    ] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from", metavar="FILE", help="Read the visit from a YAML or JSON file.")
    ] = None,
    edit: Annotated[
        bool,
        typer.Option("--edit", help="Write the visit as a prefilled document and open it in $VISUAL or $EDITOR."),
    ] = False,
) -> None:
    """Record a visit to the child: when, who, announced or not, seen alone, bedroom seen."""
    from cpctl.casework import visits
    from cpctl.commands.editing import refuse_with_from
    from cpctl.errors import CpctlError
    from cpctl.store import settings

    refuse_with_from(edit, from_file)
    if edit:
        _record_in_editor(
            ctx,
            child,
            on=on,
            visitor=visitor,
            announced=announced,
            alone=alone,
            bedroom=bedroom,
            note=note or None,
            private_note=private_note or None,
        )
        return
    notes = [{"text": t} for t in (note or [])] + [{"text": t, "private": True} for t in (private_note or [])]
    asking = from_file is None and (child is None or any(v is None for v in (announced, alone, bedroom)))
    if asking and not interactive():  # refused before the store is opened: a refusal creates no store
        raise CpctlError(
            "give the child, --announced/--unannounced, --alone/--not-alone and "
            "--bedroom/--no-bedroom (or --from FILE), or run this in a terminal to be asked."
        )
    if from_file is not None:
        given = {
            "--on": on,
            "--visitor": visitor,
            "--announced/--unannounced": announced,
            "--alone/--not-alone": alone,
            "--bedroom/--no-bedroom": bedroom,
            "--note/--private-note": notes or None,
        }
        clashing = [name for name, value in given.items() if value is not None]
        if clashing:
            raise typer.BadParameter(
                f"the file gives the whole visit; leave out {', '.join(clashing)}.", param_hint="--from"
            )
    store = open_store(ctx)
    if from_file is not None:
        from cpctl import fileinput

        document = fileinput.load(from_file, example=None)
        data = document.parse(visits.VisitIn)
        if child is not None and child != data.child:
            raise CpctlError(f"the file is for child {data.child!r}, not {child!r}; check which file you meant.")
    else:
        if asking:
            from cpctl.commands.wizards.visit import ask_visit

            data = ask_visit(
                store,
                child=child,
                on=on,
                visitor=visitor,
                announced=announced,
                alone=alone,
                bedroom=bedroom,
                notes=notes,
            )
        else:
            from cpctl.fileinput import validated

            data = validated(
                visits.VisitIn,
                {
                    "child": child,
                    "date": on or date.today(),
                    "visitor": visitor,
                    "announced": announced,
                    "seen_alone": alone,
                    "bedroom_seen": bedroom,
                    "notes": notes,
                },
            )
        document = None
    from cpctl.fileinput import FieldError

    with store.write() as session:
        if not data.visitor:
            me = settings.current_user_person(session)
            if me is None:
                raise CpctlError("say who visited with --visitor, or run `cpctl init` so cpctl knows who you are.")
            data.visitor = me.ref
        try:
            visit = visits.record(session, data)
        except FieldError as exc:
            if document is not None:
                raise document.error(exc.loc, exc.reason) from None
            raise
        when = visit.visited_on
    from cpctl.dates import british

    out().print(f"Recorded a visit to {data.child} on {british(when)}.", markup=False)


def _record_in_editor(ctx: typer.Context, child: str | None, **given: object) -> None:
    """`visit record --edit`: the visit prefilled (the lead worker, today), opened in the editor until it is saved."""
    from cpctl.casework import visits
    from cpctl.commands.editing import Problems, edit_and_save, parse_all
    from cpctl.dates import british
    from cpctl.documents import editable
    from cpctl.errors import CpctlError
    from cpctl.fileinput import FieldError

    clashing = [f"--{name.replace('_', '-')}" for name, value in given.items() if value is not None]
    if clashing:
        raise typer.BadParameter(
            f"the document gives the whole visit; leave out {', '.join(clashing)}.", param_hint="--edit"
        )
    if child is None:
        raise CpctlError("say whose visit it was: cpctl visit record CHILD --edit.")
    store = open_store(ctx)
    with store.read() as session:
        document = editable.visit(session, child)

    def save(opened: Any) -> tuple[str, date]:
        data = parse_all(opened, visits.VisitIn)
        if data.child not in document.children:
            line = opened.line_of(("child",))
            raise Problems([(line, f"child: this record was opened for {document.children[0]}; keep it.")])
        if not data.visitor:
            raise Problems([(opened.line_of(("visitor",)), "visitor: say who visited, by reference.")])
        with store.write() as session:
            try:
                return data.child, visits.record(session, data).visited_on
            except FieldError as exc:
                raise opened.error(exc.loc, exc.reason) from None

    ref, when = edit_and_save(document.text, document.name, save)
    out().print(f"Recorded a visit to {ref} on {british(when)}.", markup=False)


@app.command("list")
def visit_list(
    ctx: typer.Context,
    child: ChildArg,
    as_json: JsonOpt = False,
) -> None:
    """List the visits to a child."""
    from cpctl.casework import people, visits

    store = open_store(ctx)
    with store.read() as session:
        rows = visits.listing(session, people.find_child(session, child))
    if as_json:
        emit_json(rows)
        return
    if not rows:
        out().print("No visits recorded yet.")
        return
    grid = table("Date", "Visitor", "Announced", "Seen alone", "Bedroom seen")
    for r in rows:
        grid.add_row(
            r["date"], r["visitor"]["name"], yes_no(r["announced"]), yes_no(r["seen_alone"]), yes_no(r["bedroom_seen"])
        )
    out().print(grid)
