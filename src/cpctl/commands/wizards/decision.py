"""The conference wizard's questions about one child: the decision, and the outline plan when there is one.

`DecisionPrompts` asks what the conference decided for each child (the decision and categories, the evidence and
views, dissent, the core group) and takes the rest from the store, saying so: the lead worker, an interpreter and
cultural needs from the child's record or the plan in force. A brother or sister at the same conference starts
from the first child's answers: one checklist says what is the same, and only what differs is asked. An outline
plan can be the same as a brother's or sister's: its actions are then the family's, shared with one reference
(F1, F2, ...) in each child's plan.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from cpctl.commands.common import OUTCOME_WORDS, markup_free, out
from cpctl.commands.wizards.drafts import DecisionDraft
from cpctl.commands.wizards.plan import PlanPrompts
from cpctl.commands.wizards.prompts import (
    DOMAIN_KEYS,
    TYPE_IT,
    ask_checkbox,
    ask_confirm,
    ask_list,
    ask_pair_lines,
    ask_safety_scale,
    ask_select,
    ask_text,
    mark_private,
    objective_groups,
    say,
    short,
)

if TYPE_CHECKING:
    from cpctl.casework.conference import ConferenceIn, ConferenceRules
    from cpctl.casework.plan import PlanContent
    from cpctl.commands.wizards.drafts import Draft

OBJECTIVE_LABELS = {
    "child_development": "Objectives: the child's developmental needs",
    "parenting_capacity": "Objectives: parenting capacity",
    "family_environment": "Objectives: family and environmental factors",
}
PLAN_LISTS = {
    "worries": "What are we worried about",
    "working_well": "What is working well",
    "immediate_actions": "Immediate action to keep the child safe",
}
LATER_LISTS = {
    "contingency": "Contingency: if things get worse or change too slowly",
    "must_change": "What must change before the plan can end",
}
DISSENT_EXAMPLE = "'Chris Testwood (father): does not agree the children are neglected'"
NOT_HEARD_EXAMPLE = "'Chris Testwood (father): did not come to the conference'"


class DecisionPrompts(PlanPrompts):
    """The questions about each child at a conference; the conference wizard keeps the answers in `draft`."""

    draft: Draft
    rules: ConferenceRules

    def show(self, text: str) -> None:
        raise NotImplementedError

    def status(self, ref: str) -> str | None:
        """How someone took part in the conference, as answered so far (None: not answered)."""
        return (self.draft.attendance or {}).get(ref, (None, None))[0]

    def name(self, ref: str) -> str:
        return self.ctx.children[ref].name

    # -- one child's decision -------------------------------------------------------------------------
    def ask_decision(self, ref: str) -> None:
        from cpctl.casework.conference import PLAN_OUTCOMES

        assert self.draft.details is not None
        self.show(f"\n[bold]{markup_free(self.name(ref))}[/bold] ({markup_free(ref)})")
        model = next(
            (r for r in self.draft.children if r != ref and r in self.draft.decisions),
            None,
        )
        if model is not None:
            self.ask_like(ref, model)
            return
        decision = DecisionDraft(outcome=self.ask_outcome(ref, None))
        self.draft.decisions[ref] = decision
        with_plan = decision.outcome in PLAN_OUTCOMES
        if with_plan:
            decision.categories = self.ask_categories_for(ref, None)
        self.ask_voices(ref, decision)
        decision.dissent = self.ask_dissent(decision.dissent)

    def ask_outcome(self, ref: str, default: str | None) -> str:
        from cpctl.casework.conference import OUTCOMES_FOR_KIND

        assert self.draft.details is not None
        allowed = OUTCOMES_FOR_KIND[self.draft.details.kind]
        return str(
            ask_select(
                "Decision:",
                [(OUTCOME_WORDS[o].capitalize(), o) for o in allowed],
                default=default if default in allowed else allowed[0],
            )
        )

    def ask_categories_for(self, ref: str, like: str | None) -> list[str]:
        """The categories, ticked as a brother's or sister's (`like`) or as in the plan in force, saying which."""
        child = self.ctx.children[ref]
        if like is not None and self.draft.decisions[like].categories:
            defaults = self.draft.decisions[like].categories
            say(f"Ticked as for {self.name(like)}: {self.category_words(defaults)}.")
        elif child.categories:
            defaults = child.categories
            say(f"Ticked as in plan {child.plan_number}: {self.category_words(defaults)}.")
        else:
            defaults = []
        return self.ask_categories(defaults)

    def ask_categories(self, defaults: list[str]) -> list[str]:
        several = self.rules.several  # England's MUL: the kinds are asked for, and MUL is derived from them
        choices = [(f"{code}  {label}", code) for code, label in self.rules.categories.items() if code != several]
        if not self.rules.single_category:
            return ask_checkbox(
                "Categories (areas of concern):",
                [(title, code, code in defaults) for title, code in choices],
                at_least_one="Tick at least one.",
            )
        if several is None:
            return [ask_select("Category of harm:", choices, default=defaults[0] if defaults else None)]
        named = [code for code in defaults if code != several]
        default = several if len(named) > 1 or defaults == [several] else (named[0] if named else None)
        while True:
            label = self.rules.categories[several]
            choice = ask_select(
                "Category of harm:", [*choices, (f"{several}  {label} (choose which)", several)], default=default
            )
            if choice != several:
                return [choice]
            named = ask_checkbox(
                "Which kinds of harm? (tick two or more)",
                [(title, code, code in named) for title, code in choices],
                at_least_one="Tick two or more.",
            )
            if len(named) > 1:
                return list(named)
            out().print(
                f"{label} means two or more kinds of harm: choose the one alone, or tick two or more.", markup=False
            )
            default = named[0] if named else several

    def category_words(self, codes: list[str]) -> str:
        return ", ".join(f"{c} ({self.rules.categories.get(c, c)})" for c in codes) or "none"

    def ask_voices(self, ref: str, decision: DecisionDraft) -> None:
        from cpctl.casework.conference import PLAN_OUTCOMES

        word = "Evidence of significant harm" if decision.outcome in PLAN_OUTCOMES else "Evidence considered"
        decision.evidence = ask_list(word, decision.evidence)
        decision.child_views = ask_list(f"{self.name(ref)}'s wishes and feelings", decision.child_views)
        decision.participation = self.ask_participation(ref, decision.participation, only_if_needed=True)
        decision.parent_views = ask_list("The parents' views", decision.parent_views)

    def ask_participation(self, ref: str, before: str | None, *, only_if_needed: bool = False) -> str:
        """How the child took part (PN1 to PN7); a child under 4 on the day is PN0, said and not asked."""
        from cpctl.casework import participation

        assert self.draft.details is not None
        child = self.ctx.children[ref]
        if participation.under_four(child.date_of_birth, self.draft.details.day):
            if only_if_needed:
                say(f"Took part: {participation.words(participation.UNDER_FOUR)} (the code for a child under 4).")
            return participation.UNDER_FOUR
        choices = [
            (f"{code}  {meaning[:1].upper()}{meaning[1:]}", code)
            for code, meaning in participation.CODES.items()
            if code != participation.UNDER_FOUR
        ]
        return str(ask_select(f"How did {self.name(ref)} take part in the conference?", choices, default=before))

    def ask_dissent(self, existing: list[Any]) -> list[Any]:
        from cpctl.casework.plan import Dissent

        return ask_pair_lines(
            "Did anyone disagree with the decision? Who and why, as 'who: why' (blank if no one)",
            existing,
            Dissent,
            "who",
            "reason",
            DISSENT_EXAMPLE,
        )

    def ask_not_discussed(self, existing: list[Any]) -> list[Any]:
        from cpctl.casework.plan import NotDiscussed

        return ask_pair_lines(
            "Has anyone in the family not yet heard the plan discussed? Who and why, as 'who: why' "
            "(blank if everyone has)",
            existing,
            NotDiscussed,
            "who",
            "why",
            NOT_HEARD_EXAMPLE,
        )

    def family_absent(self) -> list[str]:
        return [ref for ref in self.family_refs() if self.status(ref) != "attended"]

    def fill_decision(self, ref: str) -> None:
        """Whatever a decision still needs: asked when the answer is not implied, else taken from the store."""
        from cpctl.casework.conference import PLAN_OUTCOMES
        from cpctl.casework.plan import Interpreter

        child = self.ctx.children[ref]
        decision = self.draft.decisions[ref]
        with_plan = decision.outcome in PLAN_OUTCOMES
        if with_plan and not decision.categories:
            decision.categories = self.ask_categories_for(ref, None)
        if with_plan and decision.core_group is None:
            absent = self.family_absent()
            if absent:
                say("Not at the conference: " + ", ".join(self.person(r).name for r in absent) + ".")
                decision.not_discussed_with = self.ask_not_discussed(decision.not_discussed_with)
            if decision.lead_worker is None:
                decision.lead_worker = self.default_lead(ref) or self.ask_lead_worker(ref, None)
            decision.core_group = self.ask_core_group(ref, decision.lead_worker, None)
        if with_plan and decision.lead_worker is None:
            decision.lead_worker = self.default_lead(ref) or self.ask_lead_worker(ref, None)
        if not with_plan:
            decision.lead_worker, decision.core_group, decision.not_discussed_with = None, None, []
            decision.plan, decision.plan_asked, decision.plan_from = None, False, None
        if decision.interpreter is None:
            needed = child.interpreter_needed
            decision.interpreter = Interpreter(needed=needed, language=child.language if needed else None)
            decision.cultural_needs = child.culture
            say(
                f"From {child.name}'s record: "
                + (f"an interpreter for {child.language}" if needed else "no interpreter needed")
                + "; cultural or religious needs: "
                + (child.culture or "none recorded")
                + " (change either from the summary)."
            )
        if decision.outcome == "plan-ends" and not decision.end_reason:
            decision.end_reason = self.ask_end_reason(decision.end_reason)
            decision.step_down = self.ask_step_down(decision.step_down)

    def ask_interpreter(self, ref: str) -> None:
        from cpctl.casework.plan import Interpreter

        child = self.ctx.children[ref]
        decision = self.draft.decisions[ref]
        before = decision.interpreter or Interpreter()
        needed = ask_confirm("Is an interpreter needed?", before.needed)
        language = None
        if needed:
            language = ask_text(
                "For which language?", before.language or child.language or "", required="Name the language."
            )
        decision.interpreter = Interpreter(needed=needed, language=language)

    def ask_culture(self, ref: str) -> None:
        decision = self.draft.decisions[ref]
        decision.cultural_needs = (
            ask_text("Cultural or religious needs to respect (blank if none):", decision.cultural_needs or "") or None
        )

    def ask_end_reason(self, before: str | None) -> str:
        return ask_text("Why can the plan end?", before or "", required="Say why the plan can end.")

    def default_lead(self, ref: str) -> str | None:
        """The lead worker the store implies, said on screen: the plan's, a brother's or sister's here, or the
        only social worker who attended. None when it is not clear (then it is asked)."""
        child = self.ctx.children[ref]
        word = self.rules.term("lead_worker", "lead social worker").capitalize()
        found: tuple[str, str] | None = None
        if child.lead_worker:
            found = (child.lead_worker, f"as in plan {child.plan_number}")
        else:
            others = [(r, d.lead_worker) for r, d in self.draft.decisions.items() if r != ref and d.lead_worker]
            social = [
                p.ref
                for p in self.professionals()
                if "social worker" in (p.role or "").lower() and self.status(p.ref) == "attended"
            ]
            if others:
                found = (others[0][1], f"as for {self.name(others[0][0])}")  # type: ignore[arg-type]
            elif len(social) == 1:
                found = (social[0], "the social worker who attended")
        if found is None:
            return None
        say(f"{word}: {self.person(found[0]).name} ({found[1]}; change it from the summary).")
        return found[0]

    def ask_lead_worker(self, ref: str, default: str | None) -> str:
        professionals = self.professionals()
        return str(
            ask_select(
                f"{self.rules.term('lead_worker', 'lead social worker').capitalize()}:",
                [(p.label, p.ref) for p in professionals],
                default=default or self.ctx.children[ref].lead_worker,
            )
        )

    def ask_core_group(self, ref: str, lead: str | None, before: list[str] | None) -> list[str]:
        """The core group as it stands (or as answered), else parents, lead and the professionals who attended or
        sent a report. Members keep their order from the plan, so that ticking the same people is not a change."""
        child = self.ctx.children[ref]
        if before is not None:
            order = list(before)
        elif child.content is not None and child.content.core_group:
            order = list(child.content.core_group)
        else:
            order = [r for r, _ in child.people if self.person(r).kind == "parent"]
            order += [
                r
                for r, (status, _) in (self.draft.attendance or {}).items()
                if status in ("attended", "report") and self.person(r).kind == "professional"
            ]
        if lead and lead not in order:
            order.insert(0, lead)
        members = self.candidates()
        known = {p.ref for p in members}
        members += [self.person(r) for r in order if r not in known and (r in self.ctx.people or r.startswith("new"))]
        chosen = ask_checkbox(
            f"{self.rules.term('core_group', 'core group').capitalize()} for {self.name(ref)}:",
            [(self.title(p), p.ref, p.ref in order) for p in members],
        )
        if lead and lead not in chosen:
            chosen.insert(0, lead)
        listed = [p.ref for p in members]
        return sorted(chosen, key=lambda r: order.index(r) if r in order else len(order) + listed.index(r))

    def ask_step_down(self, before: str | None) -> str:
        step = self.rules.term("step_down", "child in need plan")
        options = [step, "no further action", "moved to another authority"]
        choice = ask_select(
            "What follows the plan?",
            [(o[:1].upper() + o[1:], o) for o in options] + [("Something else (type it)", TYPE_IT)],
            default=before if before in options else (TYPE_IT if before else step),
        )
        if choice == TYPE_IT:
            return ask_text(
                "What follows the plan?",
                before if before not in options and before else "",
                required="Say what follows the plan.",
            )
        return str(choice)

    # -- a brother or sister: what is the same, and only what differs ---------------------------------
    def ask_like(self, ref: str, model: str) -> None:
        from cpctl.casework.conference import PLAN_OUTCOMES

        theirs = self.draft.decisions[model]
        child = self.ctx.children[ref]
        other = self.name(model)
        with_plan = theirs.outcome in PLAN_OUTCOMES
        entries: list[tuple[str, str]] = [
            (
                "decision",
                f"Decision: {OUTCOME_WORDS[theirs.outcome]}"
                + (f"; categories {self.category_words(theirs.categories)}" if with_plan else ""),
            ),
            ("dissent", "Dissent: " + ("; ".join(f"{d.who}: {d.reason}" for d in theirs.dissent) or "none")),
        ]
        if with_plan and theirs.not_discussed_with:
            heard = "; ".join(f"{n.who}: {n.why}" for n in theirs.not_discussed_with)
            entries.append(("heard", f"Not yet heard the plan: {heard}"))
        if with_plan:
            entries.append(
                (
                    "core",
                    f"{self.rules.term('core_group', 'core group').capitalize()}: "
                    + ", ".join(self.person(r).name for r in theirs.core_group or []),
                )
            )
            if theirs.plan_from in ("typed", "copy") or (theirs.plan_from or "").startswith("same:"):
                entries.append(("plan", f"Outline plan: the same as {other}'s (its actions shared, one reference)"))
            elif theirs.plan_from == "keep" and child.content is not None:
                entries.append(("plan", f"Outline plan: plan {child.plan_number} kept as it is, as {other}'s"))
        same = set(
            ask_checkbox(
                f"What is the same for {child.name} as for {other}? (untick what differs)",
                [(short(label, 110), key, True) for key, label in entries],
            )
        )
        if "decision" in same:
            decision = DecisionDraft(outcome=theirs.outcome, categories=list(theirs.categories))
            self.draft.decisions[ref] = decision
        else:
            decision = DecisionDraft(outcome=self.ask_outcome(ref, theirs.outcome))
            self.draft.decisions[ref] = decision
            if decision.outcome in PLAN_OUTCOMES:
                decision.categories = self.ask_categories_for(ref, model)
        self.ask_voices(ref, decision)
        if "dissent" in same:
            decision.dissent = [d.model_copy() for d in theirs.dissent]
        else:
            decision.dissent = self.ask_dissent(theirs.dissent)
        if decision.outcome not in PLAN_OUTCOMES or not with_plan:
            return
        if "heard" in same or not theirs.not_discussed_with:
            decision.not_discussed_with = [n.model_copy() for n in theirs.not_discussed_with]
        else:
            decision.not_discussed_with = self.ask_not_discussed(theirs.not_discussed_with)
        decision.lead_worker = self.default_lead(ref)
        if "core" in same:
            decision.core_group = list(theirs.core_group or [])
        else:
            decision.core_group = self.ask_core_group(ref, decision.lead_worker, theirs.core_group)
        if "plan" in same:
            decision.plan_asked = True
            decision.plan_from = "keep" if theirs.plan_from == "keep" else f"same:{model}"

    # -- one child's outline plan ----------------------------------------------------------------------
    def ask_plan(self, ref: str) -> None:
        from cpctl.casework.plan import PlanContent

        child = self.ctx.children[ref]
        decision = self.draft.decisions[ref]
        self.show(f"\n[bold]Outline plan for {markup_free(child.name)}[/bold] ({markup_free(ref)})")
        sources: list[tuple[str, Any]] = []
        if decision.plan is not None and decision.plan_from in ("typed", "copy"):
            sources.append(("The answers given already", "mine"))
        if child.content is not None:
            if decision.outcome == "plan-continues":
                sources.append((f"Keep plan {child.plan_number}, version {child.version} as it is", "keep"))
            if decision.outcome != "plan-starts":
                sources.append((f"Update plan {child.plan_number}, version {child.version}", "current"))
        for other in self.draft.children:
            theirs = self.draft.decisions.get(other)
            if other != ref and theirs is not None and theirs.plan_from in ("typed", "copy"):
                name = self.name(other)
                sources.append((f"The same as {name}'s outline plan (its actions shared)", f"same:{other}"))
                sources.append((f"Start from {name}'s outline plan and change it", f"copy:{other}"))
        sources.append(("Start from a blank outline plan", "blank"))
        source = sources[0][1] if len(sources) == 1 else ask_select("Outline plan:", sources)
        if source == "keep" or str(source).startswith("same:"):
            decision.plan, decision.plan_asked, decision.plan_from = None, True, str(source)
            return
        if source == "mine" and decision.plan is not None:
            start = decision.plan.model_copy(deep=True)
        elif source == "current" and child.content is not None:
            start = child.content.model_copy(deep=True)
        elif str(source).startswith("copy:"):
            start = self.copy_plan(str(source)[5:], ref)
        else:
            start = PlanContent()
        plan = PlanContent(core_group=list(decision.core_group or []))
        for key, label in PLAN_LISTS.items():
            setattr(plan, key, ask_list(label, getattr(start, key)))
        for key in DOMAIN_KEYS:
            setattr(plan.objectives, key, ask_list(OBJECTIVE_LABELS[key], getattr(start.objectives, key)))
        plan.actions = self.ask_action_list(start.actions)
        plan.child_seen = self.ask_seen(child, start.child_seen, decision.lead_worker)
        for key, label in LATER_LISTS.items():
            setattr(plan, key, ask_list(label, getattr(start, key)))
        plan.safety_scale = ask_safety_scale(start.safety_scale, blank="skip")
        decision.plan, decision.plan_asked = plan, True
        decision.plan_from = "copy" if str(source).startswith("copy:") else "typed"
        decision.private_asked = False

    def copy_plan(self, model: str, ref: str) -> PlanContent:
        """A brother's or sister's plan to start from; the actions ticked stay theirs too (one reference)."""
        theirs = self.draft.decisions[model].plan
        assert theirs is not None
        start = theirs.model_copy(deep=True)
        if theirs.actions:
            shared = ask_checkbox(
                f"Which of {self.name(model)}'s actions are {self.name(ref)}'s too? (one action for both)",
                [
                    (short(f"{a.id or ''} {a.what} ({self.who_label(a.who)})".strip()), i, True)
                    for i, a in enumerate(theirs.actions)
                ],
            )
            for index in shared:
                if not theirs.actions[index].id:
                    theirs.actions[index].id = self.next_family_id()
            start.actions = [theirs.actions[i].model_copy(deep=True) for i in shared]
        return start

    def mark_private_for(self, ref: str) -> None:
        """One question for a child: which of the entries typed for them stay out of the family's copy."""
        decision = self.draft.decisions[ref]
        groups: list[tuple[str, list[Any], Any]] = [
            ("Evidence", decision.evidence, "text"),
            ("Child's views", decision.child_views, "text"),
            ("Parents' views", decision.parent_views, "text"),
            ("Dissent", decision.dissent, lambda x: f"{x.who}: {x.reason}"),
            ("Not discussed with", decision.not_discussed_with, lambda x: f"{x.who}: {x.why}"),
        ]
        plan = decision.plan
        if plan is not None and decision.plan_from in ("typed", "copy"):
            groups += [
                ("Worry", plan.worries, "text"),
                ("Working well", plan.working_well, "text"),
                ("Immediate action", plan.immediate_actions, "text"),
                *objective_groups(plan.objectives),
                self.actions_group(plan.actions),
                self.seen_group(plan.child_seen),
                ("Contingency", plan.contingency, "text"),
                ("Must change", plan.must_change, "text"),
            ]
        mark_private(groups)
        decision.private_asked = True

    # -- shared actions and the input saved ------------------------------------------------------------
    def family_contents(self) -> list[PlanContent]:
        """The plans in force of the children here and their brothers and sisters, and the plans answered."""
        refs = set(self.draft.children)
        for ref in self.draft.children:
            refs.update(self.ctx.children[ref].siblings)
        stored = [self.ctx.children[r].content for r in sorted(refs) if r in self.ctx.children]
        answered = [d.plan for d in self.draft.decisions.values()]
        return [c for c in [*stored, *answered] if c is not None]

    def next_family_id(self) -> str:
        from cpctl.casework.plan import next_family_id

        return next_family_id(self.family_contents())

    def share_plans(self) -> None:
        """Make each plan that is the same as a brother's or sister's a copy of it, their new actions numbered
        F1, F2, ... in both; an F number new at this conference that only one plan holds goes (it is numbered A)."""
        from cpctl.casework.plan import family_number

        for ref in self.draft.children:
            decision = self.draft.decisions.get(ref)
            if decision is None or not (decision.plan_from or "").startswith("same:"):
                continue
            theirs = self.draft.decisions[(decision.plan_from or "")[5:]].plan
            if theirs is None:
                continue
            for action in theirs.actions:
                if not action.id:
                    action.id = self.next_family_id()
            decision.plan = theirs.model_copy(deep=True, update={"core_group": list(decision.core_group or [])})
        stored = {
            a.id
            for r in self.ctx.children.values()
            if r.content is not None
            for a in r.content.actions
            if family_number(a.id)
        }
        plans = [d.plan for r, d in self.draft.decisions.items() if d.plan is not None and r in self.draft.children]
        held = Counter(a.id for plan in plans for a in {x.id: x for x in plan.actions}.values() if family_number(a.id))
        for plan in plans:
            for action in plan.actions:
                if family_number(action.id) and action.id not in stored and held[action.id] < 2:
                    action.id = None

    def to_input(self, *, as_draft: bool = False) -> ConferenceIn:
        self.share_plans()
        return self.draft.to_input(as_draft=as_draft)
