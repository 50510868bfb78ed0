"""`cpctl demo`: a synthetic family in a store of its own, never in the user's store."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from helpers import Run, dump, failed, ok, rows


def test_demo_in_a_new_file(cli: Run, tmp_path: Path, store_path: Path) -> None:
    target = tmp_path / "demo.db"
    out = ok(cli("demo", "--db", str(target)))
    assert out.startswith(f"cpctl demo: a synthetic family in {target}\nEveryone here is invented.")
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
    assert not store_path.exists()  # the user's own store is not touched


def test_demo_without_a_path_uses_a_throwaway_folder(
    cli: Run, tmp_path: Path, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ok(cli("demo"))
    (made,) = tmp_path.glob("cpctl-demo-*/demo.db")
    assert rows(made, "SELECT count(*) FROM child") == [(3,)]
    assert not store_path.exists()


def test_demo_refuses_a_store_that_holds_children(cli: Run, initialised: Path) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--dob", "2019-03-04"))
    before = dump(initialised)
    failed(
        cli("demo", "--db", str(initialised)),
        "Error: that store already holds children; give the demo a new file with --db PATH.",
    )
    assert dump(initialised) == before
    assert not initialised.with_name("cpctl.db-wal").exists()  # the demo's connection was closed again
