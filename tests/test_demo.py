"""`cpctl demo`: a synthetic family in a store of its own, never in the user's store."""

from __future__ import annotations

import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from backends import StoreRef
from helpers import Run, dump, failed, ok, rows


def assert_untouched(store: StoreRef) -> None:
    """The user's own store was never created (SQLite), or holds nothing (a server's database)."""
    if store.path is not None:
        assert not store.path.exists()
    else:
        assert rows(store, "SELECT count(*) FROM audit_entry") == [(0,)]


def test_demo_in_a_new_file(cli: Run, make_store: Callable[..., StoreRef], store: StoreRef) -> None:
    target = make_store("demo.db")
    out = ok(cli("demo", "--db", str(target)))
    assert out.startswith(f"cpctl demo: a synthetic family in {target.shown}\nEveryone here is invented.")
    for shown in (
        "$ cpctl child list",
        "Jamie Testwood",
        "$ cpctl conference show CF00001",
        "Initial child protection conference CF00001",
        "$ cpctl plan diff DEMO-1001 1 3",
        "+ Action A3 'Breakfast club place at school' added",
        "~ Action A2 'Money and debt advice': how often fortnightly → weekly",
        "$ cpctl conference show CF00002",
        "Mia Testwood (DEMO-1002): the plan ends",
        "$ cpctl child show DEMO-1001",
        "Timeline",
        "$ cpctl due --explain",
        "How each date was worked out:",
    ):
        assert shown in out
    assert rows(target, "SELECT ref FROM child ORDER BY ref") == [
        ("DEMO-1001",),
        ("DEMO-1002",),
        ("DEMO-1003",),
    ]
    # The whole loop: an initial and a review conference, two core groups, visits, three plan versions.
    assert rows(target, "SELECT kind FROM conference ORDER BY id") == [("initial",), ("review",)]
    assert rows(target, "SELECT count(*) FROM core_group_meeting") == [(2,)]
    assert rows(target, "SELECT count(*) FROM visit") == [(8,)]
    assert rows(
        target,
        "SELECT count(*) FROM plan_version v JOIN plan p ON p.id = v.plan_id "
        "JOIN child c ON c.id = p.child_id WHERE c.ref = 'DEMO-1001'",
    ) == [(3,)]
    assert rows(
        target,
        "SELECT c.ref, p.ended_on IS NOT NULL FROM plan p JOIN child c ON c.id = p.child_id ORDER BY c.ref",
    ) == [("DEMO-1001", 0), ("DEMO-1002", 1)]
    assert_untouched(store)  # the user's own store is not touched


def test_demo_without_a_path_keeps_one_store_in_the_data_folder(
    cli: Run, tmp_path: Path, data_dir: Path, store_path: Path, store: StoreRef, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's own store is a SQLite file on every backend, demo/cpctl.db in the data folder (0700), never
    the configured database and never a folder in /tmp that nothing removes; the next demo replaces it."""
    temporary = tmp_path / "system-temp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    made = data_dir / "demo" / "cpctl.db"
    first = ok(cli("demo"))
    assert first.startswith(
        f"cpctl demo: a synthetic family in {made}\nThis is the demo's own store, in your data folder: the next "
        "`cpctl demo` replaces it.\nEveryone here is invented."
    )
    assert rows(made, "SELECT count(*) FROM child") == [(3,)]
    assert stat.S_IMODE((data_dir / "demo").stat().st_mode) == 0o700
    ok(cli("--db", str(made), "child", "add", "Extra", "Testwood", "--dob", "2019-03-04"))
    ok(cli("demo"))  # replaced, not refused as a store that holds children
    assert rows(made, "SELECT count(*) FROM child") == [(3,)]
    assert sorted(p.name for p in (data_dir / "demo").iterdir() if not p.name.startswith("cpctl.db-")) == [
        "cpctl.db",
        "documents",
    ]
    documents = data_dir / "demo" / "documents"  # the second demo's, in place of the first's
    assert stat.S_IMODE(documents.stat().st_mode) == 0o700
    written = sorted(p.name for p in documents.iterdir())
    assert [n for n in written if "invitation" in n] == [f"BK00001-invitation-P0000{n}.md" for n in range(2, 8)]
    assert [n for n in written if "-letter-" in n] == [
        "DEMO-1001-CF00001-letter-P00002.md",
        "DEMO-1001-CF00001-letter-P00003.md",
        "DEMO-1001-CF00002-letter-DEMO-1001.md",  # Jamie is 8 by the review
        "DEMO-1001-CF00002-letter-P00002.md",
        "DEMO-1001-CF00002-letter-P00003.md",
        "DEMO-1002-CF00001-letter-P00002.md",
        "DEMO-1002-CF00001-letter-P00003.md",
        "DEMO-1002-CF00002-letter-P00002.md",
        "DEMO-1002-CF00002-letter-P00003.md",
    ]
    assert len([n for n in written if "-record-" in n]) == 14  # seven on each conference's distribution list
    assert all(stat.S_IMODE((documents / n).stat().st_mode) == 0o600 for n in written)
    assert rows(made, "SELECT count(*) FROM audit_entry WHERE action = 'booking.invite'") == [(6,)]
    from cpctl import scratch

    scratch.remove()  # what the end of the run does: its scratch folder (the documents' notes) goes
    left = [p for p in temporary.iterdir() if not (p.name == scratch.root().name and not any(p.iterdir()))]
    assert left == []  # nothing left in the system's temporary folder but cpctl's own empty, private scratch root
    assert not store_path.exists()
    assert_untouched(store)


def test_demo_refuses_a_store_that_holds_children(cli: Run, initialised: StoreRef) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"))
    before = dump(initialised)
    failed(
        cli("demo", "--db", str(initialised)),
        "Error: that store already holds children; give the demo a new file with --db PATH.",
    )
    assert dump(initialised) == before
    if initialised.path is not None:
        assert not initialised.path.with_name("cpctl.db-wal").exists()  # the demo's connection was closed again
