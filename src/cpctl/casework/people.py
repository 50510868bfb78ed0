"""Children, families and the people around them: the records every conference and plan refers to."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from cpctl.dates import age_on
from cpctl.errors import Invalid, NotFound
from cpctl.store import audit
from cpctl.store.models import PERSON_KINDS, Child, ChildPerson, Family, Person
from cpctl.text import LONG, clean, plain, reference

_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CHILD_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "expected_date",
    "gender",
    "preferred_language",
    "interpreter_needed",
    "culture_religion",
    "disability",
)
PERSON_FIELDS = ("name", "kind", "role", "agency", "email", "phone", "address", "preferred_language")


# -- references ---------------------------------------------------------------------------------------------
def next_ref(session: Session, model: Any, prefix: str) -> str:
    """The next free reference: the prefix and five digits from the table's next id (C00012, P00007, CF00003)."""
    number = (session.exec(select(func.max(model.id))).one() or 0) + 1
    while True:
        ref = f"{prefix}{number:05d}"
        if session.exec(select(model.id).where(model.ref == ref)).first() is None:
            return ref
        number += 1


def new_child_ref(session: Session) -> str:
    return next_ref(session, Child, "C")


def new_person_ref(session: Session) -> str:
    return next_ref(session, Person, "P")


# -- families -----------------------------------------------------------------------------------------------
def family_named(session: Session, name: str, *, create: bool = True) -> Family:
    text = clean(name, "the family's name", required=True)
    family = session.exec(select(Family).where(func.lower(Family.name) == func.lower(text))).first()  # type: ignore[union-attr]
    if family is None:
        if not create:
            raise NotFound(f"no family called {text!r}; see `cpctl child list` for the families in this store.")
        family = Family(name=text)
        session.add(family)
        session.flush()
        audit.record(session, "family.add", "family", family.id, f"family {family.id} added", {"name": text})
    return family


# -- children -----------------------------------------------------------------------------------------------
def _check_child_dates(date_of_birth: date | None, expected_date: date | None, today: date) -> None:
    if date_of_birth is None and expected_date is None:
        raise Invalid("give a date of birth (--dob), or for an unborn baby the expected date of delivery (--expected).")
    if date_of_birth is not None:
        if date_of_birth > today:
            raise Invalid(
                f"the date of birth {date_of_birth.isoformat()} is in the future; "
                "for an unborn baby give the expected date of delivery (--expected) instead."
            )
        if age_on(date_of_birth, today) >= 18:
            raise Invalid(
                f"a date of birth of {date_of_birth.isoformat()} makes this person 18 or over; "
                "child protection plans are for children under 18. Check the date."
            )
    if expected_date is not None and date_of_birth is None and expected_date > today + timedelta(days=300):
        raise Invalid(
            f"the expected date of delivery {expected_date.isoformat()} is more than 300 days away; check the date."
        )


