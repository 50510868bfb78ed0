# ruff: noqa: F811  (the fixtures imported from the fixture modules are used as test arguments)
"""The plan over its life from files and options: core groups, visits, revisions, progress, reviews, the end.

Every refusal is checked as the one `Error: ...` line it prints, exit code 1, and nothing written (the store's
whole SQL dump is the same afterwards). Everyone here is the synthetic Testwood family of `cpctl demo`.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from conference_fixtures import TODAY, conference_env, days_ago, demo_db  # noqa: F401
from cpctl.dates import british, short_british
from cpctl.demo import testwoods as demo
from helpers import dump, failed, ok, ok_json, rows
from plan_fixtures import (  # noqa: F401
    ALEX,
    BABY,
    CHRIS,
    GRACE,
    HANNAH,
    JAMIE,
    JORDAN,
    MIA,
    OLA,
    SAM,
    TOM,
    aged_db,
    content,
    due_json,
    example_core_group,
    history,
    iso,
    on,
    plan_json,
    stdout_lines,
    timeline,
    write,
)

REVIEWED = "Review conference CF00002 on 22/11/2026 agreed it"


def record_from(db: Path, tmp_path: Path, data: dict[str, Any], *more: str, name: str = "core-group.yaml") -> Any:
    return on(db, "core-group", "record", "--from", str(write(tmp_path / name, data)), *more)


# -- core groups from a file ---------------------------------------------------------------------------------
def test_core_group_from_a_file_records_the_meeting_and_revises_the_plan(demo_db: Path, tmp_path: Path) -> None:
    held = days_ago(5)
    data = example_core_group(held)
    lines = stdout_lines(record_from(demo_db, tmp_path, data))
    start_a2 = date.fromisoformat(str(data["changed_actions"][0]["start"]))
    before_a2 = date.fromisoformat(content(demo_db, JAMIE, 1)["actions"][1]["start"])
    start_a3 = data["new_actions"][0]["start"]
    assert lines == [
        f"Recorded the core group of {british(held)}.",
        "  The plan is now version 2:",
        f"    ~ Action A2 'Money and debt advice': start {short_british(before_a2)} → {short_british(start_a2)}",
        f"    + Action A3 'Breakfast club place at school' added (who: {TOM}; start: {short_british(start_a3)}; "
        "how often: every school day)",
        f"  Revised plan and minutes sent on {british(TODAY)}.",
        f"  Next meeting: {british(data['next_meeting'])}.",
    ]
    (meeting,) = ok_json(on(demo_db, "core-group", "list", JAMIE, "--json"))
    assert meeting == {
        "date": iso(held),
        "attendance": [
            {"person": SAM, "status": "attended", "reason": None},
            {"person": JORDAN, "status": "attended", "reason": None},
            {"person": OLA, "status": "attended", "reason": None},
            {"person": TOM, "status": "report", "reason": None},
        ],
        "progress": {
            "A1": {"status": "on-track", "note": "Sam has been to two sessions out of two."},
            "A2": {"status": "some-concern", "note": "The first meeting was missed. A new one is booked."},
        },
        "next_meeting": iso(data["next_meeting"]),
        "sent_on": iso(TODAY),
    }
    assert [(h["version"], h["source"], h["added"], h["changed"], h["removed"]) for h in history(demo_db)] == [
        (1, "conference", 0, 0, 0),
        (2, "core-group", 1, 1, 0),
    ]


def test_progress_shows_in_plan_show_and_its_json(demo_db: Path, tmp_path: Path) -> None:
    held = days_ago(5)
    ok(record_from(demo_db, tmp_path, example_core_group(held)))
    record = plan_json(demo_db)
    assert record["progress"] == {
        "A1": {"status": "on-track", "note": "Sam has been to two sessions out of two.", "recorded_on": iso(held)},
        "A2": {
            "status": "some-concern",
            "note": "The first meeting was missed. A new one is booked.",
            "recorded_on": iso(held),
        },
        "A3": None,
    }
    shown = ok(on(demo_db, "plan", "show", JAMIE))
    progress = {line.split("│")[1].strip(): line.split("│")[8].strip() for line in shown.splitlines() if "│ A" in line}
    assert progress == {"A1": "on track", "A2": "some concern", "A3": "not reviewed yet"}
    # Version 1 shows its actions' progress up to the meeting that replaced it, where that progress was recorded.
    assert plan_json(demo_db, JAMIE, "--version", "1")["progress"] == {
        key: value for key, value in record["progress"].items() if key != "A3"
    }


def test_a_partial_file_is_refused_for_its_gaps_and_saved_as_a_draft_with_draft(demo_db: Path, tmp_path: Path) -> None:
    data = {
        "child": JAMIE,
        "date": iso(days_ago(2)),
        "attendance": [{"person": JORDAN, "status": "attended"}],
        "new_actions": [{"what": "Speech therapy"}],
    }
    before = dump(demo_db)
    failed(
        record_from(demo_db, tmp_path, data),
        "Error: core-group.yaml, line 6: new_actions: the revised plan for child DEMO-1001 still lacks: action A3 "
        "'Speech therapy': no one responsible, no start date, no frequency, no length, no planned outcome, no date "
        "the outcome is due, no measure of success (§3.10). Fill these in, or save it as a draft (--draft, or "
        "save_as_draft: true).",
    )
    assert dump(demo_db) == before
    assert stdout_lines(record_from(demo_db, tmp_path, data, "--draft")) == [
        f"Recorded the core group of {british(days_ago(2))}.",
        "  The plan is now version 2 (draft):",
        "    + Action A3 'Speech therapy' added",
        f"  When the revised plan and minutes go out: `cpctl core-group sent {JAMIE} --on DATE`.",
    ]
    record = plan_json(demo_db)
    assert (record["version"], record["draft"]) == (2, True)
    assert record["gaps"] == [
        "action A3 'Speech therapy': no one responsible, no start date, no frequency, no length, no planned "
        "outcome, no date the outcome is due, no measure of success (§3.10)"
    ]


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            lambda d: d["progress"][1].update(status="fine"),
            "Error: core-group.yaml, line 17: progress[1].status: 'fine': input should be 'done', 'on-track', "
            "'some-concern', 'not-started' or 'no-longer-needed'.",
        ),
        (
            lambda d: d["progress"].append({"action": "A7", "status": "done"}),
            "Error: core-group.yaml, line 19: progress[2].action: the plan has no action A7; its actions are A1, A2.",
        ),
        (
            lambda d: d["changed_actions"].append({"id": "A9", "what": "Nothing"}),
            "Error: core-group.yaml, line 39: changed_actions[1].id: the plan has no action A9; its actions are A1, "
            "A2.",
        ),
        (
            lambda d: d["attendance"][0].update(person="P09999"),
            "Error: core-group.yaml, line 4: attendance[0].person: no person with reference or name 'P09999'; see "
            "`cpctl person list`, or add them with `cpctl person add`.",
        ),
        (
            lambda d: d.update(next_meeting=d["date"]),
            "Error: core-group.yaml, line 1: the next meeting must come after this one.",
        ),
        (
            lambda d: d.update(plan={"worries": ["Anything"]}),
            "Error: core-group.yaml, line 1: give either the whole revised plan (plan) or changes to actions, not "
            "both.",
        ),
        (
            lambda d: d.update(date=iso(days_ago(7))),
            f"Error: core-group.yaml, line 2: date: the plan began on {iso(days_ago(6))}; a core group for it cannot "
            "be earlier.",
        ),
        (
            lambda d: d.update(minutes="typed up"),
            "Error: core-group.yaml, line 42: minutes: is not a field cpctl knows; check the spelling (`cpctl "
            "core-group template` lists the fields).",
        ),
    ],
    ids=[
        "bad-status",
        "unknown-action",
        "unknown-changed-action",
        "unknown-person",
        "next-meeting",
        "both",
        "early",
        "extra",
    ],
)
def test_a_malformed_file_names_its_line(demo_db: Path, tmp_path: Path, change: Any, line: str) -> None:
    data = example_core_group(days_ago(5))
    change(data)
    before = dump(demo_db)
    failed(record_from(demo_db, tmp_path, data), line)
    assert dump(demo_db) == before


def test_an_action_moved_to_start_after_its_outcome_is_due_is_refused(demo_db: Path, tmp_path: Path) -> None:
    """A changed start past the action's own `by` is refused where it is typed, with nothing saved (it once saved
    a plan version that cpctl could not read back)."""
    data = example_core_group(days_ago(5))
    by = date.fromisoformat(content(demo_db, JAMIE, 1)["actions"][1]["by"])
    late = by + timedelta(days=10)
    data["changed_actions"][0].update(start=iso(late))
    data["changed_actions"][0].pop("by", None)
    before = dump(demo_db)
    result = record_from(demo_db, tmp_path, data)
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"changed_actions[0].start: action A2's outcome would be due ({by.isoformat()}) before it starts "
        f"({late.isoformat()}); give a new `by` date with the new start.\n"
    ), result.stderr
    assert dump(demo_db) == before
    data["changed_actions"][0]["by"] = iso(late + timedelta(weeks=8))
    assert record_from(demo_db, tmp_path, data).exit_code == 0


def test_a_file_that_is_not_yaml_names_its_line(demo_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "core-group.yaml"
    path.write_text("child: DEMO-1001\ndate: [2026-01-01\n", encoding="utf-8")
    result = on(demo_db, "core-group", "record", "--from", str(path))
    assert result.exit_code == 1 and result.stderr.startswith("Error: core-group.yaml, line 3: not valid YAML (")


def test_a_file_for_another_child_is_refused(demo_db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "core-group.yaml", example_core_group(days_ago(5)))
    failed(
        on(demo_db, "core-group", "record", MIA, "--from", str(path)),
        "Error: the file is for child 'DEMO-1001', not 'DEMO-1002'; check which file you meant.",
    )


def test_sending_the_plan_and_minutes_meets_the_circulation_deadline(demo_db: Path, tmp_path: Path) -> None:
    held = days_ago(2)  # 5 working days (England) after it is always later than today
    data = example_core_group(held)
    del data["sent_on"]
    ok(record_from(demo_db, tmp_path, data))
    (waiting,) = due_json(demo_db, "--kind", "plan-circulated", "--child", JAMIE)
    due_on = date.fromisoformat(waiting["due"])
    assert (waiting["explanation"]["rule"], waiting["explanation"]["event_date"]) == ("plan-circulated", iso(held))
    assert due_on > TODAY
    assert ok(on(demo_db, "core-group", "sent", JAMIE, "--on", "today")) == (
        f"Recorded: the plan and minutes of {british(held)} went out on {british(TODAY)}.\n"
    )
    assert due_json(demo_db, "--kind", "plan-circulated", "--child", JAMIE) == []
    assert {
        "date": iso(TODAY),
        "kind": "deadline",
        "status": "met",
        "text": (f"Revised plan and minutes sent out (due {short_british(due_on)}): met on time"),
    } in timeline(demo_db)
    assert (ok_json(on(demo_db, "core-group", "list", JAMIE, "--json"))[0]["sent_on"]) == iso(TODAY)
    failed(
        on(demo_db, "core-group", "sent", JAMIE, "--on", "today"),
        f"Error: the plan and minutes of the meeting on {iso(held)} were already recorded as sent on {iso(TODAY)}.",
    )


def test_sent_before_any_core_group_is_refused(demo_db: Path) -> None:
    failed(
        on(demo_db, "core-group", "sent", JAMIE, "--on", "today"),
        "Error: child DEMO-1001's plan has no core group yet; record it with `cpctl core-group record`.",
    )


# -- without a terminal --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("core-group", "record", JAMIE),
            "Error: cpctl core-group record asks its questions in a terminal, and there is none here: give a file "
            "with --from FILE (see `cpctl core-group template`).",
        ),
        (
            ("core-group", "record"),
            "Error: cpctl core-group record asks its questions in a terminal, and there is none here: give a file "
            "with --from FILE (see `cpctl core-group template`).",
        ),
        (
            ("plan", "edit", JAMIE),
            "Error: cpctl plan edit asks its questions in a terminal, and there is none here: give the revised plan "
            f"with --from FILE (`cpctl plan show {JAMIE} --json` gives the current one under 'content').",
        ),
        (
            ("visit", "record", JAMIE, "--announced"),
            "Error: give the child, --announced/--unannounced, --alone/--not-alone and --bedroom/--no-bedroom (or "
            "--from FILE), or run this in a terminal to be asked.",
        ),
    ],
    ids=["core-group", "core-group-no-child", "plan-edit", "visit"],
)
def test_without_a_terminal_the_wizards_stop_at_once(demo_db: Path, args: tuple[str, ...], line: str) -> None:
    before = dump(demo_db)
    failed(on(demo_db, *args, input="\r\r\r\r"), line)  # keys waiting on stdin are never read
    assert dump(demo_db) == before


# -- visits ----------------------------------------------------------------------------------------------------
def working_day_ago(n: int) -> date:
    """The latest working day at least n days ago (a visit on a weekend or bank holiday is recorded with a note)."""
    from cpctl.rules import profile

    day = days_ago(n)
    while not profile.load("england").calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def test_visit_with_options(demo_db: Path) -> None:
    day = working_day_ago(1)
    assert ok(
        on(
            demo_db,
            "visit",
            "record",
            JAMIE,
            "--on",
            iso(day),
            "--visitor",
            JORDAN,
            "--unannounced",
            "--alone",
            "--bedroom",
            "--note",
            "Home warm; food in the cupboards.",
            "--private-note",
            "A neighbour reported late-night visitors.",
        )
    ) == (f"Recorded a visit to DEMO-1001 on {british(day)}.\n")
    ok(on(demo_db, "visit", "record", "Mia Testwood", "--announced", "--not-alone", "--no-bedroom"))
    assert ok_json(on(demo_db, "visit", "list", JAMIE, "--json")) == [
        {
            "ref": "V00001",
            "date": iso(day),
            "visitor": {"ref": JORDAN, "name": "Jordan Ashby"},
            "announced": False,
            "seen_alone": True,
            "bedroom_seen": True,
            "notes": [
                {"text": "Home warm; food in the cupboards.", "private": False},
                {"text": "A neighbour reported late-night visitors.", "private": True},
            ],
        }
    ]
    (mia,) = ok_json(on(demo_db, "visit", "list", MIA, "--json"))  # by name; the visitor is the lead worker by default
    assert (mia["date"], mia["visitor"], mia["announced"], mia["seen_alone"], mia["bedroom_seen"]) == (
        iso(TODAY),
        {"ref": JORDAN, "name": "Jordan Ashby"},
        True,
        False,
        False,
    )


def test_visit_from_a_file(demo_db: Path, tmp_path: Path) -> None:
    day = working_day_ago(2)
    data = {
        "child": JAMIE,
        "date": iso(day),
        "visitor": OLA,
        "announced": False,
        "seen_alone": True,
        "notes": ["Jamie showed his reading book.", {"text": "Third-party information.", "private": True}],
    }
    assert ok(on(demo_db, "visit", "record", "--from", str(write(tmp_path / "visit.yaml", data)))) == (
        f"Recorded a visit to DEMO-1001 on {british(day)}.\n"
    )
    (visit,) = ok_json(on(demo_db, "visit", "list", JAMIE, "--json"))
    assert (visit["visitor"]["ref"], visit["announced"], visit["seen_alone"], visit["bedroom_seen"]) == (
        OLA,
        False,
        True,
        False,
    )
    assert visit["notes"][1] == {"text": "Third-party information.", "private": True}
    before = dump(demo_db)
    data["seen_alone"] = "sometimes"
    data["mood"] = "cheerful"
    failed(
        on(demo_db, "visit", "record", "--from", str(write(tmp_path / "visit.yaml", data))),
        "Error: visit.yaml, line 5: seen_alone: Input should be a valid boolean, unable to interpret input. (and 1 "
        "more problem)",
    )
    del data["seen_alone"]
    failed(
        on(demo_db, "visit", "record", "--from", str(write(tmp_path / "visit.yaml", data))),
        "Error: visit.yaml, line 9: mood: is not a field cpctl knows; check the spelling.",
    )
    assert dump(demo_db) == before


def test_a_visit_file_is_the_whole_visit(demo_db: Path, tmp_path: Path) -> None:
    """With --from, the file says which child and everything else: a different child or an option is refused."""
    path = write(tmp_path / "visit.yaml", {"child": JAMIE, "date": iso(days_ago(2)), "visitor": OLA})
    before = dump(demo_db)
    failed(
        on(demo_db, "visit", "record", MIA, "--from", str(path)),
        f"Error: the file is for child {JAMIE!r}, not {MIA!r}; check which file you meant.",
    )
    result = on(demo_db, "visit", "record", "--from", str(path), "--alone", "--note", "Seen in the garden.")
    assert result.exit_code == 2
    assert (
        "Invalid value for --from: the file gives the whole visit; leave out --alone/--not-alone, "
        "--note/--private-note." in " ".join(result.stderr.split())
    )
    assert dump(demo_db) == before


def test_visit_options_that_are_not_a_visit_get_one_line(demo_db: Path) -> None:
    before = dump(demo_db)
    failed(
        on(demo_db, "visit", "record", JAMIE, "--announced", "--alone", "--bedroom", "--note", " "),
        "Error: notes[0].text: is empty; give a value (or leave the field out).",
    )
    assert dump(demo_db) == before


def test_a_visit_to_an_unknown_child_blames_the_child_not_the_visitor(demo_db: Path, tmp_path: Path) -> None:
    args = ("--visitor", OLA, "--announced", "--alone", "--bedroom")
    failed(
        on(demo_db, "visit", "record", "NOPE-9", *args),
        "Error: child: no child with id or name 'NOPE-9'; see `cpctl child list` for the children in this store.",
    )
    path = write(tmp_path / "visit.yaml", {"child": JAMIE, "date": iso(days_ago(2)), "visitor": "P99999"})
    result = on(demo_db, "visit", "record", "--from", str(path))
    assert result.exit_code == 1 and result.stderr.startswith("Error: visit.yaml, line 3: visitor: no person")


def test_a_refusal_without_a_terminal_creates_no_store(tmp_path: Path) -> None:
    new = tmp_path / "new.db"
    for args in (("visit", "record", JAMIE), ("init", "--name", "Alex Morgan")):
        result = on(new, *args)
        assert result.exit_code == 1 and "terminal" in result.stderr
        assert not new.exists()


def test_a_visit_meets_the_child_seen_deadline(demo_db: Path) -> None:
    (waiting,) = due_json(demo_db, "--kind", "child-seen", "--child", JAMIE)
    assert waiting["explanation"]["event_date"] == iso(days_ago(6))  # counted from the conference
    ok(on(demo_db, "visit", "record", JAMIE, "--on", "today", "--announced", "--alone", "--no-bedroom"))
    (following,) = due_json(demo_db, "--kind", "child-seen", "--child", JAMIE)
    assert following["explanation"]["event_date"] == iso(TODAY)  # the next one counts from the visit
    due_on = date.fromisoformat(waiting["due"])
    assert {
        "date": iso(TODAY),
        "kind": "deadline",
        "status": "met",
        "text": f"Child seen (due {short_british(due_on)}): met on time",
    } in timeline(demo_db)


def test_a_visit_to_an_unborn_child_is_refused(demo_db: Path, tmp_path: Path) -> None:
    before = dump(demo_db)
    failed(
        on(demo_db, "visit", "record", BABY, "--announced", "--alone", "--bedroom"),
        f"Error: date: child DEMO-1003 was not born by {iso(TODAY)}; record the birth first (`cpctl child edit "
        "DEMO-1003 --dob DATE`).",
    )
    path = write(tmp_path / "visit.yaml", {"child": BABY, "date": iso(TODAY), "visitor": HANNAH})
    failed(
        on(demo_db, "visit", "record", "--from", str(path)),
        f"Error: visit.yaml, line 2: date: child DEMO-1003 was not born by {iso(TODAY)}; record the birth first "
        "(`cpctl child edit DEMO-1003 --dob DATE`).",
    )
    assert dump(demo_db) == before


# -- versions: show, history, diff, edit -----------------------------------------------------------------------
def edit_from(db: Path, tmp_path: Path, plan: dict[str, Any], *more: str) -> Any:
    return on(db, "plan", "edit", JAMIE, "--from", str(write(tmp_path / "plan.json", plan)), *more)


def revised(plan: dict[str, Any]) -> dict[str, Any]:
    """Version 1 of Jamie's plan with a change in most of its parts, none of which reduces a service."""
    plan = copy.deepcopy(plan)
    plan["worries"].append({"text": "Jamie has missed school on Mondays.", "private": False})
    plan["working_well"] = plan["working_well"][:1]
    plan["immediate_actions"][0]["private"] = True
    plan["actions"][1]["frequency"] = "weekly"
    plan["actions"].append(
        {
            "what": "Breakfast club place at school",
            "who": TOM,
            "start": "2026-12-01",
            "frequency": "every school day",
            "length": "until the review",
            "outcome": "Jamie has breakfast every school day.",
            "by": "2027-02-26",
            "measure": "The club's register.",
        }
    )
    plan["child_seen"].append({"who": OLA, "how_often": "every 4 weeks", "where": "at home", "parents_present": "yes"})
    plan["core_group"].append(HANNAH)
    plan["safety_scale"] = 6
    return plan


