"""Encryption at rest (optional, `pip install 'cpctl[encryption]'`): with CPCTL_DB_KEY set, every SQLite file cpctl
writes (the store, its WAL, backups, safety copies) is encrypted by SQLCipher; a wrong or missing key is one
clear error line. A server's database is not covered: the server protects it; its backups are.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backends import StoreRef
from helpers import Run, failed, ok, ok_json

pytest.importorskip("sqlcipher3", reason="the encryption extra (sqlcipher3-binary) is not installed")

KEY = "correct horse 'battery' staple"
GIVEN, FAMILY, DOB = "Zephyrine", "Quillfeather", "2017-06-14"
WRONG_KEY = (
    "Error: cannot read the store {path} with the key in CPCTL_DB_KEY: the key is wrong, or the store is not "
    "encrypted (unset the variable to open it), or it is damaged."
)


def plaintext(folder: Path) -> list[str]:
    """The files under `folder` whose bytes hold the child's name or date of birth as plain text."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if any(secret.encode() in data for secret in (GIVEN, FAMILY, DOB)):
                found.append(path.name)
    return found


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPCTL_DB_KEY", KEY)


@pytest.mark.sqlite_only(reason="SQLCipher encrypts SQLite files; a server protects its own")
@pytest.mark.usefixtures("keyed")
def test_an_encrypted_store_holds_no_plain_text(cli: Run, store: StoreRef, tmp_path: Path) -> None:
    ok(cli("child", "add", GIVEN, FAMILY, "--id", "ZQ-1", "--dob", DOB, "--family", f"{FAMILY} household"))
    assert ok_json(cli("child", "show", "ZQ-1", "--json"))["given_name"] == GIVEN
    ok(cli("db", "backup", str(tmp_path / "backup.bak")))
    ok(cli("db", "restore", str(tmp_path / "backup.bak")))  # and a safety copy beside the store
    assert ok(cli("db", "check")).endswith("No problems found.\n")
    assert store.path is not None
    assert sorted(p.name for p in store.path.parent.iterdir() if ".before-restore-" in p.name) != []
    assert plaintext(tmp_path) == []


@pytest.mark.sqlite_only(reason="SQLCipher encrypts SQLite files; a server protects its own")
def test_a_plain_store_shows_the_control(cli: Run, store: StoreRef) -> None:
    """Without a key the name is in the file's bytes: the test above can fail."""
    ok(cli("child", "add", GIVEN, FAMILY, "--id", "ZQ-1", "--dob", DOB))
    assert store.path is not None
    assert plaintext(store.path.parent) != []


@pytest.mark.sqlite_only(reason="SQLCipher encrypts SQLite files; a server protects its own")
def test_a_wrong_or_missing_key_is_one_clear_line(
    cli: Run, store: StoreRef, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CPCTL_DB_KEY", KEY)
    ok(cli("child", "add", GIVEN, FAMILY, "--id", "ZQ-1", "--dob", DOB))
    monkeypatch.setenv("CPCTL_DB_KEY", "not the key")
    failed(cli("child", "list"), WRONG_KEY.format(path=store.path))
    monkeypatch.delenv("CPCTL_DB_KEY")
    failed(
        cli("child", "list"),
        f"Error: {store.path} is not a readable cpctl store (not a SQLite database, damaged, or encrypted: then set "
        "CPCTL_DB_KEY to its key); check the path.",
    )
    assert capfd.readouterr().err == ""  # SQLCipher's own log stays quiet
    monkeypatch.setenv("CPCTL_DB_KEY", KEY)
    assert [c["id"] for c in ok_json(cli("child", "list", "--json"))] == ["ZQ-1"]


@pytest.mark.sqlite_only(reason="SQLCipher encrypts SQLite files; a server protects its own")
def test_a_key_for_a_store_that_is_not_encrypted(cli: Run, store: StoreRef, monkeypatch: pytest.MonkeyPatch) -> None:
    ok(cli("child", "add", GIVEN, FAMILY, "--dob", DOB))
    monkeypatch.setenv("CPCTL_DB_KEY", KEY)
    failed(cli("child", "list"), WRONG_KEY.format(path=store.path))


def test_a_store_is_encrypted_by_restoring_its_backup_with_a_key(
    cli: Run, initialised: StoreRef, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How to encrypt what exists (on either backend): back it up, then restore it into a new file with a key."""
    ok(cli("child", "add", GIVEN, FAMILY, "--id", "ZQ-1", "--dob", DOB))
    ok(cli("db", "backup", str(tmp_path / "plain.bak")))
    monkeypatch.setenv("CPCTL_DB_KEY", KEY)
    secure = tmp_path / "secure"
    secure.mkdir()
    ok(cli("--db", str(secure / "cpctl.db"), "db", "restore", str(tmp_path / "plain.bak")))
    ok(cli("--db", str(secure / "cpctl.db"), "db", "backup", str(secure / "secure.bak")))
    assert [c["id"] for c in ok_json(cli("--db", str(secure / "cpctl.db"), "child", "list", "--json"))] == ["ZQ-1"]
    assert plaintext(secure) == []
    monkeypatch.delenv("CPCTL_DB_KEY")
    failed(
        cli("db", "restore", str(secure / "secure.bak"), "--force"),
        f"Error: {secure / 'secure.bak'} is not a cpctl backup (not a SQLite database, or damaged), or it is "
        "encrypted: then set CPCTL_DB_KEY to its key.",
    )
