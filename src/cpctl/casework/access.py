"""A team's store on PostgreSQL: its users (a login, the person it stands for, a role, a team), its teams, the
children restricted to named logins, and the service's settings of who sees what. Every change is audited.

Only the store's owner (whoever ran `cpctl init`) administers them, and only on PostgreSQL: a SQLite store is one
person's. The server enforces what each role reaches (`cpctl.store.access` and migration 0005); this module keeps
the rows those rules read, and gives each login the grants of its role.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from cpctl import running
from cpctl.casework import census_items
from cpctl.dates import utc_now_iso
from cpctl.errors import CpctlError, Invalid, NotFound
from cpctl.store import access, audit
from cpctl.store.models import (
    AppUser,
    AuditEntry,
    Booking,
    BookingChild,
    Child,
    ChildRestriction,
    Conference,
    Decision,
    Person,
    Setting,
    Team,
    Visit,
)
from cpctl.text import clean, reference

ROLE_WORDS = {
    "chair": "chair",
    "social-worker": "social worker",
    "team-manager": "team manager",
    "business-support": "business support",
    "auditor": "auditor",
}
# The roles whose children are those of their team: a child they add without --team goes to their own team.
TEAM_ROLES = ("social-worker", "team-manager", "business-support")


def team_store(session: Session) -> bool:
    return session.connection().dialect.name == "postgresql"


def _command() -> str:
    return f"`cpctl {running.COMMAND[0]}`" if running.COMMAND[0] else "this command"


def require_owner(session: Session) -> access.Me:
    """The owner of a team's store, or one line saying why not: a SQLite store, or a login that is not its owner."""
    if not team_store(session):
        raise CpctlError(
            f"{_command()} needs a team's store on PostgreSQL; a SQLite store is one person's, kept by its file's "
            "permissions."
        )
    me = access.me(session.connection())
    if not me.owner:
        raise CpctlError(f"only the store's owner may run {_command()}; your login {me.login} is not its owner.")
    return me


def whoami(session: Session) -> access.Me | None:
    """The login on a team's store and its role ('owner', a role, or None); None on SQLite."""
    return access.me(session.connection()) if team_store(session) else None


# -- users --------------------------------------------------------------------------------------------------------
def check_login(value: str) -> str:
    login = reference(value, "the login", longest=63)
    if login.lower().startswith("pg_") or login.lower() == "public":
        raise Invalid(f"the login {login!r} is a name PostgreSQL keeps for itself; choose another.")
    return login


def check_role(value: str) -> str:
    role = (value or "").strip().lower()
    if role not in access.ROLES:
        raise Invalid(f"unknown role {value!r}: choose one of {', '.join(access.ROLES)}.")
    return role


def check_password(password: str | None) -> str | None:
    if password is None:
        return None
    text = password.rstrip("\r\n")
    if not text.strip():
        raise Invalid('the password on standard input is empty; give one (e.g. `printf %s "$PW" | cpctl ...`).')
    if "\n" in text or "\r" in text or "\x00" in text:
        raise Invalid("the password on standard input must be one line.")
    return text


def find_team(session: Session, name: str) -> Team:
    text = clean(name, "the team's name", required=True, max_length=128)
    assert text
    team = census_items.team_called(session, text)
    if team is None:
        known = ", ".join(session.exec(select(Team.name).order_by(Team.name)).all()) or "none yet"
        raise NotFound(f"no team {text!r} (teams: {known}); add it with `cpctl team add NAME`.")
    return team


def _active(user: AppUser | None) -> bool:
    return user is not None and user.role is not None and user.removed_at is None


def find_user(session: Session, login: str) -> AppUser:
    user = session.get(AppUser, check_login(login))
    if user is None or user.role is None:
        raise NotFound(f"no user {login!r} in this store; `cpctl user list` shows them.")
    return user


def _professional(person: Person) -> Person:
    if person.kind != "professional":
        raise Invalid(
            f"{person.ref} ({person.name}) is a {person.kind}, not a professional: a user of the store stands for a "
            "professional (add one with `cpctl person add NAME --kind professional`)."
        )
    return person


def _user_record(session: Session, user: AppUser) -> dict[str, Any]:
    person = session.get(Person, user.person_id)
    team = session.get(Team, user.team_id) if user.team_id else None
    return {
        "login": user.login,
        "person": person.ref if person else None,
        "name": person.name if person else None,
        "role": user.role,
        "team": team.name if team else None,
        "removed": user.removed_at,
    }


