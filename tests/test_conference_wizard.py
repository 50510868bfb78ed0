"""`cpctl conference new` in a terminal: the wizard driven by keystrokes, as a chair would type them.

The wizard runs in-process on prompt_toolkit's pipe input (as questionary's own tests do); one test drives the
installed `cpctl` in a real pseudo-terminal. Everyone in these tests is the synthetic Testwood family.
"""

# ruff: noqa: F811  (the fixtures imported from conference_fixtures are used as test arguments)
from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from conference_fixtures import (  # noqa: F401  (pytest finds the fixtures by name)
    CTRL_C,
    DOWN,
    ENTER,
    TODAY,
    UP,
    USER,
    checkbox,
    child_json,
    cli,
    conference_env,
    conferences,
    days_ago,
    demo_db,
    demo_store,
    family,
    family_db,
    items,
    retype,
    rows,
    show,
    uk,
)
from cpctl.casework import conference
from cpctl.commands.saving import save_conference
from cpctl.commands.wizards.conference import run_wizard
from cpctl.demo import testwoods as demo
from cpctl.errors import Cancelled
from cpctl.paths import sqlite_url
from cpctl.store.database import Store

KINDS = ["initial", "review", "pre-birth-initial", "pre-birth-review", "transfer-in"]
# Who the wizard lists, in order, for the Testwoods (the chair, Alex Morgan P00001, is not in the list):
# 0 Chris Testwood (father), 1 Sam Testwood (mother), then professionals by name:
# 2 Grace Oduya (nursery), 3 Hannah Pike (midwife), 4 Jordan Ashby (social worker), 5 Ola Brennan (health
# visitor), 6 Tom Hale (teacher), then anyone added in the wizard.
CHRIS, SAM, GRACE, HANNAH, JORDAN, OLA, TOM = range(7)
ADD_PERSON = 7  # after them in the attendance lists: someone not in the list
CLEAR = "\x15"  # Ctrl-U: clear the line the cursor is on
BACKSPACE = "\x7f"
CTRL_Z = "\x1a"


def wizard(store: Store, keys: str) -> tuple[conference.Saved, conference.ConferenceRules]:
    """Run the wizard with these keystrokes, and check that it used every one of them.

    Running out of keys ends the wizard with EOFError instead of hanging; a line typed after the last key
    must reach a prompt of its own, which proves that no keystroke was left over.
    """
    import questionary

    with create_pipe_input() as inp:
        inp.send_text(keys + "END-OF-KEYS" + ENTER)
        inp.close()
        with create_app_session(input=inp, output=DummyOutput()):
            result = run_wizard(store)
            assert questionary.text("left over?").unsafe_ask() == "END-OF-KEYS"
    return result


S47 = ENTER  # England, an initial conference: the section 47 start, prefilled with the strategy discussion's day


def details(kind: str, *, day: str | None = None, time: str = "", venue: str = "", strategy: str = "") -> str:
    """Kind, date (default today), time, where (a venue, online, or blank), strategy discussion; the chair is the
    user (said, not asked)."""
    keys = DOWN * KINDS.index(kind) + ENTER
    keys += retype(day) if day else ENTER
    keys += time + ENTER + venue + ENTER
    if kind in ("initial", "pre-birth-initial"):
        keys += strategy + ENTER
    return keys


def decision(
    *,
    outcome: int = 0,
    category: str = ENTER,
    evidence: tuple[str, ...] = (),
    child_views: tuple[str, ...] = (),
    parent_views: tuple[str, ...] = (),
    dissent: tuple[tuple[str, str], ...] = (),
    not_discussed: str = "",
    lead: str = "",
    core_group: str = ENTER,
    with_plan: bool = True,
    ending: str = "",
    took_part: str = ENTER,
) -> str:
    """The first child's decision: outcome, category, the evidence and the child's views, how the child took part
    (`took_part`: PN1, the first choice, unless given; "" for a child under 4, who is not asked), the parents'
    views, dissent as 'who: why' lines, then (when a parent was absent) who has not heard the plan, the lead
    worker when it is not implied, the core group."""
    keys = DOWN * outcome + ENTER
    if with_plan:
        keys += category
    keys += items(*evidence) + items(*child_views) + took_part + items(*parent_views)
    keys += items(*(f"{who}: {why}" for who, why in dissent))
    if with_plan:
        keys += not_discussed + lead + core_group
    return keys + ending


VIEWS = {
    "evidence": ("Jamie came to school hungry on most days in October.",),
    "child_views": ("Jamie said he likes school.",),
    "parent_views": ("Sam wants help with money and routines.",),
}


