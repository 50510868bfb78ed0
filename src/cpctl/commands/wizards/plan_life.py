"""A plan in force over its life: the questions the core group and plan edit wizards share.

`PlanLife` changes the plan part by part from a menu, and when a change reduces services or changes the plan
significantly, says so in words and asks who agreed it (seed 002 §3.13); `show_changes` lists what would change
and what the plan would still lack. The helpers choose the child whose plan it is, and number new actions as the
store will.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cpctl.commands.common import out
from cpctl.commands.wizards.context import find_child
from cpctl.commands.wizards.drafts import NEW_KEY
from cpctl.commands.wizards.plan import ACTION_PARTS, PlanPrompts
from cpctl.commands.wizards.prompts import (
    DONE,
    ask_checkbox,
    ask_items,
    ask_objectives,
    ask_safety_scale,
    ask_select,
    ask_text,
    mark_private,
    mark_private_if_added,
    objective_groups,
    say,
    short,
)

if TYPE_CHECKING:
    from cpctl.casework.plan import Action, PlanContent
    from cpctl.commands.wizards.context import Context, PersonInfo, PlanFacts
    from cpctl.commands.wizards.drafts import NewPerson
    from cpctl.store.database import Store

ADD = "\x00add"
REMOVE = "\x00remove"


def choose_child_on_plan(store: Store, ctx: Context, child: str | None, doing: str) -> str:
    """The child given (by id or name), or one chosen from those with a plan in force."""
    from cpctl.errors import CpctlError

    if child is not None:
        ref = find_child(store, child)
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
    return str(ask_select("Child:", [(c.label, c.ref) for c in on_plan]))


def numbered(content: PlanContent, previous: PlanContent) -> PlanContent:
    """The plan as it will be saved: new actions get the ids the store will give them (so a diff can name them)."""
    from cpctl.casework import plan as plans

    return plans.number_actions(content.model_copy(deep=True), previous)


def significant(current: PlanContent, plan: PlanContent) -> list[str]:
    """Why changing `current` into `plan` needs a conference's agreement (§3.13); empty if it does not."""
    from cpctl.casework import revision

    return revision.significant(current, numbered(plan, current))


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
        return short(f"{action.id or 'new'}: {action.what} ({self.who_label(action.who)})")

    # -- the parts of the plan, from a menu ----------------------------------------------------------------------
    def ask_plan_parts(self, start: PlanContent) -> PlanContent:
        """Change the plan part by part, chosen from a menu, until Done; returns the plan as changed."""
        plan = start.model_copy(deep=True)
        while True:
            parts = self.parts(plan)
            choice = ask_select(
                "Which part of the plan to change?",
                [("Done: the plan is as it should be", DONE)] + [(title, key) for key, title in parts],
            )
            if choice == DONE:
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
            setattr(plan, key, ask_items(question, before))
            mark_private_if_added([(label, getattr(plan, key), "text")], before)
        elif key == "objectives":
            o = plan.objectives
            before = [*o.child_development, *o.parenting_capacity, *o.family_environment]
            plan.objectives = ask_objectives(o)
            mark_private_if_added(objective_groups(plan.objectives), before)
        elif key == "actions":
            self.ask_action_changes(plan)
        elif key == "child_seen":
            before_seen = list(plan.child_seen)
            plan.child_seen = self.ask_child_seen(self.facts.child, plan.child_seen, self.facts.child.lead_worker)
            mark_private_if_added(
                [self.seen_group(plan.child_seen)],
                before_seen,
            )
        elif key == "core_group":
            plan.core_group = self.ask_core_group(plan.core_group)
        else:
            plan.safety_scale = ask_safety_scale(plan.safety_scale, blank="clear")

    def ask_action_changes(self, plan: PlanContent) -> None:
        """Add, change and remove actions, one at a time, until Done."""
        before = [a.model_copy() for a in plan.actions]
        while True:
            choices: list[tuple[str, Any]] = [("Done with the actions", DONE), ("Add an action or service", ADD)]
            choices += [(f"Change {self.action_label(a)}", index) for index, a in enumerate(plan.actions)]
            if plan.actions:
                choices.append(("Remove actions", REMOVE))
            choice = ask_select("Actions and services:", choices)
            if choice == DONE:
                break
            if choice == ADD:
                added = self.ask_action(number=len(plan.actions) + 1)
                if added is not None:
                    plan.actions.append(added)
            elif choice == REMOVE:
                gone = set(
                    ask_checkbox(
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
            mark_private([self.actions_group(plan.actions)])

    def ask_core_group(self, current: list[str]) -> list[str]:
        """Tick the members; the lead worker stays one. Members keep their order, so ticking the same is no change."""
        lead = self.facts.child.lead_worker
        members = [self.person(ref) for ref in dict.fromkeys([*current, *(p.ref for p in self.candidates())])]
        members = [p for p in members if not p.ref.startswith(NEW_KEY)]  # people typed in join the attendance only
        chosen = ask_checkbox(
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
            big = significant(current, plan)
            if not big:
                return plan, agreed_by
            console = out()
            console.print(
                "\n[bold]This change needs a conference decision[/bold]: there must be no reduction in services "
                "and no significant change to the plan without a child protection conference (seed 002 §3.13)."
            )
            for reason in big:
                say(f"  - {reason[:1].upper()}{reason[1:]}")
            choice = ask_select(
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
                who = ask_text(
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
        standing = current if plan is None else numbered(plan, current)
        if standing == current:
            say(f"  The plan stays as it is (version {self.facts.version}).")
        else:
            changes = revision.diff(current, standing)
            say(f"  The plan changes, from version {self.facts.version} to {self.facts.version + 1}:")
            for change in changes:
                say(f"    {change.line()}")
            if not changes:
                say("    (only the order of its entries)")
            if revision.significant(current, standing):
                say(f"  A significant change (§3.13), agreed by {agreed_by}.")
        gaps = plans.gaps(standing, self.facts.details)
        if gaps:
            console.print(f"  [yellow]The plan still lacks ({len(gaps)}):[/yellow]")
            for gap in gaps:
                say(f"    - {gap}")
        else:
            say("  Nothing missing against §3.10-3.22.")
        return gaps


# -- a core group's children, and the changes it makes to an action --------------------------------------------
def choose_children(store: Store, named: list[str], *, family: bool) -> tuple[Context, list[str]]:
    """The children of a core group meeting: those named, or one chosen from those with a plan in force, and
    their brothers and sisters on a plan when asked for (`family`) or, in the wizard, offered ticked."""
    from cpctl.commands.wizards.context import load_context
    from cpctl.commands.wizards.replay import checkbox, select
    from cpctl.errors import CpctlError

    doing = "record a core group for"
    ctx = load_context(store, only=named[0] if named else None)
    refs: list[str] = []
    for key in named:
        ref = find_child(store, key)
        if ref not in ctx.children:
            ctx.children.update(load_context(store, only=ref).children)
        if ctx.children[ref].plan_number is None:
            raise CpctlError(
                f"child {ref} has no plan in force, so there is no plan to {doing}; a plan starts at a "
                "conference (`cpctl conference new`)."
            )
        if ref not in refs:
            refs.append(ref)
    if not refs:
        on_plan = [c for c in ctx.children.values() if c.plan_number is not None]
        if not on_plan:
            raise CpctlError(
                f"no child in this store has a plan in force, so there is no plan to {doing}; a plan starts at a "
                "conference (`cpctl conference new`)."
            )
        if len(on_plan) == 1:
            out().print(f"Child: {on_plan[0].label} (the only child with a plan in force)", markup=False)
            refs = [on_plan[0].ref]
        else:
            refs = [str(select("Child:", [(c.label, c.ref) for c in on_plan]))]
    siblings = [s for ref in refs for s in ctx.children[ref].siblings if s not in refs]
    for ref in dict.fromkeys(siblings):
        if ref not in ctx.children:
            ctx.children.update(load_context(store, only=ref).children)
    on_plan = [ref for ref in dict.fromkeys(siblings) if ctx.children[ref].plan_number is not None]
    if family:
        if on_plan:
            out().print(
                "With their brothers and sisters on a plan: " + ", ".join(ctx.children[ref].label for ref in on_plan),
                markup=False,
            )
        else:
            out().print("No brother or sister has a plan in force: the meeting is for this child alone.")
        refs += on_plan
    elif on_plan and not named:
        refs += checkbox(
            "Also at this meeting (brothers and sisters with a plan in force; untick any who were not):",
            [(ctx.children[ref].label, ref, True) for ref in on_plan],
        )
    return ctx, refs


class ChildPlan(PlanLife):
    """One child's plan at a core group; the people typed in are kept in a list the whole meeting shares."""

    def __init__(self, ctx: Context, facts: PlanFacts, new_people: list[NewPerson]) -> None:
        super().__init__(ctx, facts)
        self._new_people = new_people


class MeetingPeople(ChildPlan):
    """The people of a core group meeting for one child or several: each child's family and core group."""

    def __init__(self, ctx: Context, plans: list[ChildPlan], new_people: list[NewPerson]) -> None:
        super().__init__(ctx, plans[0].facts, new_people)
        self.plans = plans

    @property
    def subjects(self) -> list[str]:
        return [p.facts.child.ref for p in self.plans]

    def core_group_refs(self) -> list[str]:
        """Each child's family, lead worker and core group, in that order, once each."""
        family = [ref for p in self.plans for ref, _ in p.facts.child.people]
        return list(dict.fromkeys(family + [ref for p in self.plans for ref in p.core_group_refs()]))


def ask_action_fields(a: Any, plan: PlanLife, key: str, action: Action) -> Action:
    """An action changed field by field: tick what changed (each shown as it stands), then only those are asked,
    each prefilled. `a` is the wizard's `replay.Answers`."""
    from cpctl.commands.wizards import replay
    from cpctl.commands.wizards.prompts import date_check
    from cpctl.dates import parse_date, short_british

    def shown(name: str) -> str:
        value = getattr(action, name)
        if name == "who":
            return plan.who_label(value)
        if name in ("start", "by"):
            return short_british(value) if value else "not set"
        return short(value, 60) if value else "not set"

    fields = a.ask(
        f"plan.action.{key}.fields",
        lambda before: replay.checkbox(
            f"What changes in {action.id} {short(action.what, 50)}?",
            [(f"{title}: {shown(name)}", name, name in before) for name, title in ACTION_PARTS.items()],
        ),
        default=[],
    )
    changed = action.model_copy(deep=True)
    for name in ACTION_PARTS:
        if name not in fields:
            continue
        title = ACTION_PARTS[name]
        if name == "who":
            value: Any = a.ask(
                f"plan.action.{key}.who", lambda before: plan.ask_who("Who is responsible?", before), action.who
            )
        elif name in ("start", "by"):
            earliest = changed.start if name == "by" else None
            check = date_check(earliest=earliest, too_early="That is before the action starts.")

            def ask_day(before: Any, title: str = title, check: Any = check) -> Any:
                typed = replay.text(f"{title} (DD/MM/YYYY):", f"{before:%d/%m/%Y}" if before else "", check=check)
                return parse_date(typed) if typed else None

            value = a.ask(f"plan.action.{key}.{name}", ask_day, getattr(action, name))
        else:
            required = "Say what the action is." if name == "what" else None
            value = a.ask(
                f"plan.action.{key}.{name}",
                lambda before, title=title, required=required: (
                    replay.text(f"{title}:", before or "", required=required) or None
                ),
                getattr(action, name),
            )
        setattr(changed, name, value)
    return changed
