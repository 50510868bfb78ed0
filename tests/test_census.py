"""`cpctl census`: the Children in Need census from the demo and from a synthetic authority, valid against the
DfE schema; `--check` child by child; the file refused while anything is missing; England's only.

The demo records every item the census needs through cpctl's own commands (child add, child referral, the
section 47 in conference new); a test that needs something missing takes it away with SQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from backends import StoreRef
from helpers import Run, execute, failed, ok, rows

SCHEMA = Path(__file__).parent / "fixtures" / "census" / "CIN_schema_2024.xsd"


def schema_problems(data: bytes) -> list[str]:
    """What the DfE schema, as given, says about a census file, bar one thing: NumberOfPreviousCPP = 0, which this
    schema's xs:positiveInteger refuses and the DfE's rules allow (checked against the schema with that one type
    widened to xs:nonNegativeInteger instead)."""
    from lxml import etree

    document = etree.fromstring(data)
    as_given = etree.XMLSchema(etree.parse(str(SCHEMA)))
    if as_given.validate(document):
        return []
    errors = [str(e.message) for e in as_given.error_log]
    assert all("NumberOfPreviousCPP" in e and "'0'" in e for e in errors), errors
    text = SCHEMA.read_bytes().replace(
        b'name="NumberOfPreviousCPP" type="xs:positiveInteger"',
        b'name="NumberOfPreviousCPP" type="xs:nonNegativeInteger"',
    )
    widened = etree.XMLSchema(etree.fromstring(text))
    widened.validate(document)
    return [str(e.message) for e in widened.error_log]


def census_year(day: date) -> int:
    return day.year + 1 if day.month >= 4 else day.year


def unrecord(store: StoreRef) -> None:
    """Take away what the demo records for the census, as if it had never been asked: the LA code, Jamie's
    ethnicity and Mia's referral."""
    execute(
        store,
        "DELETE FROM setting WHERE key = 'census_lea'",
        "UPDATE child SET ethnicity = NULL WHERE ref = 'DEMO-1001'",
        "DELETE FROM cin_episode WHERE child_id = (SELECT id FROM child WHERE ref = 'DEMO-1002')",
    )


@pytest.fixture
def demo(cli: Run, make_store: Callable[..., StoreRef]) -> StoreRef:
    target = make_store("demo.db")
    ok(cli("demo", "--db", str(target)))
    return target


def demo_year(store: StoreRef) -> int:
    ((started,),) = rows(store, "SELECT min(started_on) FROM plan")
    return census_year(date.fromisoformat(str(started)))


def test_check_lists_what_is_missing_child_by_child(cli: Run, demo: StoreRef) -> None:
    unrecord(demo)
    year = demo_year(demo)
    result = cli("--db", str(demo), "census", "--year", str(year), "--check")
    assert result.exit_code == 1
    out = result.stdout
    assert out.startswith(f"Census {year} ({year - 1}-04-01 to {year}-03-31): 2 children; 3 to fix for 2 of them:\n")
    assert "  the authority's 3-digit LA code (LEA) is not set: set it with `cpctl init --lea NNN`" in out
    assert "  DEMO-1001: missing: the ethnicity code. Set it: `cpctl child edit DEMO-1001 --ethnicity CODE`.\n" in out
    assert "  DEMO-1002: rule 8590: the child has no referral recorded" in out


def test_the_demo_census_is_complete_and_valid(cli: Run, demo: StoreRef, tmp_path: Path) -> None:
    year = demo_year(demo)
    assert ok(cli("--db", str(demo), "census", "--year", str(year), "--check")) == (
        f"Census {year} ({year - 1}-04-01 to {year}-03-31): 2 children, nothing missing or wrong.\n"
    )
    target = tmp_path / "cin.xml"
    assert ok(cli("--db", str(demo), "census", "--year", str(year), "-o", str(target))) == (
        f"Wrote {target}: the census {year}, 2 children.\n"
    )
    data = target.read_bytes()
    assert schema_problems(data) == []
    text = data.decode()
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>\n<Message>\n  <Header>")
    assert "<LAchildID>DEMO1001</LAchildID>" in text and "<LEA>999</LEA>" in text
    assert "<SoftwareCode>cpctl</SoftwareCode>" in text
    ((started, held),) = rows(
        demo,
        "SELECT section47.started_on, conference.held_on FROM section47 JOIN conference "
        "ON conference.id = section47.conference_id JOIN child ON child.id = section47.child_id "
        "WHERE child.ref = 'DEMO-1001'",
    )
    assert f"<S47ActualStartDate>{started}</S47ActualStartDate>" in text
    assert f"<CPPstartDate>{held}</CPPstartDate>" in text
    assert re.search(r"<InitialCPCtarget>\d{4}-\d\d-\d\d</InitialCPCtarget>", text)
    # the review that ended DEMO-1002's plan is one of its reviews
    ((ended,),) = rows(
        demo, "SELECT plan.ended_on FROM plan JOIN child ON child.id = plan.child_id WHERE child.ref = 'DEMO-1002'"
    )
    if ended is not None:
        assert f"<CPPendDate>{ended}</CPPendDate>" in text
        assert f"<CPPreviewDate>{ended}</CPPreviewDate>" in text
    assert audit_actions_of(demo)[-1] == "census.export"


def audit_actions_of(store: StoreRef) -> list[str]:
    return [action for (action,) in rows(store, "SELECT action FROM audit_entry ORDER BY id")]


