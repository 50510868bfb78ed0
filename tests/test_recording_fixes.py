# ruff: noqa: F811  (the fixtures imported from the fixture modules are used as test arguments)
"""Issue 14's smaller findings: the timeline's count of concerns, the quorum line's agency names, one line on
Ctrl-C, the dates `conference new` scheduled, and `plan export` at a terminal."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conference_fixtures import TODAY, conference_env, days_ago, family, family_db  # noqa: F401
from cpctl.casework import conference, people
from cpctl.demo import testwoods as demo
from helpers import failed, ok, ok_json
from plan_fixtures import JAMIE, aged_db, example_core_group, on, timeline, write  # noqa: F401

if TYPE_CHECKING:
    from backends import StoreRef
    from cpctl.store.database import Store


# -- the timeline counts what is of concern, and what is not started, apart ---------------------------------------
def record_progress(path: StoreRef, tmp_path: Path, *statuses: str) -> str:
    """Record a core group with these statuses for A1, A2, ...; the timeline's line for it."""
    data = example_core_group(days_ago(50))
    data["progress"] = [{"action": f"A{n}", "status": status} for n, status in enumerate(statuses, start=1)]
    data["new_actions"], data["changed_actions"] = [], []
    del data["sent_on"], data["next_meeting"]
    ok(on(path, "core-group", "record", "--from", str(write(tmp_path / "core-group.yaml", data))))
    (line,) = [e["text"] for e in timeline(path) if e["kind"] == "core-group"]
    return str(line)


@pytest.mark.parametrize(
    ("statuses", "counted"),
    [
        (("not-started", "not-started"), "2 actions: 2 not started"),
        (("some-concern", "not-started"), "2 actions: 1 of concern, 1 not started"),
        (("done",), "1 action: 1 done"),
        (("on-track", "no-longer-needed"), "2 actions: 1 on track, 1 no longer needed"),
    ],
)
def test_the_timeline_counts_concerns_and_actions_not_started_apart(
    aged_db: StoreRef, tmp_path: Path, statuses: tuple[str, ...], counted: str
) -> None:
    assert record_progress(aged_db, tmp_path, *statuses) == f"core group (3 attended); progress on {counted}"


# -- the quorum line names each agency as it was recorded ----------------------------------------------------
def test_agencies_are_counted_once_and_named_as_recorded() -> None:
    given = ["NHS Northshire", "nhs  northshire", None, " ", "Riverside School", "CAMHS"]
    assert conference.agencies_taking_part(given) == ["CAMHS", "NHS Northshire", "Riverside School"]


def add_paediatrician(store: Store) -> str:
    with store.write() as session:
        return people.add_person(
            session, name="Pat Example", kind="professional", role="Paediatrician", agency="NHS Northshire"
        ).ref


def test_the_quorum_check_keeps_agency_names_as_recorded(family: Store) -> None:
    paediatrician = add_paediatrician(family)
    data = demo.example_conference(TODAY - timedelta(days=1))
    data["attendance"].append({"person": paediatrician, "status": "attended"})
    with family.read() as session:
        prepared = conference.prepare(session, conference.ConferenceIn.model_validate(data))
    assert "NHS Northshire" in prepared.agencies
    assert "Northshire Children's Services" in prepared.agencies
    assert all(name != name.lower() for name in prepared.agencies)


def test_the_wizards_quorum_line_keeps_agency_names_as_recorded(family: Store) -> None:
    from cpctl.commands.wizards.conference import Wizard
    from cpctl.commands.wizards.context import load_context
    from cpctl.commands.wizards.drafts import Details

    paediatrician = add_paediatrician(family)
    wizard = Wizard(load_context(family))
    wizard.draft.details = Details(kind="initial", day=TODAY, time=None, venue=None, virtual=False, chair="P00001")
    wizard.draft.attendance = {"P00004": ("attended", None), paediatrician: ("attended", None)}
    assert "NHS Northshire" in wizard.agencies()
    assert "Northshire Children's Services" in wizard.agencies()