DIFF_1_2 = [
    "From version 1 to version 2:",
    "  + What we are worried about: Jamie has missed school on Mondays.",
    "  - What is working well: Jamie goes to school every day.",
    "  ~ Immediate action: 'This week the social worker gets the fa…' now kept from the family's copy",
    "  ~ Action A2 'Money and debt advice': how often fortnightly → weekly",
    "  + Action A3 'Breakfast club place at school' added (who: Tom Hale (P00006); start: 1 Dec 2026; how often: "
    "every school day)",
    "  + Seeing the child: Ola Brennan (P00005), every 4 weeks, at home",
    "  + Core group: Hannah Pike (P00008) joins",
    "  ~ Safety scale: 4 → 6",
]


def test_a_diff_of_two_known_versions_is_a_readable_change_list(demo_db: Path, tmp_path: Path) -> None:
    assert ok(edit_from(demo_db, tmp_path, revised(content(demo_db)))) == (
        "Saved version 2 of the plan for DEMO-1001; see `cpctl plan diff DEMO-1001`.\n"
    )
    assert stdout_lines(on(demo_db, "plan", "diff", JAMIE)) == DIFF_1_2
    assert stdout_lines(on(demo_db, "plan", "diff", JAMIE, "1", "2")) == DIFF_1_2
    assert stdout_lines(on(demo_db, "plan", "diff", JAMIE, "1")) == DIFF_1_2
    assert stdout_lines(on(demo_db, "plan", "diff", JAMIE, "2", "1")) == [
        "From version 2 to version 1:",
        "  - What we are worried about: Jamie has missed school on Mondays.",
        "  + What is working well: Jamie goes to school every day.",
        "  ~ Immediate action: 'This week the social worker gets the fa…' now shared with the family",
        "  ~ Action A2 'Money and debt advice': how often weekly → fortnightly",
        "  - Action A3 'Breakfast club place at school' removed",
        "  - Seeing the child: Ola Brennan (P00005), every 4 weeks, at home",
        "  - Core group: Hannah Pike (P00008) leaves",
        "  ~ Safety scale: 6 → 4",
    ]
    assert ok(on(demo_db, "plan", "diff", JAMIE, "2", "2")) == "Versions 2 and 2 are the same.\n"
    record = ok_json(on(demo_db, "plan", "diff", JAMIE, "--json"))
    assert (record["from"], record["to"], len(record["changes"])) == (1, 2, 8)
    assert record["changes"][3] == {
        "change": "changed",
        "section": "actions",
        "text": "Action A2 'Money and debt advice': how often fortnightly → weekly",
        "id": "A2",
        "field": "frequency",
        "before": "fortnightly",
        "after": "weekly",
    }
    assert (record["changes"][6]["text"], record["changes"][6]["id"]) == (
        "Core group: Hannah Pike (P00008) joins",
        "P00008",
    )
    assert [(h["version"], h["source"], h["added"], h["changed"], h["removed"]) for h in history(demo_db)] == [
        (1, "conference", 0, 0, 0),
        (2, "edit", 4, 3, 1),
    ]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        ((JAMIE, "1", "5"), "Error: plan 1 of child DEMO-1001 has versions 1 to 2; there is no version 5."),
        ((JAMIE, "0", "2"), "Error: plan 1 of child DEMO-1001 has versions 1 to 2; there is no version 0."),
        ((JAMIE, "3"), "Error: plan 1 of child DEMO-1001 has versions 1 to 2; there is no version 3."),
        ((MIA,), "Error: plan 1 of child DEMO-1002 has only version 1; there is nothing to compare."),
        ((BABY,), "Error: child DEMO-1003 has no plan; a plan starts at a conference (`cpctl conference new`)."),
        (
            (JAMIE, "--plan", "2"),
            "Error: child DEMO-1001 has no plan 2; a plan starts at a conference (`cpctl conference new`).",
        ),
    ],
    ids=["b-too-high", "a-zero", "a-too-high", "one-version", "no-plan", "no-such-plan"],
)
def test_plan_diff_with_bad_versions(demo_db: Path, tmp_path: Path, args: tuple[str, ...], line: str) -> None:
    ok(edit_from(demo_db, tmp_path, revised(content(demo_db))))
    failed(on(demo_db, "plan", "diff", *args), line)


