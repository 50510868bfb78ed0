"""Every test gets its own store, a fixed synthetic login and plain, wide output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

pytest.register_assert_rewrite("helpers")

from helpers import AUTHORITY, CHAIR, USER, Run, dump, run_cli  # noqa: E402

CLEARED = ("CPCTL_DB", "CPCTL_DATABASE_URL", "CPCTL_NO_AUTO_UPGRADE", "CPCTL_DEBUG")


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point cpctl at a data folder of this test's own (cpctl creates it on first use)."""
    data = tmp_path / "data"
    monkeypatch.setenv("CPCTL_DATA_DIR", str(data))
    for name in CLEARED:
        # setenv first, so that monkeypatch restores the variable even when a command sets it (--debug does).
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("CPCTL_USER", USER)
    monkeypatch.setenv("TERMINAL_WIDTH", "200")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")
    return data


@pytest.fixture
def store_path(data_dir: Path) -> Path:
    """The default store every command opens (it does not exist until a command creates it)."""
    return data_dir / "cpctl.db"


@pytest.fixture
def cli() -> Run:
    """Run `cpctl ARGS` in-process: cli("child", "list") returns a Result with exit_code, stdout, stderr."""
    return run_cli


@pytest.fixture
def initialised(cli: Run, store_path: Path) -> Path:
    """A store set up for a synthetic English authority, with the test login registered as its chair."""
    result = cli("init", "--authority", AUTHORITY, "--jurisdiction", "england", "--name", CHAIR, "--role", "chair")
    assert result.exit_code == 0, result.output
    return store_path


@pytest.fixture
def unchanged(initialised: Path) -> Callable[[], None]:
    """Call it after a failed command: asserts that nothing at all in the store changed."""
    before = dump(initialised)

    def check() -> None:
        assert dump(initialised) == before

    return check
