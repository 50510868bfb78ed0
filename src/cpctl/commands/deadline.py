"""`cpctl deadline`: when a step falls due under a jurisdiction's timescale rules, and why."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cpctl.commands.common import date_value, emit_json, say

if TYPE_CHECKING:
    from cpctl.rules.timescales import Explanation

app = typer.Typer(help="Work out when a step is due under a jurisdiction's timescale rules.", no_args_is_help=True)


@app.command("calc")
def deadline_calc(
    ctx: typer.Context,
    rule: Annotated[
        str,
        typer.Option(
            "--rule",
            metavar="RULE",
            help="The rule, e.g. first-core-group or first-review (`cpctl profile show` lists them).",
        ),
    ],
    event_date: Annotated[
        date,
        typer.Option(
            "--from",
            parser=date_value,
            metavar="DATE",
            help="The date of the event the rule counts from (the conference, core group, birth...).",
        ),
    ],
    profile_name: Annotated[
        str | None,
        typer.Option(
            "--profile",
            metavar="NAME",
            help="The profile: england, wales, scotland, northern-ireland or guernsey "
            "(default: this store's jurisdiction).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (ISO dates) instead of text.")] = False,
) -> None:
    """Work out when RULE falls due after an event on --from, and show how it was counted."""
    from cpctl.commands.profile import chosen_profile
    from cpctl.rules import profile, timescales

    loaded = profile.load(chosen_profile(ctx, profile_name))
    _due, explanation = timescales.due(loaded, rule, event_date)
    if as_json:
        emit_json(deadline_record(explanation))
        return
    for line in deadline_lines(explanation):
        say(line)


def deadline_lines(why: Explanation) -> list[str]:
    """The explanation as labelled lines, dates the British way."""
    from cpctl.dates import british

    lines = [f"Due: {british(why.due)}", f"Counted: {why.counting()}"]
    if why.skipped:
        lines.append(f"Skipped: {why.skipping()}")
    if why.moved_from is not None:
        lines.append(f"Moved: {why.moving()}")
    if why.closed and why.working_day_before is not None:
        lines.append(
            f"Not a working day: {', '.join(why.closed)}; the working day before it is "
            f"{british(why.working_day_before)}"
        )
    lines.append(f"Rule: {why.rule} of the {why.profile} profile, from {why.origin}")
    lines.append(f"Source: {why.source}")
    if why.note:
        lines.append(f"Note: {why.note}")
    return lines


def deadline_record(why: Explanation) -> dict[str, Any]:
    """The explanation as JSON, with ISO dates."""
    return {
        "profile": why.profile,
        "rule": why.rule,
        "due": why.due,
        "due_is_working_day": not why.closed,
        "working_day_before": why.working_day_before,
        "amount": why.amount,
        "unit": why.unit,
        why.direction: why.after,
        "event": why.event,
        "event_date": why.event_date,
        "day_zero": why.day_zero,
        "skipped": [{"date": day, "name": name} for day, name in why.skipped],
        "closed": list(why.closed),
        "moved_from": why.moved_from,
        "moved_because": list(why.moved_because),
        "closed_day": why.closed_day,
        "source": why.source,
        "note": why.note,
        "origin": why.origin,
        "explanation": why.sentence(),
    }
