"""Fixtures of the document tests, loaded by each with `pytest_plugins = ["export_fixtures"]`: the fixed
plan's store (built once, copied per test) and a data folder of each test's own."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from export_support import build_store


@pytest.fixture(scope="session")
def fixed_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixed plan's store, built once; tests copy it before anything could write to it."""
    folder = tmp_path_factory.mktemp("fixed-plan")
    path = folder / "plan.db"
    store = build_store(path)
    store.dispose()
    return path


@pytest.fixture
def plan_store(fixed_store_file: Path, tmp_path: Path) -> Path:
    """A copy of the fixed plan's store for this test alone."""
    target = tmp_path / "plan.db"
    shutil.copyfile(fixed_store_file, target)
    return target


@pytest.fixture(autouse=False)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder of this test's own and plain, wide output."""
    data = tmp_path / "data"
    monkeypatch.setenv("CPCTL_DATA_DIR", str(data))
    for name in ("CPCTL_DB", "CPCTL_DATABASE_URL", "CPCTL_DEBUG", "CPCTL_PROFILE_OVERRIDES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CPCTL_USER", "test.chair")
    monkeypatch.setenv("TERMINAL_WIDTH", "200")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")
    yield data
