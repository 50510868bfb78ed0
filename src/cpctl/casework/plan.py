"""What a child protection plan holds, what it still lacks (seed 002 §3.10-3.22), and its versions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from sqlmodel import Session, col, select

from cpctl.dates import parse_date
from cpctl.errors import Invalid
from cpctl.store.models import Child, Decision, Plan, PlanVersion


def _to_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return parse_date(value)
        except Invalid as exc:
            raise ValueError(exc.message) from None
    return value


Day = Annotated[date, BeforeValidator(_to_date)]


# Plans as stored are read with this context: what is already in the store stays readable (an action id of any
# form, as an older cpctl took it, or text changed outside cpctl), and what is shown from it is cleaned on the
# way out (cpctl.text.without_controls).
STORED = {"stored": True}


def _stored(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("stored"))


def _clean_text(value: Any, info: ValidationInfo) -> Any:
    from cpctl.text import LONG, clean

    if isinstance(value, str) and not _stored(info):
        try:
            return clean(value, "the text", multiline=True, max_length=LONG)
        except Invalid as exc:
            raise ValueError(exc.message) from None
    return value


Text = Annotated[str, BeforeValidator(_clean_text)]
OptText = Annotated[str | None, BeforeValidator(_clean_text)]


def _action_id(value: Any, info: ValidationInfo) -> Any:
    """An action's id is a short reference (A1, A12, FAM-1): no spaces, control characters or bidi overrides,
    which would reach every terminal, table and document that names the action."""
    from cpctl.text import ACTION_ID, reference

    if not isinstance(value, str) or _stored(info):
        return value
    if not value.strip():
        return None  # as if left out: a new action is given the next free id
    try:
        return reference(value, "the action id", longest=ACTION_ID)
    except Invalid as exc:
        raise ValueError(exc.message) from None


def _key(value: Any, info: ValidationInfo) -> Any:
    """A person or child named by reference or by full name: one line of plain text, as a name is."""
    from cpctl.text import clean

    if not isinstance(value, str) or _stored(info):
        return value
    try:
        return clean(value, "the reference or name", required=True)
    except Invalid as exc:
        raise ValueError(exc.message) from None


ActionId = Annotated[str, BeforeValidator(_action_id)]
Key = Annotated[str, BeforeValidator(_key)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Item(Strict):
    """One piece of free text; `private` keeps it out of the family's copy (third-party information...)."""

    text: Text = Field(min_length=1)
    private: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class Action(Strict):
    """A service or action: what, why, who, from when, how often, how long, to what end, measured how."""

    id: ActionId | None = None
    what: Text = Field(min_length=1)
    why: OptText = None
    who: OptText = None
    start: Day | None = None
    frequency: OptText = None
    length: OptText = None
    outcome: OptText = None
    by: Day | None = None
    measure: OptText = None
    private: bool = False

    @model_validator(mode="after")
    def _order(self) -> Action:
        if self.start and self.by and self.by < self.start:
            raise ValueError(
                f"the outcome is due ({self.by.isoformat()}) before the action starts ({self.start.isoformat()})"
            )
        return self


