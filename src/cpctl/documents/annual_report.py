"""The chair's annual report: the year's indicators against the national figures, the timeliness month by month,
charts (each with its text alternative and its table) and a commentary written from the figures alone.

It reads a `cpctl.returns.figures.Year` and nothing else, so every sentence and every bar can be traced to a
numerator and a denominator. Rendered by the same sandboxed Jinja2 environment as the plan copies
(`cpctl.documents.render.environment`, in English), from `templates/annual-report.{md,html}.j2`; PDF is printed
from the HTML by Chromium (`cpctl.documents.pdf`). The report holds counts, never a child.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from cpctl.documents.charts import Bar, Chart, Column, Table, bars, columns
from cpctl.errors import Invalid
from cpctl.returns.figures import Breakdown, Figures, Indicator, Year

REPORT_FORMATS = ("md", "html", "pdf")
# The indicators drawn month by month, in this order, where the year has them.
TIMELINESS = (
    "initial-conference-timely",
    "initial-conference-timely-s47",
    "review-timely",
    "first-core-group-timely",
    "child-seen-timely",
)
NATIONS = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
    "guernsey": "Guernsey",
}
BANDS = {"open-plans-by-length": "Length", "categories": "Category"}  # a breakdown's first column
NOTHING = "–"  # a month or a figure with nothing counted


@dataclass(frozen=True)
class IndicatorRow:
    key: str
    label: str
    figure: str  # "47 of 52 (90%)", "63", or "none counted"
    national: str  # "81.4% (2024-25)", or "" where none is published
    source: str  # the national figure's publication, and its note


@dataclass(frozen=True)
class AnnualReport:
    """What the report templates receive (templates/README.md)."""

    title: str
    authority: str
    nation: str
    year: str  # "2025-26"
    start: date
    end: date
    made_on: date
    commentary: tuple[str, ...]
    indicators: tuple[IndicatorRow, ...]
    timeliness: tuple[Chart, ...]  # one a timeliness indicator, month by month
    plans: tuple[Chart, ...]  # against the national figures, and each breakdown
    groups: Table | None  # the timeliness by chair, when the year has groups
    notes: tuple[str, ...]  # how each indicator is counted

    def variables(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


# -- figures as words -----------------------------------------------------------------------------------------
def percent(value: float) -> str:
    """A local percentage as a whole number, halves rounded up: 47 of 52 is '90%'."""
    return f"{int(value + 0.5)}%"


def national_percent(value: float) -> str:
    """A national figure as published, to one decimal place: '81.4%'."""
    return f"{value:.1f}%"


def counted(indicator: Indicator) -> bool:
    """Whether the indicator has a figure: a percentage needs a denominator above 0, a count or median a number."""
    if indicator.unit == "percent":
        return bool(indicator.denominator) and indicator.numerator is not None
    return indicator.number is not None


def figure_text(indicator: Indicator) -> str:
    if not counted(indicator):
        return "none counted"
    value = indicator.value
    assert value is not None
    if indicator.unit == "percent":
        return f"{indicator.numerator} of {indicator.denominator} ({percent(value)})"
    if indicator.unit == "days":
        return f"{number_text(value)} days"
    return number_text(value)


def number_text(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def national_text(indicator: Indicator) -> str:
    national = indicator.national
    if national is None:
        return ""
    shown = national_percent(national.value) if indicator.unit == "percent" else number_text(national.value)
    return f"{shown} ({national.year})"


def compared(indicator: Indicator, nation: str) -> str:
    """How the local percentage stands against the national one, as the end of a sentence."""
    national = indicator.national
    value = indicator.value
    if national is None or indicator.unit != "percent":
        return "; no national figure is published to compare it with."
    assert value is not None
    theirs = f"{nation}'s {national_percent(national.value)} in {national.year}"
    if round(value, 1) == round(national.value, 1):
        return f", the same as {theirs}."
    return f", {'above' if value > national.value else 'below'} {theirs}."


def sentence(indicator: Indicator, nation: str) -> str:
    """One sentence from one indicator's figures: never a figure where nothing was counted."""
    if not counted(indicator):
        return f"{indicator.label}: none to count in the year, so no figure is given."
    if indicator.unit != "percent":
        return f"{indicator.label}: {figure_text(indicator)}."
    return f"{indicator.label}: {figure_text(indicator)}{compared(indicator, nation)}"


def month_name(figures: Figures) -> str:
    return figures.start.strftime("%B %Y")


def month_short(figures: Figures) -> str:
    return figures.start.strftime("%b")


