"""`cpctl db`: the store's schema revision, upgrades and backups."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cpctl.commands.common import JsonOpt, emit_json, open_store, out

if TYPE_CHECKING:
    from cpctl.filemodes import Exposure
    from cpctl.store.database import Store

app = typer.Typer(help="Check, upgrade, back up and restore the store.", no_args_is_help=True)


@app.command("status")
def db_status(
    ctx: typer.Context,
    as_json: JsonOpt = False,
) -> None:
    """Show which store is in use, its schema revision, and whether it needs an upgrade.

    It warns when others can read or change the store's files (at a terminal it offers to make them yours alone;
    `cpctl db secure` does that in a script).
    """
    import os
    import stat

    from cpctl.filemodes import exposed

    store = open_store(ctx, check_schema=False, warn_exposed=False)
    state = store.schema_state()
    info: dict[str, object] = {
        "url": store.display_url,
        "backend": store.backend,
        "revision": state.revision,
        "head": state.head,
        "up_to_date": state.current,
    }
    if store.path is not None and store.path.exists():
        mode = stat.S_IMODE(os.stat(store.path).st_mode)
        info["file"] = str(store.path)
        info["mode"] = f"{mode:04o}"
        info["size_bytes"] = store.path.stat().st_size
    exposures = exposed(store.path) if store.path is not None else []
    if exposures:
        info["exposed"] = [{"path": str(e.path), "mode": f"{e.mode:04o}", "problem": e.line()} for e in exposures]
    if as_json:
        emit_json(info)
        return
    console = out()
    console.print(f"Store:     {info['url']} ({info['backend']})", markup=False, soft_wrap=True)
    if "mode" in info:
        console.print(f"File mode: {info['mode']}, {info['size_bytes']} bytes", markup=False, soft_wrap=True)
    for exposure in exposures:
        console.print(f"Warning:   {exposure.line()}", markup=False, soft_wrap=True)
    if state.current:
        console.print(f"Schema:    revision {state.revision} (up to date)", markup=False, soft_wrap=True)
    elif state.empty:
        console.print(
            f"Schema:    none yet (a new store; it is created at revision {state.head} on first use)",
            markup=False,
        )
    else:
        console.print(
            f"Schema:    revision {state.revision}; this cpctl needs {state.head}: run `cpctl db upgrade`",
            markup=False,
        )
    if store.path is not None:
        _offer_to_secure(store.path, exposures)


def _offer_to_secure(path: Path, exposures: list[Exposure]) -> bool:
    """At a terminal, offer to make the store's files yours alone now; True when they were made so."""
    from cpctl.commands.common import asked, interactive

    if not exposures or not interactive():
        return False
    import questionary

    if not asked(questionary.confirm("Make the store's files readable and writable only by you now?")):
        return False
    from cpctl.filemodes import secure

    _print_secured(secure(path))
    return True


def _print_secured(fixed: list[Exposure]) -> None:
    console = out()
    for exposure in fixed:
        console.print(
            f"Made {exposure.what} {exposure.path} yours alone: mode {exposure.mode:04o} → "
            f"{exposure.private_mode:04o}.",
            markup=False,
            soft_wrap=True,
        )


@app.command("secure")
def db_secure(ctx: typer.Context) -> None:
    """Make the store's files readable and writable only by you (0600), and its folder writable only by you.

    SQLite gives the files it makes beside the store (-wal, -shm) the store's own mode, so they are made private
    too. A store on a database server has no files here: the server's own access rules protect it.
    """
    from cpctl.commands.common import CliState
    from cpctl.errors import CpctlError
    from cpctl.filemodes import secure
    from cpctl.paths import database_url, sqlite_path

    state = ctx.find_root().obj or CliState()
    url = database_url(state.db_path)
    path = sqlite_path(url)
    if path is None:
        raise CpctlError(
            "the store is a database on a server; its server's own access rules protect it, so there are no files "
            "here to make private."
        )
    if not path.is_file():
        raise CpctlError(f"there is no store at {path}; check --db, $CPCTL_DB or $CPCTL_DATABASE_URL.")
    fixed = secure(path)
    if not fixed:
        out().print("The store's files are already readable and writable only by you: nothing to change.")
    _print_secured(fixed)


