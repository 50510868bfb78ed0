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
    child: str = ""  # the child's id


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
        changed = change.model_dump(exclude={"id"}, exclude_none=True)
        for field, value in changed.items():
            setattr(action, field, value)
        if action.start and action.by and action.by < action.start:  # what Action checks when it is made
            moved = "start" if "start" in changed else "by"
            raise FieldError(
                ("changed_actions", index, moved),
                f"action {change.id}'s outcome would be due ({action.by.isoformat()}) before it starts "
                f"({action.start.isoformat()}); give a new `by` date with the new start.",
            )
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
    return Recorded(meeting=meeting, version=version, changes=changes, child=child.ref)


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


# -- a core group for several children of one family --------------------------------------------------------
class FamilyProgressIn(ProgressIn):
    """Progress on an action: without `child`, for every chosen child whose plan has the action (a shared one)."""

    child: Key | None = None


class FamilyActionChange(ActionChange):
    """Fields of an action to change: without `child`, in every chosen child's plan that has the action."""

    child: Key | None = None


class FamilyAction(Action):
    """A new action; `children` says whose plans it joins (none given: every child of the meeting, as one shared
    action with the same id, F1, F2, ..., in each plan)."""

    children: list[Key] = []


class FamilyActionRef(Strict):
    id: ActionId
    child: Key | None = None


class FamilyCoreGroupIn(Strict):
    """One core group meeting for several children of a family: the meeting once, each child's plan revised."""

    children: list[Key] = Field(min_length=1)
    date: Day
    attendance: list[AttendeeIn] = []
    progress: list[FamilyProgressIn] = []
    parent_views: list[Item] = []
    child_views: dict[Key, list[Item]] = {}
    notes: list[Item] = []
    new_actions: list[FamilyAction] = []
    changed_actions: list[FamilyActionChange] = []
    removed_actions: list[ActionId | FamilyActionRef] = []
    plans: dict[Key, PlanContent] = {}  # whole revised plans by child (what the wizard gives)
    next_meeting: Day | None = None
    sent_on: Day | None = None
    agreed_by: OptText = None
    save_as_draft: bool = False
    based_on: dict[Key, int] = {}  # by child: the plan version the record was written against

    @model_validator(mode="after")
    def _dates(self) -> FamilyCoreGroupIn:
        if self.next_meeting is not None and self.next_meeting <= self.date:
            raise ValueError("the next meeting must come after this one")
        if self.sent_on is not None and self.sent_on < self.date:
            raise ValueError("the plan and minutes cannot be sent before the meeting (sent_on)")
        if self.plans and (self.new_actions or self.changed_actions or self.removed_actions):
            raise ValueError("give either the whole revised plans (plans) or changes to actions, not both")
        return self


def shared_actions(contents: dict[str, PlanContent]) -> dict[str, list[str]]:
    """Each action id that stands in more than one of these plans, for the same action (the same 'what'), with
    the children whose plans hold it: progress on it and changes to it are given once for all of them."""
    holders: dict[tuple[str, str], list[str]] = {}
    for ref, content in contents.items():
        for action in content.actions:
            holders.setdefault((action.id or "", " ".join(action.what.split()).casefold()), []).append(ref)
    return {key: refs for (key, _), refs in holders.items() if key and len(refs) > 1}


def next_family_ids(contents: dict[str, PlanContent], count: int) -> list[str]:
    """The next `count` ids for actions shared by the family (F1, F2, ...), unused in any of these plans."""
    used = [
        int(a.id[1:]) for c in contents.values() for a in c.actions if a.id and a.id[:1] == "F" and a.id[1:].isdigit()
    ]
    start = max(used, default=0) + 1
    return [f"F{n}" for n in range(start, start + count)]


class _Family:
    """The children of a family core group, their plans in force, and where each entry of the record applies."""

    def __init__(self, session: Session, data: FamilyCoreGroupIn) -> None:
        self.session = session
        self.refs: list[str] = []
        self.contents: dict[str, PlanContent] = {}
        for index, key in enumerate(data.children):
            with FieldError.at(("children", index)):
                child = people.find_child(session, key)
            if child.ref in self.refs:
                raise FieldError(("children", index), f"child {child.ref} is named twice.")
            plan_row = plans.active_plan(session, child)
            if plan_row is None:
                raise FieldError(
                    ("children", index), f"child {child.ref} has no plan in force, so there is no core group."
                )
            row = plans.version(session, plan_row)
            self.refs.append(child.ref)
            self.contents[child.ref] = plans.content_of(row) if row is not None else PlanContent()

    def child(self, loc: Loc, key: str) -> str:
        with FieldError.at(loc):
            ref = people.find_child(self.session, key).ref
        if ref not in self.refs:
            raise FieldError(loc, f"child {ref} is not one of this meeting's children ({', '.join(self.refs)}).")
        return ref

    def holders(self, loc: Loc, action: str, child: str | None) -> list[str]:
        """The children whose plans the entry at `loc` (about `action`, for `child` if given) applies to."""
        if child is not None:
            ref = self.child((*loc, "child"), child)
            ids = [a.id for a in self.contents[ref].actions]
            if action not in ids:
                raise FieldError(
                    (*loc, "id"), f"child {ref}'s plan has no action {action}; its actions are {_ids(ids)}."
                )
            return [ref]
        found = [ref for ref in self.refs if any(a.id == action for a in self.contents[ref].actions)]
        if not found:
            ids = sorted({a.id or "" for c in self.contents.values() for a in c.actions})
            raise FieldError(loc, f"no chosen child's plan has an action {action}; their actions are {_ids(ids)}.")
        return found


