"""The first schema: settings, families, children, people, users and the audit trail.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "setting",
        sa.Column("key", _str(length=64), nullable=False),
        sa.Column("value", _str(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "family",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _str(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_family_name", "family", ["name"], unique=True)
    op.create_table(
        "child",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", _str(length=64), nullable=False),
        sa.Column("given_name", _str(), nullable=False),
        sa.Column("family_name", _str(), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("gender", _str(), nullable=True),
        sa.Column("preferred_language", _str(), nullable=False),
        sa.Column("interpreter_needed", sa.Boolean(), nullable=False),
        sa.Column("culture_religion", _str(), nullable=True),
        sa.Column("disability", _str(), nullable=True),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_child_ref", "child", ["ref"], unique=True)
    op.create_index("ix_child_family_id", "child", ["family_id"], unique=False)
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", _str(length=64), nullable=False),
        sa.Column("name", _str(), nullable=False),
        sa.Column("kind", _str(length=16), nullable=False),
        sa.Column("role", _str(), nullable=True),
        sa.Column("agency", _str(), nullable=True),
        sa.Column("email", _str(), nullable=True),
        sa.Column("phone", _str(), nullable=True),
        sa.Column("address", _str(), nullable=True),
        sa.Column("preferred_language", _str(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_person_ref", "person", ["ref"], unique=True)
    op.create_index("ix_person_name", "person", ["name"], unique=False)
    op.create_table(
        "child_person",
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("relationship", _str(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("child_id", "person_id"),
    )
    op.create_index("ix_child_person_person_id", "child_person", ["person_id"], unique=False)
    op.create_table(
        "app_user",
        sa.Column("login", _str(length=128), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("login"),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _str(length=32), nullable=False),
        sa.Column("actor", _str(), nullable=False),
        sa.Column("action", _str(length=64), nullable=False),
        sa.Column("entity", _str(length=32), nullable=False),
        sa.Column("entity_id", _str(length=64), nullable=True),
        sa.Column("summary", _str(), nullable=False),
        sa.Column("changes", _str(), nullable=False),
        sa.Column("prev_hash", _str(length=64), nullable=False),
        sa.Column("hash", _str(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hash"),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"], unique=False)


def downgrade() -> None:
    op.drop_table("audit_entry")
    op.drop_table("app_user")
    op.drop_index("ix_child_person_person_id", table_name="child_person")
    op.drop_table("child_person")
    op.drop_index("ix_person_name", table_name="person")
    op.drop_index("ix_person_ref", table_name="person")
    op.drop_table("person")
    op.drop_index("ix_child_family_id", table_name="child")
    op.drop_index("ix_child_ref", table_name="child")
    op.drop_table("child")
    op.drop_index("ix_family_name", table_name="family")
    op.drop_table("family")
    op.drop_table("setting")
