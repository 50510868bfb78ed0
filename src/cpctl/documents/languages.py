"""The languages a plan document can be written in, and the translations of its fixed text.

The fixed text is translated through gettext catalogues (`cpctl/locale/<lang>/LC_MESSAGES/cpctl.po`, compiled in
memory at first use); `RecordingTranslations` notes every message a catalogue does not translate. An authority's
own catalogue, `<data folder>/locale/<lang>/LC_MESSAGES/cpctl.po`, is used before the packaged one. Beside each
catalogue, `review.yaml` says how good it is: `status: drafted`, or `status: checked` with `checked_by` and
`checked_on` (a qualified translator, and the day); a catalogue without a valid record counts as drafted.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from cpctl.documents.views import SOURCE_LANGUAGE, LanguageView, PlanDocument
from cpctl.errors import Invalid

if TYPE_CHECKING:
    from importlib.abc import Traversable

    from babel.support import NullTranslations

Source = Literal["built in", "packaged", "authority"]

# Names people write that are not Babel's English name of the language (Babel says "Punjabi").
ALIASES = {"panjabi": "pa", "punjabi": "pa", "gurmukhi": "pa", "farsi": "fa"}


@dataclass(frozen=True)
class Catalogue:
    """The translations of the fixed text into one language, and which messages it really translates."""

    code: str
    translations: NullTranslations
    translated: frozenset[str] = frozenset()
    key: str = ""  # where the catalogue was read from, and when it last changed: a new key compiles afresh


@dataclass(frozen=True)
class Review:
    """How good a catalogue is: drafted, or checked by a qualified translator (who, and when)."""

    status: Literal["drafted", "checked"] = "drafted"
    checked_by: str | None = None
    checked_on: date | None = None

    @property
    def checked(self) -> bool:
        return self.status == "checked"

    def described(self) -> str:
        """'checked by A. Translator on 2026-11-02' or 'drafted, not yet checked by a qualified translator'."""
        if self.checked:
            return f"checked by {self.checked_by} on {self.checked_on}"
        return "drafted, not yet checked by a qualified translator"


@dataclass(frozen=True)
class Language:
    """One language cpctl can write in: its names, direction, review status and where its catalogue is."""

    code: str
    name: str  # in English
    native_name: str  # in itself
    direction: Literal["ltr", "rtl"]
    review: Review
    source: Source
    where: str  # the catalogue's file ("" for English)


def _authority_folder(code: str) -> Traversable | None:
    from cpctl.paths import data_dir

    folder = data_dir() / "locale" / code
    return folder if (folder / "LC_MESSAGES" / "cpctl.po").is_file() else None


def _packaged_folder(code: str) -> Traversable | None:
    from importlib.resources import files

    folder = files("cpctl").joinpath("locale", code)
    return folder if folder.joinpath("LC_MESSAGES", "cpctl.po").is_file() else None


def catalogue_folder(code: str) -> tuple[Traversable, Source] | None:
    """The folder of the catalogue used for `code`: the authority's own if it has one, else cpctl's."""
    own = _authority_folder(code)
    if own is not None:
        return own, "authority"
    packaged = _packaged_folder(code)
    return (packaged, "packaged") if packaged is not None else None


def available_languages() -> tuple[str, ...]:
    """The languages cpctl's documents can be written in: English, every packaged catalogue and the authority's."""
    from importlib.resources import files

    from cpctl.paths import data_dir

    found: set[str] = set()
    for root in (files("cpctl").joinpath("locale"), data_dir() / "locale"):
        if not root.is_dir():
            continue
        found.update(
            entry.name
            for entry in root.iterdir()
            if entry.is_dir() and entry.joinpath("LC_MESSAGES", "cpctl.po").is_file() and _is_locale(entry.name)
        )
    return (SOURCE_LANGUAGE, *sorted(found - {SOURCE_LANGUAGE}))


def _is_locale(name: str) -> bool:
    """Whether a folder's name is a language code Babel knows (an authority's folder could be named anything)."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        return False
    return True


