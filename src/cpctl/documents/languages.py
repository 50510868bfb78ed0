"""The languages a plan document can be written in, and the translations of its fixed text.

The fixed text is translated through gettext catalogues (`cpctl/locale/<lang>/LC_MESSAGES/cpctl.po`, compiled in
memory at first use); `RecordingTranslations` notes every message a catalogue does not translate.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cpctl.documents.views import SOURCE_LANGUAGE, LanguageView, PlanDocument
from cpctl.errors import Invalid

if TYPE_CHECKING:
    from babel.support import NullTranslations


@dataclass(frozen=True)
class Catalogue:
    """The translations of the fixed text into one language, and which messages it really translates."""

    code: str
    translations: NullTranslations
    translated: frozenset[str] = frozenset()


def available_languages() -> tuple[str, ...]:
    """The languages cpctl's documents can be written in: English and every packaged catalogue."""
    from importlib.resources import files

    root = files("cpctl").joinpath("locale")
    found = sorted(
        entry.name for entry in root.iterdir() if entry.is_dir() and entry.joinpath("LC_MESSAGES", "cpctl.po").is_file()
    )
    return (SOURCE_LANGUAGE, *found)


def language_code(text: str | None) -> str | None:
    """A language as people write it ('Welsh', 'Cymraeg', 'cy', 'cy-GB') as its code; None if unknown."""
    from babel import Locale, UnknownLocaleError

    value = (text or "").strip()
    if not value:
        return None
    lowered = value.lower()
    english = Locale("en")
    for code, name in english.languages.items():
        if name.lower() == lowered and "_" not in code:
            return code
    for code in available_languages():
        if (Locale.parse(code).get_display_name(code) or "").lower() == lowered:
            return code
    try:
        parsed = Locale.parse(value.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    return parsed.language


def choose_language(requested: str | None) -> LanguageView:
    """The language to write in: the one requested if cpctl has a catalogue for it, otherwise English."""
    from babel import Locale

    wanted = (requested or "").strip() or "English"
    code = language_code(wanted)
    if code is None or code not in available_languages():
        english = Locale.parse(SOURCE_LANGUAGE)
        return LanguageView(
            code=SOURCE_LANGUAGE,
            name="English",
            native_name=english.get_display_name("en") or "",
            requested=wanted,
            available=code == SOURCE_LANGUAGE,
        )
    locale = Locale.parse(code)
    return LanguageView(
        code=code,
        name=locale.get_display_name("en") or code,
        native_name=locale.get_display_name(code) or code,
        requested=wanted,
        available=True,
    )


def check_language(text: str) -> str:
    """A --language value cpctl knows as a language (whether or not it has a translation into it)."""
    if language_code(text) is None:
        from babel import Locale

        names = " and ".join(Locale.parse(code).get_display_name("en") or code for code in available_languages())
        raise Invalid(
            f"unknown language {text[:40]!r}: give a name such as Welsh or a code such as cy "
            f"(cpctl has copies in {names})."
        )
    return text.strip()


@functools.cache
def catalogue(code: str) -> Catalogue:
    """The packaged catalogue for a language, compiled from its .po file in memory on first use."""
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    if code == SOURCE_LANGUAGE:
        return Catalogue(code=code, translations=NullTranslations())
    from importlib.resources import files

    source = files("cpctl").joinpath("locale", code, "LC_MESSAGES", "cpctl.po")
    with source.open("rb") as handle:
        po = read_po(handle, locale=code, domain="cpctl")
    buffer = BytesIO()
    write_mo(buffer, po, use_fuzzy=False)
    buffer.seek(0)
    translated = frozenset(
        message_key(str(message.id if isinstance(message.id, str) else message.id[0]), message.context)
        for message in po
        if message.id
        and not message.fuzzy
        and (all(message.string) if isinstance(message.string, tuple | list) else message.string)
    )
    return Catalogue(code=code, translations=Translations(buffer, domain="cpctl"), translated=translated)


def message_key(message: str, context: str | None = None) -> str:
    """A message as gettext files it: with its context, if any, before an EOT character."""
    return message if context is None else f"{context}\x04{message}"


class RecordingTranslations:
    """gettext for the templates that notes every fixed message the catalogue has no translation for."""

    def __init__(self, found: Catalogue) -> None:
        self.catalogue = found
        self.missing: set[str] = set()
        self.used: set[str] = set()

    def _note(self, message: str, context: str | None = None) -> None:
        key = message_key(message, context)
        self.used.add(key)
        if self.catalogue.code != SOURCE_LANGUAGE and key not in self.catalogue.translated:
            self.missing.add(key)

    def gettext(self, message: str) -> str:
        self._note(message)
        return str(self.catalogue.translations.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self._note(singular)
        return str(self.catalogue.translations.ngettext(singular, plural, n))

    def pgettext(self, context: str, message: str) -> str:
        self._note(message, context)
        return str(self.catalogue.translations.pgettext(context, message))

    def npgettext(self, context: str, singular: str, plural: str, n: int) -> str:
        self._note(singular, context)
        return str(self.catalogue.translations.npgettext(context, singular, plural, n))


def default_language(document: PlanDocument) -> str:
    """The reader's preferred language: the parent's a copy is made for, or else the child's."""
    if document.audience == "professional":
        return "English"
    if document.audience == "parent" and document.reader is not None and document.reader.preferred_language:
        return document.reader.preferred_language
    return document.child.preferred_language or "English"
