"""Compiled templates are kept in the data folder's cache, and never outlive their source."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import cpctl
from cpctl.documents import render
from export_support import CHILD, TODAY
from helpers import run_cli

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)


@pytest.fixture(autouse=True)
def _new_process() -> None:
    render.environment.cache_clear()  # each export below starts as a new process would


def compiled(data_dir: Path, fmt: str = "html") -> Path:
    return data_dir / "cache" / "templates" / f"{cpctl.__version__}-{render.TEMPLATE_CACHE_FORMAT}" / fmt


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the templates Jinja2 compiles from source (a cached one is loaded instead)."""
    import jinja2

    names: list[str] = []
    compile_source = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        names.append(name)
        return compile_source(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    yield names


def export(store: Path, *args: str) -> str:
    result = run_cli("--db", str(store), "plan", "export", CHILD, "--on", TODAY.isoformat(), *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_compiled_templates_are_kept_and_used(fixed_plan: Path, data_dir: Path, compiles: list[str]) -> None:
    first = export(fixed_plan, "--for", "professional", "--format", "html")
    assert compiles
    kept = sorted(compiled(data_dir).iterdir())
    assert kept
    render.environment.cache_clear()
    compiles.clear()
    assert export(fixed_plan, "--for", "professional", "--format", "html") == first
    assert compiles == []  # every template came from the cache
    assert sorted(compiled(data_dir).iterdir()) == kept


def test_the_cache_folders_are_private(fixed_plan: Path, data_dir: Path) -> None:
    export(fixed_plan, "--for", "parent", "--format", "html")
    folder = compiled(data_dir)
    for level in (folder, *folder.parents):
        if level == data_dir:
            break
        assert stat.S_IMODE(level.stat().st_mode) == 0o700, level
    assert {stat.S_IMODE(f.stat().st_mode) for f in folder.iterdir()} == {0o600}


def test_a_damaged_cache_file_is_compiled_again(fixed_plan: Path, data_dir: Path, compiles: list[str]) -> None:
    """A crash or a sync tool can leave a cut-off or garbled file: it costs a compile, never an export."""
    from jinja2.bccache import bc_magic

    first = export(fixed_plan, "--for", "professional", "--format", "html")
    for damage in (bc_magic, bc_magic + b"not a pickle at all", b"garbage"):
        for kept in compiled(data_dir).iterdir():
            kept.write_bytes(damage)
        render.environment.cache_clear()
        compiles.clear()
        assert export(fixed_plan, "--for", "professional", "--format", "html") == first
        assert compiles  # compiled again, and the damaged files replaced
        assert all(f.read_bytes() != damage for f in compiled(data_dir).iterdir())


def test_a_cache_others_can_write_to_is_not_used(fixed_plan: Path, data_dir: Path, compiles: list[str]) -> None:
    """Compiled templates are code that will be run: only a folder that is the user's own and no one else can
    write to is trusted with them."""
    first = export(fixed_plan, "--for", "professional", "--format", "html")
    cache = data_dir / "cache"
    cache.chmod(0o777)
    try:
        render.environment.cache_clear()
        compiles.clear()
        assert export(fixed_plan, "--for", "professional", "--format", "html") == first
        assert compiles  # not loaded from the folder
    finally:
        cache.chmod(0o700)


def test_a_new_version_of_cpctl_compiles_again(
    fixed_plan: Path, data_dir: Path, compiles: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade may compile the same template differently (settings, filters): it does not reuse old code."""
    export(fixed_plan, "--for", "professional", "--format", "html")
    installed = cpctl.__version__
    monkeypatch.setattr(cpctl, "__version__", "99.0.0")
    render.environment.cache_clear()
    compiles.clear()
    export(fixed_plan, "--for", "professional", "--format", "html")
    assert compiles
    form = render.TEMPLATE_CACHE_FORMAT
    assert sorted(p.name for p in (data_dir / "cache" / "templates").iterdir()) == sorted(
        [f"99.0.0-{form}", f"{installed}-{form}"]
    )


def test_markdown_and_html_keep_their_own(fixed_plan: Path, data_dir: Path) -> None:
    """The same template compiles with HTML's escaping on and Markdown's off: one must never run the other's."""
    import shutil

    html = export(fixed_plan, "--for", "professional", "--format", "html")
    shutil.rmtree(data_dir / "cache" / "templates")
    render.environment.cache_clear()
    export(fixed_plan, "--for", "professional")  # Markdown's compiled templates, kept first
    render.environment.cache_clear()
    assert export(fixed_plan, "--for", "professional", "--format", "html") == html


def test_an_edited_template_is_compiled_again(fixed_plan: Path, tmp_path: Path) -> None:
    (tmp_path / "child.j2").write_text("Hello {{ child.given_name }}.\n")
    assert export(fixed_plan, "--for", "child", "--templates", str(tmp_path)) == "Hello Jamie.\n"
    render.environment.cache_clear()
    (tmp_path / "child.j2").write_text("Goodbye {{ child.given_name }}.\n")
    assert export(fixed_plan, "--for", "child", "--templates", str(tmp_path)) == "Goodbye Jamie.\n"


def test_a_cache_that_cannot_be_written_is_no_error(fixed_plan: Path, data_dir: Path) -> None:
    (data_dir / "cache").mkdir(parents=True, exist_ok=True)
    (data_dir / "cache" / "templates").write_text("not a folder")
    assert export(fixed_plan, "--for", "parent").startswith("# Child protection plan for Jamie Testwood")


def test_templates_compiled_before_the_sandbox_are_not_run(fixed_plan: Path, data_dir: Path) -> None:
    """Compiled code is run as it is: what a cpctl without the sandbox compiled (cache format 1) must never run
    inside it. Here such a file is planted where that cpctl kept it, for the very template in use."""
    import jinja2
    from jinja2.bccache import Bucket, FileSystemBytecodeCache

    plain = jinja2.Environment(loader=jinja2.PackageLoader("cpctl", "templates"))
    source, filename, _ = plain.loader.get_source(plain, "child.j2")  # type: ignore[union-attr]
    old = data_dir / "cache" / "templates" / f"{cpctl.__version__}-1" / "md"
    old.mkdir(parents=True)
    for folder in (old, *old.parents):
        if folder == data_dir:
            break
        folder.chmod(0o700)
    keeper = FileSystemBytecodeCache(str(old))
    bucket = Bucket(plain, keeper.get_cache_key("child.j2", filename), keeper.get_source_checksum(source))
    bucket.code = plain.compile("PLANTED by an unsandboxed compile\n", "child.j2", filename)
    with open(old / (keeper.pattern % bucket.key), "wb") as handle:
        bucket.write_bytecode(handle)
        (old / (keeper.pattern % bucket.key)).chmod(0o600)
    assert "PLANTED" not in export(fixed_plan, "--for", "child")
