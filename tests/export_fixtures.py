"""Fixtures of the document tests, loaded by each with `pytest_plugins = ["export_fixtures"]`: the fixed
plan's store, built once and copied for each test. (tests/conftest.py gives each test its own data folder.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from export_support import build_store


@pytest.fixture(scope="session")
def fixed_plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixed plan's store, built once; tests copy it before anything could write to it."""
    folder = tmp_path_factory.mktemp("fixed-plan")
    path = folder / "plan.db"
    store = build_store(path)
    store.dispose()
    return path


@pytest.fixture
def fixed_plan(fixed_plan_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixed plan's store for this test alone, read with the packaged profile only."""
    monkeypatch.delenv("CPCTL_PROFILE_OVERRIDES", raising=False)
    monkeypatch.delenv("CPCTL_CHROMIUM", raising=False)
    target = tmp_path / "plan.db"
    shutil.copyfile(fixed_plan_file, target)
    return target
