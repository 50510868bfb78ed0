"""Finding children and people the way people name them (issue 14), a repeated --child, hints that name the
child, the demo's own store on the way out, and the README's install line.

An id matches in any case, a child or a person is found by full name or by given name, an ambiguous name lists
the candidates (one a line) and exits 1, and a near miss suggests the record it was probably meant to be;
everywhere a child or a person is named. Everyone here is invented.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

import plan_fixtures
from backends import StoreRef
from helpers import CANCELLED, Run, failed, ok, ok_json, rows
from plan_fixtures import example_core_group, on, write

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def family(cli: Run, initialised: StoreRef) -> StoreRef:
    """Two Testwood children, a Harrowgate child who shares a given name with one of them, and two parents."""
    ok(cli("child", "add", "Leo", "Testwood", "--id", "WB-2001", "--dob", "2019-03-03", "--family", "Testwood"))
    ok(cli("child", "add", "Mia", "Testwood", "--id", "WB-2002", "--dob", "2021-08-30", "--family", "Testwood"))
    ok(cli("child", "add", "Leo", "Harrowgate", "--id", "WB-2003", "--dob", "2020-05-01"))
    ok(cli("person", "add", "Dana Harrowgate", "--kind", "parent", "--role", "Mother"))  # P00002
    ok(cli("person", "add", "Sam Testwood", "--kind", "parent", "--role", "Father"))  # P00003
    return initialised


def shown_id(cli: Run, key: str) -> str:
    return str(ok_json(cli("child", "show", key, "--json"))["id"])


def shown_ref(cli: Run, key: str) -> str:
    return str(ok_json(cli("person", "show", key, "--json"))["ref"])


# -- ids in any case, names, given names ---------------------------------------------------------------------
@pytest.mark.usefixtures("family")
def test_an_id_matches_in_any_case(cli: Run) -> None:
    assert shown_id(cli, "wb-2001") == "WB-2001"
    assert shown_id(cli, "Wb-2002") == "WB-2002"
    assert shown_ref(cli, "p00002") == "P00002"


@pytest.mark.usefixtures("family")
def test_a_child_is_found_by_full_name_or_by_a_given_name_only_they_have(cli: Run) -> None:
    assert shown_id(cli, "Mia") == "WB-2002"
    assert shown_id(cli, "mia") == "WB-2002"
    assert shown_id(cli, "leo testwood") == "WB-2001"
    assert shown_id(cli, "Harrowgate") == "WB-2003"  # the only child of that family name


@pytest.mark.usefixtures("family")
def test_a_person_is_found_by_full_name_or_by_a_first_or_last_name_only_they_have(cli: Run) -> None:
    assert shown_ref(cli, "Dana") == "P00002"
    assert shown_ref(cli, "dana harrowgate") == "P00002"
    assert shown_ref(cli, "Testwood") == "P00003"


@pytest.mark.usefixtures("family")
def test_a_name_several_children_share_lists_them_and_exits_1(cli: Run, unchanged: Callable[[], None]) -> None:
    failed(
        cli("child", "show", "Leo"),
        "Error: 2 children match 'Leo'; name one by their id:\n"
        "  WB-2001  Leo Testwood, born 3 Mar 2019\n"
        "  WB-2003  Leo Harrowgate, born 1 May 2020",
    )
    failed(
        cli("child", "edit", "testwood", "--gender", "boy"),
        "Error: 2 children match 'testwood'; name one by their id:\n"
        "  WB-2001  Leo Testwood, born 3 Mar 2019\n"
        "  WB-2002  Mia Testwood, born 30 Aug 2021",
    )
    unchanged()


@pytest.mark.usefixtures("family")
def test_a_name_several_people_share_lists_them_with_their_roles(cli: Run) -> None:
    ok(cli("person", "add", "Dana Okafor", "--role", "Health visitor", "--agency", "Testshire Health"))
    failed(
        cli("person", "show", "dana"),
        "Error: 2 people match 'dana'; name one by their reference:\n"
        "  P00002  Dana Harrowgate, Mother\n"
        "  P00004  Dana Okafor, Health visitor, Testshire Health",
    )


@pytest.mark.usefixtures("family")
@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("WB-2010", "WB-2001 (Leo Testwood)"),  # two digits the wrong way round
        ("Mai", "WB-2002 (Mia Testwood)"),
        ("Mia Testwod", "WB-2002 (Mia Testwood)"),
        ("Harowgate", "WB-2003 (Leo Harrowgate)"),
        ("Loe", "WB-2001 (Leo Testwood) or WB-2003 (Leo Harrowgate)"),
    ],
)
def test_a_near_miss_suggests_the_child_it_was_probably_meant_to_be(cli: Run, typed: str, meant: str) -> None:
    failed(
        cli("child", "show", typed),
        f"Error: no child with id or name {typed!r}; did you mean {meant}? If not, see `cpctl child list` for the "
        "children in this store.",
    )


@pytest.mark.usefixtures("family")
def test_a_near_miss_suggests_the_person_it_was_probably_meant_to_be(cli: Run) -> None:
    failed(
        cli("person", "show", "Dnaa Harrowgate"),
        "Error: no person with reference or name 'Dnaa Harrowgate'; did you mean P00002 (Dana Harrowgate)? If not, "
        "see `cpctl person list`, or add them with `cpctl person add`.",
    )


@pytest.mark.usefixtures("family")
def test_a_name_like_no_one_suggests_nothing(cli: Run) -> None:
    failed(
        cli("child", "show", "Zebedee"),
        "Error: no child with id or name 'Zebedee'; see `cpctl child list` for the children in this store.",
    )
    failed(cli("child", "show", "  "), "Error: name the child: give their id or their name.")


@pytest.mark.usefixtures("initialised")
def test_a_name_with_an_accented_capital_typed_in_small_letters(cli: Run) -> None:
    """SQLite's lower() leaves É as it is; the name is still found."""
    ok(cli("child", "add", "Éamon", "Ó Briain", "--id", "OB-1", "--dob", "2019-03-04"))
    ok(cli("person", "add", "Áine Ó Briain", "--kind", "parent"))
    assert shown_id(cli, "éamon ó briain") == "OB-1"
    assert shown_id(cli, "éamon") == "OB-1"
    assert shown_ref(cli, "áine ó briain") == "P00002"


