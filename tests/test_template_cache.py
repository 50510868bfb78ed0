"""Compiled templates are kept in the data folder's cache, and never outlive their source."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpctl import documents
from export_support import CHILD, TODAY
from helpers import run_cli

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)


@pytest.fixture(autouse=True)
def _new_process() -> None:
    documents.environment.cache_clear()  # each export below starts as a new process would


def export(store: Path, *args: str) -> str:
    result = run_cli("--db", str(store), "plan", "export", CHILD, "--on", TODAY.isoformat(), *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_compiled_templates_are_kept(fixed_plan: Path, data_dir: Path) -> None:
    first = export(fixed_plan, "--for", "professional", "--format", "html")
    kept = sorted((data_dir / "cache" / "templates" / "html").iterdir())
    assert kept
    documents.environment.cache_clear()
    assert export(fixed_plan, "--for", "professional", "--format", "html") == first
    assert sorted((data_dir / "cache" / "templates" / "html").iterdir()) == kept


def test_markdown_and_html_keep_their_own(fixed_plan: Path, data_dir: Path) -> None:
    """The same template compiles with HTML's escaping on and Markdown's off: one must never run the other's."""
    import shutil

    html = export(fixed_plan, "--for", "professional", "--format", "html")
    shutil.rmtree(data_dir / "cache" / "templates")
    documents.environment.cache_clear()
    export(fixed_plan, "--for", "professional")  # Markdown's compiled templates, kept first
    documents.environment.cache_clear()
    assert export(fixed_plan, "--for", "professional", "--format", "html") == html


def test_an_edited_template_is_compiled_again(fixed_plan: Path, tmp_path: Path) -> None:
    (tmp_path / "child.j2").write_text("Hello {{ child.given_name }}.\n")
    assert export(fixed_plan, "--for", "child", "--templates", str(tmp_path)) == "Hello Jamie.\n"
    documents.environment.cache_clear()
    (tmp_path / "child.j2").write_text("Goodbye {{ child.given_name }}.\n")
    assert export(fixed_plan, "--for", "child", "--templates", str(tmp_path)) == "Goodbye Jamie.\n"


def test_a_cache_that_cannot_be_written_is_no_error(fixed_plan: Path, data_dir: Path) -> None:
    (data_dir / "cache").mkdir(parents=True, exist_ok=True)
    (data_dir / "cache" / "templates").write_text("not a folder")
    assert export(fixed_plan, "--for", "parent").startswith("# Child protection plan for Jamie Testwood")
