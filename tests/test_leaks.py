"""No personal data in what cpctl prints when it fails: a child's name and date of birth never reach stderr,
with or without --debug, unless the person asked to see that child's record.

The failures are the ones that could carry them: a bug whose message quotes a record, a database driver's error
that quotes the values it refused (a SQLAlchemy error would print the statement's parameters too), and the
mistakes people make about a child that is in the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

import cpctl.cli
from backends import StoreRef
from cpctl.casework import people
from helpers import ok

GIVEN, FAMILY = "Zephyrine", "Quillfeather"  # invented, and unlike anything cpctl prints of its own
DOB = "2017-06-14"
DOB_FORMS = (DOB, "14/06/2017", "14 June 2017", "14 Jun 2017", "2017, 6, 14", "datetime.date(2017")


def run(*args: str, debug: bool) -> Any:
    result = CliRunner().invoke(
        cpctl.cli.app, [*(["--debug"] if debug else []), *args], prog_name="cpctl", catch_exceptions=False
    )
    return result


def assert_nothing_personal(text: str) -> None:
    for secret in (GIVEN, FAMILY, *DOB_FORMS):
        assert secret not in text, f"{secret!r} was printed:\n{text}"


@pytest.fixture
def child(cli: Any, initialised: StoreRef) -> Iterator[str]:
    ok(cli("child", "add", GIVEN, FAMILY, "--id", "ZQ-1", "--dob", DOB))
    ok(cli("person", "add", "Ola Brennan", "--role", "Health visitor", "--agency", "Testshire Health"))
    yield "ZQ-1"


def quoting_bug(*_args: Any, **_kwargs: Any) -> None:
    raise RuntimeError(f"could not work out the deadlines of {GIVEN} {FAMILY}, born {DOB}")


def unbindable(session: Any, *_args: Any, **_kwargs: Any) -> None:
    """A statement whose parameters (the child's details) cannot be bound: SQLAlchemy's error would list them."""
    from sqlalchemy import String, TypeDecorator, bindparam, text

    class Refusing(TypeDecorator):  # type: ignore[type-arg]
        impl = String
        cache_ok = True

        def process_bind_param(self, value: Any, dialect: Any) -> Any:
            raise ValueError("this type takes no text")  # as SQLAlchemy's own types say it: without the value

    statement = text("SELECT :name, :born").bindparams(bindparam("name", type_=Refusing()))
    session.connection().execute(statement, {"name": f"{GIVEN} {FAMILY}", "born": DOB})


def refused_by_the_database(session: Any, *_args: Any, **_kwargs: Any) -> None:
    """A real refusal, its parameters the child's details: a server quotes a value it cannot read as a date."""
    from sqlalchemy import text

    if session.connection().dialect.name == "postgresql":
        session.connection().execute(text("SELECT CAST(:name AS date)"), {"name": f"{GIVEN} {FAMILY} {DOB}"})
    session.connection().execute(
        text("INSERT INTO child (id, ref, given_name, family_name, date_of_birth, preferred_language, "
             "interpreter_needed) VALUES (1, :ref, :given, :family, :born, 'English', false)"),
        {"ref": "ZQ-2", "given": GIVEN, "family": FAMILY, "born": DOB},
    )  # fmt: skip


def driver_error(*_args: Any, **_kwargs: Any) -> None:
    """What a server's driver raises for a value it will not take, its message quoting the value."""
    from sqlalchemy.exc import DataError

    raise DataError(
        "UPDATE child SET given_name=%(name)s WHERE child.id = %(id)s",
        {"name": f"{GIVEN} {FAMILY}", "id": 1},
        Exception(f'invalid input syntax for type date: "{DOB}"\nDETAIL: Key (given_name)=({GIVEN}) is wrong'),
    )


FAILURES = {
    "a-bug-quoting-the-record": (quoting_bug, "internal"),
    "parameters-that-cannot-be-bound": (unbindable, "internal"),
    "a-statement-the-database-refuses": (refused_by_the_database, "store"),
    "a-driver-error-quoting-values": (driver_error, "store"),
}


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("failure", list(FAILURES))
def test_a_failing_change_prints_nothing_personal(
    child: str, monkeypatch: pytest.MonkeyPatch, failure: str, debug: bool
) -> None:
    """Correcting a date of birth recomputes the child's deadlines; here that step fails, in four ways."""
    replacement, kind = FAILURES[failure]
    monkeypatch.setattr(people, "_refresh_deadlines", replacement)
    result = run("child", "edit", child, "--dob", "2017-06-15", debug=debug)
    assert result.exit_code == 1 and result.stdout == ""
    assert_nothing_personal(result.stderr)
    if kind == "internal" and debug:
        assert result.stderr.startswith("Traceback (most recent call last):\n")
        assert "(message hidden: it may hold personal data)" in result.stderr
    else:
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert run("child", "show", child, "--json", debug=False).stdout.count(DOB) == 1  # nothing was saved


def test_the_store_never_lets_a_statement_error_quote_its_parameters(initialised: StoreRef) -> None:
    """The second layer, for any error text that is ever shown: SQLAlchemy leaves the values out of it."""
    from sqlalchemy.exc import StatementError

    store = initialised.open()
    try:
        with pytest.raises(StatementError) as caught, store.read() as session:
            unbindable(session)
    finally:
        store.dispose()
    assert GIVEN not in str(caught.value) and "parameters hidden" in str(caught.value)


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_mistakes_about_a_child_in_the_store_print_nothing_personal(child: str, debug: bool, tmp_path: Any) -> None:
    """Everything a person may get wrong about a child: the error names the child by reference at most."""
    review = tmp_path / "review.yaml"
    review.write_text(
        f"kind: review\ndate: 2020-01-01\ndecisions:\n  - child: {child}\n    outcome: plan-continues\n",
        encoding="utf-8",
    )
    visit = tmp_path / "visit.json"
    visit.write_text(f'{{"child": "{child}", "date": "2016-01-01", "visitor": "P00002"}}', encoding="utf-8")
    mistakes = [
        ("child", "add", "Someone", "Else", "--id", child, "--dob", "2018-01-01"),
        ("child", "edit", child, "--dob", "2999-01-01"),
        ("child", "edit", child, "--gender", "\x1b[31m"),
        ("child", "strategy", child, "--on", "2999-01-01"),
        ("visit", "record", child, "--on", "2016-01-01", "--visitor", "P00002", "--announced", "--alone", "--bedroom"),
        ("visit", "record", "--from", str(visit)),
        ("conference", "new", "--from", str(review)),
        ("core-group", "record", "--from", str(review)),
        ("plan", "show", child),
        ("plan", "edit", child, "--from", str(review)),
        ("core-group", "sent", child, "--on", "2020-01-01"),
    ]
    for args in mistakes:
        result = run(*args, debug=debug)
        assert result.exit_code in (1, 2), (args, result.output)
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, (args, result.stderr)
        assert_nothing_personal(result.stderr)


def test_asking_for_the_record_shows_it(child: str) -> None:
    """The other side: the child's own record does show their name and date of birth."""
    shown = run("child", "show", child, debug=False)
    assert f"{GIVEN} {FAMILY}" in shown.stdout and "14 Jun 2017" in shown.stdout
