"""A team's store on PostgreSQL, driven through the CLI: the owner gives logins their roles and teams, restricts
children and reads who looked at one; the other logins are refused what is the owner's, and see only their reach.

Every person here is synthetic. Logins are cluster-wide, so each test names its own after its database."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from backends import StoreRef
from helpers import Run, execute, ok, ok_json, rows

pg = pytest.mark.postgresql_only(reason="logins, grants and row-level security are PostgreSQL's")

OWNER_ONLY = "only the store's owner may run `cpctl {}`; your login {} is not its owner."


class Team:
    """The owner's store with two teams, a social worker in each, and a child in each team."""

    def __init__(self, cli: Run, store: StoreRef) -> None:
        self.cli, self.store = cli, store
        self.db = make_url(store.url).database or "cpctl"
        self.logins: list[str] = []

    def login(self, short: str) -> str:
        name = f"{self.db}_{short}"[:63]
        self.logins.append(name)
        return name

    def url(self, login: str, password: str | None = None) -> str:
        url = make_url(self.store.url).set(username=login, password=password or f"pw-{login}")
        return url.render_as_string(hide_password=False)

    def as_(self, login: str, *args: str, input: str | None = None) -> Any:
        return self.cli("--db", self.url(login), *args, input=input)

    def add_user(self, short: str, person: str, role: str, team: str | None = None) -> str:
        login = self.login(short)
        args = ["user", "add", login, "--person", person, "--role", role, "--password-stdin"]
        if team:
            args += ["--team", team]
        ok(self.cli(*args, input=f"pw-{login}\n"))
        return login

    def connect(self, login: str) -> Any:
        return create_engine(self.url(login), poolclass=NullPool)


