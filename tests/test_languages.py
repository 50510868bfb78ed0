"""The family's languages: Welsh, Polish, Romanian, Panjabi, Urdu and Arabic.

Each catalogue translates every message of the family documents (no English left in a parent's or a child's copy,
a letter or an invitation), keeps every placeholder, and has each plural form its language needs; each has a
review record, and a copy made from one that no qualified translator has checked says so, in its language and in
English, and so does the command. `cpctl language list` shows them all; an authority's own catalogue in the data
folder is used before cpctl's; Urdu and Arabic pages run right to left with a stylesheet of logical properties.

The translations are filled in by translators working alongside; the tests of completeness need their files.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from cpctl.documents import languages, render
from helpers import run_cli
from readability_helpers import invitation_variants, letter_variants, neutral_document

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "cpctl" / "locale"
FAMILY_LANGUAGES = ["cy", "pl", "ro", "pa", "ur", "ar"]
NEW_LANGUAGES = ["pl", "ro", "pa", "ur", "ar"]
UNCHECKED = (
    "A qualified translator has not checked this translation yet. If anything is not clear, ask for the English "
    "copy or for an interpreter."
)
# How many plural forms each language has, and which form gettext must pick for 1, 2, 5 and 22 (CLDR's rules).
PLURALS = {
    "cy": (6, {1: 1, 2: 2, 5: 5, 22: 5}),
    "pl": (3, {1: 0, 2: 1, 5: 2, 22: 1}),
    "ro": (3, {1: 0, 2: 1, 5: 1, 22: 2}),
    "pa": (2, {1: 0, 2: 1, 5: 1, 22: 1}),
    "ur": (2, {1: 0, 2: 1, 5: 1, 22: 1}),
    "ar": (6, {1: 1, 2: 2, 5: 3, 22: 4}),
}
SCRIPTS = {
    "pl": re.compile("[ąęłżśźćń]"),
    "ro": re.compile("[ășțîâ]"),
    "pa": re.compile("[\u0a00-\u0a7f]"),
    "ur": re.compile("[\u0600-\u06ff]"),
    "ar": re.compile("[\u0600-\u06ff]"),
    "cy": re.compile("[ŵŷâêîôû]|dd|ll"),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def po(code: str) -> object:
    with (LOCALE / code / "LC_MESSAGES" / "cpctl.po").open("rb") as handle:
        return read_po(handle, locale=code, domain="cpctl")


def family_documents() -> list[tuple[str, object]]:
    """Every variant of the parents' and the child's copy, the outcome letters and the parents' invitation."""
    found: list[tuple[str, object]] = []
    for audience in ("parent", "child"):
        for variant in (
            dict(outcome="plan-starts", overdue=False, age=7, draft=True),
            dict(outcome="plan-continues", overdue=True, age=12, draft=False, arranged=True),
            dict(outcome="plan-ends", overdue=False, age=12, draft=False, lead=False, actions=False),
        ):
            found.append((audience, neutral_document(audience, **variant)))
        found += [(f"letter-{audience}", document) for document in letter_variants(audience)]
    found += [("invitation-parent", document) for document in invitation_variants("parent")]
    return found


# -- the catalogues ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", FAMILY_LANGUAGES)
def test_every_catalogue_has_every_message_and_a_review_record(code: str) -> None:
    with (LOCALE / "cpctl.pot").open("rb") as handle:
        pot = read_po(handle)
    ids = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in pot if m.id}
    assert {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in po(code) if m.id} == ids  # type: ignore[attr-defined]
    review = languages.read_review(LOCALE / code)  # type: ignore[arg-type]
    assert (LOCALE / code / "review.yaml").is_file()
    assert review.status in ("drafted", "checked")


