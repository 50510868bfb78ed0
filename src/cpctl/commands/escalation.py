"""`cpctl escalation`: a concern the chair raises about a child's plan, the response, and its resolution."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from cpctl.commands.common import ChildArg, date_value, open_store, out

app = typer.Typer(
    help="Raise an escalation about a child's plan, record the response, and resolve it.", no_args_is_help=True
)
EscalationArg = Annotated[str, typer.Argument(metavar="ESCALATION", help="The escalation's reference (QC00001).")]


def _on(what: str) -> object:
    return typer.Option("--on", parser=date_value, metavar="DATE", help=f"When {what} (default today).")


@app.command("raise")
def escalation_raise(
    ctx: typer.Context,
    child: ChildArg,
    concern: Annotated[str, typer.Option("--concern", help="What the chair is concerned about.")],
    raised_with: Annotated[
        str, typer.Option("--with", metavar="WHOM", help="Whom it was raised with (a name, a role, a team).")
    ],
    on: Annotated[date | None, _on("it was raised")] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="Anything more to record.")] = None,
) -> None:
    """Raise an escalation (dispute resolution) about a child's plan; a response is then due."""
    from cpctl.casework import people, quality
    from cpctl.dates import british

    store = open_store(ctx)
    with store.write() as session:
        found = people.find_child(session, child)
        check = quality.raise_escalation(session, found, concern=concern, raised_with=raised_with, on=on, notes=notes)
        ref, day, child_ref, whom = quality.ref_of(check), check.held_on, found.ref, check.raised_with
        due = next(c for c in quality.listing(session, found)["checks"] if c["ref"] == ref)["response_due"]
    out().print(f"Raised escalation {ref} about {child_ref} with {whom} on {british(day)}.", markup=False)
    if due is not None:
        out().print(f"  A response is due by {british(date.fromisoformat(due['due']))}.", markup=False)


@app.command("respond")
def escalation_respond(
    ctx: typer.Context,
    ref: EscalationArg,
    response: Annotated[str, typer.Option("--response", help="What was said or done in answer.")],
    on: Annotated[date | None, _on("the response came")] = None,
) -> None:
    """Record the response to an escalation: it meets the response's deadline."""
    from cpctl.casework import quality
    from cpctl.dates import british

    store = open_store(ctx)
    with store.write() as session:
        check = quality.find(session, ref, kind=quality.ESCALATION)
        day = quality.respond(session, check, response=response, on=on)
        shown = quality.ref_of(check)
    out().print(f"Recorded the response to {shown} on {british(day)}.", markup=False)


@app.command("resolve")
def escalation_resolve(
    ctx: typer.Context,
    ref: EscalationArg,
    outcome: Annotated[str, typer.Option("--outcome", help="How it was resolved.")],
    on: Annotated[date | None, _on("it was resolved")] = None,
) -> None:
    """Record that an escalation was resolved, and how."""
    from cpctl.casework import quality
    from cpctl.dates import british

    store = open_store(ctx)
    with store.write() as session:
        check = quality.find(session, ref, kind=quality.ESCALATION)
        day = quality.resolve(session, check, outcome=outcome, on=on)
        shown = quality.ref_of(check)
    out().print(f"Resolved {shown} on {british(day)}.", markup=False)
