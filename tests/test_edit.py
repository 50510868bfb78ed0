"""`--edit` on `conference new`, `plan edit`, `core-group record` and `visit record`: a prefilled document opened in a
scripted $EDITOR, checked when it is saved, reopened with its problems (each naming its line) until it is right,
and cancelled when it comes back empty or unchanged, with nothing saved. Everyone is the synthetic Testwood family.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backends import StoreRef
from conference_fixtures import days_ago
from helpers import dump, ok_json, run_cli
from plan_fixtures import testwoods as with_the_testwoods

# The scripted editor: each call takes the next step from steps.json. A step is "empty", "comments" (only comments
# left), "same", "fail" (exit 1), or a list of [old, new] replacements (each must be in the file). It keeps a copy
# of the text it was given (seen-N.yaml), and the file's path and mode (opened-N.json).
EDITOR = """
import json, os, pathlib, stat, sys
here = pathlib.Path(__file__).parent
target = pathlib.Path(sys.argv[-1])
steps = json.loads((here / "steps.json").read_text())
counter = here / "calls"
n = int(counter.read_text()) if counter.exists() else 0
counter.write_text(str(n + 1))
text = target.read_text(encoding="utf-8")
(here / f"seen-{n}.yaml").write_text(text, encoding="utf-8")
info = target.stat()
(here / f"opened-{n}.json").write_text(json.dumps({"path": str(target), "mode": stat.S_IMODE(info.st_mode)}))
step = steps[n]
if isinstance(step, dict):  # {"interrupt": true, "replace": [...]}: Ctrl-C while editing, then go on
    import signal, time
    os.kill(os.getppid(), signal.SIGINT)
    time.sleep(0.2)
    step = step["replace"]
if step == "fail":
    sys.exit(1)
if step == "empty":
    text = ""
elif step == "comments":
    text = "# nothing to record after all\\n\\n"
elif step != "same":
    for old, new in step:
        if old not in text:
            sys.exit(f"scripted editor: {old!r} is not in the file")
        text = text.replace(old, new, 1)
target.write_text(text, encoding="utf-8")
"""


@dataclass
class Editor:
    folder: Path

    def script(self, *steps: Any) -> None:
        (self.folder / "steps.json").write_text(json.dumps(list(steps)))
        (self.folder / "calls").unlink(missing_ok=True)

    @property
    def calls(self) -> int:
        counter = self.folder / "calls"
        return int(counter.read_text()) if counter.exists() else 0

    def seen(self, n: int) -> str:
        return (self.folder / f"seen-{n}.yaml").read_text(encoding="utf-8")

    def opened(self, n: int) -> dict[str, Any]:
        return json.loads((self.folder / f"opened-{n}.json").read_text())


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Editor:
    folder = tmp_path / "editor"
    folder.mkdir()
    script = folder / "edit.py"
    script.write_text(EDITOR, encoding="utf-8")
    # Two words and a flag, as "code --wait" is: cpctl splits the variable as a shell would.
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} --wait")
    monkeypatch.delenv("VISUAL", raising=False)
    return Editor(folder)


@pytest.fixture
def family_store(make_store: Callable[..., StoreRef]) -> StoreRef:
    """The Testwood family of `cpctl demo`, no conference yet, on the backend the test runs on."""
    return with_the_testwoods(make_store("family.db"))


@pytest.fixture
def plan_store(make_store: Callable[..., StoreRef]) -> StoreRef:
    """The Testwoods with the example initial conference six days ago: Jamie's and Mia's plans just begun."""
    return with_the_testwoods(make_store("plans.db"), conference_on=days_ago(6))


def cpctl(db: StoreRef, *args: str) -> Any:
    return run_cli("--db", str(db), *args)


@dataclass
class Case:
    """One command's path through --edit: what to run, a valid change, a wrong one and its fix, what to check."""

    name: str
    store: str  # the fixture: family_store (no plan yet) or plan_store (plans just begun)
    args: tuple[str, ...]
    valid: list[list[str]]
    wrong: list[list[str]]
    fix: list[list[str]]
    key: str  # the YAML key on the line the problem names
    problem: str  # words of the problem, as listed at the top

    def check(self, db: StoreRef) -> None:
        CHECKS[self.name](db)


