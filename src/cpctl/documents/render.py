"""Rendering a plan document: Markdown, HTML, and PDF printed from the HTML.

Templates are Jinja2, run in its immutable sandbox (`cpctl/templates/`, overridable from `<data dir>/templates` or a
folder of the user's choice), with autoescaping for HTML, Markdown escaping of every value for Markdown,
StrictUndefined, the fixed text translated (`cpctl.documents.languages`) and compiled templates kept in the data
folder's cache. PDF is printed from the HTML by Chromium (`cpctl.documents.pdf`).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from cpctl.documents.languages import Catalogue, RecordingTranslations, catalogue, choose_language
from cpctl.documents.redaction import map_strings
from cpctl.documents.views import (
    FORMATS,
    PROGRESS_STATUSES,
    SOURCE_LANGUAGE,
    Document,
    Format,
    InvitationDocument,
    LanguageView,
    PlanDocument,
    RecordDocument,
)
from cpctl.errors import CpctlError, Invalid

if TYPE_CHECKING:
    from jinja2 import Environment


class TemplateProblem(CpctlError):
    """A document template cannot be read or rendered."""


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&])")
_MD_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")


def markdown_escape(text: str) -> str:
    """Free text that Markdown shows exactly as written: no emphasis, links, HTML, headings or lists.

    Every character Markdown could read as syntax is backslash-escaped (CommonMark lets any ASCII punctuation
    be), a line may not open a list, heading or quote, line breaks inside the text become hard breaks, and control
    characters and bidi overrides are taken out first (so that none can hide a list marker from the check).
    """
    from cpctl.text import without_controls

    lines = []
    for raw in without_controls(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n"):
        line = _MD_SPECIAL.sub(r"\\\1", raw.strip())
        line = _MD_LINE_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", line)
        if line:
            lines.append(line)
    return "  \n  ".join(lines)


def css_string(text: str) -> str:
    """A CSS string literal (with its quotes) that shows `text` as written, safe inside <style>."""
    out = []
    for ch in text:
        if ch in '"\\' or ch in "<>&" or not ch.isprintable():
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def css_counter_text(message: str) -> str:
    """'Page %(page)s of %(pages)s' as a CSS `content` value with the page counters in their places."""
    parts = re.split(r"(%\((?:page|pages)\)s)", message)
    out = []
    for part in parts:
        if part == "%(page)s":
            out.append("counter(page)")
        elif part == "%(pages)s":
            out.append("counter(pages)")
        elif part:
            out.append(css_string(part))
    return " ".join(out)


@dataclass(frozen=True)
class Rendered:
    text: str
    language: LanguageView
    missing: frozenset[str] = frozenset()  # fixed messages with no translation (shown in English)
    used: frozenset[str] = frozenset()  # every fixed message the copy shows (for the tests' coverage checks)
    template: str = ""


def template_dirs(extra: Path | None = None) -> tuple[Path, ...]:
    """Users' own templates, looked for before the packaged ones: --templates, then the data folder's."""
    from cpctl.paths import data_dir

    found = []
    if extra is not None:
        if not extra.is_dir():
            from cpctl.paths import shown_path

            raise Invalid(
                f"the templates folder {shown_path(extra)} does not exist; give a folder that holds your templates."
            )
        found.append(extra)
    own = data_dir() / "templates"
    if own.is_dir():
        found.append(own)
    return tuple(found)


@functools.lru_cache(maxsize=32)
def environment(
    fmt: Literal["md", "html"], code: str, dirs: tuple[Path, ...] = (), key: str = ""
) -> tuple[Environment, RecordingTranslations]:
    """A Jinja2 environment for one format and language (users' folders first, then cpctl's own templates),
    with the gettext that records untranslated messages. Kept for the process, so `--all` compiles once.

    Every template, cpctl's and an authority's own, runs in Jinja2's immutable sandbox: it reads the fields of
    the copy it is given and nothing else (no underscore attributes, so no way from a value to its class, a
    function's globals, the os module or the garbage collector; no changing lists or dicts; no huge ranges).
    The copy itself is plain data made for the reader (`for_reader`), and the filters and globals below are
    plain functions and values, so the sandbox guards nothing that holds the full document, the session or
    the store. `key` names the catalogue's file and when it changed: an authority's new catalogue is used at once.
    Dates and numbers are Babel's, in the language's own forms (its digits, where its locale has its own)."""
    from babel.dates import format_date
    from babel.numbers import format_decimal
    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from markupsafe import Markup

    class Refused(StrictUndefined):
        """What the sandbox gives for an attribute templates may not read: any use of it, taking a further
        attribute too (`x|attr('__init__')|attr('__globals__')`), is the sandbox's error, not a missing field."""

        def __getattr__(self, name: str) -> Any:
            if self._undefined_exception is SecurityError:
                self._fail_with_undefined_error()
            return super().__getattr__(name)

    loader = ChoiceLoader([*(FileSystemLoader(str(d)) for d in dirs), PackageLoader("cpctl", "templates")])
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        bytecode_cache=_bytecode_cache(fmt),
        autoescape=fmt == "html",
        undefined=Refused,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    gettext = RecordingTranslations(catalogue(code))
    env.install_gettext_translations(gettext, newstyle=True)  # type: ignore[attr-defined]
    locale = "en_GB" if code == SOURCE_LANGUAGE else code

    def day(value: date | None, pattern: str = "d MMMM y") -> str:
        return format_date(value, pattern, locale=locale) if value is not None else ""

    def number(value: Any) -> str:
        return format_decimal(value, locale=locale) if isinstance(value, int | float) else str(value)

    def plain(value: Any) -> str:
        return value.unescape() if isinstance(value, Markup) else str(value)

    def css(value: Any) -> Markup:
        return Markup(css_string(plain(value)))

    def css_counters(value: Any) -> Markup:
        return Markup(css_counter_text(plain(value)))

    def capfirst(value: Any) -> Any:
        return value[:1].upper() + value[1:] if value else value

    def lowerfirst(value: Any) -> Any:
        return value[:1].lower() + value[1:] if value else value

    env.filters.update(
        day=day, number=number, css_string=css, css_counters=css_counters, capfirst=capfirst, lowerfirst=lowerfirst
    )
    env.globals.update(format=fmt, PROGRESS_STATUSES=PROGRESS_STATUSES)
    return env, gettext


# Bump when environment() changes how the same template source compiles. 2: the sandbox (its code calls through
# the environment's checks), so that nothing compiled outside it is ever loaded.
TEMPLATE_CACHE_FORMAT = 2


def _bytecode_cache(fmt: str) -> Any:
    """Compiled templates, kept in the data folder's cache/templates: one copy exported on its own then costs no
    compiling (about 70 ms). Jinja2 checks each against its template's source, so an edited template is compiled
    again. The folder's name holds cpctl's version and TEMPLATE_CACHE_FORMAT, so an upgrade that compiles
    differently (other settings, filters or escaping) does not reuse old code; each format has a folder of its
    own, since the same template compiles differently with HTML's escaping on. What is cached is code that will
    be run, so a folder that is not the user's own, or that others can write to, is not used (`paths.cache_dir`).
    A cache that cannot be read, written or trusted, or a damaged file in it, only means compiling again."""
    from jinja2 import FileSystemBytecodeCache

    from cpctl import __version__

    parts = ("templates", f"{__version__}-{TEMPLATE_CACHE_FORMAT}", fmt)

    class DataFolderCache(FileSystemBytecodeCache):
        def __init__(self) -> None:
            super().__init__(directory=".")  # the folder is found at each use: the data folder can change

        def _get_cache_filename(self, bucket: Any) -> str:
            from cpctl.paths import cache_dir

            folder = cache_dir(*parts)
            if folder is None:
                raise OSError("no private cache folder")
            return str(folder / (self.pattern % (bucket.key,)))

        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # missing, unreadable, untrusted or damaged (pickle and marshal raise many kinds)
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return DataFolderCache()


def render(
    document: Document,
    fmt: Literal["md", "html"],
    *,
    language: str | None = None,
    templates: Sequence[Path] = (),
) -> Rendered:
    """The document as Markdown or HTML, its fixed text in `language` where cpctl has a translation. Neither holds
    a control character (but line breaks and tabs) or a bidi override, from the plan's words or a template."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    from cpctl.text import without_controls

    chosen = choose_language(language)
    found = catalogue(chosen.code)
    document = _translated_terms(document, found)
    name = document.template
    env, gettext = environment(fmt, chosen.code, tuple(templates), found.key)
    for attempt in range(2):
        gettext.missing.clear()
        gettext.used.clear()
        shown = dataclasses.replace(document, language=chosen)
        shown = map_strings(shown, markdown_escape if fmt == "md" else without_controls)
        try:
            text = without_controls(env.get_template(name).render(shown.variables()))
        except TemplateSyntaxError as exc:
            raise TemplateProblem(
                f"the template {exc.filename or exc.name or name}, line {exc.lineno}, is not "
                f"valid: {exc.message}. Fix it, or remove it to use cpctl's own."
            ) from None
        except TemplateNotFound as exc:
            raise TemplateProblem(
                f"no template {exc.name} for the {document.audience} copy in {fmt}; check the templates folder."
            ) from None
        except SecurityError as exc:
            raise _sandbox_problem(exc, name) from None
        except OverflowError as exc:  # the sandbox's range() refuses a range too big to be a document's
            raise _sandbox_problem(exc, name) from None
        except UndefinedError as exc:
            raise TemplateProblem(
                f"the template for the {document.audience} copy in {fmt} uses something a "
                f"plan document does not have ({exc.message}); fix the template."
            ) from None
        except TemplateError as exc:
            raise TemplateProblem(f"the template for the {document.audience} copy in {fmt} failed: {exc}.") from None
        if fmt == "md":
            text = _tidy_markdown(text)
        if not gettext.missing or attempt == 1:
            break
        chosen = dataclasses.replace(chosen, partial=True)
    return Rendered(
        text=text,
        language=chosen,
        missing=frozenset(gettext.missing),
        used=frozenset(gettext.used),
        template=name,
    )


def _sandbox_problem(exc: Exception, name: str) -> TemplateProblem:
    """One line for a template that broke the sandbox's rules, naming the template file (the innermost one,
    when one template includes another) and what it tried, never a value it reached."""
    where = name
    tb = exc.__traceback__
    while tb is not None:  # Jinja2 rewrites the traceback so that each template's frame names its file
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            where = f"{tb.tb_frame.f_code.co_filename}, line {tb.tb_lineno},"
        tb = tb.tb_next
    message = str(exc)
    found = re.fullmatch(r"access to attribute ('.{1,80}') of '(\w{1,80})' object is unsafe\.", message, re.DOTALL)
    if found:
        what = f"it read the attribute {found.group(1)} of a {found.group(2)}"
    elif isinstance(exc, OverflowError):
        what = "it asked for a range of more than 100,000 numbers"
    else:  # "... is not safely callable" quotes the value: never show it
        what = "it called something templates may not call"
    return TemplateProblem(
        f"the template {where} tried something templates may not do: {what}. A template may use the fields of the "
        "plan document and Jinja2's filters and tests; fix it, or remove it to use cpctl's own."
    )


def _tidy_markdown(text: str) -> str:
    """One blank line between blocks, none at the start, one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def _translated_terms(document: Document, found: Catalogue) -> Document:
    """The jurisdiction's words and category names in the reader's language where the catalogue has them."""
    if found.code == SOURCE_LANGUAGE:
        return document

    def word(text: str) -> str:
        if text in found.translated:
            return str(found.translations.gettext(text))
        lowered = text[:1].lower() + text[1:]  # "Initial child protection conference", as a heading has it
        if lowered != text and lowered in found.translated:
            translated = str(found.translations.gettext(lowered))
            return translated[:1].upper() + translated[1:]
        return text

    terms = {key: word(value) for key, value in document.terms.items()}
    if isinstance(document, InvitationDocument):
        booking = dataclasses.replace(document.booking, kind_name=word(document.booking.kind_name))
        return dataclasses.replace(document, terms=terms, booking=booking)
    if isinstance(document, RecordDocument):
        held = dataclasses.replace(
            document.conference,
            kind_name=word(document.conference.kind_name),
            categories=tuple(word(c) for c in document.conference.categories),
        )
        children = tuple(
            dataclasses.replace(c, categories=tuple(word(k) for k in c.categories)) for c in document.children
        )
        return dataclasses.replace(document, terms=terms, conference=held, children=children)
    plan = dataclasses.replace(
        document.plan,
        categories=tuple(word(c) for c in document.plan.categories),
        initial_categories=tuple(word(c) for c in document.plan.initial_categories),
    )
    conference = document.conference
    if conference is not None:
        conference = dataclasses.replace(
            conference,
            kind_name=word(conference.kind_name),
            categories=tuple(word(c) for c in conference.categories),
        )
    return dataclasses.replace(document, terms=terms, plan=plan, conference=conference)


def export(
    document: Document, fmt: Format, *, language: str | None = None, templates: Sequence[Path] = ()
) -> tuple[bytes, Rendered]:
    """The document as the bytes of a file in `fmt` (PDF is printed from the HTML by Chromium)."""
    if fmt not in FORMATS:
        raise Invalid(f"there is no {fmt!r} format: choose one of {', '.join(FORMATS)}.")
    rendered = render(document, "md" if fmt == "md" else "html", language=language, templates=templates)
    if fmt == "pdf":
        from cpctl.documents import pdf

        return pdf.html_to_pdf(rendered.text), rendered
    return rendered.text.encode("utf-8"), rendered


def file_name(document: PlanDocument, fmt: Format) -> str:
    """DEMO-1001-plan1-v2-parent.pdf: the child's id (made safe for a file name), plan, version and reader."""
    ref = re.sub(r"[^A-Za-z0-9._-]", "_", document.child.ref).lstrip(".") or "child"
    return f"{ref}-plan{document.plan.number}-v{document.version.number}-{document.audience}.{fmt}"
