"""`cpctl child`: the children (and unborn babies) in the store."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer

from cpctl.commands.common import (
    ChildArg,
    JsonOpt,
    date_value,
    emit_json,
    err,
    markup_free,
    open_store,
    out,
    table,
    yes_no,
)

app = typer.Typer(help="Add, list, show and edit children (and unborn babies).", no_args_is_help=True)

RefOpt = Annotated[
    str | None, typer.Option("--id", help="The authority's own id for the child (made up if not given).")
]
DobOpt = Annotated[date | None, typer.Option("--dob", parser=date_value, metavar="DATE", help="Date of birth.")]
DueOpt = Annotated[
    date | None,
    typer.Option(
        "--expected", parser=date_value, metavar="DATE", help="Expected date of delivery, for an unborn baby."
    ),
]
GenderOpt = Annotated[str | None, typer.Option(help="Gender, as the child or family describe it.")]
LanguageOpt = Annotated[str | None, typer.Option("--language", help="Preferred language (default English).")]
InterpreterOpt = Annotated[
    bool | None,
    typer.Option("--interpreter/--no-interpreter", help="Whether the child needs an interpreter."),
]
CultureOpt = Annotated[str | None, typer.Option("--culture", help="Cultural or religious needs to respect.")]
DisabilityOpt = Annotated[str | None, typer.Option(help="Any disability and the needs that arise from it.")]
FamilyOpt = Annotated[str | None, typer.Option(help="The family or household (groups siblings); made if new.")]
# The census items (England's Children in Need census); `cpctl census --check` says which a child still lacks.
TeamOpt = Annotated[
    str | None, typer.Option("--team", metavar="NAME", help="The team that holds the case; made if new.")
]
UpnOpt = Annotated[
    str | None, typer.Option("--upn", metavar="UPN", help="Census: the unique pupil number (13 characters).")
]
FormerUpnOpt = Annotated[
    str | None, typer.Option("--former-upn", metavar="UPN", help="Census: a UPN the child had before.")
]
UpnUnknownOpt = Annotated[
    str | None,
    typer.Option("--upn-unknown", metavar="UN1..UN7", help="Census: why there is no UPN (UN1 under 6 ... UN7)."),
]
CensusSexOpt = Annotated[
    str | None,
    typer.Option(
        "--census-sex",
        metavar="CODE",
        help="Census (GenderCurrent): 1 or male, 2 or female, 0 or unknown (also unborn), 9 or indeterminate.",
    ),
]
EthnicityOpt = Annotated[
    str | None, typer.Option("--ethnicity", metavar="CODE", help="Census: ethnicity code (WBRI, APKN, ... NOBT).")
]
DisabilityCodeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--disability-code",
        metavar="CODE",
        help="Census: a disability code (MOB, LD, AUT, ...; repeat for several), or NONE.",
    ),
]
CensusIdOpt = Annotated[
    str | None,
    typer.Option(
        "--census-id",
        metavar="ID",
        help="Census: the LAchildID, when the child's id is not 1 to 20 letters and digits once punctuation goes.",
    ),
]


def _census_items(
    upn: str | None,
    former_upn: str | None,
    upn_unknown: str | None,
    census_sex: str | None,
    ethnicity: str | None,
    disability_code: list[str] | None,
    census_id: str | None,
) -> dict[str, Any]:
    items = {
        "upn": upn,
        "former_upn": former_upn,
        "upn_unknown": upn_unknown,
        "census_gender": census_sex,
        "ethnicity": ethnicity,
        "disabilities": disability_code or None,
        "la_child_id": census_id,
    }
    return {key: value for key, value in items.items() if value is not None}


@app.command("add")
def child_add(
    ctx: typer.Context,
    given_name: Annotated[str, typer.Argument(help="Given name (for an unborn baby, e.g. 'Baby').")],
    family_name: Annotated[str, typer.Argument(help="Family name.")],
    ref: RefOpt = None,
    dob: DobOpt = None,
    expected: DueOpt = None,
    gender: GenderOpt = None,
    language: LanguageOpt = None,
    interpreter: InterpreterOpt = None,
    culture: CultureOpt = None,
    disability: DisabilityOpt = None,
    family: FamilyOpt = None,
    team: TeamOpt = None,
    upn: UpnOpt = None,
    former_upn: FormerUpnOpt = None,
    upn_unknown: UpnUnknownOpt = None,
    census_sex: CensusSexOpt = None,
    ethnicity: EthnicityOpt = None,
    disability_code: DisabilityCodeOpt = None,
    census_id: CensusIdOpt = None,
) -> None:
    """Add a child, or an unborn baby with --expected."""
    from cpctl.casework import people

    census = _census_items(upn, former_upn, upn_unknown, census_sex, ethnicity, disability_code, census_id)

    from cpctl.casework import access

    store = open_store(ctx)
    with store.write() as session:
        if team is None:
            team = access.own_team(session)  # on a team's store: a social worker's child is their team's
        child = people.add_child(
            session,
            given_name=given_name,
            family_name=family_name,
            ref=ref,
            date_of_birth=dob,
            expected_date=expected,
            gender=gender,
            preferred_language=language,
            interpreter_needed=bool(interpreter),
            culture_religion=culture,
            disability=disability,
            family=family,
            census=census,
            team=team,
        )
        summary = f"Added child {child.ref}: {child.full_name} ({_born(child.date_of_birth, child.expected_date)})"
    out().print(summary, markup=False)


@app.command("list")
def child_list(
    ctx: typer.Context,
    family: Annotated[str | None, typer.Option(help="Only the children of this family.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the children in the store."""
    from cpctl.casework import people

    store = open_store(ctx)
    with store.read() as session:
        records = [people.child_record(session, c) for c in people.list_children(session, family=family)]
    if as_json:
        emit_json(records)
        return
    if not records:
        out().print("No children yet: add one with `cpctl child add GIVEN FAMILY --dob DATE`.")
        return
    grid = table("Id", "Name", "Born / due", "Family", "Language")
    for record in records:
        language = record["preferred_language"] + (" (interpreter)" if record["interpreter_needed"] else "")
        grid.add_row(
            record["id"],
            f"{record['given_name']} {record['family_name']}",
            _born_iso(record),
            record["family"] or "",
            language,
        )
    out().print(grid)


