"""The schema: SQLModel tables. Alembic migrations in cpctl/store/migrations create and change them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

PERSON_KINDS = ("parent", "carer", "family", "professional")


class Setting(SQLModel, table=True):
    """One value of the store's configuration (authority name, jurisdiction)."""

    key: str = Field(primary_key=True, max_length=64)
    value: str


class Family(SQLModel, table=True):
    """A family or household: groups siblings so that a conference can cover them together."""

    # On a team's PostgreSQL store a household is seen only through its children: a new one is not yet, so the
    # insert must not ask the server to return it (the id is taken from the sequence first).
    __table_args__ = {"implicit_returning": False}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)


class Team(SQLModel, table=True):
    """A team of the service (a locality, a safeguarding team): children belong to one, for figures by team."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=128)


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
    # What England's Children in Need census needs (asked only in a store whose profile returns the census; codes
    # from the DfE's CIN census specification, checked by `cpctl census --check`).
    la_child_id: str | None = Field(default=None, max_length=20)  # LAchildID, when it is not derived from `ref`
    upn: str | None = Field(default=None, max_length=13)  # unique pupil number
    former_upn: str | None = Field(default=None, max_length=13)
    upn_unknown: str | None = Field(default=None, max_length=3)  # UN1 to UN7: why there is no UPN
    census_gender: str | None = Field(default=None, max_length=1)  # GenderCurrent: 1 male, 2 female, 0, 9
    ethnicity: str | None = Field(default=None, max_length=4)  # WBRI, APKN, ... REFU, NOBT
    disabilities: str | None = Field(default=None, max_length=64)  # comma-separated codes (NONE, MOB, ...)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)

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
    # On a team's PostgreSQL store (`cpctl user add`): what the login may see and do, and its team. The store's
    # owner (who ran `init`) has no role here: the database makes them the tables' owner. A removed user keeps
    # the row, so that the history still names them.
    role: str | None = Field(default=None, max_length=32)
    team_id: int | None = Field(default=None, foreign_key="team.id")
    removed_at: str | None = Field(default=None, max_length=32)


class ChildRestriction(SQLModel, table=True):
    """A restricted child's record: only the logins listed may see it (`cpctl child restrict`)."""

    __tablename__ = "child_restriction"

    child_id: int = Field(foreign_key="child.id", primary_key=True)
    login: str = Field(primary_key=True, max_length=128)
    added_at: str = Field(max_length=32)


class AuditEntry(SQLModel, table=True):
    """Who changed what, when: written in the same transaction as the change, chained by hash."""

    __tablename__ = "audit_entry"
    # A login on a team's store may write entries it may not read back (the read log): the id comes from the
    # sequence first, not from RETURNING.
    __table_args__ = {"implicit_returning": False}

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


class Conference(SQLModel, table=True):
    """A child protection conference (in Scotland a CPPM), which may cover several siblings."""

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(index=True, unique=True, max_length=64)
    kind: str = Field(max_length=32)
    held_on: date = Field(index=True)
    start_time: str | None = Field(default=None, max_length=5)
    venue: str | None = None
    virtual: bool = False
    chair_id: int = Field(foreign_key="person.id", index=True)
    agencies_present: int = 0
    quorate: bool = True
    inquorate_reason: str | None = None
    recorded_at: str = Field(max_length=32)
    discussion: str | None = None  # the chair's summary of the discussion and the analysis of risk (for the record)


