"""The body of a plan, asked the same way by every wizard: actions and services, and how the child is seen.

`PlanPrompts` adds these questions to the people ones; the conference wizard asks them for an outline plan (the
actions as one list, then each new one field by field; who sees the child as one list of ticks), the core group
and plan edit wizards for a plan in force, with its current version as the defaults. From the conference's
summary one part of an action or of a way of seeing the child can be changed on its own (`change_entry`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cpctl.commands.wizards.people import PeoplePrompts
from cpctl.commands.wizards.prompts import DONE, ask_checkbox, ask_date, ask_lines, ask_select, ask_text, say, short

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

    # -- the conference's outline plan: a list first, then what each new entry needs -------------------
    def ask_action_list(self, existing: list[Action]) -> list[Action]:
        """The actions and services as one list of what is done, prefilled with those there already; each new
        line is then asked about field by field. An unchanged line keeps its action (and its reference)."""
        from cpctl.casework.plan import Action

        lines = ask_lines("Actions and services: what will be done?", "\n".join(a.what for a in existing))
        pool = list(existing)
        result = []
        for line in lines:
            match = next((a for a in pool if a.what == line), None)
            if match is not None:
                pool.remove(match)
                result.append(match)
            else:
                result.append(self.ask_action_fields(Action(what=line)))
        return result

    def ask_action_fields(self, action: Action) -> Action:
        """Why, who, when, how often and how long, to what end by when, measured how: one question each."""
        say(f"Action: {action.what}")
        for name in ACTION_FIELDS:
            action = self.ask_action_field(action, name)
        return action

    def ask_action_field(self, action: Action, name: str) -> Action:
        """One field of an action, its answer as the default; the action is checked again as a whole."""
        from cpctl.casework.plan import Action

        was = getattr(action, name)
        if name == "what":
            value: Any = ask_text("  What?", action.what, required="Say what the action is.")
        elif name == "who":
            value = self.ask_who_typed("  Who is responsible?", action.who)
        elif name == "start":
            value = ask_date(
                "  Starting (date, blank if not set):",
                action.start,
                latest=action.by,
                too_late="That is after the outcome is due.",
            )
        elif name == "by":
            value = ask_date(
                "  Outcome due by (date):",
                action.by,
                earliest=action.start,
                too_early="That is before the action starts.",
            )
        else:
            value = ask_text(ACTION_FIELDS[name], was or "") or None
        return Action.model_validate({**action.model_dump(), name: value})

    def ask_seen(self, child: ChildInfo, existing: list[ChildSeen], lead: str | None) -> list[ChildSeen]:
        """Who will see the child (the lead worker ticked), then how often, where and with whom for each new one.
        Those who saw the child before keep what was said about them."""
        from cpctl.casework.plan import ChildSeen

        by_who = {s.who: s for s in existing if s.who}
        professionals = [p for p in self.candidates() if p.kind == "professional"]
        listed = {p.ref for p in professionals}
        ticked = set(by_who) or ({lead} if lead else set())
        choices = [(self.title(p), p.ref, p.ref in ticked) for p in professionals]
        choices += [(f"{who} (typed in)", who, True) for who in by_who if who not in listed]
        chosen = ask_checkbox(f"Who will see {child.name}? (tick each)", choices)
        seen = []
        for who in chosen:
            if who in by_who:
                seen.append(by_who[who])
                continue
            entry = ChildSeen(who=who, parents_present="sometimes")
            for name in SEEN_FIELDS:
                entry = self.ask_seen_field(entry, name, child)
            seen.append(entry)
        return seen

    def ask_seen_field(self, entry: ChildSeen, name: str, child: ChildInfo) -> ChildSeen:
        from cpctl.casework.plan import ChildSeen

        who = self.who_label(entry.who)
        if name == "how_often":
            value: Any = (
                ask_text(
                    f"  How often will {who} see {child.name} (e.g. every 10 working days)?", entry.how_often or ""
                )
                or None
            )
        elif name == "where":
            value = ask_text("  Where (e.g. at home and at school)?", entry.where or "") or None
        else:
            present = ask_select(
                "  Are the parents present?",
                [(word, key) for key, word in PRESENT_WORDS.items()] + [("Not decided", UNDECIDED)],
                default=entry.parents_present or UNDECIDED,
            )
            value = None if present == UNDECIDED else present
        return ChildSeen.model_validate({**entry.model_dump(), name: value})

    def change_entry(self, label: str, fields: dict[str, str], entry: Any) -> str | None:
        """Which part of an action or way of seeing to change (each shown with its answer), or "remove"."""
        choice = ask_select(
            f"Which part of {label}?",
            [(short(f"{words}: {self.field_text(entry, key)}", 100), key) for key, words in fields.items()]
            + [("Remove it from the plan", REMOVE), ("Nothing: back to the summary", None)],
        )
        return None if choice is None else str(choice)

    def field_text(self, entry: Any, key: str) -> str:
        value = getattr(entry, key)
        if key == "who":
            return self.who_label(value)
        if key in ("start", "by") and value is not None:
            return f"{value:%d/%m/%Y}"
        return str(value) if value not in (None, "") else "not said"


REMOVE = "\x00remove"
ACTION_FIELDS = {
    "why": "  Why (the need it meets)?",
    "who": "  Who is responsible?",
    "start": "  Starting (date)?",
    "frequency": "  How often (e.g. weekly)?",
    "length": "  For how long (e.g. 10 weeks)?",
    "outcome": "  Planned outcome (the progress required):",
    "by": "  Outcome due by (date)?",
    "measure": "  How will everyone know it has worked (measure of success)?",
}
ACTION_PARTS = {
    "what": "What",
    "why": "Why",
    "who": "Who is responsible",
    "start": "Starting",
    "frequency": "How often",
    "length": "For how long",
    "outcome": "Planned outcome",
    "by": "Outcome due by",
    "measure": "Measure of success",
}
SEEN_FIELDS = {"how_often": "How often", "where": "Where", "parents_present": "Parents present"}