def _child_values(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("given_name", "family_name"):
            out[key] = clean(value, key.replace("_", " "), required=True)
        elif key in ("culture_religion", "disability"):
            out[key] = clean(value, key.replace("_", " "), multiline=True, max_length=LONG)
        elif key in ("gender", "preferred_language"):
            out[key] = clean(value, key.replace("_", " "))
        else:
            out[key] = value
    if "preferred_language" in out and out["preferred_language"] is None:
        out["preferred_language"] = "English"
    return out


def add_child(
    session: Session,
    *,
    given_name: str,
    family_name: str,
    ref: str | None = None,
    date_of_birth: date | None = None,
    expected_date: date | None = None,
    gender: str | None = None,
    preferred_language: str | None = None,
    interpreter_needed: bool = False,
    culture_religion: str | None = None,
    disability: str | None = None,
    family: str | None = None,
    today: date | None = None,
) -> Child:
    """Add a child (or unborn baby); the authority's own id is the reference, or one is made (C00001)."""
    today = today or date.today()
    values = _child_values(
        {
            "given_name": given_name,
            "family_name": family_name,
            "date_of_birth": date_of_birth,
            "expected_date": expected_date,
            "gender": gender,
            "preferred_language": preferred_language,
            "interpreter_needed": bool(interpreter_needed),
            "culture_religion": culture_religion,
            "disability": disability,
        }
    )
    _check_child_dates(values["date_of_birth"], values["expected_date"], today)
    if ref is not None:
        ref = reference(ref, "the child's id")
        if session.exec(select(Child.id).where(Child.ref == ref)).first() is not None:
            raise Invalid(f"a child with id {ref} already exists; choose another id or see `cpctl child show {ref}`.")
    else:
        ref = new_child_ref(session)
    family_row = family_named(session, family) if family else None
    child = Child(ref=ref, family_id=family_row.id if family_row else None, **values)
    session.add(child)
    session.flush()
    record = child_record(session, child)
    audit.record(session, "child.add", "child", child.ref, f"child {child.ref} added", record)
    return child


def find_child(session: Session, key: str) -> Child:
    """A child by the authority's id, or by full name when exactly one child has it (spaces as `clean` stores
    them: a name pasted from Word with a non-breaking space finds the child too)."""
    text = plain(key or "").strip()
    child = session.exec(select(Child).where(Child.ref == text)).first()
    if child is not None:
        return child
    matches = session.exec(
        select(Child).where(
            func.lower(Child.given_name + " " + Child.family_name) == func.lower(text)  # type: ignore[operator]
        )
    ).all()
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        refs = ", ".join(m.ref for m in matches)
        raise Invalid(f"{len(matches)} children have that name ({refs}); use the child's id.")
    raise NotFound(f"no child with id or name {text[:40]!r}; see `cpctl child list` for the children in this store.")


def list_children(session: Session, *, family: str | None = None) -> Sequence[Child]:
    query = select(Child).order_by(col(Child.family_name), col(Child.given_name), col(Child.id))
    if family:
        query = query.where(Child.family_id == family_named(session, family, create=False).id)
    return session.exec(query).all()


def siblings(session: Session, child: Child) -> Sequence[Child]:
    if child.family_id is None:
        return []
    return session.exec(
        select(Child).where(Child.family_id == child.family_id, Child.id != child.id).order_by(col(Child.id))
    ).all()


def edit_child(
    session: Session, child: Child, *, today: date | None = None, family: str | None = None, **changes: Any
) -> dict[str, list[Any]]:
    """Change some of a child's details; returns {field: [old, new]} for what changed (audited)."""
    today = today or date.today()
    unknown = set(changes) - set(CHILD_FIELDS)
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))} of a child.")
    values = _child_values({k: v for k, v in changes.items()})
    before = child_record(session, child)
    for key, value in values.items():
        setattr(child, key, value)
    _check_child_dates(child.date_of_birth, child.expected_date, today)
    if family is not None:
        child.family_id = family_named(session, family).id if family.strip() else None
    session.add(child)
    session.flush()
    changed = audit.diff(before, child_record(session, child))
    if changed:
        audit.record(session, "child.edit", "child", child.ref, f"child {child.ref} edited", changed)
        if {"date_of_birth", "expected_date"} & set(changed):
            _refresh_deadlines(session, child)
    return changed


def _refresh_deadlines(session: Session, child: Child) -> None:
    """A birth recorded (or corrected) moves pre-birth reviews and visits: recompute if the child has a case."""
    from cpctl.casework import schedule
    from cpctl.store.models import CaseEvent

    if session.exec(select(CaseEvent.id).where(CaseEvent.child_id == child.id).limit(1)).first() is not None:
        schedule.refresh_child(session, child)


def child_record(session: Session, child: Child) -> dict[str, Any]:
    """A child as plain data (for --json and the audit trail)."""
    family = session.get(Family, child.family_id) if child.family_id else None
    return {
        "id": child.ref,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        "expected_date": child.expected_date.isoformat() if child.expected_date else None,
        "unborn": child.unborn,
        "gender": child.gender,
        "preferred_language": child.preferred_language,
        "interpreter_needed": child.interpreter_needed,
        "culture_religion": child.culture_religion,
        "disability": child.disability,
        "family": family.name if family else None,
    }


