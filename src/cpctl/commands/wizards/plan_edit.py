"""`cpctl plan edit` in a terminal: revise the plan in force part by part, then Save, go back or Cancel.

Nothing is saved here: the command saves what this returns, as a new version, once it has checked that no one
saved another version meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cpctl.commands.common import markup_free, out
from cpctl.commands.wizards.context import load_context, plan_facts
from cpctl.commands.wizards.plan_life import PlanLife, choose_child_on_plan, numbered
from cpctl.commands.wizards.prompts import ask_what_now, say

if TYPE_CHECKING:
    from cpctl.casework.plan import PlanContent
    from cpctl.store.database import Store


def edit_plan_wizard(
    store: Store, child: str, *, agreed_by: str | None, draft: bool
) -> tuple[PlanContent, str | None, bool, int]:
    """Revise the current version part by part; returns the plan, who agreed a significant change, draft, and the
    number of the version the revision began from."""
    from cpctl.errors import Cancelled

    ctx = load_context(store, only=child)
    ref = choose_child_on_plan(store, ctx, child, "edit")
    facts = plan_facts(store, ctx, ref)
    wizard = PlanLife(ctx, facts)
    out().print(
        f"[bold]Revising plan {facts.child.plan_number} for {markup_free(facts.child.name)}[/bold] "
        f"({markup_free(ref)}), "
        f"version {facts.version}. Choose a part to change, then Done; nothing is overwritten, the revision is "
        "saved as a new version. Ctrl-C at any question stops without saving anything."
    )
    plan: PlanContent = facts.content
    agreed = agreed_by
    while True:
        revised, agreed = wizard.revise(plan, agreed, drop="Cancel: save nothing")
        if revised is None:
            raise Cancelled()
        plan = revised
        out().print(f"\n[bold]Summary: plan {facts.child.plan_number} for {markup_free(facts.child.name)}[/bold]")
        gaps = wizard.show_changes(plan, agreed)
        unchanged = numbered(plan, facts.content) == facts.content
        if unchanged:
            say("  Nothing has changed yet.")
        choice = ask_what_now(
            can_save=not unchanged,
            draft="Save as a draft, with the gaps recorded" if gaps else None,
            back="Go back and change the plan",
        )
        if choice == "back":
            continue
        return plan, agreed, draft or choice == "draft", facts.version
