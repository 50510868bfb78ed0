"""`cpctl conference book`, `cancel` and `report`: booking a conference for a day to come, and what it waits for.

Mounted on the conference app by `register` (`cpctl.commands.conference`); `conference move`, `show` and `list`
there hand a booking's reference (BK00001) to the functions here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cpctl.commands.common import JsonOpt, date_value, emit_json, markup_free, open_store, out, table

if TYPE_CHECKING:
    from cpctl.casework.booking import Booked


def register(app: typer.Typer) -> None:
    app.command("book")(conference_book)
    app.command("cancel")(conference_cancel)
    app.command("report")(conference_report)


def conference_book(
    ctx: typer.Context,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", metavar="FILE", help="Read the booking from a YAML or JSON file instead of flags."),
    ] = None,
    children: Annotated[
        list[str] | None, typer.Option("--child", metavar="CHILD", help="A child it is about (repeat it).")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            help="initial, review, pre-birth-initial, pre-birth-review or transfer-in (default: a review for "
            "children on a plan, else an initial conference)."
        ),
    ] = None,
    when: Annotated[
        date | None, typer.Option("--date", parser=date_value, metavar="DATE", help="The day it is booked for.")
    ] = None,
    time: Annotated[str | None, typer.Option("--time", metavar="HH:MM", help="When it begins.")] = None,
    venue: Annotated[str | None, typer.Option(help="Where it is held.")] = None,
    online: Annotated[bool, typer.Option("--online", help="Held online.")] = False,
    chair: Annotated[
        str | None, typer.Option(metavar="PERSON", help="Who chairs it (default: you, as set up by `cpctl init`).")
    ] = None,
    invite: Annotated[
        list[str] | None,
        typer.Option(
            metavar="PERSON[=ROLE]",
            help="Someone invited, as parent, child, agency or other (default: from the person; an agency is asked "
            "for a report). Repeat it.",
        ),
    ] = None,
    no_report: Annotated[
        list[str] | None,
        typer.Option("--no-report", metavar="PERSON", help="An agency invited but not asked for a report (repeat)."),
    ] = None,
    interpreter: Annotated[
        str | None, typer.Option(metavar="LANGUAGE", help="An interpreter is needed, for this language.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Book a conference for a day to come: its children, day, place, chair and invitees; its deadlines follow."""
    from cpctl import fileinput
    from cpctl.casework import booking
    from cpctl.commands.saving import save_checked

    given = [children, kind, when, time, venue, online or None, chair, invite, no_report, interpreter]
    document = None
    if from_file is not None:
        if any(value for value in given):
            raise typer.BadParameter("give the booking in the file or as options, not both.", param_hint="--from")
        document = fileinput.load(from_file, example=None)
        data = document.parse(booking.BookingIn)
    else:
        if not children or when is None:
            raise typer.BadParameter(
                "say which children and which day: --child CHILD --date DATE (or give a file with --from FILE)."
            )
        data = fileinput.validated(
            booking.BookingIn,
            _from_flags(children, kind, when, time, venue, online, chair, invite or [], no_report or [], interpreter),
        )
    booked = save_checked(open_store(ctx), data, lambda session, d: booking.book(session, d), document)
    if as_json:
        emit_json(_booked_json(booked))
        return
    print_booked(booked)


def _from_flags(
    children: list[str],
    kind: str | None,
    when: date,
    time: str | None,
    venue: str | None,
    online: bool,
    chair: str | None,
    invite: list[str],
    no_report: list[str],
    interpreter: str | None,
) -> dict[str, Any]:
    invitees: list[dict[str, Any]] = []
    for text in invite:
        person, sep, role = text.partition("=")
        if not person.strip() or (sep and not role.strip()):
            raise typer.BadParameter(f"{text[:40]!r} is not PERSON or PERSON=ROLE.", param_hint="--invite")
        entry: dict[str, Any] = {"person": person.strip()}
        if sep:
            entry["role"] = role.strip().lower()
        invitees.append(entry)
    named = {entry["person"].casefold(): entry for entry in invitees}
    for person in no_report:
        entry = named.get(person.strip().casefold())
        if entry is None:
            raise typer.BadParameter(f"{person[:40]!r} is not invited: give them with --invite too.", "--no-report")
        entry["report"] = False
    data: dict[str, Any] = {
        "date": when,
        "children": children,
        "invitees": invitees,
        "virtual": online,
        "time": time,
        "venue": venue,
        "chair": chair,
    }
    if kind is not None:
        data["kind"] = kind.strip().lower()
    if interpreter is not None:
        data["interpreter"] = {"needed": True, "language": interpreter}
    return data


