"""Children, unborn babies, families and the people around them, through the CLI, in text and JSON."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers import ACCEPTED_FORMS, AUTHORITY, CHAIR, CHANGES, Run, dump, failed, ok, ok_json, rows

pytestmark = pytest.mark.usefixtures("initialised")

DUE = (date.today() + timedelta(days=60)).isoformat()  # an expected date cpctl accepts whenever the tests run


def child_list(cli: Run, *args: str) -> list[dict]:
    return ok_json(cli("child", "list", "--json", *args))


# -- init
def test_init_registers_the_authority_and_the_user(cli: Run, initialised: Path) -> None:
    assert rows(initialised, "SELECT key, value FROM setting ORDER BY key") == [
        ("authority", AUTHORITY),
        ("jurisdiction", "england"),
    ]
    people = ok_json(cli("person", "list", "--json"))
    assert [(p["ref"], p["name"], p["kind"], p["role"], p["agency"]) for p in people] == [
        ("P00001", CHAIR, "professional", "Conference chair", AUTHORITY)
    ]


def test_init_again_changes_the_settings_and_keeps_the_user(cli: Run, initialised: Path) -> None:
    out = ok(
        cli(
            "init",
            "--authority",
            "Westvale Borough (synthetic)",
            "--jurisdiction",
            "Wales",
            "--name",
            "Ada B. Fictional",
            "--role",
            "social-worker",
        )
    )
    assert out == (
        "This store is set up for Westvale Borough (synthetic) (wales). "
        "You are Ada B. Fictional, Lead social worker (P00001).\n"
    )
    assert rows(initialised, "SELECT count(*) FROM person") == [(1,)]
    assert rows(initialised, "SELECT value FROM setting WHERE key = 'jurisdiction'") == [("wales",)]


@pytest.mark.parametrize(
    ("option", "value", "line"),
    [
        (
            "--jurisdiction",
            "narnia",
            "Error: unknown jurisdiction 'narnia': choose one of england, wales, scotland, northern-ireland, guernsey.",
        ),
        ("--role", "boss", "Error: unknown role 'boss': choose one of chair, social-worker, manager, other."),
        ("--name", "   ", "Error: your name cannot be empty."),
        (
            "--authority",
            "Test\nshire",
            "Error: the authority's name cannot contain line breaks or control "
            "characters; type it again as plain text.",
        ),
    ],
)
def test_init_refuses_bad_values(cli: Run, unchanged, option: str, value: str, line: str) -> None:
    args = {"--authority": AUTHORITY, "--jurisdiction": "england", "--name": CHAIR, "--role": "chair"}
    args[option] = value
    failed(cli("init", *[item for pair in args.items() for item in pair]), line)
    unchanged()


# -- children
def test_child_add_list_show_round_trip_in_json(cli: Run) -> None:
    out = ok(
        cli(
            "child",
            "add",
            "Jamie",
            "Testwood",
            "--id",
            "TW-0001",
            "--dob",
            "2019-03-04",
            "--gender",
            "boy",
            "--language",
            "Polish",
            "--interpreter",
            "--culture",
            "Catholic; avoid Sunday mornings.",
            "--disability",
            "Mild hearing loss.",
            "--family",
            "Testwood household",
        )
    )
    assert out == "Added child TW-0001: Jamie Testwood (born Monday 4 March 2019)\n"
    expected = {
        "id": "TW-0001",
        "given_name": "Jamie",
        "family_name": "Testwood",
        "date_of_birth": "2019-03-04",
        "expected_date": None,
        "unborn": False,
        "gender": "boy",
        "preferred_language": "Polish",
        "interpreter_needed": True,
        "culture_religion": "Catholic; avoid Sunday mornings.",
        "disability": "Mild hearing loss.",
        "family": "Testwood household",
        "team": None,
        "census": {
            "la_child_id": None,
            "upn": None,
            "former_upn": None,
            "upn_unknown": None,
            "sex": None,
            "ethnicity": None,
            "disabilities": [],
        },
    }
    assert child_list(cli) == [expected]
    assert ok_json(cli("child", "show", "TW-0001", "--json")) == {
        **expected,
        "siblings": [],
        "people": [],
        "plans": [],
        "conferences": [],
        "register": None,
        "timeline": [],
        "quality": {"checks": [], "midway_reviews_due": []},
        "referrals": [],
        "enquiries": [],
    }


def test_child_add_defaults_and_made_up_ids(cli: Run) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--dob", "04/03/2019"))
    ok(cli("child", "add", "Mia", "Testwood", "--dob", "2021-08-30"))
    records = child_list(cli)
    assert [(r["id"], r["given_name"], r["date_of_birth"]) for r in records] == [
        ("C00001", "Jamie", "2019-03-04"),
        ("C00002", "Mia", "2021-08-30"),
    ]
    assert {(r["preferred_language"], r["interpreter_needed"], r["family"]) for r in records} == {
        ("English", False, None)
    }


def test_child_show_and_list_in_text(cli: Run) -> None:
    ok(
        cli(
            "child",
            "add",
            "Jamie",
            "Testwood",
            "--id",
            "TW-0001",
            "--dob",
            "2019-03-04",
            "--language",
            "Polish",
            "--interpreter",
            "--family",
            "Testwood household",
        )
    )
    ok(
        cli(
            "child",
            "add",
            "Baby",
            "Testwood",
            "--id",
            "TW-0002",
            "--expected",
            DUE,
            "--family",
            "Testwood household",
        )
    )
    listing = ok(cli("child", "list"))
    assert listing.index("TW-0002") < listing.index("TW-0001")  # sorted by name: Baby before Jamie
    assert "Jamie Testwood" in listing and "4 Mar 2019 (age " in listing and "Polish (interpreter)" in listing
    due = date.fromisoformat(DUE)
    assert f"due {due.day} {due:%b %Y}" in listing

    shown = ok(cli("child", "show", "TW-0001"))
    assert shown.splitlines()[0].rstrip() == "Jamie Testwood  (TW-0001)"
    assert "  Language:          Polish; interpreter needed: yes\n" in shown
    assert "  Family:            Testwood household\n" in shown
    assert "  Siblings:          Baby Testwood (TW-0002)\n" in shown


def test_an_empty_store_says_how_to_add_a_child(cli: Run) -> None:
    assert ok(cli("child", "list")) == "No children yet: add one with `cpctl child add GIVEN FAMILY --dob DATE`.\n"
    assert child_list(cli) == []


def test_unborn_baby_with_expected_date(cli: Run) -> None:
    due = date.fromisoformat(DUE)
    out = ok(cli("child", "add", "Baby", "Testwood", "--expected", DUE))
    assert out == f"Added child C00001: Baby Testwood (unborn, due {due:%A} {due.day} {due:%B %Y})\n"
    (record,) = child_list(cli)
    assert (record["unborn"], record["date_of_birth"], record["expected_date"]) == (True, None, DUE)


def test_recording_a_birth(cli: Run) -> None:
    ok(cli("child", "add", "Baby", "Testwood", "--expected", DUE))
    out = ok(cli("child", "edit", "C00001", "--dob", "2025-12-01", "--given-name", "Robin"))
    assert out == "Updated child C00001: given name, date of birth, unborn\n"
    record = ok_json(cli("child", "show", "C00001", "--json"))
    assert (record["given_name"], record["date_of_birth"], record["unborn"]) == ("Robin", "2025-12-01", False)


def test_siblings_by_family(cli: Run) -> None:
    ok(
        cli(
            "child",
            "add",
            "Jamie",
            "Testwood",
            "--id",
            "TW-1",
            "--dob",
            "2019-03-04",
            "--family",
            "Testwoods",
        )
    )
    ok(cli("child", "add", "Mia", "Testwood", "--id", "TW-2", "--dob", "2021-08-30", "--family", "TESTWOODS"))
    ok(cli("child", "add", "Ola", "Otherby", "--id", "OT-1", "--dob", "2020-05-05", "--family", "Otherbys"))
    shown = ok_json(cli("child", "show", "TW-1", "--json"))
    assert shown["siblings"] == [{"id": "TW-2", "name": "Mia Testwood"}]
    assert shown["family"] == "Testwoods"  # the family's name as first given; the second spelling found it
    assert [r["id"] for r in child_list(cli, "--family", "testwoods")] == ["TW-1", "TW-2"]


def test_moving_a_child_out_of_a_family(cli: Run) -> None:
    ok(
        cli(
            "child",
            "add",
            "Jamie",
            "Testwood",
            "--id",
            "TW-1",
            "--dob",
            "2019-03-04",
            "--family",
            "Testwoods",
        )
    )
    assert ok(cli("child", "edit", "TW-1", "--family", "")) == "Updated child TW-1: family\n"
    assert ok_json(cli("child", "show", "TW-1", "--json"))["family"] is None


def test_listing_an_unknown_family(cli: Run) -> None:
    failed(
        cli("child", "list", "--family", "Nobodys"),
        "Error: no family called 'Nobodys'; see `cpctl child list` for the families in this store.",
    )


def test_find_a_child_by_full_name_and_the_ambiguity_error(cli: Run) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    assert ok_json(cli("child", "show", "jamie testwood", "--json"))["id"] == "TW-1"
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-9", "--dob", "2020-01-01"))
    failed(
        cli("child", "show", "Jamie Testwood"),
        "Error: 2 children match 'Jamie Testwood'; name one by their id:\n"
        "  TW-1  Jamie Testwood, born 4 Mar 2019\n"
        "  TW-9  Jamie Testwood, born 1 Jan 2020",
    )


def test_duplicate_child_id(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-0001", "--dob", "2019-03-04"))
    failed(
        cli("child", "add", "Mia", "Testwood", "--id", "TW-0001", "--dob", "2021-08-30"),
        "Error: a child with id TW-0001 already exists; choose another id or see `cpctl child show TW-0001`.",
    )
    assert rows(initialised, "SELECT ref, given_name FROM child") == [("TW-0001", "Jamie")]


def test_a_child_id_that_is_not_a_reference(cli: Run, unchanged) -> None:
    failed(
        cli("child", "add", "Mia", "Testwood", "--id", "TW 1", "--dob", "2021-08-30"),
        "Error: the child's id 'TW 1' is not a valid reference: use up to 64 letters, digits, '.', '_', '/' "
        "or '-', starting with a letter or digit.",
    )
    unchanged()


@pytest.mark.parametrize("command", [("child", "show"), ("child", "edit")])
def test_unknown_child(cli: Run, command: tuple[str, ...]) -> None:
    extra = ("--gender", "girl") if command[1] == "edit" else ()
    failed(
        cli(*command, "C99999", *extra),
        "Error: no child with id or name 'C99999'; see `cpctl child list` for the children in this store.",
    )


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("31/02/2026", "is not a real date"),
        ("2026-13-01", "is not a real date"),
        ("next tuesday", "is not a date"),
        ("", "is not a date"),
        ("2026/01/05", "is not a date"),
        ("5 Jan 2026", "is not a date"),
    ],
)
@pytest.mark.parametrize("option", ["--dob", "--expected"])
def test_bad_dates_are_usage_errors_listing_the_accepted_forms(
    cli: Run, unchanged, typed: str, problem: str, option: str
) -> None:
    result = cli("child", "add", "Jamie", "Testwood", option, typed)
    failed(
        result,
        f"Error: Invalid value for '{option}': date {typed!r} {problem}: {ACCEPTED_FORMS} "
        "(see 'cpctl child add --help')",
        code=2,
    )
    unchanged()


def test_a_bad_date_in_an_edit(cli: Run) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"))
    failed(
        cli("child", "edit", "C00001", "--dob", "30/02/2020"),
        f"Error: Invalid value for '--dob': date '30/02/2020' is not a real date: {ACCEPTED_FORMS} "
        "(see 'cpctl child edit --help')",
        code=2,
    )


def test_dates_in_each_accepted_form(cli: Run) -> None:
    before = date.today()
    ok(cli("child", "add", "Ann", "Formtest", "--dob", "today"))
    after = date.today()
    ok(cli("child", "add", "Bea", "Formtest", "--dob", "5/1/2020"))
    ok(cli("child", "add", "Cal", "Formtest", "--dob", "2020-01-05"))
    ok(cli("child", "add", "Dee", "Formtest", "--expected", "TOMORROW"))
    by_name = {r["given_name"]: r for r in child_list(cli)}
    assert by_name["Ann"]["date_of_birth"] in {before.isoformat(), after.isoformat()}
    assert by_name["Bea"]["date_of_birth"] == by_name["Cal"]["date_of_birth"] == "2020-01-05"
    assert by_name["Dee"]["expected_date"] in {(d + timedelta(days=1)).isoformat() for d in (before, after)}


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--dob", "01/01/2999"),
            "Error: the date of birth 2999-01-01 is in the future; for an unborn baby give "
            "the expected date of delivery (--expected) instead.",
        ),
        (
            ("--dob", "2000-01-01"),
            "Error: a date of birth of 2000-01-01 makes this person 18 or over; child "
            "protection plans are for children under 18. Check the date.",
        ),
        (
            ("--expected", "2999-01-01"),
            "Error: the expected date of delivery 2999-01-01 is more than 300 days away; check the date.",
        ),
        (
            (),
            "Error: give a date of birth (--dob), or for an unborn baby the expected date of delivery (--expected).",
        ),
    ],
)
def test_dates_that_cannot_be_right(cli: Run, unchanged, args: tuple[str, ...], line: str) -> None:
    failed(cli("child", "add", "Jamie", "Testwood", *args), line)
    unchanged()


@pytest.mark.parametrize(
    ("given", "family", "field"),
    [
        ("Jamie\nTestwood", "Testwood", "given name"),
        ("Jamie", "Test\x1b[31mwood", "family name"),
        ("Ja\x00mie", "Testwood", "given name"),
        ("Ja\u2028mie", "Testwood", "given name"),
    ],
)
def test_child_names_with_line_breaks_or_control_characters(
    cli: Run, unchanged, given: str, family: str, field: str
) -> None:
    failed(
        cli("child", "add", given, family, "--dob", "2019-03-04"),
        f"Error: {field} cannot contain line breaks or control characters; type it again as plain text.",
    )
    unchanged()


def test_names_in_other_scripts_are_kept(cli: Run) -> None:
    ok(cli("child", "add", "Zoë", "Ó Súilleabháin-Nowak", "--dob", "2019-03-04"))
    assert ok_json(cli("child", "show", "Zoë Ó Súilleabháin-Nowak", "--json"))["family_name"] == (
        "Ó Súilleabháin-Nowak"
    )


# -- names and text as real families write them -----------------------------------------------------------
# The invisible characters are written as escapes so that they can be seen here. Every name is invented:
# "تست‌زاده" is "Test-zadeh", the Testwoods' Persian neighbours, with the zero-width non-joiner that Persian,
# Urdu and Kurdish put inside a word where two letters must not join.
ZWNJ, ZWJ, NBSP, NARROW_NBSP, SOFT_HYPHEN = "\u200c", "\u200d", "\u00a0", "\u202f", "\u00ad"
PERSIAN_GIVEN, PERSIAN_FAMILY = "مهرناز", f"تست{ZWNJ}زاده"
FAMILY_EMOJI = f"\U0001f468{ZWJ}\U0001f469{ZWJ}\U0001f467"  # man, woman, girl: one picture of a family
ENGLAND_FLAG = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # a tag sequence


def test_a_persian_name_with_a_zero_width_non_joiner_is_kept_as_written(cli: Run) -> None:
    ok(cli("child", "add", PERSIAN_GIVEN, PERSIAN_FAMILY, "--id", "TW-7", "--dob", "2019-03-04"))
    shown = ok_json(cli("child", "show", f"{PERSIAN_GIVEN} {PERSIAN_FAMILY}", "--json"))
    assert (shown["id"], shown["given_name"], shown["family_name"]) == ("TW-7", PERSIAN_GIVEN, PERSIAN_FAMILY)
    ok(cli("person", "add", f"سام {PERSIAN_FAMILY}", "--kind", "parent", "--child", "TW-7", "--relationship", "father"))
    assert ok_json(cli("person", "show", f"سام {PERSIAN_FAMILY}", "--json"))["name"] == f"سام {PERSIAN_FAMILY}"


@pytest.mark.parametrize("space", [NBSP, NARROW_NBSP, "\u3000"], ids=["nbsp", "narrow-nbsp", "ideographic"])
def test_a_name_pasted_with_a_non_breaking_space_is_found_by_the_name_typed(cli: Run, space: str) -> None:
    """Word puts a non-breaking space between words it keeps together: stored as a plain space, so that the name
    a person types later finds the child (and a search pasted from the same document does too)."""
    ok(cli("child", "add", f"Jamie{space}Lee", f"Testwood{space}", "--id", "TW-8", "--dob", "2019-03-04"))
    shown = ok_json(cli("child", "show", "Jamie Lee Testwood", "--json"))
    assert (shown["id"], shown["given_name"], shown["family_name"]) == ("TW-8", "Jamie Lee", "Testwood")
    assert ok_json(cli("child", "show", f"Jamie{space}Lee{space}Testwood", "--json"))["id"] == "TW-8"
    ok(cli("person", "add", f"Sam{space}Testwood", "--address", f"1{space}Test Lane{space}\nTestshire"))
    person = ok_json(cli("person", "show", "Sam Testwood", "--json"))
    assert (person["name"], person["address"]) == ("Sam Testwood", "1 Test Lane \nTestshire")


def test_a_soft_hyphen_is_dropped(cli: Run) -> None:
    """A soft hyphen only marks where a word may break at the end of a line: invisible, so it is dropped."""
    ok(cli("child", "add", "Jamie", f"Test{SOFT_HYPHEN}wood", "--id", "TW-9", "--dob", "2019-03-04"))
    assert ok_json(cli("child", "show", "Jamie Testwood", "--json"))["family_name"] == "Testwood"


def test_emoji_joined_into_one_picture_are_kept_in_free_text(cli: Run) -> None:
    culture = f"Draws {FAMILY_EMOJI} for home; supports England {ENGLAND_FLAG}\u2028(a line break from Pages)"
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04", "--culture", culture))
    assert ok_json(cli("child", "show", "TW-1", "--json"))["culture_religion"] == culture.replace("\u2028", "\n")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        *(
            (
                f"Ja{ch}mie",
                f"cannot contain characters that reorder text as it is shown (U+{ord(ch):04X}, a "
                "bidirectional override or isolate)",
            )
            for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        ),
        *(
            (f"Ja{ch}mie", "cannot contain line breaks or control characters")
            for ch in ("\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u2029", "\r", "\t")
        ),
        *(
            (f"Ja{ch}mie", f"cannot contain invisible, private or unassigned characters (U+{ord(ch):04X})")
            for ch in ("\u2061", "\u206a", "\U000e0041", "\ue000", "\u0378", "\ufff9")
        ),
    ],
    ids=lambda value: repr(value)[:16],
)
def test_characters_that_corrupt_or_disguise_text_are_still_refused(
    cli: Run, unchanged, given: str, message: str
) -> None:
    failed(
        cli("child", "add", given, "Testwood", "--dob", "2019-03-04"),
        f"Error: given name {message}; type it again as plain text.",
    )
    unchanged()


def test_free_text_refuses_a_bidirectional_override_and_a_control_character(cli: Run, unchanged) -> None:
    for culture, message in (
        (
            "Halal \u202efood",
            "culture religion cannot contain characters that reorder text as it is shown (U+202E, "
            "a bidirectional override or isolate)",
        ),
        ("Halal \x07food", "culture religion cannot contain control characters"),
    ):
        failed(
            cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04", "--culture", culture),
            f"Error: {message}; type it again as plain text.",
        )
    unchanged()


def test_every_space_character_is_made_plain() -> None:
    """text.SPACES lists every space separator of this Python's Unicode but the plain space."""
    import sys
    import unicodedata

    from cpctl import text

    found = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Zs"} - {" "}
    assert set(text.SPACES) == found


