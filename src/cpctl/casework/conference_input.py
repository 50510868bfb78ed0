"""What a conference records, as typed in the wizard or read from a file: the input schema of `cpctl conference new`.

`ConferenceIn` holds who was there (`AttendeeIn`) and one decision per child (`DecisionIn`); the kinds of
conference and the outcomes each may decide are here too. Checking it against the store is
`cpctl.casework.conference.prepare`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from cpctl.casework.plan import (
    Day,
    Dissent,
    Interpreter,
    Item,
    Key,
    NotDiscussed,
    OptText,
    PlanContent,
    Strict,
)

Kind = Literal["initial", "review", "pre-birth-initial", "pre-birth-review", "transfer-in"]
Outcome = Literal["plan-starts", "plan-continues", "plan-changes", "plan-ends", "not-needed"]
Status = Literal["attended", "apologies", "report", "not-invited"]

OUTCOMES_FOR_KIND: dict[str, tuple[str, ...]] = {
    "initial": ("plan-starts", "not-needed"),
    "pre-birth-initial": ("plan-starts", "not-needed"),
    "transfer-in": ("plan-starts", "not-needed"),
    "review": ("plan-continues", "plan-changes", "plan-ends"),
    "pre-birth-review": ("plan-continues", "plan-changes", "plan-ends"),
}
PLAN_OUTCOMES = ("plan-starts", "plan-continues", "plan-changes")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class AttendeeIn(Strict):
    person: Key
    status: Status
    reason: OptText = None

    @model_validator(mode="after")
    def _reason(self) -> AttendeeIn:
        if self.status == "not-invited" and not self.reason:
            raise ValueError("say why they were not invited (reason), e.g. excluded by the chair")
        return self


class DecisionIn(Strict):
    child: Key
    outcome: Outcome
    categories: list[str] = []
    lead_worker: Key | None = None
    core_group: list[Key] | None = None
    evidence: list[Item] = []
    child_views: list[Item] = []
    parent_views: list[Item] = []
    dissent: list[Dissent] = []
    not_discussed_with: list[NotDiscussed] = []
    interpreter: Interpreter | None = None
    cultural_needs: OptText = None
    end_reason: OptText = None
    step_down: OptText = None
    plan: PlanContent | None = None
    save_as_draft: bool = False
    participation: str | None = None  # how the child took part: PN0 to PN7 (`cpctl.casework.participation`)

    @field_validator("participation", mode="before")
    @classmethod
    def _participation(cls, value: Any) -> Any:
        from cpctl.casework import participation

        return participation.check(value)


class ConferenceIn(Strict):
    """Everything `cpctl conference new` records; the same shape whether typed in the wizard or read from a file."""

    kind: Kind
    date: Day
    time: str | None = None
    venue: OptText = None
    virtual: bool = False
    chair: Key | None = None
    strategy_discussion: Day | None = None
    s47_start: Day | None = None  # England: the section 47 enquiry that led to an initial conference started
    attendance: list[AttendeeIn] = []
    inquorate_reason: OptText = None
    discussion: OptText = None  # the chair's summary of the discussion and the analysis of risk
    decisions: list[DecisionIn] = Field(min_length=1)

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        return time_of_day(value)


def time_of_day(value: Any) -> Any:
    """A start time as HH:MM (YAML reads an unquoted 10:30 as a sexagesimal number); None for none."""
    if value is None or value == "":
        return None
    if isinstance(value, int):  # YAML reads 10:30 as a sexagesimal number
        value = f"{value // 60:02d}:{value % 60:02d}"
    text = str(value).strip()
    match = _TIME.match(text)
    if not match:
        raise ValueError(f"{text[:20]!r} is not a time of day: use HH:MM, e.g. 10:30")
    return f"{int(match.group(1)):02d}:{match.group(2)}"
