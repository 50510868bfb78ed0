"""Issue 15: how each child took part in a conference (PN0 to PN7) and the chair's summary of the discussion.

Recorded from a file (`conference new --from`), in `--edit`'s document, corrected with `conference correct` (with
the reason in the audit trail) and shown by `conference show`. The wizard's questions are in
test_conference_wizard.py.
"""

# ruff: noqa: F811  (the fixtures imported from plan_fixtures are used as test arguments)
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from backends import StoreRef
from conference_fixtures import days_ago
from cpctl.casework import participation
from cpctl.demo import testwoods as demo
from helpers import failed, ok, ok_json
from plan_fixtures import JAMIE, MIA, aged_db, on, write  # noqa: F401
from plan_fixtures import testwoods as family_store


def show(db: StoreRef, ref: str = "CF00001") -> dict[str, Any]:
    return ok_json(on(db, "conference", "show", ref, "--json"))  # type: ignore[no-any-return]


def audit(db: StoreRef, action: str) -> list[dict[str, Any]]:
    entries = ok_json(on(db, "audit", "log", "--json"))
    return [e for e in entries if e["action"] == action]


def test_the_codes_are_the_datasets_eight_with_their_source() -> None:
    assert list(participation.CODES) == [f"PN{n}" for n in range(8)]
    assert "Standard Safeguarding Dataset" in participation.SOURCE and "CPPR007A" in participation.SOURCE
    assert participation.check(" pn3 ") == "PN3" and participation.check("") is None
    with pytest.raises(ValueError, match="not a participation code: use PN0, PN1"):
        participation.check("PN8")


def test_the_example_file_records_the_discussion_and_jamies_participation(aged_db: StoreRef) -> None:
    record = show(aged_db)
    assert record["discussion"].startswith("Agencies agreed the children's basic needs have not been met")
    assert {d["child"]: d["participation"] for d in record["decisions"]} == {JAMIE: "PN6", MIA: None}
    text = ok(on(aged_db, "conference", "show", "CF00001"))
    assert "The discussion and the analysis of risk (the chair's summary)\n  Agencies agreed" in text
    assert "  Took part: PN6 did not attend, and gave their views another way (a letter, a recording, a form)\n" in text
    assert "  Took part: not recorded\n" in text  # Mia's
    (entry,) = [e for e in audit(aged_db, "decision.add") if e["entity_id"] == JAMIE]
    assert entry["changes"]["participation"] == "PN6"


def _file(tmp_path: Path, **decision: Any) -> Path:
    data = demo.example_conference(days_ago(6))
    data["decisions"] = [{**data["decisions"][0], **decision}]  # type: ignore[index]
    return write(tmp_path / "conference.yaml", data)


def test_a_code_that_is_not_pn0_to_pn7_is_refused_naming_the_field(
    make_store: Callable[..., StoreRef], tmp_path: Path
) -> None:
    db = family_store(make_store("family.db"))
    result = on(db, "conference", "new", "--from", str(_file(tmp_path, participation="PN9")))
    assert result.exit_code == 1
    assert "line 50: decisions[0].participation: 'PN9' is not a participation code: use PN0, PN1" in result.stderr
    assert ok_json(on(db, "conference", "list", "--json")) == []


def test_pn0_is_for_a_child_under_four_and_only_for_them(make_store: Callable[..., StoreRef], tmp_path: Path) -> None:
    db = family_store(make_store("family.db"))
    result = on(db, "conference", "new", "--from", str(_file(tmp_path, participation="PN0")))
    assert result.exit_code == 1
    assert f"child {JAMIE}: PN0 is for a child aged under 4; this child was older: choose PN1 to PN7." in result.stderr
    ok(on(db, "conference", "new", "--from", str(_file(tmp_path, participation="pn2"))))
    (decision,) = show(db)["decisions"]
    assert decision["participation"] == "PN2"


def test_correct_participation_and_discussion_keeps_both_in_the_audit_trail(aged_db: StoreRef) -> None:
    out = ok(
        on(
            aged_db,
            "conference",
            "correct",
            "CF00001",
            "--participation",
            f"{MIA}=PN7",
            "--participation",
            f"{JAMIE}=pn6",  # as recorded: not a change
            "--discussion",
            "The risk is of neglect; the parents have asked for help.",
            "--reason",
            "Mia's participation was left out; the summary was a draft",
        )
    )
    assert out == (
        "Corrected CF00001; the reason is in the audit trail and the deadlines follow.\n"
        f"  participation of {MIA}: not recorded → PN7 did not attend, and their views were not given\n"
        '  discussion: "Agencies agreed the children\'s basic needs have not been ..." → '
        '"The risk is of neglect; the parents have asked for help."\n'
    )
    record = show(aged_db)
    assert record["discussion"] == "The risk is of neglect; the parents have asked for help."
    assert {d["child"]: d["participation"] for d in record["decisions"]} == {JAMIE: "PN6", MIA: "PN7"}
    (entry,) = audit(aged_db, "conference.correct")
    assert entry["changes"][f"participation.{MIA}"] == [None, "PN7"]
    assert entry["changes"]["discussion"][1] == "The risk is of neglect; the parents have asked for help."
    assert entry["changes"]["reason"] == "Mia's participation was left out; the summary was a draft"


def test_correct_refuses_a_bad_code_and_a_child_the_conference_did_not_decide_about(aged_db: StoreRef) -> None:
    failed(
        on(aged_db, "conference", "correct", "CF00001", "--participation", f"{MIA}=PN9", "--reason", "typo"),
        "Error: 'PN9' is not a participation code: use PN0, PN1, PN2, PN3, PN4, PN5, PN6, PN7.",
    )
    failed(
        on(aged_db, "conference", "correct", "CF00001", "--participation", "DEMO-1003=PN0", "--reason", "typo"),
        "Error: CF00001 made no decision about child DEMO-1003; see `cpctl conference show CF00001`.",
    )
    assert audit(aged_db, "conference.correct") == []


def test_an_empty_discussion_clears_it(aged_db: StoreRef) -> None:
    ok(on(aged_db, "conference", "correct", "CF00001", "--discussion", "", "--reason", "written in error"))
    assert show(aged_db)["discussion"] is None


def test_the_edit_document_asks_for_both_and_says_pn0_for_the_baby(make_store: Callable[..., StoreRef]) -> None:
    from cpctl.casework.conference import ConferenceIn
    from cpctl.documents import editable

    ref = family_store(make_store("family.db"))
    store = ref.open()
    try:
        with store.read() as session:
            older = editable.conference(session, [JAMIE, MIA], None).text
            baby = editable.conference(session, ["DEMO-1003"], None).text
    finally:
        store.dispose()
    assert "discussion:  # the chair's summary of the discussion and the analysis of risk" in older
    assert "# participation, how each child took part (Standard Safeguarding Dataset codes): PN0 aged under 4" in older
    assert older.count("    participation:  # how the child took part: PN1 to PN7") == 2
    assert "    participation: PN0  # under 4 on the day" in baby
    data = yaml.safe_load(older)
    data["discussion"] = "Neglect: agreed by all agencies.\nThe parents want help."
    data["decisions"][0]["participation"] = "PN1"
    parsed = ConferenceIn.model_validate(json.loads(json.dumps(data, default=str)))
    assert parsed.discussion == "Neglect: agreed by all agencies.\nThe parents want help."
    assert [d.participation for d in parsed.decisions] == ["PN1", None]
