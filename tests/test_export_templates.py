"""Every branch of every template is rendered by some plan here, in both formats, so that StrictUndefined
meets a misspelt field in the test suite rather than in a parent's copy."""

from __future__ import annotations

import dataclasses
import sys
from datetime import date
from pathlib import Path

import pytest

from cpctl import documents
from readability_helpers import WORD, neutral_document

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import messages  # noqa: E402  (scripts/messages.py extracts the templates' messages)

STATUSES = ("attended", "apologies", "report", "not-invited")
TEMPLATES = Path(documents.__file__).parent / "templates"


def variants(partly_translated: Path) -> list[tuple[documents.PlanDocument, str, tuple[Path, ...]]]:
    """(document, language, template folders) that between them take every branch of every template."""
    out: list[tuple[documents.PlanDocument, str]] = []
    for audience in ("professional", "parent", "child"):
        for variant in (
            dict(outcome="plan-starts", overdue=False, age=7, draft=True),
            dict(outcome="plan-continues", overdue=True, age=12, draft=False, arranged=True),
            dict(outcome="plan-ends", overdue=False, age=12, draft=False, lead=False, actions=False),
            dict(outcome="plan-changes", overdue=False, age=12, draft=False),
        ):
            out.append((neutral_document(audience, **variant), "English"))
        out.append((neutral_document(audience), "Polish"))
        out.append((neutral_document(audience), "Welsh"))
    full = neutral_document("professional")
    person = full.core_group[0]
    progress = [
        documents.ProgressView(status=s, note=WORD, recorded_on=date(2026, 12, 1)) for s in documents.PROGRESS_STATUSES
    ]
    actions = tuple(dataclasses.replace(full.content.actions[0], progress=p, private=True) for p in progress)
    assert full.conference is not None
    ended = dataclasses.replace(
        full,
        child=dataclasses.replace(full.child, date_of_birth=None, expected_date=date(2027, 2, 1), age=None),
        plan=dataclasses.replace(
            full.plan,
            ended_on=date(2027, 5, 1),
            pre_birth=True,
            end_reason=WORD,
            step_down=WORD,
            initial_categories=("Other",),
        ),
        version=dataclasses.replace(full.version, latest=False, count=2, gaps=(WORD,), agreed_by=WORD),
        conference=dataclasses.replace(
            full.conference,
            quorate=False,
            inquorate_reason=WORD,
            virtual=True,
            time="10:00",
            attendance=tuple(documents.AttendeeView(person=person, status=s, reason=WORD) for s in STATUSES),
        ),
        content=dataclasses.replace(
            full.content,
            actions=actions,
            child_seen=tuple(
                dataclasses.replace(full.content.child_seen[0], parents_present=p, private=True)
                for p in ("yes", "no", "sometimes")
            ),
        ),
        deadlines=(),
    )
    out.append((ended, "English"))
    out.append(
        (
            dataclasses.replace(
                ended,
                conference=dataclasses.replace(
                    ended.conference,
                    venue=WORD,  # type: ignore[arg-type]
                ),
            ),
            "English",
        )
    )
    out.append((dataclasses.replace(full, conference=None, lead_worker=None), "English"))
    parent = neutral_document("parent")
    unnamed_carer = documents.PersonView(ref="P9", name=None, kind="carer")
    out.append(
        (
            dataclasses.replace(parent, reader=parent.parents[0], core_group=(*parent.core_group, unnamed_carer)),
            "English",
        )
    )
    found = [(document, language, ()) for document, language in out]
    # A template with a sentence the Welsh catalogue lacks: the copy says part of it is still in English.
    return found + [(neutral_document(audience), "Welsh", (partly_translated,)) for audience in ("parent", "child")]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_message_of_every_template_is_rendered_by_some_plan(fmt: str, tmp_path: Path) -> None:
    for name in ("parent.j2", "child.j2"):
        packaged = (TEMPLATES / name).read_text(encoding="utf-8")
        marked = packaged.replace("{% block body %}", "{% block body %}{{ _('Untranslated.') }}")
        (tmp_path / name).write_text(marked, encoding="utf-8")
    used: set[str] = set()
    for document, language, folders in variants(tmp_path):
        used |= documents.render(document, fmt, language=language, templates=folders).used  # type: ignore[arg-type]
    other = "html" if fmt == "md" else "md"
    wanted = {
        documents.message_key(m if isinstance(m, str) else m[0], context)
        for name, _line, m, context in messages.template_messages()
        if not name.endswith(f".{other}.j2") and not (fmt == "md" and name == "style.css.j2")
    }
    missing = sorted(wanted - used)
    assert missing == [], missing


def test_the_documents_know_every_progress_status_the_core_group_records() -> None:
    from cpctl import coregroup

    assert documents.PROGRESS_STATUSES == coregroup.PROGRESS
