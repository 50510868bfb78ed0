"""Children, families and the people around them: the records every conference and plan refers to."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import text as sql_text
from sqlmodel import Session, col, func, or_, select

from cpctl.dates import age_on, short_british
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
    """The next free reference: the prefix and five digits from the table's next id (C00012, P00007, CF00003).

    On PostgreSQL a function of the store's owner works it out: the rows a login may not see hold references too."""
    if session.connection().dialect.name == "postgresql":
        found = session.connection().execute(
            sql_text("SELECT cpctl_next_ref(:table, :prefix)"), {"table": model.__tablename__, "prefix": prefix}
        )
        return str(found.scalar_one())
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
    census: Mapping[str, Any] | None = None,
    team: str | None = None,
    today: date | None = None,
) -> Child:
    """Add a child (or unborn baby); the authority's own id is the reference, or one is made (C00001).

    `census` holds the census items (`census_items.item_values` keys: upn, ethnicity, ...); `team` is made if new."""
    from cpctl.casework import census_items

    today = today or date.today()
    items = census_items.item_values(census or {})
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
    team_row = census_items.team_named(session, team) if team else None
    child = Child(ref=ref, family_id=family_row.id if family_row else None, **values)
    census_items.check_census_id_free(session, child, items.get("la_child_id"))
    census_items.apply_items(child, items)
    child.team_id = team_row.id if team_row else None
    session.add(child)
    session.flush()
    record = child_record(session, child)
    audit.record(session, "child.add", "child", child.ref, f"child {child.ref} added", record)
    return child


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
    session: Session,
    child: Child,
    *,
    today: date | None = None,
    family: str | None = None,
    census: Mapping[str, Any] | None = None,
    team: str | None = None,
    **changes: Any,
) -> dict[str, list[Any]]:
    """Change some of a child's details; returns {field: [old, new]} for what changed (audited).

    `census` holds census items to change ("" clears one); `team` "" takes the child out of their team."""
    from cpctl.casework import census_items

    today = today or date.today()
    items = census_items.item_values(census or {})
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
    census_items.check_census_id_free(session, child, items.get("la_child_id"))
    census_items.apply_items(child, items)
    if team is not None:
        child.team_id = census_items.team_named(session, team).id if team.strip() else None
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
    from cpctl.casework.census_items import team_name

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
        "team": team_name(session, child),
        "census": {
            "la_child_id": child.la_child_id,
            "upn": child.upn,
            "former_upn": child.former_upn,
            "upn_unknown": child.upn_unknown,
            "sex": child.census_gender,
            "ethnicity": child.ethnicity,
            "disabilities": child.disabilities.split(",") if child.disabilities else [],
        },
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


# -- finding a child or a person by what people type ---------------------------------------------------------
_Row = TypeVar("_Row", Child, Person)
_LISTED = 10  # the candidates an ambiguous name lists
_SUGGESTED = 3  # the near misses a name that finds no one suggests
_NEAR = 0.75  # how alike (difflib's ratio) a near miss must be
_SWAPPED = 0.95  # how alike two letters typed the wrong way round are ("Loe" for "Leo", WB-2010 for WB-2001)
_CLEARLY = 0.05  # a near miss this much less alike than the nearest is not suggested beside it


@dataclass(frozen=True)
class _Words:
    many: str  # "children"
    ref: str  # "id"
    missing: str  # the message when nothing matches, {text} and {suggestion} filled in


_CHILD = _Words(
    "children",
    "id",
    "no child with id or name {text}; {suggestion}see `cpctl child list` for the children in this store.",
)
_PERSON = _Words(
    "people",
    "reference",
    "no person with reference or name {text}; {suggestion}see `cpctl person list`, or add them with "
    "`cpctl person add`.",
)


@dataclass(frozen=True)
class _Candidate:
    """A child or a person as a name is matched against them: the folded id, full name, given name and family
    name, in that order of preference, and (worked out only for a list) what tells them apart."""

    id: int
    ref: str
    name: str
    keys: tuple[str, str, str, str]
    facts: tuple[Any, ...]  # a child's date of birth and expected date, or a person's kind, role and agency

    @property
    def about(self) -> str:
        """'born 3 Mar 2019' or 'due 31 Jan 2027' for a child, their role (or kind) and agency for a person."""
        if not self.facts:
            return "see its record"
        if len(self.facts) == 2:
            born, due = self.facts
            return f"born {short_british(born)}" if born is not None else f"due {short_british(due)}"
        kind, role, agency = self.facts
        return ", ".join(part for part in (role or kind, agency) if part)


