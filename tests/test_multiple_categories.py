# ruff: noqa: F811  (the fixtures imported from the fixture modules are used as test arguments)
"""Several kinds of harm: a plan names each kind (England's "Multiple categories", MUL, is no dead end), the
census code is derived from them (MUL for two or more), a store that holds MUL alone still reads sensibly, and the
family's copy names each kind in plain words, in English and in Welsh."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from backends import StoreRef
from conference_fixtures import DOWN, ENTER, SPACE, TODAY, conference_env  # noqa: F401
from cpctl.casework import conference
from cpctl.demo import testwoods as demo
from cpctl.errors import Invalid
from cpctl.rules import profile
from helpers import execute, failed, ok, ok_json
from plan_fixtures import JAMIE, on, write
from plan_fixtures import testwoods as build_testwoods


# -- the profile: kinds named, census code derived ------------------------------------------------------------
def test_englands_census_code_is_mul_for_two_or_more_kinds() -> None:
    england = profile.load("england")
    assert england.census_code(["NEG", "EMO"]) == "MUL"
    assert england.census_code(["neg", "emo", "SAB"]) == "MUL"
    assert england.census_code(["EMO"]) == "EMO"
    assert england.census_code(["MUL"]) == "MUL"  # a plan recorded before cpctl asked which kinds
    assert england.census_code([]) is None


def test_a_profile_without_a_code_for_several_has_no_census_code_for_them() -> None:
    with pytest.raises(Invalid):
        profile.load("wales").census_code(["NEG", "FIN"])
    assert profile.load("wales").census_code(["FIN"]) == "FIN"


@pytest.mark.parametrize("given", [["MUL"], ["MUL", "NEG"], ["mul", "neg", "neg"]])
def test_multiple_categories_alone_names_no_kind_and_is_refused(given: list[str]) -> None:
    with pytest.raises(Invalid) as exc:
        profile.load("england").check_categories(given)
    assert exc.value.message == (
        "MUL (Multiple categories) is recorded when a plan names two or more kinds of harm: name each one "
        "instead, e.g. [NEG, PHY]."
    )


def test_multiple_categories_with_the_kinds_keeps_the_kinds() -> None:
    assert [c.code for c in profile.load("england").check_categories(["MUL", "NEG", "EMO"])] == ["NEG", "EMO"]


# -- a conference file names the kinds -------------------------------------------------------------------------
@pytest.fixture
def family_store(make_store: Callable[..., StoreRef]) -> StoreRef:
    """The Testwoods, no conference yet (England)."""
    return build_testwoods(make_store("family.db"))


def record(store: StoreRef, tmp_path: Path, jamie: list[str], mia: list[str] | None = None) -> Any:
    data = demo.example_conference(TODAY - timedelta(days=6))
    data["decisions"][0]["categories"] = jamie
    data["decisions"][1]["categories"] = mia or ["NEG"]
    return on(store, "conference", "new", "--from", str(write(tmp_path / "conference.yaml", data)))


def test_a_file_naming_two_kinds_records_them_both(family_store: StoreRef, tmp_path: Path) -> None:
    said = ok(record(family_store, tmp_path, ["NEG", "Emotional abuse"]))
    assert "  DEMO-1001: a plan starts (NEG, EMO); plan 1, version 1.\n" in said
    (plan,) = ok_json(on(family_store, "child", "show", JAMIE, "--json"))["plans"]
    assert (plan["initial_categories"], plan["latest_categories"]) == (["NEG", "EMO"], ["NEG", "EMO"])
    decisions = ok_json(on(family_store, "conference", "show", "CF00001", "--json"))["decisions"]
    assert [d["categories"] for d in decisions] == [["NEG", "EMO"], ["NEG"]]
    assert profile.load("england").census_code(plan["latest_categories"]) == "MUL"
    assert ok(on(family_store, "db", "check")).endswith("No problems found.\n")


def test_a_file_giving_mul_with_the_kinds_records_the_kinds(family_store: StoreRef, tmp_path: Path) -> None:
    ok(record(family_store, tmp_path, ["MUL", "NEG", "EMO"]))
    (plan,) = ok_json(on(family_store, "child", "show", JAMIE, "--json"))["plans"]
    assert plan["latest_categories"] == ["NEG", "EMO"]


def test_a_file_giving_mul_alone_is_refused_with_the_line_and_a_hint(family_store: StoreRef, tmp_path: Path) -> None:
    data_file = tmp_path / "conference.yaml"
    result = record(family_store, tmp_path, ["MUL"])
    line = next(n for n, text in enumerate(data_file.read_text().splitlines(), start=1) if "- MUL" in text) - 1
    failed(
        result,
        f"Error: conference.yaml, line {line}: decisions[0].categories: MUL (Multiple categories) is recorded when "
        "a plan names two or more kinds of harm: name each one instead, e.g. [NEG, PHY].",
    )
    assert ok_json(on(family_store, "conference", "list", "--json")) == []


# -- the family's copy names each kind -------------------------------------------------------------------------
def why_section(copy: str) -> str:
    found = re.search(r"^## (Why there is a plan|Pam mae cynllun)\n(.*?)(?=^### )", copy, re.MULTILINE | re.DOTALL)
    assert found is not None, copy[:2000]
    return found.group(2)


def test_the_parents_copy_names_each_kind_of_harm(family_store: StoreRef, tmp_path: Path) -> None:
    ok(record(family_store, tmp_path, ["NEG", "EMO"]))
    copy = ok(on(family_store, "plan", "export", JAMIE, "--for", "parent", "--to", "P00002"))
    why = why_section(copy)
    assert "The kinds of harm are:\n\n- Neglect\n- Emotional abuse\n" in why
    assert "Multiple categories" not in copy
    assert "kind of harm is" not in why


def test_the_welsh_parents_copy_names_each_kind_of_harm(family_store: StoreRef, tmp_path: Path) -> None:
    ok(record(family_store, tmp_path, ["NEG", "EMO"]))
    welsh = on(family_store, "plan", "export", JAMIE, "--for", "parent", "--to", "P00002", "--language", "cy")
    assert welsh.exit_code == 0 and welsh.stderr.startswith("Note: the Welsh translation has not been checked")
    copy = welsh.stdout
    assert "Y mathau o niwed yw:\n\n- Esgeulustod\n- Cam-drin emosiynol\n" in copy
    assert "Categorïau lluosog" not in copy


def test_one_kind_still_reads_as_one(family_store: StoreRef, tmp_path: Path) -> None:
    ok(record(family_store, tmp_path, ["EMO"]))
    copy = ok(on(family_store, "plan", "export", JAMIE, "--for", "parent", "--to", "P00002"))
    assert "The kind of harm is: Emotional abuse.\n" in why_section(copy)


def test_a_store_holding_multiple_categories_alone_still_reads_sensibly(family_store: StoreRef, tmp_path: Path) -> None:
    """A plan recorded as ["MUL"] before cpctl asked which kinds: no kind to name, so the copy does not pretend."""
    ok(record(family_store, tmp_path, ["NEG"]))
    execute(
        family_store,
        """UPDATE plan SET initial_categories = '["MUL"]', latest_categories = '["MUL"]'""",
        """UPDATE decision SET categories = '["MUL"]'""",
    )
    assert ok(on(family_store, "db", "check")).endswith("No problems found.\n")
    parent = ok(on(family_store, "plan", "export", JAMIE, "--for", "parent", "--to", "P00002"))
    assert "There is more than one kind of harm.\n" in why_section(parent)
    assert "Multiple categories" not in parent
    professional = ok(on(family_store, "plan", "export", JAMIE, "--for", "professional"))
    assert "Multiple categories" in professional
    (plan,) = ok_json(on(family_store, "child", "show", JAMIE, "--json"))["plans"]
    assert profile.load("england").census_code(plan["latest_categories"]) == "MUL"


def test_a_review_that_continues_a_plan_recorded_as_mul_keeps_it(family_store: StoreRef, tmp_path: Path) -> None:
    ok(record(family_store, tmp_path, ["NEG", "EMO"]))
    review = {
        "kind": "review",
        "date": TODAY - timedelta(days=1),
        "attendance": demo.example_conference(TODAY)["attendance"],
        "decisions": [
            {
                "child": JAMIE,
                "outcome": "plan-continues",
                "evidence": ["Jamie was hungry at school twice this month."],
                "child_views": ["Jamie wants to stay at home."],
                "parent_views": ["Sam says things are better."],
            }
        ],
    }
    ok(on(family_store, "conference", "new", "--from", str(write(tmp_path / "review.yaml", review))))
    (plan,) = ok_json(on(family_store, "child", "show", JAMIE, "--json"))["plans"]
    assert plan["latest_categories"] == ["NEG", "EMO"]


# -- the wizard asks which kinds -------------------------------------------------------------------------------
def ask_categories(keys: str, defaults: list[str]) -> list[str]:
    from cpctl.commands.wizards.decision import DecisionPrompts

    prompts = DecisionPrompts.__new__(DecisionPrompts)  # ask_categories needs the rules alone
    prompts.rules = conference.rules_for("england")
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(keys)
        return prompts.ask_categories(defaults)


MUL_CHOICE = DOWN * 4 + ENTER  # NEG, PHY, EMO, SAB, then "MUL  Multiple categories (choose which)"


def test_choosing_multiple_categories_asks_which_kinds() -> None:
    ticked = SPACE + DOWN + DOWN + SPACE + ENTER  # NEG and EMO
    assert ask_categories(MUL_CHOICE + ticked, []) == ["NEG", "EMO"]


def test_one_kind_ticked_under_multiple_categories_asks_again() -> None:
    only_neg = SPACE + ENTER
    # Back at the category, NEG (the one ticked) is offered: Enter takes it alone.
    assert ask_categories(MUL_CHOICE + only_neg + ENTER, []) == ["NEG"]


def test_the_kinds_answered_before_are_offered_again() -> None:
    assert ask_categories(ENTER + ENTER, ["NEG", "EMO"]) == ["NEG", "EMO"]  # MUL chosen, NEG and EMO ticked
    assert ask_categories(ENTER, ["PHY"]) == ["PHY"]


def test_the_single_kinds_are_asked_as_before() -> None:
    assert ask_categories(DOWN + DOWN + ENTER, []) == ["EMO"]