def full_plan(*, who: str = "Sam Testwood", private: str = ENTER) -> str:
    """A complete outline plan typed from blank: an entry in every part, one action, one way of seeing; then
    which entries stay out of the family's copy (`private`)."""
    keys = items("The children may go hungry and cold.") + items("Sam and Chris love the children.")
    keys += items("Food bank referral this week.")
    keys += items("Weight checked.") + items("A daily routine.") + items("A warm home.")
    keys += items("Parenting course") + "Routines" + ENTER + who + ENTER
    keys += uk(TODAY) + ENTER + "weekly" + ENTER + "10 weeks" + ENTER + "A routine that works" + ENTER
    keys += uk(TODAY + timedelta(days=70)) + ENTER + "Fed and on time 9 days in 10" + ENTER
    keys += ENTER + "every 10 working days" + ENTER + "at home and at school" + ENTER + ENTER  # seen by Jordan
    keys += items("A review conference is brought forward.") + items("Fed and warm every day for 3 months.")
    keys += "4" + ENTER + private
    return keys


DISCUSSION = ENTER  # the chair's summary of the discussion, asked before the summary: left blank
SAVE = DISCUSSION + ENTER  # then the first choice at the summary: Save (or Save as a draft when there are gaps)


# -- each kind of conference ---------------------------------------------------------------------
def test_initial_conference_for_siblings_with_a_person_added_on_the_way(family: Store, family_db: Path) -> None:
    before = rows(family)
    keys = details("initial", time="10:00", venue="Civic Centre, Room 2", strategy=uk(days_ago(10)))
    keys += ENTER  # Jamie, and his sister Mia: both ticked
    keys += S47  # the section 47 start: the strategy discussion's day, prefilled
    keys += checkbox(GRACE, JORDAN, OLA, ADD_PERSON)  # the parents are ticked already; and someone not listed
    keys += ENTER + "Pat Quill" + ENTER + "Police officer" + ENTER + "Northshire Police (synthetic)" + ENTER
    keys += checkbox(0, 1) + ENTER + DOWN + ENTER  # the others: Hannah sent apologies, Tom a report
    keys += decision(**VIEWS, dissent=(("Chris Testwood (father)", "Does not agree the children are neglected."),))
    keys += full_plan(private=checkbox(0))  # the first evidence item is not for the family's copy
    keys += checkbox(1)  # Mia: the same as Jamie but for the dissent (and so the same outline plan)
    keys += items("Mia missed two health visitor appointments.") + items("Mia is too young to say.")
    keys += DOWN * 6 + ENTER  # PN7: she did not attend, and her views were not given
    keys += items("Sam wants help for Mia.") + CLEAR + ENTER  # no dissent about Mia: clear Jamie's line
    keys += ENTER  # nothing of Mia's kept from the family's copy
    keys += SAVE
    saved, rules = wizard(family, keys)

    assert rules.jurisdiction == "england"
    record = show(family_db, saved.conference.ref)
    assert (record["kind"], record["date"], record["time"], record["venue"]) == (
        "initial",
        TODAY.isoformat(),
        "10:00",
        "Civic Centre, Room 2",
    )
    assert record["chair"]["name"] == "Alex Morgan"
    statuses = {a["name"]: a["status"] for a in record["attendance"]}
    assert statuses == {
        "Chris Testwood": "attended",
        "Sam Testwood": "attended",
        "Grace Oduya": "attended",
        "Jordan Ashby": "attended",
        "Ola Brennan": "attended",
        "Pat Quill": "attended",
        "Hannah Pike": "apologies",
        "Tom Hale": "report",
    }
    assert record["quorate"] and record["agencies_present"] == 5
    jamie, mia = record["decisions"]
    assert (jamie["child"], jamie["outcome"], jamie["categories"]) == ("DEMO-1001", "plan-starts", ["NEG"])
    assert (mia["child"], mia["outcome"], mia["categories"]) == ("DEMO-1002", "plan-starts", ["NEG"])
    assert jamie["lead_worker"]["name"] == "Jordan Ashby" and mia["lead_worker"]["name"] == "Jordan Ashby"
    assert (jamie["participation"], mia["participation"]) == ("PN1", "PN7")
    assert record["discussion"] is None  # left blank: it can be added with `conference correct --discussion`
    assert jamie["details"]["evidence"] == [
        {"text": "Jamie came to school hungry on most days in October.", "private": True}
    ]
    assert jamie["details"]["dissent"] == [
        {
            "who": "Chris Testwood (father)",
            "reason": "Does not agree the children are neglected.",
            "private": False,
        }
    ]
    assert jamie["details"]["cultural_needs"] == "Family are practising Muslims; avoid appointments during Eid."
    assert (jamie["plan"], jamie["plan_version"], jamie["draft"], jamie["gaps"]) == (1, 1, False, [])
    assert (mia["plan"], mia["plan_version"], mia["draft"]) == (1, 1, False)
    plan = jamie["plan_content"]
    action = plan["actions"][0]
    assert (action["id"], action["what"], action["who"], action["frequency"]) == (
        "F1",  # the same plan as Mia's: a family action, one reference in both plans
        "Parenting course",
        "P00002",
        "weekly",
    )
    assert action["start"] == TODAY.isoformat()
    assert plan["child_seen"] == [
        {
            "who": "P00004",
            "how_often": "every 10 working days",
            "where": "at home and at school",
            "parents_present": "sometimes",
            "private": False,
        }
    ]
    assert plan["safety_scale"] == 4
    pat = next(a["ref"] for a in record["attendance"] if a["name"] == "Pat Quill")
    assert set(plan["core_group"]) == {"P00002", "P00003", "P00007", "P00004", "P00005", "P00006", pat}
    assert mia["plan_content"]["worries"] == plan["worries"]
    assert [a["id"] for a in mia["plan_content"]["actions"]] == ["F1"]
    assert mia["details"]["dissent"] == [] and mia["details"]["cultural_needs"] is None
    after = rows(family)
    assert after["person"] == before["person"] + 1
    assert after["conference"] == before["conference"] + 1 and after["plan"] == before["plan"] + 2
    assert {c["ref"]: c["outcome"] for c in child_json(family_db, "DEMO-1002")["conferences"]} == {
        saved.conference.ref: "plan-starts"
    }
    strategy = [e for e in _events(family) if e[1] == "strategy-discussion"]
    assert strategy == [
        ("DEMO-1001", "strategy-discussion", days_ago(10)),
        ("DEMO-1002", "strategy-discussion", days_ago(10)),
    ]
    for ref in ("DEMO-1001", "DEMO-1002"):  # the section 47 start, as prefilled from the strategy discussion
        assert child_json(family_db, ref)["enquiries"] == [
            {"started_on": days_ago(10).isoformat(), "conference_needed": True, "conference": saved.conference.ref}
        ]


