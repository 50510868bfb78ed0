"""Conferences, decisions, plans and their versions, core groups, visits, case events and their deadlines.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "conference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", _str(length=64), nullable=False),
        sa.Column("kind", _str(length=32), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("start_time", _str(length=5), nullable=True),
        sa.Column("venue", _str(), nullable=True),
        sa.Column("virtual", sa.Boolean(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("agencies_present", sa.Integer(), nullable=False),
        sa.Column("quorate", sa.Boolean(), nullable=False),
        sa.Column("inquorate_reason", _str(), nullable=True),
        sa.Column("recorded_at", _str(length=32), nullable=False),
        sa.ForeignKeyConstraint(["chair_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_conference_ref", "conference", ["ref"], unique=True)
    op.create_index("ix_conference_held_on", "conference", ["held_on"], unique=False)
    op.create_index("ix_conference_chair_id", "conference", ["chair_id"], unique=False)
    op.create_table(
        "conference_attendee",
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", _str(length=16), nullable=False),
        sa.Column("reason", _str(), nullable=True),
        sa.Column("role", _str(), nullable=True),
        sa.Column("agency", _str(), nullable=True),
        sa.ForeignKeyConstraint(["conference_id"], ["conference.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("conference_id", "person_id"),
    )
    op.create_index("ix_conference_attendee_person_id", "conference_attendee", ["person_id"], unique=False)
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("start_conference_id", sa.Integer(), nullable=False),
        sa.Column("end_conference_id", sa.Integer(), nullable=True),
        sa.Column("pre_birth", sa.Boolean(), nullable=False),
        sa.Column("initial_categories", _str(), nullable=False),
        sa.Column("latest_categories", _str(), nullable=False),
        sa.Column("lead_worker_id", sa.Integer(), nullable=False),
        sa.Column("end_reason", _str(), nullable=True),
        sa.Column("step_down", _str(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["start_conference_id"], ["conference.id"]),
        sa.ForeignKeyConstraint(["end_conference_id"], ["conference.id"]),
        sa.ForeignKeyConstraint(["lead_worker_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("child_id", "number", name="uq_plan_child_number"),
    )
    op.create_index("ix_plan_child_id", "plan", ["child_id"], unique=False)
    op.create_index("ix_plan_lead_worker_id", "plan", ["lead_worker_id"], unique=False)
    # At most one plan in force per child, whatever two writers do at the same moment.
    op.create_index(
        "uq_plan_one_active_per_child",
        "plan",
        ["child_id"],
        unique=True,
        sqlite_where=sa.text("ended_on IS NULL"),
        postgresql_where=sa.text("ended_on IS NULL"),
    )
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("outcome", _str(length=16), nullable=False),
        sa.Column("categories", _str(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("lead_worker_id", sa.Integer(), nullable=True),
        sa.Column("details", _str(), nullable=False),
        sa.ForeignKeyConstraint(["conference_id"], ["conference.id"]),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.ForeignKeyConstraint(["lead_worker_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decision_conference_id", "decision", ["conference_id"], unique=False)
    op.create_index("ix_decision_child_id", "decision", ["child_id"], unique=False)
    op.create_index("ix_decision_plan_id", "decision", ["plan_id"], unique=False)
    op.create_table(
        "core_group_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendance", _str(), nullable=False),
        sa.Column("progress", _str(), nullable=False),
        sa.Column("parent_views", _str(), nullable=False),
        sa.Column("child_views", _str(), nullable=False),
        sa.Column("notes", _str(), nullable=False),
        sa.Column("next_meeting", sa.Date(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", _str(length=32), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_core_group_meeting_child_id", "core_group_meeting", ["child_id"], unique=False)
    op.create_index("ix_core_group_meeting_plan_id", "core_group_meeting", ["plan_id"], unique=False)
    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("announced", sa.Boolean(), nullable=False),
        sa.Column("seen_alone", sa.Boolean(), nullable=False),
        sa.Column("bedroom_seen", sa.Boolean(), nullable=False),
        sa.Column("notes", _str(), nullable=False),
        sa.Column("recorded_at", _str(length=32), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.ForeignKeyConstraint(["visitor_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_visit_child_id", "visit", ["child_id"], unique=False)
    op.create_index("ix_visit_plan_id", "visit", ["plan_id"], unique=False)
    op.create_table(
        "plan_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("made_at", _str(length=32), nullable=False),
        sa.Column("source", _str(length=16), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=True),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("gaps", _str(), nullable=False),
        sa.Column("content", _str(), nullable=False),
        sa.Column("author", _str(), nullable=False),
        sa.Column("core_group_id", sa.Integer(), nullable=True),
        sa.Column("significant", sa.Boolean(), nullable=False),
        sa.Column("agreed_by", _str(), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.ForeignKeyConstraint(["conference_id"], ["conference.id"]),
        sa.ForeignKeyConstraint(["core_group_id"], ["core_group_meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "number", name="uq_plan_version_number"),
    )
    op.create_index("ix_plan_version_plan_id", "plan_version", ["plan_id"], unique=False)
    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("kind", _str(length=32), nullable=False),
        sa.Column("detail", _str(length=32), nullable=True),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.ForeignKeyConstraint(["conference_id"], ["conference.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_event_child_id", "case_event", ["child_id"], unique=False)
    op.create_index("ix_case_event_plan_id", "case_event", ["plan_id"], unique=False)
    op.create_table(
        "deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("kind", _str(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", _str(length=8), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("met_event_id", sa.Integer(), nullable=True),
        sa.Column("worker_id", sa.Integer(), nullable=True),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("explanation", _str(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["case_event.id"]),
        sa.ForeignKeyConstraint(["met_event_id"], ["case_event.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["chair_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deadline_plan_id", "deadline", ["plan_id"], unique=False)
    # `cpctl due`: every open deadline due soon; a child's, a lead worker's, a chair's (see models.Deadline)
    op.create_index("ix_deadline_status_due", "deadline", ["status", "due_on"], unique=False)
    op.create_index("ix_deadline_child_status_due", "deadline", ["child_id", "status", "due_on"], unique=False)
    op.create_index("ix_deadline_worker_status_due", "deadline", ["worker_id", "status", "due_on"], unique=False)
    op.create_index("ix_deadline_chair_status_due", "deadline", ["chair_id", "status", "due_on"], unique=False)


def downgrade() -> None:
    op.drop_table("deadline")
    op.drop_table("case_event")
    op.drop_table("plan_version")
    op.drop_table("visit")
    op.drop_table("core_group_meeting")
    op.drop_table("decision")
    op.drop_index("uq_plan_one_active_per_child", table_name="plan")
    op.drop_table("plan")
    op.drop_table("conference_attendee")
    op.drop_table("conference")