class ConferenceAttendee(SQLModel, table=True):
    """Who was invited and whether they came; role and agency as they were on the day."""

    __tablename__ = "conference_attendee"

    conference_id: int = Field(foreign_key="conference.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    status: str = Field(max_length=16)
    reason: str | None = None
    role: str | None = None
    agency: str | None = None


class Plan(SQLModel, table=True):
    """One child protection plan for one child, from the conference that starts it to the one that ends it."""

    __table_args__ = (
        UniqueConstraint("child_id", "number", name="uq_plan_child_number"),
        Index(
            "uq_plan_one_active_per_child",
            "child_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    number: int
    started_on: date
    ended_on: date | None = None
    start_conference_id: int = Field(foreign_key="conference.id")
    end_conference_id: int | None = Field(default=None, foreign_key="conference.id")
    pre_birth: bool = False
    initial_categories: str
    latest_categories: str
    lead_worker_id: int = Field(foreign_key="person.id", index=True)
    end_reason: str | None = None
    step_down: str | None = None


class Decision(SQLModel, table=True):
    """What a conference decided for one child, with the reasons and views recorded (JSON in `details`)."""

    id: int | None = Field(default=None, primary_key=True)
    conference_id: int = Field(foreign_key="conference.id", index=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    outcome: str = Field(max_length=16)
    categories: str
    plan_id: int | None = Field(default=None, foreign_key="plan.id", index=True)
    # Indexed for the team store's policies: a social worker sees the children of the decisions naming them lead.
    lead_worker_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    details: str
    participation: str | None = Field(default=None, max_length=8)  # the SSDA participation code, PN0 to PN7


class PlanVersion(SQLModel, table=True):
    """One version of a plan; nothing is overwritten: each revision adds a version."""

    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    number: int
    made_on: date
    made_at: str = Field(max_length=32)
    source: str = Field(max_length=16)
    conference_id: int | None = Field(default=None, foreign_key="conference.id")
    draft: bool = False
    gaps: str
    content: str
    author: str
    core_group_id: int | None = Field(default=None, foreign_key="core_group_meeting.id")
    significant: bool = False
    agreed_by: str | None = None


class CoreGroupMeeting(SQLModel, table=True):
    """A core group meeting for one child's plan: who came, progress on each action, views, what was sent when."""

    __tablename__ = "core_group_meeting"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    held_on: date
    attendance: str
    progress: str
    parent_views: str
    child_views: str
    notes: str
    next_meeting: date | None = None
    sent_on: date | None = None
    recorded_at: str = Field(max_length=32)


class Visit(SQLModel, table=True):
    """A visit to the child: who, when, announced or not, seen alone, bedroom seen."""

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    plan_id: int | None = Field(default=None, foreign_key="plan.id", index=True)
    visited_on: date
    visitor_id: int = Field(foreign_key="person.id")
    announced: bool = True
    seen_alone: bool = False
    bedroom_seen: bool = False
    notes: str
    recorded_at: str = Field(max_length=32)


class CaseEvent(SQLModel, table=True):
    """Something that happened in a case and that deadlines are derived from (never a deadline itself)."""

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    plan_id: int | None = Field(default=None, foreign_key="plan.id", index=True)
    kind: str = Field(max_length=32)
    detail: str | None = Field(default=None, max_length=32)
    happened_on: date
    conference_id: int | None = Field(default=None, foreign_key="conference.id")


class Deadline(SQLModel, table=True):
    """A deadline derived from a case event by a profile rule; recomputed whenever its inputs change."""

    __table_args__ = (
        # `cpctl due`: every open deadline due soon; a child's, a lead worker's, a chair's. Without the child's,
        # SQLite answered `due --child` and every plan export from (status, due_on): all open deadlines.
        # `cpctl stats` reads every deadline due in a period by kind, met or not, and by chair, worker or child:
        # the same index, wider, answers it from the index alone (6.1 s of CPU on 50,000 children without it).
        Index("ix_deadline_status_due", "status", "due_on", "kind", "met_on", "chair_id", "worker_id", "child_id"),
        Index("ix_deadline_child_status_due", "child_id", "status", "due_on"),
        Index("ix_deadline_worker_status_due", "worker_id", "status", "due_on"),
        Index("ix_deadline_chair_status_due", "chair_id", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id")
    plan_id: int | None = Field(default=None, foreign_key="plan.id", index=True)
    kind: str = Field(max_length=32)
    due_on: date
    status: str = Field(max_length=8)
    met_on: date | None = None
    closed_on: date | None = None
    event_id: int | None = Field(default=None, foreign_key="case_event.id")
    met_event_id: int | None = Field(default=None, foreign_key="case_event.id")
    worker_id: int | None = Field(default=None, foreign_key="person.id")
    chair_id: int | None = Field(default=None, foreign_key="person.id")
    explanation: str
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")  # whom a booking's step waits on


class Booking(SQLModel, table=True):
    """A conference booked for a day to come: where, who chairs, who is invited, and what happened to it.

    `status` is "booked", "cancelled" or "held" (its `conference_id` is then the conference recorded from it);
    `reason` says why it was last moved or cancelled. Each move and cancellation is in the audit trail too.
    """

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(index=True, unique=True, max_length=64)
    kind: str = Field(max_length=32)
    booked_for: date = Field(index=True)
    start_time: str | None = Field(default=None, max_length=5)
    venue: str | None = None
    virtual: bool = False
    chair_id: int = Field(foreign_key="person.id", index=True)
    interpreter_needed: bool = False
    interpreter_language: str | None = None
    booked_on: date
    status: str = Field(default="booked", max_length=16)
    reason: str | None = None
    conference_id: int | None = Field(default=None, foreign_key="conference.id")
    recorded_at: str = Field(max_length=32)


class BookingChild(SQLModel, table=True):
    """A child the booked conference is about."""

    __tablename__ = "booking_child"

    booking_id: int = Field(foreign_key="booking.id", primary_key=True)
    child_id: int = Field(foreign_key="child.id", primary_key=True, index=True)


class BookingInvitee(SQLModel, table=True):
    """Someone invited to a booked conference: when they were invited, and the report asked of them.

    `role` is "parent" (a parent or carer, who gets the family's letter), "child", "agency" (a professional asked
    for a report when `report_requested`) or "other". A report's `report_shared_on` is the day it was shared with
    the parents.
    """

    __tablename__ = "booking_invitee"

    booking_id: int = Field(foreign_key="booking.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    role: str = Field(max_length=16)
    invited_on: date | None = None
    report_requested: bool = False
    report_received_on: date | None = None
    report_shared_on: date | None = None
    note: str | None = None


class ConferenceRecipient(SQLModel, table=True):
    """Who receives the conference record: everyone entitled to it, those excluded, and sections withheld.

    `receives` False records someone who must not receive the record (with the reason); `withheld` names the
    sections kept from someone who receives the rest (comma-separated section keys).
    """

    __tablename__ = "conference_recipient"

    conference_id: int = Field(foreign_key="conference.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    receives: bool = True
    withheld: str | None = None
    reason: str | None = None


class QualityCheck(SQLModel, table=True):
    """The chair's quality assurance between conferences: a midway review or an escalation.

    A midway review has `held_on` and an `outcome`. An escalation has the `concern`, whom it was `raised_with`,
    the `response`, and `resolved_on` once it is resolved.
    """

    __tablename__ = "quality_check"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    plan_id: int | None = Field(default=None, foreign_key="plan.id", index=True)
    kind: str = Field(max_length=16)
    held_on: date
    outcome: str | None = None
    concern: str | None = None
    raised_with: str | None = None
    response: str | None = None
    resolved_on: date | None = None
    notes: str = ""
    author: str
    recorded_at: str = Field(max_length=32)


class CinEpisode(SQLModel, table=True):
    """A child in need episode: from the referral to its closure. The census's CINdetails.

    A section 47 enquiry and a plan belong to the episode whose dates hold their start (`referral_on` to
    `closed_on`, open when None): they are placed by date, not by reference.
    """

    __tablename__ = "cin_episode"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    referral_on: date  # CINreferralDate
    referral_source: str = Field(max_length=2)  # ReferralSource: 1A ... 10
    primary_need: str | None = Field(default=None, max_length=2)  # PrimaryNeedCode: N0 ... N9
    closed_on: date | None = None  # CINclosureDate
    closure_reason: str | None = Field(default=None, max_length=3)  # ReasonForClosure: RC1 ... RC9
    referral_nfa: bool = False  # ReferralNFA: the referral led to no further action
    recorded_at: str = Field(max_length=32)


class Section47(SQLModel, table=True):
    """A section 47 enquiry (England): when it started, and whether it led to an initial conference.

    `conference_id` is the initial conference it led to, once held; `icpc_not_required` records that the enquiry
    ended without one being needed (the census's ICPCnotRequired).
    """

    __tablename__ = "section47"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    started_on: date  # S47ActualStartDate
    icpc_not_required: bool = False
    conference_id: int | None = Field(default=None, foreign_key="conference.id", index=True)
    recorded_at: str = Field(max_length=32)
