"""Every test gets its own store, a fixed synthetic login and plain, wide output.

The whole suite runs once per backend: on SQLite, and on PostgreSQL (a database per test on the server named by
$CPCTL_TEST_POSTGRESQL_URL). `--backend sqlite|postgresql|all` (or $CPCTL_TEST_BACKEND) picks; the default is all.
Without a server the PostgreSQL pass is skipped, saying why; in CI (CI=true) it fails instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("helpers")

from hypothesis import settings  # noqa: E402

# Property tests: no time limit per example (a loaded CI machine is slow), and in CI the same examples every run,
# so that a failure there can be replayed; on a laptop they vary, to find more.
settings.register_profile(
    "cpctl",
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None if os.environ.get("CI") else settings.default.database,
    print_blob=True,
)
settings.load_profile("cpctl")

from backends import BACKENDS, SERVER_VARIABLE, PostgresServer, StoreRef, server_url  # noqa: E402
from helpers import AUTHORITY, CHAIR, USER, Run, dump, run_cli  # noqa: E402

CLEARED = ("CPCTL_DB", "CPCTL_DATABASE_URL", "CPCTL_NO_AUTO_UPGRADE", "CPCTL_DEBUG", "CPCTL_DB_KEY")


# -- which backends ----------------------------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=(*BACKENDS, "all"),
        default=None,
        help="the store backend to run the suite on (default: $CPCTL_TEST_BACKEND, else all: SQLite, then "
        f"PostgreSQL at ${SERVER_VARIABLE})",
    )


def chosen_backends(config: pytest.Config) -> tuple[str, ...]:
    """The backends this run covers: PostgreSQL only with a server, and never silently left out in CI."""
    choice = config.getoption("--backend") or os.environ.get("CPCTL_TEST_BACKEND") or "all"
    if choice not in (*BACKENDS, "all"):
        raise pytest.UsageError(f"CPCTL_TEST_BACKEND={choice!r}: choose sqlite, postgresql or all")
    backends = BACKENDS if choice == "all" else (choice,)
    if "postgresql" in backends and server_url() is None:
        if choice == "postgresql" or os.environ.get("CI"):
            raise pytest.UsageError(
                f"{NO_SERVER}; {'in CI ' if os.environ.get('CI') else ''}the PostgreSQL pass must run"
            )
        backends = tuple(b for b in backends if b != "postgresql")
    return backends


NO_SERVER = f"no PostgreSQL server for the tests: set {SERVER_VARIABLE} (scripts/postgres-for-tests starts one)"


def pytest_configure(config: pytest.Config) -> None:
    config.stash[BACKENDS_KEY] = chosen_backends(config)


BACKENDS_KEY = pytest.StashKey[tuple[str, ...]]()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test runs on each chosen backend, except those about SQLite's files (marked sqlite_only) and those
    about a team's store on PostgreSQL (marked postgresql_only)."""
    if "backend" not in metafunc.fixturenames:
        return
    backends = metafunc.config.stash[BACKENDS_KEY]
    if metafunc.definition.get_closest_marker("sqlite_only"):
        backends = tuple(b for b in backends if b == "sqlite")
    if metafunc.definition.get_closest_marker("postgresql_only"):
        backends = tuple(b for b in backends if b == "postgresql")
    metafunc.parametrize("backend", backends, indirect=True, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a PostgreSQL pass the tests marked postgresql_only are left out (deselected, not skipped: they have
    no backend to run on, and the header says why)."""
    if "postgresql" in config.stash[BACKENDS_KEY]:
        return
    left_out = [item for item in items if item.get_closest_marker("postgresql_only")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql_only")]


def pytest_report_header(config: pytest.Config) -> str:
    backends = config.stash[BACKENDS_KEY]
    return f"cpctl store backends: {', '.join(backends)}" + ("" if "postgresql" in backends else f" ({NO_SERVER})")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    figures = config.stash.get(FIGURES_KEY, [])
    if figures:
        terminalreporter.section("data safety: what the trust tests did")
        for line in figures:
            terminalreporter.write_line(line)
    if "postgresql" not in config.stash[BACKENDS_KEY] and (config.getoption("--backend") or "all") == "all":
        terminalreporter.write_line(f"PostgreSQL pass not run: {NO_SERVER}.", yellow=True)


FIGURES_KEY = pytest.StashKey[list[str]]()


@pytest.fixture
def figure(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """figure("...") adds a line to the figures printed at the end of the run (trials run, rows written, ...)."""

    def add(line: str) -> None:
        request.config.stash.setdefault(FIGURES_KEY, []).append(f"{request.node.name}: {line}")

    return add


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The PostgreSQL server of the tests, with a migrated template database."""
    url = server_url()
    assert url is not None  # chosen_backends() leaves PostgreSQL out without one
    server = PostgresServer(url)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The backend this test runs on ('sqlite' or 'postgresql')."""
    name = getattr(request, "param", "sqlite")
    if name == "postgresql":
        request.getfixturevalue("postgres")
    return name


@pytest.fixture
def make_store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., StoreRef]:
    """make_store("family.db") -> a new store of this test's own on its backend.

    On SQLite the file is created (and migrated) by the first cpctl that opens it; on PostgreSQL the database is
    already migrated, unless empty=True asks for one that no cpctl has touched yet.
    """

    def make(name: str = "cpctl.db", *, empty: bool = False) -> StoreRef:
        if backend == "sqlite":
            from cpctl.paths import sqlite_url

            return StoreRef(sqlite_url(tmp_path / name))
        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.create(empty=empty)
        request.addfinalizer(lambda: server.drop(url))
        return StoreRef(url)

    return make


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


@pytest.fixture(autouse=True)
def store(
    data_dir: Path, backend: str, make_store: Callable[..., StoreRef], monkeypatch: pytest.MonkeyPatch
) -> StoreRef:
    """The store every command opens by default: cpctl.db in the data folder, or this test's own database."""
    if backend == "sqlite":
        from cpctl.paths import sqlite_url

        return StoreRef(sqlite_url(data_dir / "cpctl.db"))
    ref = make_store()
    monkeypatch.setenv("CPCTL_DATABASE_URL", ref.url)
    return ref


@pytest.fixture
def empty_store(
    store: StoreRef, backend: str, make_store: Callable[..., StoreRef], monkeypatch: pytest.MonkeyPatch
) -> StoreRef:
    """The default store before any cpctl touched it: no file yet (SQLite), or an empty database (a server)."""
    if backend == "sqlite":
        return store
    ref = make_store(empty=True)
    monkeypatch.setenv("CPCTL_DATABASE_URL", ref.url)
    return ref


@pytest.fixture
def store_path(data_dir: Path) -> Path:
    """The default SQLite store file (it does not exist until a command creates it; unused on PostgreSQL)."""
    return data_dir / "cpctl.db"


@pytest.fixture
def cli() -> Run:
    """Run `cpctl ARGS` in-process: cli("child", "list") returns a Result with exit_code, stdout, stderr."""
    return run_cli


@pytest.fixture
def initialised(cli: Run, store: StoreRef) -> StoreRef:
    """A store set up for a synthetic English authority, with the test login registered as its chair."""
    result = cli("init", "--authority", AUTHORITY, "--jurisdiction", "england", "--name", CHAIR, "--role", "chair")
    assert result.exit_code == 0, result.output
    return store


@pytest.fixture
def unchanged(initialised: StoreRef) -> Callable[[], None]:
    """Call it after a failed command: asserts that nothing at all in the store changed."""
    before = dump(initialised)

    def check() -> None:
        assert dump(initialised) == before

    return check