def _fold(text: str) -> str:
    return " ".join(plain(text).split()).casefold()


def _query(key: str | None, what: str) -> str:
    text = plain(key or "").strip()
    if not text:
        raise Invalid(f"name the {what}: give their id or their name.")
    return text


def _child_candidate(id: int | None, ref: str, given: str, family: str, *facts: date | None) -> _Candidate:
    given_key, family_key = given.casefold(), family.casefold()  # stored as `clean` made them: plain spaces
    name_key = f"{given_key} {family_key}".strip()
    return _Candidate(
        id or 0, ref, f"{given} {family}".strip(), (ref.casefold(), name_key, given_key, family_key), facts
    )


def _child(child: Child) -> _Candidate:
    return _child_candidate(
        child.id, child.ref, child.given_name, child.family_name, child.date_of_birth, child.expected_date
    )


def _person_candidate(id: int | None, ref: str, name: str, *facts: str | None) -> _Candidate:
    name_key = name.casefold()
    words = name_key.split(" ")
    return _Candidate(id or 0, ref, name, (ref.casefold(), name_key, words[0], words[-1]), facts)


def _person(person: Person) -> _Candidate:
    return _person_candidate(person.id, person.ref, person.name, person.kind, person.role, person.agency)


def _by_ref(session: Session, model: type[_Row], text: str) -> _Row | None:
    """The record with exactly this id, or with it in capitals (`wb-2001` is WB-2001): one indexed statement."""
    rows = session.exec(select(model).where(col(model.ref).in_(sorted({text, text.upper()})))).all()
    return next((row for row in rows if row.ref == text), rows[0] if rows else None)


def _best(text: str, candidates: Sequence[_Candidate]) -> list[_Candidate]:
    """The candidates of the best kind of match: the id in any case, then the full name, the given name, the
    family name."""
    wanted = _fold(text)
    for index in range(4):
        hits = [c for c in candidates if c.keys[index] == wanted]
        if hits:
            return hits
    return []


def _ambiguous(text: str, hits: Sequence[_Candidate], words: _Words) -> Invalid:
    lines = [f"  {c.ref}  {c.name}, {c.about}" for c in hits[:_LISTED]]
    if len(hits) > _LISTED:
        lines.append(f"  and {len(hits) - _LISTED} more")
    return Invalid(f"{len(hits)} {words.many} match {text[:40]!r}; name one by their {words.ref}:\n" + "\n".join(lines))


def _swapped(a: str, b: str) -> bool:
    """Whether b is a with two letters side by side typed the wrong way round ("Loe" for "Leo")."""
    if len(a) != len(b) or a == b:
        return False
    apart = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(apart) == 2 and apart[1] == apart[0] + 1 and a[apart[0]] == b[apart[1]] and a[apart[1]] == b[apart[0]]


def _near_misses(text: str, candidates: Sequence[_Candidate]) -> list[_Candidate]:
    """The records a name that matched nothing was probably meant to be (a typo in an id or a name)."""
    wanted = _fold(text)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    scored: list[tuple[float, _Candidate]] = []
    length = len(wanted)
    which = (0,) if any(ch.isdigit() for ch in wanted) else (1, 2, 3)  # an id is mistyped for an id, a name for a name
    for candidate in candidates:
        best = 0.0
        for key in (candidate.keys[index] for index in which):
            if not key or 2 * min(len(key), length) < _NEAR * (len(key) + length):  # too short or too long
                continue
            if _swapped(key, wanted):
                best = max(best, _SWAPPED)
                continue
            matcher.set_seq1(key)
            if matcher.quick_ratio() >= _NEAR:
                best = max(best, matcher.ratio())
        if best >= _NEAR:
            scored.append((best, candidate))
    scored.sort(key=lambda pair: (-pair[0], pair[1].ref))
    return [candidate for score, candidate in scored[:_SUGGESTED] if score >= scored[0][0] - _CLEARLY]


def _missing(text: str, near: Sequence[_Candidate], words: _Words) -> NotFound:
    suggestion = ""
    if near:
        named = [f"{c.ref} ({c.name})" for c in near]
        suggestion = "did you mean " + (", ".join(named[:-1]) + " or " if len(named) > 1 else "") + named[-1]
        suggestion += "? If not, "
    return NotFound(words.missing.format(text=repr(text[:40]), suggestion=suggestion))


