"""`cpctl plan`: a child's plan: what it still lacks (and, later, its versions and documents)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cpctl.commands import plan_export
from cpctl.commands.common import ChildArg, JsonOpt, emit_json, interactive, markup_free, open_store, out
from cpctl.commands.saving import report_plain_words

if TYPE_CHECKING:
    from cpctl.store.database import Store

app = typer.Typer(help="Check, show and revise a child's child protection plan.", no_args_is_help=True)
app.command("export")(plan_export.plan_export)


@app.command("check")
def plan_check(
    ctx: typer.Context,
    child: ChildArg,
    as_json: JsonOpt = False,
) -> None:
    """List what the child's current plan still lacks against the procedures (seed 002 §3.10-3.22)."""
    from cpctl.casework import people, revision
    from cpctl.casework import plan as plans

    store = open_store(ctx)
    with store.read() as session:
        found = people.find_child(session, child)
        current = revision.active_plan_of(session, found)
        row = plans.version(session, current)
        decision = plans.latest_decision(session, current)
        content = plans.content_of(row) if row is not None else None
        details = plans.details_of(decision) if decision is not None else None
        gaps = plans.gaps(content, details)
        result = {
            "child": found.ref,
            "plan": current.number,
            "version": row.number if row else None,
            "draft": bool(row.draft) if row else True,
            "gaps": gaps,
        }
    if as_json:
        emit_json(result)
        return
    console = out()
    head = f"Plan {result['plan']} for {result['child']}, version {result['version']}"
    if not gaps:
        console.print(f"{head}: nothing missing against §3.10-3.22.", markup=False)
        return
    console.print(f"{head} still lacks:", markup=False)
    for gap in gaps:
        console.print(f"  - {gap}", markup=False)


PlanOpt = Annotated[
    int | None, typer.Option("--plan", min=1, help="Which of the child's plans (default: the current one).")
]


