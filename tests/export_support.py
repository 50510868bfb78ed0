"""A fixed synthetic plan for the document tests, and the helpers they share (fixtures: export_fixtures.py).

The plan is the demo family's initial conference (every name invented) with more in it: items marked not for
the family in every place that can be marked, a kinship carer whose name, phone and address the family copies
must not show, and free text that looks like Markdown, HTML and template syntax.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from cpctl.casework import people
from cpctl.demo import testwoods as demo
from cpctl.store.database import Store

TODAY = date(2026, 11, 22)  # the conference was held six days before, on Monday 16 November 2026
CHILD = "DEMO-1001"
GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("CPCTL_UPDATE_GOLDEN", "") not in ("", "0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

CARER_NAME = "Robin Fairweather"
CARER_PHONE = "07700 900456"
CARER_ADDRESS = "1 Placement Lane, Northshire (synthetic)"
PARENT_PHONE = "07700 900123"  # the mother's, from the demo

# Everything marked not for the family's copy in the fixed plan: none of it may appear in a family copy.
PRIVATE = {
    "evidence": "Information from a neighbour about late-night visitors.",
    "worry": "A relative's police record (third-party information).",
    "action": "Referral to adult mental health services for a relative",
    "action_why": "Third-party health information shared in confidence.",
    "action_frequency": "as adult services decide",
    "action_length": "until the assessment ends",
    "action_outcome": "An assessment of the relative's mental health.",
    "action_measure": "Adult services report to the core group chair.",
    "seen_where": "at the kinship placement, 1 Placement Lane",
    "dissent_who": "A neighbour (anonymous)",
    "dissent_reason": "Thinks the plan does not go far enough.",
    "not_discussed_who": "The paternal grandfather",
    "not_discussed_why": "Address withheld under a non-molestation order.",
    "contingency": "Emergency placement with the kinship carer if the home is unsafe.",
    "child_view": "Jamie told his teacher about the visitors at night.",
    "objective": "A relative's drinking is assessed by adult services.",
}
TRICKY = '**not fair** <script>alert("x")</script> [see my letter](http://example.org) {{ config }} & {% raw %}'


def conference_data() -> dict[str, Any]:
    """The example conference with private items wherever they can be, and free text that looks like code."""
    data = demo.example_conference(TODAY - timedelta(days=6))
    jamie = data["decisions"][0]
    plan = dict(jamie["plan"])
    jamie["evidence"] = [*jamie["evidence"][:2], {"text": PRIVATE["evidence"], "private": True}]
    jamie["child_views"] = [*jamie["child_views"], {"text": PRIVATE["child_view"], "private": True}]
    jamie["parent_views"] = [*jamie["parent_views"], f"Sam wrote: {TRICKY}"]
    jamie["dissent"] = [
        *jamie["dissent"],
        {"who": PRIVATE["dissent_who"], "reason": PRIVATE["dissent_reason"], "private": True},
    ]
    jamie["not_discussed_with"] = [
        {"who": "Jamie's aunt", "why": "She could not be reached before the conference."},
        {"who": PRIVATE["not_discussed_who"], "why": PRIVATE["not_discussed_why"], "private": True},
    ]
    jamie["core_group"] = [*jamie["core_group"], "P00009"]
    plan["worries"] = [
        *plan["worries"],
        {"text": PRIVATE["worry"], "private": True},
        "Jamie has missed school twice.\nBoth times on a Monday.",
    ]
    plan["must_change"] = [*plan["must_change"], "1. Meals every day\n- # and heating on"]
    plan["objectives"] = dict(plan["objectives"])
    plan["objectives"]["family_environment"] = [
        *plan["objectives"]["family_environment"],
        {"text": PRIVATE["objective"], "private": True},
    ]
    plan["actions"] = [
        *plan["actions"],
        {
            "what": PRIVATE["action"],
            "why": PRIVATE["action_why"],
            "who": "Northshire Adult Services (synthetic)",
            "start": TODAY,
            "frequency": PRIVATE["action_frequency"],
            "length": PRIVATE["action_length"],
            "outcome": PRIVATE["action_outcome"],
            "by": TODAY + timedelta(days=60),
            "measure": PRIVATE["action_measure"],
            "private": True,
        },
    ]
    plan["child_seen"] = [
        *plan["child_seen"],
        {"who": "P00009", "how_often": "daily", "where": PRIVATE["seen_where"], "private": True},
    ]
    plan["contingency"] = [*plan["contingency"], {"text": PRIVATE["contingency"], "private": True}]
    jamie["plan"] = plan
    data["decisions"] = [jamie, data["decisions"][1]]
    return data


def build_store(url: str) -> Store:
    """The demo family plus a kinship carer, and the conference above, in a new store at `url`."""
    from cpctl.casework import conference, coregroup

    store = Store(url)
    demo.build(store, today=TODAY)
    with store.write() as session:
        jamie = people.find_child(session, CHILD)
        people.add_person(
            session,
            name=CARER_NAME,
            kind="carer",
            role="Kinship carer",
            phone=CARER_PHONE,
            address=CARER_ADDRESS,
            child=jamie,
            relationship="kinship carer",
        )
    data = conference.ConferenceIn.model_validate(conference_data())
    with store.write() as session:
        conference.save(session, conference.prepare(session, data, today=TODAY))
    with store.write() as session:
        coregroup.record(session, coregroup.CoreGroupIn.model_validate(core_group_data()), today=TODAY)
    return store


def core_group_data() -> dict[str, Any]:
    """The first core group, four days after the conference: progress on two actions, the next one arranged."""
    return {
        "child": CHILD,
        "date": TODAY - timedelta(days=2),
        "attendance": [{"person": ref, "status": "attended"} for ref in ("P00002", "P00003", "P00004", "P00006")],
        "progress": [
            {"action": "A1", "status": "not-started", "note": "The course starts on Monday."},
            {"action": "A2", "status": "on-track", "note": "First appointment kept."},
        ],
        "next_meeting": TODAY + timedelta(days=26),
    }


def chromium_or_skip() -> Path:
    """Debian's Chromium (or $CPCTL_CHROMIUM): in CI a missing browser fails the test, elsewhere it skips."""
    from cpctl.documents import pdf

    try:
        return pdf.find_chromium()
    except pdf.PdfError as exc:
        if IN_CI:
            pytest.fail(f"CI must have Chromium for the browser tests: {exc.message}")
        pytest.skip(f"no Chromium here ({exc.message})")
        raise


def golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; CPCTL_UPDATE_GOLDEN=1 rewrites it on purpose instead."""
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; make it with CPCTL_UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{name} differs from its golden file; if the change is meant, rerun with "
        "CPCTL_UPDATE_GOLDEN=1 and review the diff"
    )
