"""Jurisdiction profiles: the shipped data, local overrides merged over it, provenance, refusing bad files."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpctl.errors import CpctlError, Invalid, NotFound
from cpctl.rules import overrides, profile
from cpctl.rules.calendar import calendar_problem

SHIPPED = ("england", "wales", "scotland", "northern-ireland", "guernsey")  # the nations, then Guernsey
EVERYWHERE = (
    "initial-conference",
    "first-core-group",
    "core-group-cycle",
    "outline-plan-circulated",
    "first-review",
    "later-review",
    "pre-birth-review",
    "child-seen",
    "long-plan",
    "midway-review",
    "midway-review-later",
    "escalation-response",
)


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CPCTL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CPCTL_PROFILE_OVERRIDES", raising=False)
    return tmp_path


def write_override(data_dir: Path, name: str, text: str) -> Path:
    path = data_dir / "profiles" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refusal(exc: pytest.ExceptionInfo[CpctlError]) -> str:
    message = exc.value.message
    assert "\n" not in message
    return message


# -- the shipped profiles ------------------------------------------------------------------------------------


def test_names_are_the_shipped_files():
    assert profile.names() == SHIPPED
    shipped = Path(profile.__file__).parent / "profiles"
    assert sorted(path.stem for path in shipped.glob("*.yaml")) == sorted(SHIPPED)


def test_store_jurisdictions_follow_the_shipped_profiles():
    from cpctl.rules import jurisdictions

    assert isinstance(jurisdictions.JURISDICTIONS, tuple)
    assert jurisdictions.JURISDICTIONS == SHIPPED
    assert jurisdictions.check_jurisdiction("Guernsey") == "guernsey"


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_profile_loads_complete(name):
    loaded = profile.load(name)
    assert loaded.name == name
    assert loaded.override_file is None
    assert loaded.day_zero == "event"
    assert loaded.quorum.min_agencies == 3
    assert calendar_problem(loaded.calendar.country, loaded.calendar.subdiv) is None
    assert {rule.name for rule in loaded.rules} >= set(EVERYWHERE)
    assert loaded.rule("long-plan").amount == 24 and loaded.rule("long-plan").unit == "months"
    for rule in loaded.rules:
        assert rule.after == profile.RULES[rule.name] or (name, rule.name) == (
            "scotland",
            "initial-conference",
        )
        assert rule.source.strip()
        assert rule.origin == f"packaged profile {name}.yaml"
        if "default" in rule.source:
            assert rule.note, f"{name} {rule.name}: a local default says why in its note"
    assert set(loaded.origins.values()) == {f"packaged profile {name}.yaml"}


def rule_table(name: str) -> dict[str, tuple[int, str, str]]:
    return {rule.name: (rule.amount, rule.unit, rule.after) for rule in profile.load(name).rules}


def test_england_numbers():
    assert rule_table("england") == {
        "initial-conference": (15, "working-days", "strategy-discussion"),
        "first-core-group": (10, "working-days", "conference"),
        "core-group-cycle": (6, "weeks", "core-group"),
        "plan-circulated": (5, "working-days", "core-group"),
        "outline-plan-circulated": (5, "working-days", "conference"),
        "first-review": (3, "months", "initial-conference"),
        "later-review": (6, "months", "review-conference"),
        "pre-birth-review": (3, "months", "pre-birth-conference"),
        "pre-birth-review-after-birth": (10, "working-days", "birth"),
        "child-seen": (10, "working-days", "visit"),
        "long-plan": (24, "months", "plan-start"),
        "invitations-sent": (5, "working-days", "conference"),
        "reports-to-chair": (3, "working-days", "initial-conference"),
        "reports-to-chair-review": (5, "working-days", "review-conference"),
        "reports-shared": (3, "working-days", "initial-conference"),
        "reports-shared-review": (5, "working-days", "review-conference"),
        "outcome-letter": (1, "working-days", "conference"),
        "conference-record": (15, "working-days", "conference"),
        "midway-review": (6, "weeks", "initial-conference"),
        "midway-review-later": (3, "months", "review-conference"),
        "escalation-response": (10, "working-days", "escalation"),
    }


def test_scotland_counts_calendar_days_and_reviews_at_six_months():
    table = rule_table("scotland")
    assert table["initial-conference"] == (28, "days", "strategy-discussion")
    assert table["first-core-group"] == (15, "days", "conference")
    assert table["outline-plan-circulated"] == (10, "days", "conference")
    assert table["first-review"] == (6, "months", "initial-conference")
    assert "plan-circulated" not in table and "pre-birth-review-after-birth" not in table


def test_other_nations_numbers():
    wales, ni, guernsey = rule_table("wales"), rule_table("northern-ireland"), rule_table("guernsey")
    assert wales["outline-plan-circulated"] == (5, "working-days", "conference")
    assert (
        wales["first-review"] == ni["first-review"] == guernsey["first-review"] == (3, "months", "initial-conference")
    )
    assert ni["child-seen"] == (4, "weeks", "visit")
    assert guernsey["core-group-cycle"] == (6, "weeks", "core-group")
    assert guernsey["initial-conference"] == (15, "working-days", "strategy-discussion")
    assert profile.load("northern-ireland").rule("first-core-group").source == "cpctl local default"


def test_words_and_categories():
    england, wales, scotland = profile.load("england"), profile.load("wales"), profile.load("scotland")
    ni, guernsey = profile.load("northern-ireland"), profile.load("guernsey")
    assert [c.code for c in england.categories] == ["NEG", "PHY", "EMO", "SAB", "MUL"]
    assert england.category_mode == "single"
    assert {"FIN"} <= {c.code for c in wales.categories}
    assert {"EXP"} <= {c.code for c in ni.categories}
    assert {"domestic-abuse", "neglect", "non-engaging-family"} <= {c.code for c in scotland.categories}
    for multiple in (wales, scotland, ni, guernsey):
        assert multiple.category_mode == "multiple"
    assert england.terms.register is None
    for other in (wales, scotland, ni, guernsey):
        assert other.terms.register == "child protection register"
    assert england.terms.step_down == "child in need plan"
    assert scotland.terms.step_down == "GIRFEC plan"
    assert scotland.terms.conference == "Child Protection Planning Meeting"
    assert scotland.event_words("conference") == "Child Protection Planning Meeting"
    assert england.event_words("core-group") == "core group meeting"
    assert england.event_words("plan-start") == "start of the child protection plan"


def test_terms_read_as_attributes_or_as_a_mapping():
    terms = profile.load("scotland").terms
    assert terms["conference"] == terms.conference == "Child Protection Planning Meeting"
    as_dict = dict(terms)
    assert list(as_dict) == list(profile.TERM_KEYS)
    assert as_dict["register"] == "child protection register"
    assert terms.get("no-such-term", "fallback") == "fallback"
    with pytest.raises(KeyError):
        terms["no-such-term"]


def test_profile_names_are_forgiving_but_not_guessed():
    assert profile.load("Northern Ireland").name == "northern-ireland"
    assert profile.load("northern_ireland").name == "northern-ireland"
    with pytest.raises(NotFound) as exc:
        profile.load("atlantis")
    assert refusal(exc) == (
        "there is no profile 'atlantis'; the profiles are england, wales, scotland, northern-ireland, guernsey."
    )


def test_a_rule_the_profile_does_not_have():
    with pytest.raises(NotFound) as exc:
        profile.load("england").rule("first-core-groups")
    assert refusal(exc).startswith(
        "there is no rule 'first-core-groups'; the england profile's rules are initial-conference, first-core-group, "
    )
    with pytest.raises(NotFound) as exc:
        profile.load("scotland").rule("plan-circulated")
    assert "the scotland profile has no plan-circulated rule" in refusal(exc)
    assert "cpctl profile set rules.plan-circulated" in refusal(exc)


def test_categories_follow_the_category_mode():
    england, wales = profile.load("england"), profile.load("wales")
    assert [c.code for c in england.check_categories(["neg"])] == ["NEG"]
    assert [c.code for c in england.check_categories(["NEG", "EMO"])] == ["NEG", "EMO"]  # census code MUL
    assert [c.code for c in wales.check_categories(["NEG", "FIN", "neg"])] == ["NEG", "FIN"]
    with pytest.raises(Invalid):
        wales.check_categories(["MUL"])
    with pytest.raises(Invalid):
        wales.check_categories([])


# -- overrides -----------------------------------------------------------------------------------------------


def test_an_override_in_the_data_folder_is_in_force_and_says_so(data_dir):
    path = write_override(
        data_dir,
        "england",
        ("rules:\n  first-core-group: {amount: 15, source: Northshire local procedure 4.2}\nday_zero: day-one\n"),
    )
    loaded = profile.load("england")
    rule = loaded.rule("first-core-group")
    assert (rule.amount, rule.unit, rule.source) == (15, "working-days", "Northshire local procedure 4.2")
    assert rule.note is None
    assert rule.origin == f"override file {path}"
    assert loaded.origin("rules.first-core-group.amount") == f"override file {path}"
    assert loaded.origin("rules.first-core-group.unit") == "packaged profile england.yaml"
    assert loaded.origin("day_zero") == f"override file {path}"
    assert loaded.day_zero == "day-one"
    assert loaded.override_file == path
    untouched = loaded.rule("first-review")
    assert untouched.origin == "packaged profile england.yaml"
    assert untouched.source.startswith("Working Together")


def test_an_override_that_changes_timing_without_a_source_says_not_stated(data_dir):
    write_override(data_dir, "england", "rules:\n  child-seen: {amount: 4, unit: weeks}\n")
    rule = profile.load("england").rule("child-seen")
    assert (rule.amount, rule.unit, rule.source, rule.note) == (4, "weeks", "not stated", None)


def test_an_override_of_a_source_alone_keeps_the_packaged_timing(data_dir):
    path = write_override(data_dir, "wales", "rules:\n  first-review: {source: Gwent regional procedure}\n")
    loaded = profile.load("wales")
    rule = loaded.rule("first-review")
    assert (rule.amount, rule.source, rule.origin) == (
        3,
        "Gwent regional procedure",
        "packaged profile wales.yaml",
    )
    assert loaded.origin("rules.first-review.source") == f"override file {path}"


def test_a_single_category_profile_without_a_code_for_several_takes_one(data_dir):
    write_override(
        data_dir,
        "england",
        "categories:\n  - {code: NEG, label: Neglect}\n  - {code: PHY, label: Physical abuse}\n",
    )
    with pytest.raises(Invalid) as exc:
        profile.load("england").check_categories(["NEG", "PHY"])
    assert refusal(exc) == "England records one category per plan: choose one of NEG, PHY."


def test_only_one_category_can_stand_for_several(data_dir):
    write_override(
        data_dir,
        "england",
        "categories:\n  - {code: MUL, label: Multiple, several: true}\n  - {code: ALL, label: All, several: true}\n",
    )
    with pytest.raises(Invalid) as exc:
        profile.load("england")
    assert refusal(exc).endswith(": only one category can stand for several (several: true).")


def test_overrides_merge_key_by_key_and_lists_replace(data_dir):
    write_override(
        data_dir,
        "wales",
        (
            "terms: {lead_worker: lead practitioner}\n"
            "categories:\n  - {code: NEG, label: Neglect}\n  - {code: PHY, label: Physical abuse}\n"
        ),
    )
    loaded = profile.load("wales")
    assert loaded.terms.lead_worker == "lead practitioner"
    assert loaded.terms.plan == "care and support protection plan"
    assert [c.code for c in loaded.categories] == ["NEG", "PHY"]


def test_an_override_can_add_a_rule_the_nation_lacks(data_dir):
    write_override(
        data_dir,
        "scotland",
        ("rules:\n  plan-circulated: {amount: 5, unit: working-days, after: core-group, source: Fife 2.3}\n"),
    )
    rule = profile.load("scotland").rule("plan-circulated")
    assert (rule.amount, rule.unit, rule.after, rule.source) == (5, "working-days", "core-group", "Fife 2.3")


def test_the_environment_can_name_the_override_file(tmp_path, monkeypatch):
    path = tmp_path / "elsewhere" / "northshire.yaml"
    path.parent.mkdir()
    path.write_text("rules:\n  later-review: {amount: 4, source: Northshire}\n", encoding="utf-8")
    monkeypatch.setenv("CPCTL_PROFILE_OVERRIDES", str(path))
    assert profile.override_file("england") == path
    assert profile.load("england").rule("later-review").amount == 4
    path.unlink()
    with pytest.raises(NotFound) as exc:
        profile.load("england")
    assert str(path) in refusal(exc)


def test_an_explicit_override_path_wins(data_dir, tmp_path):
    write_override(data_dir, "england", "day_zero: day-one\n")
    explicit = tmp_path / "other.yaml"
    explicit.write_text("title: England (Northshire)\n", encoding="utf-8")
    loaded = profile.load("england", override_path=explicit)
    assert (loaded.title, loaded.day_zero) == ("England (Northshire)", "event")


def test_an_empty_override_file_changes_nothing(data_dir):
    write_override(data_dir, "england", "# nothing yet\n")
    assert profile.load("england").rule("first-core-group").amount == 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "rules:\n  first-core-group:\n    amount: 15\n   unit: days\n",
            "line 4: not valid YAML (expected <block end>, but found '<block mapping start>'); correct it, "
            "or remove "
            "the file to use the packaged values.",
        ),
        (
            "rules: {first-core-group: {amount: 15}",
            "line 1: not valid YAML (expected ',' or '}', but got '<stream end>'); correct it, or remove the "
            "file to "
            "use the packaged values.",
        ),
        (
            "day_zero: event\nday_zero: day-one\n",
            "line 2: not valid YAML (the key 'day_zero' appears twice); correct it, or remove the file to "
            "use the "
            "packaged values.",
        ),
        (
            "- a list\n",
            ": the file must be a mapping of keys to values (e.g. `day_zero: event`), not a list; correct "
            "it, or "
            "remove the file to use the packaged values.",
        ),
        (
            "rule: {}\n",
            ": unknown key 'rule'; use one of title, terms, categories, category_mode, quorum, calendar, "
            "day_zero, closed_day, rules, indicators.",
        ),
        (
            "rules: {first-core-groups: {amount: 3}}\n",
            ": unknown rule 'first-core-groups' under rules; the rules are initial-conference, "
            "first-core-group, "
            "core-group-cycle, plan-circulated, outline-plan-circulated, first-review, later-review, "
            "pre-birth-review, "
            "pre-birth-review-after-birth, child-seen, long-plan, invitations-sent, reports-to-chair, "
            "reports-to-chair-review, reports-shared, reports-shared-review, outcome-letter, conference-record, "
            "midway-review, midway-review-later, escalation-response.",
        ),
        (
            "rules: {first-core-group: {amout: 3}}\n",
            ": unknown key 'rules.first-core-group.amout'; use one of rules.first-core-group.amount, "
            "rules.first-core-group.unit, rules.first-core-group.after, rules.first-core-group.before, "
            "rules.first-core-group.source, "
            "rules.first-core-group.note, rules.first-core-group.closed_day.",
        ),
        (
            "rules: {first-core-group: {unit: fortnights}}\n",
            ": rules.first-core-group.unit 'fortnights' is not a known unit; use one of working-days, days, "
            "weeks, "
            "months.",
        ),
        (
            "rules: {first-core-group: {amount: -3}}\n",
            ": rules.first-core-group.amount must be a whole number of 1 or more, not -3.",
        ),
        (
            "rules: {first-core-group: {amount: 0}}\n",
            ": rules.first-core-group.amount must be a whole number of 1 or more, not 0.",
        ),
        (
            "rules: {first-core-group: {amount: 2.5}}\n",
            ": rules.first-core-group.amount must be a whole number of 1 or more, not 2.5.",
        ),
        (
            "rules: {first-core-group: {amount: yes}}\n",
            ": rules.first-core-group.amount must be a whole number of 1 or more, not true.",
        ),
        (
            "rules: {first-core-group: {after: lunch}}\n",
            ": rules.first-core-group.after 'lunch' is not a known event; use one of strategy-discussion, "
            "conference, "
            "initial-conference, review-conference, pre-birth-conference, core-group, birth, visit, "
            "plan-start, escalation.",
        ),
        ("day_zero: day-zero\n", ": day_zero 'day-zero' is not a known value; use one of event, day-one."),
        ("terms: {lead_worker: 5}\n", ": terms.lead_worker must be text, not 5; quote it if need be."),
        ("terms: {plan: null}\n", ": terms.plan must be text, not empty; quote it if need be."),
        (
            "rules: {plan-circulated: {amount: 5}}\n",
            ": rules.plan-circulated needs unit, after (the packaged profile has no such rule, so give it "
            "whole), e.g. "
            "`plan-circulated: {amount: 10, unit: working-days, after: core-group, source: ...}`.",
        ),
        (
            "calendar: {subdiv: XYZ}\n",
            ": calendar subdivision 'XYZ' is not one of GB's (ENG, NIR, SCT, WLS).",
        ),
        ("quorum: {min_agencies: 0}\n", ": quorum.min_agencies must be a whole number of 1 or more, not 0."),
        (
            "categories: []\n",
            ": categories must be a list of {code, label} entries, e.g. `- {code: NEG, label: Neglect}`.",
        ),
        (
            "rules: {first-core-group: {amount: 15}}\nreviewed: 2027-02-30\n",
            ": not valid YAML (day is out of range for month); correct it, or remove the file to use the "
            "packaged values.",
        ),
        (
            "? [a, b]\n: c\n",
            "line 1: not valid YAML (found unhashable key); correct it, or remove the file to use the packaged values.",
        ),
        ("title: 2027-01-01\n", ": title must be text, not a date; quote it if need be."),
        (
            "categories: [{code: NEG, label: Neglect}, {code: neg, label: Again}]\n",
            ": category code 'neg' appears twice in categories; give each code once.",
        ),
    ],
)
def test_a_bad_override_file_is_refused_in_one_line(data_dir, text, expected):
    path = write_override(data_dir, "wales", text)
    with pytest.raises(Invalid) as exc:
        profile.load("wales")
    message = refusal(exc)
    assert message == f"{path}{' ' if expected.startswith('line') else ''}{expected}"


def test_an_override_file_that_is_not_utf8(data_dir):
    path = data_dir / "profiles" / "wales.yaml"
    path.parent.mkdir()
    path.write_bytes(b"title: \xff\n")
    with pytest.raises(Invalid) as exc:
        profile.load("wales")
    assert refusal(exc) == f"{path}: byte 7 is not UTF-8 text; save the file as UTF-8."


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_in_an_override_file_loads_or_is_refused_cleanly(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "england.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            profile.load("england", override_path=path)
        except CpctlError as exc:
            assert exc.message and "\n" not in exc.message


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 50) | st.sampled_from(["days", "weeks", "x", "", "event"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "rules",
                    "amount",
                    "unit",
                    "first-core-group",
                    "terms",
                    "plan",
                    "day_zero",
                    "calendar",
                    "subdiv",
                    "categories",
                    "code",
                    "label",
                    "after",
                    "quorum",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(
        st.sampled_from(["rules", "terms", "day_zero", "calendar", "categories", "quorum", "title"]),
        yaml_values,
        max_size=3,
    )
)
def test_any_structure_in_an_override_file_loads_or_is_refused_cleanly(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "england.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        try:
            profile.load("england", override_path=path)
        except CpctlError as exc:
            assert exc.message and "\n" not in exc.message


# -- writing overrides ---------------------------------------------------------------------------------------


def test_set_override_round_trip(data_dir):
    change = overrides.set_override("england", "rules.first-core-group.amount", "15", source="Northshire procedure 4.2")
    path = data_dir / "profiles" / "england.yaml"
    assert change.path == path
    assert (change.key, change.value, change.before) == ("rules.first-core-group.amount", 15, 10)
    assert change.before_origin == "packaged profile england.yaml"
    assert change.source_stated
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {
        "rules": {"first-core-group": {"amount": 15, "source": "Northshire procedure 4.2"}}
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    overrides.set_override("england", "day_zero", "Day-One")
    loaded = profile.load("england")
    assert loaded.rule("first-core-group").amount == 15
    assert loaded.rule("first-core-group").source == "Northshire procedure 4.2"
    assert loaded.day_zero == "day-one"
    assert [entry.name for entry in path.parent.iterdir()] == ["england.yaml"]  # no temporary files left


def test_set_override_of_a_whole_rule(data_dir):
    change = overrides.set_override("wales", "rules.plan-circulated", "5 working-days")
    assert change.value == {
        "amount": 5,
        "unit": "working-days",
        "after": "core-group",
        "source": "not stated",
    }
    assert not change.source_stated
    overrides.set_override("wales", "rules.plan-circulated", "7 days after conference", source="Gwent 3.1")
    rule = profile.load("wales").rule("plan-circulated")
    assert (rule.amount, rule.unit, rule.after, rule.source) == (7, "days", "conference", "Gwent 3.1")


def test_set_override_clears_an_optional_value(data_dir):
    overrides.set_override("wales", "terms.register", "null")
    assert profile.load("wales").terms.register is None


def test_set_override_refuses_bad_values_and_keeps_the_file(data_dir):
    overrides.set_override("england", "rules.first-core-group.amount", "12", source="Northshire 4.2")
    path = data_dir / "profiles" / "england.yaml"
    before = path.read_bytes()
    cases = [
        (
            ("rules.first-core-group.unit", "fortnights"),
            "rules.first-core-group.unit 'fortnights' is not a known unit",
        ),
        (
            ("rules.first-core-group.amount", "ten"),
            "rules.first-core-group.amount must be a whole number of 1 or more, not 'ten'.",
        ),
        (("rules.first-core-group.amount", "0"), "must be a whole number of 1 or more, not 0."),
        (("rules.first-core-groups.amount", "3"), "unknown rule 'first-core-groups'"),
        (("categories", "NEG"), "categories is a list"),
        (("lead_worker", "x"), "unknown key 'lead_worker'"),
        (("terms.plan", "null"), "terms.plan must be text"),
        (("rules.first-core-group", "fortnight"), 'give rules.first-core-group as "AMOUNT UNIT"'),
    ]
    for (key, value), expected in cases:
        with pytest.raises(Invalid) as exc:
            overrides.set_override("england", key, value)
        assert expected in refusal(exc)
    with pytest.raises(Invalid) as exc:
        overrides.set_override("england", "day_zero", "day-one", source="x")
    assert refusal(exc).startswith("--source goes with a rule or the quorum")
    assert path.read_bytes() == before


def test_set_override_refuses_to_build_on_a_malformed_file(data_dir):
    path = write_override(data_dir, "england", "rules: [\n")
    with pytest.raises(Invalid) as exc:
        overrides.set_override("england", "day_zero", "day-one")
    assert refusal(exc).startswith(f"{path} line 2: not valid YAML")
    assert path.read_text(encoding="utf-8") == "rules: [\n"


def test_set_override_writes_where_the_environment_says(tmp_path, monkeypatch):
    target = tmp_path / "new" / "folder" / "la.yaml"
    monkeypatch.setenv("CPCTL_PROFILE_OVERRIDES", str(target))
    overrides.set_override("guernsey", "quorum.min_agencies", "4", source="ISCP 1.2")
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.parent.parent.stat().st_mode) == 0o700
    loaded = profile.load("guernsey")
    assert (loaded.quorum.min_agencies, loaded.quorum.source) == (4, "ISCP 1.2")
    assert os.path.exists(target)


# -- closed days ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "closed_day: forward\n",
            ": closed_day 'forward' is not a known choice; use one of bring-forward, push-back, keep (what happens "
            "to a date counted in days, weeks or months that falls on a weekend or a bank holiday).",
        ),
        (
            "closed_day: null\n",
            ": closed_day empty is not a known choice; use one of bring-forward, push-back, keep (what happens to a "
            "date counted in days, weeks or months that falls on a weekend or a bank holiday).",
        ),
        (
            "rules: {first-review: {closed_day: [keep]}}\n",
            ": rules.first-review.closed_day a list is not a known choice; use one of bring-forward, push-back, "
            "keep (what happens to a date counted in days, weeks or months that falls on a weekend or a bank "
            "holiday).",
        ),
        (
            "rules: {first-core-group: {closed_day: keep}}\n",
            ": rules.first-core-group.closed_day has no effect: the rule counts working days, which never fall on "
            "a weekend or a bank holiday; remove it, or give the rule a unit of days, weeks or months.",
        ),
    ],
)
def test_a_bad_closed_day_is_refused_in_one_line(data_dir, text, expected):
    path = write_override(data_dir, "england", text)
    with pytest.raises(Invalid) as exc:
        profile.load("england")
    assert refusal(exc) == f"{path}{expected}"


def test_every_shipped_profile_brings_a_closed_day_forward():
    for name in SHIPPED:
        loaded = profile.load(name)
        assert loaded.closed_day == "bring-forward"
        assert loaded.origin("closed_day") == f"packaged profile {name}.yaml"
        assert {rule.closed_day for rule in loaded.rules} == {"bring-forward"}


def test_set_override_of_closed_day(data_dir):
    change = overrides.set_override("england", "closed_day", "Push-Back")
    assert (change.key, change.value, change.before) == ("closed_day", "push-back", "bring-forward")
    overrides.set_override("england", "rules.first-review.closed_day", "keep")
    loaded = profile.load("england")
    assert loaded.closed_day == "push-back"
    assert loaded.origin("closed_day") == f"override file {data_dir / 'profiles' / 'england.yaml'}"
    assert loaded.rule("first-review").closed_day == "keep"
    assert loaded.rule("later-review").closed_day == "push-back"
    # A rule's own choice does not make its timing an override: its source still stands.
    assert loaded.rule("first-review").source.startswith("Working Together")
    with pytest.raises(Invalid) as exc:
        overrides.set_override("england", "closed_day", "sideways")
    assert "closed_day 'sideways' is not a known choice" in refusal(exc)
    with pytest.raises(Invalid) as exc:
        overrides.set_override("england", "rules.child-seen.closed_day", "keep")
    assert "rules.child-seen.closed_day has no effect" in refusal(exc)