@pytest.fixture
def team(cli: Run, initialised: StoreRef) -> Iterator[Team]:
    ok(cli("team", "add", "North Locality"))
    ok(cli("team", "add", "South Locality"))
    ok(cli("person", "add", "Sam Northworker", "--kind", "professional", "--role", "Social worker"))
    ok(cli("person", "add", "Kit Southworker", "--kind", "professional", "--role", "Social worker"))
    ok(cli("person", "add", "Robin Northmate", "--kind", "professional", "--role", "Social worker"))
    ok(cli("child", "add", "Jamie", "Testwood", "--id", "N-1", "--dob", "2018-03-01", "--team", "North Locality"))
    ok(cli("child", "add", "Mia", "Otherwood", "--id", "S-1", "--dob", "2019-04-02", "--team", "South Locality"))
    made = Team(cli, initialised)
    yield made
    with create_engine(initialised.url, poolclass=NullPool, isolation_level="AUTOCOMMIT").connect() as conn:
        for login in made.logins:  # best effort: the cluster is the tests' own, but keep it tidy
            try:
                conn.execute(text(f'DROP OWNED BY "{login}"'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
            except Exception:
                pass


def error(result: Any) -> str:
    """The one line a refused command printed (on stderr), with the exit code checked non-zero."""
    assert result.exit_code != 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# -- SQLite: the commands say they need a team's store -----------------------------------------------------------
SQLITE_REFUSED = [
    ("user", "add", "someone", "--person", "Ada", "--role", "chair"),
    ("user", "list"),
    ("user", "edit", "someone", "--role", "chair"),
    ("user", "remove", "someone"),
    ("user", "setting", "chair-sees-every-plan", "on"),
    ("user", "setting"),
    ("team", "add", "North"),
    ("team", "list"),
    ("team", "edit", "North", "--name", "South"),
    ("child", "restrict", "Jamie", "--to", "someone"),
    ("child", "unrestrict", "Jamie"),
]


@pytest.mark.sqlite_only(reason="the refusal of a SQLite store")
@pytest.mark.parametrize("args", SQLITE_REFUSED, ids=[" ".join(a[:2]) for a in SQLITE_REFUSED])
def test_on_sqlite_each_command_says_it_needs_a_team_store(
    cli: Run, initialised: StoreRef, unchanged: Callable[[], None], args: tuple[str, ...]
) -> None:
    ok(cli("child", "add", "Jamie", "Testwood", "--dob", "2018-03-01"))
    result = cli(*args)
    line = error(result)
    assert "needs a team's store on PostgreSQL" in line
    assert line.startswith(f"Error: `cpctl {args[0]} {args[1]}` needs")


# -- users -------------------------------------------------------------------------------------------------------
@pg
def test_user_add_list_edit_remove(cli: Run, team: Team) -> None:
    sam = team.add_user("sam", "Sam Northworker", "social-worker", "North Locality")
    listed = ok_json(cli("user", "list", "--json"))
    assert listed == [
        {
            "login": sam,
            "person": "P00002",
            "name": "Sam Northworker",
            "role": "social-worker",
            "team": "North Locality",
            "removed": None,
        }
    ]
    assert sam in ok(cli("user", "list"))
    # The login connects, and sees its team's child only.
    assert [c["id"] for c in ok_json(team.as_(sam, "child", "list", "--json"))] == ["N-1"]

    out = ok(cli("user", "edit", sam, "--team", "South Locality", "--role", "team-manager"))
    assert "role" in out and "team" in out
    assert [c["id"] for c in ok_json(team.as_(sam, "child", "list", "--json"))] == ["S-1"]
    edited = ok_json(cli("user", "list", "--json"))[0]
    assert (edited["role"], edited["team"]) == ("team-manager", "South Locality")

    assert "Removed user" in ok(cli("user", "remove", sam))
    assert ok_json(cli("user", "list", "--json"))[0]["removed"] is not None
    assert "removed already" in ok(cli("user", "remove", sam))
    # The login itself stays, and so does its history; it can no longer reach the store.
    assert rows(team.store, "SELECT count(*) FROM pg_roles WHERE rolname = ?", (sam,)) == [(1,)]
    actions = [a for (a,) in rows(team.store, "SELECT action FROM audit_entry WHERE entity = 'user' ORDER BY id")]
    assert actions == ["user.add", "user.edit", "user.remove"]
    refused = team.as_(sam, "child", "list")
    assert refused.exit_code != 0 and "N-1" not in refused.stdout and "S-1" not in refused.stdout


@pg
def test_a_removed_user_cannot_connect_even_by_sql(cli: Run, team: Team) -> None:
    sam = team.add_user("sam", "Sam Northworker", "social-worker", "North Locality")
    with team.connect(sam).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM child")).scalar_one() == 1
    ok(cli("user", "remove", sam))
    with pytest.raises(Exception, match="permission denied"):
        with team.connect(sam).connect() as conn:
            conn.execute(text("SELECT count(*) FROM child"))


@pg
def test_user_add_links_an_existing_login_and_a_removed_user_can_return(cli: Run, team: Team) -> None:
    login = team.login("kit")
    execute(team.store, f"CREATE ROLE \"{login}\" LOGIN PASSWORD 'pw-{login}'")
    out = ok(cli("user", "add", login, "--person", "Kit Southworker", "--role", "auditor"))
    assert "linked the existing login" in out
    assert len(ok_json(team.as_(login, "child", "list", "--json"))) == 2  # an auditor reads every child
    ok(cli("user", "remove", login))
    ok(cli("user", "add", login, "--person", "Kit Southworker", "--role", "chair"))
    assert ok_json(cli("user", "list", "--json"))[0]["removed"] is None


@pg
@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (
            ("--person", "Sam Northworker", "--role", "boss"),
            None,
            "unknown role 'boss': choose one of chair, social-worker, team-manager, business-support, auditor.",
        ),
        (("--person", "Nobody Atall", "--role", "chair"), None, "no person"),
        (("--person", "Sam Northworker", "--role", "chair", "--team", "West"), None, "no team 'West'"),
        (("--person", "Sam Northworker", "--role", "chair", "--password-stdin"), "\n", "password"),
        (("--person", "Sam Northworker", "--role", "chair", "--password-stdin"), "", "password"),
    ],
    ids=["role", "person", "team", "empty-password", "no-password"],
)
def test_bad_input_is_one_line_and_writes_nothing(
    cli: Run, team: Team, args: tuple[str, ...], stdin: str | None, expected: str
) -> None:
    from helpers import dump

    login = team.login("bad")
    before = dump(team.store)
    line = error(cli("user", "add", login, *args, input=stdin))
    assert expected in line
    assert dump(team.store) == before
    assert rows(team.store, "SELECT count(*) FROM pg_roles WHERE rolname = ?", (login,)) == [(0,)]


