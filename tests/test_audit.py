"""The audit trail: one record per change, written in the change's own transaction, chained by hash."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from backends import StoreRef
from cpctl.errors import CpctlError
from cpctl.store import audit
from helpers import AUTHORITY, CHAIR, Run, actor_of, audit_actions, dump, failed, login_of, ok, ok_json, rows


def entries(path: Path, *, reads: bool = False) -> list[dict[str, Any]]:
    """Every audit record, oldest first, with its changes parsed; the read log's entries (`read.*`, written on
    PostgreSQL for each lookup of a child) only with `reads`."""
    columns = (
        "id",
        "at",
        "actor",
        "action",
        "entity",
        "entity_id",
        "summary",
        "changes",
        "prev_hash",
        "hash",
    )
    only = "" if reads else " WHERE substr(action, 1, 5) <> 'read.'"
    found = rows(path, f"SELECT {', '.join(columns)} FROM audit_entry{only} ORDER BY id")
    records = [dict(zip(columns, row, strict=True)) for row in found]
    for record in records:
        record["changes"] = json.loads(record["changes"])
    return records


def new_entries(path: Path, since: int) -> list[tuple[str, str, str | None, str]]:
    """(action, entity, entity_id, summary) of the records written after the first `since`."""
    return [(e["action"], e["entity"], e["entity_id"], e["summary"]) for e in entries(path)[since:]]


def count(path: Path) -> int:
    return rows(path, "SELECT count(*) FROM audit_entry WHERE substr(action, 1, 5) <> 'read.'")[0][0]


# -- one record per change
def test_init_records_the_settings_and_the_new_user(initialised: Path) -> None:
    first, second = entries(initialised)
    assert (first["action"], first["entity"], first["entity_id"], first["actor"]) == (
        "store.init",
        "store",
        None,
        login_of(initialised),
    )
    assert first["changes"] == {"authority": [None, AUTHORITY], "jurisdiction": [None, "england"]}
    assert (second["action"], second["entity"], second["entity_id"], second["actor"]) == (
        "user.add",
        "person",
        "P00001",
        actor_of(initialised),
    )
    assert second["changes"] == {"login": login_of(initialised), "name": CHAIR, "role": "Conference chair"}


def test_init_again_records_only_what_changed(cli: Run, initialised: Path) -> None:
    same = ("--authority", AUTHORITY, "--jurisdiction", "england", "--name", CHAIR, "--role", "chair")
    ok(cli("init", *same))
    assert count(initialised) == 2
    ok(
        cli(
            "init",
            "--authority",
            AUTHORITY,
            "--jurisdiction",
            "england",
            "--name",
            "Ada Q. Fictional",
            "--role",
            "chair",
        )
    )
    assert new_entries(initialised, 2) == [("user.edit", "person", "P00001", f"user {login_of(initialised)} updated")]
    assert entries(initialised)[-1]["changes"] == {"name": [CHAIR, "Ada Q. Fictional"]}


def test_child_add_records_the_child(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    assert new_entries(initialised, 2) == [("child.add", "child", "TW-1", "child TW-1 added")]
    record = entries(initialised)[-1]
    assert record["actor"] == actor_of(initialised)
    assert record["changes"] == {
        "id": "TW-1",
        "given_name": "Jamie",
        "family_name": "Testwood",
        "date_of_birth": "2019-03-04",
        "expected_date": None,
        "unborn": False,
        "gender": None,
        "preferred_language": "English",
        "interpreter_needed": False,
        "culture_religion": None,
        "disability": None,
        "family": None,
        "team": None,
        "census": {
            "la_child_id": None,
            "upn": None,
            "former_upn": None,
            "upn_unknown": None,
            "sex": None,
            "ethnicity": None,
            "disabilities": [],
        },
    }


def test_a_new_family_is_recorded_once(cli: Run, initialised: Path) -> None:
    ok(
        cli(
            "child",
            "add",
            "Jamie",
            "Testwood",
            "--id",
            "TW-1",
            "--dob",
            "2019-03-04",
            "--family",
            "Testwoods",
        )
    )
    ok(cli("child", "add", "Mia", "Testwood", "--id", "TW-2", "--dob", "2021-08-30", "--family", "Testwoods"))
    assert new_entries(initialised, 2) == [
        ("family.add", "family", "1", "family 1 added"),
        ("child.add", "child", "TW-1", "child TW-1 added"),
        ("child.add", "child", "TW-2", "child TW-2 added"),
    ]


def test_child_edit_records_old_and_new_values(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    ok(cli("child", "edit", "TW-1", "--language", "Welsh", "--interpreter"))
    assert new_entries(initialised, 3) == [("child.edit", "child", "TW-1", "child TW-1 edited")]
    assert entries(initialised)[-1]["changes"] == {
        "preferred_language": ["English", "Welsh"],
        "interpreter_needed": [False, True],
    }


def test_person_add_and_link_are_recorded(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    ok(cli("person", "add", "Sam Testwood", "--kind", "parent", "--child", "TW-1", "--relationship", "mother"))
    assert new_entries(initialised, 3) == [
        ("person.add", "person", "P00002", "person P00002 added"),
        ("person.link", "child", "TW-1", "P00002 linked to child TW-1"),
    ]
    assert entries(initialised)[-1]["changes"] == {"person": "P00002", "relationship": [None, "mother"]}
    ok(cli("person", "edit", "P00002", "--child", "TW-1", "--relationship", "stepmother"))
    assert new_entries(initialised, 5) == [("person.link", "child", "TW-1", "P00002 linked to child TW-1")]
    assert entries(initialised)[-1]["changes"] == {
        "person": "P00002",
        "relationship": ["mother", "stepmother"],
    }


def test_person_edit_is_recorded(cli: Run, initialised: Path) -> None:
    ok(cli("person", "add", "Ola Brennan", "--role", "Health visitor"))
    ok(cli("person", "edit", "P00002", "--phone", "07700 900456"))
    assert new_entries(initialised, 3) == [("person.edit", "person", "P00002", "person P00002 edited")]
    assert entries(initialised)[-1]["changes"] == {"phone": [None, "07700 900456"]}


def test_a_change_that_changes_nothing_records_nothing(cli: Run, initialised: Path) -> None:
    ok(cli("person", "add", "Ola Brennan", "--phone", "07700 900456"))
    before = count(initialised)
    ok(cli("person", "edit", "P00002", "--phone", "07700 900456"))
    assert count(initialised) == before


def test_reading_records_nothing(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    before = dump(initialised)
    for args in (
        ("child", "list"),
        ("child", "show", "TW-1", "--json"),
        ("person", "list"),
        ("audit", "log"),
        ("db", "status"),
    ):
        ok(cli(*args))
    assert dump(initialised) == before


# -- a failed change leaves nothing
def test_a_refused_change_leaves_no_record(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    before = dump(initialised)
    failed(
        cli("child", "add", "Mia", "Testwood", "--id", "TW-1", "--dob", "2021-08-30", "--family", "Testwoods"),
        "Error: a child with id TW-1 already exists; choose another id or see `cpctl child show TW-1`.",
    )
    assert dump(initialised) == before


def test_a_failure_after_part_of_a_change_was_written_leaves_nothing(
    cli: Run, initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`person add --child` writes the person and its record, then links: if the link fails, none stays."""
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    before = dump(initialised)
    written: list[str] = []
    real_record = audit.record

    def record_then_note(session, action, *args, **kwargs):  # type: ignore[no-untyped-def]
        entry = real_record(session, action, *args, **kwargs)
        written.append(action)
        return entry

    def failing_link(*_args: object, **_kwargs: object) -> None:
        raise CpctlError("the link could not be made (a synthetic failure).")

    monkeypatch.setattr(audit, "record", record_then_note)
    monkeypatch.setattr("cpctl.casework.people.link", failing_link)
    failed(
        cli("person", "add", "Sam Testwood", "--kind", "parent", "--child", "TW-1"),
        "Error: the link could not be made (a synthetic failure).",
    )
    assert written == ["person.add"]  # the person and its audit record had been flushed to the database...
    assert dump(initialised) == before  # ...and were rolled back with the rest


