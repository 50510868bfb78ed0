"""The census items: a child's UPN, ethnicity, disabilities, census sex and id, the team, the child in need
referral and the section 47 enquiry, through the CLI; codes checked against the census lists."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from cpctl.rules import census_codes
from helpers import Run, dump, failed, ok, ok_json, rows

pytestmark = pytest.mark.usefixtures("initialised")

UPN = "H801200001001"  # the DfE's own example of a UPN, check letter H


def show(cli: Run, child: str = "C00001") -> dict[str, Any]:
    return ok_json(cli("child", "show", child, "--json"))


def actions(store: Any) -> list[str]:
    return [action for (action,) in rows(store, "SELECT action FROM audit_entry ORDER BY id")]


def add_ava(cli: Run, *extra: str) -> None:
    ok(cli("child", "add", "Ava", "Fictional", "--dob", "2018-03-04", *extra))


def test_child_add_records_the_census_items_and_the_team(cli: Run) -> None:
    add_ava(
        cli,
        "--upn",
        "h8012 0000 1001",
        "--ethnicity",
        "wbri",
        "--disability-code",
        "AUT",
        "--disability-code",
        "ld",
        "--census-sex",
        "female",
        "--census-id",
        "AVA1",
        "--team",
        "North Locality",
    )
    record = show(cli)
    assert record["team"] == "North Locality"
    assert record["census"] == {
        "la_child_id": "AVA1",
        "upn": UPN,
        "former_upn": None,
        "upn_unknown": None,
        "sex": "2",
        "ethnicity": "WBRI",
        "disabilities": ["LD", "AUT"],  # in the census list's order
    }
    text = ok(cli("child", "show", "C00001"))
    assert "  Team:              North Locality\n" in text
    assert "  Ethnicity:         WBRI (White British)\n" in text
    assert "  Disability codes:  LD (Learning), AUT (Autism)\n" in text


def test_a_team_is_made_once_whatever_its_case(cli: Run, initialised: Any) -> None:
    add_ava(cli, "--team", "North Locality")
    ok(cli("child", "add", "Ben", "Fictional", "--dob", "2019-03-04", "--team", "north locality"))
    assert rows(initialised, "SELECT name FROM team") == [("North Locality",)]
    assert "team.add" in actions(initialised)
    ok(cli("child", "edit", "C00002", "--team", ""))
    assert show(cli, "C00002")["team"] is None


def test_edit_a_upn_clears_the_reason_it_was_unknown(cli: Run) -> None:
    add_ava(cli, "--upn-unknown", "un1")
    assert show(cli)["census"]["upn_unknown"] == "UN1"
    assert "UPN:               unknown: UN1 (Child is under 6" in ok(cli("child", "show", "C00001"))
    assert ok(cli("child", "edit", "C00001", "--upn", UPN)) == "Updated child C00001: census\n"
    census = show(cli)["census"]
    assert (census["upn"], census["upn_unknown"]) == (UPN, None)
    ok(cli("child", "edit", "C00001", "--census-sex", "9", "--disability-code", ""))
    assert show(cli)["census"]["sex"] == "9"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--ethnicity", "XX"),
            "Error: ethnicity 'XX' is not a census code: use one of " + ", ".join(census_codes.ETHNICITY) + ".",
        ),
        (
            ("--upn", "A801200001001"),
            "Error: the UPN A801200001001 has the wrong check letter: with these digits it begins H; check it.",
        ),
        (
            ("--upn", "H8012"),
            "Error: the UPN 'H8012' is not a UPN: it has 13 characters, a letter, 11 digits, then a digit or a letter.",
        ),
        (
            ("--upn", UPN, "--upn-unknown", "UN1"),
            "Error: give the UPN or the reason it is unknown (--upn-unknown), not both.",
        ),
        (
            ("--upn-unknown", "UN8"),
            "Error: the reason the UPN is unknown 'UN8' is not a census code: use one of "
            + ", ".join(census_codes.UPN_UNKNOWN)
            + ".",
        ),
        (
            ("--disability-code", "NONE", "--disability-code", "MOB"),
            "Error: disability NONE cannot go with another disability code: give NONE alone, or the codes.",
        ),
        (
            ("--census-id", "C-0001"),
            "Error: the census id 'C-0001' must be 1 to 20 letters and digits (no spaces or punctuation).",
        ),
        (
            ("--census-sex", "boy"),
            "Error: census sex 'boy' is not a census code: use 1 (male), 2 (female), 0 (not recorded or unborn), "
            "9 (indeterminate), or male, female, unknown, indeterminate.",
        ),
    ],
)
def test_a_census_item_that_is_not_a_census_code_is_refused_in_one_line(
    cli: Run, unchanged: Any, args: tuple[str, ...], line: str
) -> None:
    failed(cli("child", "add", "Ava", "Fictional", "--dob", "2018-03-04", *args), line)
    unchanged()


def test_two_children_cannot_share_a_census_id(cli: Run) -> None:
    add_ava(cli, "--census-id", "AVA1")
    ok(cli("child", "add", "Ben", "Fictional", "--dob", "2019-03-04"))
    failed(
        cli("child", "edit", "C00002", "--census-id", "ava1"),
        "Error: the census id ava1 is already child C00001's; each child needs their own.",
    )


def test_the_upn_check_letter_follows_the_dfe_algorithm() -> None:
    assert census_codes.upn_check_letter("801200001001") == "H"
    assert all(code in census_codes.GENDER for code in ("1", "2", "0", "9"))


# -- the referral and the enquiry
def test_a_referral_opens_an_episode_and_closes_with_a_reason(cli: Run, initialised: Any) -> None:
    add_ava(cli)
    assert ok(cli("child", "referral", "C00001", "--on", "2026-09-01", "--source", "2a", "--need", "n1")) == (
        "Recorded a referral for C00001 on Tuesday 1 September 2026.\n"
    )
    assert "already had that referral" in ok(cli("child", "referral", "C00001", "--on", "2026-09-01", "--source", "2A"))
    failed(
        cli("child", "referral", "C00001", "--on", "2026-09-05", "--source", "6"),
        "Error: child C00001 already has an open referral from 2026-09-01: close it first "
        "(`cpctl child referral C00001 --close DATE --reason RC7`).",
    )
    failed(
        cli("child", "referral", "C00001", "--close", "2026-08-01", "--reason", "RC7"),
        "Error: the closure date 2026-08-01 is before the referral of 2026-09-01.",
    )
    ok(cli("child", "referral", "C00001", "--close", "2026-10-01", "--reason", "rc7"))
    referral = show(cli)["referrals"][0]
    assert referral | {"source_words": None} == {
        "referral_on": "2026-09-01",
        "source": "2A",
        "source_words": None,
        "primary_need": "N1",
        "no_further_action": False,
        "closed_on": "2026-10-01",
        "closure_reason": "RC7",
    }
    failed(
        cli("child", "referral", "C00001", "--on", "2026-09-15", "--source", "6"),
        "Error: 2026-09-15 falls within child C00001's referral of 2026-09-01, closed 2026-10-01; "
        "episodes cannot overlap.",
    )
    assert "  Referral 1 Sep 2026: source 2A (Schools), need N1; closed 1 Oct 2026 (RC7)\n" in ok(
        cli("child", "show", "C00001")
    )
    assert {"referral.add", "referral.close"} <= set(actions(initialised))


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--on", "2026-09-01"),
            "Error: a referral needs its source: --source CODE (e.g. 2A schools, 6 police; see --help).",
        ),
        (
            ("--on", "2026-09-01", "--source", "11"),
            "Error: referral source '11' is not a census code: use one of "
            + ", ".join(census_codes.REFERRAL_SOURCE)
            + ".",
        ),
        (
            ("--on", "2026-09-01", "--source", "6", "--need", "N10"),
            "Error: primary need 'N10' is not a census code: use one of " + ", ".join(census_codes.PRIMARY_NEED) + ".",
        ),
        (
            (),
            "Error: give --on DATE --source CODE to record a referral, or --close DATE --reason RCn to close one.",
        ),
        (
            ("--close", "2026-09-01", "--reason", "RC7"),
            "Error: child C00001 has no open referral to close; record one with "
            "`cpctl child referral C00001 --on DATE --source CODE`.",
        ),
    ],
)
def test_a_referral_that_is_wrong_is_refused_in_one_line(
    cli: Run, initialised: Any, args: tuple[str, ...], line: str
) -> None:
    add_ava(cli)
    before = dump(initialised)
    failed(cli("child", "referral", "C00001", *args), line)
    assert dump(initialised) == before


def test_an_enquiry_is_recorded_once_and_can_need_no_conference(cli: Run) -> None:
    add_ava(cli)
    ok(cli("child", "referral", "C00001", "--on", "2026-09-01", "--source", "6"))
    assert ok(cli("child", "enquiry", "C00001", "--started", "2026-09-03")) == (
        "Recorded a section 47 enquiry for C00001 from Thursday 3 September 2026.\n"
    )
    assert "nothing changed" in ok(cli("child", "enquiry", "C00001", "--started", "2026-09-03"))
    ok(cli("child", "enquiry", "C00001", "--started", "2026-09-03", "--no-conference-needed"))
    assert show(cli)["enquiries"] == [{"started_on": "2026-09-03", "conference_needed": False, "conference": None}]
    assert "  Section 47 enquiry started 3 Sep 2026: no initial conference needed\n" in ok(
        cli("child", "show", "C00001")
    )


def test_an_enquiry_outside_any_referral_is_recorded_with_a_warning(cli: Run) -> None:
    add_ava(cli)
    result = cli("child", "enquiry", "C00001", "--started", "2026-09-03")
    assert result.exit_code == 0
    assert result.stderr.replace("\n", " ").startswith("Warning: no referral recorded for C00001 covers")


def test_an_enquiry_in_the_future_is_refused(cli: Run) -> None:
    add_ava(cli)
    later = date.today() + timedelta(days=3)
    failed(
        cli("child", "enquiry", "C00001", "--started", later.isoformat()),
        f"Error: the enquiry's start {later.isoformat()} is in the future: record it once it has started.",
    )


# -- the LA code
def test_init_lea_sets_the_la_code_alone_on_a_set_up_store(cli: Run, initialised: Any) -> None:
    assert ok(cli("init", "--lea", "201")).startswith("The LA code of ")
    assert "nothing changed" in ok(cli("init", "--lea", "201"))
    assert rows(initialised, "SELECT value FROM setting WHERE key = 'census_lea'") == [("201",)]
    failed(
        cli("init", "--lea", "21"),
        "Error: the LA code '21' must be the authority's 3 digits (e.g. 201), as the DfE numbers it.",
    )
