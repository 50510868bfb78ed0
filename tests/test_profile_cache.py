"""The parsed profile is kept (for the process, and as JSON in the data folder's cache), and never outlives its
files: a changed override file is read again."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpctl.rules import profile, profile_files


@pytest.fixture(autouse=True)
def _fresh() -> None:
    profile._LOADED.clear()


def test_a_second_process_reads_the_cache_not_the_yaml(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = profile.load("england")
    assert list((data_dir / "cache").glob("profile-*.json"))
    profile._LOADED.clear()  # as a new process would start
    profile_files._packaged.cache_clear()

    def no_yaml(*args: object) -> None:
        raise AssertionError("parsed YAML although the cache holds the profile")

    monkeypatch.setattr(profile_files, "_parse", no_yaml)
    again = profile.load("england")
    assert again == first
    assert again is not first


def test_a_changed_override_file_is_read_again(data_dir: Path) -> None:
    overrides = data_dir / "profiles" / "england.yaml"
    overrides.parent.mkdir(parents=True)
    overrides.write_text("rules:\n  core-group-cycle: {amount: 4, unit: weeks, source: Testshire procedures}\n")
    assert profile.load("england").rule("core-group-cycle").amount == 4
    overrides.write_text("rules:\n  core-group-cycle: {amount: 5, unit: weeks, source: Testshire procedures}\n")
    assert profile.load("england").rule("core-group-cycle").amount == 5
    overrides.unlink()
    assert profile.load("england").rule("core-group-cycle").amount == 6


def test_a_broken_override_file_is_refused_every_time(data_dir: Path) -> None:
    from cpctl.errors import Invalid

    overrides = data_dir / "profiles" / "england.yaml"
    overrides.parent.mkdir(parents=True)
    overrides.write_text("rules:\n  core-group-cycle: {amount: nine}\n")
    for _ in range(2):
        with pytest.raises(Invalid):
            profile.load("england")


def test_a_cache_that_cannot_be_written_is_no_error(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "cache").write_text("not a folder")
    assert profile.load("wales").name == "wales"


def test_a_damaged_cache_file_is_ignored(data_dir: Path) -> None:
    expected = profile.load("scotland")
    (cached,) = (data_dir / "cache").glob("profile-*.json")
    cached.write_text("{not json")
    profile._LOADED.clear()
    assert profile.load("scotland") == expected


def test_the_data_folder_and_its_cache_are_private_whatever_the_umask(data_dir: Path) -> None:
    """The profile cache may be the first thing to create the data folder: it is made 0700 like the store's."""
    import os
    import stat

    assert not data_dir.exists()
    before = os.umask(0o022)
    try:
        profile.load("england")
    finally:
        os.umask(before)
    assert {stat.S_IMODE(p.stat().st_mode) for p in (data_dir, data_dir / "cache")} == {0o700}
    assert {stat.S_IMODE(p.stat().st_mode) for p in (data_dir / "cache").glob("profile-*.json")} == {0o600}