def _yes_or_no(value: Any) -> Any:
    """YAML reads a bare yes or no (and on, off, true, false) as true or false: take them as the words meant."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.strip().lower() if isinstance(value, str) else value


YesNoSometimes = Annotated[Literal["yes", "no", "sometimes"], BeforeValidator(_yes_or_no)]


class ChildSeen(Strict):
    """How the child will be seen: who, how often, where, whether the parents are there (§3.15)."""

    who: OptText = None
    how_often: OptText = None
    where: OptText = None
    parents_present: YesNoSometimes | None = None
    private: bool = False


class Objectives(Strict):
    """Objectives in each domain of the Assessment Framework (§3.10)."""

    child_development: list[Item] = []
    parenting_capacity: list[Item] = []
    family_environment: list[Item] = []


DOMAINS = {
    "child_development": "the child's developmental needs",
    "parenting_capacity": "parenting capacity",
    "family_environment": "family and environmental factors",
}


class PlanContent(Strict):
    """The body of a plan: the outline from the conference, then the detailed plan of the core group."""

    worries: list[Item] = []
    working_well: list[Item] = []
    immediate_actions: list[Item] = []
    objectives: Objectives = Objectives()
    actions: list[Action] = []
    child_seen: list[ChildSeen] = []
    contingency: list[Item] = []
    must_change: list[Item] = []
    core_group: list[Key] = []
    safety_scale: int | None = Field(default=None, ge=0, le=10)

    @field_validator("core_group")
    @classmethod
    def _unique(cls, refs: list[str]) -> list[str]:
        return list(dict.fromkeys(ref.strip() for ref in refs if ref.strip()))


class Dissent(Strict):
    who: Text = Field(min_length=1)
    reason: Text = Field(min_length=1)
    private: bool = False


class NotDiscussed(Strict):
    who: Text = Field(min_length=1)
    why: Text = Field(min_length=1)
    private: bool = False


class Interpreter(Strict):
    needed: bool = False
    language: OptText = None


class DecisionDetails(Strict):
    """The reasons and voices behind a decision (§3.17-3.22), kept with it as recorded."""

    evidence: list[Item] = []
    child_views: list[Item] = []
    parent_views: list[Item] = []
    dissent: list[Dissent] = []
    not_discussed_with: list[NotDiscussed] = []
    interpreter: Interpreter = Interpreter()
    cultural_needs: OptText = None
    end_reason: OptText = None
    step_down: OptText = None


def gaps(content: PlanContent | None, details: DecisionDetails | None = None) -> list[str]:
    """What the plan still lacks against seed 002 §3.10-3.22, in words a chair can act on."""
    found: list[str] = []
    if details is not None:
        if not details.evidence:
            found.append("no evidence of significant harm recorded: why is there a plan? (§3.22)")
        if not details.child_views:
            found.append("the child's wishes and feelings are not recorded (§3.19)")
        if not details.parent_views:
            found.append("the parents' views are not recorded (§3.21)")
    if content is None:
        return found + ["there is no outline plan yet (§3.8)"]
    if not content.worries:
        found.append("nothing says what we are worried about (§3.2)")
    if not content.working_well:
        found.append("nothing says what is working well (§3.2)")
    if not content.immediate_actions:
        found.append("no immediate action to keep the child safe (§3.10)")
    for key, label in DOMAINS.items():
        if not getattr(content.objectives, key):
            found.append(f"no objective for {label} (§3.10)")
    if not content.actions:
        found.append("no actions or services (§3.10)")
    for action in content.actions:
        name = f"action {action.id or ''} '{_short(action.what)}'".replace("  ", " ")
        missing = [
            label
            for label, value in (
                ("no one responsible", action.who),
                ("no start date", action.start),
                ("no frequency", action.frequency),
                ("no length", action.length),
                ("no planned outcome", action.outcome),
                ("no date the outcome is due", action.by),
                ("no measure of success", action.measure),
            )
            if not value
        ]
        if missing:
            found.append(f"{name}: {', '.join(missing)} (§3.10)")
    if not content.child_seen:
        found.append("nothing says how the child will be seen, by whom and how often (§3.15)")
    if not content.contingency:
        found.append("no contingency plan (§3.11)")
    if not content.must_change:
        found.append("nothing says what must change before the plan can end (§3.12)")
    if not content.core_group:
        found.append("no core group members named (§3.4)")
    return found


def _short(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def number_actions(content: PlanContent, previous: PlanContent | None = None) -> PlanContent:
    """Give each new action a stable id (A1, A2, ...) that later versions and progress refer to.

    A family's shared actions (F1, F2, ...: `next_family_id`) are numbered apart and leave the A numbers alone.
    """
    used = {a.id for a in content.actions if a.id}
    if previous is not None:
        used |= {a.id for a in previous.actions if a.id}
    numbers = [int(ref[1:]) for ref in used if ref and ref[:1] in "Aa" and ref[1:].isdigit()]
    next_number = max(numbers, default=0) + 1
    for action in content.actions:
        if not action.id:
            action.id = f"A{next_number}"
            next_number += 1
    return content


FAMILY_PREFIX = "F"


def family_number(action_id: str | None) -> int | None:
    """The number of a family's shared action id (F3 is 3), or None for any other id."""
    if action_id and action_id[:1].upper() == FAMILY_PREFIX and action_id[1:].isdigit():
        return int(action_id[1:])
    return None


