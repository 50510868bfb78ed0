"""`cpctl user`: a team's store on PostgreSQL gives each person a login, a role and a team (its owner does)."""

from __future__ import annotations

from typing import Annotated

import typer

from cpctl.commands.common import JsonOpt, emit_json, open_store, out, table

app = typer.Typer(
    help="A team's store on PostgreSQL: give each person a login, a role and a team.",
    no_args_is_help=True,
)

ROLE_HELP = "chair, social-worker, team-manager, business-support or auditor"
LoginArg = Annotated[str, typer.Argument(help="The person's database login (PostgreSQL role name).")]
PersonOpt = Annotated[
    str | None, typer.Option("--person", metavar="PERSON", help="The professional the login stands for (ref or name).")
]
RoleOpt = Annotated[str | None, typer.Option("--role", metavar="ROLE", help=f"What the login may see: {ROLE_HELP}.")]
TeamOpt = Annotated[str | None, typer.Option("--team", metavar="TEAM", help="The user's team (see `cpctl team list`).")]
PasswordOpt = Annotated[
    bool,
    typer.Option("--password-stdin", help="Set the login's password from standard input (one line, never echoed)."),
]


def _password(given: bool) -> str | None:
    import sys

    return sys.stdin.read() if given else None


@app.command("add")
def user_add(
    ctx: typer.Context,
    login: LoginArg,
    person: Annotated[
        str, typer.Option("--person", metavar="PERSON", help="The professional the login stands for (ref or name).")
    ],
    role: Annotated[str, typer.Option("--role", metavar="ROLE", help=f"What the login may see: {ROLE_HELP}.")],
    team: TeamOpt = None,
    password_stdin: PasswordOpt = False,
) -> None:
    """Make a login a user of the store with a role (and a team): creates the login, or links one that exists."""
    from cpctl.casework import access, people

    password = _password(password_stdin)
    store = open_store(ctx)
    with store.write() as session:
        access.require_owner(session)
        access.check_role(role)
        found = people.find_person(session, person)
        team_row = access.find_team(session, team) if team else None
        record, created = access.add_user(session, login, person=found, role=role, team=team_row, password=password)
    where = f" in {record['team']}" if record["team"] else ""
    how = "created the login" if created else "linked the existing login"
    out().print(
        f"Added user {record['login']}: {record['name']} ({record['person']}), {access.ROLE_WORDS[record['role']]}"
        f"{where}; {how} and granted its role.",
        markup=False,
    )


@app.command("list")
def user_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the store's users: login, person, role, team, and whether they were removed."""
    from cpctl.casework import access

    store = open_store(ctx)
    with store.read() as session:
        records = access.list_users(session)
    if as_json:
        emit_json(records)
        return
    if not records:
        out().print("No users yet: add one with `cpctl user add LOGIN --person PERSON --role ROLE`.")
        return
    grid = table("Login", "Person", "Name", "Role", "Team", "Status")
    for r in records:
        status = f"removed {r['removed'][:10]}" if r["removed"] else "active"
        grid.add_row(r["login"], r["person"] or "", r["name"] or "", r["role"], r["team"] or "", status)
    out().print(grid)


@app.command("edit")
def user_edit(
    ctx: typer.Context,
    login: LoginArg,
    person: PersonOpt = None,
    role: RoleOpt = None,
    team: Annotated[
        str | None, typer.Option("--team", metavar="TEAM", help='The user\'s team ("" takes them out of any).')
    ] = None,
    password_stdin: PasswordOpt = False,
) -> None:
    """Change a user's person, role, team or password; their grants are given afresh."""
    from cpctl.casework import access, people
    from cpctl.errors import Invalid

    if person is None and role is None and team is None and not password_stdin:
        raise Invalid("nothing to change: give --person, --role, --team or --password-stdin (see --help).")
    password = _password(password_stdin)
    store = open_store(ctx)
    with store.write() as session:
        access.require_owner(session)
        if role is not None:
            access.check_role(role)
        found = people.find_person(session, person) if person is not None else None
        team_row = access.find_team(session, team) if team else None
        changes = access.edit_user(
            session, login, person=found, role=role, team=team_row, clear_team=team == "", password=password
        )
    if changes:
        out().print(f"Updated user {login}: {', '.join(changes)}; its grants are given afresh.", markup=False)
    else:
        out().print(f"User {login} already had those details; nothing changed (its grants are given afresh).")


@app.command("remove")
def user_remove(ctx: typer.Context, login: LoginArg) -> None:
    """Take every right in the store from a user; the login stays, and so does its history in the audit trail."""
    from cpctl.casework import access

    store = open_store(ctx)
    with store.write() as session:
        removed = access.remove_user(session, login)
    if removed:
        out().print(
            f"Removed user {login}: the login may no longer connect to this store; its history stays.", markup=False
        )
    else:
        out().print(f"User {login} was removed already; nothing changed.", markup=False)


@app.command("setting")
def user_setting(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(help="chair-sees-every-plan or support-sees-plan-text (none: show the settings)."),
    ] = None,
    value: Annotated[str | None, typer.Argument(metavar="on|off", help="Turn the setting on or off.")] = None,
) -> None:
    """Show or change the service's settings of who sees what (chair-sees-every-plan, support-sees-plan-text)."""
    from cpctl.casework import access
    from cpctl.errors import Invalid
    from cpctl.store.access import SETTINGS

    if name is not None and (value or "").strip().lower() not in ("on", "off"):
        raise Invalid(f"say whether to turn {name} on or off: `cpctl user setting {name} on`.")
    store = open_store(ctx)
    if name is None:
        with store.read() as session:
            current = access.settings(session)
        for key, on in current.items():
            out().print(f"{key}: {'on' if on else 'off'} ({SETTINGS[key]})", markup=False)
        return
    on = (value or "").strip().lower() == "on"
    with store.write() as session:
        changed = access.set_setting(session, name, on)
    key = name.strip().lower()
    if changed:
        out().print(f"Turned {key} {'on' if on else 'off'}.", markup=False)
    else:
        out().print(f"{key} was {'on' if on else 'off'} already; nothing changed.", markup=False)
