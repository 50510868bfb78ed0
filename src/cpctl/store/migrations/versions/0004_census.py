"""England's Children in Need census: the child's identifiers and characteristics, teams, the child in need
episode and the section 47 enquiry; the deadline index `cpctl stats` reads from.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString

_CHILD_COLUMNS = (
    ("la_child_id", 20),
    ("upn", 13),
    ("former_upn", 13),
    ("upn_unknown", 3),
    ("census_gender", 1),
    ("ethnicity", 4),
    ("disabilities", 64),
)
# The open deadlines by date (`cpctl due`), widened so that `cpctl stats` reads a period's deadlines from the
# index alone.
_DEADLINE_STATS_COLUMNS = ("status", "due_on", "kind", "met_on", "chair_id", "worker_id", "child_id")


def upgrade() -> None:
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _str(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_team_name", "team", ["name"], unique=True)
    for name, length in _CHILD_COLUMNS:
        op.add_column("child", sa.Column(name, _str(length=length), nullable=True))
    # SQLite takes a reference only inline in ADD COLUMN (see 0003).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE child ADD COLUMN team_id INTEGER REFERENCES team (id)")
    else:
        op.add_column("child", sa.Column("team_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_child_team_id", "child", "team", ["team_id"], ["id"])
    op.create_index("ix_child_team_id", "child", ["team_id"], unique=False)
    op.create_table(
        "cin_episode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("referral_on", sa.Date(), nullable=False),
        sa.Column("referral_source", _str(length=2), nullable=False),
        sa.Column("primary_need", _str(length=2), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closure_reason", _str(length=3), nullable=True),
        sa.Column("referral_nfa", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", _str(length=32), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cin_episode_child_id", "cin_episode", ["child_id"], unique=False)
    op.create_table(
        "section47",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("icpc_not_required", sa.Boolean(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", _str(length=32), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["conference_id"], ["conference.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_section47_child_id", "section47", ["child_id"], unique=False)
    op.create_index("ix_section47_conference_id", "section47", ["conference_id"], unique=False)
    op.drop_index("ix_deadline_status_due", table_name="deadline")
    op.create_index("ix_deadline_status_due", "deadline", list(_DEADLINE_STATS_COLUMNS), unique=False)


def downgrade() -> None:
    op.drop_index("ix_deadline_status_due", table_name="deadline")
    op.create_index("ix_deadline_status_due", "deadline", ["status", "due_on"], unique=False)
    op.drop_table("section47")
    op.drop_table("cin_episode")
    op.drop_index("ix_child_team_id", table_name="child")
    with op.batch_alter_table("child") as batch:
        batch.drop_column("team_id")
        for name, _ in reversed(_CHILD_COLUMNS):
            batch.drop_column(name)
    op.drop_table("team")