@pytest.mark.parametrize("code", FAMILY_LANGUAGES)
def test_no_english_is_left_in_any_family_copy(code: str) -> None:
    """Every fixed message the family's documents show, shared blocks and the page header included, translated."""
    for kind, document in family_documents():
        for fmt in ("md", "html"):
            rendered = render.render(document, fmt, language=code)  # type: ignore[arg-type]
            assert rendered.language.code == code
            assert sorted(rendered.missing) == [], (kind, fmt)
            assert not rendered.language.partial


@pytest.mark.parametrize("code", FAMILY_LANGUAGES)
def test_translations_keep_their_placeholders_and_none_is_fuzzy(code: str) -> None:
    catalogue = po(code)
    problems = []
    for message in catalogue:  # type: ignore[attr-defined]
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) != wanted:
                problems.append((ids[0], string))
        assert not message.fuzzy, ids[0]
    assert problems == []
    assert [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check()] == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("code", FAMILY_LANGUAGES)
def test_plural_messages_have_every_form_and_gettext_picks_the_right_one(code: str) -> None:
    catalogue = po(code)
    forms, picks = PLURALS[code]
    assert catalogue.num_plurals == forms  # type: ignore[attr-defined]
    translations = languages.catalogue(code).translations
    plurals = [m for m in catalogue if m.id and not isinstance(m.id, str) and any(m.string)]  # type: ignore[attr-defined]
    for message in plurals:
        assert len(message.string) == forms and all(message.string), message.id
        for n, form in picks.items():
            chosen = (
                translations.npgettext(message.context, message.id[0], message.id[1], n)
                if message.context
                else translations.ngettext(message.id[0], message.id[1], n)
            )
            assert chosen == message.string[form], (message.id[0], n)


# -- choosing a language ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Polish", "pl"),
        ("polski", "pl"),
        ("pl", "pl"),
        ("Romanian", "ro"),
        ("română", "ro"),
        ("Romana", "ro"),
        ("Panjabi", "pa"),
        ("Punjabi", "pa"),
        ("ਪੰਜਾਬੀ", "pa"),
        ("Urdu", "ur"),
        ("اردو", "ur"),
        ("Arabic", "ar"),
        ("العربية", "ar"),
        ("Welsh", "cy"),
        ("Cymraeg", "cy"),
    ],
)
def test_a_language_is_known_by_its_code_english_or_own_name(written: str, code: str) -> None:
    assert languages.language_code(written) == code
    chosen = languages.choose_language(written)
    assert (chosen.code, chosen.available) == (code, True)
    assert chosen.direction == ("rtl" if code in ("ur", "ar") else "ltr")


@pytest.mark.parametrize("code", FAMILY_LANGUAGES)
def test_dates_are_in_the_languages_own_words(code: str) -> None:
    html = render.render(neutral_document("parent"), "html", language=code).text
    from babel.dates import format_date

    document = neutral_document("parent")
    assert format_date(document.version.made_on, "d MMMM y", locale=code) in html


# -- right to left ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["ur", "ar"])
@pytest.mark.parametrize("audience", ["parent", "child"])
def test_urdu_and_arabic_pages_run_right_to_left_with_the_plans_words_isolated(code: str, audience: str) -> None:
    html = render.render(neutral_document(audience), "html", language=code).text
    assert f'<html lang="{code}" dir="rtl">' in html
    typed = re.findall(r'<span class="free" lang="en" dir="auto">', html)
    assert typed, "the plan's own words are not marked as English and isolated"
    assert '<p lang="en" dir="ltr">' + UNCHECKED + "</p>" in html
    assert "@top-right { content:" in html  # the running header starts on the right


@pytest.mark.parametrize("code", ["pl", "ro", "pa", "cy"])
def test_left_to_right_languages_stay_left_to_right(code: str) -> None:
    html = render.render(neutral_document("parent"), "html", language=code).text
    assert f'<html lang="{code}" dir="ltr">' in html