def _events(store: Store) -> list[tuple[str, str, Any]]:
    from sqlmodel import select

    from cpctl.store.models import CaseEvent, Child

    with store.read() as session:
        found = session.exec(
            select(Child.ref, CaseEvent.kind, CaseEvent.happened_on)
            .join(CaseEvent, CaseEvent.child_id == Child.id)
            .order_by(Child.ref)
        ).all()
    return [tuple(row) for row in found]


def review_keys(after: str) -> str:
    """A review today for Jamie alone in the demo store; the parents and the core group are ticked already."""
    keys = details("review") + checkbox(1)  # Jamie; untick Mia
    keys += ENTER + ENTER  # attended as ticked; no one else sent apologies or a report
    return keys + after


def test_review_continues_the_plan_as_it_is(demo_store: Store, demo_db: Path) -> None:
    keys = review_keys(decision(**VIEWS) + ENTER + ENTER + SAVE)  # plan continues; keep version 1; none private
    saved, _ = wizard(demo_store, keys)
    record = show(demo_db, saved.conference.ref)
    assert record["kind"] == "review"
    (jamie,) = record["decisions"]
    assert (jamie["outcome"], jamie["categories"], jamie["plan"]) == ("plan-continues", ["NEG"], 1)
    assert jamie["plan_version"] is None  # nothing changed in the plan: no new version
    attended = {a["name"] for a in record["attendance"] if a["status"] == "attended"}
    assert attended == {
        "Chris Testwood",
        "Sam Testwood",
        "Jordan Ashby",
        "Ola Brennan",
        "Tom Hale",
        "Grace Oduya",
    }
    assert saved.outcomes == [
        {
            "child": "DEMO-1001",
            "outcome": "plan-continues",
            "categories": ["NEG"],
            "plan": 1,
            "version": None,
            "draft": False,
            "gaps": [],
        }
    ]


def test_review_changes_the_plan_from_the_current_version(demo_store: Store, demo_db: Path) -> None:
    plan = ENTER  # update plan 1, version 1
    plan += ENTER + items("Jamie has been missing school on Mondays.")  # keep the worry, add one
    plan += (ENTER + ENTER) * 5  # working well, immediate actions, the three objectives: keep, add none
    plan += CLEAR + ENTER  # actions: delete the last line, A2 (money advice); add none
    plan += ENTER  # how Jamie is seen: as before
    plan += (ENTER + ENTER) * 2 + ENTER + ENTER  # contingency, must change, safety scale 4, private as it was
    keys = review_keys(decision(**VIEWS, outcome=1, category=DOWN + ENTER) + plan + SAVE)  # PHY
    saved, _ = wizard(demo_store, keys)
    (jamie,) = show(demo_db, saved.conference.ref)["decisions"]
    assert (jamie["outcome"], jamie["categories"], jamie["plan"], jamie["plan_version"]) == (
        "plan-changes",
        ["PHY"],
        1,
        2,
    )
    content = jamie["plan_content"]
    assert [w["text"] for w in content["worries"]] == [
        "If nothing changes, Jamie and Mia may go hungry and cold. They may miss health checks.",
        "Jamie has been missing school on Mondays.",
    ]
    assert [(a["id"], a["what"]) for a in content["actions"]] == [("A1", "Parenting course (Positive Routines)")]
    plans = child_json(demo_db, "DEMO-1001")["plans"]
    assert [(p["number"], p["latest_categories"], p["initial_categories"], p["version"]) for p in plans] == [
        (1, ["PHY"], ["NEG"], 2)
    ]


