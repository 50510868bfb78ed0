"""`cpctl review`: the chair's midway review of a child's plan, between two conferences."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from cpctl.commands.common import ChildArg, JsonOpt, date_value, emit_json, open_store, out

app = typer.Typer(help="Record the chair's midway review of a child's plan between conferences.", no_args_is_help=True)

OUTCOME_HELP = (
    "What the review found: on-track, slow (actions agreed with the lead worker), drift (an escalation follows) "
    "or early-review (the review conference is brought forward)."
)


@app.command("midway")
def review_midway(
    ctx: typer.Context,
    child: ChildArg,
    outcome: Annotated[str, typer.Option("--outcome", metavar="OUTCOME", help=OUTCOME_HELP)],
    on: Annotated[
        date | None,
        typer.Option("--on", parser=date_value, metavar="DATE", help="When the review was held (default today)."),
    ] = None,
    notes: Annotated[str | None, typer.Option("--notes", help="What the chair found and asked for.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a midway review of the plan in force: when, and what it found; it meets the midway review due."""
    from cpctl.casework import people, quality
    from cpctl.dates import british

    store = open_store(ctx)
    with store.write() as session:
        found = people.find_child(session, child)
        check = quality.midway_review(session, found, outcome=outcome, on=on, notes=notes)
        ref, day, key, child_ref = quality.ref_of(check), check.held_on, check.outcome or "", found.ref
        shown = quality.listing(session, found)
    if as_json:
        emit_json(next(c for c in shown["checks"] if c["ref"] == ref))
        return
    out().print(
        f"Recorded midway review {ref} of {child_ref}'s plan on {british(day)}: {quality.OUTCOMES[key]}.",
        markup=False,
    )
    coming = [d for d in shown["midway_reviews_due"] if d["status"] == "open"]
    if coming:
        out().print(f"  Next midway review: by {british(date.fromisoformat(coming[0]['due']))}.", markup=False)