def _pick(
    session: Session,
    model: type[_Row],
    text: str,
    rows: Sequence[_Row],
    candidate: Callable[[_Row], _Candidate],
    everyone: Callable[[], list[_Candidate]],
    words: _Words,
) -> _Row:
    """The one record `text` names among the `rows` the database matched, else among `everyone` (ids and names
    only; letters that the database's lower() leaves as they are, Éamon typed as éamon, are matched here).
    Several: `Invalid`, listing them; none: `NotFound`, with the near misses."""
    matched = [(candidate(row), row) for row in rows]
    hits = _best(text, [c for c, _ in matched])
    if len(hits) == 1:
        return next(row for c, row in matched if c is hits[0])
    if not hits:
        everybody = everyone()
        hits = _best(text, everybody)
        if not hits:
            raise _missing(text, _near_misses(text, everybody), words)
        found = session.exec(select(model).where(col(model.id).in_([hit.id for hit in hits]))).all()
        if len(found) == 1:
            return found[0]
        hits = [candidate(row) for row in sorted(found, key=lambda row: row.id or 0)]
    raise _ambiguous(text, hits, words)


def find_child(session: Session, key: str) -> Child:
    """A child named the way people name them: by the authority's id in any case (`wb-2001`), by full name, or by
    given name or family name when only one child has it (spaces as `clean` stores them: a name pasted from Word
    with a non-breaking space finds the child too). Several children of that name: `Invalid`, listing them, one a
    line. None: `NotFound`, suggesting the child it was probably meant to be.

    An exact id costs one statement and a name two; only a name that matches no one reads every child's id and
    name, to suggest one.

    On a team's store the lookup is in the read log: the child shown, or the name asked for and not shown (a child
    out of the login's reach gets the same "no child" as one that does not exist)."""
    try:
        child = _find_child(session, key)
    except NotFound:
        audit.note_read(session, str(key).strip() or "?", found=False)
        raise
    audit.note_read(session, child.ref, found=True)
    return child


def _find_child(session: Session, key: str) -> Child:
    text = _query(key, "child")
    exact = _by_ref(session, Child, text)
    if exact is not None:
        return exact
    typed = func.lower(text)
    rows = session.exec(
        select(Child)
        .where(
            or_(
                func.lower(Child.ref) == typed,
                func.lower(Child.given_name + " " + Child.family_name) == typed,  # type: ignore[operator]
                func.lower(Child.given_name) == typed,
                func.lower(Child.family_name) == typed,
            )
        )
        .order_by(col(Child.id))
    ).all()

    def everyone() -> list[_Candidate]:
        columns = (Child.id, Child.ref, Child.given_name, Child.family_name)
        return [_child_candidate(*row) for row in session.exec(select(*columns)).all()]

    return _pick(session, Child, text, rows, _child, everyone, _CHILD)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_person(session: Session, key: str) -> Person:
    """A person named the way people name them: by reference in any case (`p00002`), by full name, or by first or
    last name when only one person has it (spaces as `clean` stores them). Several: `Invalid`, listing them, one a
    line. None: `NotFound`, suggesting who it was probably meant to be. Statements as for `find_child`.

    On a team's store a person asked for and not shown (one tied only to children out of the login's reach, or
    no one) is in the read log."""
    try:
        return _find_person(session, key)
    except NotFound:
        audit.note_read(session, str(key).strip() or "?", found=False, entity="person")
        raise


def _find_person(session: Session, key: str) -> Person:
    text = _query(key, "person")
    exact = _by_ref(session, Person, text)
    if exact is not None:
        return exact
    typed = func.lower(text)
    name = func.lower(Person.name)
    rows = session.exec(
        select(Person)
        .where(
            or_(
                func.lower(Person.ref) == typed,
                name == typed,
                name.like(func.lower(_like(text) + " %"), escape="\\"),
                name.like(func.lower("% " + _like(text)), escape="\\"),
            )
        )
        .order_by(col(Person.id))
    ).all()

    def everyone() -> list[_Candidate]:
        columns = (Person.id, Person.ref, Person.name)
        return [_person_candidate(*row) for row in session.exec(select(*columns)).all()]

    return _pick(session, Person, text, rows, _person, everyone, _PERSON)
