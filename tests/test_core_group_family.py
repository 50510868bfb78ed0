# ruff: noqa: F811  (the fixtures imported from the fixture modules are used as test arguments)
"""A core group for a family: one meeting for several children, from a file and in the wizard, and the wizard's
short path (only what changed is asked; Shift-Tab goes back one question).

The Testwoods of `cpctl demo` just after their initial conference: Jamie's and Mia's plans hold the same actions
(A1 the parenting course, A2 the money advice for the household), so each is an action the siblings share.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from conference_fixtures import (  # noqa: F401  (pytest finds the fixtures by name)
    CTRL_C,
    DOWN,
    ENTER,
    TODAY,
    checkbox,
    conference_env,
    days_ago,
    demo_db,
    demo_store,
    retype,
    rows,
)
from cpctl.commands.wizards.coregroup import core_group_wizard
from cpctl.dates import british
from cpctl.errors import Cancelled
from cpctl.store.database import Store
from helpers import dump, failed, ok, ok_json
from plan_fixtures import JAMIE, JORDAN, MIA, SAM, content, history, iso, on, stdout_lines, write
from plan_fixtures import testwoods as build_testwoods
from test_plan_wizard import keys_typed, typed

BACK = "\x1b[Z"  # Shift-Tab
SOME_CONCERN = DOWN + ENTER  # from "on track"
# The plan-change menu for Jamie and Mia: A1 and A2 (each shared), add, remove, another part of Jamie's, of Mia's.
CHANGE_A2 = checkbox(1)
FREQUENCY = checkbox(4)  # the fields: what, why, who, start, how often, how long, outcome, due by, measure


def meetings(db: Any, child: str) -> list[dict[str, Any]]:
    return ok_json(on(db, "core-group", "list", child, "--json"))  # type: ignore[no-any-return]


def family_file(tmp_path: Path, **changes: Any) -> Path:
    """The packaged family example (`cpctl core-group template --family`), held two days ago."""
    import yaml

    data = yaml.safe_load(ok(on(tmp_path / "none.db", "core-group", "template", "--family")))
    data.update(date=iso(days_ago(2)), sent_on=iso(TODAY), next_meeting=iso(TODAY + timedelta(days=30)))
    data["new_actions"][0].update(start=iso(TODAY), by=iso(TODAY + timedelta(days=70)))
    data["changed_actions"][0]["start"] = iso(TODAY)
    data.update(changes)
    return write(tmp_path / "family.yaml", data)


# -- the finding: a shared family action is changed once, for both children -----------------------------------
def test_a_shared_family_action_is_changed_once_for_both_children(
    monkeypatch: pytest.MonkeyPatch, demo_db: Path
) -> None:
    keys = ENTER + ENTER  # held today; everyone came
    keys += checkbox(1) + SOME_CONCERN + "The first appointment was missed." + ENTER  # A2's progress, once
    keys += ENTER * 4  # no views from the parents, Jamie or Mia, no notes
    keys += CHANGE_A2 + FREQUENCY + retype("weekly")  # the money advice, more often: once
    keys += ENTER  # the next meeting as offered
    keys += ENTER  # nothing kept from the family's copy
    keys += ENTER  # Save
    result = typed(monkeypatch, demo_db, keys, "core-group", "record", "--child", JAMIE, "--child", MIA)
    assert result.exit_code == 0, result.output
    for child in (JAMIE, MIA):
        assert [h["version"] for h in history(demo_db, child)] == [1, 2]
        money = content(demo_db, child)["actions"][1]
        assert (money["id"], money["what"], money["frequency"]) == ("A2", "Money and debt advice", "weekly")
        (meeting,) = meetings(demo_db, child)
        assert meeting["progress"] == {
            "A1": {"status": "on-track", "note": None},
            "A2": {"status": "some-concern", "note": "The first appointment was missed."},
        }
    assert result.stdout.count("A2 Money and debt advice [Jamie and Mia] (") == 1  # listed once, for both
    lines = result.stdout[result.stdout.index("Recorded the core group") :].splitlines()
    assert lines[:7] == [
        f"Recorded the core group of {british(TODAY)}.",
        f"  {JAMIE}:",
        "    The plan is now version 2:",
        "      ~ Action A2 'Money and debt advice': how often fortnightly → weekly",
        f"  {MIA}:",
        "    The plan is now version 2:",
        "      ~ Action A2 'Money and debt advice': how often fortnightly → weekly",
    ]


def test_family_offers_every_sibling_on_a_plan(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    keys = ENTER + ENTER + ENTER + ENTER * 4 + ENTER + ENTER + ENTER  # nothing changed: the meeting as offered
    result = typed(monkeypatch, demo_db, keys, "core-group", "record", "--family", JAMIE)
    assert result.exit_code == 0, result.output
    assert "With their brothers and sisters on a plan: DEMO-1002  Mia Testwood" in result.stdout
    assert len(meetings(demo_db, JAMIE)) == len(meetings(demo_db, MIA)) == 1


def test_the_wizard_offers_the_siblings_ticked(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    keys = ENTER  # the first child: Jamie
    keys += ENTER  # also at this meeting: Mia, ticked
    keys += ENTER + ENTER + ENTER + ENTER * 4 + ENTER + ENTER + ENTER
    result = typed(monkeypatch, demo_db, keys, "core-group", "record")
    assert result.exit_code == 0, result.output
    assert len(meetings(demo_db, JAMIE)) == len(meetings(demo_db, MIA)) == 1


def test_a_new_action_for_the_family_gets_one_shared_id(demo_store: Store, demo_db: Path) -> None:
    keys = ENTER + ENTER + ENTER + ENTER * 4
    keys += checkbox(2)  # add an action
    keys += ENTER  # for both children, as ticked
    keys += "Family support worker visits" + ENTER + "Routines at home." + ENTER + DOWN * 2 + ENTER  # who: Jordan
    keys += f"{TODAY:%d/%m/%Y}" + ENTER + "weekly" + ENTER + "12 weeks" + ENTER + "Routines kept." + ENTER
    keys += f"{TODAY + timedelta(days=84):%d/%m/%Y}" + ENTER + "Visits recorded." + ENTER
    keys += ENTER + ENTER + ENTER  # next meeting; nothing private; Save
    with keys_typed(keys):
        recorded = core_group_wizard(demo_store, [JAMIE, MIA])
    assert [r.child for r in recorded] == [JAMIE, MIA]
    for child in (JAMIE, MIA):
        added = content(demo_db, child)["actions"][-1]
        assert (added["id"], added["what"], added["who"]) == ("F1", "Family support worker visits", JORDAN)


# -- one transaction ---------------------------------------------------------------------------------------------
def test_a_family_file_records_both_children(demo_db: Path, tmp_path: Path) -> None:
    lines = stdout_lines(on(demo_db, "core-group", "record", "--from", str(family_file(tmp_path))))
    assert lines[0] == f"Recorded the core group of {british(days_ago(2))}."
    assert lines[-2:] == [
        f"  Revised plan and minutes sent on {british(TODAY)}.",
        f"  Next meeting: {british(TODAY + timedelta(days=30))}.",
    ]
    for child, versions in ((JAMIE, 3), (MIA, 2)):
        (meeting,) = meetings(demo_db, child)
        assert meeting["progress"]["A2"]["status"] == "some-concern"
        assert {a["person"] for a in meeting["attendance"]} >= {SAM, JORDAN}
        assert content(demo_db, child)["actions"][1]["start"] == iso(TODAY)
        assert len(content(demo_db, child)["actions"]) == versions  # the breakfast club is Jamie's alone


def test_a_failure_for_the_second_child_writes_nothing_for_the_first(make_store: Any, tmp_path: Path) -> None:
    """Jamie's part is written first, then Mia's is refused: the one transaction leaves neither (on each backend)."""
    db = build_testwoods(make_store("family.db"), conference_on=days_ago(6))
    before = dump(db)
    path = family_file(tmp_path, new_actions=[{"what": "Speech therapy", "children": [MIA]}])
    failed(
        on(db, "core-group", "record", "--from", str(path)),
        "Error: family.yaml, line 31: new_actions: the revised plan for child DEMO-1002 still lacks: action A3 "
        "'Speech therapy': no one responsible, no start date, no frequency, no length, no planned outcome, no date "
        "the outcome is due, no measure of success (§3.10). Fill these in, or save it as a draft (--draft, or "
        "save_as_draft: true).",
    )
    assert dump(db) == before


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        (
            {"children": [JAMIE, "DEMO-1003"]},
            "Error: family.yaml, line 3: children[1]: child DEMO-1003 has no plan in force, so there is no core group.",
        ),
        (
            {"progress": [{"action": "A9", "status": "done"}]},
            "Error: family.yaml, line 15: progress[0].action: no chosen child's plan has an action A9; their "
            "actions are A1, A2.",
        ),
        (
            {"changed_actions": [{"id": "A1", "child": "DEMO-1003", "what": "x"}]},
            "Error: family.yaml, line 45: changed_actions[0].child: child DEMO-1003 is not one of this meeting's "
            "children (DEMO-1001, DEMO-1002).",
        ),
    ],
    ids=["no-plan", "unknown-action", "not-at-the-meeting"],
)
def test_a_bad_family_file_names_its_line(demo_db: Path, tmp_path: Path, changes: dict[str, Any], line: str) -> None:
    before = dump(demo_db)
    failed(on(demo_db, "core-group", "record", "--from", str(family_file(tmp_path, **changes))), line)
    assert dump(demo_db) == before


def test_ctrl_c_in_a_family_meeting_writes_nothing(demo_store: Store) -> None:
    before = rows(demo_store)
    with pytest.raises(Cancelled), keys_typed(ENTER + ENTER + checkbox(1) + CTRL_C):
        core_group_wizard(demo_store, [JAMIE, MIA])
    assert rows(demo_store) == before


# -- back, and the summary -----------------------------------------------------------------------------------------
def test_shift_tab_goes_back_one_question(demo_store: Store, demo_db: Path) -> None:
    keys = ENTER + ENTER + checkbox(1) + SOME_CONCERN
    keys += BACK  # at the note: back to A2's progress, which offers "some concern" as answered
    keys += DOWN + ENTER  # not started instead
    keys += "Not booked yet." + ENTER
    keys += ENTER * 3 + ENTER + ENTER + ENTER  # no views or notes; no change; next meeting; Save
    with keys_typed(keys):
        core_group_wizard(demo_store, [JAMIE])
    (meeting,) = meetings(demo_db, JAMIE)
    assert meeting["progress"]["A2"] == {"status": "not-started", "note": "Not booked yet."}


def test_a_section_opened_from_the_summary_is_prefilled(demo_store: Store, demo_db: Path) -> None:
    keys = ENTER + ENTER + checkbox(1) + SOME_CONCERN + "Missed one." + ENTER
    keys += ENTER * 3 + ENTER + ENTER  # no views or notes; no change; next meeting
    keys += DOWN + ENTER + DOWN * 2 + ENTER  # Change something: progress
    keys += ENTER  # A2 still ticked
    keys += ENTER  # its status as answered
    keys += retype("Missed one; the next is booked.")
    keys += ENTER  # Save
    with keys_typed(keys):
        core_group_wizard(demo_store, [JAMIE])
    (meeting,) = meetings(demo_db, JAMIE)
    assert meeting["progress"]["A2"] == {"status": "some-concern", "note": "Missed one; the next is booked."}


@pytest.mark.slow
def test_a_family_core_group_in_a_pseudo_terminal(make_store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed cpctl, as a person types: the siblings offered, Shift-Tab back once, both plans changed."""
    pexpect = pytest.importorskip("pexpect")
    from test_plan_wizard import _pty_store

    cpctl = Path(sys.executable).with_name("cpctl")
    db = make_store("pty.db")
    env = _pty_store(db, monkeypatch)
    child = pexpect.spawn(
        str(cpctl),
        ["--db", str(db), "core-group", "record"],
        env=env,
        timeout=30,
        encoding="utf-8",
        dimensions=(50, 160),
    )
    answered = 0

    def answer(prompt: str, keys: str) -> None:
        nonlocal answered
        child.expect_exact(prompt)
        child.send(keys)
        answered += 1

    answer("Child:", ENTER)  # Jamie
    answer("Also at this meeting", ENTER)  # and Mia, offered ticked
    answer("Date of the meeting", ENTER)
    answer("Who came?", ENTER)
    answer("Which actions' progress is different", DOWN + " " + ENTER)  # A2, for both
    answer("Progress on A2:", DOWN + ENTER)  # some concern
    answer("A note on A2", BACK)  # back to the progress
    answer("Progress on A2:", DOWN + ENTER)  # not started, from "some concern" as answered
    answer("A note on A2", "Not booked yet." + ENTER)
    answer("The parents' views, in their words (blank for none)", ENTER)
    answer("Jamie Testwood's wishes and feelings (blank for none)", ENTER)
    answer("Mia Testwood's wishes and feelings (blank for none)", ENTER)
    answer("Notes of the meeting (blank for none)", ENTER)
    answer("What did the meeting change in the plan?", DOWN + " " + ENTER)  # A2, for both
    answer("What changes in A2", DOWN * 4 + " " + ENTER)  # how often
    child.expect_exact("[How often: fortnightly]")  # the ticks as answered: the next prompt is the field's own
    answer("How often:", "\x15weekly" + ENTER)
    answer("Date of the next core group", ENTER)
    answer("not for the family's copy?", ENTER)
    answer("What now?", ENTER)
    child.expect_exact(f"Recorded the core group of {british(TODAY)}.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert answered == 19  # 17 for two children, and the two of going back once
    for ref in (JAMIE, MIA):
        assert content(db, ref)["actions"][1]["frequency"] == "weekly"
        (meeting,) = meetings(db, ref)
        assert meeting["progress"]["A2"] == {"status": "not-started", "note": "Not booked yet."}
