"""A team's store: each login its role, team and reach; restricted children; on PostgreSQL, row-level security
on every table that holds a child's data, enforced by the server for cpctl and for any other client alike.

On SQLite only the columns and the table are added: a SQLite store is one person's, kept by the file's permissions.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString

# Every function runs as the store's owner (SECURITY DEFINER) with a fixed search path, so that it reads the
# tables whole whoever calls it; each returns only what the caller is entitled to know.
_DEFINER = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp"

_FUNCTIONS = f"""
CREATE FUNCTION cpctl_role() RETURNS text {_DEFINER} AS $$
    SELECT CASE
        WHEN (SELECT pg_has_role(session_user, c.relowner, 'MEMBER') FROM pg_class c
              WHERE c.oid = 'public.child'::regclass) THEN 'owner'
        ELSE (SELECT u.role FROM app_user u WHERE u.login = session_user AND u.removed_at IS NULL)
    END
$$;

CREATE FUNCTION cpctl_setting_on(name text) RETURNS boolean {_DEFINER} AS $$
    SELECT COALESCE((SELECT value = 'yes' FROM setting WHERE key = name), false)
$$;

CREATE FUNCTION cpctl_visible_child_ids() RETURNS SETOF integer {_DEFINER} AS $$
    WITH me AS (
        SELECT cpctl_role() AS role, u.team_id, u.person_id
        FROM (SELECT 1) AS one LEFT JOIN app_user u ON u.login = session_user AND u.removed_at IS NULL
    ),
    listed AS (SELECT r.child_id FROM child_restriction r WHERE r.login = session_user),
    reach AS (
        SELECT c.id FROM child c, me WHERE me.role IN ('owner', 'auditor')
        UNION SELECT c.id FROM child c, me
            WHERE me.role IN ('social-worker', 'team-manager') AND c.team_id = me.team_id
        UNION SELECT c.id FROM child c, me
            WHERE me.role = 'business-support' AND (me.team_id IS NULL OR c.team_id = me.team_id)
        UNION SELECT p.child_id FROM plan p, me WHERE me.role = 'social-worker' AND p.lead_worker_id = me.person_id
        UNION SELECT d.child_id FROM decision d, me WHERE me.role = 'social-worker' AND d.lead_worker_id = me.person_id
        UNION SELECT d.child_id FROM decision d JOIN conference k ON k.id = d.conference_id, me
            WHERE me.role = 'chair' AND k.chair_id = me.person_id
        UNION SELECT bc.child_id FROM booking_child bc JOIN booking b ON b.id = bc.booking_id, me
            WHERE me.role = 'chair' AND b.chair_id = me.person_id
        UNION SELECT p.child_id FROM plan p, me WHERE me.role = 'chair' AND cpctl_setting_on('chair-sees-every-plan')
        UNION SELECT l.child_id FROM listed l, me WHERE me.role IS NOT NULL
    )
    SELECT reach.id FROM reach
    WHERE reach.id NOT IN (SELECT r.child_id FROM child_restriction r)
       OR reach.id IN (SELECT l.child_id FROM listed l)
$$;

-- Whether the login reaches every child but those restricted to others (the owner, an auditor, business support
-- with no team): the policies then test only the few restricted children, not a set of every child.
CREATE FUNCTION cpctl_sees_all() RETURNS boolean {_DEFINER} AS $$
    SELECT COALESCE((
        SELECT me.role IN ('owner', 'auditor') OR (me.role = 'business-support' AND u.team_id IS NULL)
        FROM (SELECT cpctl_role() AS role) AS me
        LEFT JOIN app_user u ON u.login = session_user AND u.removed_at IS NULL
    ), false)
$$;

-- The team whose children the login holds (a social worker, a team manager, business support), or NULL: a child
-- just added (not in the table yet when the policy checks it) is in reach by its team alone.
CREATE FUNCTION cpctl_holding_team() RETURNS integer {_DEFINER} AS $$
    SELECT u.team_id FROM app_user u
    WHERE u.login = session_user AND u.removed_at IS NULL
      AND u.role IN ('social-worker', 'team-manager', 'business-support')
$$;

-- The children restricted to others than this login.
CREATE FUNCTION cpctl_restricted_child_ids() RETURNS SETOF integer {_DEFINER} AS $$
    SELECT r.child_id FROM child_restriction r
    EXCEPT SELECT r.child_id FROM child_restriction r WHERE r.login = session_user
$$;

-- The records tied to some child, whoever may see that child: a person, family, conference or booking tied to no
-- child (one just added among them) is every user's; one tied to children is seen with them.
CREATE FUNCTION cpctl_linked_person_ids() RETURNS SETOF integer {_DEFINER} AS $$
    SELECT DISTINCT cp.person_id FROM child_person cp
$$;

CREATE FUNCTION cpctl_used_family_ids() RETURNS SETOF integer {_DEFINER} AS $$
    SELECT DISTINCT c.family_id FROM child c WHERE c.family_id IS NOT NULL
$$;

