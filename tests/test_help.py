"""Every command says what it is for, and asking for help stays quick: no store libraries are imported."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest
import typer.main

import cpctl.cli
from helpers import run_cli

HEAVY = ["sqlmodel", "sqlalchemy", "alembic", "jinja2", "questionary"]


def command_paths() -> list[tuple[tuple[str, ...], Any]]:
    """Every command and group under `cpctl`, as (path, command), the root first."""
    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(path: tuple[str, ...], command: Any) -> None:
        found.append((path, command))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk((*path, name), sub)

    walk((), typer.main.get_command(cpctl.cli.app))
    return found


PATHS = command_paths()
IDS = [" ".join(path) or "cpctl" for path, _ in PATHS]


def test_the_tree_holds_the_commands_we_know_of() -> None:
    """Guards the walk itself: if it found nothing, the tests below would pass vacuously."""
    names = {" ".join(path) for path, _ in PATHS}
    assert {"", "init", "demo", "child add", "child edit", "person show", "db backup", "audit log"} <= names


@pytest.mark.parametrize(("path", "command"), PATHS, ids=IDS)
def test_every_command_has_help_text(path: tuple[str, ...], command: Any) -> None:
    assert (command.help or "").strip(), f"`cpctl {' '.join(path)}` has no help text"
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        assert (getattr(param, "help", None) or "").strip(), f"{param.name} of `cpctl {' '.join(path)}` has no help"


@pytest.mark.parametrize(("path", "command"), PATHS, ids=IDS)
def test_help_exits_0_and_shows_usage(path: tuple[str, ...], command: Any) -> None:
    result = run_cli(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert f"Usage: {' '.join(('cpctl', *path))} " in result.stdout
    first_line = (command.help or "").strip().splitlines()[0]
    assert first_line[:60] in " ".join(result.stdout.split())


# One interpreter for all paths: after each `--help` it reports any heavy module that has appeared. A module
# imported by one command's help shows up under that command (the first to import it), because the check
# runs after every path, not only at the end.
CHECKER = textwrap.dedent(
    """
    import json, sys
    banned = json.loads(sys.argv[1])
    paths = json.loads(sys.argv[2])
    import cpctl.cli
    found = {"import cpctl.cli": [m for m in banned if m in sys.modules]}
    for path in paths:
        try:
            cpctl.cli.app([*path, "--help"], prog_name="cpctl", standalone_mode=False)
        except SystemExit:
            pass
        found[" ".join(["cpctl", *path, "--help"])] = [m for m in banned if m in sys.modules]
    print(json.dumps(found))
    """
)


def modules_seen_by_help(banned: list[str]) -> dict[str, list[str]]:
    paths = [list(path) for path, _ in PATHS]
    done = subprocess.run(
        [sys.executable, "-c", CHECKER, json.dumps(banned), json.dumps(paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_help_imports_no_store_or_prompt_libraries() -> None:
    seen = modules_seen_by_help(HEAVY)
    assert len(seen) == len(PATHS) + 1
    assert {where: modules for where, modules in seen.items() if modules} == {}


def test_help_imports_none_of_the_annual_report_or_its_charts() -> None:
    """The report's drawing is loaded only when a report is written (the charts are cpctl's own SVG, but the
    rule holds for whatever draws them)."""
    seen = modules_seen_by_help(["cpctl.documents.charts", "cpctl.documents.annual_report"])
    assert {where: modules for where, modules in seen.items() if modules} == {}
    assert "cpctl report annual --help" in seen


def test_the_import_check_sees_a_module_that_help_itself_imports() -> None:
    """typer.rich_utils is loaded only when help is drawn: the checker must catch it at the first --help."""
    seen = modules_seen_by_help(["typer.rich_utils"])
    assert seen["import cpctl.cli"] == []
    assert seen["cpctl --help"] == ["typer.rich_utils"]


def test_the_summaries_cpctl_help_lists_are_the_commands_own() -> None:
    """`cpctl --help` lists the commands from cli.COMMANDS without importing them: the summaries must not drift."""
    for name, (_, _, summary) in cpctl.cli.COMMANDS.items():
        command = cpctl.cli.load_command(name)
        assert inspect.cleandoc(command.help or "").split("\n\n")[0] == summary, name
    assert set(typer.main.get_command(cpctl.cli.app).commands) == set(cpctl.cli.COMMANDS)


def command_modules_imported_by(*args: str) -> list[str]:
    code = (
        "import sys, cpctl.cli\n"
        "try:\n"
        f"    cpctl.cli.app({list(args)!r}, prog_name='cpctl')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('cpctl.commands.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1].replace("'", '"'))


def test_cpctl_help_imports_no_command_module() -> None:
    assert command_modules_imported_by("--help") == ["cpctl.commands.common"]


def test_a_command_imports_its_own_module_only() -> None:
    assert command_modules_imported_by("due", "--help") == ["cpctl.commands.common", "cpctl.commands.due"]
    assert command_modules_imported_by("child", "--help") == ["cpctl.commands.child", "cpctl.commands.common"]
    assert command_modules_imported_by("report", "annual", "--help") == [
        "cpctl.commands.common",
        "cpctl.commands.report",
    ]