def test_review_ends_the_plan_with_a_step_down(demo_store: Store, demo_db: Path) -> None:
    ending = "The home is warm and the children fed for three months." + ENTER + ENTER  # child in need plan
    keys = review_keys(decision(**VIEWS, outcome=2, with_plan=False, ending=ending) + ENTER + SAVE)
    saved, _ = wizard(demo_store, keys)
    (jamie,) = show(demo_db, saved.conference.ref)["decisions"]
    assert (jamie["outcome"], jamie["categories"], jamie["plan_version"]) == ("plan-ends", [], None)
    assert jamie["details"]["step_down"] == "child in need plan"
    (plan,) = child_json(demo_db, "DEMO-1001")["plans"]
    assert plan["ended_on"] == TODAY.isoformat()
    assert plan["end_reason"] == "The home is warm and the children fed for three months."
    assert child_json(demo_db, "DEMO-1002")["plans"][0]["ended_on"] is None


def test_pre_birth_conference_for_the_unborn_baby_saved_as_a_draft(family: Store, family_db: Path) -> None:
    keys = details("pre-birth-initial") + S47  # the only child who fits, the unborn baby, is not asked about
    keys += checkbox(HANNAH, JORDAN) + ENTER
    keys += decision(evidence=("Sam has had no antenatal care.",), took_part="")  # unborn: PN0, not asked
    keys += items("The baby may be born into a cold home.") + ENTER * 6  # a worry, no actions or anything else
    keys += ENTER + "weekly" + ENTER + "at home" + ENTER + ENTER  # seen by Jordan (ticked)
    keys += ENTER + ENTER + ENTER + ENTER  # contingency, must change, no safety scale, nothing private
    keys += SAVE  # there are gaps, so the first choice is to save as a draft
    saved, _ = wizard(family, keys)
    record = show(family_db, saved.conference.ref)
    assert record["kind"] == "pre-birth-initial"
    (baby,) = record["decisions"]
    assert (baby["child"], baby["outcome"], baby["draft"]) == ("DEMO-1003", "plan-starts", True)
    assert "the child's wishes and feelings are not recorded (§3.19)" in baby["gaps"]
    assert "no contingency plan (§3.11)" in baby["gaps"]
    (plan,) = child_json(family_db, "DEMO-1003")["plans"]
    assert plan["pre_birth"] is True and plan["draft"] is True and plan["gaps"] == len(baby["gaps"])
    result = cli("--db", str(family_db), "plan", "check", "DEMO-1003")
    assert result.exit_code == 0 and "no contingency plan (§3.11)" in result.stdout


def _pre_birth_plan(store: Store, held_on: Any) -> None:
    data = conference.ConferenceIn.model_validate(
        {
            "kind": "pre-birth-initial",
            "date": held_on.isoformat(),
            "attendance": [
                {"person": "P00004", "status": "attended"},
                {"person": "P00008", "status": "attended"},
            ],
            "decisions": [
                {
                    "child": "DEMO-1003",
                    "outcome": "plan-starts",
                    "categories": ["NEG"],
                    "lead_worker": "P00004",
                    "save_as_draft": True,
                }
            ],
        }
    )
    save_conference(store, data)


def test_pre_birth_review(family: Store, family_db: Path) -> None:
    _pre_birth_plan(family, days_ago(30))
    keys = details("pre-birth-review")  # the baby, whose plan began before birth, is the only child who fits
    keys += checkbox(HANNAH) + ENTER  # the parents and Jordan are ticked; Hannah too
    keys += decision(**VIEWS, took_part="") + ENTER + ENTER + SAVE  # the plan continues as it is (a draft)
    saved, rules = wizard(family, keys)
    record = show(family_db, saved.conference.ref)
    assert record["kind"] == "pre-birth-review"
    assert rules.kind_name("pre-birth-review") == "Pre-birth child protection conference (review)"
    assert [(d["child"], d["outcome"]) for d in record["decisions"]] == [("DEMO-1003", "plan-continues")]
    assert {a["name"] for a in record["attendance"] if a["status"] == "attended"} >= {"Hannah Pike"}


def test_transfer_in_conference_for_one_child(family: Store, family_db: Path) -> None:
    keys = details("transfer-in", day=uk(days_ago(2))) + checkbox(1)  # Jamie; untick Mia
    keys += checkbox(JORDAN, OLA, TOM) + ENTER
    keys += decision(**VIEWS, category=DOWN * 2 + ENTER) + full_plan() + SAVE  # EMO
    saved, _ = wizard(family, keys)
    record = show(family_db, saved.conference.ref)
    assert (record["kind"], record["date"]) == ("transfer-in", days_ago(2).isoformat())
    assert [(d["child"], d["outcome"], d["categories"]) for d in record["decisions"]] == [
        ("DEMO-1001", "plan-starts", ["EMO"])
    ]
    assert child_json(family_db, "DEMO-1002")["plans"] == []