def test_plan_diff_with_a_negative_version(demo_db: Path) -> None:
    result = on(demo_db, "plan", "diff", JAMIE, "--", "-1")
    assert result.exit_code == 1
    assert result.stderr == "Error: plan 1 of child DEMO-1001 has versions 1 to 1; there is no version -1.\n"


def test_plan_show_marks_every_private_entry(demo_db: Path, tmp_path: Path) -> None:
    """Text items, actions and how the child is seen can each be kept from the family's copy: all are marked."""
    plan = content(demo_db)
    plan["worries"][0]["private"] = True
    plan["actions"][1]["private"] = True
    plan["child_seen"][0]["private"] = True
    ok(edit_from(demo_db, tmp_path, plan))
    shown = ok(on(demo_db, "plan", "show", JAMIE))
    private = "  [not for the family's copy]"
    worry, seen = plan["worries"][0]["text"], plan["child_seen"][0]
    assert f"\n  - {worry}{private}\n" in shown
    assert (
        f"\n  - Jordan Ashby ({JORDAN}), {seen['how_often']}, {seen['where']}, parents present: "
        f"{seen['parents_present']}{private}\n"
    ) in shown
    actions = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in shown.splitlines() if "│ A" in line}
    assert actions == {"A1": plan["actions"][0]["what"], "A2": plan["actions"][1]["what"] + private}
    assert shown.count(private) == 3


