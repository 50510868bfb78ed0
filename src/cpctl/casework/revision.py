"""A plan over its life: what changed between two versions, whether it needs a conference (seed 002 §3.13),
and saving a new version. Nothing is overwritten: every revision adds a version.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from cpctl.casework import plan as plans
from cpctl.casework.plan import DOMAINS, Action, ChildSeen, Item, PlanContent
from cpctl.casework.schedule import seen_frequency
from cpctl.dates import short_british, utc_now_iso
from cpctl.errors import CpctlError
from cpctl.store import audit
from cpctl.store.models import Child, Plan, PlanVersion

ITEM_SECTIONS = {
    "worries": "What we are worried about",
    "working_well": "What is working well",
    "immediate_actions": "Immediate action",
    "contingency": "Contingency plan",
    "must_change": "What must change before the plan can end",
}
ACTION_FIELDS = {
    "what": "what",
    "why": "why",
    "who": "who",
    "start": "start",
    "frequency": "how often",
    "length": "how long",
    "outcome": "outcome",
    "by": "outcome due by",
    "measure": "how success is measured",
    "private": "kept from the family's copy",
}


@dataclass(frozen=True)
class Change:
    """One difference between two versions, as a person would say it."""

    change: str  # added, removed or changed
    section: str
    text: str
    id: str | None = None
    field: str | None = None
    before: Any = None
    after: Any = None

    def line(self) -> str:
        mark = {"added": "+", "removed": "-", "changed": "~"}[self.change]
        return f"{mark} {self.text}"

    def record(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("before", "after"):
            if isinstance(out[key], date):
                out[key] = out[key].isoformat()
        return out


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return short_british(value)
    return str(value)


def _items(section: str, label: str, old: list[Item], new: list[Item]) -> list[Change]:
    changes: list[Change] = []
    old_texts = {i.text: i for i in old}
    new_texts = {i.text: i for i in new}
    for item in new:
        if item.text not in old_texts:
            changes.append(Change("added", section, f"{label}: {item.text}"))
        elif old_texts[item.text].private != item.private:
            where = "now kept from the family's copy" if item.private else "now shared with the family"
            changes.append(
                Change(
                    "changed",
                    section,
                    f"{label}: '{plans._short(item.text)}' {where}",
                    field="private",
                    before=not item.private,
                    after=item.private,
                )
            )
    for item in old:
        if item.text not in new_texts:
            changes.append(Change("removed", section, f"{label}: {item.text}"))
    return changes


def _action_label(action: Action) -> str:
    return f"Action {action.id} '{plans._short(action.what)}'"


def _seen_label(seen: ChildSeen, person: Callable[[Any], str] = str) -> str:
    parts = [p for p in (person(seen.who) if seen.who else None, seen.how_often, seen.where) if p]
    return ", ".join(parts) or "an arrangement"


def diff(old: PlanContent, new: PlanContent, names: Mapping[str, str] | None = None) -> list[Change]:
    """What was added, changed and removed, section by section and action by action.

    With `names` (a person's reference to their name), people are named in the text as "Name (P00006)"; the
    before and after values keep the references. Without it, the text names people by reference, as the audit
    trail records them.
    """
    names = names or {}

    def person(ref: Any) -> str:
        return f"{names[ref]} ({ref})" if isinstance(ref, str) and ref in names else _shown(ref)

    def shown(field: str, value: Any) -> str:
        return person(value) if field == "who" else _shown(value)

    changes: list[Change] = []
    for key, label in ITEM_SECTIONS.items():
        changes += _items(key, label, getattr(old, key), getattr(new, key))
    for key, label in DOMAINS.items():
        changes += _items(
            f"objectives.{key}",
            f"Objective for {label}",
            getattr(old.objectives, key),
            getattr(new.objectives, key),
        )
    old_actions = {a.id: a for a in old.actions}
    new_actions = {a.id: a for a in new.actions}
    for action in new.actions:
        before = old_actions.get(action.id)
        if before is None:
            details = "; ".join(
                f"{ACTION_FIELDS[f]}: {shown(f, getattr(action, f))}"
                for f in ("who", "start", "frequency")
                if getattr(action, f)
            )
            changes.append(
                Change(
                    "added",
                    "actions",
                    f"{_action_label(action)} added" + (f" ({details})" if details else ""),
                    id=action.id,
                )
            )
            continue
        for field, words in ACTION_FIELDS.items():
            a, b = getattr(before, field), getattr(action, field)
            if a != b:
                changes.append(
                    Change(
                        "changed",
                        "actions",
                        f"{_action_label(action)}: {words} {shown(field, a)} → {shown(field, b)}",
                        id=action.id,
                        field=field,
                        before=a,
                        after=b,
                    )
                )
    for action in old.actions:
        if action.id not in new_actions:
            changes.append(Change("removed", "actions", f"{_action_label(action)} removed", id=action.id))
    old_seen = {_seen_key(s): s for s in old.child_seen}
    new_seen = {_seen_key(s): s for s in new.child_seen}
    for key, seen in new_seen.items():
        if key not in old_seen:
            changes.append(Change("added", "child_seen", f"Seeing the child: {_seen_label(seen, person)}"))
    for key, seen in old_seen.items():
        if key not in new_seen:
            changes.append(Change("removed", "child_seen", f"Seeing the child: {_seen_label(seen, person)}"))
    for ref in new.core_group:
        if ref not in old.core_group:
            changes.append(Change("added", "core_group", f"Core group: {person(ref)} joins", id=ref))
    for ref in old.core_group:
        if ref not in new.core_group:
            changes.append(Change("removed", "core_group", f"Core group: {person(ref)} leaves", id=ref))
    if old.safety_scale != new.safety_scale:
        changes.append(
            Change(
                "changed",
                "safety_scale",
                f"Safety scale: {_shown(old.safety_scale)} → {_shown(new.safety_scale)}",
                field="safety_scale",
                before=old.safety_scale,
                after=new.safety_scale,
            )
        )
    return changes


def _seen_key(seen: ChildSeen) -> str:
    return json.dumps(seen.model_dump(mode="json"), sort_keys=True)


def _less_often(before: str | None, after: str | None) -> bool:
    from cpctl.casework.schedule import _rough_days

    a, b = seen_frequency(before), seen_frequency(after)
    return a is not None and b is not None and _rough_days(b) > _rough_days(a)


def significant(old: PlanContent, new: PlanContent) -> list[str]:
    """Changes that reduce services or change the plan significantly: they need a conference (§3.13)."""
    found: list[str] = []
    for action, after in _reduced(old, new):
        if after is None:
            found.append(f"{_action_label(action)} is removed")
        else:
            found.append(f"{_action_label(action)} happens less often ({action.frequency} → {after.frequency})")
    old_seen = [s for s in old.child_seen if s.how_often]
    if old.child_seen and not new.child_seen:
        found.append("no arrangement is left for seeing the child")
    else:
        best_old = min(
            (seen_frequency(s.how_often) for s in old_seen if seen_frequency(s.how_often)),
            key=_days,
            default=None,
        )
        best_new = min(
            (seen_frequency(s.how_often) for s in new.child_seen if seen_frequency(s.how_often)),
            key=_days,
            default=None,
        )
        if best_old is not None and best_new is not None and _days(best_new) > _days(best_old):
            found.append("the child will be seen less often")
    for key in ("contingency", "must_change"):
        removed = {i.text for i in getattr(old, key)} - {i.text for i in getattr(new, key)}
        if removed:
            found.append(f"{ITEM_SECTIONS[key].lower()} loses {len(removed)} item(s)")
    return found


def reduced_actions(old: PlanContent, new: PlanContent) -> list[str]:
    """The ids of the actions the new version removes or makes less frequent, in the plan's order: a record of
    changes names the entry that did it when such a change is refused."""
    return [action.id or "" for action, _after in _reduced(old, new)]


def _reduced(old: PlanContent, new: PlanContent) -> list[tuple[Action, Action | None]]:
    new_actions = {a.id: a for a in new.actions}
    return [
        (action, new_actions.get(action.id))
        for action in old.actions
        if action.id not in new_actions or _less_often(action.frequency, new_actions[action.id].frequency)
    ]


def _days(frequency: tuple[int, str] | None) -> float:
    from cpctl.casework.schedule import _rough_days

    return _rough_days(frequency) if frequency else float("inf")


def check_based_on(child: Child, latest: int, based_on: int) -> None:
    """A revised plan is saved whole: one made from an earlier version than the latest would quietly undo what
    was saved since, so it is refused."""
    if latest == based_on:
        return
    raise CpctlError(
        f"someone saved version {latest} of child {child.ref}'s plan after version {based_on}, which this "
        f"revision began from; nothing was saved. See what changed (`cpctl plan diff {child.ref} {based_on} "
        f"{latest}`), then make your revision again from version {latest}."
        if latest > based_on
        else f"child {child.ref}'s plan has no version {based_on} to revise (its latest is version {latest}); "
        f"nothing was saved. Give the latest version's number."
    )


def add_version(
    session: Session,
    child: Child,
    plan_row: Plan,
    content: PlanContent,
    *,
    made_on: date,
    source: str,
    agreed_by: str | None = None,
    core_group_id: int | None = None,
    allow_gaps: bool = False,
    based_on: int | None = None,
) -> PlanVersion | None:
    """Save a revised plan as a new version; refuse a significant change that nobody with authority agreed.

    `based_on` is the version the revision was made from, when known: a revised plan is saved whole, so if someone
    saved a later version meanwhile, saving this one would quietly undo their change; it is refused instead.
    Returns None when the revision changes nothing.
    """
    current = plans.version(session, plan_row)
    latest = current.number if current is not None else 0
    if based_on is not None:
        check_based_on(child, latest, based_on)
    previous = plans.content_of(current) if current is not None else PlanContent()
    content = plans.number_actions(content.model_copy(deep=True), previous)
    if current is not None and content == previous:
        return None
    big = significant(previous, content)
    if big and not agreed_by:
        raise CpctlError(
            f"this change to child {child.ref}'s plan needs a conference decision (seed 002 §3.13): "
            f"{'; '.join(big)}. Record who agreed it (agreed_by, or --agreed-by), e.g. the review conference's "
            "reference, or keep those services in the plan."
        )
    decision = plans.latest_decision(session, plan_row)
    gaps = plans.gaps(content, plans.details_of(decision) if decision else None)
    if gaps and not allow_gaps:
        raise CpctlError(
            f"the revised plan for child {child.ref} still lacks: {'; '.join(gaps)}. Fill these in, or save it "
            "as a draft (--draft, or save_as_draft: true)."
        )
    number = latest + 1
    row = PlanVersion(
        plan_id=plan_row.id or 0,
        number=number,
        made_on=made_on,
        made_at=utc_now_iso(),
        source=source,
        draft=bool(gaps),
        gaps=json.dumps(gaps, ensure_ascii=False),
        content=content.model_dump_json(),
        author=audit.current_actor(session),
        core_group_id=core_group_id,
        significant=bool(big),
        agreed_by=agreed_by if big else None,
    )
    session.add(row)
    session.flush()
    changes = diff(previous, content)
    audit.record(
        session,
        "plan.revise",
        "child",
        child.ref,
        f"plan {plan_row.number} of child {child.ref}: version {number} ({source})",
        {
            "version": number,
            "changes": [c.line() for c in changes],
            "significant": big,
            "agreed_by": agreed_by if big else None,
        },
    )
    return row


def active_plan_of(session: Session, child: Child) -> Plan:
    current = plans.active_plan(session, child)
    if current is None:
        raise CpctlError(
            f"child {child.ref} has no plan in force; a plan starts at a conference (`cpctl conference new`)."
        )
    return current


def plan_for(session: Session, child: Child, number: int | None = None) -> Plan:
    """The child's current plan, or plan `number` (1 for the first)."""
    if number is None:
        row = plans.active_plan(session, child) or plans.latest_plan(session, child)
    else:
        row = next((p for p in plans.plans_of(session, child) if p.number == number), None)
    if row is None:
        which = f"no plan {number}" if number is not None else "no plan"
        raise CpctlError(f"child {child.ref} has {which}; a plan starts at a conference (`cpctl conference new`).")
    return row


def version_row(session: Session, child: Child, plan_row: Plan, number: int | None) -> PlanVersion:
    row = plans.version(session, plan_row, number)
    if row is None:
        last = plans.version(session, plan_row)
        known = f"versions 1 to {last.number}" if last else "no versions"
        raise CpctlError(f"plan {plan_row.number} of child {child.ref} has {known}; there is no version {number}.")
    return row


def view(
    session: Session, child: Child, *, number: int | None = None, plan_number: int | None = None
) -> dict[str, Any]:
    """A version of the child's plan as plain data, with each action's progress as of that version."""
    from cpctl.casework.progress import latest_progress
    from cpctl.store.models import Person

    plan_row = plan_for(session, child, plan_number)
    row = version_row(session, child, plan_row, number)
    latest = plans.version(session, plan_row)
    content = plans.content_of(row)
    lead = session.get(Person, plan_row.lead_worker_id)
    next_row = plans.version(session, plan_row, row.number + 1)
    until = next_row.made_on if next_row is not None else None
    progress = latest_progress(session, plan_row, until=until)
    names = {p.ref: p.name for p in session.exec(select_people(content)).all()}
    return {
        "child": child.ref,
        "child_name": child.full_name,
        "plan": plan_row.number,
        "started_on": plan_row.started_on.isoformat(),
        "ended_on": plan_row.ended_on.isoformat() if plan_row.ended_on else None,
        "initial_categories": plans.categories_of(plan_row.initial_categories),
        "latest_categories": plans.categories_of(plan_row.latest_categories),
        "lead_worker": {"ref": lead.ref, "name": lead.name} if lead else None,
        "version": row.number,
        "versions": latest.number if latest else row.number,
        "made_on": row.made_on.isoformat(),
        "source": row.source,
        "draft": row.draft,
        "gaps": json.loads(row.gaps),
        "significant": row.significant,
        "agreed_by": row.agreed_by,
        "author": row.author,
        "content": content.model_dump(mode="json"),
        "progress": {a.id: progress.get(a.id or "") for a in content.actions},
        "names": names,
    }


def select_people(content: PlanContent) -> Any:
    from sqlmodel import col, select

    from cpctl.store.models import Person

    refs = (
        set(content.core_group)
        | {a.who for a in content.actions if a.who}
        | {s.who for s in content.child_seen if s.who}
    )
    return select(Person).where(col(Person.ref).in_(refs))


def history(session: Session, child: Child, plan_number: int | None = None) -> list[dict[str, Any]]:
    """Every version of the plan, with what each one changed."""
    plan_row = plan_for(session, child, plan_number)
    rows = plans.versions(session, plan_row)
    out: list[dict[str, Any]] = []
    previous = PlanContent()
    for row in rows:
        content = plans.content_of(row)
        changes = diff(previous, content) if row.number > 1 else []
        out.append(
            {
                "version": row.number,
                "made_on": row.made_on.isoformat(),
                "source": row.source,
                "author": row.author,
                "draft": row.draft,
                "significant": row.significant,
                "agreed_by": row.agreed_by,
                "added": sum(c.change == "added" for c in changes),
                "changed": sum(c.change == "changed" for c in changes),
                "removed": sum(c.change == "removed" for c in changes),
            }
        )
        previous = content
    return out


def compare(
    session: Session, child: Child, a: int | None, b: int | None, plan_number: int | None = None
) -> tuple[int, int, list[Change]]:
    """The changes from version a to version b (default: the one before the latest, to the latest)."""
    plan_row = plan_for(session, child, plan_number)
    latest = plans.version(session, plan_row)
    if latest is None:
        raise CpctlError(f"child {child.ref}'s plan has no versions yet.")
    b = b if b is not None else latest.number
    if a is None:
        a = b - 1
        if a < 1:
            raise CpctlError(
                f"plan {plan_row.number} of child {child.ref} has only version 1; there is nothing to compare."
            )
    old = plans.content_of(version_row(session, child, plan_row, a))
    new = plans.content_of(version_row(session, child, plan_row, b))
    return a, b, diff(old, new, people_named(session, old, new))


def people_named(session: Session, *contents: PlanContent) -> dict[str, str]:
    """The names of the people the plans refer to, by reference."""
    names: dict[str, str] = {}
    for content in contents:
        names.update((p.ref, p.name) for p in session.exec(select_people(content)).all())
    return names
