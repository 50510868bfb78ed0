"""The translation catalogues: in step with the templates, complete in Welsh for the family copies, and
shipped in the package so that a plain `pip install .` can write a Welsh copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from cpctl.documents import languages, render
from readability_helpers import invitation_variants, letter_variants, neutral_document

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import messages  # noqa: E402  (scripts/messages.py extracts the templates' messages)

LOCALE = ROOT / "src" / "cpctl" / "locale"
WELSH = LOCALE / "cy" / "LC_MESSAGES" / "cpctl.po"
FAMILY_TEMPLATES = (
    "parent.j2",
    "child.j2",
    "parts/complaints.j2",
    "letter-parent.j2",
    "letter-child.j2",
    "invitation-parent.j2",
)


def keys(catalogue: object) -> set[str]:
    return {languages.message_key(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalogue if m.id}  # type: ignore[attr-defined]


def welsh() -> object:
    with WELSH.open("rb") as handle:
        return read_po(handle, locale="cy", domain="cpctl")


def test_the_message_template_is_in_step_with_the_templates() -> None:
    with (LOCALE / "cpctl.pot").open("rb") as handle:
        pot = read_po(handle)
    assert keys(pot) == keys(messages.template_catalogue()), "run `python scripts/messages.py`"


def test_the_welsh_catalogue_has_every_message_and_no_stale_ones() -> None:
    with (LOCALE / "cpctl.pot").open("rb") as handle:
        pot = read_po(handle)
    assert keys(welsh()) == keys(pot), "run `python scripts/messages.py`, then translate what it adds"


def test_every_message_of_the_family_templates_is_translated_into_welsh() -> None:
    catalogue = languages.catalogue("cy")
    wanted = {
        languages.message_key(m if isinstance(m, str) else m[0], context)
        for name, _line, m, context in messages.template_messages()
        if name in FAMILY_TEMPLATES
    }
    assert sorted(wanted - catalogue.translated) == []
    terms = {words for where, words in messages.profile_messages() if where.startswith("profiles/wales.yaml")}
    assert sorted(terms - catalogue.translated) == []


@pytest.mark.parametrize("audience", ["parent", "child"])
@pytest.mark.parametrize(
    "variant",
    [
        dict(outcome="plan-starts", overdue=False, age=7, draft=True),
        dict(outcome="plan-continues", overdue=True, age=12, draft=False, arranged=True),
        dict(outcome="plan-ends", overdue=False, age=12, draft=False, lead=False, actions=False),
    ],
)
def test_a_welsh_family_copy_has_no_english_fixed_text(audience: str, variant: dict[str, object]) -> None:
    """Everything the copy renders, shared blocks and the page header included, has a Welsh translation."""
    for fmt in ("md", "html"):
        rendered = render.render(neutral_document(audience, **variant), fmt, language="Cymraeg")  # type: ignore[arg-type]
        assert rendered.language.code == "cy"
        assert sorted(rendered.missing) == []
        assert not rendered.language.partial


@pytest.mark.parametrize("kind", ["letter-parent", "letter-child", "invitation-parent"])
def test_a_welsh_letter_or_invitation_to_the_family_has_no_english_fixed_text(kind: str) -> None:
    """The conference's family documents: every variant of the outcome letters and the parents' invitation."""
    documents = (
        letter_variants(kind.removeprefix("letter-")) if kind.startswith("letter-") else invitation_variants("parent")
    )
    for document in documents:
        for fmt in ("md", "html"):
            rendered = render.render(document, fmt, language="Cymraeg")  # type: ignore[arg-type]
            assert rendered.language.code == "cy"
            assert sorted(rendered.missing) == [], kind


def test_the_welsh_translations_keep_their_placeholders_and_none_is_fuzzy() -> None:
    catalogue = welsh()
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check()]  # type: ignore[attr-defined]
    assert problems == []
    assert [m.id for m in catalogue if m.id and m.fuzzy] == []  # type: ignore[attr-defined]


def test_a_language_without_a_catalogue_falls_back_to_english_and_says_so() -> None:
    rendered = render.render(neutral_document("parent"), "md", language="Turkish")
    assert rendered.language.code == "en" and not rendered.language.available
    assert "We cannot write this copy in Turkish yet, so it is in English." in rendered.text


def test_a_professional_copy_in_welsh_says_which_wording_is_still_english() -> None:
    rendered = render.render(neutral_document("professional"), "md", language="cy")
    assert rendered.language.partial and rendered.missing
    assert "Some of the fixed wording of this copy has no translation yet and is in English." in rendered.text


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Welsh", "cy"),
        ("welsh", "cy"),
        ("Cymraeg", "cy"),
        ("cy", "cy"),
        ("cy-GB", "cy"),
        ("cy_GB", "cy"),
        ("English", "en"),
        ("Polish", "pl"),
        ("pl", "pl"),
        ("Gibberish", None),
        ("", None),
    ],
)
def test_languages_are_known_by_name_native_name_or_code(written: str, code: str | None) -> None:
    assert languages.language_code(written) == code


@pytest.mark.slow
def test_a_plain_install_of_the_package_writes_a_welsh_copy(tmp_path: Path) -> None:
    """Build the wheel from a copy of the source, install it alone, and render from it (not from src/)."""
    source = tmp_path / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
    )
    target = tmp_path / "installed"
    wheel = next(wheels.glob("cpctl-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    script = textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[1])
        sys.path.insert(1, sys.argv[2])
        import cpctl
        assert cpctl.__file__.startswith(sys.argv[1]), cpctl.__file__
        from cpctl.documents import render
        from readability_helpers import invitation_variants, letter_variants, neutral_document
        print(render.render(neutral_document("parent"), "html", language="cy").text)
    """)
    done = subprocess.run(
        [sys.executable, "-c", script, str(target), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert '<html lang="cy" dir="ltr">' in done.stdout and "Eich hawliau" in done.stdout