def _conference_saved(db: StoreRef) -> None:
    (row,) = ok_json(cpctl(db, "conference", "list", "--json"))
    record = ok_json(cpctl(db, "conference", "show", row["ref"], "--json"))
    (decision,) = record["decisions"]
    assert (decision["child"], decision["categories"], decision["lead_worker"]["ref"], decision["draft"]) == (
        "DEMO-1001",
        ["NEG"],
        "P00004",
        True,
    )
    assert record["chair"]["ref"] == "P00001"  # you, prefilled


def _plan_saved(db: StoreRef) -> None:
    record = ok_json(cpctl(db, "plan", "show", "DEMO-1001", "--json"))
    assert (record["version"], record["source"]) == (2, "edit")
    assert record["content"]["safety_scale"] == 5
    assert [a["frequency"] for a in record["content"]["actions"]] == ["weekly", "weekly"]


def _core_group_saved(db: StoreRef) -> None:
    (meeting,) = ok_json(cpctl(db, "core-group", "list", "DEMO-1001", "--json"))
    assert meeting["progress"]["A1"]["status"] == "on-track"
    assert meeting["progress"]["A2"]["status"] == "not-started"
    assert {a["person"] for a in meeting["attendance"]} >= {"P00004", "P00002"}  # the core group, prefilled


def _visit_saved(db: StoreRef) -> None:
    (visit,) = ok_json(cpctl(db, "visit", "list", "DEMO-1001", "--json"))
    assert (visit["visitor"]["ref"], visit["seen_alone"]) == ("P00004", True)  # the lead worker, prefilled


CHECKS = {
    "conference": _conference_saved,
    "plan": _plan_saved,
    "core-group": _core_group_saved,
    "visit": _visit_saved,
}
INVITED = "  - {person: P00002, status: attended}"
AGENCIES = "".join(f"  - {{person: {ref}, status: attended}}\n" for ref in ("P00004", "P00005", "P00006"))
CONFERENCE_OK = [
    ["categories: []", "categories: [NEG]"],
    ["lead_worker:", "lead_worker: P00004"],
    [INVITED, AGENCIES + INVITED],  # the professionals who came, from the list at the end
]
PLAN_OK = [["safety_scale: 4", "safety_scale: 5"], ["frequency: fortnightly", "frequency: weekly"]]
CASES = [
    Case(
        "conference",
        "family_store",
        ("conference", "new", "--edit", "--child", "DEMO-1001", "--draft"),
        valid=CONFERENCE_OK,
        wrong=[["categories: []", "categories: [XYZ]"], *CONFERENCE_OK[1:]],
        fix=[["categories: [XYZ]", "categories: [NEG]"]],
        key="categories:",
        problem="XYZ",
    ),
    Case(
        "plan",
        "plan_store",
        ("plan", "edit", "DEMO-1001", "--edit"),
        valid=PLAN_OK,
        wrong=[["safety_scale: 4", "safety_scale: 14"], PLAN_OK[1]],
        fix=[["safety_scale: 14", "safety_scale: 5"]],
        key="safety_scale:",
        problem="safety_scale",
    ),
    Case(
        "core-group",
        "plan_store",
        ("core-group", "record", "DEMO-1001", "--edit"),
        valid=[["A1, status: not-started", "A1, status: on-track"]],
        wrong=[["A1, status: not-started", "A1, status: ontrack"]],
        fix=[["status: ontrack", "status: on-track"]],
        key="action: A1",
        problem="progress[0].status",
    ),
    Case(
        "visit",
        "plan_store",
        ("visit", "record", "DEMO-1001", "--edit"),
        valid=[["seen_alone: false", "seen_alone: true"]],
        wrong=[["seen_alone: false", "seen_alone: true"], ["visitor: P00004", "visitor: P09999"]],
        fix=[["visitor: P09999", "visitor: P00004"]],
        key="visitor:",
        problem="P09999",
    ),
]
IDS = [case.name for case in CASES]


