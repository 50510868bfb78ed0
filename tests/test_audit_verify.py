"""`cpctl audit verify`: a change made to the audit trail outside cpctl shows, and names the first broken entry.

Each tampering is done the way someone with a database tool would do it, straight in SQL. What the chain cannot
show without help (a trail rewritten from some entry on, with every later hash recomputed, or cut short at the
end) shows with --expect and a hash noted earlier.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from backends import StoreRef
from cpctl.store import audit
from helpers import Run, execute, failed, ok, ok_json, rows

COLUMNS = "at, actor, action, entity, entity_id, summary, changes, prev_hash, hash"


@pytest.fixture
def trail(cli: Run, initialised: StoreRef) -> StoreRef:
    """A store whose audit trail has seven entries."""
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "TW-1", "--dob", "2019-03-04"))
    ok(cli("child", "add", "Mia", "Testwood", "--id", "TW-2", "--dob", "2021-08-30"))
    ok(cli("person", "add", "Sam Testwood", "--kind", "parent", "--child", "TW-1", "--relationship", "mother"))
    ok(cli("child", "edit", "TW-1", "--gender", "boy"))
    assert rows(initialised, "SELECT count(*) FROM audit_entry") == [(7,)]
    return initialised


def head(store: StoreRef) -> tuple[int, str]:
    return rows(store, "SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1")[0]


def assert_check_names_entry_4(result: Any, chain_line: str) -> None:
    """`db check` fails and names entry 4: by the chain's own line, or, where its value checks see the damage
    first (a BLOB where text belongs, JSON that does not parse), by their line naming the same entry."""
    assert result.exit_code == 1, result.output
    problems = [line for line in result.stdout.splitlines() if line.startswith("  problem: ")]
    assert f"  problem: {chain_line}" in problems or any("audit entry 4" in line for line in problems), problems


def broken(cli: Run, message: str) -> None:
    failed(cli("audit", "verify"), f"Error: the audit trail is broken {message}.")


def test_an_untouched_trail_is_intact(cli: Run, trail: StoreRef) -> None:
    last, digest = head(trail)
    assert ok(cli("audit", "verify")) == (
        f"The audit trail is intact: 7 entries; the newest is entry {last} with hash {digest}.\n"
    )
    assert ok_json(cli("audit", "verify", "--json")) == {
        "intact": True,
        "entries": 7,
        "head": {"id": last, "hash": digest},
        "broken_at": None,
        "problem": None,
    }
    assert ok(cli("audit", "verify", "--expect", digest)).startswith("The audit trail is intact")


def test_an_empty_trail(cli: Run) -> None:
    assert ok(cli("audit", "verify")) == "The audit trail is empty.\n"


@pytest.mark.parametrize(
    "column, value",
    [("summary", "'child TW-9 added'"), ("actor", "'someone.else'"), ("changes", "'{}'"), ("at", "'2020-01-01'")],
)
def test_a_field_changed(cli: Run, trail: StoreRef, column: str, value: str) -> None:
    execute(trail, f"UPDATE audit_entry SET {column} = {value} WHERE id = 4")
    broken(cli, "at entry 4: it was changed outside cpctl (what it records no longer matches its hash)")


def test_a_field_changed_and_its_hash_recomputed(cli: Run, trail: StoreRef) -> None:
    """Whoever knows the recipe can rehash one entry: then the next entry no longer follows it."""
    (entry,) = rows(trail, f"SELECT {COLUMNS} FROM audit_entry WHERE id = 4")
    at, actor, action, entity, entity_id, _, changes, prev_hash, _ = entry
    forged = audit.entry_hash(prev_hash, at, actor, action, entity, entity_id, "nothing happened", changes)
    execute(trail, f"UPDATE audit_entry SET summary = 'nothing happened', hash = '{forged}' WHERE id = 4")
    broken(
        cli,
        "at entry 5: it does not follow entry 4, so an entry between them was deleted or inserted, one of them was "
        "changed, or the entries were reordered",
    )


def test_a_middle_entry_deleted(cli: Run, trail: StoreRef) -> None:
    execute(trail, "DELETE FROM audit_entry WHERE id = 3")
    broken(
        cli,
        "at entry 4: it does not follow entry 2, so an entry between them was deleted or inserted, one of them was "
        "changed, or the entries were reordered",
    )


def test_the_first_entry_deleted(cli: Run, trail: StoreRef) -> None:
    execute(trail, "DELETE FROM audit_entry WHERE id = 1")
    broken(cli, "at entry 2: it is not the first of the trail, so the entries before it were deleted")


def test_a_forged_entry_inserted(cli: Run, trail: StoreRef) -> None:
    """A forged entry that names the newest real one as its predecessor, with a made-up hash."""
    last, digest = head(trail)
    execute(
        trail,
        f"INSERT INTO audit_entry (id, {COLUMNS}) VALUES ({last + 1}, '2026-01-01T00:00:00.000000Z', 'intruder', "
        f"'child.edit', 'child', 'TW-1', 'child TW-1 edited', '{{}}', '{digest}', '{'f' * 64}')",
    )
    broken(cli, f"at entry {last + 1}: it was changed outside cpctl (what it records no longer matches its hash)")


def test_a_forged_entry_inserted_between_two(cli: Run, trail: StoreRef) -> None:
    """Room made by moving the later entries up one: the forged entry cannot follow both of its neighbours."""
    last, _ = head(trail)
    for ident in range(last, 4, -1):
        execute(trail, f"UPDATE audit_entry SET id = {ident + 1} WHERE id = {ident}")
    (entry,) = rows(trail, f"SELECT {COLUMNS} FROM audit_entry WHERE id = 4")
    at, actor, action, entity, entity_id, summary, changes, _, previous = entry
    forged = audit.entry_hash(previous, at, actor, action, entity, entity_id, "a forged entry", changes)
    values = ", ".join(
        f"'{value}'" if value is not None else "NULL"
        for value in (at, actor, action, entity, entity_id, "a forged entry", changes, previous, forged)
    )
    execute(trail, f"INSERT INTO audit_entry (id, {COLUMNS}) VALUES (5, {values})")
    broken(
        cli,
        "at entry 6: it does not follow entry 5, so an entry between them was deleted or inserted, one of them was "
        "changed, or the entries were reordered",
    )


def test_two_entries_reordered(cli: Run, trail: StoreRef) -> None:
    """Entries 3 and 4 swap places (their ids), each record otherwise as it was."""
    execute(
        trail,
        "UPDATE audit_entry SET id = 1000 WHERE id = 3",
        "UPDATE audit_entry SET id = 3 WHERE id = 4",
        "UPDATE audit_entry SET id = 4 WHERE id = 1000",
    )
    broken(
        cli,
        "at entry 3: it does not follow entry 2, so an entry between them was deleted or inserted, one of them was "
        "changed, or the entries were reordered",
    )


def test_a_trail_rewritten_from_an_entry_on_shows_with_a_noted_hash(cli: Run, trail: StoreRef) -> None:
    """Every hash from entry 4 on recomputed: the chain holds, but a hash noted earlier is gone."""
    _, noted = head(trail)
    previous = rows(trail, "SELECT hash FROM audit_entry WHERE id = 3")[0][0]
    for ident in range(4, 8):
        (entry,) = rows(trail, f"SELECT {COLUMNS} FROM audit_entry WHERE id = {ident}")
        at, actor, action, entity, entity_id, summary, changes, _, _ = entry
        if ident == 4:
            summary = "rewritten"
        digest = audit.entry_hash(previous, at, actor, action, entity, entity_id, summary, changes)
        execute(
            trail,
            f"UPDATE audit_entry SET summary = '{summary}', prev_hash = '{previous}', hash = '{digest}' "
            f"WHERE id = {ident}",
        )
        previous = digest
    assert ok(cli("audit", "verify")).startswith("The audit trail is intact")  # what the chain alone cannot see
    failed(
        cli("audit", "verify", "--expect", noted),
        f"Error: the audit trail is broken since the hash {noted} was noted: no entry has it now, so the trail "
        "was cut short or rewritten.",
    )


def test_entries_cut_from_the_end_show_with_a_noted_hash(cli: Run, trail: StoreRef) -> None:
    last, noted = head(trail)
    execute(trail, f"DELETE FROM audit_entry WHERE id >= {last - 1}")
    assert ok(cli("audit", "verify")).startswith("The audit trail is intact: 5 entries")
    result = cli("audit", "verify", "--expect", noted)
    assert result.exit_code == 1 and result.stderr.startswith("Error: the audit trail is broken since the hash")


def test_verify_json_names_the_broken_entry(cli: Run, trail: StoreRef) -> None:
    execute(trail, "DELETE FROM audit_entry WHERE id = 5")
    result = cli("audit", "verify", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["intact"], report["broken_at"], report["entries"]) == (False, 6, 5)
    assert result.stderr.startswith("Error: the audit trail is broken at entry 6: ")


def test_db_check_reports_a_broken_trail_too(cli: Run, trail: StoreRef) -> None:
    execute(trail, "UPDATE audit_entry SET summary = 'x' WHERE id = 2")
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "  problem: the audit trail is broken at entry 2: it was changed outside cpctl" in result.stdout
    assert result.stderr == (
        "Error: the store has 1 problem; restore a backup made before it was damaged (`cpctl db restore`), "
        "or report it.\n"
    )


def test_expect_takes_only_a_hash(cli: Run, trail: StoreRef) -> None:
    failed(
        cli("audit", "verify", "--expect", "line\nbreak"),
        "Error: Invalid value: give a hash that `cpctl audit verify` printed: 64 letters a-f and digits. "
        "(see 'cpctl audit verify --help')",
        code=2,
    )


# -- values cpctl never writes, put in a column with a database tool --------------------------------------------
# SQLite keeps any value in any column. PostgreSQL's types turn a BYTEA into its text ('\x4a61...'), which changes
# the entry, or refuse the value (bytes that are not UTF-8; a hash's text longer than its 64 characters).
# Each case: the column; SQLite's value and what `audit verify` says of it; PostgreSQL's nearest value and what
# it says of that (None: the server refuses it, and the trail stays intact).
CHANGED = "it was changed outside cpctl (what it records no longer matches its hash)"
NOT_JSON = "its changes are not JSON (changed outside cpctl)"
DAMAGE = [
    ("summary", "CAST(summary AS BLOB)", "its summary is not text", "CAST(summary AS BYTEA)", CHANGED),
    ("changes", "CAST(changes AS BLOB)", "its changes are not text", "CAST(changes AS BYTEA)", NOT_JSON),
    ("at", "zeroblob(10)", "its time (at) is not text", "decode('00000000000000000000', 'hex')", CHANGED),
    ("actor", "x'00'", "its actor is not text", "decode('00', 'hex')", CHANGED),
    ("action", "CAST(action AS BLOB)", "its action is not text", "CAST(action AS BYTEA)", CHANGED),
    ("entity", "zeroblob(0)", "its entity is not text", "decode('', 'hex')", CHANGED),
    ("entity_id", "CAST(x'ff' AS TEXT)", "its entity_id is not UTF-8 text", "convert_from('\\xff', 'UTF8')", None),
    ("summary", "CAST(x'4a61ff' AS TEXT)", "its summary is not UTF-8 text", "convert_from('\\x4a61ff', 'UTF8')", None),
    ("prev_hash", "CAST(prev_hash AS BLOB)", "its prev_hash is not text", "CAST(prev_hash AS BYTEA)", None),
    ("hash", "CAST(hash AS BLOB)", "its hash is not text", "CAST(hash AS BYTEA)", None),
]
IDS = [f"{case[0]}-{'not-utf8' if 'UTF-8' in case[2] else 'not-text'}" for case in DAMAGE]
SHOWN_BY_LOG = ("at", "actor", "action", "entity", "entity_id", "summary", "changes", "hash")


def damage(store: StoreRef, backend: str, column: str, sqlite_value: str, postgresql_value: str) -> bool:
    """Put the value in entry 4's column; False when the server refuses it (the store is then unchanged)."""
    value = sqlite_value if backend == "sqlite" else postgresql_value
    try:
        execute(store, f"UPDATE audit_entry SET {column} = {value} WHERE id = 4")
    except Exception:  # noqa: BLE001  (a server's refusal, of whichever kind)
        assert backend == "postgresql"
        return False
    return True


