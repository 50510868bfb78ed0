"""Fixtures of the document tests, loaded by each with `pytest_plugins = ["export_fixtures"]`: the fixed
plan's store, built once per backend and copied for each test. (tests/conftest.py gives each test its own data
folder.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from backends import StoreRef
from export_support import build_store


@pytest.fixture(scope="session")
def fixed_plan_file(backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> StoreRef:
    """The fixed plan's store, built once; tests copy it before anything could write to it."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('fixed-plan') / 'plan.db'}"
    else:
        url = request.getfixturevalue("postgres").create()
    store = build_store(url)
    store.dispose()
    return StoreRef(url)


@pytest.fixture
def fixed_plan(
    fixed_plan_file: StoreRef, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> StoreRef:
    """A copy of the fixed plan's store for this test alone, read with the packaged profile only."""
    monkeypatch.delenv("CPCTL_PROFILE_OVERRIDES", raising=False)
    monkeypatch.delenv("CPCTL_CHROMIUM", raising=False)
    if fixed_plan_file.path is None:
        server = request.getfixturevalue("postgres")
        url = server.copy(fixed_plan_file.url)
        request.addfinalizer(lambda: server.drop(url))
        return StoreRef(url)
    target = tmp_path / "plan.db"
    shutil.copyfile(fixed_plan_file.path, target)
    target.chmod(0o600)  # as cpctl makes a store: a copy others could read gets a warning on every command
    return StoreRef(f"sqlite:///{target}")