@pytest.mark.usefixtures("initialised")
def test_two_children_with_an_accented_given_name_typed_in_small_letters_are_listed(cli: Run) -> None:
    ok(cli("child", "add", "Éamon", "Ó Briain", "--id", "OB-1", "--dob", "2019-03-04"))
    ok(cli("child", "add", "Éamon", "Byrne", "--id", "EB-1", "--dob", "2020-06-01"))
    failed(
        cli("child", "show", "éamon"),
        "Error: 2 children match 'éamon'; name one by their id:\n"
        "  OB-1  Éamon Ó Briain, born 4 Mar 2019\n"
        "  EB-1  Éamon Byrne, born 1 Jun 2020",
    )


# -- everywhere a child or a person is named -----------------------------------------------------------------
@pytest.fixture
def testwood_store(make_store: Callable[..., StoreRef]) -> StoreRef:
    """The demo's Testwoods with the example initial conference 20 days ago: Jamie (DEMO-1001) and Mia
    (DEMO-1002) on plans, Jordan Ashby (P00004) their lead worker."""
    return plan_fixtures.testwoods(make_store("testwoods.db"), conference_on=date.today() - timedelta(days=20))


@pytest.mark.parametrize(
    ("exact", "casual"),
    [
        (("child", "show", "DEMO-1001"), ("child", "show", "jamie")),
        (("plan", "show", "DEMO-1001"), ("plan", "show", "demo-1001")),
        (("plan", "history", "DEMO-1002"), ("plan", "history", "Mia")),
        (("plan", "check", "DEMO-1001"), ("plan", "check", "Jamie Testwood")),
        (("core-group", "list", "DEMO-1001"), ("core-group", "list", "Jamie")),
        (("visit", "list", "DEMO-1002"), ("visit", "list", "mia")),
        (("conference", "list", "--child", "DEMO-1002"), ("conference", "list", "--child", "Mia")),
        (("person", "list", "--child", "DEMO-1001"), ("person", "list", "--child", "jamie")),
        (("audit", "log", "--child", "DEMO-1001"), ("audit", "log", "--child", "demo-1001")),
        (("due", "--all", "--child", "DEMO-1002"), ("due", "--all", "--child", "MIA")),
        (("due", "--all", "--worker", "P00004"), ("due", "--all", "--worker", "Jordan")),
        (("person", "show", "P00004"), ("person", "show", "jordan ashby")),
    ],
    ids=lambda args: " ".join(args),
)
def test_every_command_finds_them_the_same_way(
    testwood_store: StoreRef, exact: tuple[str, ...], casual: tuple[str, ...]
) -> None:
    first, second = ok(on(testwood_store, *casual)), ok(on(testwood_store, *exact))
    if testwood_store.path is None and exact[:2] == ("audit", "log"):
        # On PostgreSQL the first `audit log --child` is in the read log the second shows (each is written when
        # its command has read what it shows).
        reads = [line for line in second.splitlines() if "read.show" in line]
        assert [("audit log: looked at DEMO-1001" in line) for line in reads] == [True]
        second = "\n".join(line for line in second.splitlines() if line not in reads) + "\n"
    assert first == second