@pytest.mark.parametrize(
    ("column", "sqlite_value", "sqlite_said", "postgresql_value", "postgresql_said"), DAMAGE, ids=IDS
)
def test_a_value_that_is_not_text_names_its_entry(
    cli: Run,
    trail: StoreRef,
    backend: str,
    column: str,
    sqlite_value: str,
    sqlite_said: str,
    postgresql_value: str,
    postgresql_said: str | None,
) -> None:
    done = damage(trail, backend, column, sqlite_value, postgresql_value)
    said = f"{sqlite_said} (changed outside cpctl)" if backend == "sqlite" else postgresql_said
    if said is None:
        assert not done  # the server's types refused the value
        assert ok(cli("audit", "verify")).startswith("The audit trail is intact: 7 entries")
        return
    assert done
    broken(cli, f"at entry 4: {said}")
    report = json_of_failure(cli("audit", "verify", "--json"))
    assert (report["intact"], report["broken_at"]) == (False, 4)
    assert_check_names_entry_4(cli("db", "check"), f"the audit trail is broken at entry 4: {said}")


@pytest.mark.parametrize(
    ("column", "sqlite_value", "sqlite_said", "postgresql_value", "postgresql_said"), DAMAGE, ids=IDS
)
def test_audit_log_shows_an_entry_with_a_value_that_is_not_text(
    cli: Run,
    trail: StoreRef,
    backend: str,
    column: str,
    sqlite_value: str,
    sqlite_said: str,
    postgresql_value: str,
    postgresql_said: str | None,
) -> None:
    """The log shows every entry; the part that cannot be read is marked, and the rest of the entry still shows."""
    done = damage(trail, backend, column, sqlite_value, postgresql_value)
    logged = {entry["id"]: entry for entry in ok_json(cli("audit", "log", "--json"))}
    text = ok(cli("audit", "log"))
    assert len(logged) == 7
    assert all("unreadable" not in entry for ident, entry in logged.items() if ident != 4)
    if backend == "postgresql":  # the server holds text in every column: some of it changed, all of it readable
        assert done == (postgresql_said is not None)
        assert ("unreadable" in logged[4]) == (postgresql_said == NOT_JSON)
        return
    if column not in SHOWN_BY_LOG:
        assert "unreadable" not in logged[4]
        return
    assert (logged[4]["unreadable"], logged[4][column]) == ([column], None)
    assert all(logged[4][key] is not None for key in ("at", "summary", "hash") if key != column)
    assert text.endswith(
        "Entry 4 holds values changed outside cpctl that cannot be read; `cpctl audit verify` checks the whole trail.\n"
    )
    assert ("(unreadable)" in text) == (column in ("at", "actor", "action", "summary"))


