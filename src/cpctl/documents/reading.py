"""How hard a family copy is to read: its Flesch-Kincaid grade, the UK reading age (grade + 5), and the
sentences the professionals typed that raise the grade most.

The copy is measured as the reader reads it: the HTML copy's paragraphs, list items and the values of its
tables and lists, each block a sentence (headings and field labels are left out: as one-word "sentences" they
would make any text look easier). The grade is textstat's, which counts syllables with the CMU dictionary
(imported here only, so that `--help` stays fast).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from cpctl.documents.views import PlanDocument

BLOCKS = {"p", "li", "dd", "td"}
SKIPPED = {"style", "head", "title", "h1", "h2", "h3", "h4", "dt", "th", "caption"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class Blocks(HTMLParser):
    """The visible text of each block element of an HTML copy, in order (`blocks`): the elements in `blocks`
    start and end one, and whatever is inside an element of `skipped` is left out. Each block ends as a sentence."""

    def __init__(self, blocks: Iterable[str] = BLOCKS, skipped: Iterable[str] = SKIPPED) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip = 0
        self._starts = frozenset(blocks)
        self._skipped = frozenset(skipped)

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in self._skipped:
            self._skip += 1
        elif tag in self._starts:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skipped:
            self._skip = max(0, self._skip - 1)
        elif tag in self._starts:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._current.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text if text[-1] in ".?!:" else text + ".")
        self._current = []


def text_of(html: str) -> str:
    """The copy's prose, one block a line, each ending as a sentence."""
    parser = Blocks()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.blocks)


def grade(text: str) -> float:
    import textstat

    return float(textstat.flesch_kincaid_grade(text)) if text.strip() else 0.0


@dataclass(frozen=True)
class Reading:
    grade: float
    hardest: tuple[tuple[str, float], ...]  # typed sentences, and how much each raises the whole grade

    @property
    def age(self) -> float:
        return self.grade + 5


def typed_sentences(document: PlanDocument) -> list[str]:
    """The sentences of the plan's own words (what the professionals typed) that the copy shows."""
    texts: list[str] = []
    for value in _strings(document.content) + _strings(document.details):
        for sentence in _SENTENCE_END.split(" ".join(value.split())):
            if sentence and sentence not in texts:
                texts.append(sentence)
    return texts


def _strings(value: Any) -> list[str]:
    import dataclasses

    found: list[str] = []
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, tuple):
        for item in value:
            found += _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name in ("who_person", "parents_present", "id", "status", "recorded_on"):
                continue
            found += _strings(getattr(value, field.name))
    return found


def measure(html: str, document: PlanDocument, *, top: int = 3) -> Reading:
    """The grade of the whole copy, and the typed sentences whose removal would lower it most."""
    lines = text_of(html).split("\n")
    whole = grade("\n".join(lines))
    raised: list[tuple[str, float]] = []
    for sentence in typed_sentences(document):
        if len(sentence.split()) < 4:  # a label, a number or a frequency ("fortnightly"), not a sentence
            continue
        kept = [line for line in lines if sentence.rstrip(".") not in line]
        if len(kept) == len(lines) or not kept:
            continue
        raised.append((sentence, whole - grade("\n".join(kept))))
    raised.sort(key=lambda pair: pair[1], reverse=True)
    return Reading(grade=whole, hardest=tuple(pair for pair in raised[:top] if pair[1] > 0))


def trimmed(sentence: str, limit: int = 90) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def lines(reading: Reading, who: str) -> Iterable[str]:
    """What `plan export` says about a family copy, on standard error."""
    yield (
        f"Reading age of the {who} copy: Flesch-Kincaid grade {reading.grade:.1f}, UK reading age about "
        f"{reading.age:.0f}."
    )
    if reading.hardest:
        yield "The plan's own sentences that raise it most (plain words help):"
        for sentence, raised in reading.hardest:
            yield f"  +{raised:.2f}: “{trimmed(sentence)}”"
