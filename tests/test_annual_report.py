"""The chair's annual report from a `Year` built by hand (tests/annual_year.py), whose every figure is known: the
Markdown and HTML, the commentary's sentences, no figure where nothing was counted, and each chart's text
alternative and data table equal to the figures. The command (`cpctl report annual`) is tested with
`cpctl.returns.stats` stood in for by a module that hands back the same `Year`, and once on a real store."""

from __future__ import annotations

import dataclasses
import re
import sys
import types
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from annual_year import ICPC_MONTHS, a_year
from cpctl.documents import annual_report
from cpctl.documents.annual_report import build, commentary, sentence
from cpctl.returns.figures import Indicator, NationalFigure, Year
from helpers import AUTHORITY, Run, failed, ok

MADE_ON = date(2026, 4, 20)
NATIONAL = NationalFigure(81.4, "2024-25", "DfE, Children in need 2025")


def timely(numerator: int, denominator: int, national: NationalFigure | None = NATIONAL) -> Indicator:
    return Indicator(
        "initial-conference-timely", "Initial conferences on time", "percent", numerator, denominator, national=national
    )


# -- the commentary ---------------------------------------------------------------------------------------------
def test_a_figure_above_the_national_one_says_so_with_its_numbers() -> None:
    assert sentence(timely(47, 52), "England") == (
        "Initial conferences on time: 47 of 52 (90%), above England's 81.4% in 2024-25."
    )


def test_a_figure_below_the_national_one_says_so() -> None:
    assert sentence(timely(30, 52), "England") == (
        "Initial conferences on time: 30 of 52 (58%), below England's 81.4% in 2024-25."
    )


def test_a_figure_equal_to_the_national_one_to_a_decimal_place_is_the_same() -> None:
    national = NationalFigure(75.0, "2024-25", "x")
    assert sentence(timely(3, 4, national), "Wales") == (
        "Initial conferences on time: 3 of 4 (75%), the same as Wales's 75.0% in 2024-25."
    )


def test_without_a_national_figure_none_is_invented() -> None:
    assert sentence(timely(47, 52, None), "Scotland") == (
        "Initial conferences on time: 47 of 52 (90%); no national figure is published to compare it with."
    )


@pytest.mark.parametrize("denominator", [0, None])
def test_nothing_counted_gives_no_figure_and_no_comparison(denominator: int | None) -> None:
    indicator = dataclasses.replace(timely(0, 0), denominator=denominator)
    assert sentence(indicator, "England") == (
        "Initial conferences on time: none to count in the year, so no figure is given."
    )


def test_the_commentary_comes_from_the_year_and_names_its_extreme_months() -> None:
    assert commentary(a_year()) == (
        "Initial conferences within 15 working days of the strategy discussion: 47 of 52 (90%), above England's "
        "81.4% in 2024-25. By month it ranged from 75% (June 2025) to 100% (April 2025).",
        "Review conferences held on time: 108 of 120 (90%); no national figure is published to compare it with. "
        "It was 90% in each of the 12 months that counted any.",
        "Plans ended within 3 months: 3 of 40 (8%), below England's 15.9% in 2024-25.",
        "Second or later plans: none to count in the year, so no figure is given.",
        "Plans started: 48.",
        "Open plans by length at 31 March: 40 in all; the largest group is under 3 months, 12 (30%).",
        "Categories of plans started: 48 in all; the largest group is neglect, 21 (44%).",
    )


# -- the charts -------------------------------------------------------------------------------------------------
def test_each_chart_is_an_image_named_by_its_own_title_and_description() -> None:
    report = build(a_year(), made_on=MADE_ON)
    charts = [*report.timeliness, *report.plans]
    assert [c.title for c in charts] == [
        "Initial conferences within 15 working days of the strategy discussion",
        "Review conferences held on time",
        "This authority against England",
        "Open plans by length at 31 March",
        "Categories of plans started",
    ]
    assert len({c.id for c in charts}) == len(charts)
    for chart in charts:
        svg = chart.svg
        assert svg.startswith("<svg ") and svg.endswith("</svg>")
        assert 'role="img"' in svg
        assert f'aria-labelledby="{chart.id}-title {chart.id}-desc"' in svg
        assert f'<title id="{chart.id}-title">' in svg and f'<desc id="{chart.id}-desc">' in svg
        assert "<script" not in svg and "href=" not in svg.replace('fill="url(#', "")


