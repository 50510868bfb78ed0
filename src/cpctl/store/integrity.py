"""`cpctl db check`: is the store whole? The database's own checks, then cpctl's rules across its tables.

Each rule holds after every change cpctl makes, because every change is one transaction; a store that breaks one
was damaged, edited outside cpctl, or written by a cpctl with a bug. Problems name records by their references
(C00001, CF00002, plan 1 of a child), never by a child's name.

The checks go in stages, each needing the one before: the schema (the tables and columns cpctl makes), the values
(each of the type its column holds, text within its limits and free of control characters), the content cpctl
parses (plans and the other JSON it keeps), then the rules between records. A stage that finds what would make
the next one misread the store stops there, and says so in a note.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
    bindparam,
)
from sqlalchemy import func as sql_func
from sqlalchemy import inspect as sql_inspect
from sqlalchemy import select as core_select
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, col, select

from cpctl.casework import schedule
from cpctl.store import audit
from cpctl.store.models import (
    AuditEntry,
    CaseEvent,
    Child,
    Conference,
    CoreGroupMeeting,
    Decision,
    Plan,
    PlanVersion,
    Setting,
    Visit,
)
from cpctl.text import LONG, SHORT

PLAN_OUTCOMES = ("plan-starts", "plan-continues", "plan-changes", "plan-ends")


@dataclass
class Report:
    """What the check found: the counts it looked at, and every problem (none when the store is whole)."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(store: Any, *, chain: bool = True) -> Report:
    """Run every check on an open Store, reading only (`chain=False` leaves the audit trail's own check out)."""
    report = Report()
    report.problems += store.engine_problems()
    with store.read() as session:
        conn = session.connection()
        shape = schema(conn)
        report.problems += shape.problems
        for name, table in COUNTED:
            if table in shape.tables:
                report.counts[name] = conn.execute(sql_text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        if shape.unreadable:
            report.notes.append("the other checks wait until the store has every table and column cpctl makes")
            return report
        found, unreadable = values(conn)
        report.problems += found
        if unreadable:
            report.notes.append("the other checks wait until every value is of the type its column holds")
            return report
        found, unreadable_plans = contents(conn)
        report.problems += found
        report.problems += references(session)
        report.problems += plans(session)
        report.problems += conferences(session)
        report.problems += events(session)
        with audit.tolerant_reads(session):  # an audit entry that is not UTF-8 is named by the chain, not a crash
            report.problems += audited(session)
        if unreadable_plans:
            report.notes.append("the deadlines are checked once every plan version can be read")
        else:
            deadline_problems, note = deadlines(session)
            report.problems += deadline_problems
            if note:
                report.notes.append(note)
        if chain:
            verified = audit.verify(session)
            if not verified.intact:
                report.problems.append(f"the audit trail is broken {verified.problem}")
    return report


COUNTED = (
    ("children", "child"),
    ("plans", "plan"),
    ("conferences", "conference"),
    ("core group meetings", "core_group_meeting"),
    ("visits", "visit"),
    ("audit entries", "audit_entry"),
)


# -- the schema --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shape:
    """What matters of a store's schema: each table's columns (what they hold, whether they may be empty) and the
    unique rules that keep records apart (a reference used once, one plan in force per child)."""

    columns: dict[str, dict[str, tuple[str, bool]]]
    uniques: dict[str, dict[tuple[tuple[str, ...], bool], str]]


@dataclass
class SchemaReport:
    tables: set[str]
    problems: list[str] = field(default_factory=list)
    unreadable: bool = False  # a table or column missing, or holding another type: the ORM would misread it


def schema(conn: Connection, revision: str | None = None) -> SchemaReport:
    """The store's schema against the one cpctl makes at `revision` (default: the head revision)."""
    from cpctl.store.migrations import HEAD

    actual = reflected_shape(conn)
    wanted = head_shape() if revision in (None, HEAD) else migrated_shape(revision or HEAD)
    report = SchemaReport(tables=set(actual.columns))
    for table in sorted(set(wanted.columns) - set(actual.columns)):
        report.problems.append(f"the table {table} is missing")
        report.unreadable = True
    for table in sorted(set(actual.columns) - set(wanted.columns)):
        report.problems.append(f"the table {table} is not one cpctl makes")
    for table in sorted(set(wanted.columns) & set(actual.columns)):
        mine, theirs = actual.columns[table], wanted.columns[table]
        for column in theirs:
            if column not in mine:
                report.problems.append(f"the column {table}.{column} is missing")
                report.unreadable = True
                continue
            (kind, nullable), (wanted_kind, wanted_nullable) = mine[column], theirs[column]
            if kind != wanted_kind:
                report.problems.append(
                    f"the column {table}.{column} holds {KIND_WORDS.get(kind, kind)}, not "
                    f"{KIND_WORDS.get(wanted_kind, wanted_kind)}"
                )
                report.unreadable = True
            elif nullable and not wanted_nullable:
                report.problems.append(f"the column {table}.{column} may be left empty; cpctl's must have a value")
                report.unreadable = True
            elif wanted_nullable and not nullable:
                report.problems.append(f"the column {table}.{column} must have a value; cpctl's may be left empty")
        for column in mine:
            if column not in theirs:
                report.problems.append(f"the column {table}.{column} is not one cpctl makes (a restore drops it)")
        have = actual.uniques.get(table, {})
        for (columns, partial), name in sorted(wanted.uniques.get(table, {}).items()):
            if (columns, partial) not in have:
                what = RULE_WORDS.get(name, f"each {table}.{'+'.join(columns)} unique")
                report.problems.append(f"the rule {name + ' ' if name else ''}that keeps {what} is missing")
    return report


RULE_WORDS = {"uq_plan_one_active_per_child": "one plan in force per child"}


KIND_WORDS = {
    "text": "text",
    "integer": "whole numbers",
    "boolean": "true or false",
    "date": "dates",
    "timestamp": "timestamps",
    "number": "decimal numbers",
    "binary": "binary data",
}


def _kind(type_: Any) -> str:
    """What a column holds, in terms that are the same whichever database reflects it."""
    if isinstance(type_, TypeDecorator):  # SQLModel's AutoString: a string
        type_ = type_.impl_instance
    for kind, generic in (
        ("boolean", Boolean),
        ("date", Date),
        ("timestamp", DateTime),
        ("integer", Integer),
        ("text", String),
        ("binary", LargeBinary),
        ("number", Numeric),
        ("number", Float),
    ):
        if isinstance(type_, generic):
            return kind
    return type(type_).__name__.lower()


@functools.cache
def head_shape() -> Shape:
    """The schema at the head revision, from the models (tests/test_migrations.py keeps them equal to what the
    migrations make, on both backends), without running a migration."""
    columns: dict[str, dict[str, tuple[str, bool]]] = {}
    uniques: dict[str, dict[tuple[tuple[str, ...], bool], str]] = {}
    for table in SQLModel.metadata.sorted_tables:
        columns[table.name] = {c.name: (_kind(c.type), bool(c.nullable)) for c in table.columns}
        found: dict[tuple[tuple[str, ...], bool], str] = {}
        for index in table.indexes:
            if index.unique:
                partial = any(index.dialect_options[d].get("where") is not None for d in ("sqlite", "postgresql"))
                found[(tuple(c.name for c in index.columns), partial)] = str(index.name)
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                names = tuple(c.name for c in constraint.columns)
                found[(names, False)] = str(constraint.name or "")
        uniques[table.name] = found
    return Shape(columns, uniques)


@functools.cache
def migrated_shape(revision: str) -> Shape:
    """The schema cpctl's migrations make at an earlier revision: an empty store in memory, migrated to it."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from cpctl.store.database import _migrate

    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        with engine.begin() as conn:
            _migrate(conn, revision)
        with engine.connect() as conn:
            return reflected_shape(conn)
    finally:
        engine.dispose()


def reflected_shape(conn: Connection) -> Shape:
    """A store's schema as its database reports it (every table at once: one query per kind on a server)."""
    inspector = sql_inspect(conn)
    tables = [name for name in inspector.get_table_names() if name != "alembic_version"]
    if not tables:
        return Shape({}, {})
    columns: dict[str, dict[str, tuple[str, bool]]] = {}
    for (_, table), found in inspector.get_multi_columns(filter_names=tables).items():
        columns[table] = {c["name"]: (_kind(c["type"]), bool(c["nullable"])) for c in found}
    uniques: dict[str, dict[tuple[tuple[str, ...], bool], str]] = {table: {} for table in tables}
    for (_, table), indexes in inspector.get_multi_indexes(filter_names=tables).items():
        for index in indexes:
            if index["unique"]:
                options = index.get("dialect_options", {})
                partial = any(key.endswith("_where") and value is not None for key, value in options.items())
                key = (tuple(str(c) for c in index["column_names"]), partial)
                uniques[table][key] = str(index["name"])
    for (_, table), constraints in inspector.get_multi_unique_constraints(filter_names=tables).items():
        for constraint in constraints:
            names = tuple(constraint["column_names"])
            uniques[table][(names, False)] = str(constraint["name"] or "")
    return Shape(columns, uniques)


# -- the values --------------------------------------------------------------------------------------------------
MULTILINE: dict[tuple[str, str], int] = {  # free text cpctl accepts over several lines, and its limit
    ("child", "culture_religion"): LONG,
    ("child", "disability"): LONG,
    ("person", "address"): 500,
    ("conference", "venue"): LONG,
    ("conference", "inquorate_reason"): LONG,
    ("conference_attendee", "reason"): LONG,
    ("plan", "end_reason"): LONG,
    ("plan", "step_down"): LONG,
    ("plan_version", "agreed_by"): LONG,
}
LONGER: dict[tuple[str, str], int] = {  # one line, longer than a name: 'Name (login)', the authority's settings
    ("plan_version", "author"): LONG,
    ("setting", "value"): LONG,
}
UNBOUNDED = {  # JSON, checked as content in the next stage; and the audit trail, which its own check reads
    ("plan_version", "content"),
    ("plan_version", "gaps"),
    ("decision", "details"),
    ("decision", "categories"),
    ("plan", "initial_categories"),
    ("plan", "latest_categories"),
    ("core_group_meeting", "attendance"),
    ("core_group_meeting", "progress"),
    ("core_group_meeting", "parent_views"),
    ("core_group_meeting", "child_views"),
    ("core_group_meeting", "notes"),
    ("visit", "notes"),
    ("deadline", "explanation"),
    *(("audit_entry", name) for name in ("at", "actor", "action", "entity", "entity_id", "summary", "changes")),
    *(("audit_entry", name) for name in ("prev_hash", "hash")),
}
CONTROL = "[\x01-\x1f\x7f-\x9f]"  # C0 and C1 control characters, and DEL (ESC among them); NUL apart
CONTROL_MULTILINE = "[\x01-\x08\x0b-\x1f\x7f-\x9f]"  # the same, with tab and line feed allowed
PROBLEM_WORDS = {
    "nul": "holds a NUL character",
    "long": "is longer than {limit} characters",
    "control": "holds control characters (such as ESC)",
    "date": "is not a date cpctl can read",
    "boolean": "is not true or false",
}
TYPEOF_WORDS = {"blob": "binary data", "text": "text", "real": "a decimal number", "integer": "a whole number"}
EXPECTED_WORDS = {"text": "text", "integer": "a whole number", "boolean": "true or false", "date": "a date"}


def text_limit(table: str, column: str, declared: int | None) -> tuple[int | None, bool]:
    """How long a text field may be, and whether it may hold line breaks, as cpctl accepts it (cpctl.text)."""
    if (table, column) in UNBOUNDED:
        return None, True
    if (table, column) in MULTILINE:
        return MULTILINE[table, column], True
    if (table, column) in LONGER:
        return LONGER[table, column], False
    return declared or SHORT, False


def _expression(conn: Connection, table: str, column: Any) -> str | None:
    """SQL giving a short code for what is wrong with this column's value in a row (NULL when nothing is), or None
    when the database itself keeps the column right."""
    quoted = conn.dialect.identifier_preparer.quote(column.name)
    kind = _kind(column.type)
    sqlite = conn.dialect.name == "sqlite"
    # SQLite keeps any value in any column: first, is it of the type the column holds?
    stored = "text" if kind in ("text", "date") else "integer"
    typed = f"WHEN {quoted} IS NULL THEN NULL WHEN typeof({quoted}) <> '{stored}' THEN 'type:' || typeof({quoted}) "
    if kind == "text":
        limit, multiline = text_limit(table, column.name, getattr(column.type, "length", None))
        checks = typed + f"WHEN instr(CAST({quoted} AS BLOB), x'00') > 0 THEN 'nul' " if sqlite else ""
        if limit is not None:
            checks += f"WHEN length({quoted}) > {int(limit)} THEN 'long:{int(limit)}' "
        if (table, column.name) not in UNBOUNDED:
            which = "multiline" if multiline else "single"
            matches = f"GLOB :glob_{which}" if sqlite else f"~ :re_{which}"
            checks += f"WHEN {quoted} {matches} THEN 'control' "
        return f"CASE {checks}END" if checks else None
    if kind == "date":
        if sqlite:
            return (
                f"CASE {typed}WHEN NOT ({quoted} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]') "
                f"OR date({quoted}, '+0 days') IS NOT {quoted} OR {quoted} < '0001-01-01' THEN 'date' END"
            )
        # A server's date type holds only dates, but from 4713 BC to 5874897 AD; Python's run from 1 to 9999.
        return f"CASE WHEN {quoted} < DATE '0001-01-01' OR {quoted} > DATE '9999-12-31' THEN 'date' END"
    if kind in ("integer", "boolean") and sqlite:
        boolean = f"WHEN {quoted} NOT IN (0, 1) THEN 'boolean' " if kind == "boolean" else ""
        return f"CASE {typed}{boolean}END"
    return None


PATTERNS = {  # what control characters look like to SQLite's GLOB and to PostgreSQL's regular expressions
    "glob_single": f"*{CONTROL}*",
    "glob_multiline": f"*{CONTROL_MULTILINE}*",
    "re_single": CONTROL,
    "re_multiline": CONTROL_MULTILINE,
}


def values(conn: Connection) -> tuple[list[str], bool]:
    """Every value of the type its column holds, text within cpctl's limits and free of control characters.

    SQLite keeps whatever it is given in any column (a BLOB as a name, 'soon' as a date); a server keeps types
    but not cpctl's limits. One pass over each table, in SQL; only the rows with something wrong come back.
    Returns the problems, and whether any would make cpctl misread the store (a value of the wrong type).
    """
    found: list[str] = []
    unreadable = False
    labels = _Labels(conn)
    quote = conn.dialect.identifier_preparer.quote
    for table in SQLModel.metadata.sorted_tables:
        checks = [(c, e) for c in table.columns if (e := _expression(conn, table.name, c)) is not None]
        if not checks:
            continue
        keys = _label_columns(table)
        codes = ", ".join(f"{expression} AS problem_{i}" for i, (_, expression) in enumerate(checks))
        wanted = " OR ".join(f"({expression}) IS NOT NULL" for _, expression in checks)
        query = f"SELECT {', '.join(quote(k) for k in keys)}, {codes} FROM {quote(table.name)} WHERE {wanted}"
        used = {name: pattern for name, pattern in PATTERNS.items() if f":{name}" in query}
        by_problem: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in conn.execute(sql_text(query), used).mappings():
            label = labels.of(table.name, {key: row[key] for key in keys})
            for i, (column, _) in enumerate(checks):
                if row[f"problem_{i}"] is not None:
                    by_problem[(column.name, row[f"problem_{i}"])].append(label)
        for (name, code), rows in by_problem.items():
            if code.startswith("type:"):
                held = TYPEOF_WORDS.get(code[5:], code[5:])
                what = f"holds {held} instead of {EXPECTED_WORDS[_kind(table.columns[name].type)]}"
            elif code.startswith("long:"):
                what = PROBLEM_WORDS["long"].format(limit=code[5:])
            else:
                what = PROBLEM_WORDS[code]
            unreadable = unreadable or code.startswith("type:") or code in ("date", "boolean")
            found.append(_grouped(f"{table.name}.{name} {what}", rows))
    return found, unreadable


def _grouped(what: str, labels: list[str], shown: int = 3) -> str:
    more = f", and {len(labels) - shown} more" if len(labels) > shown else ""
    return f"{what} in {len(labels)} record{'s' if len(labels) != 1 else ''}: {', '.join(labels[:shown])}{more}"


def _label_columns(table: Any) -> list[str]:
    keys = [c.name for c in table.primary_key.columns]
    return keys + [
        name for name in ("ref", "child_id", "plan_id", "number") if name in table.columns and name not in keys
    ]


REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


def _safe(value: Any) -> str:
    """A record's number as a problem may show it: a whole number, else not at all (it may hold anything)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "(unreadable)"


class _Labels:
    """Names records by reference (child C00002, visit 17 of child DEMO-1001, version 2 of plan 1 of child
    DEMO-1001), never by what they hold; a reference that is itself damaged is shown by the record's number."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._children: dict[Any, str] | None = None
        self._plans: dict[Any, str] | None = None

    def child(self, child_id: Any) -> str:
        if self._children is None:
            self._children = {
                ident: f"child {ref if isinstance(ref, str) and REF.match(ref) else '#' + _safe(ident)}"
                for ident, ref in self.conn.execute(sql_text("SELECT id, ref FROM child"))
            }
        return self._children.get(child_id, f"child #{_safe(child_id)}")

    def plan(self, plan_id: Any) -> str:
        if self._plans is None:
            found = self.conn.execute(sql_text("SELECT id, number, child_id FROM plan"))
            self._plans = {ident: f"plan {_safe(number)} of {self.child(child)}" for ident, number, child in found}
        return self._plans.get(plan_id, f"plan {_safe(plan_id)}")

    def of(self, table: str, keys: dict[str, Any]) -> str:
        if table == "plan":
            return f"plan {_safe(keys['number'])} of {self.child(keys['child_id'])}"
        if table == "plan_version":
            return f"version {_safe(keys['number'])} of {self.plan(keys['plan_id'])}"
        noun = table.replace("_", " ")
        ref = keys.get("ref")
        if isinstance(ref, str) and REF.match(ref):
            return f"{noun} {ref}"
        ident = _safe(keys["id"]) if "id" in keys else "/".join(_safe(keys[k]) for k in keys if k.endswith("_id"))
        label = f"{noun} {'#' if 'ref' in keys else ''}{ident}"
        return f"{label} of {self.child(keys['child_id'])}" if "child_id" in keys and table != "child" else label


# -- the content cpctl parses ------------------------------------------------------------------------------------
class _Attendee(BaseModel):
    person: str
    status: str
    reason: str | None = None


class _Progress(BaseModel):
    status: str
    note: str | None = None


@functools.cache
def _readers() -> dict[tuple[str, str], Any]:
    """How cpctl reads each JSON column: with the model it writes it from, or as the shape it expects."""
    from cpctl.casework.plan import DecisionDetails, Item, PlanContent

    words = TypeAdapter(list[str])
    items = TypeAdapter(list[Item])
    return {
        ("plan_version", "content"): TypeAdapter(PlanContent),
        ("plan_version", "gaps"): words,
        ("decision", "details"): TypeAdapter(DecisionDetails),
        ("decision", "categories"): words,
        ("plan", "initial_categories"): words,
        ("plan", "latest_categories"): words,
        ("core_group_meeting", "attendance"): TypeAdapter(list[_Attendee]),
        ("core_group_meeting", "progress"): TypeAdapter(dict[str, _Progress]),
        ("core_group_meeting", "parent_views"): items,
        ("core_group_meeting", "child_views"): items,
        ("core_group_meeting", "notes"): items,
        ("visit", "notes"): items,
    }  # deadline.explanation: the deadlines check compares each with the one worked out afresh


def contents(conn: Connection) -> tuple[list[str], bool]:
    """The JSON cpctl keeps reads back as cpctl reads it: each plan version through the plan model, each decision's
    details through theirs. Returns the problems, and whether a plan version cannot be read (deadlines are worked
    out from the plans)."""
    found: list[str] = []
    plans_unreadable = False
    labels = _Labels(conn)
    quote = conn.dialect.identifier_preparer.quote
    for (table, column), reader in _readers().items():
        bad: dict[Any, str] = {}
        for ident, body in conn.execute(sql_text(f"SELECT id, {quote(column)} FROM {quote(table)} ORDER BY id")):
            try:
                reader.validate_json(body)
            except ValidationError as exc:
                bad[ident] = _why(exc)
        if bad:
            keys = _label_columns(SQLModel.metadata.tables[table])
            shown = sorted(bad)[:3]
            query = sql_text(f"SELECT {', '.join(quote(k) for k in keys)} FROM {quote(table)} WHERE id IN :ids")
            named = {
                row[0]: labels.of(table, dict(zip(keys, row, strict=True)))
                for row in conn.execute(query.bindparams(bindparam("ids", expanding=True)), {"ids": shown})
            }
            listed = [f"{named[ident]} ({bad[ident]})" for ident in shown] + [""] * (len(bad) - len(shown))
            found.append(_grouped(f"{table}.{column} cannot be read as cpctl reads it", listed))
            plans_unreadable = plans_unreadable or (table, column) == ("plan_version", "content")
    return found, plans_unreadable


def _why(exc: ValidationError) -> str:
    """Where the content goes wrong and how, without the value (it may be a child's name)."""
    error = exc.errors(include_input=False, include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['type']}" if where else str(error["type"])


def references(session: Session) -> list[str]:
    """Every reference from one record to another points at a record that exists."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for constraint in table.constraints:
            if not isinstance(constraint, ForeignKeyConstraint):
                continue
            (column,) = constraint.columns
            (element,) = constraint.elements
            target = element.column
            missing = (
                session.connection()
                .execute(
                    core_select(sql_func.count())
                    .select_from(table.outerjoin(target.table, column == target))
                    .where(column.is_not(None), target.is_(None))
                )
                .scalar_one()
            )
            if missing:
                found.append(
                    f"{missing} {table.name} record{'s' if missing != 1 else ''} refer to a {target.table.name} "
                    f"that does not exist ({table.name}.{column.name})"
                )
    return found


def plans(session: Session) -> list[str]:
    """Plans are numbered 1, 2, ... per child, at most one is in force, versions are 1, 2, ..., and each has the
    decision that started it (and, once ended, the one that ended it)."""
    found = []
    refs = dict(session.exec(select(Child.id, Child.ref)).all())
    by_child: dict[int, list[Plan]] = defaultdict(list)
    for row in session.exec(select(Plan).order_by(col(Plan.child_id), col(Plan.number))):
        by_child[row.child_id].append(row)
    versions: dict[int, list[int]] = defaultdict(list)
    for plan_id, number in session.exec(select(PlanVersion.plan_id, PlanVersion.number)).all():
        versions[plan_id].append(number)
    decisions: dict[int, list[Decision]] = defaultdict(list)
    for decision in session.exec(select(Decision)):
        if decision.plan_id is not None:
            decisions[decision.plan_id].append(decision)
    for child_id, rows in by_child.items():
        ref = refs.get(child_id, f"#{child_id}")
        if [r.number for r in rows] != list(range(1, len(rows) + 1)):
            found.append(f"child {ref}'s plans are numbered {[r.number for r in rows]}, not 1, 2, ...")
        active = [r.number for r in rows if r.ended_on is None]
        if len(active) > 1:
            found.append(f"child {ref} has {len(active)} plans in force (plans {active}); there can be one")
        for row in rows:
            name = f"plan {row.number} of child {ref}"
            numbers = sorted(versions.get(row.id or 0, []))
            if numbers != list(range(1, len(numbers) + 1)):
                found.append(f"{name} has versions {numbers}, not 1, 2, ...")
            mine = decisions.get(row.id or 0, [])
            if not any(d.conference_id == row.start_conference_id and d.outcome == "plan-starts" for d in mine):
                found.append(f"{name} has no decision that started it at its first conference")
            if (row.ended_on is None) != (row.end_conference_id is None):
                found.append(f"{name} has an end date without the conference that ended it, or the other way round")
            if row.ended_on is not None:
                if row.ended_on < row.started_on:
                    found.append(f"{name} ends before it starts")
                if not any(d.conference_id == row.end_conference_id and d.outcome == "plan-ends" for d in mine):
                    found.append(f"{name} has ended without a decision that it ends")
    return found


def conferences(session: Session) -> list[str]:
    """Every conference decided something for at least one child; every decision about a plan has its plan."""
    found = []
    decided = Counter(session.exec(select(Decision.conference_id)).all())
    for conference_id, ref in session.exec(select(Conference.id, Conference.ref)).all():
        if not decided.get(conference_id):
            found.append(f"conference {ref} has no decision for any child")
    refs = dict(session.exec(select(Conference.id, Conference.ref)).all())
    children = dict(session.exec(select(Child.id, Child.ref)).all())
    plan_children = dict(session.exec(select(Plan.id, Plan.child_id)).all())
    for decision in session.exec(select(Decision)):
        where = f"the decision for child {children.get(decision.child_id)} at {refs.get(decision.conference_id)}"
        if decision.outcome in PLAN_OUTCOMES and decision.plan_id is None:
            found.append(f"{where} ({decision.outcome}) has no plan")
        if decision.plan_id is not None and plan_children.get(decision.plan_id) != decision.child_id:
            found.append(f"{where} points at another child's plan")
    return found


def events(session: Session) -> list[str]:
    """Case events, core groups and visits belong to the child whose plan they name; each conference decision
    has the event that deadlines are counted from."""
    found = []
    plan_children = dict(session.exec(select(Plan.id, Plan.child_id)).all())
    children = dict(session.exec(select(Child.id, Child.ref)).all())
    for label, model in (("event", CaseEvent), ("core group meeting", CoreGroupMeeting), ("visit", Visit)):
        stray = [
            (child_id, plan_id)
            for child_id, plan_id in session.exec(select(model.child_id, model.plan_id)).all()  # type: ignore[attr-defined]
            if plan_id is not None and plan_children.get(plan_id) != child_id
        ]
        for child_id, _ in stray:
            found.append(f"a {label} of child {children.get(child_id)} names another child's plan")
    conference_events = {
        (child_id, conference_id)
        for child_id, conference_id in session.exec(
            select(CaseEvent.child_id, CaseEvent.conference_id).where(CaseEvent.kind == "conference")
        ).all()
    }
    refs = dict(session.exec(select(Conference.id, Conference.ref)).all())
    for child_id, conference_id in session.exec(select(Decision.child_id, Decision.conference_id)).all():
        if (child_id, conference_id) not in conference_events:
            found.append(
                f"child {children.get(child_id)}'s conference {refs.get(conference_id)} has no case event, so "
                "no deadline counts from it"
            )
    visits = Counter(session.exec(select(Visit.child_id)).all())
    visit_events = Counter(session.exec(select(CaseEvent.child_id).where(CaseEvent.kind == "visit")).all())
    for child_id in set(visits) | set(visit_events):
        if visits[child_id] != visit_events[child_id]:
            found.append(
                f"child {children.get(child_id)} has {visits[child_id]} visits but {visit_events[child_id]} visit "
                "events"
            )
    return found


def audited(session: Session) -> list[str]:
    """Every child, conference, core group and visit has the audit entry that recorded it: a change and its
    audit record are saved together or not at all."""
    found = []
    entries = Counter(
        (action, entity_id) for action, entity_id in session.exec(select(AuditEntry.action, AuditEntry.entity_id))
    )
    for ref in session.exec(select(Child.ref)).all():
        if not entries.get(("child.add", ref)):
            found.append(f"child {ref} has no audit entry that added them")
    for ref in session.exec(select(Conference.ref)).all():
        if not entries.get(("conference.add", ref)):
            found.append(f"conference {ref} has no audit entry that recorded it")
    children = dict(session.exec(select(Child.id, Child.ref)).all())
    for action, model in (("visit.add", Visit), ("core-group.add", CoreGroupMeeting)):
        held = Counter(session.exec(select(model.child_id)).all())  # type: ignore[attr-defined]
        for child_id, count in held.items():
            ref = children.get(child_id)
            logged = entries.get((action, ref), 0)
            if logged != count:
                what = "visits" if model is Visit else "core group meetings"
                found.append(f"child {ref} has {count} {what} but {logged} audit entries recording them")
    return found


def deadlines(session: Session) -> tuple[list[str], str | None]:
    """The stored deadlines are exactly those the events give under the profile they were computed with."""
    from cpctl.errors import CpctlError

    stored_print = session.get(Setting, schedule.FINGERPRINT_KEY)
    columns = [getattr(schedule.Deadline, key) for key in DEADLINE_KEYS]
    have = Counter(tuple(row) for row in session.exec(select(*columns)))  # columns, not ORM objects
    try:
        profile = schedule.load_profile(session)
    except CpctlError:  # a store not yet set up has no jurisdiction, so it can hold no deadlines
        return ([f"the store holds {sum(have.values())} deadlines but no jurisdiction"] if have else []), None
    if stored_print is None:
        return ([f"the store holds {sum(have.values())} deadlines that were never computed"] if have else []), None
    if stored_print.value != schedule.fingerprint(profile):
        return [], "the deadlines were worked out under an earlier profile; `cpctl due` recomputes them"
    wanted = Counter(tuple(row[key] for key in DEADLINE_KEYS) for row in schedule.expected_rows(session, profile))
    if wanted == have:
        return [], None
    children = dict(session.exec(select(Child.id, Child.ref)).all())
    differing = sorted({children.get(key[0], f"#{key[0]}") for key in (wanted - have) + (have - wanted)})
    who = f"child{'ren' if len(differing) != 1 else ''} {', '.join(differing)}"
    return [f"the stored deadlines of {who} do not match their events"], None


DEADLINE_KEYS = (
    "child_id",
    "plan_id",
    "kind",
    "due_on",
    "status",
    "met_on",
    "closed_on",
    "event_id",
    "met_event_id",
    "worker_id",
    "chair_id",
    "explanation",
)
