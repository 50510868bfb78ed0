"""Who may see and do what in a team's store on PostgreSQL: logins, their grants, and the checks of both.

The rows each login may reach are decided by the server itself: migration 0005 puts row-level security policies on
every table that holds a child's data, built on functions that read the login's role and team from `app_user`.
This module gives each login the table grants of its role (`grant`), creates and removes logins, and says whether
the policies and grants are in place (`problems`, for `cpctl db check`). Nothing here runs on SQLite, where a store
is one person's and the file's permissions keep others out.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

ROLES = {
    "chair": "the children whose conferences they chair or are booked to chair (every child with a plan where the "
    "service allows it)",
    "social-worker": "the children of their team, and the children they are lead social worker for",
    "team-manager": "the children of their team",
    "business-support": "bookings, invitations and letters for the children of their team (every team's when they "
    "have none); no visit, core group or quality notes, and no plan text unless the service allows it",
    "auditor": "every child and the whole audit trail, read only",
}
SETTINGS = {
    "chair-sees-every-plan": "a chair sees every child with a plan, not only those whose conferences they chair",
    "support-sees-plan-text": "business support sees the plans' text (with what is kept from the family)",
}
# Tables nobody but the owner writes: the store's own configuration and who may use it.
OWNER_WRITES = ("app_user", "setting", "team", "child_restriction", "alembic_version")
# Tables with private case notes or the plan's text: business support never writes them.
NOTES = ("visit", "core_group_meeting", "quality_check", "plan_version")
# The tables migration 0005 puts under row-level security, each with its policy.
POLICED = (
    "child",
    "child_person",
    "decision",
    "plan",
    "case_event",
    "deadline",
    "booking_child",
    "cin_episode",
    "section47",
    "core_group_meeting",
    "visit",
    "quality_check",
    "plan_version",
    "conference",
    "conference_attendee",
    "conference_recipient",
    "booking",
    "booking_invitee",
    "person",
    "family",
)
FUNCTIONS = (
    "cpctl_role",
    "cpctl_setting_on",
    "cpctl_visible_child_ids",
    "cpctl_sees_all",
    "cpctl_holding_team",
    "cpctl_restricted_child_ids",
    "cpctl_linked_person_ids",
    "cpctl_used_family_ids",
    "cpctl_decided_conference_ids",
    "cpctl_booked_booking_ids",
    "cpctl_next_ref",
    "cpctl_hidden_entities",
    "cpctl_audit_tail",
    "cpctl_audit_guard",
)


@dataclass(frozen=True)
class Me:
    """The login running cpctl on a team's store, as the server knows it."""

    login: str
    role: str | None  # "owner", a role of ROLES, or None (not a user of this store)

    @property
    def owner(self) -> bool:
        return self.role == "owner"


def me(conn: Connection) -> Me:
    login, role = conn.execute(text("SELECT session_user, cpctl_role()")).one()
    return Me(login=login, role=role)


def quoted(conn: Connection, name: str) -> str:
    """A login as an SQL identifier (logins are names the server checks, never trusted text)."""
    return str(conn.execute(text("SELECT quote_ident(:name)"), {"name": name}).scalar_one())


def tables(conn: Connection) -> list[str]:
    rows = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))
    return [row[0] for row in rows]


def login_exists(conn: Connection, login: str) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": login}).first() is not None


def create_login(conn: Connection, login: str, password: str | None) -> bool:
    """Create the login (True), or keep an existing one (False), setting its password when one is given. Needs
    CREATEROLE. The password reaches the server as a literal it hashes; cpctl never echoes statements."""
    exists = login_exists(conn, login)
    sql = f"{'ALTER' if exists else 'CREATE'} ROLE {quoted(conn, login)}"
    if not exists:
        sql += " LOGIN"
    if password is not None:
        literal = conn.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar_one()
        sql += f" PASSWORD {literal}"
    if password is not None or not exists:
        conn.execute(text(sql))
    return not exists


def grant(conn: Connection, login: str, role: str) -> None:
    """Give the login exactly the table grants of its role (what was there before is revoked first)."""
    name = quoted(conn, login)
    revoke(conn, login)
    database = conn.execute(text("SELECT quote_ident(current_database())")).scalar_one()
    conn.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {name}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {name}"))
    for table in tables(conn):
        if table == "child_restriction":
            continue
        rights = ["SELECT"]
        if role != "auditor" and table not in OWNER_WRITES and table != "audit_entry":
            if not (role == "business-support" and table in NOTES):
                rights += ["INSERT", "UPDATE", "DELETE"]
        if table == "audit_entry":
            rights.append("INSERT")
        conn.execute(text(f'GRANT {", ".join(rights)} ON "{table}" TO {name}'))
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}"))


