"""The parents' copy reads at Flesch-Kincaid grade 6 or below, the child's lower, and neither gets harder.

What is measured is the fixed text a parent or a child reads: each copy rendered (in every variant of its
wording) from a plan whose every value is one short word, with the paragraphs and list items that hold only
plan values left out. Headings and field labels are left out too: as one-word "sentences" they would make
the text look easier than it is. The grades are kept in tests/golden/readability.json: a template change
that raises one fails here; one that lowers it is recorded with CPCTL_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cpctl.documents import languages
from export_support import GOLDEN, UPDATE_GOLDEN
from readability_helpers import grade, measured_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import messages  # noqa: E402  (scripts/messages.py extracts the templates' messages)

PARENT_LIMIT = 6.0
CHILD_LIMIT = 4.0
BASELINE = GOLDEN / "readability.json"
TEMPLATES = Path(languages.__file__).parent.parent / "templates"
# Notes shown only in a copy in another language (in that language), so never read in English.
ONLY_IN_TRANSLATIONS = {
    "Some parts of this copy are still in English.",
    "The plan’s own words are shown as they were written.",
}


def baseline() -> dict[str, float]:
    return json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}


def check_against_baseline(audience: str, score: float) -> None:
    recorded = baseline()
    if UPDATE_GOLDEN:
        recorded[audience] = round(score, 2)
        BASELINE.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert audience in recorded, "no recorded grade: run with CPCTL_UPDATE_GOLDEN=1"
    assert score <= recorded[audience] + 0.01, (
        f"the {audience} copy got harder to read: grade {score:.2f}, was {recorded[audience]:.2f}"
    )


def test_the_parents_copy_reads_at_grade_6_or_below() -> None:
    text, _ = measured_text("parent")
    score = grade(text)
    assert score <= PARENT_LIMIT, f"grade {score:.2f}"
    check_against_baseline("parent", score)


def test_the_childs_copy_reads_lower_than_the_parents() -> None:
    child = grade(measured_text("child")[0])
    parent = grade(measured_text("parent")[0])
    assert child <= CHILD_LIMIT, f"grade {child:.2f}"
    assert child < parent
    check_against_baseline("child", child)


@pytest.mark.parametrize("document", ["letter-parent", "invitation-parent"])
def test_the_parents_letters_read_at_grade_6_or_below(document: str) -> None:
    """The outcome letter and the invitation, as the parents' copy of the plan, with their own ratchet."""
    text, _ = measured_text(document)
    score = grade(text)
    assert score <= PARENT_LIMIT, f"grade {score:.2f}"
    check_against_baseline(document, score)


def test_the_childs_letter_reads_lower_than_the_parents() -> None:
    child = grade(measured_text("letter-child")[0])
    assert child <= CHILD_LIMIT, f"grade {child:.2f}"
    assert child < grade(measured_text("letter-parent")[0])
    check_against_baseline("letter-child", child)


@pytest.mark.parametrize(
    ("audience", "files"),
    [
        ("parent", ("parent.j2", "parts/complaints.j2")),
        ("child", ("child.j2",)),
        ("letter-parent", ("letter-parent.j2", "parts/complaints.j2")),
        ("letter-child", ("letter-child.j2",)),
        ("invitation-parent", ("invitation-parent.j2",)),
    ],
)
def test_the_measure_covers_every_sentence_of_the_template(audience: str, files: tuple[str, ...]) -> None:
    """Every message of the template was rendered, so every sentence a reader may see was measured."""
    text, used = measured_text(audience)
    wanted = {
        languages.message_key(m if isinstance(m, str) else m[0], context)
        for name, _line, m, context in messages.template_messages()
        if name in files
    }
    assert wanted - used - ONLY_IN_TRANSLATIONS == set()
    assert len(text.split()) > (200 if audience in ("parent", "child") else 100)
    assert "The plan can be used as evidence in court." in text or audience != "parent"


def test_a_harder_template_gets_a_higher_grade(tmp_path: Path) -> None:
    """The check can fail: the same template with one paragraph in officialese measures harder."""
    source = (TEMPLATES / "parent.j2").read_text(encoding="utf-8")
    plain = "This is version %(number)s of the plan. It was written on %(day)s."
    assert plain in source
    hard = (
        "Notwithstanding the aforementioned considerations, version %(number)s constitutes the "
        "authoritative articulation of the interagency safeguarding arrangements, promulgated on %(day)s "
        "following comprehensive multidisciplinary deliberation regarding responsibilities."
    )
    (tmp_path / "parent.j2").write_text(source.replace(plain, hard), encoding="utf-8")
    harder = grade(measured_text("parent", templates=(tmp_path,))[0])
    assert harder > grade(measured_text("parent")[0]) + 0.3
