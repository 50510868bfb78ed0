"""What the core groups recorded of each action's progress: read by a plan's versions, its copies and the wizards."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from cpctl.store.models import CoreGroupMeeting, Plan


def meetings(session: Session, plan_row: Plan) -> list[CoreGroupMeeting]:
    return list(
        session.exec(
            select(CoreGroupMeeting)
            .where(CoreGroupMeeting.plan_id == plan_row.id)
            .order_by(col(CoreGroupMeeting.held_on))
        ).all()
    )


def latest_progress(session: Session, plan_row: Plan, *, until: date | None = None) -> dict[str, dict[str, Any]]:
    """Each action's latest progress as recorded at core groups (up to `until`)."""
    out: dict[str, dict[str, Any]] = {}
    for meeting in meetings(session, plan_row):
        if until is not None and meeting.held_on > until:
            break
        for action, value in json.loads(meeting.progress).items():
            out[action] = {**value, "recorded_on": meeting.held_on.isoformat()}
    return out