def test_child_edit_with_nothing_to_change(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"))
    before = dump(initialised)
    failed(
        cli("child", "edit", "C00001"),
        "Error: nothing to change: give at least one option, e.g. --dob or --language (see --help).",
    )
    assert dump(initialised) == before


def test_child_edit_to_the_same_values_changes_nothing(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04", "--language", "Welsh"))
    before = rows(initialised, CHANGES)
    assert ok(cli("child", "edit", "C00001", "--language", "Welsh", "--dob", "04/03/2019")) == (
        "Child C00001 already had those details; nothing changed.\n"
    )
    assert rows(initialised, CHANGES) == before


def test_child_edit_round_trip(cli: Run) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"))
    out = ok(cli("child", "edit", "Jamie Testwood", "--language", "Welsh", "--interpreter", "--gender", "boy"))
    assert out == "Updated child C00001: gender, preferred language, interpreter needed\n"
    record = ok_json(cli("child", "show", "C00001", "--json"))
    assert (record["gender"], record["preferred_language"], record["interpreter_needed"]) == (
        "boy",
        "Welsh",
        True,
    )
    ok(cli("child", "edit", "C00001", "--no-interpreter"))
    assert ok_json(cli("child", "show", "C00001", "--json"))["interpreter_needed"] is False


# -- people
def test_person_add_list_show_round_trip_in_json(cli: Run) -> None:
    out = ok(
        cli(
            "person",
            "add",
            "Ola Brennan",
            "--role",
            "Health visitor",
            "--agency",
            "Testshire Health",
            "--email",
            "ola.brennan@example.org",
            "--phone",
            "07700 900456",
            "--address",
            "1 Test Row\nTestville",
            "--language",
            "Welsh",
            "--ref",
            "HV-1",
        )
    )
    assert out == "Added professional HV-1: Ola Brennan\n"
    expected = {
        "ref": "HV-1",
        "name": "Ola Brennan",
        "kind": "professional",
        "role": "Health visitor",
        "agency": "Testshire Health",
        "email": "ola.brennan@example.org",
        "phone": "07700 900456",
        "address": "1 Test Row\nTestville",
        "preferred_language": "Welsh",
    }
    assert ok_json(cli("person", "list", "--json", "--kind", "professional"))[-1] == expected
    assert ok_json(cli("person", "show", "HV-1", "--json")) == {**expected, "children": []}


def test_person_show_and_list_in_text(cli: Run) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    ok(
        cli(
            "person",
            "add",
            "Sam Testwood",
            "--kind",
            "parent",
            "--role",
            "Mother",
            "--phone",
            "07700 900123",
            "--child",
            "TW-1",
            "--relationship",
            "mother",
        )
    )
    listing = ok(cli("person", "list"))
    assert "P00002" in listing and "Sam Testwood" in listing and "parent" in listing and CHAIR in listing
    shown = ok(cli("person", "show", "Sam Testwood"))
    assert shown == (
        "Sam Testwood  (P00002, parent)\n"
        "  Role:     Mother\n"
        "  Phone:    07700 900123\n"
        "  mother of Jamie Testwood (TW-1)\n"
    )


def test_linking_a_parent_to_a_child(cli: Run) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    ok(cli("child", "add", "Mia", "Testwood", "--id", "TW-2", "--dob", "2021-08-30"))
    out = ok(
        cli(
            "person",
            "add",
            "Sam Testwood",
            "--kind",
            "parent",
            "--role",
            "Mother",
            "--child",
            "TW-1",
            "--relationship",
            "mother",
        )
    )
    assert out == "Added parent P00002: Sam Testwood, linked to TW-1\n"
    assert ok(cli("person", "edit", "P00002", "--child", "Mia Testwood", "--relationship", "mother")) == (
        "Updated P00002: child\n"
    )
    shown = ok_json(cli("person", "show", "P00002", "--json"))
    assert shown["children"] == [
        {"id": "TW-1", "name": "Jamie Testwood", "relationship": "mother"},
        {"id": "TW-2", "name": "Mia Testwood", "relationship": "mother"},
    ]
    around = ok_json(cli("child", "show", "TW-2", "--json"))["people"]
    assert around == [
        {
            "ref": "P00002",
            "name": "Sam Testwood",
            "kind": "parent",
            "relationship": "mother",
            "role": "Mother",
            "agency": None,
        }
    ]
    assert [p["ref"] for p in ok_json(cli("person", "list", "--child", "TW-2", "--json"))] == ["P00002"]


def test_relinking_changes_the_relationship(cli: Run) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    ok(
        cli(
            "person",
            "add",
            "Chris Testwood",
            "--kind",
            "family",
            "--child",
            "TW-1",
            "--relationship",
            "uncle",
        )
    )
    ok(cli("person", "edit", "Chris Testwood", "--child", "TW-1", "--relationship", "stepfather"))
    assert ok_json(cli("child", "show", "TW-1", "--json"))["people"][0]["relationship"] == "stepfather"


def test_a_link_without_a_relationship_uses_the_role(cli: Run) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    ok(cli("person", "add", "Tom Hale", "--role", "Class teacher", "--child", "TW-1"))
    assert ok_json(cli("child", "show", "TW-1", "--json"))["people"][0]["relationship"] == "Class teacher"


def test_person_edit_round_trip(cli: Run) -> None:
    ok(cli("person", "add", "Ola Brennan", "--role", "Health visitor"))
    assert ok(cli("person", "edit", "P00002", "--phone", "+44 7700 900456", "--agency", "Testshire Health")) == (
        "Updated P00002: agency, phone\n"
    )
    shown = ok_json(cli("person", "show", "P00002", "--json"))
    assert (shown["phone"], shown["agency"]) == ("+44 7700 900456", "Testshire Health")
    assert ok(cli("person", "edit", "P00002", "--phone", "+44 7700 900456")) == (
        "P00002 already had those details; nothing changed.\n"
    )


def test_find_a_person_by_name_and_the_ambiguity_error(cli: Run) -> None:
    ok(cli("person", "add", "Sam Testwood", "--kind", "parent"))
    assert ok_json(cli("person", "show", "SAM TESTWOOD", "--json"))["ref"] == "P00002"
    ok(cli("person", "add", "Sam Testwood", "--kind", "family"))
    failed(
        cli("person", "show", "Sam Testwood"),
        "Error: 2 people match 'Sam Testwood'; name one by their reference:\n"
        "  P00002  Sam Testwood, parent\n"
        "  P00003  Sam Testwood, family",
    )


@pytest.mark.parametrize("command", [("person", "show"), ("person", "edit")])
def test_unknown_person(cli: Run, command: tuple[str, ...]) -> None:
    extra = ("--phone", "07700 900000") if command[1] == "edit" else ()
    failed(
        cli(*command, "P99999", *extra),
        "Error: no person with reference or name 'P99999'; see `cpctl person list`, "
        "or add them with `cpctl person add`.",
    )


def test_linking_to_an_unknown_child_saves_nothing(cli: Run, unchanged) -> None:
    failed(
        cli("person", "add", "Sam Testwood", "--kind", "parent", "--child", "C99999"),
        "Error: no child with id or name 'C99999'; see `cpctl child list` for the children in this store.",
    )
    unchanged()


def test_duplicate_person_reference(cli: Run, unchanged) -> None:
    failed(
        cli("person", "add", "Sam Testwood", "--ref", "P00001"),
        "Error: a person with reference P00001 already exists; choose another reference.",
    )
    unchanged()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("Sam\nTestwood",),
            "Error: the person's name cannot contain line breaks or control characters; type it again as plain text.",
        ),
        (
            ("Sam \x07Testwood",),
            "Error: the person's name cannot contain line breaks or control characters; type it again as plain text.",
        ),
        (
            ("Sam Testwood", "--kind", "neighbour"),
            "Error: unknown kind of person 'neighbour': choose one of parent, carer, family, professional.",
        ),
        (
            ("Sam Testwood", "--email", "sam at example"),
            "Error: 'sam at example' is not an email address (expected name@example.org).",
        ),
    ],
)
def test_person_values_refused(cli: Run, unchanged, args: tuple[str, ...], line: str) -> None:
    failed(cli("person", "add", *args), line)
    unchanged()


