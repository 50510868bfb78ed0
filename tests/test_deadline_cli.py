"""`cpctl profile` and `cpctl deadline`: output lines, exit codes, errors on stderr, and a quick --help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cpctl.cli import app

ENGLAND_SOURCE = "Working Together to Safeguard Children 2023, local procedures (Liverpool, Sefton, Sussex, Tees)"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CPCTL_DATA_DIR", str(tmp_path))
    for name in ("CPCTL_PROFILE_OVERRIDES", "CPCTL_DB", "CPCTL_DATABASE_URL", "CPCTL_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERMINAL_WIDTH", "200")
    monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def lines(text: str) -> list[str]:
    return text.splitlines()


# -- deadline calc -------------------------------------------------------------------------------------------


def test_deadline_calc_over_christmas():
    result = run("deadline", "calc", "--profile", "england", "--rule", "first-core-group", "--from", "2026-12-18")
    assert result.exit_code == 0, result.stderr
    assert lines(result.stdout) == [
        "Due: Wednesday 6 January 2027",
        "Counted: 10 working days after the child protection conference on Friday 18 December 2026 (that day is day 0)",
        "Skipped: Christmas Day on 25 Dec 2026, Boxing Day (substitute day) on 28 Dec 2026, "
        "New Year's Day on 1 Jan 2027",
        "Rule: first-core-group of the england profile, from packaged profile england.yaml",
        f"Source: {ENGLAND_SOURCE}",
    ]
    assert result.stderr == ""


def test_deadline_calc_in_scotland_says_when_the_date_is_not_a_working_day():
    result = run("deadline", "calc", "--profile", "scotland", "--rule", "first-core-group", "--from", "18/12/2026")
    assert result.exit_code == 0, result.stderr
    # 15 days after is Saturday 2 January 2027: the profile brings it forward to the working day before.
    assert lines(result.stdout)[:3] == [
        "Due: Thursday 31 December 2026",
        "Counted: 15 days after the Child Protection Planning Meeting on Friday 18 December 2026",
        "Moved: Saturday 2 January 2027 is not a working day (Saturday, New Year Holiday): brought forward to the "
        "working day before (closed_day: bring-forward)",
    ]


def test_deadline_calc_json_has_iso_dates():
    result = run(
        "deadline",
        "calc",
        "--profile",
        "northern-ireland",
        "--rule",
        "child-seen",
        "--from",
        "2027-03-18",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["due"] == "2027-04-15"
    assert record["event_date"] == "2027-03-18"
    assert (record["amount"], record["unit"], record["after"]) == (4, "weeks", "visit")
    assert record["due_is_working_day"] is True
    assert record["origin"] == "packaged profile northern-ireland.yaml"
    assert record["explanation"].startswith("due Thursday 15 April 2027: 4 weeks after the visit on ")


def test_deadline_calc_json_lists_skipped_holidays():
    result = run(
        "deadline",
        "calc",
        "--profile",
        "england",
        "--rule",
        "first-core-group",
        "--from",
        "2026-12-18",
        "--json",
    )
    record = json.loads(result.stdout)
    assert record["skipped"] == [
        {"date": "2026-12-25", "name": "Christmas Day"},
        {"date": "2026-12-28", "name": "Boxing Day (substitute day)"},
        {"date": "2027-01-01", "name": "New Year's Day"},
    ]


def test_deadline_calc_with_a_local_override_and_the_day_one_reading(data_dir):
    assert run("profile", "set", "day_zero", "day-one", "--profile", "england").exit_code == 0
    result = run("deadline", "calc", "--profile", "england", "--rule", "first-core-group", "--from", "2026-12-18")
    assert result.exit_code == 0, result.stderr
    assert lines(result.stdout)[:2] == [
        "Due: Tuesday 5 January 2027",
        "Counted: 10 working days after the child protection conference on Friday 18 December 2026 "
        "(that day counts as day 1)",
    ]


def test_deadline_calc_unknown_rule():
    result = run("deadline", "calc", "--profile", "england", "--rule", "first-core-groups", "--from", "2026-12-18")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: there is no rule 'first-core-groups'; the england profile's rules are initial-conference, "
        "first-core-group, core-group-cycle, plan-circulated, outline-plan-circulated, first-review, "
        "later-review, "
        "pre-birth-review, pre-birth-review-after-birth, child-seen, long-plan, invitations-sent, "
        "reports-to-chair, reports-to-chair-review, reports-shared, reports-shared-review, outcome-letter, "
        "conference-record, midway-review, midway-review-later, escalation-response.\n"
    )


def test_deadline_calc_unknown_profile():
    result = run("deadline", "calc", "--profile", "atlantis", "--rule", "first-review", "--from", "2026-12-18")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: there is no profile 'atlantis'; the profiles are england, wales, scotland, "
        "northern-ireland, guernsey.\n"
    )


def test_deadline_calc_bad_date_is_a_usage_error():
    result = run("deadline", "calc", "--profile", "england", "--rule", "first-review", "--from", "2026-02-30")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: Invalid value for '--from': date '2026-02-30' is not a real date: use YYYY-MM-DD "
        "(2027-01-05), "
        "DD/MM/YYYY (05/01/2027), 'today' or 'tomorrow'. (see 'cpctl deadline calc --help')\n"
    )


def test_without_a_profile_or_a_store_asks_for_a_name(data_dir):
    result = run("deadline", "calc", "--rule", "first-review", "--from", "2026-12-18")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: name a profile (england, wales, scotland, northern-ireland, guernsey), or run `cpctl init` "
        "so "
        "that cpctl knows this store's jurisdiction.\n"
    )
    assert not (data_dir / "cpctl.db").exists()


def test_the_store_jurisdiction_is_the_default_profile(data_dir):
    init = run(
        "init",
        "--authority",
        "Northshire Council",
        "--jurisdiction",
        "scotland",
        "--name",
        "Sam Chair",
        "--role",
        "chair",
    )
    assert init.exit_code == 0, init.stderr
    shown = run("profile", "show")
    assert shown.exit_code == 0, shown.stderr
    assert lines(shown.stdout)[0] == "Scotland (profile scotland)"
    due = run("deadline", "calc", "--rule", "first-review", "--from", "2026-12-18")
    assert lines(due.stdout)[0] == "Due: Friday 18 June 2027"


def test_a_store_not_yet_set_up_asks_for_a_name(data_dir):
    created = run("db", "upgrade")
    assert created.exit_code == 0, created.stderr
    result = run("profile", "show")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: name a profile (england, ")


def test_guernsey_can_be_the_store_jurisdiction():
    init = run("init", "--authority", "Islands", "--jurisdiction", "guernsey", "--name", "Sam", "--role", "chair")
    assert init.exit_code == 0, init.stderr
    assert lines(run("profile", "show").stdout)[0] == "Guernsey (profile guernsey)"


# -- profile list / show / set -------------------------------------------------------------------------------


def test_profile_list():
    result = run("profile", "list")
    assert result.exit_code == 0, result.stderr
    assert lines(result.stdout) == [
        "england           England",
        "wales             Wales",
        "scotland          Scotland",
        "northern-ireland  Northern Ireland",
        "guernsey          Guernsey",
    ]


def test_profile_show_packaged():
    result = run("profile", "show", "england")
    assert result.exit_code == 0, result.stderr
    shown = lines(result.stdout)
    assert shown[:4] == [
        "England (profile england)",
        "Values from: packaged profile england.yaml (no local overrides)",
        "Calendar: weekends and GB-ENG bank holidays",
        "Day zero: event (the event is day 0, so 'within 10 working days' is the 10th working day after it)",
    ]
    assert shown[4] == (
        "Closed days: bring-forward (a date in days, weeks or months on a weekend or bank holiday moves to the "
        "working day before)"
    )
    at = shown.index("  first-core-group: 10 working days after the child protection conference")
    assert shown[at + 1 : at + 3] == [
        f"    source: {ENGLAND_SOURCE}",
        "    from: packaged profile england.yaml",
    ]


def test_profile_set_then_show_names_the_override_file(data_dir):
    path = data_dir / "profiles" / "england.yaml"
    result = run(
        "profile",
        "set",
        "rules.first-core-group.amount",
        "15",
        "--profile",
        "england",
        "--source",
        "Northshire procedure 4.2",
    )
    assert result.exit_code == 0, result.stderr
    assert lines(result.stdout) == [
        f"Set rules.first-core-group.amount to 15 for england in {path} (was 10, from packaged profile england.yaml)."
    ]
    shown = lines(run("profile", "show", "england").stdout)
    assert shown[1] == f"Values from: packaged profile england.yaml, overridden by {path}"
    at = shown.index("  first-core-group: 15 working days after the child protection conference")
    assert shown[at + 1 : at + 3] == [
        "    source: Northshire procedure 4.2",
        f"    from: override file {path} (amount, source); packaged profile england.yaml (unit, after)",
    ]
    record = json.loads(run("profile", "show", "england", "--json").stdout)
    assert record["rules"]["first-core-group"] == {
        "amount": 15,
        "unit": "working-days",
        "after": "conference",
        "source": "Northshire procedure 4.2",
        "note": None,
        "origin": f"override file {path}",
        "closed_day": None,  # a rule in working days never falls on a closed day
    }
    assert record["closed_day"] == "bring-forward"
    assert record["rules"]["first-review"]["closed_day"] == "bring-forward"
    assert record["origins"]["rules.first-core-group.amount"] == f"override file {path}"
    assert record["origins"]["rules.first-core-group.unit"] == "packaged profile england.yaml"
    listed = lines(run("profile", "list").stdout)
    assert listed[0] == f"england           England (with local overrides from {path})"


def test_profile_set_without_a_source_says_so(data_dir):
    result = run("profile", "set", "rules.plan-circulated", "5 working-days", "--profile", "wales")
    assert result.exit_code == 0, result.stderr
    path = data_dir / "profiles" / "wales.yaml"
    assert lines(result.stdout) == [
        f"Set rules.plan-circulated to 5 working days after core-group for wales in {path} (was not set).",
        'No source is recorded for rules.plan-circulated: add one with --source "..." so that every deadline '
        "it "
        "makes can say which procedure set it.",
    ]


def test_profile_set_refuses_a_bad_value():
    result = run("profile", "set", "rules.first-core-group.unit", "fortnights", "--profile", "england")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert (
        "rules.first-core-group.unit 'fortnights' is not a known unit; use one of working-days, days, weeks, "
        "months." in result.stderr
    )
    assert len(lines(result.stderr)) == 1


def test_a_malformed_override_file_gives_one_clear_line(data_dir):
    path = data_dir / "profiles" / "england.yaml"
    path.parent.mkdir()
    path.write_text("rules:\n  first-core-group:\n    amount: 15\n   unit: days\n", encoding="utf-8")
    for args in (
        ("profile", "show", "england"),
        ("deadline", "calc", "--profile", "england", "--rule", "first-review", "--from", "2027-01-04"),
    ):
        result = run(*args)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"Error: {path} line 4: not valid YAML (expected <block end>, but found '<block mapping "
            "start>'); "
            "correct it, or remove the file to use the packaged values.\n"
        )
        assert "Traceback" not in result.output


def test_profile_set_file_is_private(data_dir):
    assert run("profile", "set", "terms.lead_worker", "lead practitioner", "--profile", "england").exit_code == 0
    path = data_dir / "profiles" / "england.yaml"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


# -- help ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("profile",),
        ("profile", "list"),
        ("profile", "show"),
        ("profile", "set"),
        ("deadline",),
        ("deadline", "calc"),
    ],
)
def test_every_new_command_has_help(args):
    result = run(*args, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.stdout
    described = [line for line in lines(result.stdout)[1:] if line.strip() and not line.startswith("Usage")]
    assert described, f"{' '.join(args)} has no help text"


HEAVY = ("sqlmodel", "sqlalchemy", "alembic", "jinja2", "questionary", "yaml", "holidays", "dateutil")


@pytest.mark.parametrize(
    "args",
    [
        ("profile", "--help"),
        ("deadline", "--help"),
        ("deadline", "calc", "--help"),
        ("profile", "show", "--help"),
    ],
)
def test_help_does_not_import_heavy_libraries(args):
    script = (
        "import sys\n"
        "from cpctl.cli import app\n"
        "try:\n"
        f"    app({list(args)!r}, prog_name='cpctl')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(','.join(name for name in {HEAVY!r} if name in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == ""