def test_plan_edit_from_the_json_of_plan_show(demo_db: Path, tmp_path: Path) -> None:
    before = dump(demo_db)
    assert ok(edit_from(demo_db, tmp_path, content(demo_db))) == (
        "The plan for DEMO-1001 already says that; nothing changed.\n"
    )
    assert dump(demo_db) == before
    plan = content(demo_db)
    plan["contingency"].append({"text": "Jamie stays with his grandmother if the home is cold again."})
    plan["actions"].append({"what": "Grandmother's support plan"})
    failed(
        edit_from(demo_db, tmp_path, plan),
        "Error: the revised plan for child DEMO-1001 still lacks: action A3 'Grandmother's support plan': no one "
        "responsible, no start date, no frequency, no length, no planned outcome, no date the outcome is due, no "
        "measure of success (§3.10). Fill these in, or save it as a draft (--draft, or save_as_draft: true).",
    )
    assert dump(demo_db) == before
    assert ok(edit_from(demo_db, tmp_path, plan, "--draft")) == (
        "Saved version 2 of the plan for DEMO-1001 as a draft; see `cpctl plan diff DEMO-1001`.\n"
    )
    assert plan_json(demo_db)["draft"] is True
    result = edit_from(demo_db, tmp_path, {**plan, "aims": []})
    line = next(n for n, text in enumerate((tmp_path / "plan.json").read_text().splitlines(), 1) if '"aims"' in text)
    failed(
        result,
        f"Error: plan.json, line {line}: aims: is not a field cpctl knows; check the spelling (`cpctl plan show "
        f"{JAMIE} --json` lists the fields).",
    )