def test_person_edit_with_nothing_to_change(cli: Run) -> None:
    ok(cli("person", "add", "Sam Testwood", "--kind", "parent"))
    failed(
        cli("person", "edit", "P00002"),
        "Error: nothing to change: give at least one option, e.g. --phone or --child (see --help).",
    )


def test_person_edit_relationship_without_a_child(cli: Run) -> None:
    ok(cli("person", "add", "Sam Testwood", "--kind", "parent"))
    failed(
        cli("person", "edit", "P00002", "--phone", "07700 900123", "--relationship", "mother"),
        "Error: --relationship needs --child: say which child they are related to.",
    )


def test_person_add_relationship_without_a_child(cli: Run) -> None:
    failed(
        cli("person", "add", "Sam Testwood", "--kind", "parent", "--relationship", "mother"),
        "Error: --relationship needs --child: say which child they are related to.",
    )
    assert "Sam Testwood" not in ok(cli("person", "list"))


def test_person_edit_linking_a_child_again_changes_nothing(cli: Run) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    ok(cli("person", "add", "Sam Testwood", "--kind", "parent", "--child", "TW-1", "--relationship", "mother"))
    assert ok(cli("person", "edit", "P00002", "--child", "TW-1", "--relationship", "mother")) == (
        "P00002 already had those details; nothing changed.\n"
    )
    assert ok(cli("person", "edit", "P00002", "--child", "TW-1", "--relationship", "stepmother")) == (
        "Updated P00002: child\n"
    )


def test_a_family_name_with_an_accented_capital_groups_siblings(cli: Run) -> None:
    ok(cli("child", "add", "Aoife", "Ó Briain", "--id", "OB-1", "--dob", "2019-03-04", "--family", "Ó Briain"))
    ok(cli("child", "add", "Cian", "Ó Briain", "--id", "OB-2", "--dob", "2021-08-30", "--family", "Ó Briain"))
    assert ok_json(cli("child", "show", "OB-1", "--json"))["siblings"] == [{"id": "OB-2", "name": "Cian Ó Briain"}]


def test_a_person_with_an_accented_capital_is_found_by_name(cli: Run) -> None:
    ok(cli("person", "add", "Éamon Ó Briain", "--kind", "parent"))
    assert ok_json(cli("person", "show", "Éamon Ó Briain", "--json"))["ref"] == "P00002"


def test_names_that_look_like_markup_are_shown_as_written(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "[red]Robin", "[bold]Test", "--dob", "2019-03-04", "--id", "MK-1"))
    shown = ok(cli("child", "list"))
    assert "[red]Robin [bold]Test" in shown
