# ruff: noqa: F811  (the fixtures imported from the fixture modules are used as test arguments)
"""`cpctl core-group record`, `cpctl plan edit` and `cpctl visit record` in a terminal, driven by keystrokes.

The wizards run in-process on prompt_toolkit's pipe input (as questionary's own tests do), either called directly
or through the command with its terminal check answered yes; one test drives the installed `cpctl` in a real
pseudo-terminal. Everyone here is the synthetic Testwood family of `cpctl demo`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from backends import StoreRef
from conference_fixtures import (  # noqa: F401  (pytest finds the fixtures by name)
    CTRL_C,
    DOWN,
    ENTER,
    TODAY,
    UP,
    USER,
    checkbox,
    conference_env,
    days_ago,
    demo_db,
    demo_store,
    items,
    retype,
    rows,
    uk,
)
from cpctl.commands.wizards.coregroup import core_group_wizard
from cpctl.dates import british, short_british
from cpctl.demo import testwoods as demo
from cpctl.errors import Cancelled
from cpctl.store.database import Store
from helpers import CANCELLED, ok, ok_json
from plan_fixtures import CHRIS, GRACE, JAMIE, JORDAN, MIA, OLA, SAM, TOM, content, history, iso, on, plan_json

# Who the core group wizard lists for Jamie, in order: the family, the lead worker, then the plan's core group.
LISTED = [CHRIS, SAM, JORDAN, OLA, TOM, GRACE]
# For "who is responsible", the same people, then anyone typed in, then the other professionals.
PROGRESS_DONE, PROGRESS_SOME_CONCERN = UP + ENTER, DOWN + ENTER  # from the default, "on track"
CTRL_Z = "\x1a"  # back one question too, in every wizard
AGREED = "the review conference of 20/11/2026 (CF00002)"


@contextmanager
def keys_typed(keys: str) -> Iterator[None]:
    """Feed these keystrokes to whatever asks inside the block, and check afterwards that each one was used.

    Running out of keys ends the wizard with EOFError instead of hanging; a line typed after the last key must
    reach a prompt of its own, which proves that no keystroke was left over.
    """
    import questionary

    with create_pipe_input() as inp:
        inp.send_text(keys + "END-OF-KEYS" + ENTER)
        inp.close()
        with create_app_session(input=inp, output=DummyOutput()):
            yield
            assert questionary.text("left over?").unsafe_ask() == "END-OF-KEYS"


def in_terminal(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """The commands' terminal check says yes (the keys come from the pipe, not from a terminal)."""
    for module in modules:
        monkeypatch.setattr(f"cpctl.commands.{module}.interactive", lambda: True)


def typed(monkeypatch: pytest.MonkeyPatch, db: Path, keys: str, *args: str) -> Any:
    """`cpctl --db DB ARGS` in a (pretend) terminal, with these keystrokes."""
    in_terminal(monkeypatch, "coregroup", "plan", "visit")
    with keys_typed(keys):
        return on(db, *args)


def meetings(db: Path, child: str = JAMIE) -> list[dict[str, Any]]:
    return ok_json(on(db, "core-group", "list", child, "--json"))  # type: ignore[no-any-return]


# -- the keys for each part of a core group ---------------------------------------------------------------
# A core group asks: the date; who came (the core group and the family ticked, then "someone not in this list");
# for each who did not come, why; which actions' progress differs from last time, and for those the status and a
# note; the parents' views, the child's, the notes (one line each); what changed in the plan; the next meeting;
# what is kept from the family's copy (when something was added); then the summary.
SOMEONE_ELSE = len(LISTED)  # the last entry of "Who came?"
NO_PROGRESS_CHANGE = ENTER  # every action's progress as listed
NO_VIEWS = ENTER * 3  # parents' views, child's views, notes: none (so nothing to mark private)
NO_CHANGE = ENTER  # the plan stays as it is
NEXT_AS_OFFERED = ENTER
SAVE = ENTER
CHANGE_SOMETHING = DOWN + ENTER  # at "What now?": Save, Change something, Cancel
SECTION = {"date": 0, "attendance": 1, "progress": 2, "views": 3, "plan": 4, "next": 5, "sent": 6, "private": 7}
# "What did the meeting change in the plan?" for Jamie: change A1, change A2, add, remove, another part.
PLAN_MENU = {"A1": 0, "A2": 1, "add": 2, "remove": 3, "part": 4}
FIELD = {"what": 0, "why": 1, "who": 2, "start": 3, "frequency": 4, "length": 5, "outcome": 6, "by": 7, "measure": 8}


