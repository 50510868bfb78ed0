"""`cpctl db`: the store's schema revision, upgrades and backups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cpctl.commands.common import JsonOpt, emit_json, open_store, out

app = typer.Typer(help="Check, upgrade and back up the store.", no_args_is_help=True)


@app.command("status")
def db_status(
    ctx: typer.Context,
    as_json: JsonOpt = False,
) -> None:
    """Show which store is in use, its schema revision, and whether it needs an upgrade."""
    import os
    import stat

    store = open_store(ctx, check_schema=False)
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
    if as_json:
        emit_json(info)
        return
    console = out()
    console.print(f"Store:     {info['url']} ({info['backend']})", markup=False)
    if "mode" in info:
        console.print(f"File mode: {info['mode']}, {info['size_bytes']} bytes", markup=False)
    if state.current:
        console.print(f"Schema:    revision {state.revision} (up to date)", markup=False)
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


@app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Upgrade the store's schema to this cpctl's version (a SQLite store is backed up first)."""
    store = open_store(ctx, check_schema=False)
    before = store.schema_state()
    if before.current:
        out().print(f"The store is already at revision {before.head}; nothing to do.")
        return
    store.upgrade(backup=True)
    line = f"Upgraded the store from revision {before.revision or 'none'} to {before.head}."
    if store.backup_made is not None:
        line += f" The store as it was is at {store.backup_made}"
    out().print(line, markup=False)


@app.command("backup")
def db_backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Where to write the copy (readable only by you).")],
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Copy the store to PATH, consistently, even while others are writing to it."""
    store = open_store(ctx)
    target = store.backup_to(path, force=force)
    out().print(f"Backed the store up to {target}", markup=False)