@app.command("show")
def child_show(
    ctx: typer.Context,
    child: ChildArg,
    as_json: JsonOpt = False,
) -> None:
    """Show one child: details, family, people around them, plans, and the case as a timeline."""
    from dataclasses import asdict

    from cpctl.casework import access, census_items, conference_records, people, quality, schedule, timeline
    from cpctl.casework import plan as plans

    store = open_store(ctx)
    with store.read() as session:
        found = people.find_child(session, child)
        record = people.child_record(session, found)
        record.update(census_items.records(session, found))
        census_store = census_items.returns_census(session)
        record["siblings"] = [{"id": s.ref, "name": s.full_name} for s in people.siblings(session, found)]
        record["people"] = [
            {
                "ref": p.ref,
                "name": p.name,
                "kind": p.kind,
                "relationship": rel,
                "role": p.role,
                "agency": p.agency,
            }
            for p, rel in people.people_of_child(session, found)
        ]
        record["plans"] = plans.plan_summaries(session, found)
        record["conferences"] = [
            {
                "ref": c["ref"],
                "date": c["date"],
                "kind": c["kind"],
                "outcome": next((d["outcome"] for d in c["decisions"] if d["child"] == found.ref), None),
            }
            for c in conference_records.listing(session, child=found)
        ]
        record["quality"] = quality.listing(session, found)
        restricted = access.shown_restriction(session, found)  # the owner's alone to know
        if restricted:
            record["restricted_to"] = restricted
        if record["plans"]:
            profile = schedule.load_profile(session)
            terms = asdict(profile.terms)
            record["register"] = terms.get("register")
            record["timeline"] = timeline.entries(session, found, terms=terms)
        else:
            record["register"] = None
            record["timeline"] = []
    if as_json:
        emit_json(record)
        return
    _print_child(record, census_store=census_store)