CREATE FUNCTION cpctl_decided_conference_ids() RETURNS SETOF integer {_DEFINER} AS $$
    SELECT DISTINCT d.conference_id FROM decision d
$$;

CREATE FUNCTION cpctl_booked_booking_ids() RETURNS SETOF integer {_DEFINER} AS $$
    SELECT DISTINCT bc.booking_id FROM booking_child bc
$$;

-- The next free reference of a table (P00012, CF00003), counting the rows this login may not see: a reference
-- made from the visible rows alone would be one a hidden row has.
CREATE FUNCTION cpctl_next_ref(tbl text, prefix text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    number integer;
    taken boolean;
BEGIN
    IF tbl NOT IN ('child', 'person', 'conference', 'booking') OR cpctl_role() IS NULL THEN
        RAISE EXCEPTION 'cpctl: no references of %', tbl USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format('SELECT COALESCE(max(id), 0) + 1 FROM %I', tbl) INTO number;
    LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE ref = $1)', tbl) INTO taken
            USING prefix || lpad(number::text, 5, '0');
        EXIT WHEN NOT taken;
        number := number + 1;
    END LOOP;
    RETURN prefix || lpad(number::text, 5, '0');
END
$$;

-- What the audit trail says about children hidden from an auditor by a restriction ('entity:id' keys): only an
-- auditor is told, and only of the children hidden from them.
CREATE FUNCTION cpctl_hidden_entities() RETURNS SETOF text {_DEFINER} AS $$
    WITH hidden AS (
        SELECT c.id, c.ref FROM child c
        WHERE (SELECT cpctl_role()) = 'auditor'
          AND c.id IN (SELECT r.child_id FROM child_restriction r)
          AND c.id NOT IN (SELECT r.child_id FROM child_restriction r WHERE r.login = session_user)
    )
    SELECT 'child:' || h.ref FROM hidden h
    UNION SELECT 'conference:' || k.ref FROM conference k JOIN decision d ON d.conference_id = k.id
        WHERE d.child_id IN (SELECT h.id FROM hidden h)
    UNION SELECT 'booking:' || b.ref FROM booking b JOIN booking_child bc ON bc.booking_id = b.id
        WHERE bc.child_id IN (SELECT h.id FROM hidden h)
    UNION SELECT 'visit:V' || lpad(v.id::text, 5, '0') FROM visit v WHERE v.child_id IN (SELECT h.id FROM hidden h)
$$;

-- The newest entry's hash: the link a new entry names, whatever the writer may read of the trail.
CREATE FUNCTION cpctl_audit_tail() RETURNS text {_DEFINER} AS $$
    SELECT a.hash FROM audit_entry a ORDER BY a.id DESC LIMIT 1
$$;

-- A login other than the owner writes entries in its own name only, and an auditor writes only the trace of what
-- it read or exported.
CREATE FUNCTION cpctl_audit_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    who text := cpctl_role();
BEGIN
    IF who = 'owner' THEN
        RETURN NEW;
    END IF;
    IF who IS NULL THEN
        RAISE EXCEPTION 'cpctl: the login % is not a user of this store', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.actor <> session_user AND right(NEW.actor, length(session_user) + 3) <> ' (' || session_user || ')' THEN
        RAISE EXCEPTION 'cpctl: an audit entry by % must name that login', session_user
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF who = 'auditor' AND NEW.action NOT LIKE 'read.%' AND NEW.action <> 'plan.export' THEN
        RAISE EXCEPTION 'cpctl: an auditor writes nothing but the trace of what they read'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER cpctl_audit_guard BEFORE INSERT ON audit_entry FOR EACH ROW EXECUTE FUNCTION cpctl_audit_guard();
