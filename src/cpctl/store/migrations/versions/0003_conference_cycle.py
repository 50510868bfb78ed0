"""The conference cycle: bookings and their invitees, the record's recipients, the chair's quality checks, the
chair's summary of the discussion, each child's participation, and deadlines that wait on a booking.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", _str(length=64), nullable=False),
        sa.Column("kind", _str(length=32), nullable=False),
        sa.Column("booked_for", sa.Date(), nullable=False),
        sa.Column("start_time", _str(length=5), nullable=True),
        sa.Column("venue", _str(), nullable=True),
        sa.Column("virtual", sa.Boolean(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("interpreter_language", _str(), nullable=True),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("status", _str(length=16), nullable=False),
        sa.Column("reason", _str(), nullable=True),
        sa.Column("conference_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", _str(length=32), nullable=False),
        sa.ForeignKeyConstraint(["chair_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["conference_id"], ["conference.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_booking_ref", "booking", ["ref"], unique=True)
    op.create_index("ix_booking_booked_for", "booking", ["booked_for"], unique=False)
    op.create_index("ix_booking_chair_id", "booking", ["chair_id"], unique=False)
    op.create_table(
        "booking_child",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"]),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.PrimaryKeyConstraint("booking_id", "child_id"),
    )
    op.create_index("ix_booking_child_child_id", "booking_child", ["child_id"], unique=False)
    op.create_table(
        "booking_invitee",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", _str(length=16), nullable=False),
        sa.Column("invited_on", sa.Date(), nullable=True),
        sa.Column("report_requested", sa.Boolean(), nullable=False),
        sa.Column("report_received_on", sa.Date(), nullable=True),
        sa.Column("report_shared_on", sa.Date(), nullable=True),
        sa.Column("note", _str(), nullable=True),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("booking_id", "person_id"),
    )
    op.create_index("ix_booking_invitee_person_id", "booking_invitee", ["person_id"], unique=False)
    op.create_table(
        "conference_recipient",
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("receives", sa.Boolean(), nullable=False),
        sa.Column("withheld", _str(), nullable=True),
        sa.Column("reason", _str(), nullable=True),
        sa.ForeignKeyConstraint(["conference_id"], ["conference.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("conference_id", "person_id"),
    )
    op.create_index("ix_conference_recipient_person_id", "conference_recipient", ["person_id"], unique=False)
    op.create_table(
        "quality_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("kind", _str(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("outcome", _str(), nullable=True),
        sa.Column("concern", _str(), nullable=True),
        sa.Column("raised_with", _str(), nullable=True),
        sa.Column("response", _str(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("notes", _str(), nullable=False),
        sa.Column("author", _str(), nullable=False),
        sa.Column("recorded_at", _str(length=32), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_quality_check_child_id", "quality_check", ["child_id"], unique=False)
    op.create_index("ix_quality_check_plan_id", "quality_check", ["plan_id"], unique=False)
    op.add_column("conference", sa.Column("discussion", _str(), nullable=True))
    op.add_column("decision", sa.Column("participation", _str(length=8), nullable=True))
    # Two references added to the largest table of a store without copying it. SQLite takes a reference only
    # inline in ADD COLUMN (a batch copy would also reorder the table's foreign keys from one run to the next).
    for column, parent in (("booking_id", "booking"), ("person_id", "person")):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE deadline ADD COLUMN {column} INTEGER REFERENCES {parent} (id)")
        else:
            op.add_column("deadline", sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(f"fk_deadline_{column}", "deadline", parent, [column], ["id"])
    op.create_index("ix_deadline_booking_id", "deadline", ["booking_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_deadline_booking_id", table_name="deadline")
    with op.batch_alter_table("deadline") as batch:
        batch.drop_column("person_id")
        batch.drop_column("booking_id")
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("participation")
    with op.batch_alter_table("conference") as batch:
        batch.drop_column("discussion")
    op.drop_table("quality_check")
    op.drop_table("conference_recipient")
    op.drop_table("booking_invitee")
    op.drop_table("booking_child")
    op.drop_table("booking")
