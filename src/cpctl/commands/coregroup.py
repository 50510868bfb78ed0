"""`cpctl core-group`: record core group meetings, and when the revised plan and minutes went out."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cpctl.commands.common import ChildArg, JsonOpt, date_value, emit_json, interactive, open_store, out, table
from cpctl.commands.saving import save_core_group

if TYPE_CHECKING:
    from cpctl.casework.coregroup import Recorded
    from cpctl.store.database import Store

app = typer.Typer(help="Record core group meetings and when the revised plan went out.", no_args_is_help=True)


@app.command("record")
def core_group_record(
    ctx: typer.Context,
    child: Annotated[str | None, typer.Argument(help="The child's id (or full name); asked if not given.")] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", metavar="FILE", help="Read the meeting from a YAML or JSON file instead of asking."),
    ] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Save an incomplete revised plan as a draft.")] = False,
    edit: Annotated[
        bool,
        typer.Option("--edit", help="Write the meeting as a prefilled document and open it in $VISUAL or $EDITOR."),
    ] = False,
) -> None:
    """Record a core group meeting: attendance, progress on each action, views, plan changes, next meeting."""
    from cpctl.commands.editing import refuse_with_from
    from cpctl.errors import CpctlError

    refuse_with_from(edit, from_file)
    if edit:
        print_recorded(_record_in_editor(open_store(ctx), child, draft=draft))
        return
    if from_file is None and not interactive():
        raise CpctlError(
            "cpctl core-group record asks its questions in a terminal, and there is none here: give a file with "
            "--from FILE (see `cpctl core-group template`)."
        )
    store = open_store(ctx)
    if from_file is not None:
        from cpctl import fileinput
        from cpctl.casework import coregroup

        document = fileinput.load(from_file, example="cpctl core-group template")
        data = document.parse(coregroup.CoreGroupIn)
        if child is not None and child != data.child:
            raise CpctlError(f"the file is for child {data.child!r}, not {child!r}; check which file you meant.")
        if draft:
            data.save_as_draft = True
        recorded = save_core_group(store, data, document=document)
    else:
        from cpctl.commands.wizards.coregroup import core_group_wizard

        recorded = core_group_wizard(store, child)
    print_recorded(recorded)


def _record_in_editor(store: Store, child: str | None, *, draft: bool) -> Recorded:
    """`core-group record --edit`: the meeting prefilled from the plan, opened in the editor until it is saved."""
    from cpctl.casework import coregroup
    from cpctl.commands.editing import Problems, edit_and_save, parse_all
    from cpctl.documents import editable
    from cpctl.errors import CpctlError

    if child is None:
        raise CpctlError("say whose core group it is: cpctl core-group record CHILD --edit.")
    with store.read() as session:
        document = editable.core_group(session, child)

    def save(opened: Any) -> Recorded:
        data = parse_all(opened, coregroup.CoreGroupIn)
        if data.child not in document.children:
            line = opened.line_of(("child",))
            raise Problems([(line, f"child: this record was opened for {document.children[0]}; keep it.")])
        if draft:
            data.save_as_draft = True
        return save_core_group(store, data, document=opened)

    return edit_and_save(document.text, document.name, save)


def print_recorded(recorded: Recorded) -> None:
    from cpctl.dates import british

    meeting = recorded.meeting
    console = out()
    console.print(f"Recorded the core group of {british(meeting.held_on)}.", markup=False)
    if recorded.version is not None:
        state = " (draft)" if recorded.version.draft else ""
        console.print(f"  The plan is now version {recorded.version.number}{state}:", markup=False)
        for change in recorded.changes:
            console.print(f"    {change.line()}", markup=False)
        if recorded.version.significant:
            console.print(f"  A significant change, agreed by {recorded.version.agreed_by}.", markup=False)
    else:
        console.print("  The plan did not change.", markup=False)
    if meeting.sent_on:
        console.print(f"  Revised plan and minutes sent on {british(meeting.sent_on)}.", markup=False)
    else:
        console.print(
            "  When the revised plan and minutes go out: `cpctl core-group sent CHILD --on DATE`.",
            markup=False,
        )
    if meeting.next_meeting:
        console.print(f"  Next meeting: {british(meeting.next_meeting)}.", markup=False)


@app.command("sent")
def core_group_sent(
    ctx: typer.Context,
    child: ChildArg,
    on: Annotated[
        date,
        typer.Option("--on", parser=date_value, metavar="DATE", help="When the revised plan and minutes went out."),
    ],
    meeting: Annotated[
        date | None,
        typer.Option("--meeting", parser=date_value, metavar="DATE", help="Which meeting (default: the latest)."),
    ] = None,
) -> None:
    """Record that the revised plan and minutes went to the core group and the chair (meets that deadline)."""
    from cpctl.casework import coregroup, people
    from cpctl.dates import british

    store = open_store(ctx)
    with store.write() as session:
        found = people.find_child(session, child)
        row = coregroup.record_sent(session, found, on, held_on=meeting)
        held = row.held_on
    out().print(f"Recorded: the plan and minutes of {british(held)} went out on {british(on)}.", markup=False)


@app.command("list")
def core_group_list(
    ctx: typer.Context,
    child: ChildArg,
    as_json: JsonOpt = False,
) -> None:
    """List the core group meetings of the child's current plan."""
    import json

    from cpctl.casework import people, progress, revision

    store = open_store(ctx)
    with store.read() as session:
        found = people.find_child(session, child)
        plan_row = revision.active_plan_of(session, found)
        rows = [
            {
                "date": m.held_on.isoformat(),
                "attendance": json.loads(m.attendance),
                "progress": json.loads(m.progress),
                "next_meeting": m.next_meeting.isoformat() if m.next_meeting else None,
                "sent_on": m.sent_on.isoformat() if m.sent_on else None,
            }
            for m in progress.meetings(session, plan_row)
        ]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        out().print("No core group meetings yet for this plan.")
        return
    grid = table("Date", "Attended", "Progress", "Sent out", "Next meeting")
    for r in rows:
        came = sum(1 for a in r["attendance"] if a["status"] == "attended")
        progress = ", ".join(f"{k} {v['status']}" for k, v in r["progress"].items())
        grid.add_row(r["date"], str(came), progress, r["sent_on"] or "not yet", r["next_meeting"] or "")
    out().print(grid)


@app.command("template")
def core_group_template() -> None:
    """Print a commented example file for `cpctl core-group record --from` (fits the `cpctl demo` store)."""
    from importlib.resources import files

    typer.echo(files("cpctl").joinpath("examples/core-group.yaml").read_text(encoding="utf-8"), nl=False)
