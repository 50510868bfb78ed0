"""The body of a plan, asked the same way by every wizard: actions and services, and how the child is seen.

`PlanPrompts` adds these questions to the people ones; the conference wizard asks them for an outline plan, the
core group and plan edit wizards for a plan in force, with its current version as the defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cpctl.commands.wizards.people import PeoplePrompts
from cpctl.commands.wizards.prompts import DONE, ask_checkbox, ask_date, ask_select, ask_text, short

if TYPE_CHECKING:
    from cpctl.casework.plan import Action, ChildSeen
    from cpctl.commands.wizards.context import ChildInfo

UNDECIDED = "\x00undecided"
PRESENT_WORDS = {"yes": "Yes, parents present", "no": "No, without the parents", "sometimes": "Sometimes"}


class PlanPrompts(PeoplePrompts):
    """Questions about the body of a plan: its actions and services, and how the child will be seen."""

    def actions_group(self, actions: list[Action]) -> tuple[str, list[Any], Any]:
        """The actions as a group for `mark_private`: each shown with who is responsible."""
        return ("Action", actions, lambda a: f"{a.what} ({self.who_label(a.who)})")

    def seen_group(self, seen: list[ChildSeen]) -> tuple[str, list[Any], Any]:
        """How the child is seen, as a group for `mark_private`: by whom and how often."""
        return ("Seen by", seen, lambda x: f"{self.who_label(x.who)}, {x.how_often or ''}")

    def ask_actions(self, existing: list[Action]) -> list[Action]:
        kept = list(existing)
        if existing:
            chosen = ask_checkbox(
                "Actions and services: keep which?",
                [
                    (short(f"{a.id or ''} {a.what} ({self.who_label(a.who)})".strip()), index, True)
                    for index, a in enumerate(existing)
                ],
            )
            kept = [existing[index] for index in chosen]
        while True:
            action = self.ask_action(number=len(kept) + 1)
            if action is None:
                return kept
            kept.append(action)

    def ask_action(self, before: Action | None = None, *, number: int = 1) -> Action | None:
        """One action or service, field by field; `before` gives the defaults and keeps its id.

        A new action (no `before`) left without a 'what' is None: the list it belongs to is done.
        """
        from cpctl.casework.plan import Action

        if before is None:
            what = ask_text(f"Action or service {number}: what? (blank line when done)")
            if not what:
                return None
            was = Action(what=what)
        else:
            what = ask_text(f"Action {before.id or number}: what?", before.what, required="Say what the action is.")
            was = before
        why = ask_text("  Why (the need it meets)?", was.why or "") or None
        who = self.ask_who("  Who is responsible?", was.who)
        start = ask_date("  Starting (date, blank if not set):", was.start)
        frequency = ask_text("  How often (e.g. weekly)?", was.frequency or "") or None
        length = ask_text("  For how long (e.g. 10 weeks)?", was.length or "") or None
        outcome = ask_text("  Planned outcome (the progress required):", was.outcome or "") or None
        by = ask_date(
            "  Outcome due by (date):",
            was.by,
            earliest=start,
            too_early="That is before the action starts.",
        )
        measure = ask_text("  How will everyone know it has worked (measure of success)?", was.measure or "") or None
        return Action(
            id=was.id,
            what=what,
            why=why,
            who=who,
            start=start,
            frequency=frequency,
            length=length,
            outcome=outcome,
            by=by,
            measure=measure,
            private=was.private,
        )

    def ask_child_seen(self, child: ChildInfo, existing: list[ChildSeen], lead: str | None) -> list[ChildSeen]:
        from cpctl.casework.plan import ChildSeen

        kept = list(existing)
        if existing:
            chosen = ask_checkbox(
                f"How {child.name} will be seen: keep which?",
                [
                    (
                        short(f"{self.who_label(s.who)}, {s.how_often or 'how often not said'}, {s.where or ''}"),
                        index,
                        True,
                    )
                    for index, s in enumerate(existing)
                ],
            )
            kept = [existing[index] for index in chosen]
        while True:
            default = lead if not kept else DONE
            who = self.ask_who(f"Who will see {child.name}{' as well' if kept else ''}?", default, done=True)
            if who == DONE:
                return kept
            how_often = ask_text("  How often (e.g. every 10 working days)?") or None
            where = ask_text("  Where (e.g. at home and at school)?") or None
            present = ask_select(
                "  Are the parents present?",
                [(word, key) for key, word in PRESENT_WORDS.items()] + [("Not decided", UNDECIDED)],
                default="sometimes",
            )
            kept.append(
                ChildSeen(
                    who=who,
                    how_often=how_often,
                    where=where,
                    parents_present=None if present == UNDECIDED else present,
                )
            )
