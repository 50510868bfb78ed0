"""Nothing marked not for the family's copy, and no one's phone, address or withheld name, reaches a
family copy.

For random plans with random items marked private, every private value is absent from the parents' and the
child's copies in Markdown and HTML, while the professionals' copy shows it (so the check can see it when it
is there). Each value carries a marker of letters and digits only, which no escaping changes.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpctl.casework.plan import DecisionDetails, PlanContent
from cpctl.documents import gather, redaction, render, views
from export_support import (
    CARER_ADDRESS,
    CARER_NAME,
    CARER_PHONE,
    CHILD,
    PARENT_PHONE,
    PRIVATE,
    TODAY,
)
from helpers import run_cli

pytest_plugins = ["export_fixtures"]  # the fixed plan's store (fixed_plan)


# Letters, digits, punctuation and symbols (Markdown, HTML and template syntax among them) and spaces.
NOISE = st.text(alphabet=st.characters(categories=("L", "N", "P", "S"), include_characters=" "), max_size=12)


class Markers:
    """Hands out unique markers: QXZ<n>Q for private values, PUB<n>P for public ones."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)
        self.private: list[str] = []
        self.public: list[str] = []

    def text(self, private: bool, noise: str, multiline: bool = False) -> str:
        number = next(self.counter)
        marker = f"QXZ{number}Q" if private else f"PUB{number}P"
        (self.private if private else self.public).append(marker)
        return f"{marker} {noise}" + ("\nsecond line" if multiline else "")


@st.composite
def plans(draw: st.DrawFn) -> tuple[views.PlanDocument, Markers]:
    markers = Markers()

    def items(max_size: int = 3) -> list[dict[str, object]]:
        count = draw(st.integers(0, max_size))
        out = []
        for _ in range(count):
            private = draw(st.booleans())
            out.append({"text": markers.text(private, draw(NOISE), draw(st.booleans())), "private": private})
        return out

    def action() -> dict[str, object]:
        private = draw(st.booleans())
        fields = {
            name: markers.text(private, draw(NOISE))
            for name in ("what", "why", "frequency", "length", "outcome", "measure")
        }
        who = draw(st.sampled_from(["P1", "P2", "P3", "P4", None, "free"]))
        return {
            **fields,
            "who": markers.text(private, draw(NOISE)) if who == "free" else who,
            "private": private,
        }

    def seen() -> dict[str, object]:
        private = draw(st.booleans())
        return {
            "who": draw(st.sampled_from(["P2", "P4"])),
            "how_often": markers.text(private, draw(NOISE)),
            "where": markers.text(private, draw(NOISE)),
            "private": private,
            "parents_present": draw(st.sampled_from(["yes", "no", "sometimes", None])),
        }

    def pair(first: str, second: str) -> dict[str, object]:
        private = draw(st.booleans())
        return {
            first: markers.text(private, draw(NOISE)),
            second: markers.text(private, draw(NOISE)),
            "private": private,
        }

    content = PlanContent.model_validate(
        {
            "worries": items(),
            "working_well": items(),
            "immediate_actions": items(),
            "objectives": {
                "child_development": items(),
                "parenting_capacity": items(),
                "family_environment": items(),
            },
            "actions": [action() for _ in range(draw(st.integers(0, 3)))],
            "child_seen": [seen() for _ in range(draw(st.integers(0, 2)))],
            "contingency": items(),
            "must_change": items(),
            "core_group": ["P2", "P1", "P3", "P4"],
            "safety_scale": draw(st.none() | st.integers(0, 10)),
        }
    )
    details = DecisionDetails.model_validate(
        {
            "evidence": items(),
            "child_views": items(),
            "parent_views": items(),
            "dissent": [pair("who", "reason") for _ in range(draw(st.integers(0, 2)))],
            "not_discussed_with": [pair("who", "why") for _ in range(draw(st.integers(0, 2)))],
        }
    )
    # Contact details are never for a family copy, whoever they belong to; nor is a carer's name.
    people = {
        "P1": views.PersonView(
            ref="P1",
            name="Sam Parent",
            kind="parent",
            relationship="mother",
            phone=markers.text(True, ""),
            email=markers.text(True, ""),
        ),
        "P2": views.PersonView(
            ref="P2",
            name="Jo Worker",
            kind="professional",
            role="Social worker",
            agency="Northshire",
            phone=markers.text(True, ""),
            email="jo@example.org",
        ),
        "P3": views.PersonView(
            ref="P3", name="Pat Relative", kind="family", relationship="aunt", phone=markers.text(True, "")
        ),
        "P4": views.PersonView(
            ref="P4",
            name=markers.text(True, ""),
            kind="carer",
            role="Foster carer",
            phone=markers.text(True, ""),
        ),
    }
    document = redaction.assemble(
        issued_on=TODAY,
        authority="Northshire (synthetic)",
        jurisdiction="England",
        terms={
            "conference": "child protection conference",
            "review_conference": "review conference",
            "lead_worker": "lead social worker",
            "plan": "child protection plan",
            "core_group": "core group",
        },
        child=views.ChildView(
            ref="C1",
            given_name="Alex",
            family_name="Example",
            name="Alex Example",
            date_of_birth=date(2019, 5, 1),
            age=7,
        ),
        plan=views.PlanView(number=1, started_on=date(2026, 11, 16), categories=("Neglect",)),
        version=views.VersionView(number=1, made_on=date(2026, 11, 16), source="conference"),
        conference=views.ConferenceView(
            ref="CF1",
            kind="initial",
            kind_name="Initial conference",
            held_on=date(2026, 11, 16),
            outcome="plan-starts",
        ),
        content=content,
        details=details,
        people=people,
        lead_worker="P2",
        parents=["P1"],
    )
    return document, markers


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_no_private_value_reaches_a_family_copy(case: tuple[views.PlanDocument, Markers]) -> None:
    full, markers = case
    professional = render.render(full, "md").text
    assert all(marker in professional for marker in markers.private if not marker_is_contact(full, marker))
    for audience in ("parent", "child"):
        family = redaction.for_reader(full, audience)
        for fmt in ("md", "html"):
            text = render.render(family, fmt).text  # type: ignore[arg-type]
            leaked = [marker for marker in markers.private if marker in text]
            assert leaked == [], f"{audience} {fmt} copy shows private values {leaked}"
    parent = render.render(redaction.for_reader(full, "parent"), "md").text
    assert [m for m in markers.public if m not in parent] == [], "the parents' copy left out a public value"


