"""Setting a store up: its authority and jurisdiction, and the login of whoever runs cpctl as a named person."""

from __future__ import annotations

from sqlmodel import Session

from cpctl.casework.people import new_person_ref
from cpctl.rules.jurisdictions import check_jurisdiction
from cpctl.store import audit
from cpctl.store.audit import login_of
from cpctl.store.models import AppUser, Person, Setting
from cpctl.store.settings import USER_ROLES, check_role, get
from cpctl.text import clean


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

    login = login_of(session)
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
    if session.connection().dialect.name == "postgresql":
        # A team's store: nobody connects but its owner and the users it is given (`cpctl user add`).
        from cpctl.store import access

        access.close_to_public(session.connection())
    return person


CENSUS_LEA = "census_lea"  # the authority's 3-digit LA code, the census header's LEA


def set_census_lea(session: Session, value: str) -> bool:
    """Set the authority's LA code (the census's LEA: 3 digits, e.g. 201); True when it changed (audited)."""
    from cpctl.errors import Invalid

    text = (value or "").strip()
    if not (len(text) == 3 and text.isascii() and text.isdigit()):
        raise Invalid(f"the LA code {value!r} must be the authority's 3 digits (e.g. 201), as the DfE numbers it.")
    before = get(session, CENSUS_LEA)
    if before == text:
        return False
    row = session.get(Setting, CENSUS_LEA)
    if row is None:
        session.add(Setting(key=CENSUS_LEA, value=text))
    else:
        row.value = text
        session.add(row)
    audit.record(session, "store.lea", "store", None, f"LA code set to {text}", {CENSUS_LEA: [before, text]})
    return True
