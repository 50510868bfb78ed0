"""One rule worked out for one deadline: its date and its explanation, as `cpctl.casework.schedule` stores them.

`Computed` is one deadline as worked out (before it is a row); `Memo` lets a run over many children work each rule
out once; `anchor_words` names the event in the jurisdiction's words.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cpctl.errors import NotFound
from cpctl.store.models import CaseEvent

if TYPE_CHECKING:
    from cpctl.rules.profile import Profile
    from cpctl.rules.timescales import Explanation


@dataclass
class Computed:
    kind: str
    plan_id: int | None
    due_on: date
    explanation: dict[str, Any]
    event_id: int | None
    met: CaseEvent | None = None
    closed_on: date | None = None
    met_on: date | None = None  # met by a date on a booking (an invitation, a report), not by an event
    booking_id: int | None = None
    person_id: int | None = None  # whom a booking's step waits on (the agency asked for a report)
    chair_id: int | None = None  # a booking's chair (a plan's deadlines take the chair of its latest conference)

    @property
    def status(self) -> str:
        if self.met is not None or self.met_on is not None:
            return "met"
        return "closed" if self.closed_on is not None else "open"


def _explained(when: date, explanation: Explanation) -> dict[str, Any]:
    return {
        "sentence": explanation.sentence(),
        "rule": explanation.rule,
        "amount": explanation.amount,
        "unit": explanation.unit,
        "event": explanation.event,
        "event_date": explanation.event_date.isoformat(),
        "reading": explanation.day_zero,
        "skipped": [[day.isoformat(), name] for day, name in explanation.skipped],
        "moved_from": explanation.moved_from.isoformat() if explanation.moved_from else None,
        "closed_day": explanation.closed_day if explanation.moved_from else None,
        "source": explanation.source,
        "origin": explanation.origin,
        "due": when.isoformat(),
    }


class Memo:
    """What one run of `compute` over many children can reuse: a rule's date and explanation depend only on the
    rule, the event's date and words, so thousands of children share them (and the explanation's JSON text).
    One Memo serves one profile."""

    def __init__(self) -> None:
        self.rules: dict[tuple[Any, ...], tuple[date, dict[str, Any]] | None] = {}
        self._texts: dict[int, tuple[dict[str, Any], str]] = {}

    def json(self, explanation: dict[str, Any]) -> str:
        hit = self._texts.get(id(explanation))
        if hit is not None and hit[0] is explanation:  # the entry keeps the dict alive, so its id is not reused
            return hit[1]
        text = json.dumps(explanation, ensure_ascii=False)
        self._texts[id(explanation)] = (explanation, text)
        return text


def _rule(
    profile: Profile, rule: str, on: date, anchor: CaseEvent | None = None, memo: Memo | None = None
) -> tuple[date, dict[str, Any]] | None:
    """Due date and explanation for a rule, or None where the profile has no such rule.

    The explanation names the event that really anchors the deadline (a transfer-in conference, a birth), which
    may be more specific than the event the rule is written against.
    """
    if memo is None:
        return _rule_now(profile, rule, on, anchor)
    key = (rule, on, *_anchor_key(anchor))
    if key not in memo.rules:
        memo.rules[key] = _rule_now(profile, rule, on, anchor)
    return memo.rules[key]


def _rule_now(profile: Profile, rule: str, on: date, anchor: CaseEvent | None) -> tuple[date, dict[str, Any]] | None:
    from cpctl.rules.timescales import due

    try:
        when, explanation = due(profile, rule, on)
    except NotFound:
        return None
    words = anchor_words(profile, anchor)
    if words is not None:
        explanation = dataclasses.replace(explanation, event=words)
    return when, _explained(when, explanation)


def _anchor_key(anchor: CaseEvent | None) -> tuple[str | None, str | None]:
    """What `anchor_words` reads of an event: a memo's key for it."""
    return (anchor.kind, anchor.detail) if anchor is not None else (None, None)


def anchor_words(profile: Profile, anchor: CaseEvent | None) -> str | None:
    """The event in the jurisdiction's words: 'initial child protection conference', 'birth', 'visit'."""
    terms = profile.terms
    if anchor is None:
        return "birth"
    if anchor.kind == "conference":
        return {
            "initial": terms.initial_conference,
            "review": terms.review_conference,
            "pre-birth-initial": terms.pre_birth_conference,
            "pre-birth-review": terms.pre_birth_conference,
            "transfer-in": terms.transfer_in_conference,
        }.get(anchor.detail or "", terms.conference)
    if anchor.kind == "core-group":
        return profile.event_words("core-group")
    if anchor.kind == "escalation":
        return profile.event_words("escalation")
    return anchor.kind.replace("-", " ")