def test_plan_edit_based_on_an_older_version_is_refused(demo_db: Path, tmp_path: Path) -> None:
    """A revised plan is saved whole: one made from version 1 after someone saved version 2 would undo their change."""
    first = content(demo_db)
    assert ok(edit_from(demo_db, tmp_path, {**first, "safety_scale": 5}, "--based-on", "1")) == (
        "Saved version 2 of the plan for DEMO-1001; see `cpctl plan diff DEMO-1001`.\n"
    )
    before = dump(demo_db)
    failed(
        edit_from(demo_db, tmp_path, {**first, "safety_scale": 6}, "--based-on", "1"),
        "Error: someone saved version 2 of child DEMO-1001's plan after version 1, which this revision began from; "
        "nothing was saved. See what changed (`cpctl plan diff DEMO-1001 1 2`), then make your revision again from "
        "version 2.",
    )
    failed(
        edit_from(demo_db, tmp_path, {**first, "safety_scale": 6}, "--based-on", "3"),
        "Error: child DEMO-1001's plan has no version 3 to revise (its latest is version 2); nothing was saved. Give "
        "the latest version's number.",
    )
    assert dump(demo_db) == before
    assert ok(edit_from(demo_db, tmp_path, {**content(demo_db), "safety_scale": 6}, "--based-on", "2")).startswith(
        "Saved version 3 "
    )
    assert ok(edit_from(demo_db, tmp_path, {**first, "safety_scale": 7})).startswith("Saved version 4 ")  # no check
    result = on(demo_db, "plan", "edit", JAMIE, "--based-on", "4")
    assert result.exit_code == 2 and "Invalid value for --based-on: goes with --from FILE" in result.stderr


