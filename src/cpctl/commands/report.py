"""`cpctl report annual`: the chair's annual report, from the year's figures (`cpctl.returns.stats.year`)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cpctl.commands.common import open_store, out, store_file

app = typer.Typer(
    help="The chair's annual report: the year's indicators with charts, a trend by month and a commentary.",
    no_args_is_help=True,
)
FORMATS = ("md", "html", "pdf")


@app.command("annual")
def report_annual(
    ctx: typer.Context,
    year: Annotated[
        int,
        typer.Option(
            "--year",
            metavar="YYYY",
            min=2000,
            max=2100,
            help="The year ending 31 March YYYY: --year 2026 is 1 April 2025 to 31 March 2026.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="md, html (one self-contained file, charts inline) or pdf (needs Chromium). Default: from the "
            "name of -o, else md.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Write the report to FILE (readable by you only). Without it, md or html goes to standard output.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Write the chair's annual report for the year ending 31 March YYYY.

    Each indicator against the national figure where one is published, the timeliness month by month, charts
    (each with its text alternative and its table of figures), and a short commentary written from the figures.

    It holds counts only, no child's details.
    """
    from cpctl.documents.disclose import format_from_suffix

    chosen = fmt or (format_from_suffix(output) if output is not None else "md")
    if chosen is None:
        name = output.name if output is not None else ""
        raise typer.BadParameter(
            f"cannot tell the format from the name {name!r}: give --format md, html or pdf.", param_hint="--format"
        )
    if chosen not in FORMATS:
        raise typer.BadParameter(f"{chosen!r} is not a format: choose md, html or pdf.", param_hint="--format")
    if chosen == "pdf" and output is None:
        raise typer.BadParameter("a PDF needs a file: give -o FILE.", param_hint="--format")
    today = date.today()
    if date(year - 1, 4, 1) > today:
        raise typer.BadParameter(
            f"the year to 31 March {year} starts on 1 April {year - 1}, which has not come yet.", param_hint="--year"
        )
    if output is not None:
        from cpctl.paths import check_output

        check_output(output, force=force, store=store_file(ctx))  # before any work
    from cpctl.casework.schedule import load_profile
    from cpctl.documents import annual_report
    from cpctl.returns import stats
    from cpctl.store import settings

    store = open_store(ctx)
    with store.read() as session:
        found = settings.current(session)
        profile = load_profile(session)
        figures = stats.year(session, profile, year, authority=found.authority, jurisdiction=found.jurisdiction)
    data = annual_report.export(figures, chosen, made_on=today)
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        sys.stdout.flush()
        return
    from cpctl.paths import write_private

    write_private(output, data, force=force, store=store.path)
    out().print(f"Wrote {output}: the chair's annual report {figures.label} ({chosen}).", markup=False, soft_wrap=True)
