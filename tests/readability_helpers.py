"""The fixed text a parent or a child reads, as rendered, with the plan's own words taken out."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

from cpctl.casework.plan import DecisionDetails, PlanContent
from cpctl.documents import redaction, render, views
from cpctl.documents.reading import Blocks

WORD = "Sam"  # every value in the plan is this one short word, so only the template's own words are measured
BLOCKS = {"p", "li"}  # prose: headings, labels and table cells would shorten the "sentences"
SKIPPED = {"style", "head", "h1", "h2", "h3", "dt", "dd", "th", "td", "caption"}


def neutral_document(
    audience: str,
    *,
    outcome: str = "plan-starts",
    overdue: bool = False,
    age: int = 7,
    draft: bool = True,
    lead: bool = True,
    actions: bool = True,
    arranged: bool = False,
    kinds: int = 1,
) -> views.PlanDocument:
    """A plan with every part filled in (unless told otherwise), and every value the one word WORD.

    `kinds` is how many kinds of harm the plan names; 0 is England's "Multiple categories" from an older store,
    which names none.
    """
    item = [{"text": WORD}]
    content = PlanContent.model_validate(
        {
            "worries": item,
            "working_well": item,
            "immediate_actions": item if actions else [],
            "objectives": {"child_development": item, "parenting_capacity": item, "family_environment": item},
            "actions": []
            if not actions
            else [
                {
                    "id": "A1",
                    "what": WORD,
                    "why": WORD,
                    "who": "P1",
                    "start": "2026-11-23",
                    "frequency": WORD,
                    "length": WORD,
                    "outcome": WORD,
                    "by": "2027-02-01",
                    "measure": WORD,
                },
                {
                    "id": "A2",
                    "what": WORD,
                    "why": WORD,
                    "who": WORD,
                    "start": "2026-11-20",
                    "frequency": WORD,
                    "length": WORD,
                    "outcome": WORD,
                    "by": "2027-01-15",
                    "measure": WORD,
                },
            ],
            "child_seen": [
                {"who": "P2", "how_often": WORD, "where": WORD, "parents_present": "sometimes"},
                {"who": "P2", "where": WORD, "parents_present": "yes"},
            ],
            "contingency": item,
            "must_change": item,
            "core_group": ["P2", "P1", "P3"],
            "safety_scale": 4,
        }
    )
    details = DecisionDetails.model_validate(
        {
            "evidence": item,
            "child_views": item,
            "parent_views": item,
            "dissent": [{"who": WORD, "reason": WORD}],
            "not_discussed_with": [{"who": WORD, "why": WORD}],
            "interpreter": {"needed": True, "language": WORD if lead else None},
            "cultural_needs": WORD,
        }
    )
    people = {
        "P1": views.PersonView(ref="P1", name=WORD, kind="parent", relationship=WORD, role=WORD),
        "P2": views.PersonView(ref="P2", name=WORD, kind="professional", role=WORD, agency=WORD, email=WORD),
        "P3": views.PersonView(ref="P3", name=WORD, kind="professional", role=WORD, agency=WORD),
    }
    issued = date(2026, 11, 22)
    deadlines = [
        views.DeadlineView(kind=kind, what=WORD, due=date(2026, 11, 30), overdue=overdue)
        for kind in ("child-seen", "first-core-group", "first-review")
    ]
    return redaction.assemble(
        audience=audience,  # type: ignore[arg-type]
        issued_on=issued,
        authority=WORD,
        jurisdiction="England",
        terms={
            "conference": "child protection conference",
            "initial_conference": "initial child protection conference",
            "review_conference": "review child protection conference",
            "lead_worker": "lead social worker",
            "plan": "child protection plan",
            "core_group": "core group",
        },
        child=views.ChildView(
            ref="C1",
            given_name=WORD,
            family_name=WORD,
            name=WORD,
            date_of_birth=date(2026 - age, 1, 1),
            age=age,
            disability=WORD,
        ),
        plan=views.PlanView(
            number=1, started_on=date(2026, 11, 16), categories=(WORD,) * max(kinds, 1), several_unnamed=kinds == 0
        ),
        version=views.VersionView(number=1, made_on=date(2026, 11, 16), source="conference", draft=draft),
        conference=views.ConferenceView(
            ref="CF1",
            kind="initial",
            kind_name="Initial child protection conference",
            held_on=date(2026, 11, 16),
            outcome=outcome,
        ),
        content=content,
        details=details,
        people=people,
        lead_worker="P2" if lead else None,
        parents=["P1"],
        deadlines=deadlines,
        next_core_group=date(2026, 12, 7) if arranged else None,
    )


def _only_values(block: str) -> bool:
    return not re.sub(r"[^A-Za-z]+", " ", block).replace(WORD, " ").strip()


def measured_text(audience: str, templates: tuple = ()) -> tuple[str, set[str]]:
    """Every distinct sentence of the copy's fixed text across its variants, and the messages they used.

    `audience` is a plan copy's reader (parent, child) or one of the conference's family documents:
    letter-parent, letter-child, invitation-parent."""
    variants: list[dict[str, Any]] = [
        dict(outcome="plan-starts", overdue=False, age=7, draft=True),
        dict(outcome="plan-continues", overdue=True, age=12, draft=False, arranged=True, kinds=2),
        dict(outcome="plan-ends", overdue=False, age=12, draft=False, lead=False, actions=False, kinds=0),
    ]
    documents: list[tuple[Any, str]]
    if audience.startswith("letter-"):
        found = letter_variants(audience.removeprefix("letter-"))
        documents = [(document, "Turkish" if at == 0 else "English") for at, document in enumerate(found)]
    elif audience == "invitation-parent":
        found = invitation_variants("parent")
        documents = [(document, "Turkish" if at == 0 else "English") for at, document in enumerate(found)]
    else:
        documents = [
            (neutral_document(audience, **variant), language)
            for variant, language in zip(variants, ("Turkish", "English", "English"), strict=True)
        ]
    seen: dict[str, None] = {}
    used: set[str] = set()
    for document, language in documents:
        rendered = render.render(document, "html", language=language, templates=templates)
        used |= rendered.used
        parser = Blocks(BLOCKS, SKIPPED)
        parser.feed(rendered.text)
        parser.close()
        for block in parser.blocks:
            if not _only_values(block):
                seen.setdefault(block, None)
    return "\n".join(seen), used


def grade(text: str) -> float:
    import textstat

    return float(textstat.flesch_kincaid_grade(text))


# -- the conference's documents ---------------------------------------------------------------------------------


def neutral_letter(audience: str, **variant: Any) -> views.PlanDocument:
    """The outcome letter (a parent's, or the child's) of a plan whose every value is WORD."""
    document = neutral_document(audience, **variant)
    reader = document.parents[0] if audience == "parent" else None
    assert document.conference is not None
    held = dataclasses.replace(document.conference, categories=document.plan.categories)
    return dataclasses.replace(document, kind="outcome-letter", reader=reader, conference=held)


def letter_variants(audience: str) -> list[views.PlanDocument]:
    """Letters that between them take every branch of the letter templates."""
    out = []
    for outcome, kinds in (("plan-starts", 1), ("plan-continues", 2), ("plan-changes", 1), ("plan-ends", 1)):
        out.append(neutral_letter(audience, outcome=outcome, kinds=kinds, draft=False))
    no_lead = neutral_letter(audience, outcome="not-needed", lead=False)
    out.append(no_lead)
    out.append(
        dataclasses.replace(neutral_letter(audience, outcome="plan-starts", lead=False), details=views.DetailsView())
    )
    later = neutral_letter(audience, outcome="plan-continues")
    assert later.lead_worker is not None
    out.append(
        dataclasses.replace(
            later,
            lead_worker=dataclasses.replace(later.lead_worker, email=None),
            deadlines=tuple(
                views.DeadlineView(kind=kind, what=WORD, due=date(2027, 1, 4)) for kind in ("core-group", "review")
            ),
        )
    )
    assert later.conference is not None
    out.append(dataclasses.replace(later, conference=dataclasses.replace(later.conference, chair=None), reader=None))
    return out


def neutral_record(**variant: Any) -> views.RecordDocument:
    """A conference record for one child, every value WORD, with reports, a discussion and a distribution list."""
    full = neutral_document("professional", **variant)
    assert full.conference is not None
    person = full.core_group[0]
    chair = dataclasses.replace(person, ref="P4")
    conference = dataclasses.replace(
        full.conference,
        chair=chair,
        time="10:00",
        venue=WORD,
        categories=full.plan.categories,
        attendance=tuple(
            views.AttendeeView(person=person, status=s, reason=WORD) for s in ("attended", "apologies", "report")
        ),
    )
    child = views.RecordChildView(
        child=full.child,
        outcome=full.conference.outcome,
        categories=full.plan.categories,
        plan_number=1,
        lead_worker=full.lead_worker,
        details=full.details,
        content=full.content,
        participation="PN1",
    )
    return views.RecordDocument(
        audience="professional",
        issued_on=full.issued_on,
        authority=WORD,
        jurisdiction="England",
        terms=full.terms,
        conference=conference,
        children=(child,),
        discussion=(views.TextItem(text=WORD),),
        reports=(
            views.ReportView(person=person, received_on=date(2026, 11, 10), shared_on=date(2026, 11, 11)),
            views.ReportView(person=person),
        ),
        distribution=(
            views.RecipientView(person=person),
            views.RecipientView(person=full.parents[0], withheld=("discussion",), reason=WORD),
            views.RecipientView(person=chair, receives=False, reason=WORD),
        ),
        reader=person,
    )


def record_variants() -> list[views.RecordDocument]:
    from cpctl.documents import conference_docs

    full = neutral_record()
    ended = neutral_record(outcome="plan-ends")
    bare = dataclasses.replace(
        full,
        conference=dataclasses.replace(
            full.conference, attendance=(), quorate=False, inquorate_reason=WORD, venue=None, virtual=True, chair=None
        ),
        reports=(),
        discussion=(),
        children=(
            dataclasses.replace(
                full.children[0],
                details=dataclasses.replace(full.children[0].details, dissent=(), not_discussed_with=()),
                content=views.ContentView(),
                lead_worker=None,
            ),
        ),
        reader=None,
    )
    parent = conference_docs.copy_for(full, full.distribution[1])
    virtual = dataclasses.replace(full, conference=dataclasses.replace(full.conference, virtual=True))
    return [full, ended, bare, parent, virtual]


def neutral_invitation(audience: str, **variant: Any) -> views.InvitationDocument:
    """An invitation to a booked conference, every value WORD."""
    full = neutral_document("professional")
    chair = dataclasses.replace(full.core_group[0], ref="P4")
    booking = views.BookingView(
        ref="BK1",
        kind=variant.get("kind", "review"),
        kind_name="Review child protection conference",
        booked_for=date(2027, 2, 10),
        time="10:00",
        venue=WORD,
        virtual=variant.get("virtual", False),
        chair=None if variant.get("no_chair") else chair,
        interpreter_needed=variant.get("interpreter", True),
        interpreter_language=WORD if variant.get("language", True) else None,
    )
    unborn = dataclasses.replace(full.child, ref="C2", date_of_birth=None, expected_date=date(2027, 3, 1), age=None)
    reader = full.parents[0] if audience == "parent" else full.core_group[0]
    asked = audience == "professional" and variant.get("report", True)
    return views.InvitationDocument(
        audience=audience,  # type: ignore[arg-type]
        issued_on=full.issued_on,
        authority=WORD,
        jurisdiction="England",
        terms=full.terms,
        booking=booking,
        children=(full.child, unborn) if variant.get("two", True) else (full.child,),
        reader=reader,
        report_requested=asked,
        report_due=date(2027, 2, 5) if asked else None,
        report_rule=WORD if asked and variant.get("rule", True) else None,
    )


def invitation_variants(audience: str) -> list[views.InvitationDocument]:
    return [
        neutral_invitation(audience),
        neutral_invitation(audience, kind="initial", virtual=True, language=False, two=False, rule=False),
        neutral_invitation(audience, interpreter=False, no_chair=True, report=False),
    ]
