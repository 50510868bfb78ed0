"""`cpctl plan export`: where copies go, what they are in, and the one-line errors when something is wrong."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cpctl.casework import people
from cpctl.documents import gather, redaction, render, views
from export_support import CHILD, TODAY
from helpers import CHANGES, failed, run_cli

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)

HELP = "(see 'cpctl plan export --help')"
CHRIS_NOTE = "Note: Chris Testwood prefers Polish; make their own copy with --to P00003.\n"


def export(store: Path, *args: str) -> object:
    return run_cli("--db", str(store), "plan", "export", *args, "--on", TODAY.isoformat())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- one copy ------------------------------------------------------------------------------------------------
def test_a_copy_goes_to_stdout_in_markdown_by_default(fixed_plan: Path) -> None:
    result = export(fixed_plan, CHILD, "--for", "parent")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Child protection plan for Jamie Testwood\n\n**Parents’ copy**")
    assert result.stderr == CHRIS_NOTE  # the reading age goes with a copy written to a file, not a streamed one


def test_a_copy_written_to_a_file_is_readable_by_its_owner_only(fixed_plan: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "parent.html"
    target.parent.mkdir()
    target.write_text("an older copy")
    os.chmod(target, 0o644)
    failed(
        export(fixed_plan, CHILD, "--for", "parent", "-o", str(target)),
        f"Error: {target} already exists; add --force to replace it, or choose another file.",
    )
    assert target.read_text() == "an older copy"
    result = export(fixed_plan, CHILD, "--for", "parent", "-o", str(target), "--force")
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Wrote {target}: the parents' copy of plan 1, version 1, for DEMO-1001, in English.\n")
    assert mode(target) == 0o600
    assert target.read_text().startswith("<!DOCTYPE html>")  # the format comes from the file's name
    assert sorted(p.name for p in target.parent.iterdir()) == ["parent.html"]  # no temporary file left
    same = export(fixed_plan, CHILD, "--for", "parent", "--format", "html")
    assert same.stdout == target.read_text()


def test_a_place_a_copy_cannot_go_is_refused_before_it_is_recorded(fixed_plan: Path, tmp_path: Path) -> None:
    """A link, a device or a missing folder: refused in one line, nothing replaced, and no disclosure recorded."""
    from helpers import rows

    kept = tmp_path / "kept.md"
    kept.write_text("someone else's file\n")
    link = tmp_path / "link.md"
    link.symlink_to(kept)
    before = rows(fixed_plan, CHANGES)
    failed(
        export(fixed_plan, CHILD, "--for", "parent", "-o", str(link)),
        f"Error: {link} is not an ordinary file (a link, a device or a pipe); give another file name.",
    )
    failed(
        export(fixed_plan, CHILD, "--for", "parent", "-o", str(tmp_path / "nowhere" / "x.md")),
        f"Error: the folder {tmp_path / 'nowhere'} does not exist; create it or choose another file.",
    )
    assert link.is_symlink() and kept.read_text() == "someone else's file\n"
    assert rows(fixed_plan, CHANGES) == before


def test_the_format_must_be_known(fixed_plan: Path, tmp_path: Path) -> None:
    failed(
        export(fixed_plan, CHILD, "--for", "parent", "-o", str(tmp_path / "x.txt")),
        "Error: Invalid value for --format: cannot tell the format from the name 'x.txt': give --format md, "
        f"html or pdf. {HELP}",
        2,
    )
    failed(
        export(fixed_plan, CHILD, "--for", "parent", "--format", "docx"),
        f"Error: Invalid value for --format: choose md, html or pdf, not 'docx'. {HELP}",
        2,
    )
    failed(
        export(fixed_plan, CHILD, "--for", "parent", "--format", "pdf"),
        f"Error: Invalid value for --format: a PDF needs a file: give -o FILE. {HELP}",
        2,
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        ((CHILD,), f"Error: Missing option '--for'. {HELP}"),
        (
            (CHILD, "--for", "mum"),
            f"Error: Invalid value for --for: choose professional, parent or child, not 'mum'. {HELP}",
        ),
        (
            ("--for", "parent"),
            f"Error: Invalid value for CHILD: name the child, or use --all with --out DIR. {HELP}",
        ),
        (
            (CHILD, "--for", "parent", "--out", "x"),
            f"Error: Invalid value for --out: --out goes with --all; for one child give -o FILE. {HELP}",
        ),
        (
            (CHILD, "--for", "child", "--to", "P00002"),
            "Error: Invalid value for --to: --to names the parent a parent "
            f"copy is for; use it with --for parent. {HELP}",
        ),
        (
            ("--for", "parent", "--all"),
            f"Error: Invalid value for --out: --all writes one file per child: give the folder with --out DIR. {HELP}",
        ),
        (
            (CHILD, "--for", "parent", "--all", "--out", "x"),
            f"Error: Invalid value for --all: --all exports every child's plan: leave out the child. {HELP}",
        ),
        (
            ("--for", "parent", "--all", "--out", "x", "--version", "1"),
            f"Error: Invalid value for --version: --version is for one child's copy, not --all. {HELP}",
        ),
    ],
)
def test_usage_mistakes_exit_2_with_one_line(fixed_plan: Path, args: tuple[str, ...], line: str) -> None:
    failed(export(fixed_plan, *args), line, 2)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            (CHILD, "--for", "parent", "--language", "Klingonish"),
            "Error: unknown language 'Klingonish': give a name such as Welsh or a code such as cy "
            "(cpctl has copies in "
            "Arabic, English, Polish, Punjabi, Romanian, Urdu and Welsh).",
        ),
        (
            (CHILD, "--for", "parent", "--to", "P00004"),
            "Error: P00004 is not a parent, carer or relative of child DEMO-1001; a parent copy is for "
            "one of them (see `cpctl child show`).",
        ),
        (
            (CHILD, "--for", "parent", "--version", "2"),
            "Error: plan 1 of child DEMO-1001 has no version 2; it has version 1.",
        ),
        (
            ("DEMO-1003", "--for", "parent"),
            "Error: child DEMO-1003 has never had a plan; a plan starts at a conference (`cpctl conference new`).",
        ),
        (
            ("NOPE-1", "--for", "parent"),
            "Error: no child with id or name 'NOPE-1'; see `cpctl child list` for the children in this store.",
        ),
        (
            (CHILD, "--for", "parent", "--templates", "/nonexistent/templates"),
            "Error: the templates folder /nonexistent/templates does not exist; give a folder that holds "
            "your "
            "templates.",
        ),
    ],
)
def test_mistakes_exit_1_with_one_line(fixed_plan: Path, args: tuple[str, ...], line: str) -> None:
    failed(export(fixed_plan, *args), line)


def test_an_earlier_version_can_be_exported(fixed_plan: Path) -> None:
    result = export(fixed_plan, CHILD, "--for", "professional", "--version", "1")
    assert result.exit_code == 0
    assert "- **Version:** 1 of 1, made on 16 November 2026 (conference)" in result.stdout


# -- languages -----------------------------------------------------------------------------------------------
def test_language_option_gives_a_welsh_copy(fixed_plan: Path) -> None:
    result = export(fixed_plan, CHILD, "--for", "child", "--language", "Welsh")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Cynllun Jamie\n\n**Dy gopi di dy hun**")
    assert "Jamie has often" not in result.stdout  # (not shown to the child) ...
    assert "Jamie goes to school every day." in result.stdout  # ... while the plan's own words stay as written


def test_the_default_language_is_the_childs_preferred_one(fixed_plan: Path) -> None:
    store = fixed_plan.open()
    with store.write() as session:
        people.edit_child(session, people.find_child(session, CHILD), preferred_language="Cymraeg", today=TODAY)
    store.dispose()
    assert export(fixed_plan, CHILD, "--for", "child").stdout.startswith("# Cynllun Jamie")
    assert "## Am y cynllun hwn" in export(fixed_plan, CHILD, "--for", "parent").stdout
    assert "## Summary" in export(fixed_plan, CHILD, "--for", "professional").stdout


def test_a_parent_copy_for_one_parent_is_in_their_language_or_says_why_not(fixed_plan: Path) -> None:
    """Chris prefers Polish: his copy is in Polish, and says (in Polish and in English) that no qualified translator
    has checked the Polish yet. A language cpctl has no catalogue for gets English, and says why."""
    result = export(fixed_plan, CHILD, "--for", "parent", "--to", "P00003")
    assert result.exit_code == 0
    assert "Chris Testwood" in result.stdout[:400] and "**Parents’ copy, for Chris Testwood**" not in result.stdout
    assert (
        "> A qualified translator has not checked this translation yet. If anything is not clear, ask for the "
        "English copy or for an interpreter."
    ) in result.stdout
    assert "We cannot write this copy in" not in result.stdout
    assert result.stderr == (
        "Note: the Polish translation has not been checked by a qualified translator yet (see `cpctl language "
        "list`); the copy says so, in Polish and in English.\n"
    )
    turkish = export(fixed_plan, CHILD, "--for", "parent", "--to", "P00003", "--language", "Turkish")
    assert (
        "> We cannot write this copy in Turkish yet, so it is in English. Ask Jordan Ashby for an interpreter "
        "or a translation."
    ) in turkish.stdout
    assert turkish.stderr.startswith("Note: cpctl has no Turkish translation yet, so the copy is in English;")


def test_a_welsh_authority_is_reminded_to_offer_welsh_and_its_copies_use_its_words(fixed_plan: Path) -> None:
    from cpctl.casework import schedule
    from cpctl.store.models import Setting

    store = fixed_plan.open()
    with store.write() as session:
        setting = session.get(Setting, "jurisdiction")
        assert setting is not None
        setting.value = "wales"
        session.add(setting)
    schedule.ensure_current(store)  # the deadlines follow the new profile before any copy is made
    store.dispose()
    english = export(fixed_plan, CHILD, "--for", "child")
    assert english.exit_code == 0
    assert english.stderr == (
        "Note: in Wales the family must be offered a copy in Welsh (the active offer): make one with "
        "--language Welsh.\n"
    )
    parent = export(fixed_plan, CHILD, "--for", "parent")
    assert "Jordan Ashby is your care and support protection co-ordinator." in parent.stdout
    welsh = export(fixed_plan, CHILD, "--for", "parent", "--language", "Welsh")
    assert welsh.stderr == (
        "Note: the Welsh translation has not been checked by a qualified translator yet (see `cpctl language list`); "
        "the copy says so, in Welsh and in English.\n" + CHRIS_NOTE
    )
    assert "# Cynllun amddiffyn gofal a chymorth ar gyfer Jamie Testwood" in welsh.stdout
    assert "Jordan Ashby yw eich cydgysylltydd amddiffyn gofal a chymorth." in welsh.stdout


# -- users' own templates ------------------------------------------------------------------------------------
def test_templates_option_overrides_any_packaged_template(fixed_plan: Path, tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "complaints.j2").write_text(
        '{% import "blocks." ~ format ~ ".j2" as b with context %}'
        "{{ b.para('Complaints: Northshire Customer Care, Freepost NS1 (synthetic).') }}\n"
    )
    result = export(fixed_plan, CHILD, "--for", "parent", "--templates", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Complaints: Northshire Customer Care, Freepost NS1 (synthetic)." in result.stdout
    assert "complaints leaflet" not in result.stdout


def test_templates_in_the_data_folder_override_the_packaged_ones(fixed_plan: Path, data_dir: Path) -> None:
    folder = data_dir / "templates"
    folder.mkdir(parents=True)
    (folder / "child.j2").write_text("Hello {{ child.given_name }}, from {{ authority }}.\n")
    result = export(fixed_plan, CHILD, "--for", "child")
    assert result.stdout == "Hello Jamie, from Northshire County Council (synthetic demo).\n"


def test_a_template_that_uses_a_missing_field_fails_in_one_line(fixed_plan: Path, tmp_path: Path) -> None:
    (tmp_path / "child.j2").write_text("Hello {{ child.nickname }}\n")
    result = export(fixed_plan, CHILD, "--for", "child", "--templates", str(tmp_path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(
        "Error: the template for the child copy in md uses something a plan document does not have ("
    )
    assert "nickname" in result.stderr and result.stderr.count("\n") == 1


def test_a_template_with_a_syntax_error_fails_in_one_line(fixed_plan: Path, tmp_path: Path) -> None:
    (tmp_path / "child.j2").write_text("Hello\n{% if %}\n")
    result = export(fixed_plan, CHILD, "--for", "child", "--templates", str(tmp_path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"Error: the template {tmp_path / 'child.j2'}, line 2, is not valid: ")
    assert result.stderr.count("\n") == 1


# -- every plan ----------------------------------------------------------------------------------------------
def test_all_writes_one_private_file_per_child_with_a_plan(fixed_plan: Path, tmp_path: Path) -> None:
    folder = tmp_path / "new" / "copies"
    result = run_cli(
        "--db",
        str(fixed_plan),
        "plan",
        "export",
        "--all",
        "--for",
        "parent",
        "--format",
        "html",
        "--out",
        str(folder),
        "--on",
        TODAY.isoformat(),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 2 parent copies into {folder}.\n"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["DEMO-1001-plan1-v1-parent.html", "DEMO-1002-plan1-v1-parent.html"]
    assert {mode(folder / name) for name in names} == {0o600}
    assert mode(folder) == 0o700
    assert "Child protection plan for Mia Testwood" in (folder / names[1]).read_text()


def test_all_reports_each_copy_it_could_not_make(fixed_plan: Path, tmp_path: Path) -> None:
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "parent.j2").write_text("{{ child.nickname }}\n")
    result = run_cli(
        "--db",
        str(fixed_plan),
        "plan",
        "export",
        "--all",
        "--for",
        "parent",
        "--out",
        str(tmp_path / "copies"),
        "--templates",
        str(broken),
        "--on",
        TODAY.isoformat(),
    )
    assert result.exit_code == 1
    assert result.stdout == f"Wrote 0 parent copies into {tmp_path / 'copies'}.\n"
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == [
        "Could not export DEMO-1001",
        "Could not export DEMO-1002",
    ]
    assert lines[2:] == ["Error: 2 of 2 copies could not be made (see above)."]


def test_an_unborn_baby_has_no_childs_copy(fixed_plan: Path, tmp_path: Path) -> None:
    from cpctl.casework import conference

    store = fixed_plan.open()
    data = conference.ConferenceIn.model_validate(
        {
            "kind": "pre-birth-initial",
            "date": TODAY,
            "chair": "P00001",
            "attendance": [{"person": ref, "status": "attended"} for ref in ("P00004", "P00005", "P00008")],
            "decisions": [
                {
                    "child": "DEMO-1003",
                    "outcome": "plan-starts",
                    "categories": ["NEG"],
                    "lead_worker": "P00004",
                    "plan": {"worries": ["A synthetic worry."]},
                    "save_as_draft": True,
                }
            ],
        }
    )
    with store.write() as session:
        conference.save(session, conference.prepare(session, data, today=TODAY))
    store.dispose()
    failed(
        export(fixed_plan, "DEMO-1003", "--for", "child"),
        "Error: child DEMO-1003 is not born yet, so there is no child's copy; make the parents' copy (--for parent).",
    )
    assert export(fixed_plan, "DEMO-1003", "--for", "parent").exit_code == 0
    result = run_cli(
        "--db",
        str(fixed_plan),
        "plan",
        "export",
        "--all",
        "--for",
        "child",
        "--out",
        str(tmp_path / "copies"),
        "--on",
        TODAY.isoformat(),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Wrote 2 child copies into {tmp_path / 'copies'}.\nNo child's copy for DEMO-1003: not born yet.\n"
    )


# -- the PDF engine ------------------------------------------------------------------------------------------
def test_pdf_without_chromium_says_how_to_install_it(
    fixed_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CPCTL_CHROMIUM", raising=False)
    result = export(fixed_plan, CHILD, "--for", "parent", "-o", str(tmp_path / "x.pdf"))
    failed(
        result,
        "Error: a PDF is printed by Chromium, which was not found; install Chromium (Debian/Ubuntu: "
        "`sudo apt-get install chromium`; Fedora: `sudo dnf install chromium`; macOS: `brew install "
        "--cask chromium`) or set CPCTL_CHROMIUM to the browser's path; or export --format html and "
        "print that from a browser.",
    )
    assert not (tmp_path / "x.pdf").exists()


def test_a_chromium_that_fails_is_reported_in_one_line(
    fixed_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o700)
    monkeypatch.setenv("CPCTL_CHROMIUM", str(fake))
    result = export(fixed_plan, CHILD, "--for", "parent", "-o", str(tmp_path / "x.pdf"))
    failed(
        result,
        f"Error: Chromium ({fake}) could not print the PDF (exit code 3); if it cannot start its "
        "sandbox, set CPCTL_CHROMIUM_NO_SANDBOX=1, or export --format html and print that.",
    )


# -- the command layer stays light ---------------------------------------------------------------------------
def test_help_for_export_imports_no_rendering_or_store_library() -> None:
    code = (
        "import json, sys, cpctl.cli\n"
        "try:\n    cpctl.cli.app(['plan', 'export', '--help'], prog_name='cpctl', standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "print(json.dumps([m for m in ('jinja2', 'babel', 'markupsafe', 'sqlmodel', 'sqlalchemy', "
        "'cpctl.documents.views', 'cpctl.documents.redaction', 'cpctl.documents.gather', 'cpctl.documents.languages', "
        "'cpctl.documents.render', 'cpctl.documents.disclose') if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == []


# -- progress per action slots in ----------------------------------------------------------------------------
def test_the_professional_copy_shows_progress_per_action_when_there_is_some(fixed_plan: Path) -> None:
    store = fixed_plan.open()
    with store.read() as session:
        child = people.find_child(session, CHILD)
        without = gather.gather(session, child, today=TODAY)
        progress = {"A1": views.ProgressView(status="some-concern", note="Missed two sessions.", recorded_on=TODAY)}
        with_progress = gather.gather(session, child, today=TODAY, progress=progress)
    store.dispose()
    assert "- **Progress:** Not recorded yet" in render.render(without, "md").text
    text = render.render(with_progress, "md").text
    assert "- **Progress:** Some concern (22 November 2026)\n- **Progress note:** Missed two sessions." in text
    assert "Missed two sessions." not in render.render(redaction.for_reader(with_progress, "parent"), "md").text
