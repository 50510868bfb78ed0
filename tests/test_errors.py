"""How cpctl fails: one line on stderr, the right exit code, no traceback, and nothing saved."""

from __future__ import annotations

import errno
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import typer

import cpctl
import cpctl.cli
from backends import StoreRef
from cpctl.casework import people
from helpers import CANCELLED, Run, failed, ok, rows

INTERNAL = (
    "Error: cpctl hit an internal problem (RuntimeError); nothing was saved. "
    "Run the command again with --debug for details and report it."
)
SECRET = "Jamie Testwood, born 4 March 2019, 1 Test Row"  # what must never reach a terminal or a log


def raising(exc: BaseException, *, after_writing: bool = False) -> Callable[..., object]:
    """A stand-in for people.add_child that fails, optionally after really adding the child to the session."""
    real = people.add_child

    def add_child(session, **kwargs):  # type: ignore[no-untyped-def]
        if after_writing:
            real(session, **kwargs)
        raise exc

    return add_child


ADD = ("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04")


# -- Ctrl-C
@pytest.mark.parametrize("after_writing", [False, True], ids=["before-writing", "after-writing"])
@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, EOFError, typer.Abort], ids=lambda e: e.__name__)
def test_ctrl_c_during_a_change_exits_130_and_saves_nothing(
    cli: Run, unchanged, monkeypatch: pytest.MonkeyPatch, after_writing: bool, interrupt: type[BaseException]
) -> None:
    monkeypatch.setattr(people, "add_child", raising(interrupt(), after_writing=after_writing))
    result = cli(*ADD)
    # After Ctrl-D (EOFError) Typer first ends the line the person was typing on, as Click does.
    lead = "\n" if interrupt is EOFError else ""
    assert (result.exit_code, result.stderr, result.stdout) == (130, f"{lead}{CANCELLED}\n", "")
    unchanged()