def read_review(folder: Traversable) -> Review:
    """The review record beside a catalogue; drafted if there is none, or it cannot be read, or it claims a
    check without saying who checked and when (a copy never says "checked" without both)."""
    import yaml

    record = folder.joinpath("review.yaml")
    if not record.is_file():
        return Review()
    try:
        data = yaml.safe_load(record.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return Review()
    if not isinstance(data, dict) or data.get("status") != "checked":
        return Review()
    who = data.get("checked_by")
    when = data.get("checked_on")
    if isinstance(when, str):
        try:
            when = date.fromisoformat(when)
        except ValueError:
            when = None
    if not isinstance(who, str) or not who.strip() or not isinstance(when, date):
        return Review()
    return Review(status="checked", checked_by=who.strip(), checked_on=when)


def direction(code: str) -> Literal["ltr", "rtl"]:
    """The direction a language is written in, from the Unicode CLDR (Babel): rtl for Urdu and Arabic."""
    from babel import Locale

    return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"


def language(code: str) -> Language:
    """What cpctl knows about one of its languages (English, or one with a catalogue)."""
    from babel import Locale

    locale = Locale.parse(code)
    name = locale.get_display_name("en") or code
    native = locale.get_display_name(code) or code
    if code == SOURCE_LANGUAGE:
        return Language(code, "English", native, "ltr", Review("checked"), "built in", "")
    found = catalogue_folder(code)
    if found is None:
        raise Invalid(f"cpctl has no catalogue for {name} ({code}).")
    folder, source = found
    return Language(
        code=code,
        name=name,
        native_name=native,
        direction=direction(code),
        review=read_review(folder),
        source=source,
        where=str(folder.joinpath("LC_MESSAGES", "cpctl.po")),
    )


def _folded(text: str) -> str:
    """Lower case, without accents: 'Română' and 'romana' are the same name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def language_code(text: str | None) -> str | None:
    """A language as people write it ('Welsh', 'Cymraeg', 'cy', 'cy-GB', 'Panjabi', 'اردو') as its code; None if
    unknown."""
    from babel import Locale, UnknownLocaleError

    value = (text or "").strip()
    if not value:
        return None
    lowered = _folded(value)
    if lowered in ALIASES:
        return ALIASES[lowered]
    english = Locale("en")
    for code, name in english.languages.items():
        if _folded(name) == lowered and "_" not in code:
            return code
    for code in available_languages():
        if _folded(Locale.parse(code).get_display_name(code) or "") == lowered:
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
    found = language(code)
    return LanguageView(
        code=code,
        name=found.name,
        native_name=found.native_name,
        requested=wanted,
        available=True,
        direction=found.direction,
        checked=found.review.checked,
    )


def check_language(text: str) -> str:
    """A --language value cpctl knows as a language (whether or not it has a translation into it)."""
    if language_code(text) is None:
        from babel import Locale

        known = sorted(Locale.parse(code).get_display_name("en") or code for code in available_languages())
        names = ", ".join(known[:-1]) + " and " + known[-1] if len(known) > 1 else known[0]
        raise Invalid(
            f"unknown language {text[:40]!r}: give a name such as Welsh or a code such as cy "
            f"(cpctl has copies in {names})."
        )
    return text.strip()


def catalogue(code: str) -> Catalogue:
    """The catalogue for a language (the authority's own first, else cpctl's), compiled from its .po file in
    memory on first use, and again only when the file changes."""
    from babel.support import NullTranslations

    if code == SOURCE_LANGUAGE:
        return Catalogue(code=code, translations=NullTranslations(), key=SOURCE_LANGUAGE)
    found = catalogue_folder(code)
    if found is None:
        raise Invalid(f"cpctl has no catalogue for {code!r}.")
    source = found[0].joinpath("LC_MESSAGES", "cpctl.po")
    try:
        changed = source.stat().st_mtime_ns  # type: ignore[attr-defined]
    except (AttributeError, OSError):  # a catalogue inside a zip: it does not change
        changed = 0
    return _compiled(code, source, f"{source}@{changed}")


@functools.lru_cache(maxsize=32)
def _compiled(code: str, source: Traversable, key: str) -> Catalogue:
    from io import BytesIO

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po
    from babel.support import Translations

    try:
        with source.open("rb") as handle:
            po = read_po(handle, locale=code, domain="cpctl", abort_invalid=True)
    except (OSError, UnicodeDecodeError, ValueError, PoFileError) as exc:
        raise Invalid(
            f"the {code} catalogue {source} cannot be read ({type(exc).__name__}): fix it or remove it."
        ) from None
    for message in po:
        _check_placeholders(code, source, message)
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
    return Catalogue(code=code, translations=Translations(buffer, domain="cpctl"), translated=translated, key=key)


def _check_placeholders(code: str, source: Traversable, message: Any) -> None:
    """Refuse, in one line, a translation the templates could not fill in: a placeholder its message does not
    have, or a lone % (the templates format every message with its values)."""
    if not message.id:  # the header
        return
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
    values = dict.fromkeys(re.findall(r"%\((\w+)\)", " ".join(ids)), 0)
    for text in strings:
        if not text:
            continue
        try:
            text % values
        except (KeyError, ValueError, TypeError):
            raise Invalid(
                f"the {code} catalogue {source}: the translation of {ids[0][:50]!r} has a placeholder or a % its "
                "message does not have; fix it (%% for a percent sign)."
            ) from None


def unchecked_note(name: str, whose: str = "the") -> str:
    """The one line on stderr for a copy made from a catalogue no qualified translator has checked yet."""
    return (
        f"Note: the {name} translation has not been checked by a qualified translator yet (see `cpctl language "
        f"list`); {whose} copy says so, in {name} and in English."
    )


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