def test_the_file_is_refused_while_anything_is_missing(cli: Run, demo: StoreRef, tmp_path: Path) -> None:
    unrecord(demo)
    year = demo_year(demo)
    target = tmp_path / "cin.xml"
    failed(
        cli("--db", str(demo), "census", "--year", str(year), "-o", str(target)),
        f"Error: the census {year} has 3 things missing or wrong; nothing was written. See `cpctl census --year "
        f"{year} --check`.",
    )
    assert not target.exists()
    assert "census.export" not in audit_actions_of(demo)


@pytest.mark.sqlite_only  # the synthetic generator writes SQLite stores only; the demo's census runs on both
def test_a_synthetic_authority_census_is_valid(cli: Run, make_store: Callable[..., StoreRef], tmp_path: Path) -> None:
    target = make_store("synthetic.db")
    assert cli("demo", "--db", str(target), "--children", "30").exit_code == 0  # the generator fills the items
    ((latest,),) = rows(target, "SELECT max(held_on) FROM conference")
    year = census_year(date.fromisoformat(str(latest)))
    result = cli("--db", str(target), "census", "--year", str(year), "--check")
    assert result.exit_code in (0, 1)
    broken = [line for line in result.stdout.splitlines()[1:] if "rule" in line]
    # a synthetic authority may hold conferences on a weekend (8875) or be short of a referral; nothing else
    assert all(re.search(r"rule (8875|8590)", line) for line in broken), broken
    assert result.exit_code == 0, result.stdout
    output = tmp_path / "synthetic.xml"
    ok(cli("--db", str(target), "census", "--year", str(year), "-o", str(output)))
    assert schema_problems(output.read_bytes()) == []


def test_the_census_is_englands(cli: Run, make_store: Callable[..., StoreRef]) -> None:
    target = make_store("wales.db")
    ok(
        cli(
            "--db",
            str(target),
            "init",
            "--authority",
            "Testshire (synthetic)",
            "--jurisdiction",
            "wales",
            "--name",
            "Ada Fictional",
            "--role",
            "chair",
        )
    )
    failed(
        cli("--db", str(target), "census", "--year", "2027", "--check"),
        "Error: the Children in Need census is England's return; this store follows another nation.",
    )


def test_check_or_a_file(cli: Run, initialised: StoreRef, tmp_path: Path) -> None:
    result = cli("census", "--year", "2027")
    assert result.exit_code == 2 and "say what to do: --check, or -o FILE" in result.stderr
    result = cli("census", "--year", "2027", "--check", "-o", str(tmp_path / "x.xml"))
    assert result.exit_code == 2 and "choose one: --check, or -o FILE." in result.stderr


def test_an_empty_year_says_so(cli: Run, initialised: StoreRef) -> None:
    result = cli("census", "--year", "2027", "--check")
    assert result.exit_code == 1
    assert "no child had a section 47, an initial conference or a plan between 2026-04-01 and 2027-03-31." in (
        result.stdout
    )


def test_recording_a_conference_warns_of_a_census_rule_it_breaks(tmp_path: Path) -> None:
    """England: the plan starts while the child's referral episode is closed (8565): a warning on stderr with the
    rule's number, the conference saved all the same; with the episode open, no warning."""
    from cpctl.demo import testwoods as demo
    from cpctl.paths import sqlite_url
    from cpctl.store.database import Store
    from test_conference import days_ago, initial, record, write

    for closed, warned in ((True, True), (False, False)):
        path = tmp_path / f"family-{closed}.db"
        store = Store(sqlite_url(path))
        demo.build(store)
        store.dispose()
        referral = days_ago(60)
        closing = f"'{days_ago(0)}', 'RC7'" if closed else "NULL, NULL"
        execute(
            path,
            "INSERT INTO cin_episode (child_id, referral_on, referral_source, primary_need, closed_on, "
            f"closure_reason, referral_nfa, recorded_at) SELECT id, '{referral}', '6', 'N1', {closing}, FALSE, "
            "'2026-01-01T00:00:00Z' FROM child WHERE ref = 'DEMO-1001'",
        )
        result = record(path, write(tmp_path, initial(days_ago(3))))
        assert result.exit_code == 0, result.output
        warning = (
            "Warning: census rule 8565: child DEMO-1001: something is dated after the episode closed: plan "
            f"{days_ago(3)} is still open. Close the episode after the plan ends.\n"
        )
        assert (warning in result.stderr) == warned, result.stderr


def test_correcting_a_conference_warns_of_a_census_rule_it_now_breaks(cli: Run, demo: StoreRef) -> None:
    """A conference's date corrected onto a weekend (8875) warns as recording it would; moved back to a weekday,
    nothing is said. Both the correction and the move save all the same."""
    ((held, ref),) = rows(demo, "SELECT held_on, ref FROM conference WHERE kind = 'initial'")
    held_on = date.fromisoformat(str(held))
    saturday = held_on + timedelta(days=(5 - held_on.weekday()) % 7 or 7)
    weekday = saturday + timedelta(days=2)  # the Monday after
    corrected = cli("--db", str(demo), "conference", "correct", ref, "--date", saturday.isoformat(), "--reason", "x")
    assert corrected.exit_code == 0, corrected.output
    assert corrected.stderr.count("Warning: census rule 8875: ") == 2, corrected.stderr  # each child of it
    assert f"the initial conference is dated on a weekend: {saturday.isoformat()}" in corrected.stderr
    moved = cli("--db", str(demo), "conference", "move", ref, "--to", weekday.isoformat())
    assert moved.exit_code == 0, moved.output
    assert "census rule" not in moved.stderr
    ((now,),) = rows(demo, f"SELECT held_on FROM conference WHERE ref = '{ref}'")
    assert str(now) == weekday.isoformat()
