"""The annual report in real headless Chromium: WCAG 2.2 AA by axe-core with no violations on screen and in
print, each chart named for a screen reader, nothing fetched, and printed to A4 with page numbers. The browser
and axe-core are set up as for the plan copies (tests/test_export_browser.py)."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from annual_year import a_year
from cpctl.documents import annual_report
from test_export_browser import axe_source, axe_violations, browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow


def test_the_annual_report_is_accessible_on_screen_and_in_print(tmp_path: Path, browser: Any, axe_source: str) -> None:  # noqa: F811
    page_file = tmp_path / "annual.html"
    page_file.write_bytes(annual_report.export(a_year(groups=True), "html", made_on=date(2026, 4, 20)))
    context = browser.new_context(bypass_csp=True, java_script_enabled=True)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
    page.goto(page_file.as_uri())
    assert requested == [page_file.as_uri()], f"the report fetched {requested[1:]}"
    assert axe_violations(page, axe_source) == []
    page.emulate_media(media="print")
    assert axe_violations(page, axe_source) == []
    # What a screen reader is told of each chart: its title and its description, through aria-labelledby.
    names = page.evaluate(
        """() => [...document.querySelectorAll('svg[role=img]')].map(svg =>
            svg.getAttribute('aria-labelledby').split(' ').map(id => document.getElementById(id).textContent))"""
    )
    assert len(names) == 5
    assert names[0][0] == "Initial conferences within 15 working days of the strategy discussion"
    assert "ranged from 75% (June 2025) to 100% (April 2025)" in names[0][1]
    assert "dashed line marks England's 81.4%" in names[0][1]
    context.close()


def test_the_annual_report_prints_to_a4_with_its_charts_as_text() -> None:
    from pypdf import PdfReader

    from export_support import chromium_or_skip

    chromium_or_skip()
    data = annual_report.export(a_year(), "pdf", made_on=date(2026, 4, 20))
    reader = PdfReader(BytesIO(data))
    total = len(reader.pages)
    text = " ".join(" ".join((sheet.extract_text() or "").split()) for sheet in reader.pages)
    for number, sheet in enumerate(reader.pages, start=1):
        assert (round(float(sheet.mediabox.width)), round(float(sheet.mediabox.height))) == (595, 842)
        assert f"Page {number} of {total}" in " ".join((sheet.extract_text() or "").split())
    assert "47 of 52 (90%), above England's 81.4% in 2024-25" in text
    assert "England 81.4%" in text  # the chart's own label, drawn as text
