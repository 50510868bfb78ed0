"""`cpctl audit`: who changed what, and when."""

from __future__ import annotations

from typing import Annotated

import typer

from cpctl.commands.common import JsonOpt, emit_json, given_once, open_store, out, table

app = typer.Typer(help="Read the audit trail of every change.", no_args_is_help=True)


@app.command("log")
def audit_log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many entries, newest first.")] = 50,
    child: Annotated[
        list[str] | None,
        typer.Option(
            "--child",
            metavar="CHILD",
            help="Only the entries about this child: the changes to their records (conferences, bookings and visits "
            "too), and on a team's store who looked at them.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the newest changes: when, who, what.

    With --child: everything about one child, newest first, with (on a team's store on PostgreSQL) each time
    someone looked at the child's record or asked for it and was not shown it: who has looked at this child?

    A part of an entry changed outside cpctl into something that cannot be read shows as "(unreadable)" (in JSON:
    null, with the parts named under "unreadable"); `cpctl audit verify` says which entry was changed first.
    """
    from cpctl.casework import access, people
    from cpctl.store import audit

    one_child = given_once(child, "--child", "child")
    store = open_store(ctx)
    with store.read() as session:
        found = people.find_child(session, one_child) if one_child else None
        with audit.tolerant_reads(session):
            if found is not None:
                rows = access.child_trail(session, found, limit=limit)
            else:
                rows = audit.entries(session, limit=limit)
            records = [audit.readable(r) for r in rows]
    if as_json:
        emit_json(records)
        return
    if not records:
        out().print("The audit trail is empty.")
        return
    grid = table("When (UTC)", "Who", "Action", "What")
    for r in records:
        when = r["at"][:19].replace("T", " ") if r["at"] is not None else None
        grid.add_row(
            *(UNREADABLE if value is None else value for value in (when, r["actor"], r["action"], r["summary"]))
        )
    console = out()
    console.print(grid)
    damaged = [str(r["id"]) for r in records if "unreadable" in r]
    if damaged:
        console.print(
            f"Entr{'ies' if len(damaged) > 1 else 'y'} {', '.join(damaged)} hold{'' if len(damaged) > 1 else 's'} "
            "values changed outside cpctl that cannot be read; `cpctl audit verify` checks the whole trail.",
            markup=False,
            soft_wrap=True,
        )


UNREADABLE = "(unreadable)"


@app.command("verify")
def audit_verify(
    ctx: typer.Context,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            metavar="HASH",
            help="A hash printed by an earlier `audit verify` and kept elsewhere: fail if that entry is gone.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check that no audit entry was changed, deleted, inserted or reordered outside cpctl (exit 1 if one was)."""
    import re

    from cpctl.errors import CpctlError
    from cpctl.store import audit

    if expect is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", expect.strip()):
        raise typer.BadParameter("give a hash that `cpctl audit verify` printed: 64 letters a-f and digits.")
    from cpctl.casework import access

    store = open_store(ctx)
    with store.read() as session:
        me = access.whoami(session)
        if me is not None and me.role not in ("owner", "auditor"):
            raise CpctlError(
                f"`cpctl audit verify` needs the store's owner or an auditor: your login {me.login} sees only part of "
                "the audit trail, and a part cannot be checked."
            )
        report = audit.verify(session, expect=expect.strip().lower() if expect else None)
    if as_json:
        emit_json(
            {
                "intact": report.intact,
                "entries": report.entries,
                "head": {"id": report.head_id, "hash": report.head_hash} if report.head_id else None,
                "broken_at": report.broken_at,
                "problem": report.problem,
            }
        )
    if not report.intact:
        raise CpctlError(f"the audit trail is broken {report.problem}.")
    if as_json:
        return
    if report.head_id is None:
        out().print("The audit trail is empty.")
        return
    out().print(
        f"The audit trail is intact: {report.entries} entries; the newest is entry {report.head_id} "
        f"with hash {report.head_hash}.",
        markup=False,
        soft_wrap=True,
    )
