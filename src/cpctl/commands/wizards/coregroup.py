"""`cpctl core-group record` in a terminal: the questions about a core group meeting and its plan changes.

Section by section (the date, who came, progress on each action, views and notes, changes to the plan, the next
meeting, whether the plan and minutes went out), then a summary with the plan's changes and gaps; nothing is
saved until the person chooses Save, and a plan someone else revised meanwhile is not overwritten.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from cpctl.commands.common import STATUS_WORDS, markup_free, out
from cpctl.commands.saving import save_core_group
from cpctl.commands.wizards.context import load_context, plan_facts
from cpctl.commands.wizards.drafts import NEW_KEY, MeetingDraft, add_new_people
from cpctl.commands.wizards.plan_life import PlanLife, choose_child_on_plan, numbered, significant
from cpctl.commands.wizards.prompts import (
    ask_attendance,
    ask_date,
    ask_items,
    ask_required_date,
    ask_select,
    ask_text,
    ask_what_now,
    mark_private,
    say,
    short,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from cpctl.casework.coregroup import CoreGroupIn, Recorded
    from cpctl.commands.wizards.context import Context, PlanFacts
    from cpctl.store.database import Store

NEW = "\x00new"
SKIP = "\x00skip"


SECTIONS = {
    "date": "The date of the meeting",
    "attendance": "Who came",
    "progress": "Progress on each action",
    "views": "Views and notes",
    "plan": "Changes to the plan",
    "next": "The next meeting",
    "sent": "Whether the plan and minutes went out",
}


class CoreGroupWizard(PlanLife):
    def __init__(self, ctx: Context, facts: PlanFacts) -> None:
        super().__init__(ctx, facts)
        self.draft = MeetingDraft()

    def ask(self, section: str) -> None:
        {
            "date": self.ask_date,
            "attendance": self.ask_attendance,
            "progress": self.ask_progress,
            "views": self.ask_views,
            "plan": self.ask_plan,
            "next": self.ask_next_meeting,
            "sent": self.ask_sent,
        }[section]()

    def ask_date(self) -> None:
        today = date.today()
        child = self.facts.child
        last = self.facts.last_meeting
        assert child.plan_started is not None
        earliest = child.plan_started if last is None else last + timedelta(days=1)
        too_early = (
            f"A core group on {last:%d/%m/%Y} is already recorded; this one must be later."
            if last is not None
            else f"The plan began on {child.plan_started:%d/%m/%Y}; a core group for it cannot be earlier."
        )
        self.draft.day = ask_required_date(
            "Date of the meeting (today, DD/MM/YYYY or YYYY-MM-DD):",
            self.draft.day,
            required="Give the date the meeting was held.",
            latest=today,
            earliest=earliest,
            too_late="That is in the future: record a meeting once it has been held.",
            too_early=too_early,
        )

    def ask_attendance(self) -> None:
        before = self.draft.attendance if self.draft.attendance_asked else None
        listed = [*self.core_group_refs(), *(ref for ref in (before or {}) if ref not in self.core_group_refs())]

        def add(statuses: dict[str, tuple[str, str | None]]) -> str:
            others = [p for p in self.everyone() if p.ref not in statuses and p.ref not in listed]
            picked = ask_select(
                "Who?",
                [("Someone new (type their details)", NEW)]
                + [(self.title(p), p.ref) for p in others if not p.ref.startswith(NEW_KEY)],
            )
            return self.ask_new_person().key if picked == NEW else str(picked)

        self.draft.attendance = ask_attendance(
            [(self.title(self.person(ref)), ref) for ref in listed],
            before,
            questions=(
                "Who came? (the core group and the family are ticked)",
                "Who sent apologies?",
                "Who sent a report but did not come?",
            ),
            expected=None,
            not_invited="Was anyone not invited?",
            recorded_with="the meeting",
            name_of=lambda ref: self.person(ref).name,
            add=add,
        )
        self.draft.attendance_asked = True

    def ask_progress(self) -> None:
        from cpctl.casework.coregroup import PROGRESS, PROGRESS_WORDS
        from cpctl.dates import short_british

        actions = self.facts.content.actions
        if not actions:
            say(f"Version {self.facts.version} of the plan has no actions yet, so there is no progress to record.")
            return
        say(f"\nProgress on each action of the plan (version {self.facts.version}):")
        before = self.draft.progress
        progress: dict[str, tuple[str, str | None]] = {}
        for action in actions:
            ref = action.id or ""
            last = self.facts.progress.get(ref)
            facts = [f"who: {self.who_label(action.who)}"]
            if action.frequency:
                facts.append(f"how often: {action.frequency}")
            if action.by:
                facts.append(f"outcome due by {short_british(action.by)}")
            if last:
                when = short_british(date.fromisoformat(last["recorded_on"]))
                facts.append(f"last time: {PROGRESS_WORDS[last['status']]} ({when})")
            say(f"\n  {ref} {action.what}\n    {'; '.join(facts)}")
            if action.outcome:
                say(f"    outcome: {action.outcome}")
            status = ask_select(
                f"  Progress on {ref}:",
                [(PROGRESS_WORDS[s].capitalize(), s) for s in PROGRESS] + [("Not discussed at this meeting", SKIP)],
                default=before[ref][0] if ref in before else (last["status"] if last else "on-track"),
            )
            if status == SKIP:
                continue
            note = ask_text(f"  A note on {ref} (blank for none):", (before.get(ref, ("", None))[1] or ""))
            progress[ref] = (str(status), note or None)
        self.draft.progress = progress

    def ask_views(self) -> None:
        name = self.facts.child.name
        self.draft.parent_views = ask_items("The parents' views, in their words", self.draft.parent_views)
        self.draft.child_views = ask_items(f"{name}'s wishes and feelings", self.draft.child_views)
        self.draft.notes = ask_items("Notes of the meeting", self.draft.notes)
        mark_private(
            [
                ("Parents' views", self.draft.parent_views, "text"),
                ("Child's views", self.draft.child_views, "text"),
                ("Note", self.draft.notes, "text"),
            ]
        )

    def ask_plan(self) -> None:
        changed = ask_select(
            "Did the meeting change the plan?",
            [
                (f"No: the plan stays as it is (version {self.facts.version})", False),
                ("Yes: change, add or remove actions, or other parts of the plan", True),
            ],
            default=self.draft.plan is not None,
        )
        if not changed:
            self.draft.plan, self.draft.agreed_by = None, None
            return
        start = self.draft.plan if self.draft.plan is not None else self.facts.content
        plan, agreed = self.revise(start, self.draft.agreed_by, drop="Drop these changes: the plan stays as it is")
        if plan is not None and numbered(plan, self.facts.content) == self.facts.content:
            plan = None
        self.draft.plan = plan
        self.draft.agreed_by = agreed if plan is not None else None

    def ask_next_meeting(self) -> None:
        from cpctl.errors import NotFound
        from cpctl.rules.timescales import due, timescale_words

        day = self.draft.day
        assert day is not None
        hint = ""
        try:
            when, explanation = due(self.facts.profile, "core-group-cycle", day)
            hint = f"; within {timescale_words(explanation.amount, explanation.unit)}, by {when:%d/%m/%Y}"
        except NotFound:
            pass
        self.draft.next_meeting = ask_date(
            f"Date of the next core group{hint} (blank if not set yet):",
            self.draft.next_meeting if self.draft.next_meeting and self.draft.next_meeting > day else None,
            earliest=day + timedelta(days=1),
            too_early="The next meeting must come after this one.",
        )

    def ask_sent(self) -> None:
        day = self.draft.day
        assert day is not None
        today = date.today()
        before = self.draft.sent_on
        choice = ask_select(
            "Have the revised plan and minutes gone to the core group and the chair?",
            [("Not yet", "no"), ("Yes, today", "today"), ("Yes, on another day", "other")],
            default="no" if before is None else ("today" if before == today else "other"),
        )
        if choice == "no":
            self.draft.sent_on = None
        elif choice == "today":
            self.draft.sent_on = today
        else:
            self.draft.sent_on = ask_required_date(
                "Sent on (DD/MM/YYYY or YYYY-MM-DD):",
                before,
                required="Give the date they went out, or go back and choose Not yet.",
                unset="",
                latest=today,
                earliest=day,
                too_late="That is in the future.",
                too_early="That is before the meeting.",
            )

    # -- the summary ---------------------------------------------------------------------------------------------
    def to_input(self, *, as_draft: bool = False) -> CoreGroupIn:
        from cpctl.casework.conference import AttendeeIn
        from cpctl.casework.coregroup import CoreGroupIn, ProgressIn

        d = self.draft
        assert d.day is not None
        return CoreGroupIn(
            child=self.facts.child.ref,
            date=d.day,
            attendance=[
                AttendeeIn(person=ref, status=status, reason=reason)  # type: ignore[arg-type]
                for ref, (status, reason) in d.attendance.items()
            ],
            progress=[
                ProgressIn(action=ref, status=status, note=note)  # type: ignore[arg-type]
                for ref, (status, note) in d.progress.items()
            ],
            parent_views=d.parent_views,
            child_views=d.child_views,
            notes=d.notes,
            plan=d.plan.model_copy(deep=True) if d.plan is not None else None,
            next_meeting=d.next_meeting,
            sent_on=d.sent_on,
            agreed_by=d.agreed_by if d.plan is not None else None,
            save_as_draft=as_draft,
        )

    def problem(self) -> str | None:
        """What stops the meeting being saved as answered (a date out of order), in words; None if nothing."""
        from pydantic import ValidationError

        try:
            self.to_input()
        except ValidationError as exc:
            return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        if self.draft.plan is not None and significant(self.facts.content, self.draft.plan):
            if not self.draft.agreed_by:
                return "the plan change needs a conference decision: go back to the changes and say who agreed it."
        return None

    def show_summary(self, problem: str | None) -> list[str]:
        from cpctl.casework.coregroup import PROGRESS_WORDS
        from cpctl.dates import british

        d = self.draft
        assert d.day is not None
        child = self.facts.child
        console = out()
        console.print(
            f"\n[bold]Summary: core group for {markup_free(child.name)}[/bold] ({markup_free(child.ref)}) "
            f"on {british(d.day)}"
        )
        for status in STATUS_WORDS:
            names = [
                self.title(self.person(ref)) + (f": {reason}" if reason else "")
                for ref, (s, reason) in d.attendance.items()
                if s == status
            ]
            if names:
                say(f"  {STATUS_WORDS[status].capitalize()}: {'; '.join(names)}")
        if not any(s == "attended" for s, _ in d.attendance.values()):
            say("  No one is recorded as attending.")
        if self.facts.content.actions:
            say("  Progress:")
            for action in self.facts.content.actions:
                found = d.progress.get(action.id or "")
                said = PROGRESS_WORDS[found[0]] + (f" ({found[1]})" if found[1] else "") if found else "not discussed"
                say(f"    {action.id} {short(action.what, 50)}: {said}")
        kept = sum(1 for group in (d.parent_views, d.child_views, d.notes) for item in group if item.private)
        say(
            f"  Recorded: parents' views {len(d.parent_views)}, {child.name}'s views {len(d.child_views)}, "
            f"notes {len(d.notes)}" + (f" ({kept} kept from the family's copy)" if kept else "")
        )
        gaps = self.show_changes(d.plan, d.agreed_by)
        say(f"  Next meeting: {british(d.next_meeting) if d.next_meeting else 'not set yet'}")
        if d.sent_on:
            say(f"  Revised plan and minutes sent on {british(d.sent_on)}")
        else:
            say("  Revised plan and minutes not sent yet (later: `cpctl core-group sent`)")
        if problem is not None:
            console.print(f"\n[red bold]This cannot be saved yet:[/red bold] {markup_free(problem)}")
        return gaps

    def go_back(self) -> None:
        section = ask_select("Which section?", [(title, key) for key, title in SECTIONS.items()])
        self.ask(str(section))
        if section == "date":  # the later dates must still come after it: ask again those that no longer do
            day = self.draft.day
            assert day is not None
            if self.draft.next_meeting is not None and self.draft.next_meeting <= day:
                self.ask_next_meeting()
            if self.draft.sent_on is not None and self.draft.sent_on < day:
                self.ask_sent()


def core_group_wizard(store: Store, child: str | None) -> Recorded:
    """Ask for a core group meeting, show the summary and the plan's changes, and save only when told to."""
    from cpctl.errors import CpctlError

    ctx = load_context(store, only=child)
    ref = choose_child_on_plan(store, ctx, child, "record a core group for")
    facts = plan_facts(store, ctx, ref)
    name = facts.child.name
    out().print(
        f"[bold]Recording a {ctx.rules.term('core_group', 'core group')} for {markup_free(name)}[/bold] "
        f"({markup_free(ref)}; plan {facts.child.plan_number}, version {facts.version}). "
        "Ctrl-C at any question stops without saving anything."
    )
    wizard = CoreGroupWizard(ctx, facts)
    for section in SECTIONS:
        wizard.ask(section)
    while True:
        problem = wizard.problem()
        gaps = wizard.show_summary(problem)
        with_gaps = wizard.draft.plan is not None and bool(gaps)
        choice = ask_what_now(
            can_save=problem is None,
            draft="Save, with the revised plan as a draft (it has gaps)" if with_gaps else None,
        )
        if choice == "back":
            wizard.go_back()
            continue

        def before(session: Session, data: CoreGroupIn) -> CoreGroupIn:
            _check_version_unchanged(session, ref, facts.version)
            return add_new_people(session, data, wizard.new_people, children=[ref])

        try:
            return save_core_group(store, wizard.to_input(as_draft=choice == "draft"), before=before)
        except CpctlError as exc:  # the store changed since the wizard read it (another user): say so, go back
            if exc.exit_code == 130:
                raise
            out().print(f"[red]Not saved:[/red] {markup_free(exc.message)}")


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
