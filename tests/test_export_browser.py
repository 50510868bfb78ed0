"""Each HTML copy in real headless Chromium: WCAG 2.2 AA by axe-core with no violations, nothing fetched from
anywhere, and printed to an A4 PDF whose every page carries its page number.

Chromium is Debian's (`apt-get install chromium`, or $CPCTL_CHROMIUM), driven by Playwright for Python, whose
wheel carries its own driver, so nothing is downloaded (never run `playwright install`). axe-core comes from
npm, pinned with its integrity hash in tests/browser/package-lock.json and installed by `npm ci` into
tests/browser/node_modules (by .ci/run, or by the first test here). In CI a missing Chromium or axe-core
fails these tests; elsewhere they skip and say why.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from cpctl.documents import pdf
from export_support import (
    CHILD,
    IN_CI,
    TODAY,
    chromium_or_skip,
)
from helpers import run_cli

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)

pytestmark = pytest.mark.slow

AXE_FOLDER = Path(__file__).parent / "browser"
AXE_SCRIPT = AXE_FOLDER / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
COPIES = [
    ("professional", "English"),
    ("parent", "English"),
    ("child", "English"),
    ("parent", "Welsh"),
    ("child", "Welsh"),
]
PAGE_WORDS = {"English": "Page {n} of {total}", "Welsh": "Tudalen {n} o {total}"}


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script: installed with `npm ci` from the lock file if it is not there yet."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("axe-core is not installed and there is no npm to install it (cd tests/browser && npm ci)")
        done = subprocess.run(
            [str(npm), "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=AXE_FOLDER,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not AXE_SCRIPT.exists():
            unavailable(f"`npm ci` in tests/browser could not install axe-core: {done.stderr.strip()[-300:]}")
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One browser for this module's tests. Not for the session: Playwright's sync API keeps an event loop
    running while it is open, and prompt_toolkit (the wizards' tests) cannot start its own inside one."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(executable),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def export_html(store: Path, folder: Path, audience: str, language: str) -> Path:
    target = folder / f"{audience}-{language}.html"
    result = run_cli(
        "--db",
        str(store),
        "plan",
        "export",
        CHILD,
        "--for",
        audience,
        "--language",
        language,
        "-o",
        str(target),
        "--on",
        TODAY.isoformat(),
    )
    assert result.exit_code == 0, result.output
    return target


def axe_violations(page: Any, axe: str) -> list[str]:
    page.add_script_tag(content=axe)
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
    assert results["passes"], "axe checked nothing: the page did not load"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
    ]


@pytest.mark.parametrize(("audience", "language"), COPIES, ids=[f"{a}-{lang}" for a, lang in COPIES])
def test_each_html_copy_is_accessible_self_contained_and_prints_with_page_numbers(
    fixed_plan: Path, tmp_path: Path, browser: Any, axe_source: str, audience: str, language: str
) -> None:
    html_file = export_html(fixed_plan, tmp_path, audience, language)
    html = html_file.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html

    # The checker is injected as a script, which the copy's own policy forbids: bypass the policy for it, so
    # that anything the copy itself tried to fetch would be seen below rather than silently blocked.
    context = browser.new_context(bypass_csp=True, java_script_enabled=True)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
    page.goto(html_file.as_uri())
    assert requested == [html_file.as_uri()], f"the copy fetched {requested[1:]}"
    assert page.evaluate("document.documentElement.lang") == ("cy" if language == "Welsh" else "en")
    assert axe_violations(page, axe_source) == []
    page.emulate_media(media="print")
    assert axe_violations(page, axe_source) == []
    context.close()

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(pdf.html_to_pdf(html)))
    total = len(reader.pages)
    assert total > 0
    for number, sheet in enumerate(reader.pages, start=1):
        width, height = float(sheet.mediabox.width), float(sheet.mediabox.height)
        assert (round(width), round(height)) == (595, 842), "not A4"
        text = " ".join((sheet.extract_text() or "").split())
        assert re.search(re.escape(PAGE_WORDS[language].format(n=number, total=total)) + r"(?!\d)", text), (
            f"page {number} of {total} has no page number: {text[:200]}"
        )


# -- the conference's documents: the outcome letters, the record, the invitations --------------------------------
CONFERENCE_DOCUMENTS = [
    ("letter", "CF00001", ("--to", "P00002"), "DEMO-1001-CF00001-letter-P00002", "English"),
    ("letter", "CF00001", ("--to", "P00002"), "DEMO-1001-CF00001-letter-P00002", "Welsh"),
    ("letter", "CF00001", ("--to", "DEMO-1001"), "DEMO-1001-CF00001-letter-DEMO-1001", "English"),
    ("record", "CF00001", ("--withhold", "P00003=discussion", "--reason", "x"), "CF00001-record-P00001", "English"),
    ("record", "CF00001", ("--withhold", "P00003=discussion", "--reason", "x"), "CF00001-record-P00003", "English"),
    ("invite", "BK00001", ("--to", "P00002"), "BK00001-invitation-P00002", "English"),
    ("invite", "BK00001", ("--to", "P00002"), "BK00001-invitation-P00002", "Welsh"),
    ("invite", "BK00001", ("--to", "P00005"), "BK00001-invitation-P00005", "English"),
]


@pytest.mark.parametrize(
    ("command", "ref", "extra", "made", "language"),
    CONFERENCE_DOCUMENTS,
    ids=[f"{made.split('-', 2)[-1]}-{lang}" for _, _, _, made, lang in CONFERENCE_DOCUMENTS],
)
def test_each_conference_document_is_accessible_and_self_contained(
    fixed_plan: Path,
    tmp_path: Path,
    browser: Any,
    axe_source: str,
    command: str,
    ref: str,
    extra: tuple[str, ...],
    made: str,
    language: str,
) -> None:
    from booking_support import add_booking
    from cpctl.store.database import Store

    store = Store(str(fixed_plan.url))  # type: ignore[attr-defined]
    add_booking(store, booked_on=TODAY)
    store.dispose()
    folder = tmp_path / "out"
    result = run_cli(
        "--db", str(fixed_plan), "conference", command, ref, *extra, "--format", "html", "--language", language,
        "-o", str(folder), "--on", TODAY.isoformat(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html_file = folder / f"{made}.html"
    context = browser.new_context(bypass_csp=True, java_script_enabled=True)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
    page.goto(html_file.as_uri())
    assert requested == [html_file.as_uri()], f"the document fetched {requested[1:]}"
    assert page.evaluate("document.documentElement.lang") == ("cy" if language == "Welsh" else "en")
    assert axe_violations(page, axe_source) == []
    page.emulate_media(media="print")
    assert axe_violations(page, axe_source) == []
    context.close()