@pg
def test_a_parent_is_no_user_and_the_owner_cannot_be_added(cli: Run, team: Team) -> None:
    ok(cli("person", "add", "Sam Testwood", "--kind", "parent", "--child", "N-1", "--relationship", "mother"))
    assert "not a professional" in error(
        cli("user", "add", team.login("p"), "--person", "Sam Testwood", "--role", "chair")
    )
    owner = make_url(team.store.url).username or ""
    assert "owner" in error(cli("user", "add", owner, "--person", "Sam Northworker", "--role", "chair"))
    assert "no user 'nobody-here'" in error(cli("user", "edit", "nobody-here", "--role", "chair"))


@pg
def test_settings_are_turned_on_and_off_and_audited(cli: Run, team: Team) -> None:
    assert "chair-sees-every-plan: off" in ok(cli("user", "setting"))
    assert "Turned chair-sees-every-plan on." in ok(cli("user", "setting", "chair-sees-every-plan", "on"))
    assert "already" in ok(cli("user", "setting", "chair-sees-every-plan", "on"))
    ok(cli("user", "setting", "chair-sees-every-plan", "off"))
    assert rows(team.store, "SELECT value FROM setting WHERE key = 'chair-sees-every-plan'") == [("no",)]
    assert [a for (a,) in rows(team.store, "SELECT action FROM audit_entry WHERE action = 'store.setting'")] == [
        "store.setting",
        "store.setting",
    ]
    assert "chair-sees-every-plan, support-sees-plan-text" in error(cli("user", "setting", "all-see-all", "on"))


# -- teams -------------------------------------------------------------------------------------------------------
@pg
def test_team_add_list_edit(cli: Run, team: Team) -> None:
    team.add_user("sam", "Sam Northworker", "social-worker", "North Locality")
    assert ok_json(cli("team", "list", "--json")) == [
        {"name": "North Locality", "children": 1, "users": 1},
        {"name": "South Locality", "children": 1, "users": 0},
    ]
    assert "already exists" in error(cli("team", "add", "north locality"))
    assert "Renamed team North Locality to Northshire" in ok(
        cli("team", "edit", "North Locality", "--name", "Northshire")
    )
    assert "already exists" in error(cli("team", "edit", "Northshire", "--name", "South Locality"))
    assert "no team 'West'" in error(cli("team", "edit", "West", "--name", "East"))
    assert ok_json(cli("user", "list", "--json"))[0]["team"] == "Northshire"
    assert "Northshire" in ok(cli("team", "list"))


@pg
def test_a_social_worker_adds_a_child_to_their_own_team(cli: Run, team: Team) -> None:
    sam = team.add_user("sam", "Sam Northworker", "social-worker", "North Locality")
    out = ok(team.as_(sam, "child", "add", "Lee", "Newwood", "--dob", "2020-01-01"))
    ref = out.split()[2].rstrip(":")
    assert ok_json(cli("child", "show", ref, "--json"))["team"] == "North Locality"
    assert "may not make this change" in error(
        team.as_(sam, "child", "add", "Zed", "Newwood", "--dob", "2020-01-01", "--team", "South Locality")
    )


