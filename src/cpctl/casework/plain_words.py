"""Plain words in what professionals type for a family: words to avoid, each with a plain alternative.

Most of what a parent or a child reads in their copy of the plan was typed by professionals, and that is where
the jargon is. When text that reaches a family copy is recorded (the wizards, `--edit`, `--from FILE`), it is
checked against `plain_words.yaml` beside this module and the plain alternative is offered; nothing is ever
refused. The list is the GOV.UK style guide's "Words to avoid" and its rule on abbreviations (A to Z,
https://www.gov.uk/guidance/style-guide/a-to-z), plus child protection jargon (arrears, contingency, section 47,
an unexplained core group, LAC and other abbreviations). It is data, so an authority could extend it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Loc = tuple[str | int, ...]

# The fields of each input model whose text reaches a family copy (the rest are professionals' only: the
# discussion, a venue, why someone was not invited, ...). Keyed by the model's class name.
FAMILY_FIELDS: dict[str, tuple[str, ...]] = {
    "Item": ("text",),
    "Action": ("what", "why", "who", "frequency", "length", "outcome", "measure"),
    "FamilyAction": ("what", "why", "who", "frequency", "length", "outcome", "measure"),
    "ActionChange": ("what", "why", "who", "frequency", "length", "outcome", "measure"),
    "FamilyActionChange": ("what", "why", "who", "frequency", "length", "outcome", "measure"),
    "ChildSeen": ("how_often", "where"),
    "Dissent": ("reason",),
    "NotDiscussed": ("why",),
    "DecisionIn": ("cultural_needs", "end_reason", "step_down"),
    "DecisionDetails": ("cultural_needs", "end_reason", "step_down"),
    "ProgressIn": ("note",),
    "FamilyProgressIn": ("note",),
}
# Parts of a record that never reach a family copy, though they hold Items.
PROFESSIONALS_ONLY = {"notes"}
CAPITALS_ADVICE = "write it in full, or in small letters: capitals read as shouting"
_CAPITALS = re.compile(r"(?<![\w&-])[A-Z][A-Z&]{1,5}s?(?![\w&-])")


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    plain: str
    unless: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Finding:
    """One word to avoid, as written in the text, and what to say instead."""

    word: str
    plain: str

    def line(self) -> str:
        return f"“{self.word}” — plain: “{self.plain}”"


def _pattern(word: str) -> str:
    """A word with its usual endings: engage, engages, engaged, engaging, engagement."""
    if word.endswith("e"):
        stem = re.escape(word[:-1])
        return rf"\b{stem}(?:e|es|ed|ing|ement|ements)\b"
    return rf"\b{re.escape(word)}(?:s|es|ed|ing|ment|ments)?\b"


@functools.cache
def rules() -> tuple[tuple[Rule, ...], frozenset[str]]:
    """The packaged list, read once: the rules, and the abbreviations everyone knows."""
    from importlib.resources import files

    import yaml

    data = yaml.safe_load(files("cpctl.casework").joinpath("plain_words.yaml").read_text(encoding="utf-8"))
    made = []
    for entry in data["words"]:
        flags = 0 if entry.get("case") else re.IGNORECASE
        source = entry.get("match") or _pattern(str(entry["word"]))
        unless = entry.get("unless")
        made.append(
            Rule(
                pattern=re.compile(source, flags),
                plain=str(entry["plain"]),
                unless=re.compile(unless, re.IGNORECASE) if unless else None,
            )
        )
    return tuple(made), frozenset(str(word) for word in data.get("known_abbreviations", ()))


def check(text: str) -> list[Finding]:
    """The words to avoid in one piece of text, in the order they come, each once."""
    listed, known = rules()
    found: dict[int, Finding] = {}
    covered: list[tuple[int, int]] = []
    for rule in listed:
        if rule.unless is not None and rule.unless.search(text):
            continue
        for match in rule.pattern.finditer(text):
            covered.append(match.span())
            found.setdefault(match.start(), Finding(match.group(0), rule.plain))
    for match in _CAPITALS.finditer(text):
        word = match.group(0)
        if word.rstrip("s") in known or word in known or any(a <= match.start() < b for a, b in covered):
            continue
        found.setdefault(match.start(), Finding(word, CAPITALS_ADVICE))
    seen: set[str] = set()
    out = []
    for _, finding in sorted(found.items()):
        if finding.word.lower() not in seen:
            seen.add(finding.word.lower())
            out.append(finding)
    return out


def family_texts(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every piece of text in a record (a conference, a core group, a plan) that a family copy may show, with
    where it is; an entry marked private is left out, as a family copy leaves it out."""
    from pydantic import BaseModel

    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from family_texts(item, (*loc, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from family_texts(item, (*loc, key))
    elif isinstance(value, BaseModel):
        if getattr(value, "private", False):
            return
        fields = FAMILY_FIELDS.get(type(value).__name__, ())
        for name in type(value).model_fields:
            if name in PROFESSIONALS_ONLY:
                continue
            item = getattr(value, name)
            if name in fields and isinstance(item, str):
                yield (*loc, name), item
            elif isinstance(item, BaseModel | list | dict):
                yield from family_texts(item, (*loc, name))


def findings(record: Any) -> list[tuple[Loc, Finding]]:
    """The words to avoid in everything of `record` that a family copy may show, each with where it is."""
    return [(loc, finding) for loc, text in family_texts(record) for finding in check(text)]


def where(loc: Loc) -> str:
    """A field's place in a record as a person reads it: "plan, actions 2, why"."""
    parts = []
    for part in loc:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]} {part + 1}" if parts else str(part + 1)
        else:
            parts.append(part.replace("_", " "))
    return ", ".join(parts)