def marker_is_contact(document: views.PlanDocument, marker: str) -> bool:
    """Contact details are not all shown in the professional copy either (no one's address, say)."""
    return any(marker in (p.phone or "") or marker in (p.email or "") for p in document.core_group)


def test_the_family_view_itself_holds_nothing_private() -> None:
    """Belt and braces: the filtered records, not just the rendered text, have no private items left."""
    item = {"text": "QXZ secret", "private": True}
    content = PlanContent.model_validate(
        {
            "worries": [item, "shared"],
            "actions": [{"what": "QXZ action", "private": True}, {"what": "shared action"}],
        }
    )
    details = DecisionDetails.model_validate({"dissent": [{"who": "QXZ", "reason": "QXZ", "private": True}]})
    full = redaction.assemble(
        issued_on=TODAY,
        authority="A",
        jurisdiction="England",
        terms={},
        content=content,
        details=details,
        child=views.ChildView(ref="C1", given_name="A", family_name="B", name="A B"),
        plan=views.PlanView(number=1, started_on=TODAY),
        version=views.VersionView(number=1, made_on=TODAY, source="conference"),
        conference=None,
        people={},
        lead_worker=None,
    )
    family = redaction.for_reader(full, "parent")
    assert [w.text for w in family.content.worries] == ["shared"]
    assert [a.what for a in family.content.actions] == ["shared action"]
    assert family.details.dissent == ()
    assert [w.text for w in full.content.worries] == ["QXZ secret", "shared"]


@pytest.mark.parametrize("audience", ["parent", "child"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_fixed_plan_family_copies_hold_nothing_private(fixed_plan: Path, audience: str, fmt: str) -> None:
    result = run_cli(
        "--db",
        str(fixed_plan),
        "plan",
        "export",
        CHILD,
        "--for",
        audience,
        "--format",
        fmt,
        "--on",
        TODAY.isoformat(),
    )
    assert result.exit_code == 0, result.output
    for secret in [*PRIVATE.values(), CARER_NAME, CARER_PHONE, CARER_ADDRESS, PARENT_PHONE]:
        assert secret not in result.stdout
        assert render.markdown_escape(secret) not in result.stdout
    assert "Placement" not in result.stdout


def test_the_fixed_plan_professional_copy_shows_what_is_private_and_marks_it(fixed_plan: Path) -> None:
    result = run_cli(
        "--db",
        str(fixed_plan),
        "plan",
        "export",
        CHILD,
        "--for",
        "professional",
        "--format",
        "html",
        "--on",
        TODAY.isoformat(),
    )
    assert result.exit_code == 0, result.output
    for secret in PRIVATE.values():
        assert secret.replace("'", "&#39;") in result.stdout
    # One mark per private record: evidence, worry, objective, action, visit, contingency, child's view,
    # dissent and not-discussed (the action's and the visit's fields share their record's mark).
    assert result.stdout.count("Not for the family’s copy") == 9
    assert CARER_NAME in result.stdout and CARER_PHONE in result.stdout
    assert CARER_ADDRESS not in result.stdout  # no copy shows anyone's address


@pytest.mark.parametrize("audience", ["parent", "child"])
def test_a_family_copy_hands_templates_plain_data_only(fixed_plan: Path, audience: str) -> None:
    """What a template receives is plain, frozen data made for the reader: walking every public attribute of it
    (all a sandboxed template can do) reaches no record of the store, no session, no full document, no bound
    method and nothing private, so the sandbox is not all that keeps the professionals' copy from a family's."""
    import dataclasses
    from collections.abc import Mapping

    from cpctl.casework import people

    store = fixed_plan.open()
    try:
        with store.read() as session:
            full = gather.gather(session, people.find_child(session, CHILD), today=TODAY)
    finally:
        store.dispose()
    copy = redaction.for_reader(full, audience)
    plain = (str, int, float, bool, type(None), date)
    seen: list[object] = []

    def walk(value: object, where: str) -> None:
        seen.append(value)
        if isinstance(value, plain):
            return
        if isinstance(value, tuple):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")
        elif isinstance(value, Mapping):
            for key, item in value.items():
                assert isinstance(key, str), where
                walk(item, f"{where}[{key!r}]")
        else:
            assert dataclasses.is_dataclass(value) and type(value).__module__ == "cpctl.documents.views", where
            assert type(value).__dataclass_params__.frozen, where  # type: ignore[attr-defined]
            assert not isinstance(value, views.PlanDocument) or value.audience == audience, where
            for name in dir(value):
                if not name.startswith("_"):
                    walk(getattr(value, name), f"{where}.{name}")

    for name, value in copy.variables().items():
        walk(value, name)
    texts = [value for value in seen if isinstance(value, str)]
    for secret in [*PRIVATE.values(), CARER_NAME, CARER_PHONE, CARER_ADDRESS, PARENT_PHONE]:
        assert not any(secret in text for text in texts)
    assert not any(getattr(value, "private", False) for value in seen)
