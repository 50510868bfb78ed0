"""`cpctl due`: what is coming up and what is late."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from cpctl.commands.common import JsonOpt, date_value, emit_json, json_text, open_store, out, store_file, table

KINDS_HELP = (
    "initial-conference, first-core-group, core-group, plan-circulated, first-review, review, child-seen, long-plan"
)


def due(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(min=0, max=3660, help="How many days ahead to look.")] = 14,
    every: Annotated[bool, typer.Option("--all", help="Every open deadline, however far ahead.")] = False,
    worker: Annotated[str | None, typer.Option(help="Only the plans of this lead worker (reference or name).")] = None,
    chair: Annotated[str | None, typer.Option(help="Only the plans this chair last chaired.")] = None,
    child: Annotated[list[str] | None, typer.Option(metavar="CHILD", help="Only this child (id or name).")] = None,
    everyone: Annotated[
        bool,
        typer.Option(
            "--everyone",
            help="Every plan's deadlines. Without it (and without --worker, --chair or --child), a user who chairs "
            "or leads plans sees only theirs.",
        ),
    ] = False,
    kind: Annotated[str | None, typer.Option(help=f"Only one kind: {KINDS_HELP}.")] = None,
    by: Annotated[str | None, typer.Option(help="Group the table by worker, chair or child.")] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Say which rule, which event and which source gave each date.")
    ] = False,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (ISO dates).")] = False,
    as_ics: Annotated[
        bool,
        typer.Option("--ics", help="Print an iCalendar file to import into Outlook (children by id only)."),
    ] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    on: Annotated[
        date | None,
        typer.Option("--on", parser=date_value, metavar="DATE", help="Count from this day instead of today."),
    ] = None,
    fail_if_overdue: Annotated[
        bool,
        typer.Option("--fail-if-overdue", help="Exit with code 3 when anything is overdue (for scripts)."),
    ] = False,
) -> None:
    """What is due in the next days, and everything overdue, soonest first.

    A chair or lead worker sees the plans they chair or lead (--everyone for every plan in the store)."""
    from dataclasses import asdict

    from cpctl.casework import people, schedule
    from cpctl.commands.common import given_once
    from cpctl.errors import Invalid
    from cpctl.store import settings

    one_child = given_once(child, "--child", "child")
    formats = [name for name, flag in (("--json", as_json), ("--csv", as_csv), ("--ics", as_ics)) if flag]
    if len(formats) > 1:
        raise typer.BadParameter(f"choose one output format, not {' and '.join(formats)}.")
    if by is not None and by not in ("worker", "chair", "child"):
        raise typer.BadParameter("group by worker, chair or child.", param_hint="--by")
    if output is not None and not formats:
        raise Invalid("--output goes with --json, --csv or --ics.")
    if output is not None:
        from cpctl.paths import check_output

        check_output(output, force=force, store=store_file(ctx))  # before any work: the store itself, say
    today = on or date.today()
    store = open_store(ctx)
    recomputed = schedule.ensure_current(store)
    with store.read() as session:
        terms = asdict(schedule.load_profile(session).terms)
        authority = settings.current(session).authority
        me = None
        if not (everyone or worker or chair or one_child):
            user = settings.current_user_person(session)
            if user is not None and user.id is not None and schedule.chairs_or_leads(session, user.id):
                me = user.id
        rows = schedule.upcoming(
            session,
            on=today,
            days=days,
            every=every,
            child_id=people.find_child(session, one_child).id if one_child else None,
            worker_id=people.find_person(session, worker).id if worker else None,
            chair_id=people.find_person(session, chair).id if chair else None,
            kind=schedule.check_kind(kind) if kind else None,
            terms=terms,
            mine=me,
        )
    if recomputed:
        from cpctl.commands.common import err

        err().print(f"The profile in force has changed: recomputed {recomputed} deadlines.")
    if as_json:
        text = None
        _write_or_emit(output, rows, kind="json", force=force, store=store.path)
    elif as_csv:
        text = _csv(rows)
    elif as_ics:
        text = _ics(rows, authority)
    else:
        text = None
        _print_table(rows, today=today, days=days, every=every, explain=explain, by=by, mine=me is not None)
    if text is not None:
        _write_or_emit(output, text, kind="text", force=force, store=store.path)
    if fail_if_overdue and any(r["overdue"] for r in rows):
        raise typer.Exit(3)


def _write_or_emit(output: Path | None, payload: Any, *, kind: str, force: bool, store: Path | None) -> None:
    if kind == "json":
        if output is None:
            emit_json(payload)
            return
        payload = json_text(payload) + "\n"
    if output is None:
        typer.echo(payload, nl=False)
        return
    from cpctl.paths import write_private

    write_private(output, payload.encode("utf-8"), force=force, store=store)
    out().print(f"Wrote {output}", markup=False)


def _when(days: int) -> str:
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} overdue"
    if days == 0:
        return "today"
    return f"in {days} day{'s' if days != 1 else ''}"


def _print_table(
    rows: list[dict[str, Any]], *, today: date, days: int, every: bool, explain: bool, by: str | None, mine: bool
) -> None:
    from cpctl.dates import british

    console = out()
    scope = "every open deadline" if every else f"due by {british(date.fromordinal(today.toordinal() + days))}"
    if mine:
        scope += " in the plans you chair or lead"
    if not rows:
        if every:
            console.print("No open deadlines" + (" in the plans you chair or lead." if mine else "."), markup=False)
        else:
            console.print(f"Nothing overdue and nothing {scope}.", markup=False)
        if mine:
            console.print("Every plan's deadlines: cpctl due --everyone", markup=False)
        return
    overdue = sum(1 for r in rows if r["overdue"])
    console.print(
        f"{len(rows)} deadline{'s' if len(rows) != 1 else ''} ({overdue} overdue), {scope}; today is {british(today)}.",
        markup=False,
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if by == "worker":
            key = row["lead_worker"]["name"] if row["lead_worker"] else "No lead worker"
        elif by == "chair":
            key = row["chair"]["name"] if row["chair"] else "No chair"
        elif by == "child":
            key = f"{row['child_name']} ({row['child']})"
        else:
            key = ""
        groups.setdefault(key, []).append(row)
    for title, members in groups.items():
        grid = table("Due", "When", "Child", "What", "Lead worker", title=title or None)
        for row in members:
            style = "red" if row["overdue"] else None
            grid.add_row(
                british(row["due"]),
                _when(row["days"]),
                f"{row['child']} {row['child_name']}",
                row["what"],
                row["lead_worker"]["name"] if row["lead_worker"] else "",
                style=style,
            )
        console.print(grid)
        if explain:
            console.print("How each date was worked out:")
            for row in members:
                console.print(f"  {row['child']}, {row['what']}: {row['explanation']['sentence']}.", markup=False)
    if mine:
        console.print("Every plan's deadlines: cpctl due --everyone", markup=False)


# A spreadsheet reads a cell that begins with one of these as a formula (OWASP, "CSV Injection"); the full-width
# forms too, in some locales.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> Any:
    """A cell of a CSV file that a spreadsheet shows as written: text that would begin a formula (a child named
    `=HYPERLINK(...)`) gets a leading single quote, as OWASP advises, and loses any control character first so
    that none can hide the start. cpctl's own numbers (days, which are negative when overdue) stay numbers."""
    from cpctl.text import without_controls

    if not isinstance(value, str):
        return value
    text = without_controls(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(rows: list[dict[str, Any]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "due",
            "days",
            "overdue",
            "kind",
            "what",
            "child",
            "child_name",
            "plan",
            "lead_worker",
            "chair",
            "rule",
            "source",
            "explanation",
        ]
    )
    for r in rows:
        cells = [
            r["due"].isoformat(),
            r["days"],
            "yes" if r["overdue"] else "no",
            r["kind"],
            r["what"],
            r["child"],
            r["child_name"],
            r["plan"] or "",
            r["lead_worker"]["name"] if r["lead_worker"] else "",
            r["chair"]["name"] if r["chair"] else "",
            r["explanation"]["rule"],
            r["explanation"]["source"],
            r["explanation"]["sentence"],
        ]
        writer.writerow([csv_cell(cell) for cell in cells])
    return buffer.getvalue()


def _ics(rows: list[dict[str, Any]], authority: str) -> str:
    """An iCalendar file of all-day events; a child appears by id only, never by name."""
    from datetime import UTC, datetime, timedelta

    from icalendar import Calendar, Event

    from cpctl.text import without_controls as plain

    calendar = Calendar()
    calendar.add("prodid", "-//cpctl//deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", plain(f"cpctl deadlines ({authority})"))
    stamp = datetime.now(UTC)
    for r in rows:
        event = Event()
        anchor = r["explanation"].get("event_date", "")
        event.add("uid", plain(f"{r['child']}-{r['kind']}-{anchor}@cpctl"))
        event.add("summary", plain(f"{r['what']} due: {r['child']}"))
        event.add("dtstart", r["due"])
        event.add("dtend", r["due"] + timedelta(days=1))
        event.add("dtstamp", stamp)
        event.add("description", plain(r["explanation"]["sentence"]))
        event.add("categories", [r["kind"]])
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
