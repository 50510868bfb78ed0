"""`cpctl init`: set up a store for an authority and register who is using it."""

from __future__ import annotations

from typing import Annotated

import typer

from cpctl.commands.common import asked, interactive, open_store, out

JURISDICTION_HELP = "england, wales, scotland, northern-ireland or guernsey"
ROLE_HELP = "chair, social-worker, manager or other"


def init(
    ctx: typer.Context,
    authority: Annotated[str | None, typer.Option(help="Your local authority's name.")] = None,
    jurisdiction: Annotated[str | None, typer.Option(help=f"Whose procedures apply: {JURISDICTION_HELP}.")] = None,
    name: Annotated[str | None, typer.Option(help="Your own name, as it should appear on records.")] = None,
    role: Annotated[str | None, typer.Option(help=f"Your role: {ROLE_HELP}.")] = None,
    lea: Annotated[
        str | None,
        typer.Option(
            "--lea",
            metavar="CODE",
            help="England: the authority's 3-digit LA code, for the census (alone, on a set-up store: sets just it).",
        ),
    ] = None,
) -> None:
    """Set up the store: your authority, its jurisdiction, and who you are (asks for anything not given)."""
    from cpctl.casework import users
    from cpctl.errors import CpctlError
    from cpctl.store import settings

    given = {"authority": authority, "jurisdiction": jurisdiction, "name": name, "role": role}
    missing = [key for key, value in given.items() if not value]
    if lea is not None and len(missing) == len(given):
        _set_lea_only(ctx, lea)
        return
    if missing and not interactive():  # refused before the store is opened: a refusal creates no store
        flags = ", ".join(f"--{key}" for key in missing)
        raise CpctlError(f"cpctl init needs {flags} when it is not run in a terminal.")
    store = open_store(ctx)
    with store.read() as session:
        existing_authority = settings.get(session, "authority")
        existing_jurisdiction = settings.get(session, "jurisdiction")
        me = settings.current_user_person(session)
    if missing:
        given.update(
            ask_init(
                missing,
                authority=existing_authority,
                jurisdiction=existing_jurisdiction,
                name=me.name if me else None,
            )
        )
    with store.write() as session:
        person = users.initialise(
            session,
            authority=given["authority"] or "",
            jurisdiction=given["jurisdiction"] or "",
            name=given["name"] or "",
            role=given["role"] or "",
        )
        if lea is not None:
            users.set_census_lea(session, lea)
        state = settings.current(session)
    out().print(
        f"This store is set up for {state.authority} ({state.jurisdiction}). "
        f"You are {person.name}, {person.role} ({person.ref}).",
        markup=False,
    )


def _set_lea_only(ctx: typer.Context, lea: str) -> None:
    """`cpctl init --lea 201` on a store already set up: the LA code alone, nothing asked."""
    from cpctl.casework import users
    from cpctl.store import settings

    store = open_store(ctx)
    with store.write() as session:
        state = settings.current(session)
        changed = users.set_census_lea(session, lea)
    if changed:
        out().print(f"The LA code of {state.authority} is now {lea.strip()} (the census's LEA).", markup=False)
    else:
        out().print(f"The LA code of {state.authority} was already {lea.strip()}; nothing changed.", markup=False)


def ask_init(
    missing: list[str], *, authority: str | None, jurisdiction: str | None, name: str | None
) -> dict[str, str]:
    """Ask for each missing setting, offering what the store already holds as the default."""
    import questionary

    from cpctl.rules.jurisdictions import JURISDICTIONS
    from cpctl.store.settings import USER_ROLES

    answers: dict[str, str] = {}
    if "authority" in missing:
        answers["authority"] = asked(
            questionary.text(
                "Local authority:",
                default=authority or "",
                validate=lambda text: bool(text.strip()) or "Type the authority's name",
            )
        )
    if "jurisdiction" in missing:
        answers["jurisdiction"] = asked(
            questionary.select("Jurisdiction:", choices=list(JURISDICTIONS), default=jurisdiction or "england")
        )
    if "name" in missing:
        answers["name"] = asked(
            questionary.text(
                "Your name:", default=name or "", validate=lambda text: bool(text.strip()) or "Type your name"
            )
        )
    if "role" in missing:
        choices = [questionary.Choice(title=label, value=key) for key, label in USER_ROLES.items()]
        answers["role"] = asked(questionary.select("Your role:", choices=choices))
    return answers
