# ruff: noqa: F811  (the fixtures imported from conference_fixtures are used as test arguments)
"""`cpctl conference new --from FILE`, `conference list|show`, and what `child show` and `plan check` say.

Every refusal is one `Error: <file>, line N: <field>: <message>` line, exit code 1, no traceback, and nothing
written (every table's row count, the audit trail included, is the same afterwards).
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from conference_fixtures import (  # noqa: F401  (pytest finds the fixtures by name)
    TODAY,
    child_json,
    cli,
    conference_env,
    conferences,
    days_ago,
    demo_db,
    family_db,
    rows,
    show,
)
from cpctl.demo import testwoods as demo


def iso(day: date) -> str:
    return day.isoformat()


PLAN: dict[str, Any] = {
    "worries": ["Jamie may go hungry and cold if the home stays as it is."],
    "working_well": ["Sam and Chris love the children."],
    "immediate_actions": ["Food bank referral this week."],
    "objectives": {
        "child_development": ["Jamie's weight and dental care are checked."],
        "parenting_capacity": ["A daily routine of meals, school and bedtimes."],
        "family_environment": ["The home is warm, with food in the cupboards."],
    },
    "actions": [
        {
            "what": "Parenting course",
            "why": "Routines for meals and bedtimes.",
            "who": "P00002",
            "start": iso(days_ago(1)),
            "frequency": "weekly",
            "length": "10 weeks",
            "outcome": "A routine the school can see working.",
            "by": iso(TODAY + timedelta(days=70)),
            "measure": "Jamie arrives fed and on time 9 days in 10.",
        }
    ],
    "child_seen": [
        {
            "who": "P00004",
            "how_often": "every 10 working days",
            "where": "home",
            "parents_present": "sometimes",
        }
    ],
    "contingency": ["A review conference is brought forward."],
    "must_change": ["Fed and warm every day for three months."],
}


def initial(day: date = days_ago(3), child: str = "DEMO-1001") -> dict[str, Any]:
    """A complete initial conference for one Testwood child (three agencies with the chair's)."""
    return {
        "kind": "initial",
        "date": iso(day),
        "chair": "P00001",
        "attendance": [
            {"person": "P00004", "status": "attended"},
            {"person": "P00005", "status": "attended"},
        ],
        "decisions": [
            {
                "child": child,
                "outcome": "plan-starts",
                "categories": ["NEG"],
                "lead_worker": "P00004",
                "core_group": ["P00002", "P00003", "P00005"],
                "evidence": ["Jamie came to school hungry on most days in October."],
                "child_views": ["Jamie said he likes school."],
                "parent_views": ["Sam wants help with money and routines."],
                "plan": copy.deepcopy(PLAN),
            }
        ],
    }


def write(tmp_path: Path, data: dict[str, Any] | str, name: str = "conference.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    """The line (from 1) on which `text` first appears in the file."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def record(db: Path, path: Path, *extra: str) -> Any:
    return cli("--db", str(db), "conference", "new", "--from", str(path), *extra)


def refused(db: Path, path: Path) -> str:
    """Run a file that must be refused; return its one error line, having checked that nothing was written."""
    before = rows(db)
    result = record(db, path)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert rows(db) == before
    return result.stderr


def _jurisdiction(db: Path, name: str) -> None:
    result = cli(
        "--db",
        str(db),
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


# -- the packaged example --------------------------------------------------------------------------
def _template(tmp_path: Path) -> Path:
    """`cpctl conference template` as printed; moved to six days ago only if this clock is before its date."""
    result = cli("conference", "template")
    assert result.exit_code == 0
    data = yaml.safe_load(result.stdout)
    if data["date"] <= TODAY:
        return write(tmp_path, result.stdout, "example.yaml")
    return write(tmp_path, demo.example_conference(days_ago(6)), "example.yaml")


def test_the_packaged_example_records_for_the_demo_family(tmp_path: Path, family_db: Path) -> None:
    path = _template(tmp_path)
    held = yaml.safe_load(path.read_text())["date"]
    result = record(family_db, path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line for line in lines if not line.startswith("    ")] == [
        f"Recorded Initial child protection conference CF00001 on {held:%A} {held.day} {held:%B %Y}.",
        "  DEMO-1001: a plan starts (NEG); plan 1, version 1.",
        "  DEMO-1002: a plan starts (NEG); plan 1, version 1.",
    ]
    (listed,) = conferences(family_db)
    assert (listed["ref"], listed["kind"], listed["date"], listed["time"], listed["chair"]) == (
        "CF00001",
        "initial",
        held.isoformat(),
        "10:00",
        "Alex Morgan",
    )
    assert listed["decisions"] == [
        {"child": "DEMO-1001", "outcome": "plan-starts", "categories": ["NEG"]},
        {"child": "DEMO-1002", "outcome": "plan-starts", "categories": ["NEG"]},
    ]


def test_the_example_again_on_the_demo_store_is_refused(tmp_path: Path, demo_db: Path) -> None:
    """The example was already recorded six days ago: the children already have plans."""
    path = _template(tmp_path)
    error = refused(demo_db, path)
    assert error.startswith(
        f"Error: example.yaml, line {line_of(path, 'date:')}: date: child DEMO-1001 already had a conference on "
    )


# -- complete, partial and broken files ------------------------------------------------------------
def test_a_complete_file_records_one_conference(tmp_path: Path, family_db: Path) -> None:
    before = rows(family_db)
    result = record(family_db, write(tmp_path, initial()))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"Recorded Initial child protection conference CF00001 on {days_ago(3):%A} {days_ago(3).day} "
        f"{days_ago(3):%B %Y}.\n  DEMO-1001: a plan starts (NEG); plan 1, version 1.\n    First core group: by "
    )
    after = rows(family_db)
    assert after["conference"] == before["conference"] + 1
    assert after["plan"] == before["plan"] + 1 and after["plan_version"] == before["plan_version"] + 1
    assert after["audit_entry"] > before["audit_entry"]


def test_a_partial_file_is_refused_with_its_gaps_then_saved_as_a_draft(tmp_path: Path, family_db: Path) -> None:
    data = initial()
    decision = data["decisions"][0]
    del decision["child_views"]
    del decision["plan"]["contingency"]
    decision["plan"]["actions"][0].pop("measure")
    path = write(tmp_path, data)
    error = refused(family_db, path)
    assert error == (
        f"Error: conference.yaml, line {line_of(path, 'plan:')}: decisions[0].plan: the outline plan for "
        f"child "
        "DEMO-1001 still lacks: the child's wishes and feelings are not recorded (§3.19); action A1 "
        "'Parenting "
        "course': no measure of success (§3.10); no contingency plan (§3.11). Fill these in, or set "
        "save_as_draft: true to save it as a draft with the gaps recorded.\n"
    )

    result = record(family_db, path, "--draft")
    assert result.exit_code == 0, result.output
    assert (
        "DEMO-1001: a plan starts (NEG); plan 1, version 1, saved as a draft with 3 gap(s): "
        "see `cpctl plan check DEMO-1001`." in result.stdout
    )
    check = cli("--db", str(family_db), "plan", "check", "DEMO-1001")
    assert check.stdout == (
        "Plan 1 for DEMO-1001, version 1 still lacks:\n"
        "  - the child's wishes and feelings are not recorded (§3.19)\n"
        "  - action A1 'Parenting course': no measure of success (§3.10)\n"
        "  - no contingency plan (§3.11)\n"
    )
    as_json = json.loads(cli("--db", str(family_db), "plan", "check", "DEMO-1001", "--json").stdout)
    assert (as_json["draft"], len(as_json["gaps"])) == (True, 3)


def test_malformed_yaml_names_the_line(tmp_path: Path, family_db: Path) -> None:
    path = write(tmp_path, f"kind: initial\ndate: {iso(days_ago(1))}\ndecisions: [\n  - child: DEMO-1001\n")
    assert refused(family_db, path).startswith("Error: conference.yaml, line 4: not valid YAML (")


def test_malformed_json_names_the_line(tmp_path: Path, family_db: Path) -> None:
    path = write(tmp_path, '{\n  "kind": "initial",\n  "date": "2026-01-05",\n}\n', "conference.json")
    assert refused(family_db, path) == (
        "Error: conference.json, line 4: not valid JSON (Expecting property name enclosed in double quotes).\n"
    )


def test_a_key_given_twice_is_refused_not_half_kept(tmp_path: Path, family_db: Path) -> None:
    """YAML and JSON would silently keep the second: a chair's first list of decisions would be lost."""
    path = write(tmp_path, f"kind: initial\ndate: {iso(days_ago(1))}\nkind: review\n")
    assert refused(family_db, path) == (
        "Error: conference.yaml, line 3: not valid YAML (the key 'kind' appears twice).\n"
    )
    path = write(tmp_path, '{"kind": "initial", "kind": "review"}', "conference.json")
    assert refused(family_db, path) == "Error: conference.json: not valid JSON (the key 'kind' appears twice).\n"


def test_a_date_that_is_no_date_is_refused_in_one_line(tmp_path: Path, family_db: Path) -> None:
    path = write(tmp_path, "kind: initial\ndate: 2026-02-30\n")
    assert refused(family_db, path) == "Error: conference.yaml: not valid YAML (day is out of range for month).\n"
    path = write(tmp_path, '{"kind": "initial", "safety_scale": ' + "9" * 5000 + "}", "conference.json")
    assert refused(family_db, path).startswith("Error: conference.json: not valid JSON (Exceeds the limit")


def test_a_stream_that_never_ends_is_refused_at_the_size_limit(family_db: Path) -> None:
    assert refused(family_db, Path("/dev/zero")).startswith("Error: zero is more than 5000000 bytes;")


def test_a_json_file_records_like_yaml(tmp_path: Path, family_db: Path) -> None:
    path = tmp_path / "conference.json"
    path.write_text(json.dumps(initial(), indent=2), encoding="utf-8")
    assert record(family_db, path).exit_code == 0
    assert [c["kind"] for c in conferences(family_db)] == ["initial"]


def _unknown_field(data: dict[str, Any]) -> None:
    data["colour"] = "blue"


def _wrong_category(data: dict[str, Any]) -> None:
    data["decisions"][0]["categories"] = ["Bad luck"]


def _no_lead_worker(data: dict[str, Any]) -> None:
    del data["decisions"][0]["lead_worker"]


def _unknown_person(data: dict[str, Any]) -> None:
    data["attendance"][1]["person"] = "P09999"


def _review_without_plan(data: dict[str, Any]) -> None:
    data["kind"] = "review"
    data["decisions"][0]["outcome"] = "plan-continues"


def _before_birth(data: dict[str, Any]) -> None:
    data["decisions"][0]["child"] = "DEMO-1003"


def _pre_birth_for_born_child(data: dict[str, Any]) -> None:
    data["kind"] = "pre-birth-initial"


def _inquorate(data: dict[str, Any]) -> None:
    data["attendance"] = [{"person": "P00004", "status": "attended"}]


def _future(data: dict[str, Any]) -> None:
    data["date"] = iso(TODAY + timedelta(days=1))


ENGLAND = (
    "NEG (Neglect), PHY (Physical abuse), EMO (Emotional abuse), SAB (Sexual abuse); for more than one, name each "
    "(recorded as MUL)"
)
FILE_ERRORS = [
    (
        _unknown_field,
        "colour:",
        "colour",
        "is not a field cpctl knows; check the spelling (`cpctl conference template` lists the fields).",
    ),
    (
        _wrong_category,
        "Bad luck",
        "decisions[0].categories[0]",
        f"'Bad luck' is not a category in england: use {ENGLAND}.",
    ),
    (
        _no_lead_worker,
        "- child:",
        "decisions[0].lead_worker",
        "a plan needs a lead social worker: name one (lead_worker).",
    ),
    (
        _unknown_person,
        "P09999",
        "attendance[1].person",
        "no person with reference or name 'P09999'; see `cpctl person list`, or add them with `cpctl person add`.",
    ),
    (
        _review_without_plan,
        "- child:",
        "decisions[0].child",
        "child DEMO-1001 has no plan in force, so there is nothing to review: record an initial conference instead.",
    ),
    (
        _before_birth,
        "- child:",
        "decisions[0].child",
        "child DEMO-1003 is not born yet: a conference before birth is a pre-birth conference (kind "
        "pre-birth-initial "
        "or pre-birth-review); if the baby has been born, record it with `cpctl child edit DEMO-1003 --dob "
        "DATE`.",
    ),
    (_pre_birth_for_born_child, "- child:", "decisions[0].child", "child DEMO-1001 was born on "),
    (
        _inquorate,
        "kind:",
        "inquorate_reason",
        "the conference was not quorate: 2 agencies took part and england needs 3. Record why it went ahead "
        "(inquorate_reason), or correct the attendance.",
    ),
    (
        _future,
        "date:",
        "date",
        f"{iso(TODAY + timedelta(days=1))} is in the future: record a conference once it has been held.",
    ),
]


@pytest.mark.parametrize(
    ("change", "at", "field", "message"),
    FILE_ERRORS,
    ids=[case[0].__name__.strip("_") for case in FILE_ERRORS],
)
def test_a_file_the_store_cannot_accept_is_refused_naming_line_and_field(
    tmp_path: Path, family_db: Path, change: Any, at: str, field: str, message: str
) -> None:
    data = initial()
    change(data)
    path = write(tmp_path, data)
    error = refused(family_db, path)
    assert error.startswith(f"Error: conference.yaml, line {line_of(path, at)}: {field}: {message}"), error
    assert error.endswith(".\n")


# -- text as families write it, and YAML's own words --------------------------------------------------------
NBSP, ZWNJ, SOFT_HYPHEN = "\u00a0", "\u200c", "\u00ad"
FAMILY_EMOJI = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man, woman, girl joined into one picture


def _plan_content(db: Path, child: str = "DEMO-1001") -> dict[str, Any]:
    result = cli("--db", str(db), "plan", "show", child, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["content"]  # type: ignore[no-any-return]


def test_a_file_keeps_text_as_families_write_it(tmp_path: Path, family_db: Path) -> None:
    """Pasted from Word (a non-breaking space, a soft hyphen), a Persian name with its non-joiner, an emoji family."""
    data = initial()
    decision = data["decisions"][0]
    persian = f"مهرناز تست{ZWNJ}زاده"
    decision["child_views"] = [f"Jamie drew {FAMILY_EMOJI} and said it is everyone at home."]
    decision["plan"]["worries"] = [f"Jamie may go hungry{NBSP}and cold if the home stays as it is."]
    decision["plan"]["working_well"] = [f"Sam and Chris love the chil{SOFT_HYPHEN}dren; {persian} helps each week."]
    assert record(family_db, write(tmp_path, data)).exit_code == 0
    content = _plan_content(family_db)
    assert content["worries"] == [
        {"text": "Jamie may go hungry and cold if the home stays as it is.", "private": False}
    ]
    assert content["working_well"] == [
        {"text": f"Sam and Chris love the children; {persian} helps each week.", "private": False}
    ]
    (decided,) = show(family_db, "CF00001")["decisions"]
    assert decided["details"]["child_views"] == [
        {"text": f"Jamie drew {FAMILY_EMOJI} and said it is everyone at home.", "private": False}
    ]


@pytest.mark.parametrize(
    ("written", "stored"),
    [("no", "no"), ("yes", "yes"), ("No", "no"), ("off", "no"), ("true", "yes"), ("sometimes", "sometimes")],
)
def test_parents_present_takes_yaml_yes_and_no(tmp_path: Path, family_db: Path, written: str, stored: str) -> None:
    """YAML reads a bare `no` as false: the field takes it as the word the chair wrote."""
    text = yaml.safe_dump(initial(), sort_keys=False, allow_unicode=True)
    assert "parents_present: sometimes" in text
    path = write(tmp_path, text.replace("parents_present: sometimes", f"parents_present: {written}"))
    result = record(family_db, path)
    assert result.exit_code == 0, result.output
    assert _plan_content(family_db)["child_seen"][0]["parents_present"] == stored


def test_parents_present_refuses_other_words(tmp_path: Path, family_db: Path) -> None:
    text = yaml.safe_dump(initial(), sort_keys=False, allow_unicode=True)
    path = write(tmp_path, text.replace("parents_present: sometimes", "parents_present: rarely"))
    assert refused(family_db, path) == (
        f"Error: conference.yaml, line {line_of(path, 'parents_present')}: decisions[0].plan.child_seen[0]."
        "parents_present: 'rarely': input should be 'yes', 'no' or 'sometimes'.\n"
    )


def test_a_file_with_a_bidirectional_override_is_refused_at_its_line(tmp_path: Path, family_db: Path) -> None:
    data = initial()
    data["decisions"][0]["plan"]["worries"] = ["Jamie may go \u202ehungry."]
    path = write(tmp_path, data)
    assert refused(family_db, path) == (
        f"Error: conference.yaml, line {line_of(path, 'Jamie may go')}: decisions[0].plan.worries[0].text: the text "
        "cannot contain characters that reorder text as it is shown (U+202E, a bidirectional override or isolate); "
        "type it again as plain text.\n"
    )


def test_a_review_dated_before_the_plan_began_is_refused(tmp_path: Path, demo_db: Path) -> None:
    """The demo's plans began six days ago, at the demo's initial conference."""
    data = initial(days_ago(8))
    data["kind"] = "review"
    data["decisions"][0]["outcome"] = "plan-continues"
    path = write(tmp_path, data)
    assert refused(demo_db, path) == (
        f"Error: conference.yaml, line 2: date: child DEMO-1001 already had a conference on "
        f"{iso(days_ago(6))} (CF00001); a new one must be later. If that one's date is wrong, correct it: "
        '`cpctl conference correct CF00001 --date DATE --reason "..."`.\n'
    )


def test_without_a_terminal_or_a_file_it_stops_at_once(family_db: Path) -> None:
    before = rows(family_db)
    result = cli("--db", str(family_db), "conference", "new", input="")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cpctl conference new asks its questions in a terminal, and there is none here: give a file "
        "with "
        "--from FILE (`cpctl conference template` prints an example).\n"
    )
    assert rows(family_db) == before


# -- reading conferences back ----------------------------------------------------------------------
def test_conference_list_and_show_in_text_and_json(demo_db: Path) -> None:
    listed = cli("--db", str(demo_db), "conference", "list")
    assert listed.exit_code == 0
    assert "CF00001" in listed.stdout and "DEMO-1001 plan-starts; DEMO-1002 plan-starts" in listed.stdout
    (entry,) = conferences(demo_db)
    assert entry == {
        "ref": "CF00001",
        "kind": "initial",
        "date": iso(days_ago(6)),
        "time": "10:00",
        "chair": "Alex Morgan",
        "quorate": True,
        "decisions": [
            {"child": "DEMO-1001", "outcome": "plan-starts", "categories": ["NEG"]},
            {"child": "DEMO-1002", "outcome": "plan-starts", "categories": ["NEG"]},
        ],
    }
    text = cli("--db", str(demo_db), "conference", "show", "CF00001").stdout
    held = days_ago(6)
    assert text.startswith(
        "Initial child protection conference CF00001\n"
        f"  {held:%A} {held.day} {held:%B %Y} at 10:00, Northshire Civic Centre, Room 2; chaired by Alex "
        f"Morgan\n"
    )
    assert "Jamie Testwood (DEMO-1001): a plan starts" in text
    assert (
        "  Evidence of harm: Information from a neighbour about late-night visitors.  [not for the family's "
        "copy]" in text
    )
    assert "  Dissent: Chris Testwood (father): He does not think the children have been neglected." in text
    assert "  Outline plan: plan 1, version 1 (complete); see `cpctl plan check DEMO-1001`" in text
    shown = show(demo_db, "CF00001")
    assert [(a["name"], a["status"]) for a in shown["attendance"]][:2] == [
        ("Chris Testwood", "attended"),
        ("Grace Oduya", "attended"),
    ]
    assert [d["plan_content"]["safety_scale"] for d in shown["decisions"]] == [4, 4]
    missing = cli("--db", str(demo_db), "conference", "show", "CF09999")
    assert (missing.exit_code, missing.stderr) == (
        1,
        "Error: no conference 'CF09999'; see `cpctl conference list`.\n",
    )


def test_child_show_includes_conferences_and_the_plan_in_force(demo_db: Path) -> None:
    data = child_json(demo_db, "DEMO-1002")
    assert data["conferences"] == [
        {"ref": "CF00001", "date": iso(days_ago(6)), "kind": "initial", "outcome": "plan-starts"}
    ]
    (plan,) = data["plans"]
    assert (plan["number"], plan["ended_on"], plan["latest_categories"], plan["version"], plan["draft"]) == (
        1,
        None,
        ["NEG"],
        1,
        False,
    )
    assert plan["lead_worker"] == {"ref": "P00004", "name": "Jordan Ashby"}
    text = cli("--db", str(demo_db), "child", "show", "DEMO-1002").stdout
    held = days_ago(6)
    assert f"  Plan 1: from {held.day} {held:%b %Y}, in force; categories NEG; lead worker Jordan Ashby" in text
    assert "initial conference CF00001: plan starts" in text  # the timeline


def test_a_second_plan_after_one_ended_knows_its_number(tmp_path: Path, family_db: Path) -> None:
    assert record(family_db, write(tmp_path, initial(days_ago(30)), "one.yaml")).exit_code == 0
    ending = initial(days_ago(20))
    ending["kind"] = "review"
    decision = ending["decisions"][0]
    for key in ("categories", "lead_worker", "core_group", "plan"):
        del decision[key]
    decision.update(
        {
            "outcome": "plan-ends",
            "end_reason": "Fed and warm for three months.",
            "step_down": "child in need plan",
        }
    )
    assert record(family_db, write(tmp_path, ending, "two.yaml")).exit_code == 0
    again = initial(days_ago(2))
    again["decisions"][0]["categories"] = ["EMO"]
    result = record(family_db, write(tmp_path, again, "three.yaml"))
    assert result.exit_code == 0, result.output
    assert "DEMO-1001: a plan starts (EMO); plan 2, version 1." in result.stdout
    plans = child_json(family_db, "DEMO-1001")["plans"]
    assert [(p["number"], p["previous_plans"], p["ended_on"], p["initial_categories"]) for p in plans] == [
        (2, 1, None, ["EMO"]),
        (1, 0, iso(days_ago(20)), ["NEG"]),
    ]
    assert plans[1]["step_down"] == "child in need plan"


# -- the jurisdiction's own words and rules --------------------------------------------------------
def test_a_scottish_store_calls_it_a_child_protection_planning_meeting(tmp_path: Path, family_db: Path) -> None:
    _jurisdiction(family_db, "scotland")
    data = initial()
    data["decisions"][0]["categories"] = ["neglect", "Domestic abuse"]  # codes or labels
    result = record(family_db, write(tmp_path, data))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Recorded Initial Child Protection Planning Meeting CF00001 on ")
    text = cli("--db", str(family_db), "conference", "show", "CF00001").stdout
    assert text.startswith("Initial Child Protection Planning Meeting CF00001\n")
    assert "Categories: neglect, domestic-abuse" in text
    assert "Lead professional: Jordan Ashby (P00004)" in text
    data["decisions"][0].update({"child": "DEMO-1002", "categories": ["NEG"]})
    error = refused(family_db, write(tmp_path, data, "again.yaml"))
    assert "'NEG' is not a category in scotland: use domestic-abuse (Domestic abuse), neglect (Neglect)" in error


def test_wales_records_an_inquorate_conference_only_with_its_reason(tmp_path: Path, family_db: Path) -> None:
    _jurisdiction(family_db, "wales")
    data = initial()
    data["attendance"] = [
        {"person": "P00004", "status": "attended"},
        {"person": "P00006", "status": "report"},
    ]
    path = write(tmp_path, data)
    assert refused(family_db, path) == (
        "Error: conference.yaml, line 1: inquorate_reason: the conference was not quorate: 2 agencies took "
        "part "
        "and wales needs 3. Record why it went ahead (inquorate_reason), or correct the attendance.\n"
    )
    data["inquorate_reason"] = "Health could not attend; the risk could not wait."
    result = record(family_db, write(tmp_path, data))
    assert result.exit_code == 0, result.output
    assert "  Not quorate (2 agencies); the reason is recorded." in result.stdout
    shown = show(family_db, "CF00001")
    assert (shown["quorate"], shown["agencies_present"], shown["inquorate_reason"]) == (
        False,
        2,
        "Health could not attend; the risk could not wait.",
    )
    text = cli("--db", str(family_db), "conference", "show", "CF00001").stdout
    assert "  2 agencies took part (NOT quorate: Health could not attend; the risk could not wait.)" in text