def _print_child(record: dict[str, Any], *, census_store: bool) -> None:
    console = out()
    name = markup_free(f"{record['given_name']} {record['family_name']}")
    console.print(f"[bold]{name}[/bold]  ({markup_free(record['id'])})")
    rows = [
        ("Born / due", _born_iso(record)),
        ("Gender", record["gender"] or "not recorded"),
        (
            "Language",
            f"{record['preferred_language']}; interpreter needed: {yes_no(record['interpreter_needed'])}",
        ),
        ("Culture, religion", record["culture_religion"] or "none recorded"),
        ("Disability", record["disability"] or "none recorded"),
        ("Family", record["family"] or "none recorded"),
        ("Team", record["team"] or "none recorded"),
    ]
    if record.get("restricted_to"):
        rows.append(("Restricted to", ", ".join(record["restricted_to"])))
    census = record["census"]
    if census_store or any(census.values()):
        rows += _census_rows(census)
    if record["siblings"]:
        rows.append(("Siblings", ", ".join(f"{s['name']} ({s['id']})" for s in record["siblings"])))
    for label, value in rows:
        console.print(f"  {label + ':':<19}{value}", markup=False)
    if record["people"]:
        grid = table("Ref", "Name", "Relationship", "Agency", title="People around the child")
        for p in record["people"]:
            grid.add_row(p["ref"], p["name"], p["relationship"], p["agency"] or "")
        console.print(grid)
    _print_referrals(record)
    _print_plans(record)
    _print_quality(record["quality"])


def _census_rows(census: dict[str, Any]) -> list[tuple[str, str]]:
    """The census items in words: 'WBRI (White British)'."""
    from cpctl.rules import census_codes

    def worded(value: str | None, codes: dict[str, str]) -> str:
        return f"{value} ({codes.get(value, '?')})" if value else "not recorded"

    if census["upn"]:
        upn = census["upn"]
    elif census["upn_unknown"]:
        upn = f"unknown: {worded(census['upn_unknown'], census_codes.UPN_UNKNOWN)}"
    else:
        upn = "not recorded"
    if census["former_upn"]:
        upn += f" (formerly {census['former_upn']})"
    disabilities = ", ".join(worded(c, census_codes.DISABILITY) for c in census["disabilities"]) or "not recorded"
    rows = [
        ("UPN", upn),
        ("Census sex", worded(census["sex"], census_codes.GENDER)),
        ("Ethnicity", worded(census["ethnicity"], census_codes.ETHNICITY)),
        ("Disability codes", disabilities),
    ]
    if census["la_child_id"]:
        rows.append(("Census id", census["la_child_id"]))
    return rows


def _print_referrals(record: dict[str, Any]) -> None:
    """The child in need episodes and the section 47 enquiries, when any are recorded."""
    from cpctl.dates import short_british

    def day(text: str) -> str:
        return short_british(date.fromisoformat(text))

    console = out()
    for referral in record["referrals"]:
        need = f", need {referral['primary_need']}" if referral["primary_need"] else ""
        nfa = ", no further action" if referral["no_further_action"] else ""
        closed = (
            f"closed {day(referral['closed_on'])} ({referral['closure_reason']})" if referral["closed_on"] else "open"
        )
        console.print(
            f"  Referral {day(referral['referral_on'])}: source {referral['source']} "
            f"({referral['source_words']}){need}{nfa}; {closed}",
            markup=False,
        )
    for enquiry in record["enquiries"]:
        if enquiry["conference"]:
            fate = f"led to conference {enquiry['conference']}"
        elif not enquiry["conference_needed"]:
            fate = "no initial conference needed"
        else:
            fate = "no conference recorded yet"
        console.print(f"  Section 47 enquiry started {day(enquiry['started_on'])}: {fate}", markup=False)


