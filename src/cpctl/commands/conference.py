"""`cpctl conference`: record a conference, its decisions and the outline plan; list and show them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cpctl.commands import conference_documents
from cpctl.commands.common import (
    OUTCOME_WORDS,
    JsonOpt,
    date_value,
    emit_json,
    interactive,
    markup_free,
    open_store,
    out,
    store_file,
    table,
)
from cpctl.commands.saving import save_conference

if TYPE_CHECKING:
    from cpctl.casework.conference import ConferenceRules, Saved
    from cpctl.store.database import Store

app = typer.Typer(
    help="Record child protection conferences and their outline plans; list and show them.",
    no_args_is_help=True,
)

# The documents around a conference (their own module): the outcome letter, the record, the invitations.
app.command("letter")(conference_documents.conference_letter)
app.command("record")(conference_documents.conference_record)
app.command("invite")(conference_documents.conference_invite)


@app.command("new")
def conference_new(
    ctx: typer.Context,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", metavar="FILE", help="Read the conference from a YAML or JSON file instead of asking."),
    ] = None,
    draft: Annotated[
        bool,
        typer.Option("--draft", help="With --from: save incomplete outline plans as drafts, with their gaps recorded."),
    ] = False,
    edit: Annotated[
        bool,
        typer.Option("--edit", help="Write the conference as a prefilled document and open it in $VISUAL or $EDITOR."),
    ] = False,
    children: Annotated[
        list[str] | None,
        typer.Option("--child", metavar="CHILD", help="With --edit: a child the conference is about (repeat it)."),
    ] = None,
    family: Annotated[
        str | None, typer.Option("--family", metavar="NAME", help="With --edit: every child of this family.")
    ] = None,
    booking: Annotated[
        str | None,
        typer.Option(
            "--booking",
            metavar="BOOKING",
            help="The conference booked as BK00001: its document starts from the booking (with --from, the file "
            "is recorded as it); the booking is then held.",
        ),
    ] = None,
    s47_start: Annotated[
        date | None,
        typer.Option(
            "--s47-start",
            parser=date_value,
            metavar="DATE",
            help="England, an initial conference: the day the section 47 enquiry began (not asked then).",
        ),
    ] = None,
) -> None:
    """Record a conference: attendance, one decision per child, and the outline plan."""
    from cpctl.commands.editing import refuse_with_from
    from cpctl.errors import CpctlError

    refuse_with_from(edit, from_file)
    if (children or family) and not edit:
        raise typer.BadParameter("--child and --family choose whom --edit's document is about; add --edit.")
    if booking is not None and (children or family):
        raise typer.BadParameter("a booking names its children: give --booking alone.", param_hint="--booking")
    if booking is not None and from_file is None:
        edit = True  # the booking's document, prefilled, opened in the editor
    if edit:
        saved, rules = _save_edited(
            open_store(ctx), children or [], family, draft=draft, booking=booking, s47_start=s47_start
        )
        print_saved(saved, rules)
        return
    if from_file is None and not interactive():
        raise CpctlError(
            "cpctl conference new asks its questions in a terminal, and there is none here: "
            "give a file with --from FILE (`cpctl conference template` prints an example)."
        )
    store = open_store(ctx)
    if from_file is not None:
        saved, rules = _save_from_file(store, from_file, draft=draft, booking=booking, s47_start=s47_start)
    else:
        from cpctl.commands.wizards.conference import run_wizard

        saved, rules = run_wizard(store, s47_start=s47_start)
    print_saved(saved, rules)


def _save_from_file(
    store: Store, path: Path, *, draft: bool, booking: str | None = None, s47_start: date | None = None
) -> tuple[Saved, ConferenceRules]:
    from cpctl import fileinput
    from cpctl.casework import conference

    document = fileinput.load(path)
    data = document.parse(conference.ConferenceIn)
    if s47_start is not None:
        data.s47_start = s47_start
    if draft:
        for decision in data.decisions:
            decision.save_as_draft = True
    return save_conference(store, data, document=document, booking=booking)


def _save_edited(
    store: Store,
    children: list[str],
    family: str | None,
    *,
    draft: bool,
    booking: str | None = None,
    s47_start: date | None = None,
) -> tuple[Saved, ConferenceRules]:
    """`conference new --edit`: the prefilled conference, opened in the editor until it is saved or cancelled."""
    from cpctl.casework import conference
    from cpctl.commands.editing import edit_and_save, parse_all
    from cpctl.documents import editable

    with store.read() as session:
        if booking is not None:
            from cpctl.casework import booking as bookings

            row = bookings.find(session, booking)
            bookings.check_can_record(row)
            document = editable.conference(session, [], None, booking=row)
        else:
            document = editable.conference(session, children, family)

    def save(opened: Any) -> tuple[Saved, ConferenceRules]:
        data = parse_all(opened, conference.ConferenceIn)
        if s47_start is not None and data.s47_start is None:
            data.s47_start = s47_start
        if draft:
            for decision in data.decisions:
                decision.save_as_draft = True
        return save_conference(store, data, document=opened, booking=booking)

    return edit_and_save(document.text, document.name, save)


def print_saved(saved: Saved, rules: ConferenceRules) -> None:
    """What was recorded, and for each child the dates it scheduled: the first core group, the review, the next
    time the child is to be seen."""
    from cpctl.casework import schedule
    from cpctl.dates import british

    row = saved.conference
    console = out()
    console.print(f"Recorded {rules.kind_name(row.kind)} {row.ref} on {british(row.held_on)}.", markup=False)
    if not row.quorate:
        console.print(f"  Not quorate ({row.agencies_present} agencies); the reason is recorded.", markup=False)
    for outcome in saved.outcomes:
        line = f"  {outcome['child']}: {OUTCOME_WORDS[outcome['outcome']]}"
        if outcome["categories"]:
            line += f" ({', '.join(outcome['categories'])})"
        if outcome["version"]:
            line += f"; plan {outcome['plan']}, version {outcome['version']}"
            if outcome["draft"]:
                line += (
                    f", saved as a draft with {len(outcome['gaps'])} gap(s): see `cpctl plan check {outcome['child']}`"
                )
        console.print(line + ".", markup=False)
        for kind, due in saved.scheduled.get(outcome["child"], []):
            console.print(f"    {schedule.label(kind, rules.terms)}: by {british(due)}", markup=False)


@app.command("template")
def conference_template(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the example to this file instead of printing it."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Print a commented example file for `cpctl conference new --from` (it fits the `cpctl demo` store)."""
    from importlib.resources import files

    from cpctl.paths import write_private

    text = files("cpctl").joinpath("examples/conference.yaml").read_text(encoding="utf-8")
    if output is None:
        typer.echo(text, nl=False)
        return
    write_private(output, text.encode("utf-8"), force=force, store=store_file(ctx))
    out().print(f"Wrote an example conference to {output}", markup=False)