SIGNIFICANT = (
    "Error: this change to child DEMO-1001's plan needs a conference decision (seed 002 §3.13): Action A2 'Money and "
    "debt advice' is removed; the child will be seen less often. Record who agreed it (agreed_by, or --agreed-by), "
    "e.g. the review conference's reference, or keep those services in the plan."
)
AGREED = "the review conference of 20/11/2026 (CF00002)"


def test_a_significant_change_needs_agreement(demo_db: Path, tmp_path: Path) -> None:
    plan = content(demo_db)
    plan["actions"] = plan["actions"][:1]
    plan["child_seen"][0]["how_often"] = "every 4 weeks"
    before = dump(demo_db)
    failed(edit_from(demo_db, tmp_path, plan), SIGNIFICANT)
    assert dump(demo_db) == before
    assert ok(edit_from(demo_db, tmp_path, plan, "--agreed-by", AGREED)) == (
        "Saved version 2 of the plan for DEMO-1001; see `cpctl plan diff DEMO-1001`.\n"
    )
    (_, second) = history(demo_db)
    assert (second["version"], second["significant"], second["agreed_by"]) == (2, True, AGREED)
    assert f"significant, agreed by {AGREED}" in ok(on(demo_db, "plan", "history", JAMIE))
    assert f"  A significant change, agreed by {AGREED}\n" in ok(on(demo_db, "plan", "show", JAMIE))
    record = plan_json(demo_db)
    assert (record["version"], record["significant"], record["agreed_by"]) == (2, True, AGREED)
    assert [a["id"] for a in record["content"]["actions"]] == ["A1"]
    assert any(
        e["text"] == f"plan 1 version 2 (edit); significant change agreed by {AGREED}" for e in timeline(demo_db)
    )


def test_a_core_group_that_removes_an_action_needs_agreement(demo_db: Path, tmp_path: Path) -> None:
    data = {"child": JAMIE, "date": iso(days_ago(1)), "removed_actions": ["A2"]}
    before = dump(demo_db)
    failed(
        record_from(demo_db, tmp_path, data),
        "Error: core-group.yaml, line 4: removed_actions[0]: this change to child DEMO-1001's plan needs a "
        "conference decision (seed 002 §3.13): Action A2 'Money and debt advice' is removed. Record who agreed it "
        "(agreed_by, or --agreed-by), e.g. the review conference's reference, or keep those services in the plan.",
    )
    assert dump(demo_db) == before
    lines = stdout_lines(record_from(demo_db, tmp_path, {**data, "agreed_by": AGREED}))
    assert lines[1:4] == [
        "  The plan is now version 2:",
        "    - Action A2 'Money and debt advice' removed",
        f"  A significant change, agreed by {AGREED}.",
    ]
    assert (plan_json(demo_db)["significant"], plan_json(demo_db)["agreed_by"]) == (True, AGREED)


def test_an_action_made_less_frequent_is_refused_at_its_own_entry(demo_db: Path, tmp_path: Path) -> None:
    """The record adds an action too: the refusal names the changed action's line, not the first change given."""
    data = example_core_group(days_ago(5))
    data["changed_actions"] = [
        {"id": "A1", "what": "Parenting course (evenings)"},
        {"id": "A2", "frequency": "monthly"},
    ]
    path = write(tmp_path / "core-group.yaml", data)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "frequency: monthly" in text)
    before = dump(demo_db)
    failed(
        on(demo_db, "core-group", "record", "--from", str(path)),
        f"Error: core-group.yaml, line {line}: changed_actions[1].frequency: this change to child DEMO-1001's plan "
        "needs a conference decision (seed 002 §3.13): Action A2 'Money and debt advice' happens less often "
        "(fortnightly → monthly). Record who agreed it (agreed_by, or --agreed-by), e.g. the review conference's "
        "reference, or keep those services in the plan.",
    )
    assert dump(demo_db) == before
    assert ok(record_from(demo_db, tmp_path, {**data, "agreed_by": AGREED})).startswith("Recorded")


def test_a_core_group_written_against_an_older_version_is_refused(demo_db: Path, tmp_path: Path) -> None:
    ok(edit_from(demo_db, tmp_path, {**content(demo_db), "safety_scale": 5}))  # version 2, saved meanwhile
    data = {"child": JAMIE, "date": iso(days_ago(1)), "based_on": 1, "removed_actions": []}
    before = dump(demo_db)
    failed(
        record_from(demo_db, tmp_path, data),
        "Error: core-group.yaml, line 3: based_on: someone saved version 2 of child DEMO-1001's plan after version "
        "1, which this revision began from; nothing was saved. See what changed (`cpctl plan diff DEMO-1001 1 2`), "
        "then make your revision again from version 2.",
    )
    assert dump(demo_db) == before
    assert ok(record_from(demo_db, tmp_path, {**data, "based_on": 2})).startswith("Recorded")