# -- the owner's alone ---------------------------------------------------------------------------------------------
@pg
def test_a_non_owner_is_refused_the_owners_commands(cli: Run, team: Team) -> None:
    sam = team.add_user("sam", "Sam Northworker", "team-manager", "North Locality")
    from helpers import dump

    before = dump(team.store)
    for args in [
        ("user", "list"),
        ("user", "add", "x", "--person", "Sam Northworker", "--role", "chair"),
        ("user", "remove", sam),
        ("user", "setting", "chair-sees-every-plan", "on"),
        ("team", "add", "West"),
        ("team", "list"),
        ("child", "restrict", "N-1", "--to", sam),
        ("child", "unrestrict", "N-1"),
    ]:
        assert error(team.as_(sam, *args)) == "Error: " + OWNER_ONLY.format(f"{args[0]} {args[1]}", sam)
    check = error(team.as_(sam, "db", "check"))
    assert "only its owner can check it" in check
    verify = error(team.as_(sam, "audit", "verify"))
    assert "needs the store's owner or an auditor" in verify
    # Refused before anything was written, but for the read log of the child asked for and refused.
    new = [line for line in dump(team.store) if line not in before]
    assert all(line.startswith("audit_entry:") and "read." in line for line in new), new


@pg
def test_an_auditor_verifies_the_trail(cli: Run, team: Team) -> None:
    kit = team.add_user("kit", "Kit Southworker", "auditor")
    assert "The audit trail is intact" in ok(team.as_(kit, "audit", "verify"))


# -- restricted children -----------------------------------------------------------------------------------------
@pg
def test_restrict_and_unrestrict_are_audited_and_shown_to_the_owner_only(cli: Run, team: Team) -> None:
    sam = team.add_user("sam", "Sam Northworker", "social-worker", "North Locality")
    robin = team.add_user("robin", "Robin Northmate", "social-worker", "North Locality")
    kit = team.add_user("kit", "Kit Southworker", "auditor")
    assert "no user" in error(cli("child", "restrict", "N-1", "--to", "nobody-here"))
    assert f"Restricted N-1 to {sam}" in ok(cli("child", "restrict", "N-1", "--to", sam))
    assert ok_json(cli("child", "show", "N-1", "--json"))["restricted_to"] == [sam]
    assert f"Restricted to:     {sam}" in ok(cli("child", "show", "N-1"))
    # Sam still sees the child, without being told who else may; Robin, of the same team, and the auditor do not.
    shown = ok_json(team.as_(sam, "child", "show", "N-1", "--json"))
    assert "restricted_to" not in shown
    for other in (robin, kit):
        assert "no child" in error(team.as_(other, "child", "show", "N-1"))
        with team.connect(other).connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM child WHERE ref = 'N-1'")).scalar_one() == 0
    # The list is replaced, not added to.
    ok(cli("child", "restrict", "N-1", "--to", robin, "--to", sam))
    ok(cli("child", "restrict", "N-1", "--to", robin))
    assert "no child" in error(team.as_(sam, "child", "show", "N-1"))
    assert "Lifted the restriction of N-1" in ok(cli("child", "unrestrict", "N-1"))
    assert "was not restricted" in ok(cli("child", "unrestrict", "N-1"))
    ok(team.as_(robin, "child", "show", "N-1"))
    ok(team.as_(sam, "child", "show", "N-1"))
    entries = rows(
        team.store,
        "SELECT action, changes FROM audit_entry WHERE action IN ('child.restrict', 'child.unrestrict') "
        "AND entity = 'child' AND entity_id = 'N-1' ORDER BY id",
    )
    assert [(action, json.loads(changes)["logins"]) for action, changes in entries] == [
        ("child.restrict", [[], [sam]]),
        ("child.restrict", [[sam], sorted([robin, sam])]),
        ("child.restrict", [sorted([robin, sam]), [robin]]),
        ("child.unrestrict", [[robin], []]),
    ]