def _print_quality(quality: dict[str, Any]) -> None:
    """The chair's midway reviews and escalations, with the deadlines they meet or still owe."""
    from cpctl.casework.quality import OUTCOMES
    from cpctl.dates import short_british

    def day(text: str | None) -> str:
        return short_british(date.fromisoformat(text)) if text else ""

    def fate(due: dict[str, Any] | None) -> str:
        if due is None:
            return ""
        if due["status"] == "met":
            return f"due {day(due['due'])}, met {day(due['met_on'])}" + (
                " (late)" if due["met_on"] > due["due"] else ""
            )
        if due["status"] == "closed":
            return f"due {day(due['due'])}, not held"
        late = " OVERDUE" if date.fromisoformat(due["due"]) < date.today() else ""
        return f"due {day(due['due'])}{late}"

    console = out()
    checks, owed = quality["checks"], quality["midway_reviews_due"]
    if not checks and not owed:
        return
    grid = table("Ref", "Date", "What", "Outcome", title="The chair's quality assurance")
    for check in checks:
        if check["kind"] == "midway":
            what = f"midway review of plan {check['plan']}"
            outcome = OUTCOMES.get(check["outcome"] or "", check["outcome"] or "")
            if check["notes"]:
                outcome += f"; {check['notes']}"
        else:
            what = f"escalation: {check['concern']} (raised with {check['raised_with']})"
            parts = []
            if check["response"]:
                parts.append(f"answered {day(check['responded_on'])}: {check['response']}")
            else:
                parts.append("no response yet; response " + fate(check["response_due"]))
            if check["resolved_on"]:
                parts.append(f"resolved {day(check['resolved_on'])}: {check['outcome']}")
            else:
                parts.append("not resolved")
            outcome = "; ".join(parts)
        grid.add_row(check["ref"], day(check["date"]), what, outcome)
    for due in owed:
        if due["status"] == "open" or (due["status"] == "met" and due["met_on"] > due["due"]):
            grid.add_row("", "", f"midway review of plan {due['plan']}", fate(due))
    console.print(grid)


def _print_plans(record: dict[str, Any]) -> None:
    from cpctl.dates import short_british

    console = out()
    if not record["plans"]:
        console.print("  No child protection plan recorded.")
    for p in record["plans"]:
        state = f"ended {short_british(date.fromisoformat(p['ended_on']))}" if p["ended_on"] else "in force"
        console.print(
            f"  Plan {p['number']}: from {short_british(date.fromisoformat(p['started_on']))}, {state}; "
            f"categories {', '.join(p['latest_categories']) or 'none'}; "
            f"lead worker {p['lead_worker']['name'] if p['lead_worker'] else 'none'}",
            markup=False,
        )
        if p["version"]:
            draft = f" (draft, {p['gaps']} gap(s))" if p["draft"] else ""
            console.print(f"    version {p['version']}{draft}", markup=False)
        if p["ended_on"]:
            console.print(f"    ended because: {p['end_reason'].rstrip('.')}. Next: {p['step_down']}.", markup=False)
    if record["register"] and record["plans"]:
        latest = record["plans"][0]
        since = short_british(date.fromisoformat(latest["started_on"]))
        if latest["ended_on"]:
            until = short_british(date.fromisoformat(latest["ended_on"]))
            console.print(f"  On the {record['register']} from {since} to {until}.", markup=False)
        else:
            console.print(f"  On the {record['register']} since {since}.", markup=False)
    if record["timeline"]:
        grid = table("Date", "What happened", title="Timeline")
        for entry in record["timeline"]:
            style = "red" if entry.get("status") in ("late", "missed", "overdue") else None
            grid.add_row(short_british(date.fromisoformat(entry["date"])), entry["text"], style=style)
        console.print(grid)


