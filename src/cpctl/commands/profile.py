"""`cpctl profile`: each jurisdiction's timescale rules, categories and words, and local overrides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cpctl.commands.common import CliState, JsonOpt, emit_json, open_store, say

if TYPE_CHECKING:
    from cpctl.rules.profile import Profile

app = typer.Typer(
    help="See each jurisdiction's timescale rules and where every value comes from; override them locally.",
    no_args_is_help=True,
)

PROFILE_NAMES = "england, wales, scotland, northern-ireland or guernsey"
NameArg = Annotated[
    str | None,
    typer.Argument(metavar="[NAME]", help=f"The profile: {PROFILE_NAMES} (default: this store's jurisdiction)."),
]
ProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        metavar="NAME",
        help=f"The profile: {PROFILE_NAMES} (default: this store's jurisdiction).",
    ),
]


@app.command("list")
def profile_list(as_json: JsonOpt = False) -> None:
    """List the jurisdiction profiles cpctl ships, and where local overrides are read from."""
    from cpctl.rules import profile

    records: list[dict[str, Any]] = []
    for name in profile.names():
        loaded = profile.load(name)
        records.append(
            {
                "name": name,
                "title": loaded.title,
                "override_file": str(loaded.override_file) if loaded.override_file else None,
            }
        )
    if as_json:
        emit_json(records)
        return
    width = max(len(record["name"]) for record in records)
    for record in records:
        line = f"{record['name']:<{width}}  {record['title']}"
        if record["override_file"]:
            line += f" (with local overrides from {record['override_file']})"
        say(line)


@app.command("show")
def profile_show(ctx: typer.Context, name: NameArg = None, as_json: JsonOpt = False) -> None:
    """Show the rules in force for a jurisdiction, and where each value came from."""
    from cpctl.rules import profile

    loaded = profile.load(chosen_profile(ctx, name))
    if as_json:
        emit_json(profile_record(loaded))
        return
    for line in _profile_lines(loaded):
        say(line)


@app.command("set")
def profile_set(
    ctx: typer.Context,
    key: Annotated[
        str,
        typer.Argument(
            help=(
                'What to set: e.g. rules.first-core-group.amount, rules.first-core-group (as "15 '
                'working-days"), '
                "day_zero, closed_day, rules.first-review.closed_day, terms.lead_worker, quorum.min_agencies."
            )
        ),
    ],
    value: Annotated[
        str,
        typer.Argument(
            help=(
                "The new value: a number, a unit (working-days, days, weeks, months), day_zero's event or "
                "day-one, closed_day's bring-forward, push-back or keep, "
                "or text; 'null' clears an optional value."
            )
        ),
    ],
    profile_name: ProfileOpt = None,
    source: Annotated[
        str | None,
        typer.Option("--source", metavar="TEXT", help="The local procedure that sets it (for a rule or the quorum)."),
    ] = None,
) -> None:
    """Override one value of a profile for your authority, in your own override file.

    The file is <data folder>/profiles/NAME.yaml, or $CPCTL_PROFILE_OVERRIDES. cpctl checks the result before
    saving it; comments in a file you edited by hand are not kept.
    """
    from cpctl.rules import overrides

    change = overrides.set_override(chosen_profile(ctx, profile_name), key, value, source=source)
    was = f"was {_shown(change.before)}, from {change.before_origin}" if change.before_origin else "was not set"
    say(f"Set {change.key} to {_shown(change.value)} for {change.profile} in {change.path} ({was}).")
    if not change.source_stated:
        rule = change.key.split(".")[1]
        say(
            f'No source is recorded for rules.{rule}: add one with --source "..." so that every '
            "deadline it makes can say which procedure set it."
        )


def chosen_profile(ctx: typer.Context, name: str | None) -> str:
    """The profile NAME given, or else the store's jurisdiction (never creating a store that is not there)."""
    if name:
        return name
    from cpctl.errors import CpctlError, Invalid
    from cpctl.paths import database_url, sqlite_path
    from cpctl.rules.profile import names
    from cpctl.store import settings

    needed = Invalid(
        f"name a profile ({', '.join(names())}), or run `cpctl init` so that cpctl knows this store's jurisdiction."
    )
    state = ctx.find_root().obj or CliState()
    path = sqlite_path(database_url(state.db_path))
    if path is not None and not path.exists():
        raise needed
    store = open_store(ctx)
    with store.read() as session:
        try:
            return settings.current(session).jurisdiction
        except CpctlError:
            raise needed from None