# -- who looked at a child -----------------------------------------------------------------------------------------
@pg
def test_audit_log_child_shows_who_looked_and_who_was_refused(cli: Run, team: Team) -> None:
    sam = team.add_user("sam", "Sam Northworker", "social-worker", "North Locality")
    kit = team.add_user("kit", "Kit Southworker", "social-worker", "South Locality")
    ok(team.as_(sam, "child", "show", "N-1"))
    error(team.as_(kit, "child", "show", "N-1"))
    entries = ok_json(cli("audit", "log", "--child", "N-1", "--json"))
    seen = [(e["action"], e["actor"]) for e in entries]
    assert ("read.denied", f"Kit Southworker ({kit})") in seen
    assert ("read.show", f"Sam Northworker ({sam})") in seen
    assert seen[-1][0] == "child.add"
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True)
    assert all(e["entity"] == "child" and e["entity_id"] == "N-1" for e in entries)
    text_out = ok(cli("audit", "log", "--child", "N-1"))
    assert "read.denied" in text_out and "read.show" in text_out
    # Nothing about the other team's child.
    assert all(e["entity_id"] != "S-1" for e in entries)


# -- db check ----------------------------------------------------------------------------------------------------
@pg
def test_db_check_is_clean_on_a_team_store_and_names_a_dropped_policy(cli: Run, team: Team) -> None:
    team.add_user("sam", "Sam Northworker", "social-worker", "North Locality")
    team.add_user("kit", "Kit Southworker", "business-support", "South Locality")
    assert "No problems found." in ok(cli("db", "check"))
    execute(team.store, "DROP POLICY cpctl_reach ON visit")
    result = cli("db", "check")
    assert result.exit_code == 1
    assert "the table visit has lost its policy (cpctl_reach)" in result.stdout


@pg
def test_db_check_names_a_grant_to_a_login_that_is_no_user(cli: Run, team: Team) -> None:
    stray = team.login("stray")
    execute(team.store, f'CREATE ROLE "{stray}" LOGIN', f'GRANT SELECT ON child TO "{stray}"')
    result = cli("db", "check")
    assert result.exit_code == 1
    assert f"the table child is granted to {stray}, who is not a user of this store" in result.stdout


# -- backups -----------------------------------------------------------------------------------------------------
@pg
def test_a_social_workers_backup_holds_only_what_they_may_see(cli: Run, team: Team, tmp_path: Path) -> None:
    sam = team.add_user("sam", "Sam Northworker", "social-worker", "North Locality")
    robin = team.add_user("robin", "Robin Northmate", "social-worker", "North Locality")
    ok(cli("child", "add", "Ola", "Hiddenwood", "--id", "N-2", "--dob", "2017-05-05", "--team", "North Locality"))
    ok(cli("child", "restrict", "N-2", "--to", robin))
    target = tmp_path / "sam.bak"
    out = ok(team.as_(sam, "db", "backup", str(target)))
    assert "partial backup" in out and sam in out
    assert rows(target, "SELECT ref FROM child ORDER BY ref") == [("N-1",)]
    assert rows(target, "SELECT count(*) FROM child_restriction") == [(0,)]
    assert rows(target, "SELECT count(*) FROM audit_entry WHERE entity_id IN ('S-1', 'N-2')") == [(0,)]
    # The owner's backup is whole.
    whole = tmp_path / "owner.bak"
    assert "partial" not in ok(cli("db", "backup", str(whole)))
    assert rows(whole, "SELECT ref FROM child ORDER BY ref") == [("N-1",), ("N-2",), ("S-1",)]
    assert rows(whole, "SELECT login FROM child_restriction") == [(robin,)]


# -- set-up and upgrades -----------------------------------------------------------------------------------------
@pg
def test_init_closes_the_store_to_logins_that_are_not_its_users(cli: Run, team: Team) -> None:
    stranger = team.login("stranger")
    execute(team.store, f"CREATE ROLE \"{stranger}\" LOGIN PASSWORD 'pw-{stranger}'")
    with pytest.raises(Exception, match="permission denied"):
        with team.connect(stranger).connect() as conn:
            conn.execute(text("SELECT 1"))