def section(name: str) -> str:
    """From the summary: Change something, then this section."""
    return CHANGE_SOMETHING + DOWN * SECTION[name] + ENTER


def quiet_meeting() -> str:
    """A meeting where everyone came and nothing changed: every answer as offered, then Save."""
    return ENTER + ENTER + NO_PROGRESS_CHANGE + NO_VIEWS + NO_CHANGE + NEXT_AS_OFFERED + SAVE


def breakfast_club(who: str = DOWN * LISTED.index(TOM) + ENTER) -> str:
    """The keys of a whole new action, after 'Add an action'."""
    keys = "Breakfast club place at school" + ENTER + "So that Jamie starts each day fed." + ENTER + who
    keys += uk(TODAY) + ENTER + "every school day" + ENTER + "until the review" + ENTER
    keys += "Jamie has breakfast every school day." + ENTER + uk(TODAY + timedelta(days=70)) + ENTER
    return keys + "Breakfast club register." + ENTER


# The menus: the plan's parts (Done first, then actions, worries, working well, immediate actions, objectives,
# how the child is seen, contingency, must change, core group, safety scale) and the actions (Done, Add, one
# Change per action, Remove).
PART = {
    "actions": 1,
    "worries": 2,
    "working_well": 3,
    "immediate_actions": 4,
    "objectives": 5,
    "child_seen": 6,
    "contingency": 7,
    "must_change": 8,
    "core_group": 9,
    "safety_scale": 10,
}


def part(name: str) -> str:
    return DOWN * PART[name] + ENTER


ADD = DOWN + ENTER
DONE = ENTER
NO_ONE = UP + ENTER  # who is responsible: the last choice, "No one named yet" (the list wraps round)


def change(index: int) -> str:
    """Change the action at this position (from 0) in the actions menu."""
    return DOWN * (2 + index) + ENTER


def remove(count: int, *positions: int) -> str:
    """Remove actions: the menu's last entry, then tick these positions."""
    return DOWN * (2 + count) + ENTER + checkbox(*positions)


def keep_action(retyped: dict[int, str] | None = None) -> str:
    """Keys for ask_action on an existing action whose 'who' is typed text: every field kept, but those retyped.

    Fields: 0 what, 1 why, 2 who (select, then the typed text), 3 start, 4 how often, 5 how long, 6 outcome,
    7 due by, 8 measure.
    """
    retyped = retyped or {}
    keys = ""
    for field in range(9):
        if field == 2:
            keys += ENTER + ENTER  # "An agency or someone else" is chosen already, its text typed in
        else:
            keys += retype(retyped[field]) if field in retyped else ENTER
    return keys


