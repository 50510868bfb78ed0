"""Which events the chair's quality assurance deadlines count from, and which events meet them (pure: reads nothing).

`cpctl.casework.schedule` turns each `Step` into a deadline with the profile's rule: a midway review after each
conference of a plan, and a response to each escalation. The events are those `cpctl.casework.quality` writes; an
escalation's events name it in `detail`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from cpctl.store.models import CaseEvent, Plan


@dataclass(frozen=True)
class Step:
    kind: str  # the deadline's kind
    rule: str  # the profile rule that dates it
    plan_id: int | None
    anchor: CaseEvent
    met: CaseEvent | None
    closed_on: date | None = None


def midway_steps(plan: Plan, start: CaseEvent, reviews: Sequence[CaseEvent], mine: Sequence[CaseEvent]) -> list[Step]:
    """A midway review after each conference of a plan: rule `midway-review` after the one that starts it,
    `midway-review-later` after each review. Met by the first midway review held from that conference on, before
    the next; closed, if none was, by the next review conference (the midway point has passed). None follows the
    conference that ends the plan."""
    midways = [e for e in mine if e.kind == "midway-review"]
    anchors = [(start, "midway-review"), *((r, "midway-review-later") for r in reviews)]
    out: list[Step] = []
    for index, (anchor, rule) in enumerate(anchors):
        if anchor.conference_id is not None and anchor.conference_id == plan.end_conference_id:
            break
        following = anchors[index + 1][0] if index + 1 < len(anchors) else None
        met = next(
            (
                m
                for m in midways
                if m.happened_on >= anchor.happened_on and (following is None or m.happened_on < following.happened_on)
            ),
            None,
        )
        closed = following.happened_on if met is None and following is not None else None
        out.append(Step("midway-review", rule, plan.id, anchor, met, closed))
    return out


def escalation_steps(ordered: Sequence[CaseEvent]) -> list[Step]:
    """A response to each escalation (rule `escalation-response`), met by the first response or the resolution
    recorded for it. It stays open when the plan ends: the concern still needs an answer."""
    answers = [e for e in ordered if e.kind in ("escalation-response", "escalation-resolved")]
    return [
        Step(
            "escalation-response",
            "escalation-response",
            raised.plan_id,
            raised,
            next((a for a in answers if a.detail == raised.detail), None),
        )
        for raised in ordered
        if raised.kind == "escalation"
    ]
