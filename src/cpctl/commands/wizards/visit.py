"""`cpctl visit record` in a terminal: ask for whatever of a visit was not given on the command line."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from cpctl.commands.wizards.context import ChildInfo, PersonInfo, find_child, load_context
from cpctl.commands.wizards.prompts import ask_confirm, ask_items, ask_required_date, ask_select, mark_private

if TYPE_CHECKING:
    from cpctl.casework.visits import VisitIn
    from cpctl.store.database import Store


def ask_visit(
    store: Store,
    *,
    child: str | None,
    on: date | None,
    visitor: str | None,
    announced: bool | None,
    alone: bool | None,
    bedroom: bool | None,
    notes: list[Any],
) -> VisitIn:
    """Ask for whatever of a visit was not given on the command line; nothing is saved here."""
    from cpctl.casework.visits import VisitIn
    from cpctl.errors import CpctlError

    ctx = load_context(store, only=child)
    today = on or date.today()
    if child is None:
        on_plan = [c for c in ctx.children.values() if c.plan_number is not None and c.born_by(today)]
        if not on_plan:
            raise CpctlError(
                "no child in this store is on a plan to visit; name the child: `cpctl visit record CHILD`."
            )
        ref = str(ask_select("Which child was visited?", [(c.label, c.ref) for c in on_plan]))
    else:
        ref = find_child(store, child)
    info = ctx.children[ref]
    if info.date_of_birth is None:
        raise CpctlError(
            f"child {ref} is not born yet, so there is no visit to record; record the birth first "
            f"(`cpctl child edit {ref} --dob DATE`)."
        )
    if on is None:
        on = _ask_date(info, ctx.jurisdiction)
    if visitor is None:
        lead = info.lead_worker
        first = lead if lead in ctx.people else ctx.me
        professionals = sorted(
            (p for p in ctx.people.values() if p.kind == "professional"),
            key=lambda p: (p.ref != first, p.ref != ctx.me),
        )
        if not professionals:
            raise CpctlError("there is no professional in this store to have made the visit: run `cpctl init`.")

        def shown(p: PersonInfo) -> str:
            marks = [word for ref, word in ((lead, "the lead worker"), (ctx.me, "you")) if p.ref == ref]
            return p.label + (f"  ({', '.join(marks)})" if marks else "")

        visitor = str(ask_select("Who visited?", [(shown(p), p.ref) for p in professionals], default=first))
    if announced is None:
        announced = ask_confirm("Was the visit announced?", True)
    if alone is None:
        alone = ask_confirm(f"Was {info.name} seen alone?", False)
    if bedroom is None:
        bedroom = ask_confirm(f"Was {info.name}'s bedroom seen?", False)
    if not notes:
        items = ask_items("Notes of the visit", [])
        mark_private([("Note", items, "text")])
        notes = items
    return VisitIn(
        child=ref,
        date=on,
        visitor=visitor,
        announced=announced,
        seen_alone=alone,
        bedroom_seen=bedroom,
        notes=notes,
    )


def _ask_date(info: ChildInfo, jurisdiction: str) -> date:
    """The visit's date: not in the future, not before the plan began; a weekend or bank holiday is confirmed."""
    from cpctl.casework.visits import closed_in
    from cpctl.dates import british
    from cpctl.rules import profile

    calendar = profile.load(jurisdiction).calendar
    birth, started = info.date_of_birth, info.plan_started
    earliest = max(d for d in (birth, started) if d is not None) if (birth or started) else None
    while True:
        on = ask_required_date(
            "Date of the visit (today, DD/MM/YYYY or YYYY-MM-DD):",
            None,
            required="Give the date of the visit.",
            latest=date.today(),
            earliest=earliest,
            too_late="That is in the future: record a visit once it has happened.",
            too_early=(
                f"That is before {info.name}'s plan began on {british(started)}: check the date."
                if started and earliest == started
                else f"{info.name} was not born by then."
            ),
        )
        closed = closed_in(calendar, on)
        if closed is None or ask_confirm(f"{british(on)} is {closed}. Was that the day of the visit?", False):
            return on
