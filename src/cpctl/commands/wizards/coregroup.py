"""`cpctl core-group record` in a terminal: one meeting, for one child or for several children of a family.

Every answer starts from what the store knows and says so: the date is today, the core group and the family are
ticked as having come, each action's progress is what the last meeting said, and the next meeting is due by the
profile's cycle. The chair changes only what the meeting changed: a tick for each action whose progress or
content changed, then only the fields that changed. An action shared by the children (the same id in their
plans) is asked about once and changed in every plan. Shift-Tab goes back one question; the summary opens any
section again, prefilled; nothing is saved until Save, and then the meeting and every child's new plan version
are saved in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from cpctl.commands.common import STATUS_WORDS, markup_free, out
from cpctl.commands.wizards import replay
from cpctl.commands.wizards.context import plan_facts
from cpctl.commands.wizards.drafts import NEW_KEY, add_new_people
from cpctl.commands.wizards.plan_life import (
    ChildPlan,
    MeetingPeople,
    ask_action_fields,
    choose_children,
    significant,
)
from cpctl.commands.wizards.prompts import ask_items, date_check, short

if TYPE_CHECKING:
    from sqlmodel import Session

    from cpctl.casework.coregroup import FamilyCoreGroupIn, Recorded
    from cpctl.casework.plan import Action, Item, PlanContent
    from cpctl.store.database import Store

SKIP = "\x00skip"
OTHER = "\x00other"
NEW = "\x00new"
NO_WORD = "\x00no-word"

SECTIONS = {
    "date": "The date of the meeting",
    "attendance.": "Who came",
    "progress.": "Progress on the actions",
    "views.": "Views and notes",
    "plan.": "Changes to the plan",
    "next": "The next meeting",
    "sent": "Whether the plan and minutes went out",
    "private": "What is kept from the family's copy",
}


@dataclass
class MeetingAction:
    """An action as the meeting sees it: once, with every chosen child whose plan holds it."""

    key: str
    action: Action
    holders: list[str]


@dataclass
class Answered:
    """What one run through the questions gave."""

    day: date
    attendance: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    progress: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    parent_views: list[Item] = field(default_factory=list)
    child_views: dict[str, list[Item]] = field(default_factory=dict)
    notes: list[Item] = field(default_factory=list)
    plans: dict[str, PlanContent] = field(default_factory=dict)
    agreed_by: str | None = None
    next_meeting: date | None = None
    sent_on: date | None = None


class CoreGroupWizard:
    """The questions about one meeting of the children's core group, asked through `replay.Answers`."""

    def __init__(self, plans: list[ChildPlan], people: MeetingPeople) -> None:
        self.plans = plans
        self.people = people
        self.refs = [p.facts.child.ref for p in plans]

    # -- the actions of the meeting ----------------------------------------------------------------------------
    def meeting_actions(self) -> list[MeetingAction]:
        """Each action of the chosen children's plans, an action they share (same id, same 'what') once."""
        from cpctl.casework.coregroup import shared_actions

        shared = shared_actions({p.facts.child.ref: p.facts.content for p in self.plans})
        found: list[MeetingAction] = []
        for plan in self.plans:
            ref = plan.facts.child.ref
            for action in plan.facts.content.actions:
                ident = action.id or ""
                if ident in shared and ref in shared[ident]:
                    if ref == shared[ident][0]:
                        found.append(MeetingAction(ident, action, shared[ident]))
                else:
                    key = ident if len(self.plans) == 1 else f"{ref}:{ident}"
                    found.append(MeetingAction(key, action, [ref]))
        return found

    def whose(self, holders: list[str]) -> str:
        if len(self.plans) == 1:
            return ""
        names = [self.people.ctx.children[ref].name.split()[0] for ref in holders]
        return f" [{' and '.join(names)}]" if len(names) < 3 else f" [{', '.join(names[:-1])} and {names[-1]}]"

    def last_progress(self, item: MeetingAction) -> dict[str, Any] | None:
        for plan in self.plans:
            if plan.facts.child.ref in item.holders and item.action.id in plan.facts.progress:
                return plan.facts.progress[item.action.id]  # type: ignore[no-any-return]
        return None

    # -- the questions -----------------------------------------------------------------------------------------
    def questions(self, a: replay.Answers) -> Answered:
        answered = Answered(day=self.ask_date(a))
        self.people.new_people.clear()  # people typed in come back as their answers are replayed
        answered.attendance = self.ask_attendance(a)
        answered.progress = self.ask_progress(a)
        self.ask_views(a, answered)
        answered.plans, answered.agreed_by = self.ask_plan(a)
        answered.next_meeting = self.ask_next_meeting(a, answered.day)
        answered.sent_on = self.ask_sent(a, answered.day)
        self.ask_private(a, answered)
        return answered

    def ask_date(self, a: replay.Answers) -> date:
        from cpctl.dates import parse_date

        today = date.today()
        earliest, too_early = date.min, ""
        for plan in self.plans:
            facts, name = plan.facts, plan.facts.child.name
            assert facts.child.plan_started is not None
            last = facts.last_meeting
            start = facts.child.plan_started if last is None else last + timedelta(days=1)
            if start > earliest:
                earliest = start
                too_early = (
                    f"A core group on {last:%d/%m/%Y} is already recorded for {name}; this one must be later."
                    if last is not None
                    else f"{name}'s plan began on {facts.child.plan_started:%d/%m/%Y}; a core group for it cannot "
                    "be earlier."
                )
        check = date_check(
            latest=today,
            earliest=earliest,
            too_late="That is in the future: record a meeting once it has been held.",
            too_early=too_early,
        )
        return a.ask(
            "date",
            lambda before: parse_date(
                replay.text(
                    "Date of the meeting (today, DD/MM/YYYY or YYYY-MM-DD):",
                    f"{before:%d/%m/%Y}" if before else "today",
                    required="Give the date the meeting was held.",
                    check=check,
                )
            ),
        )

    def ask_attendance(self, a: replay.Answers) -> dict[str, tuple[str, str | None]]:
        people = self.people
        listed = people.core_group_refs()
        came = a.ask(
            "attendance.came",
            lambda before: replay.checkbox(
                "Who came? (the core group and the family are ticked)",
                [(people.title(people.person(ref)), ref, ref in before) for ref in listed]
                + [("Someone who is not in this list", OTHER, OTHER in before)],
            ),
            default=listed,
        )
        statuses: dict[str, tuple[str, str | None]] = {ref: ("attended", None) for ref in listed if ref in came}
        for ref in listed:
            if ref in came:
                continue
            name = people.person(ref).name
            status = a.ask(
                f"attendance.absent.{ref}",
                lambda before, name=name: replay.select(
                    f"{name} did not come:",
                    [("Sent apologies", "apologies"), ("Sent a report", "report"), ("Was not invited", "not-invited")]
                    + [("Did not come, and sent no word", NO_WORD)],
                    default=before,
                ),
                default="apologies",
            )
            if status == "not-invited":
                statuses[ref] = (status, self.ask_why_not_invited(a, ref))
            elif status != NO_WORD:
                statuses[ref] = (status, None)
        number = 0
        while OTHER in came:
            number += 1
            ref = self.ask_someone_else(a, number, statuses, listed)
            name = people.person(ref).name
            status = a.ask(
                f"attendance.other.{number}.status",
                lambda before, name=name: replay.select(
                    f"{name}:", [(STATUS_WORDS[s].capitalize(), s) for s in STATUS_WORDS], default=before
                ),
                default="attended",
            )
            statuses[ref] = (status, self.ask_why_not_invited(a, ref) if status == "not-invited" else None)
            if not a.ask(
                f"attendance.other.{number}.more", lambda before: replay.confirm("Anyone else?", bool(before))
            ):
                break
        return statuses

    def ask_why_not_invited(self, a: replay.Answers, ref: str) -> str:
        name = self.people.person(ref).name
        return a.ask(
            f"attendance.reason.{ref}",
            lambda before: replay.text(
                f"Why was {name} not invited?", before or "", required="Say why; it is recorded with the meeting."
            ),
        )

    def ask_someone_else(
        self, a: replay.Answers, number: int, statuses: dict[str, tuple[str, str | None]], listed: list[str]
    ) -> str:
        people = self.people
        others = [p for p in people.everyone() if p.ref not in statuses and p.ref not in listed]
        picked = a.ask(
            f"attendance.other.{number}",
            lambda before: replay.select(
                "Who?",
                [("Someone new (type their details)", NEW)]
                + [(people.title(p), p.ref) for p in others if not p.ref.startswith(NEW_KEY)],
                default=before,
            ),
        )
        if picked != NEW:
            return str(picked)
        new = a.ask(f"attendance.new.{number}", lambda _: people.ask_new_person())
        if all(n.key != new.key for n in people.new_people):
            people.new_people.append(new)
        return new.key

    def ask_progress(self, a: replay.Answers) -> dict[str, tuple[str, str | None]]:
        from cpctl.casework.coregroup import PROGRESS, PROGRESS_WORDS
        from cpctl.dates import short_british

        items = self.meeting_actions()
        if not items:
            a.say("The plan has no actions yet, so there is no progress to record.")
            return {}
        versions = ", ".join(f"{p.facts.child.name.split()[0]}'s version {p.facts.version}" for p in self.plans)
        if len(self.plans) == 1:
            versions = f"version {self.plans[0].facts.version}"
        a.say(f"\nProgress on each action ({versions}):")
        shown: dict[str, str] = {}
        for item in items:
            last = self.last_progress(item)
            shown[item.key] = last["status"] if last else "on-track"
            said = (
                f"{PROGRESS_WORDS[last['status']]} (as on {short_british(date.fromisoformat(last['recorded_on']))})"
                if last
                else "on track (nothing recorded before)"
            )
            who = self.plans[0].who_label(item.action.who)
            a.say(f"  {item.action.id} {short(item.action.what, 50)}{self.whose(item.holders)} ({who}): {said}")
        ticked = a.ask(
            "progress.update",
            lambda before: replay.checkbox(
                "Which actions' progress is different, or needs a note? (the others are recorded as listed)",
                [
                    (short(f"{i.action.id} {i.action.what}{self.whose(i.holders)}"), i.key, i.key in before)
                    for i in items
                ],
            ),
            default=[],
        )
        progress: dict[str, tuple[str, str | None]] = {}
        for item in items:
            if item.key not in ticked:
                progress[item.key] = (shown[item.key], None)
                continue
            ident = item.action.id
            status = a.ask(
                f"progress.{item.key}.status",
                lambda before, ident=ident: replay.select(
                    f"Progress on {ident}:",
                    [(PROGRESS_WORDS[s].capitalize(), s) for s in PROGRESS] + [("Not discussed at this meeting", SKIP)],
                    default=before,
                ),
                default=shown[item.key],
            )
            if status == SKIP:
                continue
            note = a.ask(
                f"progress.{item.key}.note",
                lambda before, ident=ident: replay.text(f"A note on {ident} (blank for none):", before or ""),
            )
            progress[item.key] = (str(status), note or None)
        return progress

    def ask_views(self, a: replay.Answers, answered: Answered) -> None:
        answered.parent_views = a.ask(
            "views.parents", lambda before: self.ask_entries("The parents' views, in their words", before)
        )
        for plan in self.plans:
            child = plan.facts.child
            if child.date_of_birth is None:  # an unborn baby on a pre-birth plan has no views to record
                continue
            answered.child_views[child.ref] = a.ask(
                f"views.child.{child.ref}",
                lambda before, name=child.name: self.ask_entries(f"{name}'s wishes and feelings", before),
            )
        answered.notes = a.ask("views.notes", lambda before: self.ask_entries("Notes of the meeting", before))

    @staticmethod
    def ask_entries(label: str, before: list[Item] | None) -> list[Item]:
        """One entry typed on one line (blank for none); entries given before are kept, edited or added to."""
        from cpctl.casework.plan import Item

        if before:
            return ask_items(label, before)
        typed = replay.text(f"{label} (blank for none):")
        return [Item(text=typed)] if typed else []

    def ask_plan(self, a: replay.Answers) -> tuple[dict[str, PlanContent], str | None]:
        """What the meeting changed in each child's plan: only the actions and fields ticked are asked about."""
        items = self.meeting_actions()
        revised = {p.facts.child.ref: p.facts.content.model_copy(deep=True) for p in self.plans}
        choices: list[tuple[str, str]] = [
            (short(f"Change {i.action.id} {i.action.what}{self.whose(i.holders)}", 90), f"action:{i.key}")
            for i in items
        ]
        choices.append(("Add an action or service", "add"))
        if items:
            choices.append(("Remove actions (a conference must agree, §3.13)", "remove"))
        for plan in self.plans:
            name = plan.facts.child.name.split()[0]
            choices.append(
                (
                    f"Another part of {name}'s plan (worries, objectives, how {name} is seen, ...)",
                    f"part:{plan.facts.child.ref}",
                )
            )
        picked = a.ask(
            "plan.changes",
            lambda before: replay.checkbox(
                "What did the meeting change in the plan? (tick nothing if it stays as it is)",
                [(title, value, value in before) for title, value in choices],
            ),
            default=[],
        )
        for item in items:
            if f"action:{item.key}" in picked:
                changed = ask_action_fields(a, self.plans[0], item.key, item.action)
                for ref in item.holders:
                    revised[ref].actions = [changed if x.id == item.action.id else x for x in revised[ref].actions]
        if "add" in picked:
            self.ask_new_action(a, revised)
        if "remove" in picked:
            gone = a.ask(
                "plan.remove",
                lambda before: replay.checkbox(
                    "Remove which? (removing an action reduces services: a conference must agree, §3.13)",
                    [
                        (short(f"{i.action.id} {i.action.what}{self.whose(i.holders)}"), i.key, i.key in before)
                        for i in items
                    ],
                ),
                default=[],
            )
            for item in items:
                if item.key in gone:
                    for ref in item.holders:
                        revised[ref].actions = [x for x in revised[ref].actions if x.id != item.action.id]
        for plan in self.plans:
            ref = plan.facts.child.ref
            if f"part:{ref}" in picked:
                start = revised[ref]
                done = a.ask(
                    f"plan.part.{ref}",
                    lambda before, plan=plan, start=start: (
                        start,
                        plan.ask_plan_parts(before[1] if before and before[0] == start else start),
                    ),
                    still=lambda before, start=start: before[0] == start,
                )
                revised[ref] = done[1]
        changed = {ref: content for ref, content in revised.items() if content != self.content_of(ref)}
        return self.ask_agreement(a, changed)

    def content_of(self, ref: str) -> PlanContent:
        return next(p.facts.content for p in self.plans if p.facts.child.ref == ref)

    def ask_new_action(self, a: replay.Answers, revised: dict[str, PlanContent]) -> None:
        from cpctl.casework.coregroup import next_family_ids

        whose = self.refs
        if len(self.plans) > 1:
            whose = (
                a.ask(
                    "plan.add.children",
                    lambda before: replay.checkbox(
                        "The new action is for which children? (for more than one, it is one shared action)",
                        [(self.people.ctx.children[ref].label, ref, ref in before) for ref in self.refs],
                    ),
                    default=self.refs,
                )
                or self.refs
            )
        number = max(len(revised[ref].actions) for ref in whose) + 1
        new = a.ask("plan.add.action", lambda before: self.plans[0].ask_action(before, number=number))
        if new is None:
            return
        ident = (
            next_family_ids({p.facts.child.ref: p.facts.content for p in self.plans}, 1)[0] if len(whose) > 1 else None
        )
        for ref in whose:
            revised[ref].actions.append(new.model_copy(update={"id": ident}, deep=True))

    def ask_agreement(
        self, a: replay.Answers, changed: dict[str, PlanContent]
    ) -> tuple[dict[str, PlanContent], str | None]:
        reasons = [
            f"{self.people.ctx.children[ref].name}: {reason}" if len(self.plans) > 1 else reason
            for ref, content in changed.items()
            for reason in significant(self.content_of(ref), content)
        ]
        if not reasons:
            return changed, None
        a.say(
            "\n[bold]This change needs a conference decision[/bold]: there must be no reduction in services and no "
            "significant change to the plan without a child protection conference (seed 002 §3.13).",
            markup=True,
        )
        for reason in reasons:
            a.say(f"  - {reason[:1].upper()}{reason[1:]}")
        choice = a.ask(
            "plan.agree",
            lambda before: replay.select(
                "What now? (Shift-Tab goes back to change it)",
                [
                    ("Record who agreed it (e.g. the review conference)", "agree"),
                    ("Drop these changes: the plan stays as it is", "drop"),
                ],
                default=before,
            ),
        )
        if choice == "drop":
            return {}, None
        who = a.ask(
            "plan.agreed_by",
            lambda before: replay.text(
                "Who agreed this change? (e.g. review conference CF00002 on 13/11/2026)",
                before or "",
                required="Say who agreed it: without that the change cannot be saved.",
            ),
        )
        return changed, who

    def ask_next_meeting(self, a: replay.Answers, day: date) -> date | None:
        from cpctl.dates import parse_date
        from cpctl.errors import NotFound
        from cpctl.rules.timescales import due, timescale_words

        proposed, hint = None, ""
        try:
            proposed, explanation = due(self.plans[0].facts.profile, "core-group-cycle", day)
            hint = f"; within {timescale_words(explanation.amount, explanation.unit)}, by {proposed:%d/%m/%Y}"
        except NotFound:
            pass

        def question(before: date | None) -> date | None:
            start = before if before is not None and before > day else proposed
            typed = replay.text(
                f"Date of the next core group{hint} (blank if not set yet):",
                f"{start:%d/%m/%Y}" if start else "",
                check=date_check(
                    earliest=day + timedelta(days=1), too_early="The next meeting must come after this one."
                ),
            )
            return parse_date(typed) if typed else None

        return a.ask("next", question, still=lambda before: before is None or before > day)

    def ask_sent(self, a: replay.Answers, day: date) -> date | None:
        """Asked only from the summary: when the meeting is recorded, the plan has usually not gone out yet."""
        from cpctl.dates import parse_date

        if not a.wants("sent"):
            return None
        today = date.today()

        def question(before: date | None) -> date | None:
            choice = replay.select(
                "Have the revised plan and minutes gone to the core group and the chair?",
                [("Not yet", "no"), ("Yes, today", "today"), ("Yes, on another day", "other")],
                default="no" if before is None else ("today" if before == today else "other"),
            )
            if choice == "no":
                return None
            if choice == "today":
                return today
            return parse_date(
                replay.text(
                    "Sent on (DD/MM/YYYY or YYYY-MM-DD):",
                    f"{before:%d/%m/%Y}" if before else "",
                    required="Give the date they went out, or choose Not yet.",
                    check=date_check(
                        latest=today,
                        earliest=day,
                        too_late="That is in the future.",
                        too_early="That is before the meeting.",
                    ),
                )
            )

        return a.ask("sent", question, still=lambda before: before is None or before >= day)

    def ask_private(self, a: replay.Answers, answered: Answered) -> None:
        """One question for everything this meeting added: which entries stay out of the family's copy."""
        entries: list[tuple[str, Any]] = [("Parents' views: " + i.text, i) for i in answered.parent_views]
        for ref, items in answered.child_views.items():
            name = self.people.ctx.children[ref].name.split()[0]
            entries += [(f"{name}'s views: {i.text}", i) for i in items]
        entries += [("Note: " + i.text, i) for i in answered.notes]
        actions: dict[Any, list[Action]] = {}  # a shared action is asked about once, for every plan's copy
        for ref, content in answered.plans.items():
            before = {x.id: x for x in self.content_of(ref).actions}
            for action in content.actions:
                if before.get(action.id) != action:
                    actions.setdefault(action.id or id(action), []).append(action)
        for copies in actions.values():
            entries.append((f"Action: {copies[0].what} ({self.plans[0].who_label(copies[0].who)})", copies))
        if not entries:
            return
        labels = [short(label, 90) for label, _ in entries]
        chosen = a.ask(
            "private",
            lambda before: replay.checkbox(
                "Any of these not for the family's copy?",
                [(label, label, label in before) for label in labels],
            ),
            default=[label for label, (_, obj) in zip(labels, entries, strict=True) if _first(obj).private],
        )
        for label, (_, obj) in zip(labels, entries, strict=True):
            for one in obj if isinstance(obj, list) else [obj]:
                one.private = label in chosen

    # -- the record and the summary ----------------------------------------------------------------------------
    def to_input(self, answered: Answered, *, as_draft: bool = False) -> FamilyCoreGroupIn:
        from cpctl.casework.conference import AttendeeIn
        from cpctl.casework.coregroup import FamilyCoreGroupIn, FamilyProgressIn

        holders = {i.key: i for i in self.meeting_actions()}
        return FamilyCoreGroupIn(
            children=self.refs,
            date=answered.day,
            attendance=[
                AttendeeIn(person=ref, status=status, reason=reason)  # type: ignore[arg-type]
                for ref, (status, reason) in answered.attendance.items()
            ],
            progress=[
                FamilyProgressIn(action=holders[key].action.id, status=status, note=note, child=ref)  # type: ignore[arg-type]
                for key, (status, note) in answered.progress.items()
                for ref in holders[key].holders
            ],
            parent_views=answered.parent_views,
            child_views={ref: items for ref, items in answered.child_views.items() if items},
            notes=answered.notes,
            plans={ref: plan.model_copy(deep=True) for ref, plan in answered.plans.items()},
            next_meeting=answered.next_meeting,
            sent_on=answered.sent_on,
            agreed_by=answered.agreed_by,
            save_as_draft=as_draft,
        )

    def problem(self, answered: Answered) -> str | None:
        """What stops the meeting being saved as answered, in words; None if nothing."""
        from pydantic import ValidationError

        try:
            self.to_input(answered)
        except ValidationError as exc:
            return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        for ref, plan in answered.plans.items():
            if significant(self.content_of(ref), plan) and not answered.agreed_by:
                return "the plan change needs a conference decision: go back to the changes and say who agreed it."
        return None

    def show_summary(self, answered: Answered, problem: str | None) -> list[str]:
        from cpctl.casework.coregroup import PROGRESS_WORDS
        from cpctl.dates import british

        console = out()
        names = " and ".join(
            f"{markup_free(p.facts.child.name)} ({markup_free(p.facts.child.ref)})" for p in self.plans
        )
        console.print(f"\n[bold]Summary: core group for {names}[/bold] on {british(answered.day)}")
        say = replay_say
        for status in STATUS_WORDS:
            came = [
                self.people.title(self.people.person(ref)) + (f": {reason}" if reason else "")
                for ref, (s, reason) in answered.attendance.items()
                if s == status
            ]
            if came:
                say(f"  {STATUS_WORDS[status].capitalize()}: {'; '.join(came)}")
        if not any(s == "attended" for s, _ in answered.attendance.values()):
            say("  No one is recorded as attending.")
        items = self.meeting_actions()
        if items:
            say("  Progress:")
            for item in items:
                found = answered.progress.get(item.key)
                said = PROGRESS_WORDS[found[0]] + (f" ({found[1]})" if found[1] else "") if found else "not discussed"
                say(f"    {item.action.id} {short(item.action.what, 50)}{self.whose(item.holders)}: {said}")
        kept = sum(1 for group in self.view_groups(answered) for item in group if item.private)
        counts = [f"parents' views {len(answered.parent_views)}"]
        counts += [
            f"{self.people.ctx.children[ref].name.split()[0]}'s views {len(items)}"
            for ref, items in answered.child_views.items()
        ]
        counts.append(f"notes {len(answered.notes)}")
        say(f"  Recorded: {', '.join(counts)}" + (f" ({kept} kept from the family's copy)" if kept else ""))
        gaps: list[str] = []
        for plan in self.plans:
            ref = plan.facts.child.ref
            if len(self.plans) > 1:
                say(f"  {plan.facts.child.name}'s plan:")
            gaps += plan.show_changes(answered.plans.get(ref), answered.agreed_by)
        say(f"  Next meeting: {british(answered.next_meeting) if answered.next_meeting else 'not set yet'}")
        if answered.sent_on:
            say(f"  Revised plan and minutes sent on {british(answered.sent_on)}")
        else:
            say("  Revised plan and minutes not sent yet (later: `cpctl core-group sent`, or change it here)")
        if problem is not None:
            console.print(f"\n[red bold]This cannot be saved yet:[/red bold] {markup_free(problem)}")
        return gaps

    @staticmethod
    def view_groups(answered: Answered) -> list[list[Item]]:
        return [answered.parent_views, *answered.child_views.values(), answered.notes]

    def meeting(self, a: replay.Answers) -> tuple[str, Answered]:
        """The questions, the summary, and what now: "save", "draft" or "change"."""
        answered = self.questions(a)
        a.flush()
        problem = self.problem(answered)
        gaps = self.show_summary(answered, problem)
        choices: list[tuple[str, str]] = []
        if problem is None:
            with_gaps = bool(answered.plans) and bool(gaps)
            choices.append(
                ("Save, with the revised plan as a draft (it has gaps)", "draft") if with_gaps else ("Save", "save")
            )
        choices += [("Change something", "change"), ("Cancel: save nothing", "cancel")]
        choice = a.ask("what-now", lambda _: replay.select("What now?", choices), always=True)
        if choice == "cancel":
            from cpctl.errors import Cancelled

            raise Cancelled()
        return str(choice), answered