def spread(key: str, year: Year) -> str | None:
    """'By month it ranged from 67% (January 2026) to 100% (May 2025).', from the months that counted any."""
    found = [(m, i) for m in year.months if (i := m.indicator(key)) is not None and counted(i)]
    if len(found) < 2:
        return None
    values = [(i.value or 0.0, m) for m, i in found]
    low = min(values, key=lambda pair: pair[0])
    high = max(values, key=lambda pair: pair[0])
    if percent(low[0]) == percent(high[0]):
        return f"It was {percent(low[0])} in each of the {len(found)} months that counted any."
    return (
        f"By month it ranged from {percent(low[0])} ({month_name(low[1])}) to {percent(high[0])} "
        f"({month_name(high[1])})."
    )


def breakdown_sentence(breakdown: Breakdown, end: date) -> str:
    if breakdown.total == 0:
        return f"{breakdown.label}: none."
    label, count = max(breakdown.rows, key=lambda row: row[1])
    share = percent(100.0 * count / breakdown.total)
    return f"{breakdown.label}: {breakdown.total} in all; the largest group is {label.lower()}, {count} ({share})."


def commentary(year: Year) -> tuple[str, ...]:
    """The commentary: a sentence for each indicator (its spread by month for the timeliness ones), and one for
    each breakdown, all from the figures."""
    nation = NATIONS.get(year.whole.jurisdiction, year.whole.jurisdiction.title())
    lines = []
    for indicator in year.whole.indicators:
        line = sentence(indicator, nation)
        if indicator.key in TIMELINESS and counted(indicator):
            more = spread(indicator.key, year)
            line = f"{line} {more}" if more else line
        lines.append(line)
    lines.extend(breakdown_sentence(b, year.whole.end) for b in year.whole.breakdowns)
    return tuple(lines)


# -- charts ---------------------------------------------------------------------------------------------------
def timeliness_chart(key: str, year: Year, index: int, nation: str) -> Chart:
    whole = year.whole.indicator(key)
    assert whole is not None
    months: list[Column] = []
    rows = []
    for month in year.months:
        found = month.indicator(key)
        if found is not None and counted(found):
            assert found.value is not None
            months.append(Column(month_short(month), found.value, percent(found.value)))
            rows.append((month_name(month), str(found.numerator), str(found.denominator), percent(found.value)))
        else:
            months.append(Column(month_short(month), None, NOTHING))
            denominator = str(found.denominator or 0) if found is not None else "0"
            rows.append((month_name(month), "0", denominator, NOTHING))
    reference = None
    said_national = ""
    if whole.national is not None and whole.unit == "percent":
        reference = (whole.national.value, f"{nation} {national_percent(whole.national.value)}")
        said_national = (
            f" A dashed line marks {nation}'s {national_percent(whole.national.value)} in {whole.national.year}."
        )
    said = spread(key, year) or "Nothing was counted in more than one month."
    description = (
        f"Column chart of the percentage each month, {month_name(year.months[0])} to {month_name(year.months[-1])}"
        f", for {whole.label.lower()}. {said}{said_national} The table below gives every month's figures."
        if year.months
        else f"No months to show for {whole.label.lower()}."
    )
    table = Table(
        caption=f"{whole.label}, by month",
        header=("Month", "On time", "Counted", "Percent"),
        rows=tuple(rows),
    )
    return columns(f"chart-{index}", whole.label, description, months, table, reference=reference)


def national_chart(year: Year, index: int, nation: str) -> Chart | None:
    """Each percentage that has a national figure, the authority's beside the nation's."""
    chosen = [i for i in year.whole.indicators if i.unit == "percent" and i.national is not None and counted(i)]
    if not chosen:
        return None
    rows = []
    table_rows = []
    for indicator in chosen:
        assert indicator.national is not None and indicator.value is not None
        theirs = national_percent(indicator.national.value)
        rows.append(
            Bar(
                indicator.label,
                indicator.value,
                percent(indicator.value),
                indicator.national.value,
                f"{nation} {theirs}",
            )
        )
        table_rows.append((indicator.label, figure_text(indicator), f"{theirs} ({indicator.national.year})"))
    title = f"This authority against {nation}"
    description = (
        f"Bar chart: for each of {len(chosen)} indicators, this authority's percentage as a solid bar and "
        f"{nation}'s as a hatched bar below it, each with its figure written beside it. The table below gives them."
    )
    table = Table(title, ("Indicator", "This authority", nation), tuple(table_rows))
    return bars(f"chart-{index}", title, description, rows, table, scale=100.0)