@app.command("show")
def plan_show(
    ctx: typer.Context,
    child: ChildArg,
    version: Annotated[
        int | None, typer.Option("--version", min=1, help="Which version (default: the latest).")
    ] = None,
    plan_number: PlanOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a version of the child's plan, with progress on each action."""
    from cpctl.casework import people, revision

    store = open_store(ctx)
    with store.read() as session:
        record = revision.view(session, people.find_child(session, child), number=version, plan_number=plan_number)
    if as_json:
        emit_json(record)
        return
    print_plan(record)


def print_plan(record: dict) -> None:  # type: ignore[type-arg]
    from datetime import date

    from cpctl.casework.plan import DOMAINS
    from cpctl.casework.revision import ITEM_SECTIONS
    from cpctl.casework.timeline import progress_words
    from cpctl.commands.common import table
    from cpctl.dates import short_british

    console = out()
    content = record["content"]
    names = record["names"]

    def who(ref: str | None) -> str:
        return f"{names[ref]} ({ref})" if ref in names else (ref or "")

    state = "draft" if record["draft"] else "complete"
    console.print(
        f"[bold]Plan {record['plan']} for {markup_free(record['child_name'])}[/bold] ({markup_free(record['child'])}): "
        "version "
        f"{record['version']} of {record['versions']}, {state}; made "
        f"{short_british(date.fromisoformat(record['made_on']))} ({record['source']})"
    )
    console.print(
        f"  Categories: {', '.join(record['latest_categories'])} (at the start: "
        f"{', '.join(record['initial_categories'])}); lead worker "
        f"{record['lead_worker']['name'] if record['lead_worker'] else 'none'}",
        markup=False,
    )
    if record["significant"]:
        console.print(f"  A significant change, agreed by {record['agreed_by']}", markup=False)
    console.print(f"  Core group: {', '.join(who(r) for r in content['core_group']) or 'none'}", markup=False)

    def flag(entry: dict) -> str:  # type: ignore[type-arg]
        return PRIVATE if entry["private"] else ""

    def items(title: str, values: list[dict]) -> None:  # type: ignore[type-arg]
        if not values:
            return
        console.print(f"\n[bold]{title}[/bold]")
        for item in values:
            console.print(f"  - {item['text']}{flag(item)}", markup=False)

    for key in ("worries", "working_well", "immediate_actions"):
        items(ITEM_SECTIONS[key], content[key])
    for key, label in DOMAINS.items():
        items(f"Objectives: {label}", content["objectives"][key])
    if content["actions"]:
        grid = table("Id", "What", "Who", "From", "How often", "How long", "Outcome by", "Progress", title="Actions")
        for action in content["actions"]:
            progress = record["progress"].get(action["id"])
            shown = progress_words(progress["status"]) if progress else "not reviewed yet"
            grid.add_row(
                action["id"],
                action["what"] + flag(action),
                who(action["who"]),
                short_british(date.fromisoformat(action["start"])) if action["start"] else "",
                action["frequency"] or "",
                action["length"] or "",
                short_british(date.fromisoformat(action["by"])) if action["by"] else "",
                shown,
            )
        console.print(grid)
    if content["child_seen"]:
        console.print("\n[bold]How the child will be seen[/bold]")
        for seen in content["child_seen"]:
            parts = [who(seen["who"]), seen["how_often"], seen["where"]]
            if seen["parents_present"]:
                parts.append(f"parents present: {seen['parents_present']}")
            console.print("  - " + ", ".join(p for p in parts if p) + flag(seen), markup=False)
    for key in ("contingency", "must_change"):
        items(ITEM_SECTIONS[key], content[key])
    if content["safety_scale"] is not None:
        console.print(f"\nSafety scale: {content['safety_scale']} out of 10", markup=False)
    if record["gaps"]:
        console.print("\n[bold]Still lacking[/bold]")
        for gap in record["gaps"]:
            console.print(f"  - {gap}", markup=False)


PRIVATE = "  [not for the family's copy]"


@app.command("history")
def plan_history(
    ctx: typer.Context,
    child: ChildArg,
    plan_number: PlanOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List every version of the child's plan: when, why, by whom, and how much changed."""
    from cpctl.casework import people, revision
    from cpctl.commands.common import table

    store = open_store(ctx)
    with store.read() as session:
        rows = revision.history(session, people.find_child(session, child), plan_number)
    if as_json:
        emit_json(rows)
        return
    grid = table("Version", "Made", "From", "By", "Changes", "Notes")
    for r in rows:
        notes = ["draft"] if r["draft"] else []
        if r["significant"]:
            notes.append(f"significant, agreed by {r['agreed_by']}")
        changes = "first version" if r["version"] == 1 else f"+{r['added']} ~{r['changed']} -{r['removed']}"
        grid.add_row(str(r["version"]), r["made_on"], r["source"], r["author"], changes, "; ".join(notes))
    out().print(grid)


@app.command("diff")
def plan_diff(
    ctx: typer.Context,
    child: ChildArg,
    a: Annotated[int | None, typer.Argument(help="The older version (default: the one before B).")] = None,
    b: Annotated[int | None, typer.Argument(help="The newer version (default: the latest).")] = None,
    plan_number: PlanOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What changed between two versions of the plan, action by action."""
    from cpctl.casework import people, revision

    store = open_store(ctx)
    with store.read() as session:
        old, new, changes = revision.compare(session, people.find_child(session, child), a, b, plan_number)
    if as_json:
        emit_json({"from": old, "to": new, "changes": [c.record() for c in changes]})
        return
    console = out()
    if not changes:
        console.print(f"Versions {old} and {new} are the same.", markup=False)
        return
    console.print(f"From version {old} to version {new}:", markup=False)
    for change in changes:
        console.print(f"  {change.line()}", markup=False)


@app.command("edit")
def plan_edit(
    ctx: typer.Context,
    child: ChildArg,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", metavar="FILE", help="Read the whole revised plan from a YAML or JSON file."),
    ] = None,
    agreed_by: Annotated[
        str | None,
        typer.Option("--agreed-by", help="Who agreed a significant change (seed 002 §3.13), e.g. a review conference."),
    ] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Save an incomplete plan as a draft.")] = False,
    based_on: Annotated[
        int | None,
        typer.Option(
            "--based-on",
            metavar="N",
            min=1,
            help="The version your file was made from: refuse if someone has saved a later one since.",
        ),
    ] = None,
    edit: Annotated[
        bool,
        typer.Option("--edit", help="Open the plan in force as a document in $VISUAL or $EDITOR, and save it."),
    ] = False,
) -> None:
    """Revise the child's plan: a new version, with the completeness check; nothing is overwritten."""
    from datetime import date

    from cpctl.casework import people, revision
    from cpctl.commands.editing import refuse_with_from
    from cpctl.errors import CpctlError
    from cpctl.text import shell_word

    refuse_with_from(edit, from_file)
    if edit:
        if based_on is not None:
            raise typer.BadParameter(
                "goes with --from FILE; --edit checks the version it began from itself.", param_hint="--based-on"
            )
        _print_revised(*_revise_in_editor(open_store(ctx), child, agreed_by=agreed_by, draft=draft))
        return
    if based_on is not None and from_file is None:
        raise typer.BadParameter(
            "goes with --from FILE; in a terminal, cpctl checks the version you began from itself.",
            param_hint="--based-on",
        )
    if from_file is None and not interactive():
        raise CpctlError(
            "cpctl plan edit asks its questions in a terminal, and there is none here: give the revised "
            f"plan with --from FILE (`cpctl plan show {shell_word(child, 'CHILD')} --json` gives the current one under "
            "'content')."
        )
    store = open_store(ctx)
    if from_file is not None:
        from cpctl import fileinput
        from cpctl.casework.plan import PlanContent

        example = f"cpctl plan show {shell_word(child, 'CHILD')} --json"
        content = fileinput.load(from_file, example=example).parse(PlanContent)
    else:
        from cpctl.commands.wizards.plan_edit import edit_plan_wizard

        content, agreed_by, draft, based_on = edit_plan_wizard(store, child, agreed_by=agreed_by, draft=draft)
    with store.write() as session:
        found = people.find_child(session, child)
        plan_row = revision.active_plan_of(session, found)
        row = revision.add_version(
            session,
            found,
            plan_row,
            content,
            made_on=date.today(),
            source="edit",
            agreed_by=agreed_by,
            allow_gaps=draft,
            based_on=based_on,
        )
        result = (row.number, row.draft) if row is not None else None
        ref = found.ref
    report_plain_words(content)
    _print_revised(ref, result)


def _revise_in_editor(
    store: Store, child: str, *, agreed_by: str | None, draft: bool
) -> tuple[str, tuple[int, bool] | None]:
    """`plan edit --edit`: the plan in force as a document, opened in the editor until it is saved or cancelled.
    The document may also say who agreed a significant change (agreed_by), as --agreed-by does."""
    from datetime import date

    from cpctl.casework import people, revision
    from cpctl.casework.plan import PlanContent
    from cpctl.commands.editing import Problems, edit_and_save, parse_all
    from cpctl.documents import editable
    from cpctl.fileinput import FieldError

    with store.read() as session:
        document = editable.plan(session, child)

    def save(opened: Any) -> tuple[str, tuple[int, bool] | None]:
        agreed = agreed_by
        if isinstance(opened.data, dict) and "agreed_by" in opened.data:
            given = opened.data.pop("agreed_by")
            if given is not None and not isinstance(given, str):
                raise Problems([(opened.line_of(("agreed_by",)), "agreed_by: give who agreed it, as text.")])
            agreed = given or agreed_by
        content = parse_all(opened, PlanContent)
        with store.write() as session:
            found = people.find_child(session, child)
            try:
                row = revision.add_version(
                    session,
                    found,
                    revision.active_plan_of(session, found),
                    content,
                    made_on=date.today(),
                    source="edit",
                    agreed_by=agreed,
                    allow_gaps=draft,
                    based_on=document.based_on,
                )
            except FieldError as exc:
                raise opened.error(exc.loc, exc.reason) from None
            result = found.ref, ((row.number, row.draft) if row is not None else None)
        report_plain_words(content)
        return result

    return edit_and_save(document.text, document.name, save)


def _print_revised(ref: str, result: tuple[int, bool] | None) -> None:
    if result is None:
        out().print(f"The plan for {ref} already says that; nothing changed.", markup=False)
    else:
        out().print(
            f"Saved version {result[0]} of the plan for {ref}{' as a draft' if result[1] else ''}; "
            f"see `cpctl plan diff {ref}`.",
            markup=False,
        )
