"""`cpctl init` asks for what it was not given, in a terminal only; Ctrl-C at a question saves nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from backends import StoreRef
from cpctl.commands import init as init_command
from helpers import AUTHORITY, CANCELLED, CHAIR, Run, failed, ok, rows

CPCTL = Path(sys.executable).with_name("cpctl")
DOWN, ENTER, CTRL_C = "\x1b[B", "\r", "\x03"
NEEDS_ALL = "Error: cpctl init needs --authority, --jurisdiction, --name, --role when it is not run in a terminal."


def settings_of(store: StoreRef) -> list[tuple[str, str]]:
    return rows(store, "SELECT key, value FROM setting ORDER BY key")


def nothing_set_up(store: StoreRef) -> bool:
    """A refused init writes nothing: a SQLite store is not even created; a server's database has no settings."""
    return not store.path.exists() if store.path is not None else settings_of(store) == []


# -- without a terminal
def test_init_without_a_terminal_fails_at_once(cli: Run, store: StoreRef) -> None:
    failed(cli("init"), NEEDS_ALL)
    assert nothing_set_up(store)


def test_init_without_a_terminal_names_only_what_is_missing(cli: Run, store: StoreRef) -> None:
    failed(
        cli("init", "--authority", AUTHORITY, "--role", "chair"),
        "Error: cpctl init needs --jurisdiction, --name when it is not run in a terminal.",
    )
    assert nothing_set_up(store)


def test_init_with_stdin_not_a_terminal_never_waits_for_input(store: StoreRef) -> None:
    """The real program, its input at end of file: it must answer at once, not sit waiting for a person."""
    done = subprocess.run([str(CPCTL), "init"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr, done.stdout) == (1, NEEDS_ALL + "\n", "")


# -- questions answered in-process, through prompt_toolkit's pipe input
@pytest.fixture
def keyboard() -> Iterator:
    """A pipe that questionary reads keys from, with output thrown away (questionary's own test set-up)."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        yield pipe


def test_the_questions_and_their_defaults(keyboard) -> None:
    keyboard.send_text("Testshire County Council (synthetic)" + ENTER + DOWN + ENTER + CHAIR + ENTER + DOWN + ENTER)
    answers = init_command.ask_init(
        ["authority", "jurisdiction", "name", "role"], authority=None, jurisdiction=None, name=None
    )
    assert answers == {
        "authority": "Testshire County Council (synthetic)",
        "jurisdiction": "wales",
        "name": CHAIR,
        "role": "social-worker",
    }


def test_only_missing_questions_are_asked_and_the_store_offers_defaults(keyboard) -> None:
    keyboard.send_text(ENTER + ENTER)  # accept what the store already holds
    answers = init_command.ask_init(["jurisdiction", "name"], authority=AUTHORITY, jurisdiction="scotland", name=CHAIR)
    assert answers == {"jurisdiction": "scotland", "name": CHAIR}


def test_an_empty_answer_is_not_accepted(keyboard) -> None:
    keyboard.send_text(ENTER + "   " + ENTER + "Testshire" + ENTER)
    assert init_command.ask_init(["authority"], authority=None, jurisdiction=None, name=None) == {
        "authority": "   Testshire"
    }


def test_ctrl_c_at_a_question_cancels(keyboard) -> None:
    from cpctl.errors import Cancelled

    keyboard.send_text("Testshire" + ENTER + CTRL_C)
    with pytest.raises(Cancelled):
        init_command.ask_init(["authority", "jurisdiction"], authority=None, jurisdiction=None, name=None)


def test_init_in_a_terminal_sets_the_store_up(
    cli: Run, store: StoreRef, keyboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(init_command, "interactive", lambda: True)
    keyboard.send_text(DOWN + DOWN + ENTER + "Ada Fictional" + ENTER)
    out = ok(cli("init", "--authority", AUTHORITY, "--role", "manager"))
    assert out == f"This store is set up for {AUTHORITY} (scotland). You are Ada Fictional, Team manager (P00001).\n"
    assert settings_of(store) == [("authority", AUTHORITY), ("jurisdiction", "scotland")]


def test_ctrl_c_in_init_saves_nothing(cli: Run, store: StoreRef, keyboard, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(init_command, "interactive", lambda: True)
    keyboard.send_text("Testshire" + ENTER + CTRL_C)
    result = cli("init")
    assert (result.exit_code, result.stderr) == (130, CANCELLED + "\n")
    assert "Cancelled by user" not in result.stdout  # questionary's own word: one line says it, not two
    assert settings_of(store) == []
    assert rows(store, "SELECT count(*) FROM audit_entry") == [(0,)]


# -- the real program in a pseudo-terminal, typed into as a person would
def spawn_init():  # type: ignore[no-untyped-def]
    import pexpect

    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    return pexpect.spawn(str(CPCTL), ["init"], env=env, dimensions=(40, 200), encoding="utf-8", timeout=60)


@pytest.mark.slow
def test_init_in_a_pseudo_terminal(store: StoreRef) -> None:
    import pexpect

    child = spawn_init()
    try:
        child.expect_exact("Local authority:")
        child.send("Testshire County Council (synthetic)" + ENTER)
        child.expect_exact("Jurisdiction:")
        child.send(DOWN + ENTER)  # england is first; one down is wales
        child.expect_exact("Your name:")
        child.send(CHAIR + ENTER)
        child.expect_exact("Your role:")
        child.send(DOWN + ENTER)  # Conference chair is first; one down is Lead social worker
        child.expect_exact("This store is set up for Testshire County Council (synthetic) (wales).")
        child.expect_exact(f"You are {CHAIR}, Lead social worker (P00001).")
        child.expect_exact(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert settings_of(store) == [
        ("authority", "Testshire County Council (synthetic)"),
        ("jurisdiction", "wales"),
    ]
    assert rows(store, "SELECT name, role FROM person") == [(CHAIR, "Lead social worker")]


@pytest.mark.slow
def test_ctrl_c_at_the_second_question_in_a_pseudo_terminal(store: StoreRef) -> None:
    import pexpect

    child = spawn_init()
    try:
        child.expect_exact("Local authority:")
        child.send("Testshire County Council (synthetic)" + ENTER)
        child.expect_exact("Jurisdiction:")
        child.send(CTRL_C)
        child.expect_exact(CANCELLED)
        said = str(child.before)
        child.expect_exact(pexpect.EOF)
    finally:
        child.close()
    assert "Cancelled by user" not in said  # one line says it, not two
    assert child.exitstatus == 130
    assert settings_of(store) == []
    assert rows(store, "SELECT count(*) FROM person") == [(0,)]
    assert rows(store, "SELECT count(*) FROM audit_entry") == [(0,)]