def test_the_stylesheet_uses_only_logical_properties_and_names_a_font_for_each_script() -> None:
    source = (ROOT / "src" / "cpctl" / "templates" / "style.css.j2").read_text(encoding="utf-8")
    rules = re.sub(r"\{#.*?#\}", "", source, flags=re.DOTALL)
    rules = re.sub(r"@(top|bottom)-\{\{ (start|end) \}\}", "", rules)  # page boxes: sides chosen by direction
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right|top|bottom)\b|text-align:\s*(?:left|right)|float:\s*(?:left|right)"
        r"|(?<![-\w])(?:left|right|top|bottom|width|height|max-width|min-width):",
        rules,
    )
    assert physical == []
    for code, font in (("ur", "Noto Nastaliq Urdu"), ("ar", "Noto Naskh Arabic"), ("pa", "Noto Sans Gurmukhi")):
        assert re.search(rf':lang\({code}\) {{ font-family: "{font}"', source), code
        assert f'"{font}"' in render.render(neutral_document("child"), "html", language=code).text


@pytest.mark.parametrize("code", FAMILY_LANGUAGES)
def test_numbers_are_written_by_babel_in_the_languages_own_forms(code: str) -> None:
    from babel.numbers import format_decimal

    env, _ = render.environment("html", code, (), languages.catalogue(code).key)
    assert env.filters["number"](12345) == format_decimal(12345, locale=code)
    assert env.filters["number"](3) == format_decimal(3, locale=code)  # Latin digits: Babel's default for each


# -- the unchecked note ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", FAMILY_LANGUAGES)
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_copy_from_an_unchecked_catalogue_says_so_in_both_languages(code: str, fmt: str) -> None:
    assert not languages.language(code).review.checked  # all six are drafts until a translator checks them
    for kind, document in family_documents()[:1] + family_documents()[-1:]:
        text = render.render(document, fmt, language=code).text  # type: ignore[arg-type]
        translated = str(languages.catalogue(code).translations.gettext(UNCHECKED))
        assert text.count(UNCHECKED) == 1, kind  # in English, once
        assert translated != UNCHECKED and translated in text, kind


def test_an_english_copy_carries_no_note() -> None:
    for fmt in ("md", "html"):
        assert "qualified translator" not in render.render(neutral_document("parent"), fmt, language="en").text