def add_user(
    session: Session, login: str, *, person: Person, role: str, team: Team | None, password: str | None
) -> tuple[dict[str, Any], bool]:
    """Make the login a user of the store (creating the login, or linking one that exists) with its role's grants.
    Returns the user as plain data, and whether the login was created."""
    me = require_owner(session)
    login = check_login(login)
    role = check_role(role)
    password = check_password(password)
    _professional(person)
    if login == me.login:
        raise Invalid(f"{login} is the store's owner, who reaches everything already; give another login.")
    user = session.get(AppUser, login)
    if user is not None and user.role is None:
        raise Invalid(f"{login} is registered as the store's owner (`cpctl init`); give another login.")
    if _active(user):
        raise Invalid(f"{login} is already a user of this store; change them with `cpctl user edit {login}`.")
    conn = session.connection()
    created = access.create_login(conn, login, password)
    before = _user_record(session, user) if user is not None else None
    if user is None:
        user = AppUser(login=login, person_id=person.id or 0)
    user.person_id, user.role = person.id or 0, role
    user.team_id, user.removed_at = (team.id if team else None), None
    session.add(user)
    session.flush()
    access.grant(conn, login, role)
    record = _user_record(session, user)
    changes = dict(record, login_created=created, password_set=password is not None)
    if before is not None:
        changes["returned_after_removal"] = before["removed"]
    audit.record(session, "user.add", "user", login, f"user {login} added as {ROLE_WORDS[role]}", changes)
    return record, created


def list_users(session: Session) -> list[dict[str, Any]]:
    require_owner(session)
    users = session.exec(select(AppUser).where(col(AppUser.role).is_not(None)).order_by(col(AppUser.login))).all()
    return [_user_record(session, user) for user in users]


def edit_user(
    session: Session,
    login: str,
    *,
    person: Person | None = None,
    role: str | None = None,
    team: Team | None = None,
    clear_team: bool = False,
    password: str | None = None,
) -> dict[str, Any]:
    """Change a user's person, role, team or password; their grants are given afresh. Returns what changed."""
    require_owner(session)
    user = find_user(session, login)
    if user.removed_at is not None:
        raise Invalid(f"{user.login} was removed; add them again with `cpctl user add {user.login} ...`.")
    role = check_role(role) if role is not None else None
    password = check_password(password)
    if person is not None:
        _professional(person)
    before = _user_record(session, user)
    if person is not None:
        user.person_id = person.id or 0
    if role is not None:
        user.role = role
    if team is not None or clear_team:
        user.team_id = team.id if team else None
    session.add(user)
    session.flush()
    conn = session.connection()
    if password is not None:
        access.create_login(conn, user.login, password)
    access.grant(conn, user.login, user.role or "")
    changes: dict[str, Any] = audit.diff(before, _user_record(session, user))
    if password is not None:
        changes["password_set"] = True
    if changes:
        audit.record(session, "user.edit", "user", user.login, f"user {user.login} changed", changes)
    return changes


def remove_user(session: Session, login: str) -> bool:
    """Take every right in the store from the user; the row stays, so that the history still names them. False
    when they were removed already."""
    require_owner(session)
    user = find_user(session, login)
    if user.removed_at is not None:
        return False
    access.revoke(session.connection(), user.login)
    user.removed_at = utc_now_iso()
    session.add(user)
    session.flush()
    audit.record(
        session, "user.remove", "user", user.login, f"user {user.login} removed", {"removed_at": user.removed_at}
    )
    return True


def settings(session: Session) -> dict[str, bool]:
    require_owner(session)
    return {name: _setting_on(session, name) for name in access.SETTINGS}


def _setting_on(session: Session, name: str) -> bool:
    row = session.get(Setting, name)
    return row is not None and row.value == "yes"


def set_setting(session: Session, name: str, on: bool) -> bool:
    """Turn a setting of who sees what on or off (audited); False when it already was."""
    require_owner(session)
    key = (name or "").strip().lower()
    if key not in access.SETTINGS:
        raise Invalid(f"unknown setting {name!r}: choose one of {', '.join(access.SETTINGS)}.")
    before = _setting_on(session, key)
    if before == on:
        return False
    row = session.get(Setting, key) or Setting(key=key, value="no")
    row.value = "yes" if on else "no"
    session.add(row)
    session.flush()
    words = "on" if on else "off"
    audit.record(session, "store.setting", "store", key, f"setting {key} turned {words}", {key: [before, on]})
    return True


# -- teams --------------------------------------------------------------------------------------------------------
def add_team(session: Session, name: str) -> Team:
    require_owner(session)
    text = clean(name, "the team's name", required=True, max_length=128)
    assert text
    if census_items.team_called(session, text) is not None:
        raise Invalid(f"a team {text!r} already exists; `cpctl team list` shows the teams.")
    return census_items.team_named(session, text)


def list_teams(session: Session) -> list[dict[str, Any]]:
    require_owner(session)
    children = dict(session.exec(select(Child.team_id, func.count()).group_by(Child.team_id)).all())
    active = and_(col(AppUser.role).is_not(None), col(AppUser.removed_at).is_(None))
    users = dict(session.exec(select(AppUser.team_id, func.count()).where(active).group_by(AppUser.team_id)).all())
    return [
        {"name": team.name, "children": children.get(team.id, 0), "users": users.get(team.id, 0)}
        for team in session.exec(select(Team).order_by(func.lower(Team.name))).all()
    ]


