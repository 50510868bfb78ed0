"""The schema: SQLModel tables. Alembic migrations in cpctl/migrations create and change them."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel

PERSON_KINDS = ("parent", "carer", "family", "professional")


class Setting(SQLModel, table=True):
    """One value of the store's configuration (authority name, jurisdiction)."""

    key: str = Field(primary_key=True, max_length=64)
    value: str


class Family(SQLModel, table=True):
    """A family or household: groups siblings so that a conference can cover them together."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)


class Child(SQLModel, table=True):
    """A child, or an unborn baby (expected date of delivery, no date of birth yet)."""

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(index=True, unique=True, max_length=64)
    given_name: str
    family_name: str
    date_of_birth: date | None = None
    expected_date: date | None = None
    gender: str | None = None
    preferred_language: str = "English"
    interpreter_needed: bool = False
    culture_religion: str | None = None
    disability: str | None = None
    family_id: int | None = Field(default=None, foreign_key="family.id", index=True)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def unborn(self) -> bool:
        return self.date_of_birth is None and self.expected_date is not None


class Person(SQLModel, table=True):
    """Anyone in a child's network who is not the child: parents, carers, relatives, professionals."""

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(index=True)
    kind: str = Field(max_length=16)
    role: str | None = None
    agency: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    preferred_language: str | None = None


class ChildPerson(SQLModel, table=True):
    """How a person stands to a child (mother, father, stepfather, grandmother, ...)."""

    __tablename__ = "child_person"

    child_id: int = Field(foreign_key="child.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    relationship: str


class AppUser(SQLModel, table=True):
    """A login that uses this store, and the person record that stands for them (a chair, a social worker)."""

    __tablename__ = "app_user"

    login: str = Field(primary_key=True, max_length=128)
    person_id: int = Field(foreign_key="person.id")


class AuditEntry(SQLModel, table=True):
    """Who changed what, when: written in the same transaction as the change, chained by hash."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: str = Field(index=True, max_length=32)
    actor: str
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: str | None = Field(default=None, max_length=64)
    summary: str
    changes: str
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
