"""Golden files of the conference's documents, each for each audience, as `cpctl conference letter | record |
invite` write them from the fixed plan's store (tests/golden/conference/). Regenerate them on purpose with
`CPCTL_UPDATE_GOLDEN=1 pytest tests/test_conference_documents_golden.py`, then read the diff. PDFs are compared by
page count and extracted text."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends import StoreRef
from booking_support import BOOKING, CONF
from export_support import GOLDEN, chromium_or_skip, golden
from helpers import run_cli
from test_export_golden import pdf_summary

pytest_plugins = ["export_fixtures", "booking_fixtures"]  # the fixed plan's store with a booking (cycle)

LETTER_DAY, RECORD_DAY, INVITE_DAY = "2026-11-17", "2026-11-20", "2026-11-25"
# (golden name, command, the file it writes, extra arguments)
CASES = [
    ("letter-parent", "letter", f"DEMO-1001-{CONF}-letter-P00002", ("--to", "P00002")),
    ("letter-child", "letter", f"DEMO-1001-{CONF}-letter-DEMO-1001", ("--to", "DEMO-1001")),
    ("record-professional", "record", f"{CONF}-record-P00001", ()),
    ("record-parent", "record", f"{CONF}-record-P00003", ()),  # Chris: the discussion withheld
    ("invitation-parent", "invite", f"{BOOKING}-invitation-P00002", ("--to", "P00002")),
    ("invitation-professional", "invite", f"{BOOKING}-invitation-P00005", ("--to", "P00005")),
]
WELSH = [("letter-parent", "md"), ("invitation-parent", "html")]
FOLDER = "conference"


def write(store: StoreRef, out: Path, command: str, extra: tuple[str, ...], fmt: str, *more: str) -> None:
    ref = BOOKING if command == "invite" else CONF
    day = {"letter": LETTER_DAY, "record": RECORD_DAY, "invite": INVITE_DAY}[command]
    if command == "record":
        extra = ("--withhold", "P00003=discussion", "--reason", "Court order (synthetic)")
    result = run_cli(
        "--db", str(store), "conference", command, ref, *extra, "--format", fmt, "-o", str(out), "--on", day, *more
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize(("name", "command", "made", "extra"), CASES, ids=[c[0] for c in CASES])
def test_each_document_matches_its_golden_file(
    cycle: StoreRef, tmp_path: Path, name: str, command: str, made: str, extra: tuple[str, ...], fmt: str
) -> None:
    write(cycle, tmp_path / "out", command, extra, fmt)
    golden(f"{FOLDER}/{name}.{fmt}", (tmp_path / "out" / f"{made}.{fmt}").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "fmt"), WELSH)
def test_the_welsh_family_documents_match_their_golden_files(
    cycle: StoreRef, tmp_path: Path, name: str, fmt: str
) -> None:
    _, command, made, extra = next(c for c in CASES if c[0] == name)
    write(cycle, tmp_path / "out", command, extra, fmt, "--language", "Welsh")
    golden(f"{FOLDER}/{name}.cy.{fmt}", (tmp_path / "out" / f"{made}.{fmt}").read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["letter-parent", "record-professional", "invitation-professional"])
def test_each_pdf_matches_its_golden_pages_and_text(cycle: StoreRef, tmp_path: Path, name: str) -> None:
    chromium_or_skip()
    _, command, made, extra = next(c for c in CASES if c[0] == name)
    write(cycle, tmp_path / "out", command, extra, "pdf")
    golden(f"{FOLDER}/{name}.pdf.txt", pdf_summary((tmp_path / "out" / f"{made}.pdf").read_bytes()))


def test_the_golden_files_are_the_ones_the_tests_make() -> None:
    made = {f"{name}.{fmt}" for name, *_ in CASES for fmt in ("md", "html")}
    made |= {f"{name}.cy.{fmt}" for name, fmt in WELSH}
    made |= {f"{name}.pdf.txt" for name in ("letter-parent", "record-professional", "invitation-professional")}
    assert {p.name for p in (GOLDEN / FOLDER).iterdir()} == made