def _ids(ids: list[str | None]) -> str:
    return ", ".join(sorted({i for i in ids if i})) or "none"


def record_family(session: Session, data: FamilyCoreGroupIn, *, today: date | None = None) -> list[Recorded]:
    """Record one meeting for each chosen child and any revised plans, in the caller's one transaction: an error
    for any child leaves nothing written for any of them. Shared actions take their progress and changes once."""
    family = _Family(session, data)
    progress: dict[str, list[tuple[int, ProgressIn]]] = {ref: [] for ref in family.refs}
    for index, item in enumerate(data.progress):
        for ref in family.holders(("progress", index, "action"), item.action, item.child):
            progress[ref].append((index, ProgressIn(action=item.action, status=item.status, note=item.note)))
    views = {family.child(("child_views", key), key): items for key, items in data.child_views.items()}
    based_on = {family.child(("based_on", key), key): number for key, number in data.based_on.items()}
    revised_plans = _revised_plans(family, data)
    results = []
    for position, ref in enumerate(family.refs):
        entries = progress[ref]
        one = CoreGroupIn(
            child=ref,
            date=data.date,
            attendance=data.attendance,
            progress=[p for _, p in entries],
            parent_views=data.parent_views,
            child_views=views.get(ref, []),
            notes=data.notes,
            plan=revised_plans.get(ref),
            next_meeting=data.next_meeting,
            sent_on=data.sent_on,
            agreed_by=data.agreed_by,
            save_as_draft=data.save_as_draft,
            based_on=based_on.get(ref),
        )
        try:
            results.append(record(session, one, today=today))
        except FieldError as exc:
            raise _family_error(exc, data, ref, position, [i for i, _ in entries]) from None
    return results


def _revised_plans(family: _Family, data: FamilyCoreGroupIn) -> dict[str, PlanContent]:
    """Each child's plan as the meeting left it, for the children whose plans it changed."""
    if data.plans:
        return {family.child(("plans", key), key): plan for key, plan in data.plans.items()}
    changed = {ref: family.contents[ref].model_copy(deep=True) for ref in family.refs}
    touched: set[str] = set()
    for index, change in enumerate(data.changed_actions):
        for ref in family.holders(("changed_actions", index), change.id, change.child):
            action = next(a for a in changed[ref].actions if a.id == change.id)
            for field, value in change.model_dump(exclude={"id", "child"}, exclude_none=True).items():
                setattr(action, field, value)
            touched.add(ref)
    for index, entry in enumerate(data.removed_actions):
        ref_id, child = (entry, None) if isinstance(entry, str) else (entry.id, entry.child)
        for ref in family.holders(("removed_actions", index), ref_id, child):
            changed[ref].actions = [a for a in changed[ref].actions if a.id != ref_id]
            touched.add(ref)
    shared = [n for n in data.new_actions if len(n.children) != 1 and len(family.refs) > 1]
    family_ids = iter(next_family_ids(family.contents, len(shared)))
    for index, new in enumerate(data.new_actions):
        whose = [family.child(("new_actions", index, "children", i), k) for i, k in enumerate(new.children)]
        whose = whose or list(family.refs)
        ident = next(family_ids) if len(whose) > 1 else None
        for ref in whose:
            changed[ref].actions.append(Action(**new.model_dump(exclude={"children", "id"}), id=ident))
            touched.add(ref)
    return {ref: changed[ref] for ref in family.refs if ref in touched}


def _family_error(exc: FieldError, data: FamilyCoreGroupIn, ref: str, position: int, progress: list[int]) -> FieldError:
    """A refusal for one child's part of the record, placed at the family record's own entry and naming the child."""
    loc = exc.loc
    if loc and loc[0] == "progress" and len(loc) > 1 and isinstance(loc[1], int):
        loc = ("progress", progress[loc[1]], *loc[2:])
    elif loc and loc[0] == "child":
        loc = ("children", position)
    elif loc and loc[0] == "based_on":
        loc = ("based_on", next((k for k in data.based_on if k == ref), ref))
    elif loc and loc[0] in ("plan", "new_actions", "changed_actions", "removed_actions"):
        made = next((key for key in ("new_actions", "changed_actions", "removed_actions") if getattr(data, key)), None)
        loc = (made,) if made else ("plans",)
    reason = exc.reason if ref in exc.reason or len(data.children) == 1 else f"for child {ref}: {exc.reason}"
    return FieldError(loc, reason)
