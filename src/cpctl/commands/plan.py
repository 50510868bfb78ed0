"""`cpctl plan`: a child's plan: what it still lacks (and, later, its versions and documents)."""

from __future__ import annotations

from typing import Annotated

import typer

from cpctl.commands import plan_export
from cpctl.commands.common import emit_json, open_store, out

app = typer.Typer(help="Check, show and revise a child's child protection plan.", no_args_is_help=True)
app.command("export")(plan_export.plan_export)


@app.command("check")
def plan_check(
    ctx: typer.Context,
    child: Annotated[str, typer.Argument(help="The child's id (or full name).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List what the child's current plan still lacks against the procedures (seed 002 §3.10-3.22)."""
    from cpctl import people
    from cpctl import plan as plans
    from cpctl.errors import NotFound

    store = open_store(ctx)
    with store.read() as session:
        found = people.find_child(session, child)
        current = plans.active_plan(session, found)
        if current is None:
            raise NotFound(f"child {found.ref} has no plan in force; a plan starts at a conference "
                           "(`cpctl conference new`).")
        row = plans.version(session, current)
        decision = plans.latest_decision(session, current)
        content = plans.content_of(row) if row is not None else None
        details = plans.details_of(decision) if decision is not None else None
        gaps = plans.gaps(content, details)
        result = {"child": found.ref, "plan": current.number, "version": row.number if row else None,
                  "draft": bool(row.draft) if row else True, "gaps": gaps}
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