def rename_team(session: Session, name: str, new_name: str) -> bool:
    require_owner(session)
    team = find_team(session, name)
    text = clean(new_name, "the team's new name", required=True, max_length=128)
    assert text
    if text == team.name:
        return False
    clash = census_items.team_called(session, text)
    if clash is not None and clash.id != team.id:
        raise Invalid(f"a team {text!r} already exists; choose another name.")
    before = team.name
    team.name = text
    session.add(team)
    session.flush()
    audit.record(session, "team.edit", "team", team.id, f"team {team.id} renamed", {"name": [before, text]})
    return True


def own_team(session: Session) -> str | None:
    """The team of the login running cpctl, when its role's children are its team's (a child it adds goes there)."""
    if not team_store(session):
        return None
    me = access.me(session.connection())
    if me.role not in TEAM_ROLES:
        return None
    user = session.get(AppUser, me.login)
    team = session.get(Team, user.team_id) if user is not None and user.team_id else None
    return team.name if team else None


# -- restricted children ------------------------------------------------------------------------------------------
def restricted_to(session: Session, child: Child) -> list[str]:
    rows = session.exec(
        select(ChildRestriction.login).where(ChildRestriction.child_id == child.id).order_by(ChildRestriction.login)
    )
    return list(rows.all())


def shown_restriction(session: Session, child: Child) -> list[str] | None:
    """Who a child is restricted to, for the store's owner alone (None for anyone else, and on SQLite)."""
    me = whoami(session)
    if me is None or not me.owner:
        return None
    return restricted_to(session, child)


def restrict(session: Session, child: Child, logins: Sequence[str]) -> list[str]:
    """Only these logins (active users) may see the child from now on (and the owner); the list replaces any
    before it. Returns the list as it was."""
    me = require_owner(session)
    wanted = sorted(dict.fromkeys(check_login(login) for login in logins))
    if not wanted:
        raise Invalid("give at least one login with --to (`cpctl child unrestrict` lifts a restriction).")
    for login in wanted:
        if login == me.login:
            raise Invalid(f"{login} is the store's owner, who sees every child; list only the users who may see it.")
        if not _active(session.get(AppUser, login)):
            raise NotFound(f"no user {login!r} in this store (or they were removed); `cpctl user list` shows them.")
    before = restricted_to(session, child)
    if before == wanted:
        return before
    for row in session.exec(select(ChildRestriction).where(ChildRestriction.child_id == child.id)).all():
        session.delete(row)
    session.flush()
    now = utc_now_iso()
    for login in wanted:
        session.add(ChildRestriction(child_id=child.id or 0, login=login, added_at=now))
    session.flush()
    audit.record(
        session,
        "child.restrict",
        "child",
        child.ref,
        f"child {child.ref} restricted to {len(wanted)} login{'s' if len(wanted) != 1 else ''}",
        {"logins": [before, wanted]},
    )
    return before


def unrestrict(session: Session, child: Child) -> list[str]:
    """Lift a child's restriction (audited); returns who it was restricted to (empty: it was not)."""
    require_owner(session)
    before = restricted_to(session, child)
    if not before:
        return before
    for row in session.exec(select(ChildRestriction).where(ChildRestriction.child_id == child.id)).all():
        session.delete(row)
    session.flush()
    audit.record(
        session,
        "child.unrestrict",
        "child",
        child.ref,
        f"child {child.ref} restriction lifted",
        {"logins": [before, []]},
    )
    return before


# -- the trail about one child ----------------------------------------------------------------------------------
def child_trail(session: Session, child: Child, *, limit: int | None = None) -> Sequence[AuditEntry]:
    """Every entry about a child, newest first: the child's own (its reads too), and its conferences', bookings'
    and visits' (a deleted visit's as well, named by the entry that added it)."""
    conferences = session.exec(
        select(Conference.ref)
        .join(Decision, col(Decision.conference_id) == Conference.id)
        .where(Decision.child_id == child.id)
    ).all()
    bookings = session.exec(
        select(Booking.ref)
        .join(BookingChild, col(BookingChild.booking_id) == Booking.id)
        .where(BookingChild.child_id == child.id)
    ).all()
    visits = {f"V{visit_id:05d}" for visit_id in session.exec(select(Visit.id).where(Visit.child_id == child.id))}
    added = session.exec(
        select(AuditEntry.changes).where(
            AuditEntry.entity == "child", AuditEntry.entity_id == child.ref, AuditEntry.action == "visit.add"
        )
    ).all()
    for changes in added:
        try:
            ref = json.loads(changes).get("visit")
        except (ValueError, AttributeError, TypeError):
            continue
        if isinstance(ref, str):
            visits.add(ref)
    about = [and_(AuditEntry.entity == "child", AuditEntry.entity_id == child.ref)]
    for entity, refs in (("conference", conferences), ("booking", bookings), ("visit", sorted(visits))):
        if refs:
            about.append(and_(AuditEntry.entity == entity, col(AuditEntry.entity_id).in_(list(dict.fromkeys(refs)))))
    query = select(AuditEntry).where(or_(*about)).order_by(col(AuditEntry.id).desc())
    if limit:
        query = query.limit(limit)
    return session.exec(query).all()
