# ruff: noqa: F811  (the fixtures imported from the fixture modules are used as test arguments)
"""Plain words in what professionals type for a family: each way in (a file, --edit, a wizard) offers the plain
alternative after saving and never refuses; and `plan export` tells the reading age of a family copy, with the
demo family's copies at grade 6 (parents) and 4 (child) or below. Everyone is the synthetic Testwood family."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from backends import StoreRef
from conference_fixtures import demo_db, demo_store  # noqa: F401  (pytest finds the fixtures by name)
from cpctl.casework import plain_words
from cpctl.demo import testwoods as demo
from cpctl.documents import reading
from cpctl.documents.gather import gather
from cpctl.documents.redaction import for_reader
from cpctl.documents.render import render
from cpctl.store.database import Store
from helpers import ok_json, run_cli
from test_edit import Editor, cpctl, editor, plan_store  # noqa: F401
from test_plan_wizard import ENTER, typed

HEADER = "Plain words: the family's copy will show words a parent or child may not know"


def words(text: str) -> list[str]:
    return [finding.word for finding in plain_words.check(text)]


def test_the_listed_words_are_found_with_their_endings_and_in_any_case() -> None:
    assert words("Arrears left the home cold; see the contingency plan.") == ["Arrears", "contingency"]
    assert words("Seen under section 47 (s47) while LAC.") == ["section 47", "s47", "LAC"]
    assert words("Sam will engage well and has engaged; we ensure it in order to help.") == [
        "engage",
        "engaged",
        "ensure",
        "in order to",
    ]
    assert words("Facilitate contact, focusing on parenting capacity.") == [
        "Facilitate",
        "focusing",
        "parenting capacity",
    ]


def test_an_unexplained_core_group_is_pointed_out_and_an_explained_one_is_not() -> None:
    assert words("Discuss at core group.") == ["core group"]
    assert words("The core group (the workers and parents who carry out the plan) meets monthly.") == []


def test_abbreviations_are_pointed_out_unless_everyone_knows_them() -> None:
    assert words("Sam sees the GP and the NHS dentist; Jamie is seen by CAMHS and the TAF.") == ["CAMHS", "TAF"]
    (finding,) = plain_words.check("Referral to the TAF.")[1:]
    assert finding.plain == plain_words.CAPITALS_ADVICE
    assert words("Jamie (DEMO-1001) sees P00004 on his own.") == []  # references are not abbreviations
    assert words("A nursery key worker.") == []  # a job, not the GOV.UK "key"


def test_the_plain_alternative_is_offered_in_the_words_of_the_brief() -> None:
    (finding,) = plain_words.check("The contingency is a review.")
    assert finding.line() == "“contingency” — plain: “what happens if the plan does not work”"


def test_only_what_a_family_copy_shows_is_checked() -> None:
    from cpctl.casework.conference import ConferenceIn

    data = demo.example_conference(date(2026, 11, 16))
    data["discussion"] = "Agencies will liaise about the LAC threshold."  # the professionals' own
    plan = data["decisions"][0]["plan"]
    plan["contingency"] = [{"text": "Contingency: ICPC brought forward.", "private": True}]  # kept from the family
    assert plain_words.findings(ConferenceIn.model_validate(data)) == []
    plan["contingency"] = ["Contingency: a review conference is brought forward."]
    found = plain_words.findings(ConferenceIn.model_validate(data))
    assert [(plain_words.where(loc), f.word) for loc, f in found] == [
        ("decisions 1, plan, contingency 1, text", "Contingency"),
    ]


def test_the_demo_family_s_own_words_are_plain() -> None:
    """The examples and the demo have nothing to point out, so that they show the way."""
    from cpctl.casework.conference import ConferenceIn
    from cpctl.casework.coregroup import CoreGroupIn, FamilyCoreGroupIn

    day = date(2026, 11, 16)
    assert plain_words.findings(ConferenceIn.model_validate(demo.example_conference(day))) == []
    assert plain_words.findings(CoreGroupIn.model_validate(demo.example_core_group(day))) == []
    family = Path(demo.__file__).parent.parent / "examples" / "core-group-family.yaml"
    assert plain_words.findings(FamilyCoreGroupIn.model_validate(yaml.safe_load(family.read_text()))) == []


# -- each way in ----------------------------------------------------------------------------------------------
def test_a_file_with_jargon_is_saved_as_written_and_the_plain_words_offered(
    tmp_path: Path, plan_store: StoreRef
) -> None:
    data = demo.example_core_group(date.today())
    data.pop("sent_on")
    data["parent_views"] = ["Sam says the arrears are paid and she will engage with CAMHS."]
    path = tmp_path / "meeting.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = cpctl(plan_store, "core-group", "record", "DEMO-1001", "--from", str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[1:] == [
        "  parent views 1, text: “arrears” — plain: “money you owe (for rent, gas or electricity)”",
        "  parent views 1, text: “engage” — plain: “take part, work with, come to”",
        "  parent views 1, text: “CAMHS” — plain: “the children's mental health service”",
    ]
    assert result.stderr.startswith(HEADER)
    (meeting,) = ok_json(cpctl(plan_store, "core-group", "list", "DEMO-1001", "--json"))
    assert meeting["date"] == date.today().isoformat()  # saved, never refused


def test_an_edited_plan_with_jargon_is_saved_and_the_plain_words_offered(editor: Editor, plan_store: StoreRef) -> None:
    editor.script(
        [
            [
                "why: To help Sam and Chris set times for meals and bed.",
                "why: An ICPC contingency, to escalate a section 47.",
            ]
        ]
    )
    result = cpctl(plan_store, "plan", "edit", "DEMO-1001", "--edit")
    assert result.exit_code == 0, result.output
    assert "Saved version 2 of the plan for DEMO-1001" in result.stdout
    assert result.stderr.startswith(HEADER)
    assert [line.split(": ", 1)[1].split(" — ")[0] for line in result.stderr.splitlines()[1:]] == [
        "“ICPC”",
        "“contingency”",
        "“escalate”",
        "“section 47”",
    ]
    assert "actions 1, why" in result.stderr


def test_a_wizard_answer_with_jargon_is_saved_and_the_plain_words_offered(
    monkeypatch: pytest.MonkeyPatch, demo_db: Path
) -> None:
    view = "Sam will facilitate contact at core group."
    keys = ENTER + ENTER + ENTER + view + ENTER + ENTER + ENTER + ENTER + ENTER + ENTER + ENTER
    result = typed(monkeypatch, demo_db, keys, "core-group", "record", "DEMO-1001")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        result.stderr.splitlines()[0],
        "  parent views 1, text: “facilitate” — plain: “say how you will help, e.g. arrange, run, help with”",
        "  parent views 1, text: “core group” — plain: “the core group (the small group of workers and parents who "
        "carry out the plan), or say who meets”",
    ]
    assert result.stderr.startswith(HEADER)
    (meeting,) = ok_json(run_cli("--db", str(demo_db), "core-group", "list", "DEMO-1001", "--json"))
    assert meeting["date"] == date.today().isoformat()  # saved, never refused


# -- the reading age ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_family(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cpctl.store.database import sqlite_url

    path = tmp_path_factory.mktemp("reading") / "demo.db"
    store = Store(sqlite_url(path))
    demo.build(store)
    demo.record_plan_life(store)
    store.dispose()
    return path


def copy_grade(db: Path, audience: str) -> reading.Reading:
    from cpctl.casework import people
    from cpctl.store.database import sqlite_url

    store = Store(sqlite_url(db))
    with store.read() as session:
        full = gather(session, people.find_child(session, "DEMO-1001"), today=date.today())
    store.dispose()
    document = for_reader(full, audience)  # type: ignore[arg-type]
    return reading.measure(render(document, "html", language="en").text, document)


def test_the_demo_family_s_parents_copy_reads_at_grade_6_or_below(demo_family: Path) -> None:
    assert copy_grade(demo_family, "parent").grade <= 6.0


def test_the_demo_family_s_childs_copy_reads_at_grade_4_or_below(demo_family: Path) -> None:
    assert copy_grade(demo_family, "child").grade <= 4.0


def test_harder_typed_words_raise_the_grade_and_are_named() -> None:
    html = "<p>Jamie is fed.</p><p>Notwithstanding multidisciplinary considerations, interagency deliberation.</p>"
    from cpctl.documents import views

    document = views.PlanDocument.__new__(views.PlanDocument)
    object.__setattr__(
        document,
        "content",
        views.ContentView(
            worries=(views.TextItem("Notwithstanding multidisciplinary considerations, interagency deliberation."),)
        ),
    )
    object.__setattr__(document, "details", views.DetailsView())
    measured = reading.measure(html, document)
    assert measured.grade > reading.grade("Jamie is fed.")
    ((sentence, raised),) = measured.hardest
    assert sentence.startswith("Notwithstanding") and raised > 0
    assert measured.age == measured.grade + 5


def test_plan_export_prints_the_reading_age_of_a_family_copy(demo_family: Path, tmp_path: Path) -> None:
    result = run_cli(
        "--db", str(demo_family), "plan", "export", "DEMO-1001", "--for", "child", "-o", str(tmp_path / "child.md")
    )
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stderr.splitlines() if x.startswith("Reading age"))
    assert line.startswith("Reading age of the child's copy: Flesch-Kincaid grade ")
    assert "UK reading age about " in line
    professional = run_cli(
        "--db", str(demo_family), "plan", "export", "DEMO-1001", "--for", "professional", "-o", str(tmp_path / "pro.md")
    )
    assert "Reading age" not in professional.stderr