def _first(entry: Any) -> Any:
    return entry[0] if isinstance(entry, list) else entry


def replay_say(text: str) -> None:
    out().print(text, markup=False)


def core_group_wizard(store: Store, named: list[str] | None = None, *, family: bool = False) -> list[Recorded]:
    """Ask for one core group meeting (for one child or several of a family), show the summary and each plan's
    changes, and save only when told to; every child's part is saved in one transaction."""
    from cpctl.commands.saving import save_family_core_group
    from cpctl.errors import CpctlError

    if isinstance(named, str):
        named = [named]
    ctx, refs = choose_children(store, named or [], family=family)
    new_people: list[Any] = []
    plans = [ChildPlan(ctx, plan_facts(store, ctx, ref), new_people) for ref in refs]
    people = MeetingPeople(ctx, plans, new_people)
    term = ctx.rules.term("core_group", "core group")
    names = " and ".join(
        f"{markup_free(p.facts.child.name)} ({markup_free(p.facts.child.ref)}; plan "
        f"{p.facts.child.plan_number}, version {p.facts.version})"
        for p in plans
    )
    out().print(
        f"[bold]Recording a {term} for {names}[/bold]. {replay.BACK_HINT}; Ctrl-C at any question stops without "
        "saving anything."
    )
    wizard = CoreGroupWizard(plans, people)
    answers = replay.Answers()
    while True:
        choice, answered = answers.run(wizard.meeting)
        if choice == "change":
            try:
                section = replay.select("Which part?", [(title, key) for key, title in SECTIONS.items()])
            except replay.Back:
                answers.again()
                continue
            answers.again(str(section))
            continue

        def before(session: Session, data: FamilyCoreGroupIn) -> FamilyCoreGroupIn:
            for plan in plans:
                _check_version_unchanged(session, plan.facts.child.ref, plan.facts.version)
            return add_new_people(session, data, people.new_people, children=refs)

        try:
            return save_family_core_group(store, wizard.to_input(answered, as_draft=choice == "draft"), before=before)
        except CpctlError as exc:  # the store changed since the wizard read it (another user): say so, go back
            if exc.exit_code == 130:
                raise
            out().print(f"[red]Not saved:[/red] {markup_free(exc.message)}")
            answers.again()


def _check_version_unchanged(session: Session, ref: str, version: int) -> None:
    """A revised plan is saved whole: refuse if someone else saved a version since the wizard read the plan."""
    from cpctl.casework import people, revision
    from cpctl.casework import plan as plans
    from cpctl.errors import CpctlError

    plan_row = revision.active_plan_of(session, people.find_child(session, ref))
    row = plans.version(session, plan_row)
    if (row.number if row is not None else 0) != version:
        raise CpctlError(
            f"someone saved version {row.number if row else 0} of child {ref}'s plan while you were answering "
            f"(you began from version {version}); cancel and start again so that their change is not lost."
        )
