"""Keep the document templates' translation catalogues in step with the templates (for maintainers).

    python scripts/messages.py        # rewrite src/cpctl/locale/cpctl.pot and merge it into every .po

Messages come from the templates (`_()`, `ngettext()`, `{% trans %}`) and from the jurisdiction words of the
profiles that families read (Wales and England: terms and category names). New messages arrive in each .po
untranslated; a translator fills them in. cpctl compiles the .po files itself at first use (no .mo files).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "cpctl"
TEMPLATES = PACKAGE / "templates"
LOCALE = PACKAGE / "locale"
PROFILES_READ_BY_FAMILIES = ("wales", "england")
JINJA_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "newstyle_gettext": "true",
    "trimmed": "false",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
}


def template_messages() -> list[tuple[str, int, str | tuple[str, ...], str | None]]:
    """(template path, line, message, context) for every translatable message of every packaged template."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
    from jinja2.ext import babel_extract

    found = []
    for path in sorted(TEMPLATES.rglob("*.j2")):
        relative = path.relative_to(TEMPLATES).as_posix()
        for line, message, _comments, context in extract_from_file(
            babel_extract, str(path), keywords=DEFAULT_KEYWORDS, options=JINJA_OPTIONS
        ):
            found.append((relative, line, message, context))
    return found


def profile_messages() -> list[tuple[str, str]]:
    """(profile, words) for the jurisdiction words that appear in family copies."""
    sys.path.insert(0, str(ROOT / "src"))
    from cpctl.rules import profile

    found = []
    for name in PROFILES_READ_BY_FAMILIES:
        loaded = profile.load(name, override_path=None)
        for key, value in loaded.terms.items():
            if value:
                found.append((f"profiles/{name}.yaml terms.{key}", value))
        for category in loaded.categories:
            found.append((f"profiles/{name}.yaml categories.{category.code}", category.label))
    return found


def template_catalogue():  # type: ignore[no-untyped-def]
    from babel.messages.catalog import Catalog

    catalogue = Catalog(project="cpctl", domain="cpctl", fuzzy=False)
    for relative, line, message, context in template_messages():
        catalogue.add(message, locations=[(f"templates/{relative}", line)], context=context)
    for where, words in profile_messages():
        catalogue.add(words, locations=[(where, 0)], auto_comments=["jurisdiction words from a profile"])
    return catalogue


def main() -> None:
    from babel.messages.pofile import read_po, write_po

    template = template_catalogue()
    with (LOCALE / "cpctl.pot").open("wb") as handle:
        write_po(handle, template, omit_header=False, sort_output=False, width=110)
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/cpctl.po")):
        code = po_path.parent.parent.name
        with po_path.open("rb") as handle:
            catalogue = read_po(handle, locale=code, domain="cpctl")
        catalogue.update(template, no_fuzzy_matching=True)
        with po_path.open("wb") as handle:
            write_po(handle, catalogue, width=110, ignore_obsolete=True, include_previous=False)
        missing = [m.id for m in catalogue if m.id and not m.string]
        print(f"{po_path.relative_to(ROOT)}: {len(catalogue)} messages, {len(missing)} untranslated")


if __name__ == "__main__":
    main()