@app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Upgrade the store's schema to this cpctl's version (the store is backed up first)."""
    store = open_store(ctx, check_schema=False)
    before = store.schema_state()
    if before.current:
        out().print(f"The store is already at revision {before.head}; nothing to do.")
        return
    store.upgrade(backup=True)
    line = f"Upgraded the store from revision {before.revision or 'none'} to {before.head}."
    if store.backup_made is not None:
        line += f" The store as it was is at {store.backup_made}"
    out().print(line, markup=False, soft_wrap=True)


@app.command("backup")
def db_backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the copy (readable only by you).")],
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Copy the store to PATH, consistently, even while others are writing to it.

    The copy is one SQLite file that only you may read, whatever database the store is in: cpctl opens it with
    --db PATH, and `cpctl db restore PATH` puts it back.
    """
    from cpctl.casework import access

    store = open_store(ctx)
    with store.read() as session:
        me = access.whoami(session)
    target = store.backup_to(path, force=force)
    if me is not None and not me.owner:
        out().print(
            f"Backed up what the login {me.login} may see to {target}: a partial backup, not the whole store "
            "(only the store's owner can take that).",
            markup=False,
            soft_wrap=True,
        )
        return
    out().print(f"Backed the store up to {target}", markup=False, soft_wrap=True)


def _owner_only(store: Store, why: str) -> None:
    """On a team's store, refuse a login other than its owner, in one line."""
    from cpctl.casework import access
    from cpctl.errors import CpctlError

    with store.read() as session:
        me = access.whoami(session)
    if me is not None and not me.owner:
        raise CpctlError(f"{why}; your login {me.login} sees only part of it.")


@app.command("restore")
def db_restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A backup made by `cpctl db backup`.")],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Restore even over a newer store (a later schema revision, or changes the backup lacks), or "
            "from a backup whose audit trail is broken.",
        ),
    ] = False,
) -> None:
    """Replace everything in the store with a backup, in one step, keeping a copy of the store as it was.

    Refused over a store that is newer than the backup unless --force: one at a later schema revision, or whose
    newest audit entry the backup does not hold. A damaged backup (tables or columns missing, values `cpctl db
    check` would refuse) is refused even with --force. An interrupted restore leaves the store as it was.
    """
    from cpctl.casework import checks

    store = open_store(ctx)
    restored = store.restore_from(path, check=lambda copy: checks.check(copy, chain=False).problems, force=force)
    counts = restored.counts
    held = ", ".join(
        f"{counts[key]} {one if counts[key] == 1 else many}"
        for key, one, many in (
            ("child", "child", "children"),
            ("conference", "conference", "conferences"),
            ("audit_entry", "audit entry", "audit entries"),
        )
    )
    out().print(
        f"Restored the store from {restored.backup}: {held}. The store as it was is at {restored.safety_copy}",
        markup=False,
        soft_wrap=True,
    )


@app.command("check")
def db_check(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Check that the store is whole: the database's own checks, then cpctl's rules (exit 1 on a problem).

    Every table and column cpctl makes; every value of its column's type, within cpctl's length limits and free of
    control characters; every plan version and decision readable; then references between records, one plan in
    force per child, plans and versions numbered in order, a decision behind every plan, every change with its
    audit entry, deadlines that match their events, and an unbroken audit trail. A SQLite store whose files
    others can read or change is a problem too (at a terminal it offers to make them yours alone; `cpctl db
    secure` does that in a script).
    """
    from cpctl.casework import checks
    from cpctl.errors import CpctlError
    from cpctl.filemodes import exposed

    store = open_store(ctx, warn_exposed=False)
    _owner_only(store, "`cpctl db check` reads the whole store: only its owner can check it")
    report = checks.check(store)
    exposures = exposed(store.path) if store.path is not None else []
    problems = report.problems + [e.line() for e in exposures]
    if as_json:
        emit_json({"ok": not problems, "counts": report.counts, "problems": problems, "notes": report.notes})
    else:
        console = out()
        counted = ", ".join(f"{count} {name}" for name, count in report.counts.items())
        console.print(f"Checked {store.display_url}: {counted}.", markup=False, soft_wrap=True)
        for line in problems:
            console.print(f"  problem: {line}", markup=False, soft_wrap=True)
        for line in report.notes:
            console.print(f"  note: {line}", markup=False, soft_wrap=True)
        if store.path is not None and _offer_to_secure(store.path, exposures):
            exposures = []
        if not problems:
            console.print("No problems found.")
    if not report.ok:
        many = len(report.problems)
        raise CpctlError(
            f"the store has {many} problem{'s' if many != 1 else ''}; restore a backup made before it was "
            "damaged (`cpctl db restore`), or report it."
            + (" Others can reach its files too: run `cpctl db secure`." if exposures else "")
        )
    if exposures:
        raise CpctlError(
            "others can read or change the store's files; run `cpctl db secure` to make them yours alone, then "
            "check again."
        )