# -- Ctrl-C says once that nothing was saved ---------------------------------------------------------------------
def test_no_question_is_asked_in_the_way_that_prints_a_second_cancelled_line() -> None:
    """questionary's `.ask()` prints "Cancelled by user" on Ctrl-C, before cpctl's own line: ask with `asked()`."""
    import re

    source = Path(__file__).parent.parent / "src" / "cpctl"
    found = [
        f"{path.relative_to(source)}:{number}"
        for path in sorted(source.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\)\s*\.ask\(", line)
    ]
    assert found == []


# -- plan export at a terminal writes a file, not a screenful of HTML ------------------------------------------
def test_plan_export_at_a_terminal_writes_a_file_named_for_the_copy(
    aged_db: StoreRef, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cpctl.commands import plan_export

    monkeypatch.setattr(plan_export, "stdout_is_terminal", lambda: True)
    monkeypatch.chdir(tmp_path)
    result = on(aged_db, "plan", "export", JAMIE, "--for", "parent", "--to", "P00002", "--format", "html")
    name = f"{JAMIE}-plan1-v1-parent.html"
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {name}: the parents' copy of plan 1, version 1, for {JAMIE}, in English.\n"
    assert result.stderr.startswith("Reading age of the parents' copy: Flesch-Kincaid grade ")  # with the file
    assert (tmp_path / name).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    failed(
        on(aged_db, "plan", "export", JAMIE, "--for", "parent", "--to", "P00002", "--format", "html"),
        f"Error: {name} already exists; add --force to replace it, or choose another file.",
    )
    assert (
        on(
            aged_db, "plan", "export", JAMIE, "--for", "parent", "--to", "P00002", "--format", "html", "--force"
        ).exit_code
        == 0
    )


def test_plan_export_piped_still_writes_to_standard_output(aged_db: StoreRef, tmp_path: Path) -> None:
    result = on(aged_db, "plan", "export", JAMIE, "--for", "parent", "--to", "P00002", "--format", "html")
    assert ok(result).startswith("<!DOCTYPE html>")


@pytest.mark.slow
def test_plan_export_in_a_pseudo_terminal_does_not_pour_html_onto_it(aged_db: StoreRef, tmp_path: Path) -> None:
    import os
    import sys

    import pexpect

    cpctl = Path(sys.executable).with_name("cpctl")
    args = ["--db", str(aged_db), "plan", "export", JAMIE, "--for", "parent", "--to", "P00002", "--format", "html"]
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "200"}
    child = pexpect.spawn(str(cpctl), args, cwd=str(tmp_path), env=env, encoding="utf-8", timeout=120)
    try:
        child.expect(pexpect.EOF)
        shown = str(child.before)
    finally:
        child.close()
    assert child.exitstatus == 0, shown
    assert "<html" not in shown and "<!DOCTYPE" not in shown
    assert f"Wrote {JAMIE}-plan1-v1-parent.html" in shown
    assert (tmp_path / f"{JAMIE}-plan1-v1-parent.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# -- conference new says what it scheduled ---------------------------------------------------------------------
def test_the_save_confirmation_shows_the_dates_the_conference_scheduled(family_db: Path, tmp_path: Path) -> None:
    from cpctl.dates import british

    data = demo.example_conference(days_ago(6))
    said = ok(on(family_db, "conference", "new", "--from", str(write(tmp_path / "conference.yaml", data))))
    due = {(row["child"], row["kind"]): row["due"] for row in ok_json(on(family_db, "due", "--all", "--json"))}

    def when(child: str, kind: str) -> str:
        return british(date.fromisoformat(due[(child, kind)]))

    assert said.splitlines()[1:] == [
        "  DEMO-1001: a plan starts (NEG); plan 1, version 1.",
        f"    First core group: by {when('DEMO-1001', 'first-core-group')}",
        f"    First review child protection conference: by {when('DEMO-1001', 'first-review')}",
        f"    Child seen: by {when('DEMO-1001', 'child-seen')}",
        "  DEMO-1002: a plan starts (NEG); plan 1, version 1.",
        f"    First core group: by {when('DEMO-1002', 'first-core-group')}",
        f"    First review child protection conference: by {when('DEMO-1002', 'first-review')}",
        f"    Child seen: by {when('DEMO-1002', 'child-seen')}",
    ]