# -- core group ------------------------------------------------------------------------------------------
def test_core_group_in_full(demo_store: Store, demo_db: Path) -> None:
    before = rows(demo_store)
    next_meeting = TODAY + timedelta(days=28)
    keys = ENTER  # held today
    keys += checkbox(LISTED.index(TOM), LISTED.index(GRACE), SOMEONE_ELSE)  # Tom and Grace did not; someone else
    keys += ENTER  # Tom: sent apologies
    keys += DOWN * 2 + ENTER + "Grace has left the nursery." + ENTER  # Grace: not invited, and why
    keys += ENTER + ENTER + "Pat Quill" + ENTER + "School nurse" + ENTER  # someone new: a professional
    keys += "Northshire School Nursing (synthetic)" + ENTER + ENTER + "n"  # Pat came; no one else
    keys += checkbox(0, 1)  # progress on A1 and A2 differs from "on track"
    keys += PROGRESS_DONE + "Course finished." + ENTER + PROGRESS_SOME_CONCERN + ENTER
    keys += "Sam says mornings are easier." + ENTER + "Jamie likes breakfast club." + ENTER
    keys += "The GP is checking a concern raised by the school nurse." + ENTER
    keys += checkbox(PLAN_MENU["A2"], PLAN_MENU["add"], PLAN_MENU["remove"])
    keys += checkbox(FIELD["frequency"]) + retype("weekly")  # A2 more often
    keys += breakfast_club()
    keys += checkbox(0)  # A1 is finished: removed, which needs agreement
    keys += ENTER + AGREED + ENTER  # record who agreed it
    keys += retype(uk(next_meeting))
    keys += checkbox(2)  # the note is kept from the family's copy
    keys += section("sent") + DOWN + ENTER  # sent today
    keys += SAVE
    with keys_typed(keys):
        (recorded,) = core_group_wizard(demo_store, [JAMIE])

    assert recorded.version is not None and recorded.version.number == 2
    assert [c.line() for c in recorded.changes] == [
        "~ Action A2 'Money and debt advice': how often fortnightly → weekly",
        f"+ Action A3 'Breakfast club place at school' added (who: {TOM}; start: {short_british(TODAY)}; how often: "
        "every school day)",
        "- Action A1 'Parenting course (Positive Routines)' removed",
    ]
    (meeting,) = meetings(demo_db)
    pat = "P00009"
    assert meeting == {
        "date": iso(TODAY),
        "attendance": [
            {"person": CHRIS, "status": "attended", "reason": None},
            {"person": SAM, "status": "attended", "reason": None},
            {"person": JORDAN, "status": "attended", "reason": None},
            {"person": OLA, "status": "attended", "reason": None},
            {"person": TOM, "status": "apologies", "reason": None},
            {"person": GRACE, "status": "not-invited", "reason": "Grace has left the nursery."},
            {"person": pat, "status": "attended", "reason": None},
        ],
        "progress": {
            "A1": {"status": "done", "note": "Course finished."},
            "A2": {"status": "some-concern", "note": None},
        },
        "next_meeting": iso(next_meeting),
        "sent_on": iso(TODAY),
    }
    person = ok_json(on(demo_db, "person", "show", pat, "--json"))
    assert (person["name"], person["kind"], person["agency"]) == (
        "Pat Quill",
        "professional",
        "Northshire School Nursing (synthetic)",
    )
    record = plan_json(demo_db)
    assert (record["version"], record["source"], record["significant"], record["agreed_by"]) == (
        2,
        "core-group",
        True,
        AGREED,
    )
    actions = record["content"]["actions"]
    assert [(a["id"], a["what"], a["frequency"], a["who"]) for a in actions] == [
        ("A2", "Money and debt advice", "weekly", "Northshire Citizens Advice (synthetic)"),
        ("A3", "Breakfast club place at school", "every school day", TOM),
    ]
    assert actions[0] == {**content(demo_db, JAMIE, 1)["actions"][1], "frequency": "weekly"}  # nothing else lost
    notes = json.loads(_meeting_column(demo_db, "notes"))
    assert notes == [{"text": "The GP is checking a concern raised by the school nurse.", "private": True}]
    assert json.loads(_meeting_column(demo_db, "parent_views")) == [
        {"text": "Sam says mornings are easier.", "private": False}
    ]
    after = rows(demo_store)
    assert (after["core_group_meeting"], after["plan_version"], after["person"]) == (
        before["core_group_meeting"] + 1,
        before["plan_version"] + 1,
        before["person"] + 1,
    )


def _meeting_column(db: Path, column: str) -> str:
    from helpers import rows as sql

    ((value,),) = sql(db, f"SELECT {column} FROM core_group_meeting")
    return str(value)


def _open_on_or_before(day: date) -> date:
    """The six-weekly core group falls due on the working day on or before its date (England's closed-day rule)."""
    import holidays

    closed = holidays.country_holidays("GB", subdiv="ENG", years=range(day.year - 1, day.year + 1))
    while day.weekday() >= 5 or day in closed:
        day -= timedelta(days=1)
    return day


def test_core_group_through_the_command(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    result = typed(monkeypatch, demo_db, quiet_meeting(), "core-group", "record", "Jamie Testwood")  # by name
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        f"Recorded the core group of {british(TODAY)}.\n"
        "  The plan did not change.\n"
        "  When the revised plan and minutes go out: `cpctl core-group sent DEMO-1001 --on DATE`.\n"
        f"  Next meeting: {british(_open_on_or_before(TODAY + timedelta(weeks=6)))}.\n"
    )
    (meeting,) = meetings(demo_db)
    assert {a["person"] for a in meeting["attendance"] if a["status"] == "attended"} == set(LISTED)
    assert meeting["progress"] == {
        "A1": {"status": "on-track", "note": None},
        "A2": {"status": "on-track", "note": None},
    }
    assert [h["version"] for h in history(demo_db)] == [1]


