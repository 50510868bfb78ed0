"""Golden files: each copy of the fixed synthetic plan, as `cpctl plan export` writes it.

Regenerate them on purpose with `CPCTL_UPDATE_GOLDEN=1 pytest tests/test_export_golden.py`, then read
the diff.
PDFs are compared by page count and extracted text, not bytes (Chromium stamps dates and ids into the file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from export_support import (
    CHILD,
    TODAY,
    chromium_or_skip,
    golden,
)
from helpers import run_cli

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)


# The family's languages other than English, each with the suffix of its golden files (parent.pl.md, child.ur.html).
LANGUAGES = {"Welsh": "cy", "Polish": "pl", "Romanian": "ro", "Panjabi": "pa", "Urdu": "ur", "Arabic": "ar"}
CASES = [
    (audience, fmt, language)
    for audience in ("professional", "parent", "child")
    for fmt in ("md", "html")
    for language in ("English",)
] + [(audience, fmt, language) for language in LANGUAGES for audience, fmt in (("parent", "md"), ("child", "html"))]


def export(store: Path, audience: str, fmt: str, *extra: str) -> str:
    result = run_cli(
        "--db",
        str(store),
        "plan",
        "export",
        CHILD,
        "--for",
        audience,
        "--format",
        fmt,
        "--on",
        TODAY.isoformat(),
        *extra,
    )
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(("audience", "fmt", "language"), CASES, ids=[f"{a}-{f}-{lang}" for a, f, lang in CASES])
def test_each_copy_matches_its_golden_file(fixed_plan: Path, audience: str, fmt: str, language: str) -> None:
    text = export(fixed_plan, audience, fmt, "--language", language)
    suffix = "" if language == "English" else f".{LANGUAGES[language]}"
    golden(f"{audience}{suffix}.{fmt}", text)


def test_the_golden_files_are_the_ones_the_tests_make() -> None:
    """A golden file nobody compares against any more is a stale claim about the output."""
    made = {f"{a}{'' if lang == 'English' else '.' + LANGUAGES[lang]}.{f}" for a, f, lang in CASES}
    made |= {f"{a}.pdf.txt" for a in ("professional", "parent", "child")}
    present = {p.name for p in (Path(__file__).parent / "golden").iterdir() if p.is_file()} - {"readability.json"}
    assert present == made


def pdf_summary(data: bytes) -> str:
    """Page count, and each page's text with its whitespace folded: what the golden file holds."""
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    lines = [f"pages: {len(reader.pages)}"]
    for number, page in enumerate(reader.pages, start=1):
        text = " ".join((page.extract_text() or "").split())
        lines.append(f"--- page {number}")
        lines.append(text)
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@pytest.mark.parametrize("audience", ["professional", "parent", "child"])
def test_each_pdf_matches_its_golden_pages_and_text(fixed_plan: Path, tmp_path: Path, audience: str) -> None:
    chromium_or_skip()
    target = tmp_path / f"{audience}.pdf"
    result = run_cli(
        "--db",
        str(fixed_plan),
        "plan",
        "export",
        CHILD,
        "--for",
        audience,
        "-o",
        str(target),
        "--on",
        TODAY.isoformat(),
    )
    assert result.exit_code == 0, result.output
    summary = pdf_summary(target.read_bytes())
    pages = int(summary.splitlines()[0].split(": ")[1])
    assert pages > 0
    for number in range(1, pages + 1):
        assert re.search(rf"Page {number} of {pages}(?!\d)", summary), f"page {number} has no page number"
    golden(f"{audience}.pdf.txt", summary)
