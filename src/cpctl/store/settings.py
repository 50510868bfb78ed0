"""The store's own configuration (authority, jurisdiction) and the users who work in it.

Setting a store up, which also registers its first user as a person, is `cpctl.casework.users.initialise`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from cpctl.errors import CpctlError, Invalid
from cpctl.store.audit import login_of
from cpctl.store.models import AppUser, Person, Setting

USER_ROLES = {
    "chair": "Conference chair",
    "social-worker": "Lead social worker",
    "manager": "Team manager",
    "other": "Practitioner",
}


@dataclass(frozen=True)
class StoreSettings:
    authority: str
    jurisdiction: str


def get(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def current(session: Session) -> StoreSettings:
    """The authority and jurisdiction; an error that says to run `cpctl init` if there are none yet."""
    authority = get(session, "authority")
    jurisdiction = get(session, "jurisdiction")
    if not authority or not jurisdiction:
        raise CpctlError("this store has not been set up yet: run `cpctl init` first.")
    return StoreSettings(authority=authority, jurisdiction=jurisdiction)


def check_role(value: str) -> str:
    name = (value or "").strip().lower()
    if name not in USER_ROLES:
        raise Invalid(f"unknown role {value!r}: choose one of {', '.join(USER_ROLES)}.")
    return name


def current_user_person(session: Session) -> Person | None:
    """The person record of whoever is running cpctl, if they ran `cpctl init`."""
    user = session.get(AppUser, login_of(session))
    return session.get(Person, user.person_id) if user else None
