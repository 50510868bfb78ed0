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
        "DEMO-1001",
        "Jamie Testwood",
        "$ cpctl child show DEMO-1001",
        "$ cpctl person list --kind professional",
        "Jordan Ashby",
    ):
        assert shown in out
    assert rows(target, "SELECT ref FROM child ORDER BY ref") == [
        ("DEMO-1001",),
        ("DEMO-1002",),
        ("DEMO-1003",),
    ]
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
