"""`cpctl demo`: a synthetic family in a store of its own, to see cpctl work end to end."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Annotated

import typer

from cpctl.commands.common import CliState, out

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def demo(
    ctx: typer.Context,
    db_path: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Build the demo in this (new) store file, or empty database URL, instead of the demo's own store "
            "in your data folder (demo/cpctl.db, replaced by each demo).",
        ),
    ] = None,
    children: Annotated[
        int | None,
        typer.Option(
            "--children",
            min=1,
            max=1_000_000,
            metavar="N",
            help="Instead of the Testwoods: a synthetic authority with N children on plans today, their history "
            "and the plans that ended in the last three months, for benchmarks (50,000 is England).",
        ),
    ] = None,
) -> None:
    """Build a synthetic family (the Testwoods) in the demo's own store and show what cpctl holds for them.

    The store is demo/cpctl.db in your data folder, kept for exploring until the next demo replaces it (the demo
    says how to remove it). A demo that fails or is stopped with Ctrl-C before the store is whole removes it.

    With --children N, build a synthetic authority (or nation) instead: every person in it is invented too."""
    import shlex
    from pathlib import Path

    from rich.markup import escape

    from cpctl.commands import child, conference, due, plan
    from cpctl.demo import testwoods as demo_data
    from cpctl.paths import is_url, sqlite_url
    from cpctl.store.database import Store

    root_state = ctx.find_root().obj or CliState()
    chosen = db_path or root_state.db_path
    if children is not None:
        if chosen and is_url(chosen):
            _synthetic_authority(chosen, chosen, children)
        else:
            target = Path(chosen) if chosen else fresh_demo_store()
            with _removed_unless_finished(None if chosen else target):
                _synthetic_authority(sqlite_url(target), str(target), children)
        return
    if chosen and is_url(chosen):
        url = chosen
    else:
        path = Path(chosen) if chosen else fresh_demo_store()
        url = sqlite_url(path)
    store = Store(url)
    where = str(store.path) if store.path is not None else store.display_url
    documents = fresh_demo_documents()
    with _removed_unless_finished(None if chosen else store.path, documents):
        try:
            made = demo_data.build(store)
            review_ref = demo_data.record_plan_life(store, documents=documents)
        finally:
            store.dispose()
    console = out()
    console.print(f"[bold]cpctl demo[/bold]: a synthetic family in {escape(where)}", highlight=False)
    if not chosen:
        console.print("This is the demo's own store, in your data folder: the next `cpctl demo` replaces it.")
    console.print(
        f"Everyone here is invented. Explore it with:  cpctl --db {shlex.quote(where)} child show {made.children[0]}",
        markup=False,
    )
    if not chosen and store.path is not None:
        console.print(
            f"It stays there for exploring; when you are done:  rm -r {shlex.quote(str(store.path.parent))}",
            markup=False,
        )
    console.print()
    ctx.find_root().obj = CliState(db_path=str(store.path) if store.path is not None else url)
    console.print("[bold]$ cpctl child list[/bold]")
    ctx.invoke(child.child_list, ctx=ctx, family=None, as_json=False)
    console.print("\n[bold]$ cpctl conference show CF00001[/bold]   (the initial conference, 13 weeks ago)")
    ctx.invoke(conference.conference_show, ctx=ctx, ref="CF00001", as_json=False)
    console.print(f"\n[bold]$ cpctl plan diff {made.children[0]} 1 3[/bold]   (what two core groups changed)")
    ctx.invoke(plan.plan_diff, ctx=ctx, child=made.children[0], a=1, b=3, plan_number=None, as_json=False)
    console.print("\n[bold]$ cpctl conference show BK00001[/bold]   (the review as booked: invitations and reports)")
    ctx.invoke(conference.conference_show, ctx=ctx, ref="BK00001", as_json=False)
    console.print(f"\n[bold]$ cpctl conference show {review_ref}[/bold]   (the review, 3 months on)")
    ctx.invoke(conference.conference_show, ctx=ctx, ref=review_ref, as_json=False)
    console.print(
        f"\nThe invitations to the review, and the outcome letters and records of both conferences, that the demo "
        f"wrote as `cpctl conference invite BK00001`, `conference letter {review_ref}` and `conference record "
        f"{review_ref}` write them, in {escape(str(documents))}:",
        highlight=False,
    )
    for written in sorted(documents.iterdir()):
        console.print(f"  {written.name}", markup=False, highlight=False)
    console.print(f"\n[bold]$ cpctl child show {made.children[0]}[/bold]")
    ctx.invoke(child.child_show, ctx=ctx, child=made.children[0], as_json=False)
    console.print("\n[bold]$ cpctl due --explain[/bold]")
    ctx.invoke(due.due, ctx=ctx, explain=True)


@contextlib.contextmanager
def _removed_unless_finished(path: Path | None, documents: Path | None = None) -> Iterator[None]:
    """Remove the demo's own store (`path`; None: a store the user named, never removed) and its documents
    (`documents`) when building it fails or is stopped (Ctrl-C, a signal), so that no half-built family is left
    behind; a finished one is kept."""
    try:
        yield
    except BaseException:
        if path is not None:
            from cpctl.paths import store_files

            for made in store_files(path):
                made.unlink(missing_ok=True)
        if documents is not None:
            import shutil

            shutil.rmtree(documents, ignore_errors=True)
        raise


def fresh_demo_documents() -> Path:
    """The demo's documents folder, demo/documents in the data folder (0700), emptied: the invitations, letters and
    record the demo writes, kept for reading until the next demo replaces them."""
    import shutil

    from cpctl.paths import data_dir, make_private_folders

    folder = data_dir() / "demo" / "documents"
    shutil.rmtree(folder, ignore_errors=True)
    make_private_folders(folder)
    return folder


def fresh_demo_store() -> Path:
    """The demo's own store, demo/cpctl.db in the data folder (0700), emptied: the previous demo's store and
    SQLite's files beside it are removed. One demo store, kept for exploring, never the user's own store."""
    from cpctl.paths import data_dir, make_private_folders, store_files

    folder = data_dir() / "demo"
    make_private_folders(folder)
    path = folder / "cpctl.db"
    for old in store_files(path):
        old.unlink(missing_ok=True)
    return path


def _synthetic_authority(url: str, where: str, children: int) -> None:
    import time

    from cpctl.commands.common import err
    from cpctl.demo import synthetic
    from cpctl.store.database import Store

    started = time.perf_counter()
    console = err()

    def progress(done: int, total: int) -> None:
        console.print(f"  {done:,} of {total:,} children written", markup=False)

    store = Store(url)
    where = str(store.path) if store.path is not None else store.display_url
    try:
        summary = synthetic.build(store, children=children, progress=progress)
    finally:
        store.dispose()
    rows = sum(summary.rows.values())
    out().print(
        f"A synthetic authority in {where}: {summary.children_on_plans:,} children on plans today, "
        f"{summary.ended_plans:,} plans that ended, {summary.children:,} children in all; {rows:,} rows "
        f"in {time.perf_counter() - started:.0f} s. Everyone in it is invented.",
        markup=False,
    )