# -- stopping, going back ------------------------------------------------------------------------
def test_ctrl_c_half_way_writes_nothing(family: Store) -> None:
    before = rows(family)
    keys = details("initial") + ENTER + checkbox(JORDAN, ADD_PERSON)
    keys += ENTER + "Pat Quill" + ENTER + CTRL_C  # stops while adding a person
    with pytest.raises(Cancelled):
        wizard(family, keys)
    assert rows(family) == before


def test_cancel_at_the_summary_writes_nothing_not_even_the_person_added(family: Store) -> None:
    before = rows(family)
    keys = details("initial") + checkbox(1) + S47  # Jamie alone
    keys += checkbox(JORDAN, OLA, ADD_PERSON)
    keys += ENTER + "Pat Quill" + ENTER + "Police officer" + ENTER + "Northshire Police (synthetic)" + ENTER
    keys += ENTER + decision(**VIEWS) + full_plan()
    keys += DISCUSSION + "c" + ENTER  # cancel at the summary
    with pytest.raises(Cancelled):
        wizard(family, keys)
    assert rows(family) == before


def test_change_answers_from_the_numbered_summary_two_questions_each(family: Store, family_db: Path) -> None:
    keys = details("initial", time="10:00") + checkbox(1) + S47 + checkbox(JORDAN, OLA) + ENTER
    keys += decision(**VIEWS) + full_plan()
    keys += DISCUSSION + "3" + ENTER + retype("14:30")  # [3] the start time
    keys += "10" + ENTER + DOWN + ENTER  # [10] Jamie's category: PHY
    keys += "11" + ENTER + BACKSPACE * len("October.") + "November." + ENTER + "Bruising seen at school." + ENTER
    keys += ENTER  # [11] Jamie's evidence: its one line edited in place, and another added
    keys += ENTER  # save
    saved, _ = wizard(family, keys)
    record = show(family_db, saved.conference.ref)
    assert record["time"] == "14:30"
    (jamie,) = record["decisions"]
    assert jamie["categories"] == ["PHY"]
    assert [e["text"] for e in jamie["details"]["evidence"]] == [
        "Jamie came to school hungry on most days in November.",
        "Bruising seen at school.",
    ]
    assert jamie["draft"] is False


def test_one_part_of_an_action_is_changed_from_the_summary(family: Store, family_db: Path) -> None:
    keys = details("initial") + checkbox(1) + S47 + checkbox(JORDAN, OLA) + ENTER + decision(**VIEWS) + full_plan()
    keys += DISCUSSION + "29" + ENTER + DOWN * 4 + ENTER + retype("fortnightly")  # [29] action 1; its frequency
    keys += ENTER  # save
    saved, _ = wizard(family, keys)
    (jamie,) = show(family_db, saved.conference.ref)["decisions"]
    (action,) = jamie["plan_content"]["actions"]
    assert (action["what"], action["frequency"], action["length"]) == ("Parenting course", "fortnightly", "10 weeks")


def test_a_review_dated_before_the_plan_began_is_refused_at_the_date(demo_store: Store, demo_db: Path) -> None:
    """Finding: the date was accepted and refused only at the summary, some 45 questions later."""
    before = rows(demo_store)
    keys = DOWN + ENTER + retype(uk(days_ago(8)))  # a review, dated before the plans began 6 days ago: refused
    keys += retype(uk(TODAY))  # so the same question takes another date
    keys += ENTER + ENTER + checkbox(1) + ENTER + ENTER + decision(**VIEWS) + ENTER + ENTER
    keys += SAVE
    saved, _ = wizard(demo_store, keys)
    assert saved.conference.held_on == TODAY
    assert rows(demo_store)["conference"] == before["conference"] + 1


# -- the jurisdiction's own words and rules ------------------------------------------------------
def _jurisdiction(path: Path, name: str) -> None:
    result = cli(
        "--db",
        str(path),
        "init",
        "--authority",
        "Northshire (synthetic)",
        "--jurisdiction",
        name,
        "--name",
        "Alex Morgan",
        "--role",
        "chair",
    )
    assert result.exit_code == 0, result.output


def test_scotland_asks_for_areas_of_concern_and_calls_it_a_cppm(family: Store, family_db: Path) -> None:
    _jurisdiction(family_db, "scotland")
    keys = details("initial") + checkbox(1) + checkbox(JORDAN, OLA) + ENTER
    keys += decision(**VIEWS, category=checkbox(0, 1))  # domestic abuse and neglect
    keys += full_plan() + SAVE
    saved, rules = wizard(family, keys)
    assert rules.kind_name("initial") == "Initial Child Protection Planning Meeting"
    (jamie,) = show(family_db, saved.conference.ref)["decisions"]
    assert jamie["categories"] == ["domestic-abuse", "neglect"]
    result = cli("--db", str(family_db), "conference", "show", saved.conference.ref)
    assert result.stdout.startswith(f"Initial Child Protection Planning Meeting {saved.conference.ref}\n")
    assert "Lead professional: Jordan Ashby (P00004)" in result.stdout


