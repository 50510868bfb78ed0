"""`cpctl core-group`: record core group meetings, and when the revised plan and minutes went out."""

from __future__ import annotations

from collections.abc import Sequence
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
    children: Annotated[
        list[str] | None,
        typer.Option(
            "--child",
            metavar="CHILD",
            help="A child of the meeting; repeat it for a family core group (one meeting for several children).",
        ),
    ] = None,
    family: Annotated[
        bool,
        typer.Option("--family", help="Every child of the family who has a plan in force (the family of CHILD)."),
    ] = False,
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
    """Record a core group meeting: attendance, progress on each action, views, plan changes, next meeting.

    For a family, the meeting is recorded once for several children (repeat --child, or --family): progress on an
    action the children share is given once, and each child's plan gets its own new version, all saved together.
    """
    from cpctl.commands.editing import refuse_with_from
    from cpctl.errors import CpctlError

    refuse_with_from(edit, from_file)
    named = [*([child] if child is not None else []), *(children or [])]
    if edit:
        if len(named) > 1 or family:
            raise CpctlError(
                "--edit records one child's core group; for a family, answer the questions (leave out --edit) or "
                "give a file (`cpctl core-group template --family`)."
            )
        print_recorded(_record_in_editor(open_store(ctx), named[0] if named else None, draft=draft))
        return
    if from_file is None and not interactive():
        raise CpctlError(
            "cpctl core-group record asks its questions in a terminal, and there is none here: give a file with "
            "--from FILE (see `cpctl core-group template`)."
        )
    store = open_store(ctx)
    if from_file is not None:
        recorded = _record_from_file(store, from_file, named, family=family, draft=draft)
    else:
        from cpctl.commands.wizards.coregroup import core_group_wizard

        recorded = core_group_wizard(store, named, family=family)
    if len(recorded) == 1:
        print_recorded(recorded[0])
        return
    for index, one in enumerate(recorded):
        last = index == len(recorded) - 1
        print_recorded(one, child=one.child, first=index == 0, last=last, family=[r.child for r in recorded])


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


def _record_from_file(store: Store, path: Path, named: list[str], *, family: bool, draft: bool) -> list[Recorded]:
    """A meeting read from a file: one child's (`child:`) or a family's (`children:`)."""
    from cpctl import fileinput
    from cpctl.casework import coregroup
    from cpctl.commands.saving import save_family_core_group
    from cpctl.errors import CpctlError

    if family:
        raise CpctlError("a file names its own children (children: [...]); leave out --family with --from.")
    document = fileinput.load(path, example="cpctl core-group template")
    if isinstance(document.data, dict) and "children" in document.data:
        data = document.parse(coregroup.FamilyCoreGroupIn)
        if named and {_child_ref(store, n) for n in named} != {_child_ref(store, c) for c in data.children}:
            raise CpctlError(
                f"the file is for children {', '.join(data.children)}, not {', '.join(named)}; check which file you "
                "meant."
            )
        if draft:
            data.save_as_draft = True
        return save_family_core_group(store, data, document=document)
    one = document.parse(coregroup.CoreGroupIn)
    if len(named) > 1 or (named and not _same_child(store, named[0], one.child)):
        raise CpctlError(
            f"the file is for child {one.child!r}, not {', '.join(map(repr, named))}; check which file you meant."
        )
    if draft:
        one.save_as_draft = True
    return [save_core_group(store, one, document=document)]


def _child_ref(store: Store, typed: str) -> str:
    """The id of the child a name or id finds (WB-2001, wb-2001 and Leo may be the same); as typed if none."""
    from cpctl.commands.wizards.context import find_child
    from cpctl.errors import CpctlError

    try:
        return find_child(store, typed)
    except CpctlError:
        return typed


def _same_child(store: Store, typed: str, in_file: str) -> bool:
    """Whether the child named on the command line is the file's; a file naming no child in the store is left for
    the file's own check, which names its line."""
    return _child_ref(store, typed) == _child_ref(store, in_file)


def print_recorded(
    recorded: Recorded, *, child: str | None = None, first: bool = True, last: bool = True, family: Sequence[str] = ()
) -> None:
    """What was recorded; for a family, one block a child (`child`), the meeting's own lines after the `last`,
    whose hint names each of the `family`'s children."""
    from cpctl.dates import british

    meeting = recorded.meeting
    console = out()
    if first:
        console.print(f"Recorded the core group of {british(meeting.held_on)}.", markup=False)
    if child is not None:
        console.print(f"  {child}:", markup=False)
    pad = "  " if child is not None else ""
    if recorded.version is not None:
        state = " (draft)" if recorded.version.draft else ""
        console.print(f"{pad}  The plan is now version {recorded.version.number}{state}:", markup=False)
        for change in recorded.changes:
            console.print(f"{pad}    {change.line()}", markup=False)
        if recorded.version.significant:
            console.print(f"{pad}  A significant change, agreed by {recorded.version.agreed_by}.", markup=False)
    else:
        console.print(f"{pad}  The plan did not change.", markup=False)
    if not last:
        return
    if meeting.sent_on:
        console.print(f"  Revised plan and minutes sent on {british(meeting.sent_on)}.", markup=False)
    else:
        refs = list(family) or [recorded.child]
        hint = f"`cpctl core-group sent {refs[0]} --on DATE`"
        if len(refs) > 1:
            hint += f", and the same for {', '.join(refs[1:])}"
        console.print(f"  When the revised plan and minutes go out: {hint}.", markup=False)
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
def core_group_template(
    family: Annotated[
        bool, typer.Option("--family", help="The example for a family: one meeting for several children.")
    ] = False,
) -> None:
    """Print a commented example file for `cpctl core-group record --from` (fits the `cpctl demo` store).

    With --family, the example of a family core group: one meeting for several children (children: [...]).
    """
    from importlib.resources import files

    name = "examples/core-group-family.yaml" if family else "examples/core-group.yaml"
    typer.echo(files("cpctl").joinpath(name).read_text(encoding="utf-8"), nl=False)