def _booked_json(booked: Booked) -> dict[str, Any]:
    row = booked.booking
    return {
        "ref": row.ref,
        "kind": row.kind,
        "date": row.booked_for,
        "time": row.start_time,
        "children": [c.ref for c in booked.children],
        "invitees": [
            {"ref": p.ref, "role": i.role, "report_requested": i.report_requested} for p, i in booked.invitees
        ],
    }


def print_booked(booked: Booked) -> None:
    from cpctl.dates import british

    row = booked.booking
    console = out()
    when = british(row.booked_for) + (f" at {row.start_time}" if row.start_time else "")
    names = ", ".join(f"{c.full_name} ({c.ref})" for c in booked.children)
    console.print(f"Booked {row.kind} conference {row.ref} for {when}: {names}.", markup=False)
    asked = sum(1 for _, i in booked.invitees if i.report_requested)
    console.print(
        f"  {len(booked.invitees)} invited, {asked} report(s) asked for"
        + (f"; an interpreter for {row.interpreter_language}" if row.interpreter_needed else "")
        + f". See `cpctl conference show {row.ref}` for what is due before it.",
        markup=False,
    )


def conference_cancel(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="BOOKING", help="The booking's reference (BK00001).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is cancelled (kept with it and in the audit trail).")],
) -> None:
    """Cancel a booked conference, with the reason; its deadlines go."""
    from cpctl.casework import booking
    from cpctl.dates import british

    with open_store(ctx).write() as session:
        row = booking.find(session, ref)
        booking.cancel(session, row, reason)
        shown, day = row.ref, row.booked_for
    out().print(f"Cancelled {shown} (booked for {british(day)}); its deadlines are gone.", markup=False)


def move_booking(ctx: typer.Context, ref: str, when: date, reason: str | None) -> None:
    """`conference move BK… --to DATE --reason ...`."""
    from cpctl.casework import booking
    from cpctl.dates import british

    with open_store(ctx).write() as session:
        row = booking.find(session, ref)
        old = booking.move(session, row, when, reason)
        shown = row.ref
    out().print(f"Moved {shown} from {british(old)} to {british(when)}; its deadlines follow.", markup=False)


def conference_report(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="BOOKING", help="The booking's reference (BK00001).")],
    person: Annotated[str, typer.Option("--from", metavar="PERSON", help="Whose report it is (an invited agency).")],
    received: Annotated[
        date | None,
        typer.Option(parser=date_value, metavar="DATE", help="The day the chair received it ('today' works)."),
    ] = None,
    shared: Annotated[
        date | None,
        typer.Option(parser=date_value, metavar="DATE", help="The day it was shared with the parents."),
    ] = None,
) -> None:
    """Record an agency's report for a booked conference: received by the chair, shared with the parents."""
    from cpctl.casework import booking, people
    from cpctl.dates import british

    with open_store(ctx).write() as session:
        row = booking.find(session, ref)
        found = people.find_person(session, person)
        changes = booking.record_report(session, row, found, received=received, shared=shared)
        shown, name = row.ref, found.name
    if not changes:
        out().print(f"{shown} already records that; nothing changed.", markup=False)
        return
    done = []
    if "received" in changes:
        done.append(f"received {british(date.fromisoformat(changes['received'][1]))}")
    if "shared" in changes:
        done.append(f"shared with the parents {british(date.fromisoformat(changes['shared'][1]))}")
    out().print(f"{shown}: report from {name} {' and '.join(done)}.", markup=False)


