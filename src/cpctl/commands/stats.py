"""`cpctl stats`: the authority's indicators over a period, beside the nation's own figures."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cpctl.commands.common import JsonOpt, date_value, open_store, out, table

if TYPE_CHECKING:
    from cpctl.returns.figures import Figures, Indicator

BY_HELP = (
    "One table per chair (of the plan's latest conference by the period's end; a conference's own chair for "
    "initial conferences), team (the child's), or lead worker (the plan's)."
)


def stats(
    ctx: typer.Context,
    start: Annotated[
        date | None,
        typer.Option(
            "--from", parser=date_value, metavar="DATE", help="First day counted (default: a year before --to)."
        ),
    ] = None,
    end: Annotated[
        date | None,
        typer.Option("--to", parser=date_value, metavar="DATE", help="Last day counted (default: today)."),
    ] = None,
    by: Annotated[str | None, typer.Option(help=f"chair, team or worker. {BY_HELP}")] = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV: one row per indicator (and group).")] = False,
) -> None:
    """The authority's numbers: timeliness, plan lengths, repeat plans, counts, with the national figures.

    Each percentage shows its numerator and denominator; the national figure beside it gives its year and
    source, and none is shown where the nation publishes none. The default period is the last twelve months."""
    from cpctl.casework import schedule
    from cpctl.errors import Invalid
    from cpctl.returns import stats as indicators
    from cpctl.store import settings

    if as_json and as_csv:
        raise typer.BadParameter("choose one output format, not --json and --csv.")
    if by is not None and by not in indicators.GROUPINGS:
        raise typer.BadParameter("group by chair, team or worker.", param_hint="--by")
    today = date.today()
    end = end or today
    if start is None:
        start = indicators.plus_months(end, -12) + _one_day()
    if start > end:
        raise Invalid(f"--from {start.isoformat()} is after --to {end.isoformat()}: the period must run forwards.")
    store = open_store(ctx)
    schedule.ensure_current(store)
    with store.read() as session:
        found = settings.current(session)
        profile = schedule.load_profile(session)
        figures = indicators.compute(
            session,
            profile,
            start,
            end,
            authority=found.authority,
            jurisdiction=found.jurisdiction,
            by=by,
            today=today,
        )
    if as_json:
        from cpctl.commands.common import emit_json

        emit_json(to_json(figures, by))
    elif as_csv:
        typer.echo(to_csv(figures), nl=False)
    else:
        _print(figures)


def _one_day() -> Any:
    from datetime import timedelta

    return timedelta(days=1)


def to_json(figures: list[Figures], by: str | None) -> dict[str, Any]:
    """The figures as JSON: the period, and the indicators and breakdowns of the whole or of each group."""
    from dataclasses import asdict

    first = figures[0] if figures else None

    def one(item: Figures) -> dict[str, Any]:
        return {
            **({"group": item.group} if by else {}),
            "indicators": [{**asdict(i), "value": _rounded(i.value)} for i in item.indicators],
            "breakdowns": [{**asdict(b), "total": b.total} for b in item.breakdowns],
        }

    head = {
        "from": first.start if first else None,
        "to": first.end if first else None,
        "authority": first.authority if first else None,
        "jurisdiction": first.jurisdiction if first else None,
        "by": by,
    }
    if by is None:
        return {**head, **(one(figures[0]) if figures else {"indicators": [], "breakdowns": []})}
    return {**head, "groups": [one(item) for item in figures]}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


CSV_COLUMNS = (
    "group",
    "key",
    "label",
    "unit",
    "numerator",
    "denominator",
    "value",
    "national",
    "national_year",
    "national_source",
    "from",
    "to",
)


def to_csv(figures: list[Figures]) -> str:
    """One row per indicator and per breakdown row (key `categories:Neglect`), for each group."""
    import csv
    import io

    from cpctl.commands.due import csv_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in figures:
        period = (item.start.isoformat(), item.end.isoformat())
        for i in item.indicators:
            national = i.national
            writer.writerow(
                [
                    csv_cell(item.group or ""),
                    i.key,
                    csv_cell(i.label),
                    i.unit,
                    "" if i.numerator is None else i.numerator,
                    "" if i.denominator is None else i.denominator,
                    "" if i.value is None else _rounded(i.value),
                    "" if national is None else national.value,
                    "" if national is None else national.year,
                    "" if national is None else csv_cell(national.source),
                    *period,
                ]
            )
        for b in item.breakdowns:
            shares = dict(b.national or ())
            for label, number in b.rows:
                writer.writerow(
                    [
                        csv_cell(item.group or ""),
                        f"{b.key}:{label}",
                        csv_cell(label),
                        "count",
                        "",
                        "",
                        number,
                        shares.get(label, ""),
                        "",
                        csv_cell(b.national_source or "") if label in shares else "",
                        *period,
                    ]
                )
    return buffer.getvalue()


def shown(indicator: Indicator) -> tuple[str, str]:
    """('47 of 52', '90.4%') for a percentage; ('12', '') for a count; '-' where there is nothing to count."""
    if indicator.unit == "percent":
        if not indicator.denominator:
            return "0 of 0", "-"
        value = indicator.value or 0.0
        return f"{indicator.numerator:,} of {indicator.denominator:,}", f"{value:.1f}%"
    number = indicator.number
    return ("-" if number is None else f"{number:,.0f}"), ""


def _print(figures: list[Figures]) -> None:
    from cpctl.dates import british

    console = out()
    if not figures:
        console.print("No groups: nothing was counted in this period.", markup=False)
        return
    first = figures[0]
    console.print(
        f"{first.authority}: {british(first.start)} to {british(first.end)} ({first.jurisdiction}).", markup=False
    )
    for item in figures:
        grid = table("Indicator", "Count", "%", "National", title=item.group)
        for indicator in item.indicators:
            counted, percent = shown(indicator)
            national = indicator.national
            where = ""
            if national is not None:
                value = f"{national.value:.1f}%" if indicator.unit == "percent" else f"{national.value:,.0f}"
                where = f"{value} ({national.year})"
            grid.add_row(indicator.label, counted, percent, where)
        console.print(grid)
        for breakdown in item.breakdowns:
            shares = dict(breakdown.national or ())
            grid = table(breakdown.label, "Plans", "%", "National")
            total = breakdown.total
            for label, number in breakdown.rows:
                share = f"{100.0 * number / total:.1f}%" if total else "-"
                grid.add_row(label, f"{number:,}", share, f"{shares[label]:.0f}%" if label in shares else "")
            console.print(grid)
    sources: list[str] = []
    for indicator in first.indicators:
        if indicator.national is not None:
            sources.append(f"{indicator.label}: {indicator.national.source} ({indicator.national.year})")
    for breakdown in first.breakdowns:
        if breakdown.national_source:
            sources.append(f"{breakdown.label}: {breakdown.national_source}")
    if sources:
        console.print("National figures:", markup=False)
        for line in sources:
            console.print(f"  {line}", markup=False, soft_wrap=True)
    else:
        console.print("No national figures: this profile names none (cpctl shows none it cannot source).", markup=False)
    left = [i for i in first.indicators if i.note and "left out" in i.note]
    for indicator in left:
        console.print(f"{indicator.label}: {indicator.note}", markup=False, soft_wrap=True)