# -- people -------------------------------------------------------------------------------------------------
def _person_values(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "name":
            out[key] = clean(value, "the person's name", required=True)
        elif key == "kind":
            kind = (value or "").strip().lower()
            if kind not in PERSON_KINDS:
                raise Invalid(f"unknown kind of person {value!r}: choose one of {', '.join(PERSON_KINDS)}.")
            out[key] = kind
        elif key == "email":
            email = clean(value, "the email address")
            if email is not None and not _EMAIL.match(email):
                raise Invalid(f"{email[:60]!r} is not an email address (expected name@example.org).")
            out[key] = email
        elif key == "phone":
            phone = clean(value, "the phone number")
            if phone is not None and not _PHONE.match(phone):
                raise Invalid(f"{phone[:30]!r} is not a phone number: use digits, spaces, + ( ) and -.")
            out[key] = phone
        elif key == "address":
            out[key] = clean(value, "the address", multiline=True, max_length=500)
        else:
            out[key] = clean(value, key.replace("_", " "))
    return out


def add_person(
    session: Session,
    *,
    name: str,
    kind: str,
    role: str | None = None,
    agency: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    preferred_language: str | None = None,
    ref: str | None = None,
    child: Child | None = None,
    relationship: str | None = None,
) -> Person:
    """Add a parent, carer, relative or professional, optionally linked to a child."""
    values = _person_values(
        {
            "name": name,
            "kind": kind,
            "role": role,
            "agency": agency,
            "email": email,
            "phone": phone,
            "address": address,
            "preferred_language": preferred_language,
        }
    )
    if ref is not None:
        ref = reference(ref, "the person's reference")
        if session.exec(select(Person.id).where(Person.ref == ref)).first() is not None:
            raise Invalid(f"a person with reference {ref} already exists; choose another reference.")
    else:
        ref = new_person_ref(session)
    person = Person(ref=ref, **values)
    session.add(person)
    session.flush()
    audit.record(session, "person.add", "person", person.ref, f"person {person.ref} added", person_record(person))
    if child is not None:
        link(session, child, person, relationship)
    return person


def link(session: Session, child: Child, person: Person, relationship: str | None = None) -> bool:
    """Record how a person stands to a child (replacing any earlier description); without a relationship, their
    role or kind says it. Returns whether anything changed."""
    text = clean(relationship or person.role or person.kind, "the relationship", required=True)
    existing = session.get(ChildPerson, (child.id, person.id))
    if existing is not None:
        if existing.relationship == text:
            return False
        old = existing.relationship
        existing.relationship = text
        session.add(existing)
    else:
        old = None
        session.add(ChildPerson(child_id=child.id, person_id=person.id, relationship=text))
    session.flush()
    audit.record(
        session,
        "person.link",
        "child",
        child.ref,
        f"{person.ref} linked to child {child.ref}",
        {"person": person.ref, "relationship": [old, text]},
    )
    return True


def find_person(session: Session, key: str) -> Person:
    """A person by reference, or by name when exactly one person has it (spaces as `clean` stores them)."""
    text = plain(key or "").strip()
    person = session.exec(select(Person).where(Person.ref == text)).first()
    if person is not None:
        return person
    matches = session.exec(select(Person).where(func.lower(Person.name) == func.lower(text))).all()
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        refs = ", ".join(m.ref for m in matches)
        raise Invalid(f"{len(matches)} people have that name ({refs}); use the person's reference.")
    raise NotFound(
        f"no person with reference or name {text[:40]!r}; see `cpctl person list`, or add them with `cpctl person add`."
    )


def list_people(session: Session, *, kind: str | None = None, child: Child | None = None) -> Sequence[Person]:
    query = select(Person).order_by(col(Person.name), col(Person.id))
    if kind:
        query = query.where(Person.kind == _person_values({"kind": kind})["kind"])
    if child is not None:
        query = query.join(ChildPerson, ChildPerson.person_id == Person.id).where(ChildPerson.child_id == child.id)
    return session.exec(query).all()


def edit_person(session: Session, person: Person, **changes: Any) -> dict[str, list[Any]]:
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))} of a person.")
    values = _person_values(changes)
    before = person_record(person)
    for key, value in values.items():
        setattr(person, key, value)
    session.add(person)
    session.flush()
    changed = audit.diff(before, person_record(person))
    if changed:
        audit.record(session, "person.edit", "person", person.ref, f"person {person.ref} edited", changed)
    if {"name", "role", "agency", "kind"} & set(changed):  # whether they visit as a social worker, or lead
        from cpctl.casework import schedule

        schedule.refresh_for_person(session, person, names=[before["name"]])
    return changed


def person_record(person: Person) -> dict[str, Any]:
    return {
        "ref": person.ref,
        "name": person.name,
        "kind": person.kind,
        "role": person.role,
        "agency": person.agency,
        "email": person.email,
        "phone": person.phone,
        "address": person.address,
        "preferred_language": person.preferred_language,
    }


def people_of_child(session: Session, child: Child) -> list[tuple[Person, str]]:
    rows = session.exec(
        select(Person, ChildPerson.relationship)
        .join(ChildPerson, ChildPerson.person_id == Person.id)
        .where(ChildPerson.child_id == child.id)
        .order_by(col(Person.kind), col(Person.name))
    ).all()
    return [(person, relationship) for person, relationship in rows]


def children_of_person(session: Session, person: Person) -> list[tuple[Child, str]]:
    rows = session.exec(
        select(Child, ChildPerson.relationship)
        .join(ChildPerson, ChildPerson.child_id == Child.id)
        .where(ChildPerson.person_id == person.id)
        .order_by(col(Child.id))
    ).all()
    return [(child, relationship) for child, relationship in rows]