def test_a_file_for_the_child_named_in_another_way_is_accepted(testwood_store: StoreRef, tmp_path: Path) -> None:
    data = example_core_group(date.today() - timedelta(days=2))
    del data["sent_on"]
    data["child"] = "jamie"  # the file names Jamie by his given name, the command line by his id in small letters
    path = write(tmp_path / "core-group.yaml", data)
    assert "Recorded the core group of" in ok(on(testwood_store, "core-group", "record", "demo-1001", "--from", path))


def test_the_wizards_find_the_child_the_same_way(testwood_store: StoreRef) -> None:
    from cpctl.commands.wizards.context import find_child, load_context

    store = testwood_store.open()
    try:
        assert find_child(store, "jamie") == "DEMO-1001"
        assert list(load_context(store, only="demo-1002").children) == ["DEMO-1002"]
    finally:
        store.dispose()


# -- what finding costs ---------------------------------------------------------------------------------------
@pytest.fixture
def statements(family: StoreRef) -> Iterator[Callable[[Callable[..., object], str], int]]:
    """count(find, key): the SQL statements one find_child or find_person issues."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    store = family.open()
    seen: list[str] = []

    def counter(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    def count(find: Callable[..., object], key: str) -> int:
        with store.read() as session:
            session.connection()  # the session's own statements are not the finder's
            seen.clear()
            event.listen(Engine, "before_cursor_execute", counter)
            try:
                find(session, key)
            except Exception:  # noqa: BLE001, S110  (a miss costs statements too)
                pass
            finally:
                event.remove(Engine, "before_cursor_execute", counter)
        return len(seen)

    try:
        yield count
    finally:
        store.dispose()


def test_an_exact_id_costs_one_statement_and_reads_no_one_else(
    statements: Callable[[Callable[..., object], str], int],
) -> None:
    from cpctl.casework.people import find_child, find_person

    assert statements(find_child, "WB-2001") == 1
    assert statements(find_child, "wb-2001") == 1  # tried in capitals in the same statement
    assert statements(find_person, "P00002") == 1
    assert statements(find_child, "Mia") == 2  # the id, then the names, in the database
    assert statements(find_person, "Dana") == 2
    assert statements(find_child, "Zebedee") == 3  # only a miss reads every child's id and name, to suggest one


# -- a repeated --child ----------------------------------------------------------------------------------------
def links(store: StoreRef, person: str) -> list[tuple[str, str]]:
    return rows(
        store,
        "SELECT c.ref, cp.relationship FROM child_person cp JOIN child c ON c.id = cp.child_id "
        "JOIN person p ON p.id = cp.person_id WHERE p.ref = ? ORDER BY c.ref",
        (person,),
    )


def test_person_add_links_every_child_given(cli: Run, family: StoreRef) -> None:
    assert ok(
        cli("person", "add", "Dana Harrowgate", "--kind", "parent", "--child", "WB-2001", "--child", "WB-2002")
    ) == ("Added parent P00004: Dana Harrowgate, linked to WB-2001 and WB-2002\n")
    assert links(family, "P00004") == [("WB-2001", "parent"), ("WB-2002", "parent")]


def test_person_edit_links_every_child_given_and_each_child_once(cli: Run, family: StoreRef) -> None:
    assert ok(cli("person", "edit", "P00003", "--child", "wb-2001", "--child", "Mia", "--child", "Leo Testwood")) == (
        "Updated P00003: child\n"
    )
    ok(cli("person", "edit", "P00003", "--child", "WB-2001", "--child", "WB-2002", "--relationship", "father"))
    assert links(family, "P00003") == [("WB-2001", "father"), ("WB-2002", "father")]


@pytest.mark.usefixtures("family")
def test_a_second_child_that_is_not_found_saves_nothing(cli: Run, unchanged: Callable[[], None]) -> None:
    failed(
        cli("person", "add", "Dana Harrowgate", "--kind", "parent", "--child", "WB-2001", "--child", "WB-9999"),
        "Error: no child with id or name 'WB-9999'; see `cpctl child list` for the children in this store.",
    )
    unchanged()


@pytest.mark.usefixtures("family")
@pytest.mark.parametrize(
    "command", [("person", "list"), ("conference", "list"), ("audit", "log"), ("due",)], ids=" ".join
)
def test_a_repeated_child_is_refused_where_one_is_taken(cli: Run, command: tuple[str, ...]) -> None:
    failed(
        cli(*command, "--child", "WB-2001", "--child", "WB-2002"),
        "Error: Invalid value for --child: given 2 times (WB-2001, WB-2002); this command takes one child: give "
        f"--child once. (see 'cpctl {' '.join(command)} --help')",
        code=2,
    )


# -- hints name the child ---------------------------------------------------------------------------------------
def test_the_hint_after_a_core_group_names_the_child(testwood_store: StoreRef, tmp_path: Path) -> None:
    data = example_core_group(date.today() - timedelta(days=2))
    del data["sent_on"]
    done = ok(on(testwood_store, "core-group", "record", "--from", write(tmp_path / "core-group.yaml", data)))
    assert "When the revised plan and minutes go out: `cpctl core-group sent DEMO-1001 --on DATE`." in done
    assert "CHILD" not in done


def test_the_hints_of_plan_edit_name_the_child(testwood_store: StoreRef, tmp_path: Path) -> None:
    failed(
        on(testwood_store, "plan", "edit", "DEMO-1001"),
        "Error: cpctl plan edit asks its questions in a terminal, and there is none here: give the revised plan with "
        "--from FILE (`cpctl plan show DEMO-1001 --json` gives the current one under 'content').",
    )
    missing = tmp_path / "missing.yaml"
    failed(
        on(testwood_store, "plan", "edit", "Jamie Testwood", "--from", str(missing)),
        f"Error: there is no file {missing}; check the path (`cpctl plan show 'Jamie Testwood' --json` writes an "
        "example).",
    )


# -- the demo's own store --------------------------------------------------------------------------------------
def test_the_demo_says_where_its_store_stays_and_how_to_remove_it(cli: Run, data_dir: Path) -> None:
    shown = ok(cli("demo"))
    assert f"It stays there for exploring; when you are done:  rm -r {data_dir / 'demo'}\n" in shown


@pytest.mark.parametrize(("stop", "code"), [(KeyboardInterrupt, 130), (RuntimeError, 1)])
def test_a_demo_stopped_or_failing_leaves_no_half_built_store(
    cli: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch, stop: type[BaseException], code: int
) -> None:
    from cpctl.demo import testwoods as demo_data

    def stopped(*args: object, **kwargs: object) -> str:
        raise stop()

    monkeypatch.setattr(demo_data, "record_plan_life", stopped)
    result = cli("demo")
    assert result.exit_code == code
    if stop is KeyboardInterrupt:
        assert result.stderr == CANCELLED + "\n"
    assert [p.name for p in (data_dir / "demo").iterdir()] == []


def test_a_failing_demo_leaves_a_store_the_user_named_alone(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cpctl.demo import testwoods as demo_data

    def stopped(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(demo_data, "record_plan_life", stopped)
    target = tmp_path / "mine.db"
    assert cli("demo", "--db", str(target)).exit_code == 130
    assert target.exists()


# -- the README ------------------------------------------------------------------------------------------------
def test_the_readme_install_line_puts_cpctl_on_the_path_the_tour_uses() -> None:
    """The tour types a bare `cpctl`: the install line activates the virtual environment first, and every
    command after that is the bare one the tour uses."""
    text = README.read_text(encoding="utf-8")
    try_it = text.split("## Try it", 1)[1].split("\n## ", 1)[0]
    install = re.search(r"```sh\n(.*?)\n", try_it)
    assert install is not None
    steps = [step.strip() for step in install.group(1).split("&&")]
    assert ". .venv/bin/activate" in steps, steps
    after = steps[steps.index(". .venv/bin/activate") + 1 :]
    assert after and all(not step.startswith(".venv/bin/") for step in after), steps
    assert "cpctl demo" in after
    tour = text.split("## A tour", 1)[1]
    assert "$ cpctl " in tour and "$ .venv/bin/cpctl" not in tour