def test_the_timeliness_chart_table_is_the_months_figures() -> None:
    chart = build(a_year(), made_on=MADE_ON).timeliness[0]
    assert chart.table.header == ("Month", "On time", "Counted", "Percent")
    assert [(int(r[1]), int(r[2])) for r in chart.table.rows] == list(ICPC_MONTHS)
    assert chart.table.rows[0] == ("April 2025", "4", "4", "100%")
    assert chart.table.rows[9] == ("January 2026", "0", "0", "–")  # nothing counted: no percentage
    # Drawn: 11 columns (January has none), each month's figure written below it, and England's dashed line.
    assert chart.svg.count('fill="#1d4f91"') == 11
    assert re.findall(r">(\d+%|–)</text>", chart.svg)[5:] == [r[3] for r in chart.table.rows]
    assert "stroke-dasharray" in chart.svg and ">England 81.4%</text>" in chart.svg


def test_the_breakdown_tables_are_the_breakdowns() -> None:
    year = a_year()
    report = build(year, made_on=MADE_ON)
    lengths = year.whole.breakdown("open-plans-by-length")
    categories = year.whole.breakdown("categories")
    assert lengths is not None and categories is not None
    by_title = {c.title: c for c in report.plans}
    shown = by_title["Open plans by length at 31 March"].table
    assert [(r[0], int(r[1])) for r in shown.rows] == list(lengths.rows)
    mix = by_title["Categories of plans started"].table
    assert mix.header == ("Category", "Number", "Percent", "England")
    assert [(r[0], int(r[1]), r[3]) for r in mix.rows] == [
        (label, count, f"{national:.1f}%")
        for (label, count), (_, national) in zip(categories.rows, categories.national or (), strict=True)
    ]
    against = by_title["This authority against England"].table
    assert against.rows == (
        ("Initial conferences within 15 working days of the strategy discussion", "47 of 52 (90%)", "81.4% (2024-25)"),
        ("Plans ended within 3 months", "3 of 40 (8%)", "15.9% (2024-25)"),
    )


def test_an_indicator_with_nothing_counted_is_drawn_nowhere() -> None:
    year = a_year()
    report = build(year, made_on=MADE_ON)
    against = next(c for c in report.plans if c.title == "This authority against England")
    assert all("Second" not in row[0] for row in against.table.rows)
    assert next(r for r in report.indicators if r.key == "second-plan").figure == "none counted"


def test_an_empty_year_has_no_charts_of_breakdowns_and_says_none() -> None:
    year = a_year()
    empty_breakdowns = tuple(
        dataclasses.replace(b, rows=tuple((k, 0) for k, _ in b.rows)) for b in year.whole.breakdowns
    )
    year = dataclasses.replace(year, whole=dataclasses.replace(year.whole, breakdowns=empty_breakdowns))
    report = build(year, made_on=MADE_ON)
    assert [c.title for c in report.plans] == ["This authority against England"]
    assert "Open plans by length at 31 March: none." in report.commentary


# -- the documents ----------------------------------------------------------------------------------------------
def test_the_markdown_report_holds_the_commentary_indicators_and_chart_tables() -> None:
    text = annual_report.export(a_year(groups=True), "md", made_on=MADE_ON).decode("utf-8")
    assert text.startswith("# Child protection conferences: the chair's annual report 2025-26\n")
    assert "Testwoods Borough Council. The year from 1 April 2025 to 31 March 2026." in text
    assert "| Review conferences held on time | 108 of 120 (90%) | none published |" in text
    assert "| Second or later plans | none counted | none published |" in text
    assert "| January 2026 | 0 | 0 | – |" in text
    assert "| Alex Morgan | 30 of 32 (94%) | 60 of 66 (91%) |" in text
    assert "<svg" not in text


def test_the_markdown_report_escapes_the_authoritys_name() -> None:
    year = a_year()
    year = dataclasses.replace(year, whole=dataclasses.replace(year.whole, authority="*Evil* | <b>Council</b>"))
    text = annual_report.export(year, "md", made_on=MADE_ON).decode("utf-8")
    assert r"\*Evil\* \| \<b\>Council\</b\>" in text