@pytest.mark.parametrize(
    ("sqlite_value", "postgresql_value"),
    [
        ("'{not json'", "'{not json'"),
        ("substr(replace(hex(zeroblob(5000)), '0', '['), 1, 10000)", "repeat('[', 10000)"),
    ],
    ids=["broken", "nested-too-deep"],
)
def test_changes_that_are_not_json(
    cli: Run, trail: StoreRef, backend: str, sqlite_value: str, postgresql_value: str
) -> None:
    assert damage(trail, backend, "changes", sqlite_value, postgresql_value)
    broken(cli, "at entry 4: its changes are not JSON (changed outside cpctl)")
    assert_check_names_entry_4(
        cli("db", "check"), "the audit trail is broken at entry 4: its changes are not JSON (changed outside cpctl)"
    )
    logged = {entry["id"]: entry for entry in ok_json(cli("audit", "log", "--json"))}
    assert (logged[4]["changes"], logged[4]["unreadable"]) == (None, ["changes"])
    assert logged[4]["summary"] == rows(trail, "SELECT summary FROM audit_entry WHERE id = 4")[0][0]
    assert ok(cli("audit", "log")).endswith(
        "Entry 4 holds values changed outside cpctl that cannot be read; `cpctl audit verify` checks the whole trail.\n"
    )


def json_of_failure(result: Any) -> Any:
    """The JSON a command printed before it failed with one error line."""
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    return json.loads(result.stdout)