def test_ctrl_c_while_reading(cli: Run, initialised: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(people, "list_children", interrupted)
    failed(cli("child", "list"), CANCELLED, code=130)


# -- bugs
@pytest.mark.parametrize("after_writing", [False, True], ids=["before-writing", "after-writing"])
def test_an_unexpected_error_is_one_line_without_details(
    cli: Run, unchanged, monkeypatch: pytest.MonkeyPatch, after_writing: bool
) -> None:
    monkeypatch.setattr(people, "add_child", raising(RuntimeError(SECRET), after_writing=after_writing))
    result = cli(*ADD)
    failed(result, INTERNAL)
    assert SECRET not in result.output
    unchanged()


@pytest.mark.parametrize("how", ["option", "environment"])
def test_debug_shows_where_without_what(
    initialised: StoreRef, unchanged, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """--debug prints the traceback's frames and the exception's type; its message may quote personal data."""
    from typer.testing import CliRunner

    monkeypatch.setattr(people, "add_child", raising(RuntimeError(SECRET)))
    if how == "environment":
        monkeypatch.setenv("CPCTL_DEBUG", "1")
    args = ("--debug", *ADD) if how == "option" else ADD
    result = CliRunner().invoke(cpctl.cli.app, list(args), prog_name="cpctl", catch_exceptions=False)
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert any(line.strip().startswith('File "') and line.rstrip().endswith("in child_add") for line in lines)
    assert any(line.rstrip().endswith("in add_child") for line in lines)
    assert lines[-2] == "RuntimeError: (message hidden: it may hold personal data)"
    assert lines[-1].startswith("Error: cpctl hit an internal problem (RuntimeError); nothing was saved. Report it")
    assert SECRET not in result.stderr
    unchanged()


def test_a_file_system_error_outside_the_store(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EIO, "Input/output error", "/media/usb/cpctl.db")

    monkeypatch.setattr("cpctl.commands.child.open_store", broken)
    failed(cli("child", "list"), "Error: Input/output error: /media/usb/cpctl.db.")


def test_debug_with_a_file_system_error_shows_where_without_what(
    initialised: StoreRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError under --debug gets the same scrubbed report as any other error (it was a raw TypeError)."""
    from typer.testing import CliRunner

    where = "/media/usb/" + SECRET  # not in the source line the traceback quotes

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EIO, "Input/output error", where)

    monkeypatch.setattr("cpctl.commands.child.open_store", broken)
    result = CliRunner().invoke(cpctl.cli.app, ["--debug", "child", "list"], prog_name="cpctl", catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-2] == "OSError: (message hidden: it may hold personal data)"
    assert lines[-1].startswith("Error: cpctl hit an internal problem (OSError); nothing was saved. Report it")
    assert SECRET not in result.stderr and "TypeError" not in result.stderr


def test_a_full_disk(cli: Run, unchanged, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        people, "add_child", raising(OSError(errno.ENOSPC, "No space left on device"), after_writing=True)
    )
    failed(cli(*ADD), "Error: the disk is full: nothing was saved. Free some space and try again.")
    unchanged()


def test_a_permission_error_inside_a_change(cli: Run, unchanged, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        people,
        "add_child",
        raising(PermissionError(errno.EACCES, "Permission denied", "/srv/cpctl/cpctl.db-wal")),
    )
    failed(
        cli(*ADD),
        "Error: permission denied at /srv/cpctl/cpctl.db-wal; choose another place or fix its permissions.",
    )
    unchanged()


# -- usage errors
@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("child", "add", "Jamie"), "Error: Missing argument 'family_name'. (see 'cpctl child add --help')"),
        (
            ("child", "add", "Jamie", "Testwood", "--bogus"),
            "Error: No such option: --bogus (see 'cpctl child add --help')",
        ),
        (("chlid", "list"), "Error: No such command 'chlid'. Did you mean 'child'? (see 'cpctl --help')"),
        (("child", "remove"), "Error: No such command 'remove'. (see 'cpctl child --help')"),
        (("--db",), "Error: Option '--db' requires an argument. (see 'cpctl --help')"),
        (
            ("audit", "log", "--limit", "many"),
            "Error: Invalid value for '--limit': Input should be a valid integer, unable to parse string "
            "as an integer (see 'cpctl audit log --help')",
        ),
        (("db", "backup"), "Error: Missing argument 'path'. (see 'cpctl db backup --help')"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(cli: Run, store_path: Path, args: tuple[str, ...], line: str) -> None:
    failed(cli(*args), line, code=2)
    assert not store_path.exists()  # a usage error does not even open the store


def test_a_value_given_to_a_flag_points_at_the_commands_help(cli: Run) -> None:
    failed(
        cli("child", "add", "Jamie", "Testwood", "--interpreter=yes"),
        "Error: Option '--interpreter' does not take a value. (see 'cpctl child add --help')",
        code=2,
    )


# -- no arguments, --help, --version
@pytest.mark.parametrize("path", [(), ("child",), ("person",), ("db",), ("audit",)], ids=" ".join)
def test_no_arguments_shows_help(cli: Run, store_path: Path, path: tuple[str, ...]) -> None:
    result = cli(*path)
    assert result.exit_code == 0
    assert f"Usage: {' '.join(('cpctl', *path))} [OPTIONS] COMMAND [ARGS]..." in result.stdout
    assert result.stderr.strip() == ""
    assert not store_path.exists()


def test_short_help_option(cli: Run) -> None:
    assert "Usage: cpctl child add [OPTIONS] " in ok(cli("child", "add", "-h"))


def test_version(cli: Run, store_path: Path) -> None:
    assert ok(cli("--version")) == f"cpctl {cpctl.__version__}\n"
    assert not store_path.exists()


def test_no_traceback_for_any_mistake_a_person_makes(cli: Run, initialised: StoreRef, data_dir: Path) -> None:
    """A run of the usual mistakes: every one is a single `Error:` line with exit 1 or 2."""
    mistakes = [
        ("child", "show", "Nobody Here"),
        ("child", "add", "Jamie", "Testwood", "--dob", "2019-02-30"),
        ("child", "add", "Jamie", "Testwood", "--dob", f"{date.today().year + 1}-01-01"),
        ("child", "add", "", "Testwood", "--dob", "2019-03-04"),
        ("child", "add", "Jamie", "Testwood", "--id", "../../etc/passwd", "--dob", "2019-03-04"),
        ("person", "add", "Sam", "--email", "sam@"),
        ("person", "add", "Sam", "--phone", "call me"),
        ("person", "add", "Sam", "--kind", ""),
        ("person", "edit", "P00001", "--relationship", "mother"),
        ("audit", "log", "--child", "Nobody"),
        ("init", "--authority", "Testshire", "--jurisdiction", "mars", "--name", "Ada", "--role", "chair"),
        ("db", "backup", str(data_dir.parent)),
        ("--db", str(data_dir.parent), "child", "list"),
    ]
    if initialised.path is not None:
        mistakes.append(("db", "backup", str(initialised.path)))
    for args in mistakes:
        result = cli(*args)
        assert result.exit_code in (1, 2), args
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, (args, result.stderr)
        assert result.stdout == "", args
    assert rows(initialised, "SELECT count(*) FROM child") == [(0,)]


def test_a_bug_after_the_change_was_saved_says_so(
    cli: Run, initialised: StoreRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An internal problem while printing the result of a saved change must not claim that nothing was saved."""

    def broken_output() -> None:
        raise RuntimeError(SECRET)

    monkeypatch.setattr("cpctl.commands.child.out", broken_output)
    failed(
        cli(*ADD),
        "Error: cpctl hit an internal problem (RuntimeError) after saving the change; see `cpctl audit log`. "
        "Run the command again with --debug for details and report it.",
    )
    assert rows(initialised, "SELECT given_name FROM child") == [("Jamie",)]


@pytest.mark.parametrize(
    "args",
    [
        ("db", "backup", "~0"),
        ("db", "backup", "--force", "~0/copy.bak"),
        ("db", "restore", "~0/copy.bak"),
        ("conference", "new", "--from", "~0/conference.yaml"),
        ("--db", "~0/cpctl.db", "child", "list"),
    ],
)
def test_a_home_folder_that_does_not_exist(cli: Run, initialised: StoreRef, args: tuple[str, ...]) -> None:
    """`~0` names the home folder of a user who does not exist: Python's expanduser raises RuntimeError for it
    (the hostile-input hunt found `db backup --force ~0` ending in an internal problem)."""
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ~0") and "home folder that cannot be found" in result.stderr
    assert len(result.stderr.splitlines()) == 1
