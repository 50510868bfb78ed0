"""The store's own configuration (authority, jurisdiction) and the users who work in it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from cpctl.casework.people import new_person_ref
from cpctl.errors import CpctlError, Invalid
from cpctl.rules.profile import names as profile_names
from cpctl.store import audit
from cpctl.store.audit import os_login
from cpctl.store.models import AppUser, Person, Setting
from cpctl.text import clean

JURISDICTIONS = profile_names()  # one per profile shipped in cpctl/rules/profiles/ (england, guernsey, ...)
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


def check_jurisdiction(value: str) -> str:
    name = (value or "").strip().lower().replace(" ", "-").replace("_", "-")
    if name not in JURISDICTIONS:
        raise Invalid(f"unknown jurisdiction {value!r}: choose one of {', '.join(JURISDICTIONS)}.")
    return name


def check_role(value: str) -> str:
    name = (value or "").strip().lower()
    if name not in USER_ROLES:
        raise Invalid(f"unknown role {value!r}: choose one of {', '.join(USER_ROLES)}.")
    return name


def initialise(session: Session, *, authority: str, jurisdiction: str, name: str, role: str) -> Person:
    """Set the store's authority and jurisdiction, and register the current login as a named user."""
    authority_text = clean(authority, "the authority's name", required=True)
    jurisdiction = check_jurisdiction(jurisdiction)
    name_text = clean(name, "your name", required=True)
    role = check_role(role)
    assert authority_text and name_text
    before = {"authority": get(session, "authority"), "jurisdiction": get(session, "jurisdiction")}
    after = {"authority": authority_text, "jurisdiction": jurisdiction}
    for key, value in after.items():
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value
            session.add(row)
    changes = audit.diff(before, after)
    if changes:
        audit.record(session, "store.init", "store", None, f"store set up for {jurisdiction}", changes)

    login = os_login()
    user = session.get(AppUser, login)
    person = session.get(Person, user.person_id) if user else None
    role_text = USER_ROLES[role]
    if person is None:
        person = Person(
            ref=new_person_ref(session),
            name=name_text,
            kind="professional",
            role=role_text,
            agency=authority_text,
        )
        session.add(person)
        session.flush()
        session.add(AppUser(login=login, person_id=person.id))
        session.flush()
        audit.record(
            session,
            "user.add",
            "person",
            person.ref,
            f"user {login} registered as {person.ref}",
            {"login": login, "name": name_text, "role": role_text},
        )
    else:
        person_before = {"name": person.name, "role": person.role, "agency": person.agency}
        person.name, person.role, person.agency = name_text, role_text, authority_text
        session.add(person)
        person_changes = audit.diff(person_before, {"name": name_text, "role": role_text, "agency": authority_text})
        if person_changes:
            audit.record(session, "user.edit", "person", person.ref, f"user {login} updated", person_changes)
    return person


def current_user_person(session: Session) -> Person | None:
    """The person record of whoever is running cpctl, if they ran `cpctl init`."""
    user = session.get(AppUser, os_login())
    return session.get(Person, user.person_id) if user else None
