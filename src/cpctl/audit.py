"""The audit trail: every write records who, when and what changed, in the same transaction, chained by hash."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from cpctl.dates import utc_now_iso
from cpctl.models import AppUser, AuditEntry, Person

GENESIS = "0" * 64


def os_login() -> str:
    """The login name of whoever runs cpctl ($CPCTL_USER overrides it for shared accounts)."""
    override = os.environ.get("CPCTL_USER")
    if override:
        return override
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def current_actor(session: Session) -> str:
    """The configured user for this login ('Name (login)'), falling back to the login alone."""
    login = os_login()
    user = session.get(AppUser, login)
    if user is not None:
        person = session.get(Person, user.person_id)
        if person is not None:
            return f"{person.name} ({login})"
    return login


def entry_hash(
    prev_hash: str,
    at: str,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    summary: str,
    changes: str,
) -> str:
    payload = json.dumps(
        [prev_hash, at, actor, action, entity, entity_id, summary, changes],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    action: str,
    entity: str,
    entity_id: str | int | None,
    summary: str,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (Store.write() serialises writers, so the chain holds)."""
    previous = session.exec(select(AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1)).first()
    prev_hash = previous or GENESIS
    at = utc_now_iso()
    actor = current_actor(session)
    changes_text = json.dumps(changes or {}, ensure_ascii=False, sort_keys=True, default=str)
    ident = None if entity_id is None else str(entity_id)
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=ident,
        summary=summary,
        changes=changes_text,
        prev_hash=prev_hash,
        hash=entry_hash(prev_hash, at, actor, action, entity, ident, summary, changes_text),
    )
    session.add(entry)
    session.flush()
    return entry


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field that changed."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}


def entries(
    session: Session, *, limit: int | None = None, entity: str | None = None, entity_id: str | None = None
) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc())
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if limit:
        query = query.limit(limit)
    return session.exec(query).all()