def test_wales_asks_why_an_inquorate_conference_went_ahead(family: Store, family_db: Path) -> None:
    _jurisdiction(family_db, "wales")
    keys = details("initial") + checkbox(1) + checkbox(JORDAN) + ENTER
    keys += ENTER  # an empty reason is refused, so the prompt stays
    keys += "Police could not attend; the risk could not wait." + ENTER
    keys += decision(**VIEWS) + full_plan() + SAVE
    saved, _ = wizard(family, keys)
    record = show(family_db, saved.conference.ref)
    assert (record["quorate"], record["agencies_present"]) == (False, 2)
    assert record["inquorate_reason"] == "Police could not attend; the risk could not wait."


# -- the installed program in a real terminal ----------------------------------------------------
@pytest.mark.slow
def test_cpctl_conference_new_in_a_pseudo_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pexpect = pytest.importorskip("pexpect")
    cpctl = Path(sys.executable).with_name("cpctl")
    db = tmp_path / "pty.db"
    # A real terminal answers prompt_toolkit's cursor-position requests; a pseudo-terminal does not.
    env = {**os.environ, "CPCTL_USER": USER, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    monkeypatch.setenv("CPCTL_USER", USER)
    made = Store(sqlite_url(db))
    demo.build(made)
    demo.record_initial_conference(made)  # Jamie's and Mia's plans began six days ago
    made.dispose()
    child = pexpect.spawn(
        str(cpctl),
        ["--db", str(db), "conference", "new"],
        env=env,
        timeout=30,
        encoding="utf-8",
        dimensions=(50, 160),
    )
    down, enter = "\x1b[B", "\r"

    def answer(prompt: str, keys: str) -> None:
        child.expect_exact(prompt)
        child.send(keys)

    answer("Which kind of conference?", down + enter)  # a review
    answer("Date held", enter)  # today
    answer("Start time", "11:15" + enter)
    answer("Where was it held?", "\x1b[Z")  # Shift-Tab: back one question (the pipe-input tests use Ctrl-Z)
    answer("Start time", enter)  # asked again, 11:15 its default
    answer("Where was it held?", "online" + enter)
    answer("Which children?", enter)  # Jamie and Mia, both ticked
    answer("Who attended?", enter)
    answer("Anyone else who sent apologies", enter)
    answer("Decision:", enter)  # Jamie's plan continues
    answer("Category of harm:", enter)
    for name in ("Jamie", "Mia"):
        if name == "Mia":
            answer("What is the same for Mia Testwood as for Jamie Testwood?", enter)  # all of it
        answer("Evidence of significant harm:", f"{name} is still often hungry." + enter + enter)
        answer("wishes and feelings:", f"{name} is happier at school." + enter + enter)
        answer(f"How did {name} Testwood take part in the conference?", down * 4 + enter)  # PN5: an advocate
        answer("The parents' views:", "Sam says things are better." + enter + enter)
        if name == "Jamie":
            answer("Did anyone disagree with the decision?", enter)
            answer("Core group for Jamie", enter)
            answer("Outline plan:", enter)  # keep the plan as it is
        answer("not for the family's copy?", enter)
    answer("The chair's summary of the discussion", "Progress on routines; the risk of neglect is lower." + enter)
    answer("Enter saves", enter)
    child.expect_exact("Recorded Review child protection conference CF00002")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    listed = json.loads(pexpect.run(f"{cpctl} --db {db} conference list --json", env=env, timeout=60))
    assert [(c["kind"], c["date"], c["time"]) for c in listed] == [
        ("review", TODAY.isoformat(), "11:15"),
        ("initial", days_ago(6).isoformat(), "10:00"),
    ]
    assert [(d["child"], d["outcome"]) for d in listed[0]["decisions"]] == [
        ("DEMO-1001", "plan-continues"),
        ("DEMO-1002", "plan-continues"),
    ]
    assert conferences(db) == listed
    shown = json.loads(pexpect.run(f"{cpctl} --db {db} conference show CF00002 --json", env=env, timeout=60))
    assert shown["discussion"] == "Progress on routines; the risk of neglect is lower."
    assert [d["participation"] for d in shown["decisions"]] == ["PN5", "PN5"]


@pytest.mark.slow
def test_ctrl_c_in_a_pseudo_terminal_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    cpctl = Path(sys.executable).with_name("cpctl")
    db = tmp_path / "pty.db"
    env = {**os.environ, "CPCTL_USER": USER, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    assert pexpect.run(f"{cpctl} demo --db {db}", env=env, timeout=60, withexitstatus=True)[1] == 0
    before = rows(db)
    child = pexpect.spawn(
        str(cpctl),
        ["--db", str(db), "conference", "new"],
        env=env,
        timeout=30,
        encoding="utf-8",
        dimensions=(50, 160),
    )
    child.expect_exact("Which kind of conference?")
    child.send("\r")
    child.expect_exact("Date held")
    child.send("\x03")
    child.expect_exact("Cancelled: nothing was saved.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert rows(db) == before


def test_a_kind_no_child_can_have_sends_the_chair_back_to_choose_another(family: Store) -> None:
    keys = details("review")  # no Testwood child has a plan in force yet
    keys += UP + ENTER + ENTER + ENTER  # asked again: initial instead, today, no strategy discussion known
    keys += checkbox(1) + S47 + checkbox(JORDAN, OLA) + ENTER
    keys += decision(**VIEWS) + full_plan() + SAVE
    saved, _ = wizard(family, keys)
    assert saved.conference.kind == "initial"


def test_the_wizard_module_leaves_questionary_and_the_store_unimported(tmp_path: Path) -> None:
    """`cpctl --help` stays quick: the wizard imports questionary and SQLModel only when it runs."""
    import subprocess

    code = (
        "import sys, cpctl.cli, cpctl.commands.wizards.conference; "
        "print(sorted(m for m in ('questionary', 'sqlmodel', 'prompt_toolkit') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


# -- issue 14: fewer questions, defaults shown, siblings, each answer checked as it is given --------
def test_ctrl_z_goes_back_one_question_with_its_answer_as_the_default(family: Store, family_db: Path) -> None:
    keys = ENTER + ENTER + "10:00" + ENTER  # initial, today, 10:00
    keys += CTRL_Z  # at "Where was it held?": back one question, to the start time (10:00 as its default)
    keys += retype("10:30") + "Civic Centre" + ENTER + ENTER
    keys += checkbox(1) + S47 + checkbox(JORDAN, OLA) + ENTER + decision(**VIEWS)
    keys += items("The children may go hungry and cold.")
    keys += CTRL_Z  # at "What is working well": back to the worries only, which keep their line
    keys += ENTER + "Mia misses health appointments." + ENTER + ENTER
    keys += full_plan()[len(items("The children may go hungry and cold.")) :]
    keys += SAVE
    saved, _ = wizard(family, keys)
    record = show(family_db, saved.conference.ref)
    assert (record["time"], record["venue"]) == ("10:30", "Civic Centre")
    (jamie,) = record["decisions"]
    assert [w["text"] for w in jamie["plan_content"]["worries"]] == [
        "The children may go hungry and cold.",
        "Mia misses health appointments.",
    ]


def test_a_sisters_answers_start_from_her_brothers_and_each_default_is_shown(
    family: Store, family_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Finding: a sibling's category defaulted silently to the first child's answer."""
    keys = details("initial") + ENTER + S47 + checkbox(JORDAN, OLA) + ENTER
    keys += decision(**VIEWS, category=DOWN + ENTER) + full_plan()  # Jamie: physical abuse
    keys += checkbox(0, 3)  # Mia: her decision differs, and her plan
    keys += ENTER + ENTER  # a plan starts; the category ticked as Jamie's (PHY), kept
    keys += items("Mia missed two health visitor appointments.") + items("Mia is too young to say.") + ENTER
    keys += ENTER  # PN1
    keys += DOWN + ENTER  # start from Jamie's outline plan and change it
    keys += ENTER  # Jamie's one action is Mia's too (one action, one reference)
    keys += (ENTER + ENTER) * 6  # the worries, what works, immediate action and objectives as Jamie's
    keys += ENTER + items("Speech therapy") + "Mia's speech delay" + ENTER + "Ola Brennan" + ENTER
    keys += ENTER * 6  # Mia's own action: nothing more said about it yet
    keys += ENTER + (ENTER + ENTER) * 2 + ENTER + ENTER  # seen as Jamie; the rest kept; nothing private
    keys += SAVE
    saved, _ = wizard(family, keys)
    shown = capsys.readouterr().out
    assert "Ticked as for Jamie Testwood: PHY (Physical abuse)." in shown
    assert "Lead social worker: Jordan Ashby (as for Jamie Testwood; change it from the summary)." in shown
    assert "From Mia Testwood's record: no interpreter needed; cultural or religious needs: none recorded" in shown
    jamie, mia = show(family_db, saved.conference.ref)["decisions"]
    assert mia["categories"] == ["PHY"]
    assert [(a["id"], a["what"]) for a in jamie["plan_content"]["actions"]] == [("F1", "Parenting course")]
    assert [(a["id"], a["what"], a["who"]) for a in mia["plan_content"]["actions"]] == [
        ("F1", "Parenting course", "P00002"),
        ("A1", "Speech therapy", "P00005"),
    ]


def test_a_family_actions_number_follows_the_highest_in_any_siblings_plan(demo_store: Store) -> None:
    from cpctl.casework.plan import Action, PlanContent, next_family_id

    jamie = PlanContent(actions=[Action(id="F2", what="Money advice"), Action(id="A1", what="Course")])
    mia = PlanContent(actions=[Action(id="F3", what="Family therapy"), Action(id="A7", what="Speech")])
    assert next_family_id([jamie, mia]) == "F4"
    assert next_family_id([PlanContent()]) == "F1"


def test_an_absent_parent_is_one_list_and_who_has_not_heard_the_plan_is_asked_plainly(
    family: Store, family_db: Path
) -> None:
    """Findings: three multi-selects for one absent person; "Plan not discussed with: who?" was unclear."""
    keys = details("initial") + checkbox(1) + S47
    keys += checkbox(CHRIS, JORDAN, OLA)  # Chris is unticked: he did not attend
    keys += ENTER + ENTER  # ... and is ticked already in the one list of the others: he sent apologies
    keys += decision(**VIEWS, not_discussed=items("Chris Testwood (father): did not come; Jordan will visit him."))
    keys += full_plan() + SAVE
    saved, _ = wizard(family, keys)
    record = show(family_db, saved.conference.ref)
    assert {a["name"]: a["status"] for a in record["attendance"]}["Chris Testwood"] == "apologies"
    (jamie,) = record["decisions"]
    assert jamie["details"]["not_discussed_with"] == [
        {"who": "Chris Testwood (father)", "why": "did not come; Jordan will visit him.", "private": False}
    ]


def test_who_is_responsible_is_checked_against_the_store_as_it_is_typed(family: Store, family_db: Path) -> None:
    keys = details("initial") + checkbox(1) + S47 + checkbox(JORDAN, OLA) + ENTER + decision(**VIEWS)
    plan = full_plan(who="Sam Testwod")  # a near miss: refused, naming Sam Testwood
    at = plan.index("Sam Testwod") + len("Sam Testwod" + ENTER)
    keys += plan[:at] + retype("sam testwood") + plan[at:]
    keys += SAVE
    saved, _ = wizard(family, keys)
    (jamie,) = show(family_db, saved.conference.ref)["decisions"]
    assert jamie["plan_content"]["actions"][0]["who"] == "P00002"


def test_ctrl_c_leaves_no_wizard_state_for_the_next_one(family: Store) -> None:
    from cpctl.commands.wizards.prompts import TAPE

    with pytest.raises(Cancelled):
        wizard(family, ENTER + CTRL_C)
    assert not TAPE.on and TAPE.answers == []


def test_a_review_for_both_children_changes_jamies_plan_and_mias_is_the_same(demo_store: Store, demo_db: Path) -> None:
    keys = details("review") + ENTER + ENTER + ENTER  # both children; attended as ticked; no one else
    keys += decision(**VIEWS, outcome=1)  # Jamie's plan changes
    keys += ENTER + ENTER + items("Jamie has been missing school on Mondays.")  # update the plan: a worry more
    keys += (ENTER + ENTER) * 5 + ENTER + "Breakfast club" + ENTER + ENTER  # an action more
    keys += "Jamie is hungry in the mornings." + ENTER + "Tom Hale" + ENTER + ENTER * 6
    keys += ENTER + (ENTER + ENTER) * 2 + ENTER + ENTER  # seen as before; the rest kept; nothing private
    keys += ENTER  # Mia: the same decision, dissent, core group and outline plan as Jamie
    keys += items("Mia goes to nursery every day now.") + ENTER + ENTER + ENTER + ENTER  # views, PN1; none private
    keys += SAVE
    saved, _ = wizard(demo_store, keys)
    jamie, mia = show(demo_db, saved.conference.ref)["decisions"]
    assert (jamie["outcome"], mia["outcome"]) == ("plan-changes", "plan-changes")
    assert [(a["id"], a["what"]) for a in jamie["plan_content"]["actions"]][-1] == ("F1", "Breakfast club")
    assert [a["id"] for a in mia["plan_content"]["actions"]] == [a["id"] for a in jamie["plan_content"]["actions"]]
    assert mia["plan_content"]["core_group"] == jamie["plan_content"]["core_group"]


def test_in_a_store_of_many_families_the_child_is_chosen_then_their_siblings_are_ticked(
    family: Store, family_db: Path
) -> None:
    from cpctl.casework import people

    with family.write() as session:
        people.add_child(
            session, given_name="Robin", family_name="Elmfield", ref="DEMO-2001", date_of_birth=days_ago(3000)
        )
    keys = details("initial") + DOWN * 2 + ENTER + ENTER + S47  # Robin, Jamie, Mia by family name: Mia; Jamie ticked
    keys += checkbox(JORDAN, OLA) + ENTER + decision(**VIEWS) + full_plan()
    keys += ENTER + items("Jamie came to school hungry.") + ENTER * 4  # Jamie: the same as Mia; PN1
    keys += SAVE
    saved, _ = wizard(family, keys)
    decisions = {d["child"]: d for d in show(family_db, saved.conference.ref)["decisions"]}
    assert sorted(decisions) == ["DEMO-1001", "DEMO-1002"]
    assert decisions["DEMO-1001"]["details"]["evidence"][0]["text"] == "Jamie came to school hungry."
