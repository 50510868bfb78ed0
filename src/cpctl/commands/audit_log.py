"""`cpctl audit`: who changed what, and when."""

from __future__ import annotations

from typing import Annotated

import typer

from cpctl.commands.common import JsonOpt, emit_json, open_store, out, table

app = typer.Typer(help="Read the audit trail of every change.", no_args_is_help=True)


@app.command("log")
def audit_log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many entries, newest first.")] = 50,
    child: Annotated[str | None, typer.Option("--child", help="Only the changes to this child's records.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the newest changes: when, who, what."""
    import json

    from cpctl import audit, people

    store = open_store(ctx)
    with store.read() as session:
        entity_id = people.find_child(session, child).ref if child else None
        rows = audit.entries(session, limit=limit, entity="child" if child else None, entity_id=entity_id)
        records = [
            {
                "id": r.id,
                "at": r.at,
                "actor": r.actor,
                "action": r.action,
                "entity": r.entity,
                "entity_id": r.entity_id,
                "summary": r.summary,
                "changes": json.loads(r.changes),
                "hash": r.hash,
            }
            for r in rows
        ]
    if as_json:
        emit_json(records)
        return
    if not records:
        out().print("The audit trail is empty.")
        return
    grid = table("When (UTC)", "Who", "Action", "What")
    for r in records:
        grid.add_row(r["at"][:19].replace("T", " "), r["actor"], r["action"], r["summary"])
    out().print(grid)
