"""The plan over its life in a terminal: `cpctl core-group record`, `cpctl plan edit` and `cpctl visit record`.

As in the conference wizard, the answers are kept as plain data and nothing touches the store until the person
chooses Save at the summary: Ctrl-C at any question, or Cancel, writes nothing. The questions about the plan's
body (lists of items, actions, how the child is seen) are the conference wizard's, with the plan's current
version as the defaults. A change that reduces services needs someone with authority to have agreed it (seed 002
§3.13); the wizards say so in words and ask who, before they offer to save.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from cpctl.commands.common import STATUS_WORDS, markup_free, out
from cpctl.commands.conference_wizard import (
    _DONE,
    NEW_KEY,
    PlanPrompts,
    _ask_date,
    _checkbox,
    _confirm,
    _date_check,
    _items,
    _mark_private,
    _select,
    _short,
    _text,
    add_new_people,
    load_context,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from cpctl.casework.coregroup import CoreGroupIn, Recorded
    from cpctl.casework.plan import Action, DecisionDetails, Item, PlanContent
    from cpctl.casework.visits import VisitIn
    from cpctl.commands.conference_wizard import ChildInfo, Context, NewPerson, PersonInfo
    from cpctl.rules.profile import Profile
    from cpctl.store.database import Store

_NEW = "\x00new"
_SKIP = "\x00skip"
_ADD = "\x00add"
_REMOVE = "\x00remove"


# -- what the store says about the child's plan, read once ---------------------------------------------------
@dataclass
class PlanFacts:
    child: ChildInfo
    content: PlanContent
    version: int
    details: DecisionDetails | None
    last_meeting: date | None
    progress: dict[str, dict[str, Any]]
    profile: Profile


def _find_child(store: Store, key: str) -> str:
    from cpctl.casework import people

    with store.read() as session:
        return people.find_child(session, key).ref


def _plan_facts(store: Store, ctx: Context, ref: str) -> PlanFacts:
    from cpctl.casework import coregroup, people, revision, schedule
    from cpctl.casework import plan as plans

    with store.read() as session:
        child = people.find_child(session, ref)
        plan_row = revision.active_plan_of(session, child)
        row = plans.version(session, plan_row)
        decision = plans.latest_decision(session, plan_row)
        meetings = coregroup.meetings(session, plan_row)
        return PlanFacts(
            child=ctx.children[ref],
            content=plans.content_of(row) if row is not None else plans.PlanContent(),
            version=row.number if row is not None else 0,
            details=plans.details_of(decision) if decision is not None else None,
            last_meeting=meetings[-1].held_on if meetings else None,
            progress=coregroup.latest_progress(session, plan_row),
            profile=schedule.load_profile(session),
        )


def _choose_child_on_plan(store: Store, ctx: Context, child: str | None, doing: str) -> str:
    """The child given (by id or name), or one chosen from those with a plan in force."""
    from cpctl.errors import CpctlError

    if child is not None:
        ref = _find_child(store, child)
        if ctx.children[ref].plan_number is None:
            raise CpctlError(
                f"child {ref} has no plan in force, so there is no plan to {doing}; a plan starts at a "
                "conference (`cpctl conference new`)."
            )
        return ref
    on_plan = [c for c in ctx.children.values() if c.plan_number is not None]
    if not on_plan:
        raise CpctlError(
            f"no child in this store has a plan in force, so there is no plan to {doing}; a plan starts at a "
            "conference (`cpctl conference new`)."
        )
    return str(_select("Child:", [(c.label, c.ref) for c in on_plan]))


def _numbered(content: PlanContent, previous: PlanContent) -> PlanContent:
    """The plan as it will be saved: new actions get the ids the store will give them (so a diff can name them)."""
    from cpctl.casework import plan as plans

    return plans.number_actions(content.model_copy(deep=True), previous)


def _print(text: str) -> None:
    out().print(text, markup=False)


# -- the plan's body: shared by the core group and the plan edit ---------------------------------------------
class PlanLife(PlanPrompts):
    """Questions about one child's plan in force: its people, its parts, a change that needs agreement."""

    def __init__(self, ctx: Context, facts: PlanFacts) -> None:
        self.ctx = ctx
        self.facts = facts
        self._new_people: list[NewPerson] = []

    @property
    def subjects(self) -> list[str]:
        return [self.facts.child.ref]

    @property
    def new_people(self) -> list[NewPerson]:
        return self._new_people

    def core_group_refs(self) -> list[str]:
        """The family, the lead worker and the plan's core group, in that order, once each."""
        refs = [ref for ref, _ in self.facts.child.people]
        if self.facts.child.lead_worker:
            refs.append(self.facts.child.lead_worker)
        refs += [r for r in self.facts.content.core_group if r in self.ctx.people]
        return list(dict.fromkeys(refs))

    def candidates(self) -> list[PersonInfo]:
        """Whom to offer for an action or for seeing the child: the core group first, then every professional."""
        refs = self.core_group_refs() + [n.key for n in self.new_people]
        refs += [p.ref for p in self.professionals()]
        return [self.person(ref) for ref in dict.fromkeys(refs)]

    def action_label(self, action: Action) -> str:
        return _short(f"{action.id or 'new'}: {action.what} ({self.who_label(action.who)})")

    # -- the parts of the plan, from a menu ----------------------------------------------------------------------
    def ask_plan_parts(self, start: PlanContent) -> PlanContent:
        """Change the plan part by part, chosen from a menu, until Done; returns the plan as changed."""
        plan = start.model_copy(deep=True)
        while True:
            parts = self.parts(plan)
            choice = _select(
                "Which part of the plan to change?",
                [("Done: the plan is as it should be", _DONE)] + [(title, key) for key, title in parts],
            )
            if choice == _DONE:
                return plan
            self.ask_part(plan, str(choice))

    def parts(self, plan: PlanContent) -> list[tuple[str, str]]:
        o = plan.objectives
        objectives = len(o.child_development) + len(o.parenting_capacity) + len(o.family_environment)
        scale = "not set" if plan.safety_scale is None else f"{plan.safety_scale} out of 10"
        return [
            ("actions", f"Actions and services ({len(plan.actions)})"),
            ("worries", f"What we are worried about ({len(plan.worries)})"),
            ("working_well", f"What is working well ({len(plan.working_well)})"),
            ("immediate_actions", f"Immediate action to keep the child safe ({len(plan.immediate_actions)})"),
            ("objectives", f"Objectives in each domain ({objectives})"),
            ("child_seen", f"How {self.facts.child.name} will be seen ({len(plan.child_seen)})"),
            ("contingency", f"Contingency plan ({len(plan.contingency)})"),
            ("must_change", f"What must change before the plan can end ({len(plan.must_change)})"),
            ("core_group", f"Core group ({len(plan.core_group)} members)"),
            ("safety_scale", f"Safety scale ({scale})"),
        ]

    def ask_part(self, plan: PlanContent, key: str) -> None:
        from cpctl.casework.plan import Objectives

        items = {
            "worries": ("What are we worried about", "Worry"),
            "working_well": ("What is working well", "Working well"),
            "immediate_actions": ("Immediate action to keep the child safe", "Immediate action"),
            "contingency": ("Contingency: if things get worse or change too slowly", "Contingency"),
            "must_change": ("What must change before the plan can end", "Must change"),
        }
        if key in items:
            question, label = items[key]
            before = list(getattr(plan, key))
            setattr(plan, key, _items(question, before))
            _mark_private_if_added([(label, getattr(plan, key), "text")], before)
        elif key == "objectives":
            o = plan.objectives
            before = [*o.child_development, *o.parenting_capacity, *o.family_environment]
            plan.objectives = Objectives(
                child_development=_items("Objective: the child's developmental needs", o.child_development),
                parenting_capacity=_items("Objective: parenting capacity", o.parenting_capacity),
                family_environment=_items("Objective: family and environmental factors", o.family_environment),
            )
            o = plan.objectives
            _mark_private_if_added(
                [
                    ("Objective", o.child_development, "text"),
                    ("Objective", o.parenting_capacity, "text"),
                    ("Objective", o.family_environment, "text"),
                ],
                before,
            )
        elif key == "actions":
            self.ask_action_changes(plan)
        elif key == "child_seen":
            before_seen = list(plan.child_seen)
            plan.child_seen = self.ask_child_seen(self.facts.child, plan.child_seen, self.facts.child.lead_worker)
            _mark_private_if_added(
                [("Seen by", plan.child_seen, lambda x: f"{self.who_label(x.who)}, {x.how_often or ''}")],
                before_seen,
            )
        elif key == "core_group":
            plan.core_group = self.ask_core_group(plan.core_group)
        else:
            scale = _text(
                "Safety scale, 0 (not safe) to 10 (safe enough to end the plan); blank to clear:",
                "" if plan.safety_scale is None else str(plan.safety_scale),
                check=lambda t: (t.isdigit() and 0 <= int(t) <= 10) or "A whole number from 0 to 10",
            )
            plan.safety_scale = int(scale) if scale else None

    def ask_action_changes(self, plan: PlanContent) -> None:
        """Add, change and remove actions, one at a time, until Done."""
        before = [a.model_copy() for a in plan.actions]
        while True:
            choices: list[tuple[str, Any]] = [("Done with the actions", _DONE), ("Add an action or service", _ADD)]
            choices += [(f"Change {self.action_label(a)}", index) for index, a in enumerate(plan.actions)]
            if plan.actions:
                choices.append(("Remove actions", _REMOVE))
            choice = _select("Actions and services:", choices)
            if choice == _DONE:
                break
            if choice == _ADD:
                added = self.ask_action(number=len(plan.actions) + 1)
                if added is not None:
                    plan.actions.append(added)
            elif choice == _REMOVE:
                gone = set(
                    _checkbox(
                        "Remove which? (removing an action reduces services: a conference must agree, §3.13)",
                        [(self.action_label(a), index, False) for index, a in enumerate(plan.actions)],
                    )
                )
                plan.actions = [a for index, a in enumerate(plan.actions) if index not in gone]
            else:
                changed = self.ask_action(plan.actions[int(choice)])
                assert changed is not None  # an action being changed always keeps a 'what'
                plan.actions[int(choice)] = changed
        if plan.actions != before:
            _mark_private([("Action", plan.actions, lambda a: f"{a.what} ({self.who_label(a.who)})")])

    def ask_core_group(self, current: list[str]) -> list[str]:
        """Tick the members; the lead worker stays one. Members keep their order, so ticking the same is no change."""
        lead = self.facts.child.lead_worker
        members = [self.person(ref) for ref in dict.fromkeys([*current, *(p.ref for p in self.candidates())])]
        members = [p for p in members if not p.ref.startswith(NEW_KEY)]  # people typed in join the attendance only
        chosen = _checkbox(
            "Core group (the lead worker stays a member):",
            [(self.title(p), p.ref, p.ref in current) for p in members],
        )
        if lead and lead not in chosen:
            chosen.insert(0, lead)
        listed = [p.ref for p in members]
        return sorted(chosen, key=lambda r: current.index(r) if r in current else len(current) + listed.index(r))

    # -- a change that needs a conference ------------------------------------------------------------------------
    def revise(self, start: PlanContent, agreed_by: str | None, *, drop: str) -> tuple[PlanContent | None, str | None]:
        """The plan changed from the menu, and who agreed it when it must be agreed (§3.13).

        Returns (None, None) when the person drops the changes.
        """
        current = self.facts.content
        plan = start
        while True:
            plan = self.ask_plan_parts(plan)
            big = _significant(current, plan)
            if not big:
                return plan, agreed_by
            console = out()
            console.print(
                "\n[bold]This change needs a conference decision[/bold]: there must be no reduction in services "
                "and no significant change to the plan without a child protection conference (seed 002 §3.13)."
            )
            for reason in big:
                _print(f"  - {reason[:1].upper()}{reason[1:]}")
            choice = _select(
                "What now?",
                [
                    ("Record who agreed it (e.g. the review conference)", "agree"),
                    ("Go back and change the plan again", "back"),
                    (drop, "drop"),
                ],
            )
            if choice == "drop":
                return None, None
            if choice == "agree":
                who = _text(
                    "Who agreed this change? (e.g. review conference CF00002 on 13/11/2026)",
                    agreed_by or "",
                    required="Say who agreed it: without that the change cannot be saved.",
                )
                return plan, who

    def show_changes(self, plan: PlanContent | None, agreed_by: str | None) -> list[str]:
        """The change list, whether it was agreed, and the gaps of the plan as it would stand; returns the gaps."""
        from cpctl.casework import plan as plans
        from cpctl.casework import revision

        console = out()
        current = self.facts.content
        standing = current if plan is None else _numbered(plan, current)
        if standing == current:
            _print(f"  The plan stays as it is (version {self.facts.version}).")
        else:
            changes = revision.diff(current, standing)
            _print(f"  The plan changes, from version {self.facts.version} to {self.facts.version + 1}:")
            for change in changes:
                _print(f"    {change.line()}")
            if not changes:
                _print("    (only the order of its entries)")
            if revision.significant(current, standing):
                _print(f"  A significant change (§3.13), agreed by {agreed_by}.")
        gaps = plans.gaps(standing, self.facts.details)
        if gaps:
            console.print(f"  [yellow]The plan still lacks ({len(gaps)}):[/yellow]")
            for gap in gaps:
                _print(f"    - {gap}")
        else:
            _print("  Nothing missing against §3.10-3.22.")
        return gaps


