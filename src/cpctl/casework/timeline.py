"""A child's case as a timeline: conferences, core groups, visits, plan versions, deadlines met and missed."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlmodel import Session, select

from cpctl.casework import census_items, schedule
from cpctl.casework.coregroup import PROGRESS_WORDS
from cpctl.dates import short_british
from cpctl.store.models import Child, Conference, CoreGroupMeeting, Deadline, Person, Plan, PlanVersion, Visit

OUTCOME_WORDS = {
    "plan-starts": "plan starts",
    "plan-continues": "plan continues",
    "plan-changes": "plan changes",
    "plan-ends": "plan ends",
    "not-needed": "no plan needed",
}


# Why a deadline closed unmet, where it is not the plan's end: the next conference came first.
_CLOSED_WORDS = {
    "midway-review": "not held before the next review conference",
    "outcome-letter": "never sent before the next conference",
    "conference-record": "never sent before the next conference",
    "invitations-sent": "not done before the conference was held",
    "report-received": "not received before the conference was held",
    "report-shared": "not shared before the conference was held",
}


def entries(
    session: Session, child: Child, *, today: date | None = None, terms: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Everything that happened, and every deadline's fate, oldest first."""
    from cpctl.store.models import Decision

    today = today or date.today()
    out: list[dict[str, Any]] = []
    for decision, conference in session.exec(
        select(Decision, Conference)
        .join(Conference, Conference.id == Decision.conference_id)
        .where(Decision.child_id == child.id)
    ).all():
        out.append(
            {
                "date": conference.held_on,
                "kind": "conference",
                "ref": conference.ref,
                "text": f"{conference.kind} conference {conference.ref}: {OUTCOME_WORDS[decision.outcome]}",
            }
        )
    for meeting in session.exec(select(CoreGroupMeeting).where(CoreGroupMeeting.child_id == child.id)).all():
        came = sum(1 for a in json.loads(meeting.attendance) if a["status"] == "attended")
        progress = json.loads(meeting.progress)
        text = f"core group ({came} attended)"
        if progress:
            text += f"; progress on {progress_counts([p['status'] for p in progress.values()])}"
        out.append({"date": meeting.held_on, "kind": "core-group", "text": text})
        if meeting.sent_on:
            out.append(
                {
                    "date": meeting.sent_on,
                    "kind": "plan-circulated",
                    "text": f"revised plan and minutes of {short_british(meeting.held_on)} sent out",
                }
            )
    for visit, visitor in session.exec(
        select(Visit, Person).join(Person, Person.id == Visit.visitor_id).where(Visit.child_id == child.id)
    ).all():
        how = [("announced" if visit.announced else "unannounced")]
        how.append("seen alone" if visit.seen_alone else "not seen alone")
        if visit.bedroom_seen:
            how.append("bedroom seen")
        out.append({"date": visit.visited_on, "kind": "visit", "text": f"visit by {visitor.name} ({', '.join(how)})"})
    for version, plan_row in session.exec(
        select(PlanVersion, Plan).join(Plan, Plan.id == PlanVersion.plan_id).where(Plan.child_id == child.id)
    ).all():
        extra = " (draft)" if version.draft else ""
        if version.significant:
            extra += f"; significant change agreed by {version.agreed_by}"
        out.append(
            {
                "date": version.made_on,
                "kind": "plan-version",
                "text": f"plan {plan_row.number} version {version.number} ({version.source}){extra}",
            }
        )
    out += _quality_entries(session, child)
    out += census_items.timeline_entries(session, child)
    for deadline in session.exec(select(Deadline).where(Deadline.child_id == child.id)).all():
        what = schedule.label(deadline.kind, terms)
        due = short_british(deadline.due_on)
        if deadline.status == "met" and deadline.met_on is not None:
            late = (deadline.met_on - deadline.due_on).days
            fate = "met on time" if late <= 0 else f"MISSED: met {late} day(s) late"
            out.append(
                {
                    "date": deadline.met_on,
                    "kind": "deadline",
                    "status": "late" if late > 0 else "met",
                    "text": f"{what} (due {due}): {fate}",
                }
            )
        elif deadline.status == "closed" and deadline.closed_on is not None:
            if deadline.due_on < deadline.closed_on:
                out.append(
                    {
                        "date": deadline.due_on,
                        "kind": "deadline",
                        "status": "missed",
                        "text": f"{what} (due {due}): MISSED, "
                        + _CLOSED_WORDS.get(deadline.kind, "never met before the plan ended"),
                    }
                )
        elif deadline.status == "open" and deadline.due_on < today:
            out.append(
                {
                    "date": deadline.due_on,
                    "kind": "deadline",
                    "status": "overdue",
                    "text": f"{what} (due {due}): OVERDUE",
                }
            )
    order = {
        "referral": -2,
        "enquiry": -1,
        "conference": 0,
        "plan-version": 1,
        "core-group": 2,
        "plan-circulated": 3,
        "visit": 4,
        "deadline": 5,
    }
    out.sort(key=lambda e: (e["date"], order.get(e["kind"], 9)))
    for entry in out:
        entry["date"] = entry["date"].isoformat()
    return out


def _quality_entries(session: Session, child: Child) -> list[dict[str, Any]]:
    """The chair's midway reviews and escalations: raised, answered, resolved."""
    from cpctl.casework import quality
    from cpctl.store.models import CaseEvent, QualityCheck

    answered: dict[str, list[date]] = {}
    for event in session.exec(
        select(CaseEvent)
        .where(CaseEvent.child_id == child.id, CaseEvent.kind == "escalation-response")
        .order_by(CaseEvent.happened_on)  # type: ignore[arg-type]
    ).all():
        answered.setdefault(event.detail or "", []).append(event.happened_on)
    out: list[dict[str, Any]] = []
    for check in session.exec(select(QualityCheck).where(QualityCheck.child_id == child.id)).all():
        ref = quality.ref_of(check)
        if check.kind == quality.MIDWAY:
            words = quality.OUTCOMES.get(check.outcome or "", check.outcome or "")
            out.append({"date": check.held_on, "kind": "quality", "text": f"midway review {ref}: {words}"})
            continue
        out.append(
            {"date": check.held_on, "kind": "quality", "text": f"escalation {ref} raised with {check.raised_with}"}
        )
        for day in answered.get(str(check.id), []):
            out.append({"date": day, "kind": "quality", "text": f"escalation {ref} answered"})
        if check.resolved_on is not None:
            out.append({"date": check.resolved_on, "kind": "quality", "text": f"escalation {ref} resolved"})
    return out


# How the timeline counts each progress status: "of concern" is exactly the core group's "some concern"; an action
# not started is counted as not started, never as a concern as well.
COUNTED_AS = {
    "done": "done",
    "on-track": "on track",
    "some-concern": "of concern",
    "not-started": "not started",
    "no-longer-needed": "no longer needed",
}


def progress_counts(statuses: list[str]) -> str:
    """'3 actions: 1 of concern, 2 not started': how many actions had progress recorded, and each status's count."""
    counts = {status: statuses.count(status) for status in COUNTED_AS if status in statuses}
    parts = [f"{count} {COUNTED_AS[status]}" for status, count in counts.items()]
    parts += [f"{statuses.count(other)} {other}" for other in dict.fromkeys(statuses) if other not in COUNTED_AS]
    return f"{len(statuses)} action{'' if len(statuses) == 1 else 's'}: {', '.join(parts)}"


def progress_words(status: str) -> str:
    return PROGRESS_WORDS.get(status, status)
