"""The store's own shape: are its tables and columns the ones cpctl makes, and is every value of its column's type?

The first stages of `cpctl db check`, and what `cpctl db restore` asks of a backup before anything else: a store
that fails them cannot be read as cpctl reads it. The checks of what the records say (plans, conferences, events,
deadlines) are a layer up, in `cpctl.casework.checks`, which runs these first. Problems name records by their
references (C00001, CF00002, plan 1 of a child), never by a child's name.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

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
)
from sqlalchemy import func as sql_func
from sqlalchemy import inspect as sql_inspect
from sqlalchemy import select as core_select
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from cpctl.text import LONG, SHORT


@dataclass
class Report:
    """What the check found: the counts it looked at, and every problem (none when the store is whole)."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


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

    from cpctl.store.migrations import upgrade

    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        with engine.begin() as conn:
            upgrade(conn, revision)
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
    ("conference", "discussion"): LONG,
    ("quality_check", "outcome"): LONG,
    ("quality_check", "concern"): LONG,
    ("quality_check", "raised_with"): LONG,
    ("quality_check", "response"): LONG,
    ("quality_check", "notes"): LONG,
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
    labels = Labels(conn)
    quote = conn.dialect.identifier_preparer.quote
    for table in SQLModel.metadata.sorted_tables:
        checks = [(c, e) for c in table.columns if (e := _expression(conn, table.name, c)) is not None]
        if not checks:
            continue
        keys = label_columns(table)
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
            found.append(grouped(f"{table.name}.{name} {what}", rows))
    return found, unreadable


def grouped(what: str, labels: list[str], shown: int = 3) -> str:
    more = f", and {len(labels) - shown} more" if len(labels) > shown else ""
    return f"{what} in {len(labels)} record{'s' if len(labels) != 1 else ''}: {', '.join(labels[:shown])}{more}"


def label_columns(table: Any) -> list[str]:
    keys = [c.name for c in table.primary_key.columns]
    return keys + [
        name for name in ("ref", "child_id", "plan_id", "number") if name in table.columns and name not in keys
    ]


REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


def _safe(value: Any) -> str:
    """A record's number as a problem may show it: a whole number, else not at all (it may hold anything)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "(unreadable)"


class Labels:
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
