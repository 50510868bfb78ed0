"""`cpctl person`: parents, carers, relatives and professionals."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cpctl.commands.common import JsonOpt, emit_json, given_once, markup_free, open_store, out, table

app = typer.Typer(help="Add, list, show and edit parents, carers, relatives and professionals.", no_args_is_help=True)

KindOpt = Annotated[str | None, typer.Option(help="parent, carer, family or professional.")]
RoleOpt = Annotated[str | None, typer.Option(help="Their role, e.g. 'Health visitor', 'Mother', 'Class teacher'.")]
AgencyOpt = Annotated[str | None, typer.Option(help="Their agency or organisation.")]
EmailOpt = Annotated[str | None, typer.Option(help="Email address.")]
PhoneOpt = Annotated[str | None, typer.Option(help="Phone number.")]
AddressOpt = Annotated[str | None, typer.Option(help="Postal address.")]
LanguageOpt = Annotated[str | None, typer.Option("--language", help="Preferred language, if not English.")]
ChildOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--child", metavar="CHILD", help="Link them to this child (id or name); repeat it for each of several children."
    ),
]
RelationshipOpt = Annotated[str | None, typer.Option(help="How they stand to each --child, e.g. 'mother'.")]


@app.command("add")
def person_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Their full name.")],
    kind: Annotated[str, typer.Option(help="parent, carer, family or professional.")] = "professional",
    role: RoleOpt = None,
    agency: AgencyOpt = None,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    address: AddressOpt = None,
    language: LanguageOpt = None,
    child: ChildOpt = None,
    relationship: RelationshipOpt = None,
    ref: Annotated[
        str | None, typer.Option("--ref", help="Your own reference for them (made up if not given).")
    ] = None,
) -> None:
    """Add a parent, carer, relative or professional."""
    from cpctl.casework import people
    from cpctl.errors import Invalid

    if relationship and not child:
        raise Invalid("--relationship needs --child: say which child they are related to.")
    store = open_store(ctx)
    with store.write() as session:
        linked = _children(session, child)
        person = people.add_person(
            session,
            name=name,
            kind=kind,
            role=role,
            agency=agency,
            email=email,
            phone=phone,
            address=address,
            preferred_language=language,
            ref=ref,
        )
        for found in linked:
            people.link(session, found, person, relationship)
        line = f"Added {person.kind} {person.ref}: {person.name}"
        if linked:
            line += f", linked to {_and([found.ref for found in linked])}"
    out().print(line, markup=False)


def _children(session: Any, keys: list[str] | None) -> list[Any]:
    """The children that each --child names, each once (WB-2001 and Leo may be the same child)."""
    from cpctl.casework import people

    found: dict[int, Any] = {}
    for key in keys or []:
        child = people.find_child(session, key)
        found.setdefault(child.id or 0, child)
    return list(found.values())


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@app.command("list")
def person_list(
    ctx: typer.Context,
    kind: KindOpt = None,
    child: Annotated[
        list[str] | None, typer.Option("--child", metavar="CHILD", help="Only the people around this child.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the people in the store."""
    from cpctl.casework import people

    key = given_once(child, "--child", "child")
    store = open_store(ctx)
    with store.read() as session:
        linked = people.find_child(session, key) if key else None
        records = [people.person_record(p) for p in people.list_people(session, kind=kind, child=linked)]
    if as_json:
        emit_json(records)
        return
    if not records:
        out().print("No people yet: add one with `cpctl person add NAME --kind parent`.")
        return
    grid = table("Ref", "Name", "Kind", "Role", "Agency")
    for r in records:
        grid.add_row(r["ref"], r["name"], r["kind"], r["role"] or "", r["agency"] or "")
    out().print(grid)


@app.command("show")
def person_show(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Their reference (or name).")],
    as_json: JsonOpt = False,
) -> None:
    """Show one person and the children they are linked to."""
    from cpctl.casework import people

    store = open_store(ctx)
    with store.read() as session:
        found = people.find_person(session, person)
        record: dict[str, Any] = people.person_record(found)
        record["children"] = [
            {"id": c.ref, "name": c.full_name, "relationship": rel}
            for c, rel in people.children_of_person(session, found)
        ]
    if as_json:
        emit_json(record)
        return
    console = out()
    console.print(f"[bold]{markup_free(record['name'])}[/bold]  ({markup_free(record['ref'])}, {record['kind']})")
    for label, key in (
        ("Role", "role"),
        ("Agency", "agency"),
        ("Email", "email"),
        ("Phone", "phone"),
        ("Address", "address"),
        ("Language", "preferred_language"),
    ):
        if record[key]:
            console.print(f"  {label + ':':<10}{record[key]}", markup=False)
    for c in record["children"]:
        console.print(f"  {c['relationship']} of {c['name']} ({c['id']})", markup=False)


@app.command("edit")
def person_edit(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Their reference (or name).")],
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    kind: KindOpt = None,
    role: RoleOpt = None,
    agency: AgencyOpt = None,
    email: EmailOpt = None,
    phone: PhoneOpt = None,
    address: AddressOpt = None,
    language: LanguageOpt = None,
    child: ChildOpt = None,
    relationship: RelationshipOpt = None,
) -> None:
    """Change a person's details, or link them to a child (or several) with --child and --relationship."""
    from cpctl.casework import people
    from cpctl.errors import Invalid

    changes = {
        key: value
        for key, value in {
            "name": name,
            "kind": kind,
            "role": role,
            "agency": agency,
            "email": email,
            "phone": phone,
            "address": address,
            "preferred_language": language,
        }.items()
        if value is not None
    }
    if not changes and not child:
        raise Invalid("nothing to change: give at least one option, e.g. --phone or --child (see --help).")
    if relationship and not child:
        raise Invalid("--relationship needs --child: say which child they are related to.")
    store = open_store(ctx)
    with store.write() as session:
        found = people.find_person(session, person)
        changed = people.edit_person(session, found, **changes)
        linked = [c for c in _children(session, child) if people.link(session, c, found, relationship)]
        if linked:
            changed["child"] = [None, ", ".join(c.ref for c in linked)]
        ref = found.ref
    if changed:
        out().print(f"Updated {ref}: " + ", ".join(key.replace("_", " ") for key in changed), markup=False)
    else:
        out().print(f"{ref} already had those details; nothing changed.", markup=False)