def test_the_child_is_chosen_from_those_on_a_plan(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    keys = DOWN + ENTER  # Jamie, Mia: Mia
    keys += checkbox(0)  # her brother, offered ticked, was not at this meeting
    result = typed(monkeypatch, demo_db, keys + quiet_meeting(), "core-group", "record")
    assert result.exit_code == 0, result.output
    assert len(meetings(demo_db, MIA)) == 1 and meetings(demo_db, JAMIE) == []


def test_a_child_without_a_plan_is_refused_before_any_question(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    result = typed(monkeypatch, demo_db, "", "core-group", "record", "DEMO-1003")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: child DEMO-1003 has no plan in force, so there is no plan to record a core group for; a plan "
        "starts at a conference (`cpctl conference new`).\n",
    )


def test_dropping_a_change_that_needs_agreement_keeps_the_plan(demo_store: Store, demo_db: Path) -> None:
    keys = ENTER + ENTER + NO_PROGRESS_CHANGE + NO_VIEWS
    keys += checkbox(PLAN_MENU["remove"]) + checkbox(1)  # remove A2: it needs agreement
    keys += DOWN + ENTER  # drop the changes
    keys += NEXT_AS_OFFERED + SAVE
    with keys_typed(keys):
        (recorded,) = core_group_wizard(demo_store, [JAMIE])
    assert recorded.version is None and recorded.changes == []
    assert [a["id"] for a in content(demo_db)["actions"]] == ["A1", "A2"]
    assert len(meetings(demo_db)) == 1


def test_going_back_from_agreement_to_change_the_plan_again(demo_store: Store, demo_db: Path) -> None:
    keys = ENTER + ENTER + NO_PROGRESS_CHANGE + NO_VIEWS
    keys += checkbox(PLAN_MENU["remove"]) + checkbox(1)  # remove A2: it needs agreement
    keys += CTRL_Z  # Ctrl-Z, like Shift-Tab: back to the removal, A2 still ticked: untick it
    keys += checkbox(1)
    keys += NEXT_AS_OFFERED + SAVE
    with keys_typed(keys):
        (recorded,) = core_group_wizard(demo_store, [JAMIE])
    assert recorded.version is None
    assert [a["id"] for a in content(demo_db)["actions"]] == ["A1", "A2"]


def test_ctrl_c_half_way_writes_nothing(demo_store: Store) -> None:
    before = rows(demo_store)
    keys = ENTER + checkbox(SOMEONE_ELSE) + ENTER + ENTER + "Pat Quill" + ENTER + CTRL_C
    with pytest.raises(Cancelled), keys_typed(keys):
        core_group_wizard(demo_store, [JAMIE])
    assert rows(demo_store) == before


def test_cancel_at_the_summary_writes_nothing_not_even_the_person_added(demo_store: Store) -> None:
    before = rows(demo_store)
    keys = ENTER + checkbox(SOMEONE_ELSE) + ENTER + ENTER + "Pat Quill" + ENTER + ENTER
    keys += "Northshire Police (synthetic)" + ENTER + ENTER + "n"
    keys += NO_PROGRESS_CHANGE + NO_VIEWS + NO_CHANGE + NEXT_AS_OFFERED
    keys += DOWN * 2 + ENTER  # Save, Change something, Cancel
    with pytest.raises(Cancelled), keys_typed(keys):
        core_group_wizard(demo_store, [JAMIE])
    assert rows(demo_store) == before


def test_go_back_to_a_section_before_saving(demo_store: Store, demo_db: Path) -> None:
    keys = ENTER + ENTER + NO_PROGRESS_CHANGE + NO_VIEWS + NO_CHANGE
    keys += retype(uk(TODAY + timedelta(days=3)))  # next meeting in 3 days
    keys += section("date") + retype(uk(days_ago(2)))  # the date: two days ago
    keys += section("progress") + checkbox(0) + PROGRESS_SOME_CONCERN + "Sam came late." + ENTER  # A1
    keys += section("sent") + DOWN + ENTER  # sent today
    keys += SAVE
    with keys_typed(keys):
        (recorded,) = core_group_wizard(demo_store, [JAMIE])
    assert recorded.meeting.held_on == days_ago(2)
    (meeting,) = meetings(demo_db)
    assert meeting["progress"]["A1"] == {"status": "some-concern", "note": "Sam came late."}
    assert (meeting["sent_on"], meeting["next_meeting"]) == (iso(TODAY), iso(TODAY + timedelta(days=3)))


def test_a_date_before_the_last_core_group_is_not_accepted(
    demo_store: Store, demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rest = quiet_meeting()[1:]
    with keys_typed(retype(uk(days_ago(3))) + rest):
        core_group_wizard(demo_store, [JAMIE])
    # The same day again is refused at the prompt (which stays), so the next answer is asked for.
    with keys_typed(retype(uk(days_ago(3))) + retype(uk(TODAY)) + rest):
        (recorded,) = core_group_wizard(demo_store, [JAMIE])
    assert recorded.meeting.held_on == TODAY
    assert [m["date"] for m in meetings(demo_db)] == [iso(days_ago(3)), iso(TODAY)]
    shown = capsys.readouterr().out  # the second meeting shows what the first said of each action, as the default
    assert (
        f"  A1 Parenting course (Positive Routines) (Sam Testwood): on track (as on {short_british(days_ago(3))})\n"
        in (shown)
    )


def test_other_parts_of_the_plan_change_at_a_core_group(demo_store: Store, demo_db: Path) -> None:
    keys = ENTER + ENTER + NO_PROGRESS_CHANGE + NO_VIEWS + checkbox(PLAN_MENU["part"])
    keys += part("worries") + ENTER + items("A neighbour's worry about late-night visitors.") + checkbox(1)
    keys += part("safety_scale") + retype("6")
    keys += part("core_group") + DOWN * LISTED.index(GRACE) + " " + ENTER  # Grace leaves the core group
    keys += DONE + NEXT_AS_OFFERED + SAVE
    with keys_typed(keys):
        (recorded,) = core_group_wizard(demo_store, [JAMIE])
    assert [c.line() for c in recorded.changes] == [
        "+ What we are worried about: A neighbour's worry about late-night visitors.",
        f"- Core group: {GRACE} leaves",
        "~ Safety scale: 4 → 6",
    ]
    worries = content(demo_db)["worries"]
    assert worries[1] == {"text": "A neighbour's worry about late-night visitors.", "private": True}


# -- plan edit -------------------------------------------------------------------------------------------
def test_plan_edit_through_the_command(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    keys = part("safety_scale") + retype("6")
    keys += part("contingency") + ENTER + items("Jamie stays with his grandmother if the home is cold.") + ENTER
    keys += DONE + SAVE
    result = typed(monkeypatch, demo_db, keys, "plan", "edit", JAMIE)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Saved version 2 of the plan for DEMO-1001; see `cpctl plan diff DEMO-1001`.\n")
    assert ok(on(demo_db, "plan", "diff", JAMIE)).splitlines() == [
        "From version 1 to version 2:",
        "  + Contingency plan: Jamie stays with his grandmother if the home is cold.",
        "  ~ Safety scale: 4 → 6",
    ]
    assert "The plan changes, from version 1 to 2:" in result.stdout  # the summary, before saving


def test_plan_edit_refuses_when_someone_saved_a_version_while_answering(
    monkeypatch: pytest.MonkeyPatch, demo_db: Path
) -> None:
    """The wizard read version 1; a colleague saved version 2 before Save: saving would undo their change."""
    from datetime import date

    from cpctl.casework import people, revision
    from cpctl.casework.plan import PlanContent
    from cpctl.commands.wizards import plan_edit
    from cpctl.paths import sqlite_url

    def a_colleague_saves(session: Any) -> None:
        child = people.find_child(session, JAMIE)
        plan_row = revision.active_plan_of(session, child)
        theirs = PlanContent.model_validate({**content(demo_db), "safety_scale": 3})
        revision.add_version(session, child, plan_row, theirs, made_on=date.today(), source="edit")

    wizard = plan_edit.edit_plan_wizard

    def answered_while_a_colleague_saves(*args: Any, **kwargs: Any) -> Any:
        answers = wizard(*args, **kwargs)
        colleague = Store(sqlite_url(demo_db))
        try:
            with colleague.write() as session:
                a_colleague_saves(session)
        finally:
            colleague.dispose()
        return answers

    monkeypatch.setattr(plan_edit, "edit_plan_wizard", answered_while_a_colleague_saves)
    keys = part("safety_scale") + retype("6") + DONE + SAVE
    result = typed(monkeypatch, demo_db, keys, "plan", "edit", JAMIE)
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: someone saved version 2 of child DEMO-1001's plan after version 1, which this revision began from; "
        "nothing was saved. See what changed (`cpctl plan diff DEMO-1001 1 2`), then make your revision again from "
        "version 2.\n",
    )
    assert [h["version"] for h in history(demo_db)] == [1, 2]
    assert content(demo_db)["safety_scale"] == 3  # the colleague's version stands


def test_plan_edit_asks_for_agreement_and_shows_it(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    keys = part("child_seen") + ENTER  # keep the one arrangement
    keys += ENTER  # no one more
    keys += part("actions") + change(0) + ENTER * 4 + retype("fortnightly") + ENTER * 4 + DONE + ENTER
    keys += DONE
    keys += ENTER + ENTER  # record who agreed it: --agreed-by gave the answer already
    keys += SAVE
    result = typed(monkeypatch, demo_db, keys, "plan", "edit", JAMIE, "--agreed-by", AGREED)
    assert result.exit_code == 0, result.output
    assert "This change needs a conference decision" in result.stdout
    assert "  - Action A1 'Parenting course (Positive Routines)' happens less often (weekly → fortnightly)\n" in (
        result.stdout
    )
    record = plan_json(demo_db)
    assert (record["version"], record["significant"], record["agreed_by"]) == (2, True, AGREED)
    assert record["content"]["actions"][0]["frequency"] == "fortnightly"


def test_plan_edit_that_changes_nothing_can_only_go_back_or_cancel(
    monkeypatch: pytest.MonkeyPatch, demo_db: Path
) -> None:
    keys = DONE + DOWN + ENTER  # nothing changed: Go back, Cancel
    result = typed(monkeypatch, demo_db, keys, "plan", "edit", JAMIE)
    assert (result.exit_code, result.stderr) == (130, CANCELLED + "\n")
    assert "  Nothing has changed yet.\n" in result.stdout
    assert [h["version"] for h in history(demo_db)] == [1]


def test_plan_edit_cancelled_at_the_agreement_writes_nothing(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    before = rows(demo_db)
    keys = part("actions") + remove(2, 0, 1) + DONE + DONE + DOWN * 2 + ENTER  # both actions gone; cancel
    result = typed(monkeypatch, demo_db, keys, "plan", "edit", JAMIE)
    assert (result.exit_code, result.stderr) == (130, CANCELLED + "\n")
    assert rows(demo_db) == before


def test_plan_edit_of_a_plan_with_gaps_saves_a_draft(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    keys = part("actions") + ADD + "Speech therapy" + ENTER + ENTER + NO_ONE + ENTER * 6  # nothing else known
    keys += DONE + ENTER + DONE + SAVE  # the only way to save is as a draft
    result = typed(monkeypatch, demo_db, keys, "plan", "edit", JAMIE)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "Saved version 2 of the plan for DEMO-1001 as a draft; see `cpctl plan diff DEMO-1001`.\n"
    )
    assert "The plan still lacks (1):" in result.stdout
    assert plan_json(demo_db)["draft"] is True


# -- visit record ----------------------------------------------------------------------------------------
def visits(db: Path, child: str = JAMIE) -> list[dict[str, Any]]:
    return ok_json(on(db, "visit", "list", child, "--json"))  # type: ignore[no-any-return]


def closed_yes(day: date) -> str:
    """The answer to "Was that the day of the visit?", asked only when the day is a weekend or a bank holiday."""
    from cpctl.rules import profile

    return "y" if not profile.load("england").calendar.is_working_day(day) else ""


def test_visit_asked_for_everything(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    keys = ENTER + retype(uk(days_ago(1))) + closed_yes(days_ago(1))  # Jamie; yesterday
    keys += ENTER  # the visitor: the lead worker, Jordan Ashby, is the default
    keys += "n" + "y" + "n"  # unannounced, seen alone, bedroom not seen
    keys += items("Home warm.", "A neighbour's report about visitors.") + checkbox(1)
    result = typed(monkeypatch, demo_db, keys, "visit", "record")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f"Recorded a visit to DEMO-1001 on {british(days_ago(1))}.\n")
    assert visits(demo_db) == [
        {
            "ref": "V00001",
            "date": iso(days_ago(1)),
            "visitor": {"ref": JORDAN, "name": "Jordan Ashby"},
            "announced": False,
            "seen_alone": True,
            "bedroom_seen": False,
            "notes": [
                {"text": "Home warm.", "private": False},
                {"text": "A neighbour's report about visitors.", "private": True},
            ],
        }
    ]


def test_a_weekend_visit_date_is_confirmed_and_can_be_asked_again(
    monkeypatch: pytest.MonkeyPatch, demo_db: Path
) -> None:
    """The demo's plans began six days ago, so the last seven days hold a Sunday and a working day of the plan."""
    week = [days_ago(n) for n in range(7)]
    sunday = next(d for d in week if d.weekday() == 6)
    weekday = next(d for d in week if not closed_yes(d))
    keys = ENTER + retype(uk(sunday)) + "n"  # Jamie; a Sunday; "Was that the day of the visit?" no
    keys += retype(uk(weekday))  # asked again: the right day
    keys += ENTER + ENTER + ENTER + ENTER + ENTER  # the lead worker; announced, not alone, no bedroom, no notes
    result = typed(monkeypatch, demo_db, keys, "visit", "record")
    assert result.exit_code == 0, result.output
    (visit,) = visits(demo_db)
    assert (visit["date"], visit["visitor"]["ref"]) == (iso(weekday), JORDAN)
    assert "Note:" not in result.stdout  # the wizard asked instead


def test_visit_asks_only_what_was_not_given(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    keys = "y"  # seen alone: the only question
    result = typed(
        monkeypatch,
        demo_db,
        keys,
        "visit",
        "record",
        MIA,
        "--on",
        "today",
        "--visitor",
        JORDAN,
        "--announced",
        "--bedroom",
        "--private-note",
        "Third-party information.",
    )
    assert result.exit_code == 0, result.output
    (visit,) = visits(demo_db, MIA)
    assert (visit["visitor"]["ref"], visit["announced"], visit["seen_alone"], visit["bedroom_seen"]) == (
        JORDAN,
        True,
        True,
        True,
    )
    assert visit["notes"] == [{"text": "Third-party information.", "private": True}]


def test_visit_of_another_professional_chosen_from_the_list(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    keys = DOWN + ENTER + ENTER + closed_yes(TODAY)  # Mia; today
    keys += DOWN * 5 + ENTER  # the lead worker, the user, then the others by name: Grace, Hannah, Ola, Tom
    keys += ENTER + ENTER + ENTER + ENTER  # announced, not alone, bedroom not seen, no notes
    result = typed(monkeypatch, demo_db, keys, "visit", "record")
    assert result.exit_code == 0, result.output
    (visit,) = visits(demo_db, MIA)
    assert visit["visitor"]["ref"] == TOM


def test_visit_to_an_unborn_child_is_refused_before_any_question(
    monkeypatch: pytest.MonkeyPatch, demo_db: Path
) -> None:
    result = typed(monkeypatch, demo_db, "", "visit", "record", "DEMO-1003")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: child DEMO-1003 is not born yet, so there is no visit to record; record the birth first (`cpctl "
        "child edit DEMO-1003 --dob DATE`).\n",
    )


# -- the installed program in a real terminal ------------------------------------------------------------
def _pty_store(path: StoreRef, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {**os.environ, "CPCTL_USER": USER, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    monkeypatch.setenv("CPCTL_USER", USER)
    made = path.open()
    demo.build(made)
    demo.record_initial_conference(made)  # Jamie's and Mia's plans began six days ago
    made.dispose()
    return env


@pytest.mark.slow
def test_cpctl_core_group_record_in_a_pseudo_terminal(make_store, monkeypatch: pytest.MonkeyPatch) -> None:
    pexpect = pytest.importorskip("pexpect")
    cpctl = Path(sys.executable).with_name("cpctl")
    db = make_store("pty.db")
    env = _pty_store(db, monkeypatch)
    child = pexpect.spawn(
        str(cpctl),
        ["--db", str(db), "core-group", "record", JAMIE],
        env=env,
        timeout=30,
        encoding="utf-8",
        dimensions=(50, 160),
    )
    down, up, enter = "\x1b[B", "\x1b[A", "\r"

    def answer(prompt: str, keys: str) -> None:
        child.expect_exact(prompt)
        child.send(keys)

    answer("Date of the meeting", enter)
    answer("Who came?", enter)
    answer("Which actions' progress is different", " " + enter)  # A1
    answer("Progress on A1:", up + enter)  # done
    answer("A note on A1", "Course finished." + enter)
    answer("The parents' views, in their words (blank for none)", "Sam says mornings are easier." + enter)
    answer("wishes and feelings (blank for none)", enter)
    answer("Notes of the meeting (blank for none)", enter)
    answer("What did the meeting change in the plan?", down * PLAN_MENU["part"] + " " + enter)
    answer("Which part of the plan to change?", down * PART["safety_scale"] + enter)
    answer("Safety scale, 0 (not safe)", "\x15" + "5" + enter)  # the question itself, not the menu's echo of it
    answer("Which part of the plan to change?", enter)  # done
    answer("Date of the next core group", enter)
    answer("not for the family's copy?", enter)
    child.expect_exact("~ Safety scale: 4 → 5")  # the summary
    answer("What now?", down + enter)  # change something
    answer("Which part?", down * SECTION["sent"] + enter)
    answer("Have the revised plan and minutes gone", down + enter)  # today
    answer("What now?", enter)
    child.expect_exact(f"Recorded the core group of {british(TODAY)}.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    listed = json.loads(pexpect.run(f"{cpctl} --db {db} core-group list {JAMIE} --json", env=env, timeout=60))
    assert [(m["date"], m["sent_on"], m["progress"]["A1"]["status"]) for m in listed] == [
        (iso(TODAY), iso(TODAY), "done")
    ]
    assert content(db)["safety_scale"] == 5


@pytest.mark.slow
def test_ctrl_c_in_plan_edit_in_a_pseudo_terminal_exits_130(make_store, monkeypatch: pytest.MonkeyPatch) -> None:
    pexpect = pytest.importorskip("pexpect")
    cpctl = Path(sys.executable).with_name("cpctl")
    db = make_store("pty.db")
    env = _pty_store(db, monkeypatch)
    before = rows(db)
    child = pexpect.spawn(
        str(cpctl),
        ["--db", str(db), "plan", "edit", JAMIE],
        env=env,
        timeout=30,
        encoding="utf-8",
        dimensions=(50, 160),
    )
    child.expect_exact("Which part of the plan to change?")
    child.send("\x1b[B\x1b[B\r")  # what we are worried about
    child.expect_exact("What are we worried about: keep which?")
    child.send("\x03")
    child.expect_exact(CANCELLED)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert rows(db) == before


def test_the_wizard_module_leaves_questionary_and_the_store_unimported() -> None:
    """`cpctl --help` stays quick: the plan wizards import questionary and SQLModel only when they run."""
    import subprocess

    code = (
        "import sys, cpctl.cli, cpctl.commands.wizards.coregroup, cpctl.commands.wizards.plan_edit, "
        "cpctl.commands.wizards.visit; "
        "print(sorted(m for m in ('questionary', 'sqlmodel', 'prompt_toolkit', 'pydantic') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


def test_a_new_action_is_numbered_apart_from_the_familys_shared_ones() -> None:
    """A shared family action (F1) keeps its id, and the child's own actions go on from A1, not from F's number."""
    from cpctl.casework.plan import Action, PlanContent, number_actions

    content = PlanContent(actions=[Action(id="F3", what="Money and debt advice"), Action(what="Speech therapy")])
    numbered = number_actions(content, PlanContent(actions=[Action(id="F1", what="Parenting course")]))
    assert [a.id for a in numbered.actions] == ["F3", "A1"]