def test_history_survives_every_edit(demo_db: Path, tmp_path: Path) -> None:
    from cpctl.casework.plan import PlanContent

    # Version 1 is what the conference recorded: its outline plan, the actions numbered, the lead worker first.
    decision = demo.example_conference(days_ago(6))["decisions"][0]  # type: ignore[index]
    recorded = PlanContent.model_validate(decision["plan"])
    for number, action in enumerate(recorded.actions, 1):
        action.id = f"A{number}"
    recorded.core_group = [JORDAN, *decision["core_group"]]
    snapshots = {1: content(demo_db, JAMIE, 1)}
    assert snapshots[1] == recorded.model_dump(mode="json")

    ok(record_from(demo_db, tmp_path, example_core_group(days_ago(5))))  # version 2: A2 starts later, A3 added
    snapshots[2] = content(demo_db)
    assert {**snapshots[2]["actions"][1], "start": None} == {**snapshots[1]["actions"][1], "start": None}
    ok(edit_from(demo_db, tmp_path, {**snapshots[2], "safety_scale": 5}))  # version 3
    snapshots[3] = content(demo_db)
    whole = {**snapshots[3], "worries": [*snapshots[3]["worries"], {"text": "Jamie is tired in class."}]}
    ok(record_from(demo_db, tmp_path, {"child": JAMIE, "date": iso(days_ago(3)), "plan": whole}))  # version 4
    snapshots[4] = content(demo_db)
    smaller = {**snapshots[4], "actions": snapshots[4]["actions"][:2]}
    ok(edit_from(demo_db, tmp_path, smaller, "--agreed-by", AGREED))  # version 5: A3 removed
    snapshots[5] = content(demo_db)
    review = {
        "kind": "review",
        "date": iso(TODAY),
        "chair": ALEX,
        "attendance": [{"person": p, "status": "attended"} for p in (SAM, JORDAN, OLA, TOM)],
        "decisions": [
            {
                "child": JAMIE,
                "outcome": "plan-changes",
                "categories": ["NEG"],
                "evidence": ["Jamie is fed and warm most days."],
                "child_views": ["Jamie likes breakfast club."],
                "parent_views": ["Sam wants the plan to end soon."],
                "plan": {**snapshots[5], "safety_scale": 7},
            }
        ],
    }
    ok(on(demo_db, "conference", "new", "--from", str(write(tmp_path / "review.yaml", review))))  # version 6
    snapshots[6] = content(demo_db)

    assert [h["version"] for h in history(demo_db)] == [1, 2, 3, 4, 5, 6]
    assert [h["source"] for h in history(demo_db)] == [
        "conference",
        "core-group",
        "edit",
        "core-group",
        "edit",
        "conference",
    ]
    for number, snapshot in snapshots.items():
        assert content(demo_db, JAMIE, number) == snapshot, f"version {number} changed"
    assert len({str(s) for s in snapshots.values()}) == 6  # every version differs from every other
    stored = rows(
        demo_db,
        "SELECT v.number, v.content FROM plan_version v JOIN plan p ON p.id = v.plan_id JOIN child c ON "
        "c.id = p.child_id WHERE c.ref = ? ORDER BY v.number",
        (JAMIE,),
    )
    assert [number for number, _ in stored] == [1, 2, 3, 4, 5, 6]
    assert PlanContent.model_validate_json(stored[0][1]) == recorded


# -- reviews: categories, the end of a plan, a plan again ----------------------------------------------------
def review_file(tmp_path: Path, day: date, *decisions: dict[str, Any]) -> str:
    data = {
        "kind": "review",
        "date": iso(day),
        "chair": ALEX,
        "attendance": [{"person": p, "status": "attended"} for p in (SAM, CHRIS, JORDAN, OLA, TOM, GRACE)],
        "decisions": list(decisions),
    }
    return str(write(tmp_path / "review.yaml", data))


VOICES = {
    "evidence": ["Jamie is fed and warm at every visit."],
    "child_views": ['Jamie said home is "better now".'],
    "parent_views": ["Sam and Chris want the plan to end."],
}


def ends(child: str) -> dict[str, Any]:
    return {
        "child": child,
        "outcome": "plan-ends",
        **VOICES,
        "end_reason": "The home has been warm and the children fed for three months.",
        "step_down": "child in need plan",
    }


def test_ending_a_plan_closes_its_open_deadlines(aged_db: Path, tmp_path: Path) -> None:
    open_before = {d["kind"]: d for d in due_json(aged_db, "--child", JAMIE)}
    assert {"first-core-group", "child-seen", "first-review", "long-plan"} <= set(open_before)
    ok(on(aged_db, "conference", "new", "--from", review_file(tmp_path, TODAY, ends(JAMIE))))
    # what is left is the ending review's own outcome letter and record: the family and agencies still get them
    left = due_json(aged_db, "--all", "--child", JAMIE)
    assert {(d["kind"], d["explanation"]["event_date"]) for d in left} == {
        ("outcome-letter", iso(TODAY)),
        ("conference-record", iso(TODAY)),
    }
    assert due_json(aged_db, "--child", MIA) != []  # her plan goes on
    first_core_group = date.fromisoformat(open_before["first-core-group"]["due"])
    entries = timeline(aged_db)
    assert {
        "date": iso(first_core_group),
        "kind": "deadline",
        "status": "missed",
        "text": f"First core group (due {short_british(first_core_group)}): MISSED, never met before the plan ended",
    } in entries
    assert {
        "date": iso(TODAY),
        "kind": "conference",
        "ref": "CF00002",
        "text": "review conference CF00002: plan ends",
    } in entries
    (plan,) = ok_json(on(aged_db, "child", "show", JAMIE, "--json"))["plans"]
    assert (plan["ended_on"], plan["step_down"]) == (iso(TODAY), "child in need plan")
    shown = ok(on(aged_db, "child", "show", JAMIE))
    assert "MISSED, never met before the plan ended" in shown
    assert (
        "ended because: The home has been warm and the children fed for three months. Next: child in need plan."
        in shown
    )


