# ruff: noqa: F811  (the fixtures imported from the fixture modules are used as test arguments)
"""Issue 14's smaller findings: the timeline's count of concerns, the quorum line's agency names, one line on
Ctrl-C, the dates `conference new` scheduled, and `plan export` at a terminal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conference_fixtures import TODAY, conference_env, days_ago, family, family_db  # noqa: F401
from cpctl.casework import conference, people
from cpctl.demo import testwoods as demo
from helpers import ok
from plan_fixtures import JAMIE, aged_db, example_core_group, on, timeline, write  # noqa: F401

if TYPE_CHECKING:
    from cpctl.store.database import Store


# -- the timeline counts what is of concern, and what is not started, apart ---------------------------------------
def record_progress(path: Path, tmp_path: Path, *statuses: str) -> str:
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
    aged_db: Path, tmp_path: Path, statuses: tuple[str, ...], counted: str
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