def revoke(conn: Connection, login: str) -> None:
    """Take every right in this store from the login (its history in the audit trail stays)."""
    name = quoted(conn, login)
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {name}"))
    conn.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {name}"))
    database = conn.execute(text("SELECT quote_ident(current_database())")).scalar_one()
    conn.execute(text(f"REVOKE CONNECT ON DATABASE {database} FROM {name}"))


def close_to_public(conn: Connection) -> None:
    """Nobody connects to a team's store but its owner and its users (PostgreSQL lets every login by default)."""
    database = conn.execute(text("SELECT quote_ident(current_database())")).scalar_one()
    owns = conn.execute(
        text("SELECT pg_has_role(session_user, datdba, 'MEMBER') FROM pg_database WHERE datname = current_database()")
    ).scalar_one()
    if owns:
        conn.execute(text(f"REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC"))


def regrant_all(conn: Connection) -> None:
    """After an upgrade added tables: every active user gets its role's grants on them too."""
    rows = conn.execute(text("SELECT login, role FROM app_user WHERE role IS NOT NULL AND removed_at IS NULL"))
    for login, role in rows.all():
        if login_exists(conn, login):
            grant(conn, login, role)


def problems(conn: Connection) -> list[str]:
    """What is missing of the team store's protection: row-level security, policies, functions, stray grants."""
    found: list[str] = []
    rows = conn.execute(
        text(
            "SELECT c.relname, c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
    ).all()
    secured = {name: on for name, on in rows}
    listed = conn.execute(text("SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public'"))
    policies = {(table, name) for table, name in listed}
    for table in (*POLICED, "audit_entry", "child_restriction"):
        if not secured.get(table):
            found.append(f"row-level security is off on the table {table}: every login with a grant reads all of it")
    for table in POLICED:
        if (table, "cpctl_reach") not in policies:
            found.append(f"the table {table} has lost its policy (cpctl_reach): only its owner sees any of it")
    for name in ("cpctl_read", "cpctl_write"):
        if ("audit_entry", name) not in policies:
            found.append(f"the audit trail has lost its policy {name}")
    present = {row[0] for row in conn.execute(text("SELECT proname FROM pg_proc WHERE proname LIKE 'cpctl\\_%'"))}
    for function in FUNCTIONS:
        if function not in present:
            found.append(f"the function {function} is missing: the policies cannot decide who sees what")
    trigger = conn.execute(text("SELECT 1 FROM pg_trigger WHERE tgname = 'cpctl_audit_guard' AND NOT tgisinternal"))
    if trigger.first() is None:
        found.append("the audit trail's guard (trigger cpctl_audit_guard) is missing: a login could write as another")
    found.extend(_grant_problems(conn))
    return found


def _grant_problems(conn: Connection) -> list[str]:
    """Grants that reach further than the users' roles: to PUBLIC, to a login that is not an active user, more than
    the role's, or on who a child is restricted to."""
    users = dict(
        conn.execute(text("SELECT login, role FROM app_user WHERE role IS NOT NULL AND removed_at IS NULL")).all()
    )
    owner = conn.execute(
        text("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.child'::regclass")
    ).scalar_one()
    rows = conn.execute(
        text(
            "SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE table_schema = 'public' AND grantee <> :owner"
        ),
        {"owner": owner},
    ).all()
    found: list[str] = []
    seen: set[tuple[str, str]] = set()
    for grantee, table, privilege in rows:
        role = users.get(grantee)
        if grantee == "PUBLIC":
            why = "every login"
        elif role is None:
            why = f"{grantee}, who is not a user of this store"
        elif table == "child_restriction":
            why = f"{grantee}, though only the owner reads restrictions"
        elif privilege != "SELECT" and not _may_write(role, table, privilege):
            why = f"{grantee}, more than a {role} has"
        else:
            continue
        if (grantee, table) not in seen:
            seen.add((grantee, table))
            found.append(f"the table {table} is granted to {why} ({privilege}); run `cpctl user edit` or revoke it")
    return found


def _may_write(role: str, table: str, privilege: str) -> bool:
    if table == "audit_entry":
        return privilege == "INSERT"
    if role == "auditor" or table in OWNER_WRITES:
        return False
    return not (role == "business-support" and table in NOTES)