def test_the_html_report_is_self_contained_with_each_chart_and_its_table() -> None:
    html = annual_report.export(a_year(), "html", made_on=MADE_ON).decode("utf-8")
    assert "default-src 'none'" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 5
    assert html.count("<table>") == 6  # the indicators, and one for each chart
    assert "<caption>Initial conferences within 15 working days of the strategy discussion, by month</caption>" in html
    assert "<li>Initial conferences within 15 working days of the strategy discussion: 47 of 52 (90%)" in html
    assert re.search(r"https?://(?!www\.w3\.org/2000/svg)", html) is None


def test_the_html_report_escapes_the_authoritys_name() -> None:
    year = a_year()
    year = dataclasses.replace(year, whole=dataclasses.replace(year.whole, authority="<script>x</script>"))
    html = annual_report.export(year, "html", made_on=MADE_ON).decode("utf-8")
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_a_format_the_report_has_not_is_refused() -> None:
    from cpctl.errors import Invalid

    with pytest.raises(Invalid, match="there is no 'docx' format for the annual report"):
        annual_report.export(a_year(), "docx", made_on=MADE_ON)


# -- the command ------------------------------------------------------------------------------------------------
@pytest.fixture
def stand_in_stats(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """`cpctl.returns.stats` replaced by a module whose `year` records how it was called and returns a_year()."""
    import cpctl.returns

    calls: list[dict[str, Any]] = []

    def year(session: Any, profile: Any, year: int, *, authority: str, jurisdiction: str, by: Any = None) -> Year:
        calls.append({"year": year, "authority": authority, "jurisdiction": jurisdiction, "by": by})
        return a_year(year)

    module = types.ModuleType("cpctl.returns.stats")
    module.year = year  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cpctl.returns.stats", module)
    monkeypatch.setattr(cpctl.returns, "stats", module, raising=False)
    return calls


def test_report_annual_writes_the_years_report(
    cli: Run, initialised: Any, stand_in_stats: list[dict[str, Any]], tmp_path: Path
) -> None:
    target = tmp_path / "annual.html"
    assert ok(cli("report", "annual", "--year", "2026", "-o", str(target))) == (
        f"Wrote {target}: the chair's annual report 2025-26 (html).\n"
    )
    assert stand_in_stats == [{"year": 2026, "authority": AUTHORITY, "jurisdiction": "england", "by": None}]
    assert "47 of 52 (90%), above England&#39;s 81.4% in 2024-25" in target.read_text(encoding="utf-8")
    assert target.stat().st_mode & 0o077 == 0


def test_report_annual_writes_markdown_to_standard_output(
    cli: Run, initialised: Any, stand_in_stats: list[dict[str, Any]]
) -> None:
    assert ok(cli("report", "annual", "--year", "2026")).startswith("# Child protection conferences")


def test_report_annual_refuses_what_it_cannot_do_in_one_line(
    cli: Run, initialised: Any, stand_in_stats: list[dict[str, Any]], tmp_path: Path
) -> None:
    result = cli("report", "annual", "--year", "2026", "--format", "pdf")
    assert result.exit_code == 2 and "a PDF needs a file: give -o FILE." in result.stderr
    result = cli("report", "annual", "--year", "2026", "-o", str(tmp_path / "a.docx"))
    assert result.exit_code == 2 and "cannot tell the format from the name 'a.docx'" in result.stderr
    result = cli("report", "annual", "--year", str(date.today().year + 2))
    assert result.exit_code == 2 and "which has not come yet" in result.stderr
    (tmp_path / "there.md").write_text("mine\n")
    failed(
        cli("report", "annual", "--year", "2026", "-o", str(tmp_path / "there.md")),
        f"Error: {tmp_path / 'there.md'} already exists; add --force to replace it, or choose another file.",
    )
    assert (tmp_path / "there.md").read_text() == "mine\n"
    assert stand_in_stats == []  # refused before any work


def test_report_annual_on_a_real_store(cli: Run, initialised: Any, tmp_path: Path) -> None:
    """`cpctl.returns.stats.year` itself, on a store with nothing in it yet."""
    target = tmp_path / "annual.md"
    ok(cli("report", "annual", "--year", "2026", "-o", str(target)))
    assert target.read_text(encoding="utf-8").startswith("# Child protection conferences")