@app.command("edit")
def child_edit(
    ctx: typer.Context,
    child: ChildArg,
    given_name: Annotated[str | None, typer.Option(help="New given name.")] = None,
    family_name: Annotated[str | None, typer.Option(help="New family name.")] = None,
    dob: DobOpt = None,
    expected: DueOpt = None,
    gender: GenderOpt = None,
    language: LanguageOpt = None,
    interpreter: InterpreterOpt = None,
    culture: CultureOpt = None,
    disability: DisabilityOpt = None,
    family: FamilyOpt = None,
    team: TeamOpt = None,
    upn: UpnOpt = None,
    former_upn: FormerUpnOpt = None,
    upn_unknown: UpnUnknownOpt = None,
    census_sex: CensusSexOpt = None,
    ethnicity: EthnicityOpt = None,
    disability_code: DisabilityCodeOpt = None,
    census_id: CensusIdOpt = None,
) -> None:
    """Change a child's details (record a birth with --dob; "" clears a census item or the team)."""
    from cpctl.casework import people
    from cpctl.errors import Invalid

    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "given_name": given_name,
            "family_name": family_name,
            "date_of_birth": dob,
            "expected_date": expected,
            "gender": gender,
            "preferred_language": language,
            "interpreter_needed": interpreter,
            "culture_religion": culture,
            "disability": disability,
        }.items()
        if value is not None
    }
    census = _census_items(upn, former_upn, upn_unknown, census_sex, ethnicity, disability_code, census_id)
    if not changes and family is None and team is None and not census:
        raise Invalid("nothing to change: give at least one option, e.g. --dob or --language (see --help).")
    store = open_store(ctx)
    with store.write() as session:
        found = people.find_child(session, child)
        changed = people.edit_child(session, found, family=family, census=census, team=team, **changes)
        ref = found.ref
    if changed:
        out().print(f"Updated child {ref}: " + ", ".join(key.replace("_", " ") for key in changed), markup=False)
    else:
        out().print(f"Child {ref} already had those details; nothing changed.", markup=False)


@app.command("restrict")
def child_restrict(
    ctx: typer.Context,
    child: ChildArg,
    to: Annotated[
        list[str],
        typer.Option("--to", metavar="LOGIN", help="A login who may see the child (repeat for several)."),
    ],
) -> None:
    """Restrict a child's record to the logins listed (it replaces any list before it): on a team's store, only they
    (and the store's owner) may see the child from now on."""
    from cpctl.casework import access, people

    store = open_store(ctx)
    with store.write() as session:
        access.require_owner(session)
        found = people.find_child(session, child)
        before = access.restrict(session, found, to)
        ref, after = found.ref, access.restricted_to(session, found)
    if before == after:
        out().print(f"{ref} was restricted to {', '.join(after)} already; nothing changed.", markup=False)
    else:
        out().print(f"Restricted {ref} to {', '.join(after)}: nobody else but the store's owner sees it.", markup=False)


@app.command("unrestrict")
def child_unrestrict(ctx: typer.Context, child: ChildArg) -> None:
    """Lift a child's restriction: everyone whose role reaches the child sees it again (recorded in the audit trail)."""
    from cpctl.casework import access, people

    store = open_store(ctx)
    with store.write() as session:
        access.require_owner(session)
        found = people.find_child(session, child)
        before = access.unrestrict(session, found)
        ref = found.ref
    if before:
        out().print(f"Lifted the restriction of {ref} (it was restricted to {', '.join(before)}).", markup=False)
    else:
        out().print(f"{ref} was not restricted; nothing changed.", markup=False)


@app.command("strategy")
def child_strategy(
    ctx: typer.Context,
    child: ChildArg,
    on: Annotated[
        date,
        typer.Option("--on", parser=date_value, metavar="DATE", help="When the strategy discussion was held."),
    ],
) -> None:
    """Record a strategy discussion that decided to hold an initial conference (it starts that clock)."""
    from cpctl.casework import conference_changes, people
    from cpctl.dates import british

    store = open_store(ctx)
    with store.write() as session:
        found = people.find_child(session, child)
        added = conference_changes.record_strategy_discussion(session, found, on)
        ref = found.ref
    if added:
        out().print(
            f"Recorded a strategy discussion for {ref} on {british(on)}; see `cpctl due --child {ref}`.",
            markup=False,
        )
    else:
        out().print(f"{ref} already had a strategy discussion on {british(on)}; nothing changed.", markup=False)


