"""The family's copies in each language, in real headless Chromium: WCAG 2.2 AA by axe-core on screen and in print,
Urdu and Arabic laid out right to left with the plan's English words still reading left to right, and PDFs whose
text holds each language's own script (the Noto fonts shape it; see .ci/run).

Chromium and axe-core as in test_export_browser.py (whose fixtures these tests share).
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from cpctl.documents import pdf
from export_support import CHILD, TODAY
from helpers import run_cli
from test_export_browser import axe_source, axe_violations, browser  # noqa: F401  (fixtures and a helper)
from test_languages import SCRIPTS, UNCHECKED

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)

pytestmark = pytest.mark.slow

LANGUAGES = {"cy": "Welsh", "pl": "polski", "ro": "Romanian", "pa": "ਪੰਜਾਬੀ", "ur": "Urdu", "ar": "العربية"}
COPIES = [(audience, code) for code in LANGUAGES for audience in ("parent", "child")]


def export_html(store: Path, folder: Path, audience: str, language: str) -> Path:
    target = folder / f"{audience}-{language}.html"
    result = run_cli(
        "--db", str(store), "plan", "export", CHILD, "--for", audience, "--language", language, "-o", str(target),
        "--on", TODAY.isoformat(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return target


def open_page(browser: Any, html_file: Path) -> tuple[Any, Any]:  # noqa: F811
    context = browser.new_context(bypass_csp=True, java_script_enabled=True)
    page = context.new_page()
    page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
    page.goto(html_file.as_uri())
    return context, page


@pytest.mark.parametrize(("audience", "code"), COPIES, ids=[f"{a}-{c}" for a, c in COPIES])
def test_each_familys_copy_in_each_language_is_accessible_on_screen_and_in_print(
    fixed_plan: Path,
    tmp_path: Path,
    browser: Any,  # noqa: F811
    axe_source: str,  # noqa: F811
    audience: str,
    code: str,
) -> None:
    html_file = export_html(fixed_plan, tmp_path, audience, LANGUAGES[code])
    context, page = open_page(browser, html_file)
    assert page.evaluate("document.documentElement.lang") == code
    assert page.evaluate("document.documentElement.dir") == ("rtl" if code in ("ur", "ar") else "ltr")
    assert axe_violations(page, axe_source) == []
    page.emulate_media(media="print")
    assert axe_violations(page, axe_source) == []
    context.close()


# For each heading and paragraph of the page's main part (but the English ones): its direction, and how far its
# text sits from the start and the end of its box (a Range's rectangle is where the text itself is drawn).
LAYOUT = """
() => [...document.querySelectorAll('main h2, main h3, main p')]
  .filter(el => el.textContent.trim() && !el.closest('[lang="en"]'))
  .map(el => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(el);
    const text = range.getBoundingClientRect();
    const right = box.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth);
    const left = box.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth);
    return {tag: el.tagName, direction: style.direction, align: style.textAlign,
            fromRight: right - text.right, fromLeft: text.left - left, text: el.textContent.trim().slice(0, 50)};
  })
"""

# For each piece of the plan's own words marked English: its direction, and where its first and last words are
# drawn (the first word left of the last on the same line: it reads left to right).
TYPED = """
() => [...document.querySelectorAll('.free[lang="en"]')].map(el => {
  const node = [...el.childNodes].find(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim().includes(' '));
  if (!node) return {direction: getComputedStyle(el).direction, words: 0};
  const text = node.textContent;
  const first = text.search(/\\S/);
  const firstEnd = text.indexOf(' ', first);
  const lastStart = text.trimEnd().lastIndexOf(' ') + 1;
  const rect = (a, b) => { const r = document.createRange(); r.setStart(node, a); r.setEnd(node, b);
                            return r.getBoundingClientRect(); };
  const one = rect(first, firstEnd), two = rect(lastStart, text.trimEnd().length);
  return {direction: getComputedStyle(el).direction, words: text.trim().split(/\\s+/).length,
          sameLine: Math.abs(one.top - two.top) < 2, firstLeft: one.left, lastLeft: two.left,
          text: text.trim().slice(0, 60)};
})
"""


@pytest.mark.parametrize("code", ["ur", "ar"])
@pytest.mark.parametrize("audience", ["parent", "child"])
def test_urdu_and_arabic_copies_run_right_to_left_and_the_plans_english_left_to_right(
    fixed_plan: Path,
    tmp_path: Path,
    browser: Any,  # noqa: F811
    audience: str,
    code: str,
) -> None:
    html_file = export_html(fixed_plan, tmp_path, audience, LANGUAGES[code])
    context, page = open_page(browser, html_file)
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    blocks = page.evaluate(LAYOUT)
    assert len(blocks) > 10
    for block in blocks:
        assert block["direction"] == "rtl", block
        assert abs(block["fromRight"]) < 2, f"not against the right edge: {block}"
    assert any(block["fromLeft"] > 100 for block in blocks if block["tag"] == "H2"), "headings fill the line?"

    typed = page.evaluate(TYPED)
    assert typed, "no English words from the plan on the page"
    assert all(piece["direction"] == "ltr" for piece in typed), typed
    sentences = [piece for piece in typed if piece["words"] >= 3 and piece["sameLine"]]
    assert sentences, typed
    for piece in sentences:
        assert piece["firstLeft"] < piece["lastLeft"], f"does not read left to right: {piece}"
    # The note that the translation is unchecked: its English sentence runs left to right too.
    assert page.evaluate("getComputedStyle(document.querySelector('.unchecked p[lang=\"en\"]')).direction") == "ltr"
    context.close()

    # And the same page in English: its text hugs the left edge instead (the check above can tell).
    english = export_html(fixed_plan, tmp_path, audience, "English")
    context, page = open_page(browser, english)
    assert all(abs(block["fromLeft"]) < 2 for block in page.evaluate(LAYOUT))
    context.close()


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_each_languages_pdf_holds_its_own_script(fixed_plan: Path, tmp_path: Path, code: str) -> None:
    from pypdf import PdfReader

    from export_support import chromium_or_skip

    chromium_or_skip()
    for audience in ("parent", "child"):
        html = export_html(fixed_plan, tmp_path, audience, LANGUAGES[code]).read_text(encoding="utf-8")
        reader = PdfReader(BytesIO(pdf.html_to_pdf(html)))
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
        assert len(SCRIPTS[code].findall(text)) > 50, f"{audience} {code}: {text[:300]}"
        assert "qualified translator" in text  # the unchecked note's English sentence
        assert UNCHECKED.split()[0] in text
