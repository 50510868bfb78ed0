"""`cpctl census`: England's Children in Need census return, and the check of what it lacks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cpctl.commands.common import open_store, out, store_file


def census(
    ctx: typer.Context,
    year: Annotated[
        int,
        typer.Option(
            min=2009, max=2100, help="The collection year, by its end: 2025 is 1 April 2024 to 31 March 2025."
        ),
    ],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the census XML to this file.")] = None,
    check: Annotated[
        bool, typer.Option("--check", help="List what is missing or wrong, child by child, and how to fix it.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """England's Children in Need census return: check what it lacks, and write the DfE's XML.

    The child protection and section 47 modules, for the collection year ending 31 March YEAR.
    --check lists what is missing or breaks one of the DfE's validation rules (with the rule's number), and
    exits 1 if anything does. -o writes the file only when nothing is: never a file the DfE would refuse.
    Writing it is recorded in the audit trail as a disclosure."""
    from cpctl.casework import schedule
    from cpctl.errors import CpctlError, Invalid
    from cpctl.returns import census as returns
    from cpctl.store import settings

    if output is not None and check:
        raise typer.BadParameter("choose one: --check, or -o FILE.")
    if output is None and not check:
        raise typer.BadParameter("say what to do: --check, or -o FILE to write the census.")
    if output is not None:
        from cpctl.paths import check_output

        check_output(output, force=force, store=store_file(ctx))
    store = open_store(ctx)
    with store.read() as session:
        if settings.current(session).jurisdiction != "england":
            raise CpctlError("the Children in Need census is England's return; this store follows another nation.")
        profile = schedule.load_profile(session)
        built = returns.build(session, profile, year)
    found = returns.lines(built)
    if check:
        console = out()
        period = f"{built.start.isoformat()} to {built.end.isoformat()}"
        if not found:
            console.print(
                f"Census {year} ({period}): {len(built.children):,} children, nothing missing or wrong.",
                markup=False,
                soft_wrap=True,
            )
            return
        children = len({p.child for p in built.problems})
        console.print(
            f"Census {year} ({period}): {len(built.children):,} children; {len(found):,} to fix"
            f"{f' for {children:,} of them' if children else ''}:",
            markup=False,
            soft_wrap=True,
        )
        for line in found:
            console.print(f"  {line}", markup=False, soft_wrap=True)
        raise typer.Exit(1)
    assert output is not None
    if found:
        raise Invalid(
            f"the census {year} has {len(found):,} thing{'s' if len(found) != 1 else ''} missing or wrong; nothing "
            f"was written. See `cpctl census --year {year} --check`."
        )
    _write(store, built, profile, output, force=force)
    out().print(f"Wrote {output}: the census {year}, {len(built.children):,} children.", markup=False, soft_wrap=True)


def _write(store: object, built: object, profile: object, output: Path, *, force: bool) -> None:
    """The file, and its disclosure in the audit trail, as one step (`documents.disclose`)."""
    from datetime import datetime

    from cpctl import __version__
    from cpctl.documents.disclose import Disclosure, disclose_documents
    from cpctl.paths import OutputFiles
    from cpctl.returns.census import CensusReturn, to_xml
    from cpctl.rules.profile import Profile
    from cpctl.store.database import Store

    assert isinstance(store, Store) and isinstance(built, CensusReturn) and isinstance(profile, Profile)
    data = to_xml(built, profile, now=datetime.now(), release=__version__)
    disclosure = Disclosure(
        action="census.export",
        entity="census",
        entity_id=str(built.year),
        summary=f"Children in Need census {built.year} written ({len(built.children)} children)",
        details={
            "year": built.year,
            "children": [child.ref for child in built.children],
            "where": str(output),
        },
    )
    with OutputFiles(force=force, store=store.path) as files:
        files.add(output, data)
        disclose_documents(store, [disclosure], files=files)