def next_family_id(contents: Sequence[PlanContent]) -> str:
    """The id for a new action shared by brothers and sisters: F and 1 + the highest F-number in any of their
    plans (`contents`), so that it names one action, the same in each child's plan."""
    numbers = [family_number(a.id) for content in contents for a in content.actions]
    return f"{FAMILY_PREFIX}{max((n for n in numbers if n is not None), default=0) + 1}"


# -- plans in the store ---------------------------------------------------------------------------------------
def active_plan(session: Session, child: Child) -> Plan | None:
    return session.exec(select(Plan).where(Plan.child_id == child.id, col(Plan.ended_on).is_(None))).first()


def plans_of(session: Session, child: Child) -> Sequence[Plan]:
    return session.exec(select(Plan).where(Plan.child_id == child.id).order_by(col(Plan.number))).all()


def latest_plan(session: Session, child: Child) -> Plan | None:
    return session.exec(
        select(Plan).where(Plan.child_id == child.id).order_by(col(Plan.number).desc()).limit(1)
    ).first()


def versions(session: Session, plan: Plan) -> Sequence[PlanVersion]:
    return session.exec(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(col(PlanVersion.number))
    ).all()


def version(session: Session, plan: Plan, number: int | None = None) -> PlanVersion | None:
    query = select(PlanVersion).where(PlanVersion.plan_id == plan.id)
    if number is None:
        query = query.order_by(col(PlanVersion.number).desc()).limit(1)
    else:
        query = query.where(PlanVersion.number == number)
    return session.exec(query).first()


def content_of(row: PlanVersion) -> PlanContent:
    return PlanContent.model_validate_json(row.content, context=STORED)


def latest_decision(session: Session, plan: Plan) -> Decision | None:
    return session.exec(
        select(Decision).where(Decision.plan_id == plan.id).order_by(col(Decision.id).desc()).limit(1)
    ).first()


def details_of(row: Decision) -> DecisionDetails:
    return DecisionDetails.model_validate_json(row.details, context=STORED)


def categories_of(text: str) -> list[str]:
    return list(json.loads(text))


def plan_summaries(session: Session, child: Child) -> list[dict[str, Any]]:
    """Every plan the child has had, newest first, with its current version (for `child show`): three statements,
    however many plans and versions."""
    from cpctl.store.models import Person

    rows = list(reversed(plans_of(session, child)))
    latest_of: dict[int, PlanVersion] = {}
    for found in session.exec(
        select(PlanVersion)
        .join(Plan, Plan.id == PlanVersion.plan_id)
        .where(Plan.child_id == child.id)
        .order_by(col(PlanVersion.number))
    ).all():
        latest_of[found.plan_id] = found
    leads = {
        person.id: person
        for person in session.exec(select(Person).where(col(Person.id).in_({r.lead_worker_id for r in rows}))).all()
    }
    out: list[dict[str, Any]] = []
    for row in rows:
        latest = latest_of.get(row.id or 0)
        lead = leads.get(row.lead_worker_id)
        out.append(
            {
                "number": row.number,
                "previous_plans": row.number - 1,
                "started_on": row.started_on.isoformat(),
                "ended_on": row.ended_on.isoformat() if row.ended_on else None,
                "pre_birth": row.pre_birth,
                "initial_categories": categories_of(row.initial_categories),
                "latest_categories": categories_of(row.latest_categories),
                "lead_worker": {"ref": lead.ref, "name": lead.name} if lead else None,
                "version": latest.number if latest else None,
                "draft": latest.draft if latest else None,
                "gaps": len(json.loads(latest.gaps)) if latest else None,
                "end_reason": row.end_reason,
                "step_down": row.step_down,
            }
        )
    return out
