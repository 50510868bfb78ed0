"""PostgreSQL stores for the team-load benchmarks (issue 18): a server, the synthetic stores loaded into it, an
empty store, and a team of logins with roles.

    python benchmarks/pgstore.py build [--sizes 10000,50000]   # the stores (kept between runs), then prints them
    python benchmarks/pgstore.py stop                          # stops the server this script started

The server is $CPCTL_TEST_POSTGRESQL_URL's when that is set (the login in it must be able to create databases and
logins, as the test server's `cpctl_test` can); otherwise one started with `scripts/postgres-for-tests` in
`benchmarks/.stores/postgres`, left running so that the next run finds its databases (`stop` removes it).

A synthetic store is the SQLite store `cpctl demo --children N` makes (in `benchmarks/.stores`), copied into its
own database with COPY: its schema made by cpctl's migrations (row-level security and all), every row as it is,
the sequences moved on, the statistics gathered. The store's owner is the server login that created it, in the
place of the SQLite store's user (the chair "Alex Morgan", with about a hundred children's plans). A database is
reused when it was loaded from the same file (its comment says which).

The team: 20 logins with roles and teams (`team_logins`), made by the owner with `cpctl.store.access` and an
`app_user` row each, as `cpctl user add` makes them. Their passwords are new in every run.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STARTER = ROOT / "scripts" / "postgres-for-tests"
PREFIX = "cpctl_bench"  # databases and logins (logins are the whole server's)

sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import URL, Connection, make_url  # noqa: E402

from cpctl.store import access  # noqa: E402


# -- the server -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Server:
    url: URL  # the owner's login, to the `postgres` database
    folder: Path | None  # where this script's own server lives (None: $CPCTL_TEST_POSTGRESQL_URL's)

    def database(self, name: str, login: str | None = None, password: str | None = None) -> str:
        url = self.url.set(database=name)
        if login is not None:
            url = url.set(username=login, password=password)
        return url.render_as_string(hide_password=False)

    @property
    def owner(self) -> str:
        return str(self.url.username)


def _reachable(url: URL) -> bool:
    engine = create_engine(url, pool_pre_ping=False)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


def server(stores: Path) -> Server:
    """$CPCTL_TEST_POSTGRESQL_URL's server, or this script's own (started if it is not running)."""
    given = os.environ.get("CPCTL_TEST_POSTGRESQL_URL")
    if given:
        return Server(make_url(given), None)
    folder = (stores / "postgres").absolute()
    env = stores / "postgres.env"
    if env.exists():
        url = make_url(env.read_text().strip().split("=", 1)[1])
        if _reachable(url):
            return Server(url, folder)
        subprocess.run([str(STARTER), "stop", str(folder)], check=False, capture_output=True)
    stores.mkdir(parents=True, exist_ok=True)
    print(f"  starting a PostgreSQL server in {folder} ...", file=sys.stderr, flush=True)
    done = subprocess.run([str(STARTER), "start", str(folder)], check=True, capture_output=True, text=True)
    line = done.stdout.strip().splitlines()[-1]  # export CPCTL_TEST_POSTGRESQL_URL=...
    env.write_text(line + "\n")
    env.chmod(0o600)
    return Server(make_url(line.split("=", 1)[1]), folder)


def stop(stores: Path) -> None:
    subprocess.run([str(STARTER), "stop", str((stores / "postgres").absolute())], check=True)
    (stores / "postgres.env").unlink(missing_ok=True)


@contextmanager
def connect(url: str | URL, *, autocommit: bool = False) -> Iterator[Connection]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT" if autocommit else None)
    try:
        with engine.connect() as conn:
            yield conn
            if not autocommit:
                conn.commit()
    finally:
        engine.dispose()


def _database_comment(srv: Server, name: str) -> str | None:
    with connect(srv.url) as conn:
        row = conn.execute(
            text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
    return None if row is None else (row[0] or "")


def _recreate(srv: Server, name: str) -> None:
    with connect(srv.url, autocommit=True) as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))


def _mark(srv: Server, name: str, comment: str) -> None:
    with connect(srv.url, autocommit=True) as conn:
        quoted = conn.execute(text("SELECT quote_literal(:c)"), {"c": comment}).scalar_one()
        conn.execute(text(f'COMMENT ON DATABASE "{name}" IS {quoted}'))


# -- the stores -------------------------------------------------------------------------------------------------
def _cpctl(url: str, *args: str, env: dict[str, str] | None = None) -> None:
    command = [sys.executable, "-m", "cpctl", "--db", url, *args]
    environment = dict(env or os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), environment.get("PYTHONPATH")]))
    done = subprocess.run(command, env=environment, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"cpctl {' '.join(args)} failed: {done.stderr.strip()}")


def empty_store(srv: Server, *, reuse: bool, env: dict[str, str] | None = None) -> str:
    """An initialised store with nothing in it, the owner a chair (as `run.py`'s empty SQLite store)."""
    name = f"{PREFIX}_empty"
    if not (reuse and _database_comment(srv, name) == "cpctl bench: empty"):
        _recreate(srv, name)
        init = ("init", "--authority", "Benchmark (synthetic)", "--jurisdiction", "england")
        _cpctl(srv.database(name), *init, "--name", "Alex Morgan", "--role", "chair", env=env)
        _analyse(srv.database(name))
        _mark(srv, name, "cpctl bench: empty")
    return srv.database(name)


def synthetic_store(srv: Server, source: Path, size: int, *, reuse: bool) -> str:
    """The SQLite synthetic store `source` in a database of its own (loaded again when the file changed)."""
    name = f"{PREFIX}_{size}"
    stat = source.stat()
    comment = f"cpctl bench: {source.name} {stat.st_size} {int(stat.st_mtime)}"
    if reuse and _database_comment(srv, name) == comment:
        return srv.database(name)
    print(f"  loading {source.name} into PostgreSQL ({name}) ...", file=sys.stderr, flush=True)
    _recreate(srv, name)
    url = srv.database(name)
    from cpctl.store.database import Store

    Store(url).dispose()  # the schema, by cpctl's migrations: policies, functions and the audit guard
    load(source, url, srv.owner)
    _analyse(url)
    _mark(srv, name, comment)
    return url


def load(source: Path, url: str, owner: str) -> dict[str, int]:
    """Copy every row of a SQLite store into a new PostgreSQL store at the same revision, with COPY; the SQLite
    store's user becomes the server login that owns the database."""
    from cpctl.store.database import _reset_sequences, _tables

    counts: dict[str, int] = {}
    engine = create_engine(url)
    try:
        with closing(sqlite3.connect(source)) as src, engine.begin() as conn:
            (revision,) = src.execute("SELECT version_num FROM alembic_version").fetchone()
            here = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            if revision != here:
                raise SystemExit(f"{source} is at revision {revision}, this cpctl at {here}: build it again")
            raw = conn.connection.driver_connection
            assert raw is not None
            # The guard checks that a login other than the owner writes in its own name: the owner loads history.
            conn.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER cpctl_audit_guard"))
            for table in _tables(conn):
                theirs = {row[1] for row in src.execute(f'PRAGMA table_info("{table.name}")')}
                names = [column.name for column in table.columns if column.name in theirs]
                columns = ", ".join(f'"{n}"' for n in names)
                rows = 0
                with raw.cursor().copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                    for row in src.execute(f'SELECT {columns} FROM "{table.name}"'):
                        copy.write_row(row)
                        rows += 1
                counts[table.name] = rows
            conn.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER cpctl_audit_guard"))
            (login,) = src.execute("SELECT login FROM app_user WHERE role IS NULL LIMIT 1").fetchone()
            conn.execute(
                text("UPDATE app_user SET login = :owner WHERE login = :login"), {"owner": owner, "login": login}
            )
            _reset_sequences(conn)
    finally:
        engine.dispose()
    return counts


def _analyse(url: str) -> None:
    """The test server runs without autovacuum: gather the planner's statistics once the rows are in."""
    with connect(url, autocommit=True) as conn:
        conn.execute(text("VACUUM ANALYZE"))


# -- the team ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Login:
    login: str
    password: str
    role: str
    team_id: int | None
    person_id: int
    person_ref: str
    url: str  # the store's URL with this login and password


# The day's team: (name, role, how many). Social workers and chairs are linked to the synthetic authority's own
# lead workers and chairs, with plans in force; the others to professionals nobody else uses.
TEAM = (("sw", "social-worker", 10), ("chair", "chair", 4), ("tm", "team-manager", 3), ("bs", "business-support", 2))
TEAM += (("audit", "auditor", 1),)


def _people(conn: Connection, role: str, count: int, taken: set[int], owner_person: int) -> list[tuple[int, str]]:
    """`count` persons for the role: the lead workers and chairs with the most plans in force, else any
    professional not already a user."""
    if role == "social-worker":
        sql = (
            "SELECT p.id, p.ref FROM plan pl JOIN person p ON p.id = pl.lead_worker_id WHERE pl.ended_on IS NULL "
            "GROUP BY p.id, p.ref ORDER BY count(*) DESC, p.id"
        )
    elif role == "chair":
        sql = (
            "SELECT p.id, p.ref FROM plan pl JOIN decision d ON d.plan_id = pl.id "
            "JOIN conference k ON k.id = d.conference_id JOIN person p ON p.id = k.chair_id "
            "WHERE pl.ended_on IS NULL GROUP BY p.id, p.ref ORDER BY count(DISTINCT pl.id) DESC, p.id"
        )
    else:
        sql = "SELECT p.id, p.ref FROM person p WHERE p.kind = 'professional' ORDER BY p.id DESC"
    found = []
    for person_id, ref in conn.execute(text(sql)):
        if person_id not in taken and person_id != owner_person:
            found.append((person_id, ref))
            taken.add(person_id)
            if len(found) == count:
                break
    return found


def _team_of(conn: Connection, role: str, person_id: int, index: int, teams: list[int]) -> int | None:
    """A social worker's team is the team of most of the children they lead; others' in turn (business support's
    first user has none: every team's bookings)."""
    if role == "social-worker":
        found = conn.execute(
            text(
                "SELECT c.team_id FROM plan pl JOIN child c ON c.id = pl.child_id WHERE pl.ended_on IS NULL "
                "AND pl.lead_worker_id = :p AND c.team_id IS NOT NULL GROUP BY c.team_id ORDER BY count(*) DESC "
                "LIMIT 1"
            ),
            {"p": person_id},
        ).scalar()
        if found is not None:
            return int(found)
    if role in ("chair", "auditor") or (role == "business-support" and index == 0):
        return None
    return teams[index % len(teams)]


def team_logins(srv: Server, url: str, team: Sequence[tuple[str, str, int]] = TEAM) -> list[Login]:
    """The logins of the day's team in the store at `url`, as its owner makes them: each login created (or its
    password set anew), granted its role's tables, with an `app_user` row for its person, role and team. Every
    child without a team is given one first (the generator gives every child a team)."""
    logins: list[Login] = []
    with connect(url) as conn:
        teams = [int(t) for t in conn.execute(text("SELECT id FROM team ORDER BY id")).scalars()]
        if not teams:
            raise SystemExit("the store has no teams: build it again with this cpctl's generator")
        conn.execute(
            text(
                "UPDATE child SET team_id = (SELECT t.id FROM team t ORDER BY t.id OFFSET child.id % :n LIMIT 1) "
                "WHERE team_id IS NULL"
            ),
            {"n": len(teams)},
        )
        owner_person = conn.execute(text("SELECT person_id FROM app_user WHERE login = session_user")).scalar()
        taken: set[int] = set(
            conn.execute(
                text("SELECT person_id FROM app_user WHERE login NOT LIKE :p"), {"p": f"{PREFIX}\\_%"}
            ).scalars()
        )
        for short, role, count in team:
            for index, (person_id, ref) in enumerate(_people(conn, role, count, taken, owner_person or -1)):
                login = f"{PREFIX}_{short}{index + 1:02d}"
                password = secrets.token_hex(12)
                team_id = _team_of(conn, role, person_id, index, teams)
                access.create_login(conn, login, password)
                access.grant(conn, login, role)
                conn.execute(
                    text(
                        "INSERT INTO app_user (login, person_id, role, team_id, removed_at) "
                        "VALUES (:l, :p, :r, :t, NULL) ON CONFLICT (login) DO UPDATE SET "
                        "person_id = excluded.person_id, role = excluded.role, team_id = excluded.team_id, "
                        "removed_at = NULL"
                    ),
                    {"l": login, "p": person_id, "r": role, "t": team_id},
                )
                user_url = make_url(url).set(username=login, password=password).render_as_string(hide_password=False)
                logins.append(Login(login, password, role, team_id, person_id, ref, user_url))
    return logins


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("build", "stop"))
    parser.add_argument("--stores", type=Path, default=HERE / ".stores", help="where the SQLite stores are")
    parser.add_argument("--sizes", default="10000,50000", help="the synthetic stores to load")
    parser.add_argument("--reuse", action="store_true", help="keep databases loaded from the same files")
    args = parser.parse_args(argv)
    if args.action == "stop":
        stop(args.stores)
        return 0
    srv = server(args.stores)
    print(f"server: {srv.url.render_as_string(hide_password=True)}")
    print(f"empty: {make_url(empty_store(srv, reuse=args.reuse)).render_as_string(hide_password=True)}")
    for size in (int(s) for s in args.sizes.split(",")):
        source = args.stores / f"children-{size}.db"
        if not source.exists():
            raise SystemExit(f"no {source}: build it with `cpctl demo --children {size} --db {source}`")
        url = synthetic_store(srv, source, size, reuse=args.reuse)
        print(f"{size:,} children: {make_url(url).render_as_string(hide_password=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