@app.command("referral")
def child_referral(
    ctx: typer.Context,
    child: ChildArg,
    on: Annotated[
        date | None,
        typer.Option("--on", parser=date_value, metavar="DATE", help="The referral date: opens an episode."),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source", metavar="CODE", help="Who referred: the census code (1A ... 10; 2A schools, 6 police)."
        ),
    ] = None,
    need: Annotated[
        str | None,
        typer.Option("--need", metavar="CODE", help="The primary need code (N1 abuse or neglect ... N0 not stated)."),
    ] = None,
    nfa: Annotated[bool, typer.Option("--nfa", help="The referral led to no further action.")] = False,
    close: Annotated[
        date | None,
        typer.Option("--close", parser=date_value, metavar="DATE", help="Close the open episode on this date."),
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", metavar="RCn", help="Why the episode closed: RC1 ... RC9 (RC7 services ceased)."),
    ] = None,
) -> None:
    """Record a child in need referral (--on, --source) that opens an episode, or close it (--close, --reason)."""
    from cpctl.casework import census_items, people
    from cpctl.dates import british
    from cpctl.errors import Invalid

    if (on is None) == (close is None):
        raise Invalid("give --on DATE --source CODE to record a referral, or --close DATE --reason RCn to close one.")
    if on is not None and not source:
        raise Invalid("a referral needs its source: --source CODE (e.g. 2A schools, 6 police; see --help).")
    if close is not None and not reason:
        raise Invalid("closing an episode needs the census's reason: --reason RC1 ... RC9 (RC7: services ceased).")
    store = open_store(ctx)
    with store.write() as session:
        found = people.find_child(session, child)
        ref = found.ref
        if on is not None:
            episode = census_items.record_referral(session, found, on=on, source=source or "", need=need, nfa=nfa)
            message = (
                f"Recorded a referral for {ref} on {british(on)}."
                if episode is not None
                else f"{ref} already had that referral on {british(on)}; nothing changed."
            )
        else:
            assert close is not None
            episode = census_items.close_referral(session, found, on=close, reason=reason or "")
            message = f"Closed {ref}'s referral of {british(episode.referral_on)} on {british(close)}."
    out().print(message, markup=False)


@app.command("enquiry")
def child_enquiry(
    ctx: typer.Context,
    child: ChildArg,
    started: Annotated[
        date,
        typer.Option("--started", parser=date_value, metavar="DATE", help="When the section 47 enquiry started."),
    ],
    no_conference_needed: Annotated[
        bool,
        typer.Option("--no-conference-needed", help="The enquiry ended without an initial conference being needed."),
    ] = False,
) -> None:
    """Record a section 47 enquiry (England); the initial conference it leads to links itself to it."""
    from cpctl.casework import census_items, people
    from cpctl.dates import british

    store = open_store(ctx)
    with store.write() as session:
        found = people.find_child(session, child)
        enquiry, changed = census_items.record_enquiry(
            session, found, started=started, conference_needed=not no_conference_needed
        )
        ref = found.ref
        outside = census_items.episode_holding(session, found, started) is None
        england = census_items.returns_census(session)
    if not changed:
        out().print(f"{ref} already had that enquiry from {british(started)}; nothing changed.", markup=False)
        return
    needed = "; no initial conference needed" if enquiry.icpc_not_required else ""
    out().print(f"Recorded a section 47 enquiry for {ref} from {british(started)}{needed}.", markup=False)
    if outside and england:
        err().print(
            f"Warning: no referral recorded for {ref} covers {british(started)}, and the census places an "
            f"enquiry in its child in need episode: `cpctl child referral {ref} --on DATE --source CODE`.",
            markup=False,
        )


def _born(dob: date | None, expected: date | None) -> str:
    from cpctl.dates import british

    if dob is not None:
        return f"born {british(dob)}"
    return f"unborn, due {british(expected)}"


def _born_iso(record: dict[str, Any]) -> str:
    """'13 Oct 2018 (age 8)' or 'due 31 Jan 2027' for a table cell."""
    from cpctl.dates import age_on, short_british

    if record["date_of_birth"]:
        born = date.fromisoformat(record["date_of_birth"])
        return f"{short_british(born)} (age {age_on(born, date.today())})"
    return f"due {short_british(date.fromisoformat(record['expected_date']))}"
