# ruff: noqa: F811  (the fixtures imported from the fixture modules are used as test arguments)
"""The parents' copy: who is working with the family (professionals, not the parents themselves), and what the
plan expects of the parents, whether an action's "who" is a person's reference or typed as words."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conference_fixtures import TODAY, conference_env, family, family_db  # noqa: F401
from cpctl.casework import conference
from cpctl.demo import testwoods as demo
from cpctl.documents.who import means_family
from helpers import ok, run_cli

if TYPE_CHECKING:
    from cpctl.store.database import Store

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)

FAMILY = ["Sam Testwood", "Chris Testwood"]
PROFESSIONALS = ["Jordan Ashby", "Ola Brennan", "Tom Hale", "Grace Oduya"]


def section(markdown: str, heading: str) -> str:
    """The text of one `## heading` section of a Markdown copy."""
    found = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.MULTILINE | re.DOTALL)
    assert found is not None, f"no section {heading!r}"
    return found.group(1)


# -- who is working with the family --------------------------------------------------------------------------
def test_the_parents_copy_does_not_list_the_family_among_those_working_with_it(fixed_plan: Path) -> None:
    from export_support import CHILD

    result = run_cli("--db", str(fixed_plan), "plan", "export", CHILD, "--for", "parent", "--on", "2026-11-22")
    working = section(result.stdout, "Who is working with your family")
    assert "Jordan Ashby (Lead social worker" in working
    assert "Ola Brennan (Health visitor" in working
    for family_member in ("Sam Testwood", "Chris Testwood", "Kinship carer"):
        assert family_member not in working


# -- what the plan expects of the parents ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "who",
    [
        "Parents",
        "parents",
        "Mum and Dad",
        "both parents",
        "Mother",
        "Sam",
        "Sam and Chris",
        "Sam Testwood",
        "Sam Testwood, with Citizens Advice",
        "Mum (with the health visitor's help)",
        "Dad (Chris)",
        "Mr and Mrs Testwood",
    ],
)
def test_free_text_that_says_the_family_does_it_is_the_familys(who: str) -> None:
    assert means_family(who, FAMILY, PROFESSIONALS)


@pytest.mark.parametrize(
    "who",
    [
        "Parent support worker",
        "Family Nurse Partnership",
        "Health visitor",
        "Northshire Citizens Advice (synthetic)",
        "Citizens Advice with Sam",
        "Sam's key worker",
        "Tom",
        "Sam Hale",
        "the",
        "",
        None,
    ],
)
def test_free_text_that_does_not_plainly_say_so_is_not_the_familys(who: str | None) -> None:
    assert not means_family(who, FAMILY, PROFESSIONALS)


def test_a_given_name_a_professional_shares_counts_only_as_a_full_name() -> None:
    assert not means_family("Grace", ["Grace Testwood"], PROFESSIONALS)
    assert means_family("Grace Testwood", ["Grace Testwood"], PROFESSIONALS)


def plan_with_actions(store: Store, *who: str) -> None:
    """The demo's initial conference, with one action for each `who` (typed as words) in Jamie's plan."""
    data: dict[str, Any] = demo.example_conference(TODAY - timedelta(days=1))
    jamie = data["decisions"][0]
    jamie["plan"] = dict(jamie["plan"])
    jamie["plan"]["actions"] = [
        {**jamie["plan"]["actions"][1], "what": f"Action for {text}", "who": text} for text in who
    ]
    with store.write() as session:
        conference.save(session, conference.prepare(session, conference.ConferenceIn.model_validate(data)))


def test_the_parents_copy_expects_of_them_the_actions_typed_as_theirs(family: Store, family_db: Path) -> None:
    plan_with_actions(family, "Parents", "Sam and Chris", "Parent support worker", "Northshire Citizens Advice")
    copy = ok(run_cli("--db", str(family_db), "plan", "export", "DEMO-1001", "--for", "parent", "--to", "P00002"))
    expected = section(copy, "What we expect of you")
    assert "- Action for Parents\n" in expected
    assert "- Action for Sam and Chris\n" in expected
    assert "Parent support worker" not in expected
    assert "Citizens Advice" not in expected