@app.command("list")
def conference_list(
    ctx: typer.Context,
    child: Annotated[
        list[str] | None, typer.Option("--child", metavar="CHILD", help="Only this child's conferences.")
    ] = None,
    booked: Annotated[
        bool, typer.Option("--booked", help="The conferences booked and not yet held instead, soonest first.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """List conferences, newest first (with --booked, those booked, soonest first)."""
    from cpctl.casework import conference_records, people
    from cpctl.commands.common import given_once
    from cpctl.dates import short_british

    one_child = given_once(child, "--child", "child")
    if booked:
        from cpctl.commands.conference_booking import list_bookings

        list_bookings(ctx, one_child, as_json)
        return
    store = open_store(ctx)
    with store.read() as session:
        found = people.find_child(session, one_child) if one_child else None
        rows = conference_records.listing(session, child=found)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        out().print("No conferences yet: record one with `cpctl conference new`.")
        return
    from datetime import date

    grid = table("Ref", "Date", "Kind", "Chair", "Decisions")
    for r in rows:
        decisions = "; ".join(f"{d['child']} {d['outcome']}" for d in r["decisions"])
        grid.add_row(r["ref"], short_british(date.fromisoformat(r["date"])), r["kind"], r["chair"] or "", decisions)
    out().print(grid)


@app.command("show")
def conference_show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The conference's reference (CF00001), or a booking's (BK00001).")],
    as_json: JsonOpt = False,
) -> None:
    """Show a conference: who was there, and what it decided for each child; a booking: whether it is ready."""
    from cpctl.casework import conference, conference_records
    from cpctl.casework.booking import is_booking_ref
    from cpctl.store import settings

    if is_booking_ref(ref):
        from cpctl.commands.conference_booking import show_booking

        show_booking(ctx, ref, as_json)
        return
    store = open_store(ctx)
    with store.read() as session:
        record = conference_records.record(session, conference_records.find(session, ref))
        rules = conference.rules_for(settings.current(session).jurisdiction)
    if as_json:
        emit_json(record)
        return
    print_conference(record, rules)


def print_conference(record: dict[str, Any], rules: ConferenceRules) -> None:
    from datetime import date

    from cpctl.commands.common import STATUS_WORDS
    from cpctl.dates import british

    console = out()
    when = british(date.fromisoformat(record["date"])) + (f" at {record['time']}" if record["time"] else "")
    place = "virtual" if record["virtual"] else (record["venue"] or "venue not recorded")
    console.print(f"[bold]{rules.kind_name(record['kind'])}[/bold] {markup_free(record['ref'])}")
    console.print(f"  {when}, {place}; chaired by {record['chair']['name']}", markup=False)
    quorum = "quorate" if record["quorate"] else f"NOT quorate: {record['inquorate_reason']}"
    console.print(f"  {record['agencies_present']} agencies took part ({quorum})", markup=False)
    if record["attendance"]:
        grid = table("Who", "Role", "Agency", "Attendance", title="Invited")
        for a in record["attendance"]:
            status = STATUS_WORDS[a["status"]] + (f": {a['reason']}" if a["reason"] else "")
            grid.add_row(a["name"], a["role"] or "", a["agency"] or "", status)
        console.print(grid)
    if record.get("discussion"):
        console.print("\n[bold]The discussion and the analysis of risk[/bold] (the chair's summary)")
        for line in record["discussion"].splitlines():
            console.print(f"  {line}", markup=False)
    for d in record["decisions"]:
        name, ref = markup_free(d["child_name"]), markup_free(d["child"])
        console.print(f"\n[bold]{name}[/bold] ({ref}): {OUTCOME_WORDS[d['outcome']]}")
        if d["categories"]:
            console.print(f"  Categories: {', '.join(d['categories'])}", markup=False)
        if d["lead_worker"]:
            console.print(
                f"  {rules.term('lead_worker', 'Lead social worker').capitalize()}: "
                f"{d['lead_worker']['name']} ({d['lead_worker']['ref']})",
                markup=False,
            )
        details = d["details"]
        from cpctl.casework.participation import words

        console.print(f"  Took part: {words(d.get('participation'))}", markup=False)
        for label, key in (
            ("Evidence of harm", "evidence"),
            ("The child's views", "child_views"),
            ("The parents' views", "parent_views"),
        ):
            for item in details[key]:
                console.print(f"  {label}: {item['text']}{_private(item)}", markup=False)
        for item in details["dissent"]:
            console.print(f"  Dissent: {item['who']}: {item['reason']}{_private(item)}", markup=False)
        for item in details["not_discussed_with"]:
            console.print(f"  Not discussed with {item['who']}: {item['why']}{_private(item)}", markup=False)
        if details["end_reason"]:
            console.print(
                f"  Why the plan ends: {details['end_reason'].rstrip('.')}. Next: {details['step_down']}.",
                markup=False,
            )
        if d["plan_version"]:
            state = "draft" if d["draft"] else "complete"
            console.print(
                f"  Outline plan: plan {d['plan']}, version {d['plan_version']} ({state}); "
                f"see `cpctl plan check {d['child']}`",
                markup=False,
            )


def _private(item: dict[str, Any]) -> str:
    return "  [not for the family's copy]" if item.get("private") else ""


@app.command("move")
def conference_move(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="The conference's reference (CF00001), or a booking's (BK00001).")],
    new_date: Annotated[
        str | None, typer.Argument(metavar="[DATE]", help="The date it was really held (or give --to).")
    ] = None,
    to: Annotated[
        date | None,
        typer.Option("--to", parser=date_value, metavar="DATE", help="The new day: of a booking, or of a conference."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why a booking moves (kept with it and in the audit trail).")
    ] = None,
) -> None:
    """Correct the date a conference was held on, or move a booked conference to another day (with --reason);
    deadlines follow."""
    from cpctl.casework import conference, conference_changes, conference_records
    from cpctl.casework.booking import is_booking_ref
    from cpctl.commands.common import date_value
    from cpctl.commands.saving import print_census_warnings
    from cpctl.dates import british

    if new_date is not None and to is not None:
        raise typer.BadParameter("give the new date once: DATE or --to DATE.", param_hint="--to")
    if new_date is None and to is None:
        raise typer.BadParameter("give the new date: --to DATE.", param_hint="--to")
    when = to if to is not None else date_value(new_date or "")
    if is_booking_ref(ref):
        from cpctl.commands.conference_booking import move_booking

        move_booking(ctx, ref, when, reason)
        return
    if reason is not None:
        raise typer.BadParameter(
            "a recorded conference's date is corrected, not moved: use `cpctl conference correct "
            f"{ref} --date DATE --reason ...` to keep a reason.",
            param_hint="--reason",
        )
    store = open_store(ctx)
    with store.write() as session:
        row = conference_records.find(session, ref)
        old = conference_changes.move(session, row, when)
        warnings = conference.census_warnings_after_change(session, row) if old != when else []
    if old == when:
        out().print(f"{ref} was already recorded on {british(when)}; nothing changed.", markup=False)
    else:
        out().print(f"Moved {ref} from {british(old)} to {british(when)}; its deadlines follow.", markup=False)
    print_census_warnings(warnings)


@app.command("correct")
def conference_correct(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="CONFERENCE", help="The conference's reference (CF00001).")],
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why it is corrected (kept in the audit trail; asked in a terminal)."),
    ] = None,
    new_date: Annotated[
        date | None,
        typer.Option("--date", parser=date_value, metavar="DATE", help="The date it was really held."),
    ] = None,
    attended: Annotated[list[str] | None, typer.Option("--attended", metavar="PERSON", help="Came (repeat).")] = None,
    apologies: Annotated[
        list[str] | None, typer.Option("--apologies", metavar="PERSON", help="Sent apologies (repeat).")
    ] = None,
    report: Annotated[
        list[str] | None, typer.Option("--report", metavar="PERSON", help="Sent a report instead (repeat).")
    ] = None,
    not_invited: Annotated[
        list[str] | None,
        typer.Option("--not-invited", metavar="PERSON=REASON", help="Was not invited, and why (repeat)."),
    ] = None,
    remove: Annotated[
        list[str] | None,
        typer.Option("--remove", metavar="PERSON", help="Listed by mistake: take out of the attendance (repeat)."),
    ] = None,
    role: Annotated[
        list[str] | None, typer.Option("--role", metavar="PERSON=ROLE", help="Their role on the day (repeat).")
    ] = None,
    agency: Annotated[
        list[str] | None, typer.Option("--agency", metavar="PERSON=AGENCY", help="Their agency on the day (repeat).")
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category", metavar="CHILD=CODE[,CODE]", help="The category of harm the decision named (repeat)."
        ),
    ] = None,
    inquorate_reason: Annotated[
        str | None, typer.Option("--inquorate-reason", help="Why it went ahead without a quorum.")
    ] = None,
    participation: Annotated[
        list[str] | None,
        typer.Option(
            "--participation", metavar="CHILD=CODE", help="How the child took part, PN0 to PN7 (repeat for each)."
        ),
    ] = None,
    discussion: Annotated[
        str | None,
        typer.Option(
            "--discussion", metavar="TEXT", help="The chair's summary of the discussion and the analysis of risk."
        ),
    ] = None,
) -> None:
    """Correct a conference's facts recorded wrongly: attendance, a decision's category, a child's participation,
    the summary of the discussion, its date; with a reason.

    In a terminal, with nothing to correct given, it asks what was recorded wrongly.
    """
    from cpctl.casework import conference, conference_records, corrections
    from cpctl.commands.saving import print_census_warnings

    when = new_date
    fixes: dict[str, corrections.AttendanceFix] = {}

    def fix_for(person: str) -> corrections.AttendanceFix:
        return fixes.setdefault(person.strip(), corrections.AttendanceFix(person=person.strip()))

    for option, people, status in (
        ("--attended", attended, "attended"),
        ("--apologies", apologies, "apologies"),
        ("--report", report, "report"),
    ):
        for person in people or []:
            _one_status(fix_for(person), status, option)
    for text in not_invited or []:
        person, why = _pair(text, "--not-invited", "PERSON=REASON")
        _one_status(fix_for(person), "not-invited", "--not-invited").reason = why
    for person in remove or []:
        fix_for(person).remove = True
    for text in role or []:
        person, value = _pair(text, "--role", "PERSON=ROLE")
        fix_for(person).role = value
    for text in agency or []:
        person, value = _pair(text, "--agency", "PERSON=AGENCY")
        fix_for(person).agency = value
    categories: dict[str, list[str]] = {}
    for text in category or []:
        child, codes = _pair(text, "--category", "CHILD=CODE[,CODE]")
        categories[child] = [code.strip() for code in codes.split(",") if code.strip()]
    took_part: dict[str, str] = {}
    for text in participation or []:
        child, code = _pair(text, "--participation", "CHILD=CODE")
        took_part[child] = code
    fix = corrections.ConferenceFix(
        reason=reason or "",
        date=when,
        attendance=list(fixes.values()),
        categories=categories,
        inquorate_reason=inquorate_reason,
        participation=took_part,
        discussion=discussion,
    )
    nothing_given = (
        when is None and not fixes and not categories and inquorate_reason is None and not took_part
    ) and discussion is None
    store = open_store(ctx)
    if nothing_given and interactive():
        from cpctl.commands.wizards.correct import ask_conference_fix

        fix = ask_conference_fix(store, ref, reason)
    with store.write() as session:
        row = conference_records.find(session, ref)
        shown = row.ref
        done = corrections.correct(session, row, fix)
        warnings = conference.census_warnings_after_change(session, row) if done.changes else []
    print_corrected(shown, done)
    print_census_warnings(warnings)


def _pair(text: str, option: str, form: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise typer.BadParameter(f"{text[:40]!r} is not {form}.", param_hint=option)
    return key.strip(), value.strip()


def _one_status(fix: Any, status: str, option: str) -> Any:
    if fix.status is not None and fix.status != status:
        raise typer.BadParameter(f"{fix.person} is given two kinds of attendance; give one.", param_hint=option)
    fix.status = status
    return fix


def print_corrected(ref: str, done: Any) -> None:
    from cpctl.dates import british

    console = out()
    if not done.changes:
        console.print(f"{ref} already records that; nothing changed.", markup=False)
        return
    console.print(f"Corrected {ref}; the reason is in the audit trail and the deadlines follow.", markup=False)
    for key, (old, new) in done.changes.items():
        if key == "date":
            console.print(
                f"  date: {british(date.fromisoformat(old))} → {british(date.fromisoformat(new))}", markup=False
            )
        elif key == "quorum":
            console.print(
                f"  quorum: {_quorum_words(old)} → {_quorum_words(new)}",
                markup=False,
            )
        elif key == "discussion":
            console.print(f"  discussion: {_summary_words(old)} → {_summary_words(new)}", markup=False)
        elif key.startswith("participation."):
            from cpctl.casework.participation import words

            console.print(f"  participation of {key.partition('.')[2]}: {words(old)} → {words(new)}", markup=False)
        elif key.startswith("attendance."):
            console.print(f"  {key.partition('.')[2]}: {_attendance_change(old, new)}", markup=False)
        else:
            what, _, who = key.partition(".")
            console.print(f"  {what} of {who}: {', '.join(old) or 'none'} → {', '.join(new) or 'none'}", markup=False)
    for child, plan, version in done.versions:
        console.print(f"  {child}: plan {plan} is now version {version} (a correction).", markup=False)


def _summary_words(text: str | None) -> str:
    if not text:
        return "none"
    line = " ".join(text.split())
    return '"' + (line if len(line) <= 60 else line[:57] + "...") + '"'


def _quorum_words(value: dict[str, Any]) -> str:
    state = "quorate" if value["quorate"] else "not quorate"
    return f"{value['agencies']} agencies, {state}"


def _attendance_change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    """'sent a report → attended', 'role Class teacher → Deputy head', 'added: attended', 'taken off the list'."""
    from cpctl.commands.common import STATUS_WORDS

    def status(value: dict[str, Any]) -> str:
        return STATUS_WORDS.get(value["status"], value["status"]) + (f" ({value['reason']})" if value["reason"] else "")

    if new is None:
        return f"taken off the list (was: {status(old)})" if old else "taken off the list"
    if old is None:
        return f"added: {status(new)}"
    parts = []
    if (old["status"], old["reason"]) != (new["status"], new["reason"]):
        parts.append(f"{status(old)} → {status(new)}")
    for field in ("role", "agency"):
        if old[field] != new[field]:
            parts.append(f"{field} {old[field] or 'none'} → {new[field] or 'none'}")
    return "; ".join(parts)


from cpctl.commands import conference_booking  # noqa: E402 - book, cancel, report: their own module

conference_booking.register(app)
