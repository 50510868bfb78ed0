"""`cpctl demo`: a synthetic family in a throwaway store, to see cpctl work end to end."""

from __future__ import annotations

from typing import Annotated

import typer

from cpctl.commands.common import CliState, out


def demo(
    ctx: typer.Context,
    db_path: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH",
            help="Build the demo in this (new) store file, or empty database URL, instead of a throwaway one.",
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
    """Build a synthetic family (the Testwoods) in a throwaway store and show what cpctl holds for them.

    With --children N, build a synthetic authority (or nation) instead: every person in it is invented too."""
    import tempfile
    from pathlib import Path

    from rich.markup import escape

    from cpctl import demo as demo_data
    from cpctl.commands import child, conference, due, plan
    from cpctl.paths import is_url, sqlite_url
    from cpctl.store import Store

    root_state = ctx.find_root().obj or CliState()
    chosen = db_path or root_state.db_path
    if children is not None:
        if chosen and is_url(chosen):
            _synthetic_authority(chosen, chosen, children)
        else:
            target = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="cpctl-demo-")) / "demo.db"
            _synthetic_authority(sqlite_url(target), str(target), children)
        return
    if chosen and is_url(chosen):
        url = chosen
    else:
        path = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="cpctl-demo-")) / "demo.db"
        url = sqlite_url(path)
    store = Store(url)
    where = str(store.path) if store.path is not None else store.display_url
    try:
        made = demo_data.build(store)
        review_ref = demo_data.record_plan_life(store)
    finally:
        store.dispose()
    console = out()
    console.print(f"[bold]cpctl demo[/bold]: a synthetic family in {escape(where)}", highlight=False)
    console.print(
        f"Everyone here is invented. Explore it with:  cpctl --db {where} child show {made.children[0]}\n",
        markup=False,
    )
    ctx.find_root().obj = CliState(db_path=str(store.path) if store.path is not None else url)
    console.print("[bold]$ cpctl child list[/bold]")
    ctx.invoke(child.child_list, ctx=ctx, family=None, as_json=False)
    console.print("\n[bold]$ cpctl conference show CF00001[/bold]   (the initial conference, 13 weeks ago)")
    ctx.invoke(conference.conference_show, ctx=ctx, ref="CF00001", as_json=False)
    console.print(f"\n[bold]$ cpctl plan diff {made.children[0]} 1 3[/bold]   (what two core groups changed)")
    ctx.invoke(plan.plan_diff, ctx=ctx, child=made.children[0], a=1, b=3, plan_number=None, as_json=False)
    console.print(f"\n[bold]$ cpctl conference show {review_ref}[/bold]   (the review, 3 months on)")
    ctx.invoke(conference.conference_show, ctx=ctx, ref=review_ref, as_json=False)
    console.print(f"\n[bold]$ cpctl child show {made.children[0]}[/bold]")
    ctx.invoke(child.child_show, ctx=ctx, child=made.children[0], as_json=False)
    console.print("\n[bold]$ cpctl due --explain[/bold]")
    ctx.invoke(due.due, ctx=ctx, explain=True)


def _synthetic_authority(url: str, where: str, children: int) -> None:
    import time

    from cpctl import synthetic
    from cpctl.commands.common import err
    from cpctl.store import Store

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