def store_for(case: Case, request: pytest.FixtureRequest) -> StoreRef:
    return request.getfixturevalue(case.store)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_valid_document_is_saved_the_first_time(case: Case, editor: Editor, request: pytest.FixtureRequest) -> None:
    db = store_for(case, request)
    editor.script(case.valid)
    result = cpctl(db, *case.args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert editor.calls == 1
    case.check(db)
    opened = editor.opened(0)
    assert opened["mode"] == 0o600  # private, in cpctl's private scratch folder
    assert not Path(opened["path"]).exists()  # and gone afterwards


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_an_invalid_document_reopens_with_its_problem_on_its_line_and_is_fixed(
    case: Case, editor: Editor, request: pytest.FixtureRequest
) -> None:
    db = store_for(case, request)
    editor.script(case.wrong, case.fix)
    result = cpctl(db, *case.args)
    assert result.exit_code == 0, result.output
    assert editor.calls == 2
    case.check(db)
    first, second = editor.seen(0), editor.seen(1)
    lines = second.splitlines()
    assert lines[0].startswith("#| cpctl cannot save this yet")
    problems = [line for line in lines if line.startswith("#|   line ")]
    assert len(problems) == 1 and case.problem in problems[0], problems
    number = int(re.match(r"#\|   line (\d+):", problems[0]).group(1))  # type: ignore[union-attr]
    assert case.key in lines[number - 1], (number, lines[number - 1])
    # The user's text is kept, below the problems: the wrong edit is still there to fix.
    body = "\n".join(line for line in lines if not line.startswith("#|")) + "\n"
    wrong = first
    for old, new in case.wrong:
        wrong = wrong.replace(old, new, 1)
    assert body == wrong
    assert "Not saved yet: line " in result.stderr and "Opening the file again." in result.stderr
    assert second.count("#| cpctl cannot save this yet") == 1


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize(
    ("step", "line"),
    [
        ("empty", "Cancelled: the file was saved empty; nothing was saved."),
        ("same", "Cancelled: the file was not changed; nothing was saved."),
    ],
    ids=["emptied", "unchanged"],
)
def test_an_emptied_or_unchanged_file_cancels_and_saves_nothing(
    case: Case, step: str, line: str, editor: Editor, request: pytest.FixtureRequest
) -> None:
    db = store_for(case, request)
    before = dump(db)
    editor.script(step)
    result = cpctl(db, *case.args)
    assert (result.exit_code, result.stderr, result.stdout) == (130, line + "\n", "")
    assert editor.calls == 1
    assert dump(db) == before


def test_a_file_left_with_only_comments_cancels(editor: Editor, plan_store: StoreRef) -> None:
    before = dump(plan_store)
    editor.script("comments")
    result = cpctl(plan_store, "visit", "record", "DEMO-1001", "--edit")
    assert (result.exit_code, result.stderr) == (130, "Cancelled: the file was saved empty; nothing was saved.\n")
    assert dump(plan_store) == before


def test_saving_unchanged_after_a_problem_cancels(editor: Editor, plan_store: StoreRef) -> None:
    before = dump(plan_store)
    editor.script([["visitor: P00004", "visitor: P09999"]], "same")
    result = cpctl(plan_store, "visit", "record", "DEMO-1001", "--edit")
    assert result.exit_code == 130
    assert result.stderr.endswith("Cancelled: the file was not changed; nothing was saved.\n")
    assert editor.calls == 2
    assert dump(plan_store) == before


def test_an_editor_that_fails_cancels(editor: Editor, plan_store: StoreRef) -> None:
    before = dump(plan_store)
    editor.script("fail")
    result = cpctl(plan_store, "core-group", "record", "DEMO-1001", "--edit")
    assert (result.exit_code, result.stderr) == (
        130,
        "Cancelled: the editor stopped with an error (exit code 1); nothing was saved.\n",
    )
    assert dump(plan_store) == before


def test_visual_comes_before_editor(editor: Editor, plan_store: StoreRef, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", os.environ["EDITOR"])
    monkeypatch.setenv("EDITOR", "no-such-editor-anywhere")
    editor.script([["seen_alone: false", "seen_alone: true"]])
    result = cpctl(plan_store, "visit", "record", "DEMO-1001", "--edit")
    assert result.exit_code == 0, result.output
    _visit_saved(plan_store)


def test_an_editor_that_cannot_run_is_one_clear_line(plan_store: StoreRef, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "no-such-editor-anywhere --wait")
    before = dump(plan_store)
    result = cpctl(plan_store, "visit", "record", "DEMO-1001", "--edit")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot run the editor 'no-such-editor-anywhere'")
    assert result.stderr.count("\n") == 1
    assert dump(plan_store) == before


def test_without_a_terminal_or_an_editor_edit_is_refused(plan_store: StoreRef, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    before = dump(plan_store)
    result = cpctl(plan_store, "plan", "edit", "DEMO-1001", "--edit")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: --edit opens your editor, and there is no terminal here and no $EDITOR: set EDITOR to an "
        "editor's command, or give the record with --from FILE.\n"
    )
    assert dump(plan_store) == before


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_edit_and_from_together_are_refused(case: Case, editor: Editor, request: pytest.FixtureRequest) -> None:
    db = store_for(case, request)
    result = cpctl(db, *case.args, "--from", "record.yaml")
    assert result.exit_code == 2
    assert "--edit" in result.stderr and "give one of them" in result.stderr
    assert editor.calls == 0


def test_the_conference_document_names_the_case_and_what_will_be_scheduled(
    editor: Editor,
    family_store: StoreRef,
) -> None:
    editor.script("same")
    cpctl(family_store, "conference", "new", "--edit", "--child", "DEMO-1001", "--child", "DEMO-1002")
    text = editor.seen(0)
    assert "kind: initial" in text
    assert "chair: P00001" in text
    assert "  - {person: P00002, status: attended}  # Sam Testwood (Mother, mother)" in text
    assert "#   DEMO-1001  Jamie Testwood" in text and "#   DEMO-1002  Mia Testwood" in text
    assert "#   P00004  Jordan Ashby (Lead social worker" in text  # the professionals, to choose from
    assert "# What cpctl will schedule from this conference" in text
    assert "#   First core group: due " in text and "#   First review conference: due " in text
    assert "categories: []  # NEG (Neglect)" in text
    assert text.count("  - child: ") == 2


def test_a_review_is_prefilled_with_the_plan_in_force(editor: Editor, plan_store: StoreRef) -> None:
    editor.script("same")
    refused = cpctl(plan_store, "conference", "new", "--edit", "--family", "Testwood household")
    assert "a plan is in force for DEMO-1001, DEMO-1002 but not for DEMO-1003" in refused.stderr
    result = cpctl(plan_store, "conference", "new", "--edit", "--child", "DEMO-1001")
    assert result.exit_code == 130
    text = editor.seen(0)
    assert "kind: review" in text and "outcome: plan-continues" in text
    assert re.search(r"    categories:  # NEG \(Neglect\).*\n      - NEG\n", text)
    assert "Parenting course (Positive Routines)" in text  # the plan as it stands
    assert "#   Next review conference: due " in text


def test_ctrl_c_while_the_editor_runs_is_the_editors(editor: Editor, plan_store: StoreRef) -> None:
    """vi uses Ctrl-C to stop a command: it must not end cpctl and lose the record (git ignores it too)."""
    editor.script({"interrupt": True, "replace": [["seen_alone: false", "seen_alone: true"]]})
    result = cpctl(plan_store, "visit", "record", "DEMO-1001", "--edit")
    assert result.exit_code == 0, result.output
    _visit_saved(plan_store)


def test_a_yaml_mistake_is_named_by_its_line(editor: Editor, plan_store: StoreRef) -> None:
    editor.script([["notes: []", "notes: [unclosed"]], [["notes: [unclosed", "notes: [closed]"]])
    result = cpctl(plan_store, "visit", "record", "DEMO-1001", "--edit")
    assert result.exit_code == 0, result.output
    lines = editor.seen(1).splitlines()
    problems = [line for line in lines if line.startswith("#|   line ")]
    assert len(problems) == 2 and "not valid YAML" in problems[0], problems
    number = int(problems[1].split()[2].rstrip(":"))
    assert "the flow sequence with that problem begins here" in problems[1]
    assert lines[number - 1].startswith("notes: [unclosed")
    (visit,) = ok_json(cpctl(plan_store, "visit", "list", "DEMO-1001", "--json"))
    assert visit["seen_alone"] is False


def test_child_and_family_go_with_edit(family_store: StoreRef) -> None:
    result = cpctl(family_store, "conference", "new", "--child", "DEMO-1001")
    assert result.exit_code == 2
    assert "--child and --family choose whom --edit's document is about; add --edit." in result.stderr


def test_without_variables_a_terminal_falls_back_to_vi_or_says_there_is_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cpctl.commands import common, editing
    from cpctl.errors import CpctlError

    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setattr(common, "interactive", lambda: True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(CpctlError, match=r"no editor found: set \$EDITOR"):
        editing.editor_command()
    vi = bin_dir / "vi"
    vi.write_text("#!/bin/sh\n")
    vi.chmod(0o755)
    assert editing.editor_command() == ["vi"]
    monkeypatch.setenv("VISUAL", "code --wait")
    assert editing.editor_command() == ["code", "--wait"]
