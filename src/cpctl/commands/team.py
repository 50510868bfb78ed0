"""`cpctl team`: the service's teams, on a team's store on PostgreSQL (its owner keeps them)."""

from __future__ import annotations

from typing import Annotated

import typer

from cpctl.commands.common import JsonOpt, emit_json, open_store, out, table

app = typer.Typer(help="The service's teams: children and users belong to one.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="The team's name.")]


@app.command("add")
def team_add(ctx: typer.Context, name: NameArg) -> None:
    """Add a team."""
    from cpctl.casework import access

    store = open_store(ctx)
    with store.write() as session:
        team = access.add_team(session, name)
        added = team.name
    out().print(f"Added team {added}.", markup=False)


@app.command("list")
def team_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the teams, with how many children and (active) users each has."""
    from cpctl.casework import access

    store = open_store(ctx)
    with store.read() as session:
        records = access.list_teams(session)
    if as_json:
        emit_json(records)
        return
    if not records:
        out().print("No teams yet: add one with `cpctl team add NAME`.")
        return
    grid = table("Team", "Children", "Users")
    for r in records:
        grid.add_row(r["name"], str(r["children"]), str(r["users"]))
    out().print(grid)


@app.command("edit")
def team_edit(
    ctx: typer.Context,
    name: NameArg,
    new_name: Annotated[str, typer.Option("--name", metavar="NEW", help="The team's new name.")],
) -> None:
    """Rename a team (its children and users stay in it)."""
    from cpctl.casework import access

    store = open_store(ctx)
    with store.write() as session:
        changed = access.rename_team(session, name, new_name)
    if changed:
        out().print(f"Renamed team {name.strip()} to {new_name.strip()}.", markup=False)
    else:
        out().print(f"Team {name.strip()} already has that name; nothing changed.", markup=False)
