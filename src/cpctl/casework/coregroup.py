"""Core group meetings (seed 002 §3.14-3.24): attendance, progress on each action, views, the revised plan,
the next meeting, and when the revised plan and minutes were sent (which meets the circulation deadline).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import Field, model_validator
from sqlmodel import Session, col, select

from cpctl.casework import people, revision, schedule
from cpctl.casework import plan as plans
from cpctl.casework.conference_input import AttendeeIn
from cpctl.casework.plan import Action, ActionId, Day, Item, Key, OptText, PlanContent, Strict
from cpctl.dates import utc_now_iso
from cpctl.errors import CpctlError
from cpctl.fileinput import FieldError, Loc
from cpctl.store import audit
from cpctl.store.models import CaseEvent, Child, CoreGroupMeeting, PlanVersion

PROGRESS = ("done", "on-track", "some-concern", "not-started", "no-longer-needed")
PROGRESS_WORDS = {
    "done": "done",
    "on-track": "on track",
    "some-concern": "some concern",
    "not-started": "not started",
    "no-longer-needed": "no longer needed",
}
Progress = Literal["done", "on-track", "some-concern", "not-started", "no-longer-needed"]


class ProgressIn(Strict):
    action: ActionId
    status: Progress
    note: OptText = None


class ActionChange(Strict):
    """Fields of an existing action to change; the others stay as they are."""

    id: ActionId
    what: OptText = None
    why: OptText = None
    who: OptText = None
    start: Day | None = None
    frequency: OptText = None
    length: OptText = None
    outcome: OptText = None
    by: Day | None = None
    measure: OptText = None
    private: bool | None = None


class CoreGroupIn(Strict):
    """A core group meeting as typed in the wizard or read from a file."""

    child: Key
    date: Day
    attendance: list[AttendeeIn] = []
    progress: list[ProgressIn] = []
    parent_views: list[Item] = []
    child_views: list[Item] = []
    notes: list[Item] = []
    new_actions: list[Action] = []
    changed_actions: list[ActionChange] = []
    removed_actions: list[ActionId] = []
    plan: PlanContent | None = None
    next_meeting: Day | None = None
    sent_on: Day | None = None
    agreed_by: OptText = None
    save_as_draft: bool = False
    based_on: int | None = Field(default=None, ge=1)  # the plan version the record was written against

    @model_validator(mode="after")
    def _dates(self) -> CoreGroupIn:
        if self.next_meeting is not None and self.next_meeting <= self.date:
            raise ValueError("the next meeting must come after this one")
        if self.sent_on is not None and self.sent_on < self.date:
            raise ValueError("the plan and minutes cannot be sent before the meeting (sent_on)")
        if self.plan is not None and (self.new_actions or self.changed_actions or self.removed_actions):
            raise ValueError("give either the whole revised plan (plan) or changes to actions, not both")
        return self


@dataclass
class Recorded:
    meeting: CoreGroupMeeting
    version: PlanVersion | None
    changes: list[revision.Change]


def revised(current: PlanContent, data: CoreGroupIn) -> PlanContent:
    """The plan as the meeting left it: the whole plan given, or the current one with its action changes."""
    if data.plan is not None:
        return data.plan
    content = current.model_copy(deep=True)
    known = {a.id for a in content.actions}
    for index, change in enumerate(data.changed_actions):
        if change.id not in known:
            raise FieldError(
                ("changed_actions", index, "id"),
                f"the plan has no action {change.id}; its actions are {', '.join(sorted(k or '' for k in known))}.",
            )
        action = next(a for a in content.actions if a.id == change.id)
        for field, value in change.model_dump(exclude={"id"}, exclude_none=True).items():
            setattr(action, field, value)
    for index, ref in enumerate(data.removed_actions):
        if ref not in known:
            raise FieldError(("removed_actions", index), f"the plan has no action {ref}.")
    content.actions = [a for a in content.actions if a.id not in set(data.removed_actions)]
    content.actions += [a.model_copy(update={"id": None}) for a in data.new_actions]
    return content


def _made_by(data: CoreGroupIn, current: PlanContent, content: PlanContent) -> Loc:
    """Where in the record a refused revision was made: the entry that removed an action or made it less frequent
    (without agreed_by, that is what was refused), else the first kind of change the record gives."""
    if not data.agreed_by:
        for ref in revision.reduced_actions(current, content):
            for index, removed in enumerate(data.removed_actions):
                if removed == ref:
                    return ("removed_actions", index)
            for index, change in enumerate(data.changed_actions):
                if change.id == ref and change.frequency is not None:
                    return ("changed_actions", index, "frequency")
    made_by = next((key for key in ("new_actions", "changed_actions", "removed_actions") if getattr(data, key)), "plan")
    return (made_by,)


def record(session: Session, data: CoreGroupIn, *, today: date | None = None) -> Recorded:
    """Save a core group meeting, any revised plan as a new version, its events and deadlines, in one go."""
    today = today or date.today()
    with FieldError.at(("child",)):
        child = people.find_child(session, data.child)
    plan_row = plans.active_plan(session, child)
    if plan_row is None:
        raise FieldError(("child",), f"child {child.ref} has no plan in force, so there is no core group.")
    if data.date > today:
        raise FieldError(
            ("date",), f"{data.date.isoformat()} is in the future: record a meeting once it has been held."
        )
    if data.sent_on is not None and data.sent_on > today:
        raise FieldError(("sent_on",), f"{data.sent_on.isoformat()} is in the future.")
    if data.date < plan_row.started_on:
        raise FieldError(
            ("date",),
            f"the plan began on {plan_row.started_on.isoformat()}; a core group for it cannot be earlier.",
        )
    last = session.exec(
        select(CoreGroupMeeting.held_on)
        .where(CoreGroupMeeting.plan_id == plan_row.id)
        .order_by(col(CoreGroupMeeting.held_on).desc())
        .limit(1)
    ).first()
    if last is not None and data.date <= last:
        raise FieldError(("date",), f"a core group on {last.isoformat()} is already recorded; this one must be later.")
    attendance = []
    for index, entry in enumerate(data.attendance):
        with FieldError.at(("attendance", index, "person")):
            person = people.find_person(session, entry.person)
        attendance.append({"person": person.ref, "status": entry.status, "reason": entry.reason})
    current_row = plans.version(session, plan_row)
    if data.based_on is not None:
        try:
            revision.check_based_on(child, current_row.number if current_row is not None else 0, data.based_on)
        except CpctlError as exc:
            raise FieldError(("based_on",), exc.message) from None
    current = plans.content_of(current_row) if current_row is not None else PlanContent()
    actions = {a.id for a in current.actions}
    for index, item in enumerate(data.progress):
        if item.action not in actions:
            raise FieldError(
                ("progress", index, "action"),
                f"the plan has no action {item.action}; its actions are {', '.join(sorted(actions))}.",
            )
    content = revised(current, data)
    meeting = CoreGroupMeeting(
        child_id=child.id or 0,
        plan_id=plan_row.id or 0,
        held_on=data.date,
        attendance=json.dumps(attendance, ensure_ascii=False),
        progress=json.dumps(
            {p.action: {"status": p.status, "note": p.note} for p in data.progress}, ensure_ascii=False
        ),
        parent_views=json.dumps([i.model_dump() for i in data.parent_views], ensure_ascii=False),
        child_views=json.dumps([i.model_dump() for i in data.child_views], ensure_ascii=False),
        notes=json.dumps([i.model_dump() for i in data.notes], ensure_ascii=False),
        next_meeting=data.next_meeting,
        sent_on=data.sent_on,
        recorded_at=utc_now_iso(),
    )
    session.add(meeting)
    session.flush()
    try:
        version = revision.add_version(
            session,
            child,
            plan_row,
            content,
            made_on=data.date,
            source="core-group",
            agreed_by=data.agreed_by,
            core_group_id=meeting.id,
            allow_gaps=data.save_as_draft,
        )
    except FieldError:
        raise
    except CpctlError as exc:  # a gap or a change that needs agreement: point at the entry that made the change
        raise FieldError(_made_by(data, current, content), exc.message) from None
    changes = revision.diff(current, plans.content_of(version)) if version is not None else []
    session.add(CaseEvent(child_id=child.id or 0, plan_id=plan_row.id, kind="core-group", happened_on=data.date))
    if data.sent_on is not None:
        session.add(
            CaseEvent(child_id=child.id or 0, plan_id=plan_row.id, kind="plan-circulated", happened_on=data.sent_on)
        )
    session.flush()
    audit.record(
        session,
        "core-group.add",
        "child",
        child.ref,
        f"core group for child {child.ref} on {data.date.isoformat()} recorded",
        {
            "date": data.date.isoformat(),
            "attendance": attendance,
            "progress": {p.action: p.status for p in data.progress},
            "version": version.number if version else None,
            "sent_on": data.sent_on.isoformat() if data.sent_on else None,
        },
    )
    schedule.refresh_child(session, child)
    return Recorded(meeting=meeting, version=version, changes=changes)


def record_sent(
    session: Session, child: Child, sent_on: date, *, held_on: date | None = None, today: date | None = None
) -> CoreGroupMeeting:
    """The revised plan and minutes of a meeting went out: this meets its circulation deadline."""
    today = today or date.today()
    plan_row = revision.active_plan_of(session, child)
    query = select(CoreGroupMeeting).where(CoreGroupMeeting.plan_id == plan_row.id)
    if held_on is not None:
        query = query.where(CoreGroupMeeting.held_on == held_on)
    meeting = session.exec(query.order_by(col(CoreGroupMeeting.held_on).desc()).limit(1)).first()
    if meeting is None:
        which = f"on {held_on.isoformat()}" if held_on else "yet"
        raise CpctlError(
            f"child {child.ref}'s plan has no core group {which}; record it with `cpctl core-group record`."
        )
    if sent_on > today:
        raise CpctlError(f"{sent_on.isoformat()} is in the future.")
    if sent_on < meeting.held_on:
        raise CpctlError(f"the meeting was on {meeting.held_on.isoformat()}; the plan cannot go out before it.")
    if meeting.sent_on is not None:
        raise CpctlError(
            f"the plan and minutes of the meeting on {meeting.held_on.isoformat()} were already recorded "
            f"as sent on {meeting.sent_on.isoformat()}."
        )
    meeting.sent_on = sent_on
    session.add(meeting)
    session.add(CaseEvent(child_id=child.id or 0, plan_id=plan_row.id, kind="plan-circulated", happened_on=sent_on))
    session.flush()
    audit.record(
        session,
        "core-group.sent",
        "child",
        child.ref,
        f"plan and minutes of {meeting.held_on.isoformat()} sent on {sent_on.isoformat()}",
        {"meeting": meeting.held_on.isoformat(), "sent_on": sent_on.isoformat()},
    )
    schedule.refresh_child(session, child)
    return meeting