def show_booking(ctx: typer.Context, ref: str, as_json: bool) -> None:
    """`conference show BK…`: the booking and whether it is ready."""
    from cpctl.casework import booking
    from cpctl.casework.conference import rules_for
    from cpctl.store import settings

    with open_store(ctx).read() as session:
        record = booking.readiness(session, booking.find(session, ref))
        rules = rules_for(settings.current(session).jurisdiction)
    if as_json:
        emit_json(record)
        return
    print_readiness(record, rules.kind_name(record["kind"]))


def print_readiness(record: dict[str, Any], kind_name: str) -> None:
    from cpctl.dates import british, short_british

    def day(text: str | None) -> str:
        return short_british(date.fromisoformat(text)) if text else ""

    console = out()
    when = british(date.fromisoformat(record["date"])) + (f" at {record['time']}" if record["time"] else "")
    place = "online" if record["virtual"] else (record["venue"] or "venue not yet set")
    console.print(f"[bold]{markup_free(kind_name)}[/bold] {markup_free(record['ref'])} ({record['status']})")
    console.print(f"  {when}, {place}; chaired by {record['chair']['name']}", markup=False)
    names = ", ".join(f"{c['name']} ({c['ref']})" for c in record["children"])
    console.print(f"  About: {names}", markup=False)
    console.print(
        f"  Interpreter: {record['interpreter'] or 'none booked'}",
        markup=False,
    )
    status = record["status"]
    if status == "cancelled":
        console.print(f"  CANCELLED: {record['reason']}", markup=False)
    elif status == "held":
        console.print(
            f"  Held: recorded as {record['conference']} (`cpctl conference show {record['conference']}`)", markup=False
        )
    elif record["reason"]:
        console.print(f"  Moved: {record['reason']}", markup=False)
    if record["invitees"]:
        grid = table("Who", "Invited as", "Invited", "Report", "Shared with parents", title="Invitees")
        due = record["invitations_due"]
        for entry in record["invitees"]:
            who = entry["name"] + (f", {entry['agency']}" if entry["agency"] else "") + f" ({entry['ref']})"
            invited = day(entry["invited_on"]) or (f"not yet (by {day(due)})" if due else "not yet")
            report = shared = ""
            if entry["report_requested"]:
                report = _step(entry["report_received_on"], entry["report_due"], entry["report_late"], day)
                shared = _step(entry["report_shared_on"], entry["share_due"], entry["share_late"], day)
            grid.add_row(who, entry["role"], invited, report, shared)
        console.print(grid)
    else:
        console.print("  Nobody is invited yet.", markup=False)
    if status != "booked":
        return
    if record["ready"]:
        console.print("Ready: everyone is invited, and every report is in and shared.", markup=False)
    else:
        console.print("Not ready yet:", markup=False)
        for item in record["to_do"]:
            console.print(f"  - {item}", markup=False)


def _step(done: str | None, due: str | None, late: bool | None, day: Any) -> str:
    """'in 1 Dec 2026', 'in 3 Dec 2026 (late)', 'missing (due 1 Dec 2026)', 'LATE: due 1 Dec 2026'."""
    if done:
        return f"{day(done)}" + (" (late)" if late else "")
    if due is None:
        return "missing"
    return f"LATE: was due {day(due)}" if late else f"missing (due {day(due)})"


def list_bookings(ctx: typer.Context, child: str | None, as_json: bool) -> None:
    """`conference list --booked`: the conferences booked and not yet held, soonest first."""
    from cpctl.casework import booking, people
    from cpctl.dates import short_british

    with open_store(ctx).read() as session:
        found = people.find_child(session, child) if child else None
        rows = booking.listing(session, child=found)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        out().print("No conferences booked: book one with `cpctl conference book`.", markup=False)
        return
    grid = table("Ref", "Date", "Kind", "Children", "Chair", "Invited", "Reports in")
    for r in rows:
        when = short_british(date.fromisoformat(r["date"])) + (f" {r['time']}" if r["time"] else "")
        grid.add_row(
            r["ref"],
            when,
            r["kind"],
            ", ".join(r["children"]),
            r["chair"] or "",
            f"{r['invited']} of {r['invitees']}",
            f"{r['reports_in']} of {r['reports_asked']}",
        )
    out().print(grid)