def test_a_failure_right_after_the_audit_record_leaves_nothing(
    cli: Run, initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = dump(initialised)
    real_record = audit.record

    def record_then_fail(session, action, *args, **kwargs):  # type: ignore[no-untyped-def]
        real_record(session, action, *args, **kwargs)
        assert rows(initialised, "SELECT count(*) FROM child") == [(0,)]  # not visible outside the transaction
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(audit, "record", record_then_fail)
    failed(
        cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"),
        "Error: the disk is full: nothing was saved. Free some space and try again.",
    )
    assert dump(initialised) == before


# -- the chain
def test_the_hash_chain_links_every_record(cli: Run, initialised: Path) -> None:
    ok(
        cli(
            "child",
            "add",
            "Jamie",
            "Testwood",
            "--id",
            "TW-1",
            "--dob",
            "2019-03-04",
            "--family",
            "Testwoods",
        )
    )
    ok(cli("person", "add", "Sam Testwood", "--kind", "parent", "--child", "TW-1", "--relationship", "mother"))
    ok(cli("child", "edit", "TW-1", "--gender", "boy"))
    records = entries(initialised)
    assert len(records) == 7
    assert records[0]["prev_hash"] == "0" * 64 == audit.GENESIS
    for previous, current in zip(records, records[1:], strict=False):
        assert current["prev_hash"] == previous["hash"]
    for record in records:
        assert re.fullmatch(r"[0-9a-f]{64}", record["hash"])
        changes = rows(initialised, "SELECT changes FROM audit_entry WHERE id = ?", (record["id"],))[0][0]
        assert record["hash"] == audit.entry_hash(
            record["prev_hash"],
            record["at"],
            record["actor"],
            record["action"],
            record["entity"],
            record["entity_id"],
            record["summary"],
            changes,
        )
    assert [r["at"] for r in records] == sorted(r["at"] for r in records)


def test_a_tampered_record_no_longer_matches_its_hash(cli: Run, initialised: Path) -> None:
    """The check above can fail: editing a stored record breaks it."""
    first = entries(initialised)[0]
    tampered = {**first, "summary": "store set up for wales"}
    assert (
        audit.entry_hash(
            tampered["prev_hash"],
            tampered["at"],
            tampered["actor"],
            tampered["action"],
            tampered["entity"],
            tampered["entity_id"],
            tampered["summary"],
            json.dumps(first["changes"], sort_keys=True),
        )
        != first["hash"]
    )


# -- cpctl audit log
def test_audit_log_json(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    logged = ok_json(cli("audit", "log", "--json"))
    stored = list(reversed(entries(initialised)))
    assert logged == [
        {key: e[key] for key in ("id", "at", "actor", "action", "entity", "entity_id", "summary", "changes", "hash")}
        for e in stored
    ]
    assert [e["action"] for e in logged] == ["child.add", "user.add", "store.init"]


def test_audit_log_limit_and_child(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    ok(cli("child", "add", "Mia", "Testwood", "--id", "TW-2", "--dob", "2021-08-30"))
    ok(cli("child", "edit", "TW-1", "--gender", "boy"))
    assert [e["action"] for e in ok_json(cli("audit", "log", "--json", "--limit", "2"))] == [
        "child.edit",
        "child.add",
    ]
    assert [
        (e["action"], e["entity_id"]) for e in ok_json(cli("audit", "log", "--json", "--child", "Jamie Testwood"))
    ] == [("child.edit", "TW-1"), ("child.add", "TW-1")]
    failed(
        cli("audit", "log", "--child", "TW-404"),
        "Error: no child with id or name 'TW-404'; see `cpctl child list` for the children in this store.",
    )
    failed(
        cli("audit", "log", "--limit", "0"),
        "Error: Invalid value for '--limit': Input should be greater than or equal to 1 (see 'cpctl audit log --help')",
        code=2,
    )


def test_audit_log_text(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    text = ok(cli("audit", "log"))
    for heading in ("When (UTC)", "Who", "Action", "What"):
        assert heading in text
    lines = [line for line in text.splitlines() if "child.add" in line or "user.add" in line or "store.init" in line]
    assert len(lines) == 3
    assert "child.add" in lines[0] and "child TW-1 added" in lines[0] and actor_of(initialised) in lines[0]
    assert "store.init" in lines[2] and "store set up for england" in lines[2]
    when = entries(initialised)[-1]["at"][:19].replace("T", " ")
    assert when in lines[0]


def test_audit_log_of_an_empty_store(cli: Run) -> None:
    assert ok(cli("audit", "log")) == "The audit trail is empty.\n"
    assert ok_json(cli("audit", "log", "--json")) == []


def test_changes_before_init_are_recorded_under_the_login(cli: Run, store: StoreRef) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"))
    assert [(e["action"], e["actor"]) for e in entries(store)] == [("child.add", login_of(store))]
    assert audit_actions(store) == ["child.add"]