def breakdown_chart(breakdown: Breakdown, index: int, nation: str) -> Chart | None:
    if breakdown.total == 0:
        return None
    total = breakdown.total
    national = dict(breakdown.national or ())
    rows = []
    table_rows = []
    for label, count in breakdown.rows:
        share = 100.0 * count / total
        theirs = national.get(label)
        if national:
            rows.append(
                Bar(
                    label,
                    share,
                    f"{count} ({percent(share)})",
                    theirs,
                    f"{nation} {national_percent(theirs)}" if theirs is not None else None,
                )
            )
            table_rows.append(
                (label, str(count), percent(share), national_percent(theirs) if theirs is not None else "")
            )
        else:
            rows.append(Bar(label, float(count), f"{count} ({percent(share)})"))
            table_rows.append((label, str(count), percent(share)))
    if national:
        header: tuple[str, ...] = (BANDS.get(breakdown.key, "Group"), "Number", "Percent", nation)
        scale = max([r.value for r in rows] + [v for v in national.values()] + [1.0])
        said = f"this authority's share as a solid bar and {nation}'s as a hatched bar below it"
    else:
        header = (BANDS.get(breakdown.key, "Group"), "Number", "Percent")
        scale = max([r.value for r in rows] + [1.0])
        said = "the number as a bar with the number and its share written beside it"
    largest = max(breakdown.rows, key=lambda row: row[1])
    description = (
        f"Bar chart of {breakdown.label.lower()}, {total} in all: for each of {len(rows)} groups, {said}. "
        f"The largest is {largest[0].lower()} ({largest[1]}). The table below gives every figure."
    )
    table = Table(breakdown.label, header, tuple(table_rows))
    return bars(f"chart-{index}", breakdown.label, description, rows, table, scale=scale)


def groups_table(year: Year) -> Table | None:
    if not year.groups:
        return None
    keys = [k for k in TIMELINESS if year.whole.indicator(k) is not None]
    labels = tuple((year.whole.indicator(k) or Indicator(k, k, "percent")).label for k in keys)
    rows = []
    for group in year.groups:
        cells = []
        for key in keys:
            found = group.indicator(key)
            cells.append(figure_text(found) if found is not None else NOTHING)
        rows.append((group.group or "", *cells))
    by = year.groups[0].group_by or "group"
    return Table(f"Timeliness by {by}", (by.capitalize(), *labels), tuple(rows))


# -- the report -----------------------------------------------------------------------------------------------
def build(year: Year, *, made_on: date) -> AnnualReport:
    """The report's content from the year's figures."""
    whole = year.whole
    nation = NATIONS.get(whole.jurisdiction, whole.jurisdiction.title())
    index = iter(range(1, 1000))
    timeliness = tuple(
        timeliness_chart(key, year, next(index), nation)
        for key in TIMELINESS
        if (found := whole.indicator(key)) is not None and found.unit == "percent"
    )
    plans = [national_chart(year, next(index), nation)]
    plans.extend(breakdown_chart(b, next(index), nation) for b in whole.breakdowns)
    rows = tuple(
        IndicatorRow(
            key=i.key,
            label=i.label,
            figure=figure_text(i),
            national=national_text(i),
            source=" ".join(p for p in (i.national.source, i.national.note or "") if p) if i.national else "",
        )
        for i in whole.indicators
    )
    return AnnualReport(
        title=f"Child protection conferences: the chair's annual report {year.label}",
        authority=whole.authority,
        nation=nation,
        year=year.label,
        start=whole.start,
        end=whole.end,
        made_on=made_on,
        commentary=commentary(year),
        indicators=rows,
        timeliness=timeliness,
        plans=tuple(c for c in plans if c is not None),
        groups=groups_table(year),
        notes=tuple(f"{i.label}: {i.note}" for i in whole.indicators if i.note),
    )


def render(report: AnnualReport, fmt: Literal["md", "html"]) -> str:
    """The report as Markdown or HTML (in English), from the templates an authority may override."""
    from jinja2 import TemplateError

    from cpctl.documents.languages import choose_language
    from cpctl.documents.redaction import map_strings
    from cpctl.documents.render import TemplateProblem, environment, markdown_escape, template_dirs
    from cpctl.documents.views import SOURCE_LANGUAGE
    from cpctl.text import without_controls

    env, _ = environment(fmt, SOURCE_LANGUAGE, template_dirs(), SOURCE_LANGUAGE)
    name = f"annual-report.{fmt}.j2"
    shown = map_strings(report, markdown_escape) if fmt == "md" else report
    try:
        text = env.get_template(name).render(**shown.variables(), language=choose_language(None))
    except TemplateError as exc:
        raise TemplateProblem(f"the template {name} failed: {exc}; fix it, or remove it to use cpctl's own.") from None
    text = without_controls(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n" if fmt == "md" else text


def export(year: Year, fmt: str, *, made_on: date) -> bytes:
    """The annual report as the bytes of a file in `fmt` (md, html, or pdf printed from the HTML)."""
    if fmt not in REPORT_FORMATS:
        raise Invalid(f"there is no {fmt!r} format for the annual report: choose one of {', '.join(REPORT_FORMATS)}.")
    report = build(year, made_on=made_on)
    if fmt == "md":
        return render(report, "md").encode("utf-8")
    html = render(report, "html")
    if fmt == "pdf":
        from cpctl.documents import pdf

        return pdf.html_to_pdf(html)
    return html.encode("utf-8")