def _significant(current: PlanContent, plan: PlanContent) -> list[str]:
    from cpctl.casework import revision

    return revision.significant(current, _numbered(plan, current))


def _mark_private_if_added(groups: list[tuple[str, list[Any], Any]], before: list[Any]) -> None:
    """Ask what is kept from the family's copy when something was added (what was there keeps its marking)."""
    if any(entry not in before for _, entries, _ in groups for entry in entries):
        _mark_private(groups)


# -- cpctl core-group record ---------------------------------------------------------------------------------
@dataclass
class MeetingDraft:
    day: date | None = None
    attendance: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    progress: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    parent_views: list[Item] = field(default_factory=list)
    child_views: list[Item] = field(default_factory=list)
    notes: list[Item] = field(default_factory=list)
    plan: PlanContent | None = None
    agreed_by: str | None = None
    next_meeting: date | None = None
    sent_on: date | None = None
    attendance_asked: bool = False


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
        from cpctl.dates import parse_date

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
        day = self.draft.day
        text = _text(
            "Date of the meeting (today, DD/MM/YYYY or YYYY-MM-DD):",
            f"{day:%d/%m/%Y}" if day else "today",
            required="Give the date the meeting was held.",
            check=_date_check(
                latest=today,
                earliest=earliest,
                too_late="That is in the future: record a meeting once it has been held.",
                too_early=too_early,
            ),
        )
        self.draft.day = parse_date(text)

    def ask_attendance(self) -> None:
        before = self.draft.attendance if self.draft.attendance_asked else None
        listed = [*self.core_group_refs(), *(ref for ref in (before or {}) if ref not in self.core_group_refs())]
        statuses: dict[str, tuple[str, str | None]] = {}
        remaining = [self.person(ref) for ref in listed]

        def ticked(ref: str, status: str) -> bool:
            if before is not None:
                return before.get(ref, ("", None))[0] == status
            return status == "attended"

        for status, question in (
            ("attended", "Who came? (the core group and the family are ticked)"),
            ("apologies", "Who sent apologies?"),
            ("report", "Who sent a report but did not come?"),
        ):
            if not remaining:
                break
            chosen = _checkbox(question, [(self.title(p), p.ref, ticked(p.ref, status)) for p in remaining])
            statuses.update({ref: (status, None) for ref in chosen})
            remaining = [p for p in remaining if p.ref not in statuses]
        if remaining:
            chosen = _checkbox(
                "Was anyone not invited?",
                [(self.title(p), p.ref, ticked(p.ref, "not-invited")) for p in remaining],
            )
            for ref in chosen:
                old = (before or {}).get(ref, ("", None))[1] or ""
                reason = _text(
                    f"Why was {self.person(ref).name} not invited?",
                    old,
                    required="Say why; it is recorded with the meeting.",
                )
                statuses[ref] = ("not-invited", reason)
        while _confirm("Add someone who is not in these lists?", False):
            others = [p for p in self.everyone() if p.ref not in statuses and p.ref not in listed]
            picked = _select(
                "Who?",
                [("Someone new (type their details)", _NEW)]
                + [(self.title(p), p.ref) for p in others if not p.ref.startswith(NEW_KEY)],
            )
            ref = self.ask_new_person().key if picked == _NEW else str(picked)
            name = self.person(ref).name
            status = _select(f"{name}:", [(STATUS_WORDS[s].capitalize(), s) for s in STATUS_WORDS], default="attended")
            reason = None
            if status == "not-invited":
                reason = _text(f"Why was {name} not invited?", required="Say why; it is recorded.")
            statuses[ref] = (status, reason)
        self.draft.attendance = statuses
        self.draft.attendance_asked = True

    def ask_progress(self) -> None:
        from cpctl.casework.coregroup import PROGRESS, PROGRESS_WORDS
        from cpctl.dates import short_british

        actions = self.facts.content.actions
        if not actions:
            _print(f"Version {self.facts.version} of the plan has no actions yet, so there is no progress to record.")
            return
        _print(f"\nProgress on each action of the plan (version {self.facts.version}):")
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
            _print(f"\n  {ref} {action.what}\n    {'; '.join(facts)}")
            if action.outcome:
                _print(f"    outcome: {action.outcome}")
            status = _select(
                f"  Progress on {ref}:",
                [(PROGRESS_WORDS[s].capitalize(), s) for s in PROGRESS] + [("Not discussed at this meeting", _SKIP)],
                default=before[ref][0] if ref in before else (last["status"] if last else "on-track"),
            )
            if status == _SKIP:
                continue
            note = _text(f"  A note on {ref} (blank for none):", (before.get(ref, ("", None))[1] or ""))
            progress[ref] = (str(status), note or None)
        self.draft.progress = progress

    def ask_views(self) -> None:
        name = self.facts.child.name
        self.draft.parent_views = _items("The parents' views, in their words", self.draft.parent_views)
        self.draft.child_views = _items(f"{name}'s wishes and feelings", self.draft.child_views)
        self.draft.notes = _items("Notes of the meeting", self.draft.notes)
        _mark_private(
            [
                ("Parents' views", self.draft.parent_views, "text"),
                ("Child's views", self.draft.child_views, "text"),
                ("Note", self.draft.notes, "text"),
            ]
        )

    def ask_plan(self) -> None:
        changed = _select(
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
        if plan is not None and _numbered(plan, self.facts.content) == self.facts.content:
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
        self.draft.next_meeting = _ask_date(
            f"Date of the next core group{hint} (blank if not set yet):",
            self.draft.next_meeting if self.draft.next_meeting and self.draft.next_meeting > day else None,
            earliest=day + timedelta(days=1),
            too_early="The next meeting must come after this one.",
        )

    def ask_sent(self) -> None:
        from cpctl.dates import parse_date

        day = self.draft.day
        assert day is not None
        today = date.today()
        before = self.draft.sent_on
        choice = _select(
            "Have the revised plan and minutes gone to the core group and the chair?",
            [("Not yet", "no"), ("Yes, today", "today"), ("Yes, on another day", "other")],
            default="no" if before is None else ("today" if before == today else "other"),
        )
        if choice == "no":
            self.draft.sent_on = None
        elif choice == "today":
            self.draft.sent_on = today
        else:
            text = _text(
                "Sent on (DD/MM/YYYY or YYYY-MM-DD):",
                f"{before:%d/%m/%Y}" if before else "",
                required="Give the date they went out, or go back and choose Not yet.",
                check=_date_check(
                    latest=today,
                    earliest=day,
                    too_late="That is in the future.",
                    too_early="That is before the meeting.",
                ),
            )
            self.draft.sent_on = parse_date(text)

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
        if self.draft.plan is not None and _significant(self.facts.content, self.draft.plan):
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
                _print(f"  {STATUS_WORDS[status].capitalize()}: {'; '.join(names)}")
        if not any(s == "attended" for s, _ in d.attendance.values()):
            _print("  No one is recorded as attending.")
        if self.facts.content.actions:
            _print("  Progress:")
            for action in self.facts.content.actions:
                found = d.progress.get(action.id or "")
                said = PROGRESS_WORDS[found[0]] + (f" ({found[1]})" if found[1] else "") if found else "not discussed"
                _print(f"    {action.id} {_short(action.what, 50)}: {said}")
        kept = sum(1 for group in (d.parent_views, d.child_views, d.notes) for item in group if item.private)
        _print(
            f"  Recorded: parents' views {len(d.parent_views)}, {child.name}'s views {len(d.child_views)}, "
            f"notes {len(d.notes)}" + (f" ({kept} kept from the family's copy)" if kept else "")
        )
        gaps = self.show_changes(d.plan, d.agreed_by)
        _print(f"  Next meeting: {british(d.next_meeting) if d.next_meeting else 'not set yet'}")
        if d.sent_on:
            _print(f"  Revised plan and minutes sent on {british(d.sent_on)}")
        else:
            _print("  Revised plan and minutes not sent yet (later: `cpctl core-group sent`)")
        if problem is not None:
            console.print(f"\n[red bold]This cannot be saved yet:[/red bold] {markup_free(problem)}")
        return gaps

    def go_back(self) -> None:
        section = _select("Which section?", [(title, key) for key, title in SECTIONS.items()])
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
    from cpctl.commands.coregroup import save_checked
    from cpctl.errors import Cancelled, CpctlError

    ctx = load_context(store, only=child)
    ref = _choose_child_on_plan(store, ctx, child, "record a core group for")
    facts = _plan_facts(store, ctx, ref)
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
        choices: list[tuple[str, str]] = []
        if problem is None:
            if wizard.draft.plan is not None and gaps:
                choices.append(("Save, with the revised plan as a draft (it has gaps)", "draft"))
            else:
                choices.append(("Save", "save"))
        choices += [("Go back and change a section", "back"), ("Cancel: save nothing", "cancel")]
        choice = _select("What now?", choices)
        if choice == "cancel":
            raise Cancelled()
        if choice == "back":
            wizard.go_back()
            continue

        def before(session: Session, data: CoreGroupIn) -> CoreGroupIn:
            _check_version_unchanged(session, ref, facts.version)
            return add_new_people(session, data, wizard.new_people, children=[ref])

        try:
            return save_checked(store, wizard.to_input(as_draft=choice == "draft"), before=before)
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


# -- cpctl plan edit -----------------------------------------------------------------------------------------
def edit_plan_wizard(
    store: Store, child: str, *, agreed_by: str | None, draft: bool
) -> tuple[PlanContent, str | None, bool, int]:
    """Revise the current version part by part; returns the plan, who agreed a significant change, draft, and the
    number of the version the revision began from."""
    from cpctl.errors import Cancelled

    ctx = load_context(store, only=child)
    ref = _choose_child_on_plan(store, ctx, child, "edit")
    facts = _plan_facts(store, ctx, ref)
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
        unchanged = _numbered(plan, facts.content) == facts.content
        choices: list[tuple[str, str]] = []
        if unchanged:
            _print("  Nothing has changed yet.")
        elif gaps:
            choices.append(("Save as a draft, with the gaps recorded", "draft"))
        else:
            choices.append(("Save", "save"))
        choices += [("Go back and change the plan", "back"), ("Cancel: save nothing", "cancel")]
        choice = _select("What now?", choices)
        if choice == "cancel":
            raise Cancelled()
        if choice == "back":
            continue
        return plan, agreed, draft or choice == "draft", facts.version


# -- cpctl visit record --------------------------------------------------------------------------------------
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
    from cpctl.dates import parse_date
    from cpctl.errors import CpctlError

    ctx = load_context(store, only=child)
    today = on or date.today()
    if child is None:
        on_plan = [c for c in ctx.children.values() if c.plan_number is not None and c.born_by(today)]
        if not on_plan:
            raise CpctlError(
                "no child in this store is on a plan to visit; name the child: `cpctl visit record CHILD`."
            )
        ref = str(_select("Which child was visited?", [(c.label, c.ref) for c in on_plan]))
    else:
        ref = _find_child(store, child)
    info = ctx.children[ref]
    if info.date_of_birth is None:
        raise CpctlError(
            f"child {ref} is not born yet, so there is no visit to record; record the birth first "
            f"(`cpctl child edit {ref} --dob DATE`)."
        )
    if on is None:
        birth = info.date_of_birth
        text = _text(
            "Date of the visit (today, DD/MM/YYYY or YYYY-MM-DD):",
            "today",
            required="Give the date of the visit.",
            check=_date_check(
                latest=date.today(),
                earliest=birth,
                too_late="That is in the future: record a visit once it has happened.",
                too_early=f"{info.name} was not born by then." if birth else "",
            ),
        )
        on = parse_date(text)
    if visitor is None:
        professionals = sorted(
            (p for p in ctx.people.values() if p.kind == "professional"), key=lambda p: p.ref != ctx.me
        )
        if not professionals:
            raise CpctlError("there is no professional in this store to have made the visit: run `cpctl init`.")
        visitor = str(
            _select(
                "Who visited?",
                [(p.label + ("  (you)" if p.ref == ctx.me else ""), p.ref) for p in professionals],
                default=ctx.me,
            )
        )
    if announced is None:
        announced = _confirm("Was the visit announced?", True)
    if alone is None:
        alone = _confirm(f"Was {info.name} seen alone?", False)
    if bedroom is None:
        bedroom = _confirm(f"Was {info.name}'s bedroom seen?", False)
    if not notes:
        items = _items("Notes of the visit", [])
        _mark_private([("Note", items, "text")])
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