def profile_record(loaded: Profile) -> dict[str, Any]:
    """A profile as JSON: every value in force, and where each came from."""
    return {
        "name": loaded.name,
        "title": loaded.title,
        "override_file": str(loaded.override_file) if loaded.override_file else None,
        "terms": dict(loaded.terms),
        "categories": [{"code": c.code, "label": c.label} for c in loaded.categories],
        "category_mode": loaded.category_mode,
        "quorum": {
            "min_agencies": loaded.quorum.min_agencies,
            "source": loaded.quorum.source,
            "note": loaded.quorum.note,
        },
        "calendar": {"country": loaded.calendar.country, "subdiv": loaded.calendar.subdiv},
        "day_zero": loaded.day_zero,
        "closed_day": loaded.closed_day,
        "rules": {
            rule.name: {
                "amount": rule.amount,
                "unit": rule.unit,
                rule.direction: rule.after,
                "source": rule.source,
                "note": rule.note,
                "origin": rule.origin,
                "closed_day": None if rule.unit == "working-days" else rule.closed_day,  # working days never move
            }
            for rule in loaded.rules
        },
        "origins": dict(loaded.origins),
    }


def _profile_lines(loaded: Profile) -> list[str]:
    from cpctl.rules.timescales import timescale_words

    def overridden(key: str) -> str:
        origin = loaded.origin(key)
        return "" if origin.startswith("packaged profile") else f" [{origin}]"

    base = f"packaged profile {loaded.name}.yaml"
    lines = [f"{loaded.title} (profile {loaded.name})"]
    lines.append(
        f"Values from: {base}"
        + (f", overridden by {loaded.override_file}" if loaded.override_file else " (no local overrides)")
    )
    lines.append(f"Calendar: weekends and {loaded.calendar.label} bank holidays{overridden('calendar')}")
    reading = (
        "event (the event is day 0, so 'within 10 working days' is the 10th working day after it)"
        if loaded.day_zero == "event"
        else "day-one (the event counts as day 1 when it is a working day, as the DfE census does)"
    )
    lines.append(f"Day zero: {reading}{overridden('day_zero')}")
    lines.append(f"Closed days: {_CLOSED_DAY_WORDS[loaded.closed_day]}{overridden('closed_day')}")
    many = "one per plan" if loaded.category_mode == "single" else "one or more per plan"
    categories = ", ".join(f"{c.code} {c.label}" for c in loaded.categories)
    lines.append(f"Categories ({many}): {categories}{overridden('categories')}")
    quorum = loaded.quorum
    lines.append(f"Quorum: at least {quorum.min_agencies} agencies ({quorum.source}){overridden('quorum')}")
    terms = loaded.terms
    words = "; ".join(f"{key}: {value or 'none'}" for key, value in terms.items())
    lines.append(f"Words: {words}{overridden('terms')}")
    lines.append("Rules:")
    for rule in loaded.rules:
        timescale = timescale_words(rule.amount, rule.unit)
        lines.append(f"  {rule.name}: {timescale} {rule.direction} the {loaded.event_words(rule.after)}")
        lines.append(f"    source: {rule.source}")
        if rule.note:
            lines.append(f"    note: {rule.note}")
        if rule.unit != "working-days" and rule.closed_day != loaded.closed_day:
            lines.append(f"    on a closed day: {rule.closed_day}")
        lines.append(f"    from: {_rule_origin(loaded, rule.name)}")
    return lines


_CLOSED_DAY_WORDS = {
    "bring-forward": "bring-forward (a date in days, weeks or months on a weekend or bank holiday moves to the "
    "working day before)",
    "push-back": "push-back (a date in days, weeks or months on a weekend or bank holiday moves to the working day "
    "after)",
    "keep": "keep (a date in days, weeks or months stays on a weekend or bank holiday; the working day before is "
    "named)",
}


def _rule_origin(loaded: Profile, name: str) -> str:
    """'packaged profile england.yaml', or each file with the fields it set when several files did."""
    prefix = f"rules.{name}."
    fields: dict[str, list[str]] = {}
    for key, label in loaded.origins.items():
        if key.startswith(prefix):
            fields.setdefault(label, []).append(key[len(prefix) :])
    if len(fields) == 1:
        return next(iter(fields))
    return "; ".join(f"{label} ({', '.join(keys)})" for label, keys in fields.items())


def _shown(value: Any) -> str:
    """A value as `profile set` reports it: 'null', '15', or a rule as '5 working days after core-group'."""
    from cpctl.rules.timescales import timescale_words

    if value is None:
        return "null"
    if isinstance(value, dict) and {"amount", "unit"} <= value.keys() and ({"after", "before"} & value.keys()):
        way = "before" if "before" in value else "after"
        return f"{timescale_words(value['amount'], value['unit'])} {way} {value[way]}"
    return str(value)