def test_a_repeat_plan_counts_its_predecessors(aged_db: Path, tmp_path: Path) -> None:
    ok(on(aged_db, "conference", "new", "--from", review_file(tmp_path, days_ago(10), ends(JAMIE))))
    again = demo.example_conference(TODAY)
    again["decisions"] = again["decisions"][:1]  # type: ignore[index]
    again["decisions"][0]["categories"] = ["EMO"]  # type: ignore[index]
    ok(on(aged_db, "conference", "new", "--from", str(write(tmp_path / "initial.yaml", again))))
    second, first = ok_json(on(aged_db, "child", "show", JAMIE, "--json"))["plans"]
    assert (second["number"], second["previous_plans"], second["started_on"], second["ended_on"]) == (
        2,
        1,
        iso(TODAY),
        None,
    )
    assert (second["initial_categories"], first["initial_categories"]) == (["EMO"], ["NEG"])
    assert (first["number"], first["previous_plans"], first["ended_on"]) == (1, 0, iso(days_ago(10)))
    assert plan_json(aged_db)["plan"] == 2
    assert plan_json(aged_db, JAMIE, "--plan", "1")["ended_on"] == iso(days_ago(10))  # the old plan stays readable
    assert {d["kind"] for d in due_json(aged_db, "--child", JAMIE)} >= {"first-core-group", "first-review"}


def test_the_latest_category_can_differ_from_the_first_after_a_review(demo_db: Path, tmp_path: Path) -> None:
    plan = content(demo_db)
    plan["worries"].append({"text": "Bruising was seen at school."})
    changes = {"child": JAMIE, "outcome": "plan-changes", "categories": ["PHY"], **VOICES, "plan": plan}
    ok(on(demo_db, "conference", "new", "--from", review_file(tmp_path, TODAY, changes)))
    (summary,) = ok_json(on(demo_db, "child", "show", JAMIE, "--json"))["plans"]
    assert (summary["initial_categories"], summary["latest_categories"], summary["version"]) == (["NEG"], ["PHY"], 2)
    assert "  Categories: PHY (at the start: NEG); lead worker Jordan Ashby\n" in ok(on(demo_db, "plan", "show", JAMIE))
    record = plan_json(demo_db, JAMIE, "--version", "1")  # the categories belong to the plan, not to a version
    assert (record["initial_categories"], record["latest_categories"]) == (["NEG"], ["PHY"])


# -- the case as a timeline ------------------------------------------------------------------------------------
def test_child_show_tells_the_case_as_a_timeline(aged_db: Path, tmp_path: Path) -> None:
    ok(on(aged_db, "visit", "record", JAMIE, "--on", iso(days_ago(57)), "--announced", "--alone", "--bedroom"))
    (seen,) = due_json(aged_db, "--kind", "child-seen", "--child", JAMIE)
    due_on = date.fromisoformat(seen["due"])
    late = due_on + timedelta(days=1)
    assert late < TODAY
    ok(on(aged_db, "visit", "record", JAMIE, "--on", iso(late), "--unannounced", "--not-alone", "--no-bedroom"))
    first_core_group = date.fromisoformat(due_json(aged_db, "--kind", "first-core-group", "--child", JAMIE)[0]["due"])
    ok(on(aged_db, "conference", "new", "--from", review_file(tmp_path, TODAY, ends(MIA))))
    jamie = [(e["status"], e["text"]) for e in timeline(aged_db) if e["kind"] == "deadline"]
    assert ("late", f"Child seen (due {short_british(due_on)}): MISSED: met 1 day(s) late") in jamie
    assert ("overdue", f"First core group (due {short_british(first_core_group)}): OVERDUE") in jamie
    assert {status for status, _ in jamie} == {"met", "late", "overdue"}
    mia = [(e["status"], e["text"]) for e in timeline(aged_db, MIA) if e["kind"] == "deadline"]
    assert (
        "missed",
        f"First core group (due {short_british(first_core_group)}): MISSED, never met before the plan ended",
    ) in mia
    shown = ok(on(aged_db, "child", "show", JAMIE))
    assert "Timeline" in shown
    for text in (
        f"Child seen (due {short_british(due_on)}): MISSED: met 1 day(s) late",
        f"First core group (due {short_british(first_core_group)}): OVERDUE",
        "visit by Jordan Ashby (unannounced, not seen alone)",
        "visit by Jordan Ashby (announced, seen alone, bedroom seen)",
        "initial conference CF00001: plan starts",
    ):
        assert text in shown
    assert "register" not in shown  # England has had no register since 2008


def test_a_scottish_store_shows_the_register(make_store, tmp_path: Path) -> None:
    from plan_fixtures import testwoods

    db = testwoods(make_store("scotland.db"))
    ok(
        on(
            db,
            "init",
            "--authority",
            "Northshire (synthetic)",
            "--jurisdiction",
            "scotland",
            "--name",
            "Alex Morgan",
            "--role",
            "chair",
        )
    )
    cppm = demo.example_conference(days_ago(3))
    cppm["decisions"] = cppm["decisions"][:1]  # type: ignore[index]
    cppm["decisions"][0]["categories"] = ["neglect", "domestic-abuse"]  # type: ignore[index]
    ok(on(db, "conference", "new", "--from", str(write(tmp_path / "cppm.yaml", cppm))))
    record = ok_json(on(db, "child", "show", JAMIE, "--json"))
    assert record["register"] == "child protection register"
    shown = ok(on(db, "child", "show", JAMIE))
    assert f"  On the child protection register since {short_british(days_ago(3))}.\n" in shown
    assert ok_json(on(db, "child", "show", MIA, "--json"))["register"] is None  # no plan, so no register line
