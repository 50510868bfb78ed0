"""The rows the synthetic generator writes, and how they go into a new SQLite store in bulk.

The tables' columns in the order that their foreign keys allow, their INSERT statements, the writer that keeps
the rows waiting, each table's next id and the audit chain they continue, and a connection set up for loading
(no journal, secondary indexes built once at the end). The bulk statements use SQLite's placeholders.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from json.encoder import encode_basestring as _json_string  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from cpctl.store import audit

# -- the tables, in the order that their foreign keys allow ---------------------------------------------------
COLUMNS = {
    "family": "id, name",
    "person": "id, ref, name, kind, role, agency, email, phone, address, preferred_language",
    "team": "id, name",
    "child": (
        "id, ref, given_name, family_name, date_of_birth, expected_date, gender, preferred_language, "
        "interpreter_needed, culture_religion, disability, family_id, la_child_id, upn, former_upn, upn_unknown, "
        "census_gender, ethnicity, disabilities, team_id"
    ),
    "child_person": "child_id, person_id, relationship",
    "conference": (
        "id, ref, kind, held_on, start_time, venue, virtual, chair_id, agencies_present, quorate, "
        "inquorate_reason, recorded_at"
    ),
    "conference_attendee": "conference_id, person_id, status, reason, role, agency",
    "cin_episode": (
        "id, child_id, referral_on, referral_source, primary_need, closed_on, closure_reason, referral_nfa, recorded_at"
    ),
    "section47": "id, child_id, started_on, icpc_not_required, conference_id, recorded_at",
    "plan": (
        "id, child_id, number, started_on, ended_on, start_conference_id, end_conference_id, pre_birth, "
        "initial_categories, latest_categories, lead_worker_id, end_reason, step_down"
    ),
    "decision": "id, conference_id, child_id, outcome, categories, plan_id, lead_worker_id, details",
    "core_group_meeting": (
        "id, child_id, plan_id, held_on, attendance, progress, parent_views, child_views, notes, next_meeting, "
        "sent_on, recorded_at"
    ),
    "plan_version": (
        "id, plan_id, number, made_on, made_at, source, conference_id, draft, gaps, content, author, "
        "core_group_id, significant, agreed_by"
    ),
    "visit": "id, child_id, plan_id, visited_on, visitor_id, announced, seen_alone, bedroom_seen, notes, recorded_at",
    "case_event": "id, child_id, plan_id, kind, detail, happened_on, conference_id",
    "deadline": (
        "child_id, plan_id, kind, due_on, status, met_on, closed_on, event_id, met_event_id, worker_id, chair_id, "
        "explanation"
    ),
    "audit_entry": "at, actor, action, entity, entity_id, summary, changes, prev_hash, hash",
}
BULK_TABLES = ("case_event", "visit", "deadline", "audit_entry", "core_group_meeting", "plan_version", "decision")
SQL = {
    table: f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' for _ in columns.split(','))})"
    for table, columns in COLUMNS.items()
}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _entry_hash(
    prev_hash: str, at: str, actor: str, action: str, entity: str, entity_id: str, summary: str, changes: str
) -> str:
    """`audit.entry_hash` in a fraction of the time (the tests check they agree): the hash, the time, the action,
    the entity and its id are plain ASCII that JSON writes as it is; the actor comes already written as JSON."""
    payload = (
        f'["{prev_hash}","{at}",{actor},"{action}","{entity}","{entity_id}",'
        f"{_json_string(summary)},{_json_string(changes)}]"
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _flag(value: bool) -> str:
    return "true" if value else "false"


class _Writer:
    """Rows waiting to be written, the next id of each table, and the audit chain they continue."""

    def __init__(self, connection: sqlite3.Connection, actor: str) -> None:
        self.connection = connection
        self.actor = actor
        self._actor_json = _json_string(actor)
        self.rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
        self.counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        self.ids = {
            table: itertools.count((connection.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0) + 1)
            for table in COLUMNS
            if COLUMNS[table].startswith("id, ")
        }
        last = connection.execute("SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
        self.prev_hash = last[0] if last else audit.GENESIS

    def new_id(self, table: str) -> int:
        return next(self.ids[table])

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.rows[table].append(row)

    def pending(self) -> int:
        return len(self.rows["case_event"])

    def audit(
        self, on: date, action: str, entity: str, entity_id: str, summary: str, changes: dict[str, Any] | str
    ) -> None:
        """An audit entry as `audit.record` writes it, chained to the one before. `changes` may come as the JSON
        text `audit.record` would make of it (sorted keys), for the commonest entries."""
        at = f"{on.isoformat()}T16:00:00.000000Z"
        text = changes if isinstance(changes, str) else json.dumps(changes, ensure_ascii=False, sort_keys=True)
        digest = _entry_hash(self.prev_hash, at, self._actor_json, action, entity, entity_id, summary, text)
        self.rows["audit_entry"].append(
            (at, self.actor, action, entity, entity_id, summary, text, self.prev_hash, digest)
        )
        self.prev_hash = digest

    def flush(self) -> None:
        """Write every waiting row, table by table (parents before children: see COLUMNS)."""
        for table, rows in self.rows.items():
            if rows:
                self.connection.executemany(SQL[table], rows)
                self.counts[table] += len(rows)
                rows.clear()


LOAD_PRAGMAS = (
    # Pages a transaction adds at the end of a new file need no journal; WAL would write every page twice.
    "PRAGMA journal_mode=DELETE",
    "PRAGMA synchronous=OFF",
    "PRAGMA cache_size=-1048576",  # 1 GB: the audit chain's unique index takes random inserts
    "PRAGMA temp_store=MEMORY",  # where CREATE INDEX sorts
)
DROP_INDEXES = True  # build the secondary indexes once at the end, from sorted data, rather than row by row


@contextmanager
def _loading(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection for loading a new store in bulk; the store is left as cpctl makes it (WAL, every index)."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        for pragma in LOAD_PRAGMAS:
            connection.execute(pragma)
        indexes = []
        if DROP_INDEXES:
            indexes = connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
                f"({', '.join('?' for _ in BULK_TABLES)})",
                BULK_TABLES,
            ).fetchall()
            for name, _ in indexes:
                connection.execute(f'DROP INDEX "{name}"')
        try:
            yield connection
        finally:
            for _, sql in indexes:
                connection.execute(sql)
            connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()
