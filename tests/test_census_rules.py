"""The DfE's census validation rules (`cpctl.casework.census_rules`): for each, a child that breaks it and a
child that does not; the UPN's check letter, the LAchildID and InitialCPCtarget."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from cpctl.casework.census_rules import (
    RULES,
    ChildItems,
    EnquiryItems,
    EpisodeItems,
    PlanItems,
    check_children,
    derived_la_child_id,
    initial_cpc_target,
    upn_check_letter,
    upn_rules,
)
from cpctl.rules.calendar import Calendar

ENGLAND = Calendar("GB", "ENG")


def a_upn(number: int) -> str:
    body = f"201{number:08d}0"
    letter = upn_check_letter("A" + body)
    assert letter is not None
    return letter + body


ENQUIRY = EnquiryItems(started_on=date(2026, 4, 20), conference_on=date(2026, 5, 5))
PLAN = PlanItems(
    started_on=date(2026, 5, 5),
    initial_category="NEG",
    latest_category="NEG",
    previous_plans=0,
    reviews=(date(2026, 8, 4),),
    start_conference_on=date(2026, 5, 5),
)
EPISODE = EpisodeItems(
    referral_on=date(2026, 4, 10), referral_source="6", primary_need="N1", enquiries=(ENQUIRY,), plans=(PLAN,)
)
CHILD = ChildItems(
    ref="C-1",
    la_child_id="C1",
    upn=a_upn(1),
    gender="2",
    born_on=date(2018, 1, 1),
    ethnicity="WBRI",
    disabilities=("NONE",),
    episodes=(EPISODE,),
)


def episode(**changes: Any) -> ChildItems:
    return replace(CHILD, episodes=(replace(EPISODE, **changes),))


def plan(**changes: Any) -> ChildItems:
    return episode(plans=(replace(PLAN, **changes),))


def enquiry(**changes: Any) -> ChildItems:
    return episode(enquiries=(replace(ENQUIRY, **changes),))


def closed(**changes: Any) -> dict[str, Any]:
    """An episode closed after its plan ended, as a valid base for the closure rules."""
    ended = replace(PLAN, ended_on=date(2026, 9, 1), reviews=(date(2026, 8, 4), date(2026, 9, 1)))
    return {"plans": (ended,), "closed_on": date(2026, 10, 1), "closure_reason": "RC7", **changes}


OTHER = replace(CHILD, ref="C-2", la_child_id="C2", upn=a_upn(2))
SECOND_PLAN = replace(PLAN, started_on=date(2026, 10, 6), reviews=(), previous_plans=1)

# rule -> (children that break it, children that do not)
CASES: dict[str, tuple[list[ChildItems], list[ChildItems]]] = {
    "8510": ([CHILD, replace(OTHER, la_child_id="C1")], [CHILD, OTHER]),
    "1510": ([replace(CHILD, upn="Z" + a_upn(1)[1:] if a_upn(1)[0] != "Z" else "A" + a_upn(1)[1:])], [CHILD]),
    "1520": ([CHILD, replace(OTHER, upn=CHILD.upn)], [CHILD, OTHER]),
    "1540": ([replace(CHILD, upn="A2010000X0010")], [CHILD]),
    "1550": ([replace(CHILD, upn="A20100000001I")], [CHILD]),
    "1560Q": ([replace(CHILD, former_upn="A123")], [replace(CHILD, former_upn=a_upn(7))]),
    "8772": ([replace(CHILD, upn=None, upn_unknown="UN7")], [replace(CHILD, upn=None, upn_unknown="UN1")]),
    "4180": ([replace(CHILD, gender="5")], [CHILD]),
    "8750": (
        [replace(CHILD, born_on=None, expected_on=date(2027, 1, 1))],
        [replace(CHILD, born_on=None, expected_on=date(2027, 1, 1), gender="0")],
    ),
    "8525": ([replace(CHILD, born_on=None)], [CHILD]),
    "4220": ([replace(CHILD, ethnicity="XXXX")], [CHILD]),
    "8540": ([replace(CHILD, disabilities=("FOO",))], [replace(CHILD, disabilities=("MOB",))]),
    "8790": ([replace(CHILD, disabilities=("NONE", "MOB"))], [replace(CHILD, disabilities=("MOB",))]),
    "8794": ([replace(CHILD, disabilities=("MOB", "MOB"))], [replace(CHILD, disabilities=("MOB", "HAND"))]),
    "8590": ([replace(CHILD, episodes=())], [CHILD]),
    "8610": ([episode(primary_need=None)], [CHILD]),
    "8650": ([episode(primary_need="NX")], [CHILD]),
    "8866": ([episode(referral_source="ZZ")], [CHILD]),
    "8630": ([episode(**closed(closed_on=date(2026, 4, 1)))], [episode(**closed())]),
    "8640": ([episode(**closed(closure_reason="RC0"))], [episode(**closed())]),
    "8805": ([episode(**closed(closure_reason=None))], [episode(**closed())]),
    "8810": ([episode(closure_reason="RC7")], [CHILD]),
    "8565": ([episode(**closed(closed_on=date(2026, 8, 1)))], [episode(**closed())]),
    "8868": (
        [episode(**closed(enquiries=(ENQUIRY, EnquiryItems(date(2026, 9, 1)))))],
        [episode(**closed(enquiries=(ENQUIRY, EnquiryItems(date(2026, 9, 1), icpc_not_required=True))))],
    ),
    "8820": (
        [replace(CHILD, episodes=(EPISODE, replace(EPISODE, referral_on=date(2026, 11, 1), enquiries=(), plans=())))],
        [
            replace(
                CHILD,
                episodes=(
                    replace(EPISODE, **closed()),
                    replace(EPISODE, referral_on=date(2026, 11, 1), enquiries=(), plans=()),
                ),
            )
        ],
    ),
    "8815": (
        [replace(CHILD, episodes=(EPISODE, replace(EPISODE, referral_on=date(2026, 11, 1), enquiries=(), plans=())))],
        [CHILD],
    ),
    "8831": ([episode(referral_nfa=True, plans=())], [episode(plans=())]),
    "8832": ([episode(referral_nfa=True, enquiries=())], [CHILD]),
    "2990": ([episode(**closed(closure_reason="RC8"))], [episode(**closed())]),
    "1104": ([episode(initial_conference_on=date(2026, 4, 1), enquiries=())], [CHILD]),
    "8615": ([enquiry(started_on=date(2026, 5, 6))], [CHILD]),
    "2889": ([enquiry(started_on=date(2026, 4, 1))], [CHILD]),
    "8875": ([enquiry(conference_on=date(2026, 5, 9))], [CHILD]),
    "8839": (
        [episode(enquiries=(ENQUIRY, EnquiryItems(date(2026, 9, 1)), EnquiryItems(date(2026, 9, 20))))],
        [episode(enquiries=(ENQUIRY, EnquiryItems(date(2026, 9, 1))))],
    ),
    "8890": (
        [episode(enquiries=(ENQUIRY, EnquiryItems(date(2026, 4, 25), icpc_not_required=True)))],
        [episode(enquiries=(ENQUIRY, EnquiryItems(date(2026, 6, 1), icpc_not_required=True)))],
    ),
    "2884": ([episode(initial_conference_on=ENQUIRY.conference_on)], [CHILD]),
    "2885": ([plan(started_on=date(2026, 5, 6))], [CHILD]),
    "1105": ([plan(started_on=date(2026, 4, 1))], [CHILD]),
    "8905": ([plan(initial_category="XYZ")], [CHILD]),
    "8910": ([plan(latest_category=None)], [CHILD]),
    "8925": ([plan(ended_on=date(2026, 5, 1), reviews=())], [plan(ended_on=date(2026, 9, 1))]),
    "8840": ([plan(ended_on=PLAN.started_on, reviews=())], [plan(ended_on=date(2026, 9, 1))]),
    "8841": ([plan(reviews=(PLAN.started_on,))], [CHILD]),
    "8935": (
        [episode(plans=(PLAN, SECOND_PLAN))],
        [episode(plans=(replace(PLAN, ended_on=date(2026, 9, 1)), SECOND_PLAN))],
    ),
    "8940": (
        [episode(plans=(replace(PLAN, ended_on=date(2026, 11, 1)), SECOND_PLAN))],
        [episode(plans=(replace(PLAN, ended_on=date(2026, 9, 1)), SECOND_PLAN))],
    ),
    "8730": ([plan(previous_plans=-1)], [CHILD]),
}


def numbers(children: list[ChildItems]) -> set[str | None]:
    return {problem.rule for problem in check_children(children)}


def test_every_rule_has_its_cases() -> None:
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_a_child_that_breaks_the_rule(rule: str) -> None:
    broken, _ = CASES[rule]
    found = [p for p in check_children(broken) if p.rule == rule]
    assert found, f"{rule} not reported"
    assert all(p.line.startswith("C-") and f": rule {rule}: {RULES[rule].plain}" in p.line for p in found)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_a_child_that_keeps_the_rule(rule: str) -> None:
    _, kept = CASES[rule]
    assert rule not in numbers(kept)


def test_a_child_with_everything_recorded_has_nothing_to_fix() -> None:
    assert check_children([CHILD, OTHER]) == []


def test_what_is_missing_is_said_with_how_to_record_it() -> None:
    child = replace(CHILD, upn=None, ethnicity=None, gender=None, disabilities=None)
    assert [p.line for p in check_children([child])] == [
        "C-1: missing: the UPN, or why there is none. Set it: `cpctl child edit C-1 --upn UPN` or "
        "`--upn-unknown UN1..UN7`.",
        "C-1: missing: the census sex code (GenderCurrent). Set it: `cpctl child edit C-1 --census-sex 1|2|0|9`.",
        "C-1: missing: the ethnicity code. Set it: `cpctl child edit C-1 --ethnicity CODE`.",
        "C-1: missing: the disability codes (NONE for none). Set them: `cpctl child edit C-1 --disability-code CODE` "
        "(NONE for none).",
    ]
    no_enquiry = episode(enquiries=(), initial_conference_on=date(2026, 5, 5))
    assert [p.line for p in check_children([no_enquiry])] == [
        "C-1: missing: the section 47 enquiry that led to the initial conference of 2026-05-05. Record it: "
        "`cpctl child enquiry C-1 --started DATE` (cpctl links it to that conference)."
    ]
    assert check_children([replace(no_enquiry, episodes=(replace(no_enquiry.episodes[0], transfer_in=True),))]) == []


def test_checks_the_dfe_does_not_number() -> None:
    too_long = replace(CHILD, la_child_id="A" * 21)
    assert [p.text for p in check_children([too_long])] == [
        f"the census id (LAchildID) would be {'A' * 21!r}: the schema allows 1 to 20 letters and digits."
    ]
    flagged = enquiry(icpc_not_required=True)
    assert [p.rule for p in check_children([flagged])] == [None]
    late_review = plan(ended_on=date(2026, 9, 1), reviews=(date(2026, 9, 2),))
    assert [p.rule for p in check_children([late_review])] == [None]
    both = replace(CHILD, upn_unknown="UN1")
    assert [p.rule for p in check_children([both])] == [None]


def test_the_la_child_id_is_the_reference_without_punctuation_unless_set() -> None:
    assert derived_la_child_id("DEMO-1001", None) == "DEMO1001"
    assert derived_la_child_id("C/2026/17 b", None) == "C202617b"
    assert derived_la_child_id("DEMO-1001", "X99") == "X99"


def test_the_upn_check_letter() -> None:
    upn = a_upn(1234)
    assert upn_rules(upn) == []
    wrong = ("B" if upn[0] != "B" else "C") + upn[1:]
    assert upn_rules(wrong) == ["1510"]
    # a temporary UPN ends in a letter, weighed by its place in the check letters
    temporary = "A20100001234" + "K"
    assert upn_rules(upn_check_letter(temporary) + temporary[1:]) == []  # type: ignore[operator]
    assert upn_check_letter("A2010000123I") is None  # I, O and S are not check letters


def test_initial_cpc_target_counts_the_start_as_day_one_and_skips_bank_holidays() -> None:
    # Monday 20 April 2026 is day 1; Monday 4 May is the early May bank holiday
    assert initial_cpc_target(date(2026, 4, 20), ENGLAND) == date(2026, 5, 11)
    # a start on a Saturday is not a working day: the Monday after is day 1, so the same target
    assert initial_cpc_target(date(2026, 4, 18), ENGLAND) == date(2026, 5, 11)
    # on the event reading (day 0) it would be a working day later: the census's reading is the validator's
    assert initial_cpc_target(date(2026, 4, 20), ENGLAND) < date(2026, 5, 12)
