"""The audit trail: every write records who, when and what changed, in the same transaction, chained by hash."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from cpctl import running
from cpctl.dates import utc_now_iso
from cpctl.store.models import AppUser, AuditEntry, Child, Person

GENESIS = "0" * 64
COLUMNS = ("at", "actor", "action", "entity", "entity_id", "summary", "changes", "prev_hash", "hash")


def os_login() -> str:
    """The login name of whoever runs cpctl ($CPCTL_USER overrides it for shared accounts)."""
    override = os.environ.get("CPCTL_USER")
    if override:
        return override
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def login_of(session: Session) -> str:
    """Who is running cpctl: on PostgreSQL the login the server knows (`session_user`), which neither
    $CPCTL_USER nor anything else can change; on SQLite, the operating system's login."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return os_login()
    known = session.info.get("cpctl_login")
    if known is None:
        known = session.info["cpctl_login"] = str(connection.exec_driver_sql("SELECT session_user").scalar_one())
    return known


def current_actor(session: Session) -> str:
    """The configured user for this login ('Name (login)'), falling back to the login alone."""
    login = login_of(session)
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
    prev_hash = _tail(session) or GENESIS
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


def _tail(session: Session) -> str | None:
    """The newest entry's hash. On PostgreSQL a function reads it, since a login may not read the whole trail."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return connection.exec_driver_sql("SELECT cpctl_audit_tail()").scalar_one()  # type: ignore[no-any-return]
    return session.exec(select(AuditEntry.hash).order_by(col(AuditEntry.id).desc()).limit(1)).first()


# -- the read log (a team's store) --------------------------------------------------------------------------------
READS = "cpctl_reads"  # session.info key: the children looked up in this session, and those asked for and not found


def note_read(session: Session, ref: str, *, found: bool, entity: str = "child") -> None:
    """Remember that this session looked a child up (or asked for one it may not see, or that does not exist; or a
    record of a child's, `entity`, that it may not see or that does not exist): `Store` writes it to the trail when
    the session ends, on PostgreSQL (a team's store)."""
    if session.connection().dialect.name != "postgresql":
        return
    session.info.setdefault(READS, []).append((ref[:64], found, entity))


def note_children_read(session: Session, child_ids: Any) -> None:
    """Remember that this session showed a record of these children (a conference, a booking, a visit): ids, or a
    select of them. Nothing is read on SQLite, which keeps no read log."""
    if session.connection().dialect.name != "postgresql":
        return
    for ref in session.exec(select(Child.ref).where(col(Child.id).in_(child_ids))).all():
        note_read(session, ref, found=True)


def record_reads(session: Session, reads: Sequence[tuple[str, bool, str]]) -> None:
    """The read log: an entry for each child looked at (`read.show`), and for each child or record of one asked for
    but not shown (`read.denied`: out of the login's reach, restricted, or no such record; the asker is told only
    "no child", "no conference", ...)."""
    what = running.COMMAND[0] or "cpctl"
    for ref, found, entity in dict.fromkeys(reads):
        action = "read.show" if found else "read.denied"
        named = ref if entity == "child" else f"{entity} {ref}"
        summary = f"{what}: {'looked at' if found else 'asked for, not shown'} {named}"
        record(session, action, entity, ref, summary, {"command": what})


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


# -- entries changed outside cpctl ------------------------------------------------------------------------------
class NotUtf8(str):
    """Text SQLite holds that is not UTF-8 (only a change outside cpctl puts it there), read with each bad byte
    replaced, so that the entry can be shown and named instead of failing the whole query."""


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return NotUtf8(raw.decode("utf-8", "replace"))


@contextmanager
def tolerant_reads(session: Session) -> Iterator[None]:
    """Inside the block, text that is not UTF-8 comes back as NotUtf8 instead of failing the query.

    SQLite keeps whatever a database tool stores in a column (a BLOB, bytes that are not UTF-8); PostgreSQL's
    types refuse those, so there this changes nothing.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    before = driver.text_factory  # type: ignore[union-attr]
    driver.text_factory = _decode  # type: ignore[union-attr]
    try:
        yield
    finally:
        driver.text_factory = before  # type: ignore[union-attr]


def unreadable(value: Any, *, nullable: bool = False) -> str | None:
    """Why a value is not the text cpctl wrote (None when it is): what a person fixing the store needs to know."""
    if isinstance(value, NotUtf8):
        return "not UTF-8 text"
    if isinstance(value, str) or (value is None and nullable):
        return None
    return "empty (NULL)" if value is None else "not text"


def damage(entry: AuditEntry) -> str | None:
    """The first column of an entry that holds something cpctl never writes there, said as 'its summary is not
    text'; None when every column holds text. Such an entry cannot be hashed, so the walk names it instead."""
    for column in COLUMNS:
        why = unreadable(getattr(entry, column), nullable=column == "entity_id")
        if why is not None:
            return f"its {'time (at)' if column == 'at' else column} {'are' if column == 'changes' else 'is'} {why}"
    return None


def readable(entry: AuditEntry) -> dict[str, Any]:
    """An entry as plain data for `audit log`, the changes parsed. A part changed outside cpctl into something
    that cannot be read is None, and named in the extra key "unreadable", so that the rest of it still shows."""
    record: dict[str, Any] = {"id": entry.id}
    broken: list[str] = []
    for column in ("at", "actor", "action", "entity", "entity_id", "summary", "changes", "hash"):
        value = getattr(entry, column)
        if unreadable(value, nullable=column == "entity_id") is None:
            record[column] = value
        else:
            record[column] = None
            broken.append(column)
    if record["changes"] is not None:
        try:
            record["changes"] = json.loads(record["changes"])
        except (ValueError, RecursionError):
            record["changes"] = None
            broken.append("changes")
    if broken:
        record["unreadable"] = broken
    return record


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return True
    return False


# -- checking the chain ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainReport:
    """What `cpctl audit verify` found: how many entries, the newest, and the first broken link (if any)."""

    entries: int
    head_id: int | None
    head_hash: str | None
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify(session: Session, *, expect: str | None = None) -> ChainReport:
    """Walk the trail oldest first: each entry must hash to its own hash and name the one before it.

    The chain shows a change made outside cpctl (an edited, deleted, inserted or reordered entry) unless whoever
    made it also rewrote every later hash; `expect`, a hash printed by an earlier check and kept elsewhere,
    catches that too, and an entry cut from the end of the trail.
    """
    query = select(AuditEntry).order_by(col(AuditEntry.id)).execution_options(yield_per=1000)
    with tolerant_reads(session):
        result = session.exec(query)
        try:
            return _walk(result, expect)
        finally:
            result.close()  # a server-side cursor, when the walk stops at a broken link


def _walk(entries: Any, expect: str | None) -> ChainReport:
    previous_hash, previous_id = GENESIS, None
    count = 0
    found_expected = expect is None
    for entry in entries:
        count += 1
        ident = entry.id or 0
        damaged = damage(entry)
        if damaged is not None:
            problem = f"at entry {ident}: {damaged} (changed outside cpctl)"
            return ChainReport(count, previous_id, previous_hash, broken_at=ident, problem=problem)
        if entry.prev_hash != previous_hash:
            if previous_id is None:
                problem = f"at entry {ident}: it is not the first of the trail, so the entries before it were deleted"
            else:
                problem = (
                    f"at entry {ident}: it does not follow entry {previous_id}, so an entry between them was deleted "
                    "or inserted, one of them was changed, or the entries were reordered"
                )
            return ChainReport(count, previous_id, previous_hash, broken_at=ident, problem=problem)
        recomputed = entry_hash(
            entry.prev_hash,
            entry.at,
            entry.actor,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.summary,
            entry.changes,
        )
        if recomputed != entry.hash:
            problem = f"at entry {ident}: it was changed outside cpctl (what it records no longer matches its hash)"
            if _not_json(entry.changes):
                problem = f"at entry {ident}: its changes are not JSON (changed outside cpctl)"
            return ChainReport(count, previous_id, previous_hash, broken_at=ident, problem=problem)
        found_expected = found_expected or entry.hash == expect
        previous_hash, previous_id = entry.hash, ident
    if not found_expected:
        problem = (
            f"since the hash {str(expect)[:64]} was noted: no entry has it now, so the trail was cut short or rewritten"
        )
        return ChainReport(count, previous_id, None if previous_id is None else previous_hash, problem=problem)
    return ChainReport(count, previous_id, None if previous_id is None else previous_hash)