def test_the_command_says_so_on_stderr_in_one_line(fixed_plan: Path) -> None:
    from export_support import CHILD, TODAY

    result = run_cli(
        "--db", str(fixed_plan), "plan", "export", CHILD, "--for", "child", "--language", "اردو",
        "--format", "html", "--on", TODAY.isoformat(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "Note: the Urdu translation has not been checked by a qualified translator yet (see `cpctl language list`); "
        "the copy says so, in Urdu and in English.\n"
    )
    assert '<html lang="ur" dir="rtl">' in result.stdout


# -- the list of languages, and an authority's own catalogue ---------------------------------------------------------
def test_language_list_shows_each_language_its_direction_and_status() -> None:
    result = run_cli("language", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["code", "English", "name", "own", "name", "direction", "review", "catalogue"]
    rows = {line.split()[0]: line for line in lines[1:8]}
    assert set(rows) == {"en", "cy", "pl", "ro", "pa", "ur", "ar"}
    assert "اردو" in rows["ur"] and " rtl " in rows["ur"] and "drafted (not yet checked)" in rows["ur"]
    assert "ਪੰਜਾਬੀ" in rows["pa"] and " ltr " in rows["pa"] and "cpctl's" in rows["pa"]
    assert "source language" in rows["en"]

    listed = json.loads(run_cli("language", "list", "--json").stdout)
    assert [entry["code"] for entry in listed] == ["en", "ar", "cy", "pa", "pl", "ro", "ur"]
    urdu = next(entry for entry in listed if entry["code"] == "ur")
    assert urdu == {
        "code": "ur",
        "name": "Urdu",
        "native_name": "اردو",
        "direction": "rtl",
        "status": "drafted",
        "checked_by": None,
        "checked_on": None,
        "catalogue": "packaged",
        "file": urdu["file"],
    }
    assert urdu["file"].endswith("locale/ur/LC_MESSAGES/cpctl.po")


def authority_catalogue(code: str, review: str | None) -> Path:
    """A copy of cpctl's catalogue for `code` in the data folder (as an authority would put its own), one
    message changed so that its use shows; with `review` as its review.yaml."""
    from cpctl.paths import data_dir

    folder = data_dir() / "locale" / code
    (folder / "LC_MESSAGES").mkdir(parents=True)
    shutil.copyfile(LOCALE / "cy" / "LC_MESSAGES" / "cpctl.po", folder / "LC_MESSAGES" / "cpctl.po")
    source = (folder / "LC_MESSAGES" / "cpctl.po").read_text(encoding="utf-8")
    changed = source.replace('msgstr "Eich hawliau"', 'msgstr "Eich hawliau chi (gan yr awdurdod)"')
    assert changed != source
    (folder / "LC_MESSAGES" / "cpctl.po").write_text(changed.replace("Language: cy", f"Language: {code}"))
    if review is not None:
        (folder / "review.yaml").write_text(review, encoding="utf-8")
    return folder


def test_an_authoritys_checked_catalogue_is_used_first_and_listed() -> None:
    authority_catalogue(
        "cy", "status: checked\nchecked_by: Ffion Jones (synthetic), Welsh translator\nchecked_on: 2026-10-01\n"
    )
    rendered = render.render(neutral_document("parent"), "html", language="Welsh")
    assert "Eich hawliau chi (gan yr awdurdod)" in rendered.text
    assert rendered.language.checked and "qualified translator" not in rendered.text
    listed = {entry["code"]: entry for entry in json.loads(run_cli("language", "list", "--json").stdout)}
    assert listed["cy"]["catalogue"] == "authority" and listed["cy"]["status"] == "checked"
    assert listed["cy"]["checked_by"] == "Ffion Jones (synthetic), Welsh translator"
    assert listed["cy"]["checked_on"] == "2026-10-01"
    text = run_cli("language", "list").stdout
    assert "checked by Ffion Jones (synthetic), Welsh translator on 2026-10-01" in text
    assert "the authority's own: " in text


def test_a_claim_of_a_check_without_who_or_when_counts_as_drafted() -> None:
    authority_catalogue("cy", "status: checked\n")
    rendered = render.render(neutral_document("parent"), "md", language="cy")
    assert "Eich hawliau chi (gan yr awdurdod)" in rendered.text
    assert not rendered.language.checked and UNCHECKED in rendered.text


def test_an_authority_can_add_a_language_cpctl_does_not_ship() -> None:
    authority_catalogue("gd", None)  # Scottish Gaelic (the Welsh words stand in for a real catalogue here)
    assert "gd" in languages.available_languages()
    assert languages.language_code("Gàidhlig") == "gd"
    rendered = render.render(neutral_document("parent"), "html", language="Scottish Gaelic")
    assert rendered.language.code == "gd" and not rendered.language.checked
    assert '<html lang="gd" dir="ltr">' in rendered.text


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda text: text.encode("utf-8") + b'\nmsgid "x"\nmsgstr "\xff\xfe"\n', "cannot be read"),
        (
            lambda text: text.replace('(gan yr awdurdod)"', '%(neb)s"').encode("utf-8"),
            "the translation of 'Your rights' has a placeholder or a % its message does not have",
        ),
    ],
    ids=["not-utf8", "unknown-placeholder"],
)
def test_a_damaged_authority_catalogue_is_refused_in_one_line(tmp_path: Path, damage: object, says: str) -> None:
    folder = authority_catalogue("cy", None)
    po = folder / "LC_MESSAGES" / "cpctl.po"
    po.write_bytes(damage(po.read_text(encoding="utf-8")))  # type: ignore[operator]
    with pytest.raises(languages.Invalid, match=re.escape(says)):
        render.render(neutral_document("parent"), "md", language="Welsh")