"""

_FUNCTION_NAMES = (
    "cpctl_role()",
    "cpctl_setting_on(text)",
    "cpctl_visible_child_ids()",
    "cpctl_sees_all()",
    "cpctl_holding_team()",
    "cpctl_restricted_child_ids()",
    "cpctl_linked_person_ids()",
    "cpctl_used_family_ids()",
    "cpctl_decided_conference_ids()",
    "cpctl_booked_booking_ids()",
    "cpctl_next_ref(text, text)",
    "cpctl_hidden_entities()",
    "cpctl_audit_tail()",
    "cpctl_audit_guard()",
)


def _reach(column: str) -> str:
    """The rows of the children the login may see, by the column naming the child. Every function is called in a
    scalar subquery or an IN list, so that PostgreSQL runs it once per statement, not once per row."""
    return (
        f"CASE WHEN (SELECT cpctl_sees_all()) THEN {column} NOT IN (SELECT cpctl_restricted_child_ids()) "
        f"ELSE {column} IN (SELECT cpctl_visible_child_ids()) END"
    )


_CHILD = _reach("child_id")
_NOT_SUPPORT = "(SELECT cpctl_role()) <> 'business-support'"
_MINE = "(SELECT cpctl_role()) IS NOT NULL"
# Each table that holds a child's data, and which of its rows a login other than the owner may see and change
# (the owner owns the tables, so PostgreSQL does not hold them to these). A policy checks a new row before it is in
# the table, so a rule must let a row just added through by its own columns (and INSERT ... RETURNING reads it
# back under the same rule): a child by its team, a person, family, conference or booking tied to no child yet.
_POLICIES = {
    "child": (
        f"({_reach('id')}) "
        "OR (team_id = (SELECT cpctl_holding_team()) AND id NOT IN (SELECT cpctl_restricted_child_ids()))"
    ),
    "child_person": _CHILD,
    "decision": _CHILD,
    "plan": _CHILD,
    "case_event": _CHILD,
    "deadline": _CHILD,
    "booking_child": _CHILD,
    "cin_episode": _CHILD,
    "section47": _CHILD,
    # Private case notes: never business support's.
    "core_group_meeting": f"{_CHILD} AND {_NOT_SUPPORT}",
    "visit": f"{_CHILD} AND {_NOT_SUPPORT}",
    "quality_check": f"{_CHILD} AND {_NOT_SUPPORT}",
    # A plan's text holds what is kept from the family: business support's only where the service allows it.
    "plan_version": (
        f"plan_id IN (SELECT id FROM plan) AND ({_NOT_SUPPORT} OR (SELECT cpctl_setting_on('support-sees-plan-text')))"
    ),
    "conference": (
        f"id IN (SELECT conference_id FROM decision) OR ({_MINE} AND id NOT IN (SELECT cpctl_decided_conference_ids()))"
    ),
    "conference_attendee": "conference_id IN (SELECT id FROM conference)",
    "conference_recipient": "conference_id IN (SELECT id FROM conference)",
    "booking": (
        f"id IN (SELECT booking_id FROM booking_child) OR ({_MINE} AND id NOT IN (SELECT cpctl_booked_booking_ids()))"
    ),
    "booking_invitee": "booking_id IN (SELECT id FROM booking)",
    "person": (
        "kind = 'professional' OR id IN (SELECT person_id FROM child_person) "
        f"OR ({_MINE} AND id NOT IN (SELECT cpctl_linked_person_ids()))"
    ),
    "family": f"id IN (SELECT family_id FROM child) OR ({_MINE} AND id NOT IN (SELECT cpctl_used_family_ids()))",
}
_AUDIT_READ = (
    "((SELECT cpctl_role()) = 'auditor'"
    " AND entity || ':' || COALESCE(entity_id, '') NOT IN (SELECT cpctl_hidden_entities()))"
    " OR (action NOT LIKE 'read.%' AND ("
    "(entity = 'child' AND entity_id IN (SELECT ref FROM child))"
    " OR (entity = 'conference' AND entity_id IN (SELECT ref FROM conference))"
    " OR (entity = 'booking' AND entity_id IN (SELECT ref FROM booking))))"
)


def upgrade() -> None:
    op.add_column("app_user", sa.Column("role", _str(length=32), nullable=True))
    if op.get_bind().dialect.name == "sqlite":  # SQLite takes a reference only inline in ADD COLUMN (see 0003)
        op.execute("ALTER TABLE app_user ADD COLUMN team_id INTEGER REFERENCES team (id)")
    else:
        op.add_column("app_user", sa.Column("team_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_app_user_team_id", "app_user", "team", ["team_id"], ["id"])
    op.add_column("app_user", sa.Column("removed_at", _str(length=32), nullable=True))
    op.create_table(
        "child_restriction",
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("login", _str(length=128), nullable=False),
        sa.Column("added_at", _str(length=32), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.PrimaryKeyConstraint("child_id", "login"),
    )
    # The policies find a social worker's children by the decisions naming them lead worker: without an index, every
    # statement a social worker runs reads the whole decision table once for each table it touches.
    op.create_index("ix_decision_lead_worker_id", "decision", ["lead_worker_id"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTIONS)
    for table, rule in _POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY cpctl_reach ON {table} FOR ALL USING ({rule}) WITH CHECK ({rule})")
    op.execute("ALTER TABLE audit_entry ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY cpctl_read ON audit_entry FOR SELECT USING ({_AUDIT_READ})")
    op.execute(f"CREATE POLICY cpctl_write ON audit_entry FOR INSERT WITH CHECK ({_MINE})")
    # Nobody but the owner reads who a restricted child is restricted to.
    op.execute("ALTER TABLE child_restriction ENABLE ROW LEVEL SECURITY")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE child_restriction DISABLE ROW LEVEL SECURITY")
        op.execute("DROP POLICY cpctl_read ON audit_entry")
        op.execute("DROP POLICY cpctl_write ON audit_entry")
        op.execute("ALTER TABLE audit_entry DISABLE ROW LEVEL SECURITY")
        for table in _POLICIES:
            op.execute(f"DROP POLICY cpctl_reach ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute("DROP TRIGGER cpctl_audit_guard ON audit_entry")
        for name in reversed(_FUNCTION_NAMES):
            op.execute(f"DROP FUNCTION {name}")
    op.drop_index("ix_decision_lead_worker_id", table_name="decision")
    op.drop_table("child_restriction")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("removed_at")
        batch.drop_column("team_id")
        batch.drop_column("role")
