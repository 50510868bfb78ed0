"""The conference wizard's questions about one child: the decision, and the outline plan when there is one.

`DecisionPrompts` asks the decision (with the categories, the evidence and views, dissent, the lead worker and
core group, an interpreter, cultural needs, and what follows a plan that ends) and the outline plan, which can
start from the plan in force, from a brother's or sister's at the same conference, or blank.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cpctl.commands.common import OUTCOME_WORDS, markup_free, out
from cpctl.commands.wizards.drafts import DecisionDraft
from cpctl.commands.wizards.plan import PlanPrompts
from cpctl.commands.wizards.prompts import (
    TYPE_IT,
    ask_checkbox,
    ask_confirm,
    ask_items,
    ask_objectives,
    ask_pairs,
    ask_safety_scale,
    ask_select,
    ask_text,
    mark_private,
    objective_groups,
)

if TYPE_CHECKING:
    from cpctl.casework.conference import ConferenceRules
    from cpctl.commands.wizards.drafts import Draft


class DecisionPrompts(PlanPrompts):
    """The questions about each child at a conference; the conference wizard keeps the answers in `draft`."""

    draft: Draft
    rules: ConferenceRules

    def status(self, ref: str) -> str | None:
        """How someone took part in the conference, as answered so far (None: not answered)."""
        return (self.draft.attendance or {}).get(ref, (None, None))[0]

    # -- one child's decision -------------------------------------------------------------------------
    def ask_decision(self, ref: str) -> None:
        from cpctl.casework.conference import OUTCOMES_FOR_KIND, PLAN_OUTCOMES
        from cpctl.casework.plan import Dissent, Interpreter, NotDiscussed

        assert self.draft.details is not None
        child = self.ctx.children[ref]
        before = self.draft.decisions.get(ref)
        out().print(f"\n[bold]{markup_free(child.name)}[/bold] ({markup_free(ref)})")
        allowed = OUTCOMES_FOR_KIND[self.draft.details.kind]
        outcome = ask_select(
            "Decision:",
            [(OUTCOME_WORDS[o].capitalize(), o) for o in allowed],
            default=before.outcome if before else allowed[0],
        )
        decision = DecisionDraft(outcome=outcome)
        if before is not None:  # keep what was answered about the plan while the decision changes
            decision.plan, decision.plan_asked = before.plan, before.plan_asked and before.outcome == outcome
        with_plan = outcome in PLAN_OUTCOMES
        if with_plan:
            siblings_here = [d.categories for r, d in self.draft.decisions.items() if r != ref and d.categories]
            decision.categories = self.ask_categories(
                (before.categories if before and before.categories else None)
                or child.categories
                or (siblings_here[0] if siblings_here else [])
            )
        evidence_word = "Evidence of significant harm" if with_plan else "Evidence considered"
        decision.evidence = ask_items(evidence_word, before.evidence if before else [])
        decision.child_views = ask_items(f"{child.name}'s wishes and feelings", before.child_views if before else [])
        decision.parent_views = ask_items("The parents' views", before.parent_views if before else [])
        decision.dissent = ask_pairs(
            "Dissent from the decision", before.dissent if before else [], Dissent, "who", "reason"
        )
        if with_plan:
            decision.not_discussed_with = ask_pairs(
                "Plan not discussed with", before.not_discussed_with if before else [], NotDiscussed, "who", "why"
            )
        mark_private(
            [
                ("Evidence", decision.evidence, "text"),
                ("Child's views", decision.child_views, "text"),
                ("Parents' views", decision.parent_views, "text"),
                ("Dissent", decision.dissent, lambda x: f"{x.who}: {x.reason}"),
                ("Not discussed with", decision.not_discussed_with, lambda x: f"{x.who}: {x.why}"),
            ]
        )
        if with_plan:
            decision.lead_worker = self.ask_lead_worker(ref, before)
            decision.core_group = self.ask_core_group(ref, decision.lead_worker, before)
        interpreter = (
            before.interpreter
            if before and before.interpreter
            else Interpreter(
                needed=child.interpreter_needed, language=child.language if child.interpreter_needed else None
            )
        )
        needed = ask_confirm("Is an interpreter needed?", interpreter.needed)
        language = None
        if needed:
            language = ask_text(
                "For which language?",
                interpreter.language or child.language or "",
                required="Name the language.",
            )
        decision.interpreter = Interpreter(needed=needed, language=language)
        culture = before.cultural_needs if before else child.culture
        decision.cultural_needs = (
            ask_text("Cultural or religious needs to respect (blank if none):", culture or "") or None
        )
        if outcome == "plan-ends":
            decision.end_reason = ask_text(
                "Why can the plan end?",
                (before.end_reason or "") if before else "",
                required="Say why the plan can end.",
            )
            decision.step_down = self.ask_step_down(before.step_down if before else None)
        self.draft.decisions[ref] = decision

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
            out().print(f"{label} means two or more kinds of harm: choose the one alone, or tick two or more.")
            default = named[0] if named else several

    def ask_lead_worker(self, ref: str, before: DecisionDraft | None) -> str:
        child = self.ctx.children[ref]
        professionals = self.professionals()
        default = before.lead_worker if before and before.lead_worker else child.lead_worker
        if default is None:
            others = [d.lead_worker for d in self.draft.decisions.values() if d.lead_worker]
            social = [
                p.ref
                for p in professionals
                if "social worker" in (p.role or "").lower() and self.status(p.ref) == "attended"
            ]
            default = (others or social or [None])[0]
        return str(
            ask_select(
                f"{self.rules.term('lead_worker', 'lead social worker').capitalize()}:",
                [(p.label, p.ref) for p in professionals],
                default=default,
            )
        )

    def ask_core_group(self, ref: str, lead: str | None, before: DecisionDraft | None) -> list[str]:
        """The core group as it stands (or as answered), else parents, lead and attending professionals.

        Members keep their order from the plan, so that ticking the same people is not a change to the plan.
        """
        child = self.ctx.children[ref]
        if before is not None and before.core_group is not None:
            order = list(before.core_group)
        elif child.content is not None and child.content.core_group:
            order = list(child.content.core_group)
        else:
            order = [r for r, _ in child.people if self.person(r).kind == "parent"]
            order += [
                r
                for r, (status, _) in (self.draft.attendance or {}).items()
                if status == "attended" and self.person(r).kind == "professional"
            ]
        if lead and lead not in order:
            order.insert(0, lead)
        members = self.candidates()
        known = {p.ref for p in members}
        members += [self.person(r) for r in order if r not in known and r in self.ctx.people]
        chosen = ask_checkbox(
            f"{self.rules.term('core_group', 'core group').capitalize()}:",
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

    # -- one child's outline plan ----------------------------------------------------------------------
    def ask_plan(self, ref: str) -> None:
        from cpctl.casework.plan import PlanContent

        child = self.ctx.children[ref]
        decision = self.draft.decisions[ref]
        out().print(f"\n[bold]Outline plan for {markup_free(child.name)}[/bold] ({markup_free(ref)})")
        sources: list[tuple[str, Any]] = []
        if decision.plan is not None:
            sources.append(("The answers given already", "mine"))
        if child.content is not None:
            if decision.outcome == "plan-continues":
                sources.append((f"Keep plan {child.plan_number}, version {child.version} as it is", "keep"))
            if decision.outcome != "plan-starts":
                sources.append((f"Update plan {child.plan_number}, version {child.version}", "current"))
        for other in self.draft.children:
            theirs = self.draft.decisions.get(other)
            if other != ref and theirs is not None and theirs.plan is not None and theirs.plan_asked:
                name = self.ctx.children[other].name
                sources.append((f"The same as {name}'s outline plan (this conference)", f"same:{other}"))
                sources.append((f"Start from {name}'s outline plan and change it", f"copy:{other}"))
        sources.append(("Start from a blank outline plan", "blank"))
        source = sources[0][1] if len(sources) == 1 else ask_select("Outline plan:", sources)
        if source == "keep":
            decision.plan, decision.plan_asked = None, True
            return
        if str(source).startswith("same:"):
            theirs = self.draft.decisions[str(source)[5:]].plan
            assert theirs is not None
            decision.plan = theirs.model_copy(deep=True, update={"core_group": list(decision.core_group or [])})
            decision.plan_asked = True
            return
        if source == "mine" and decision.plan is not None:
            start = decision.plan.model_copy(deep=True)
        elif source == "current" and child.content is not None:
            start = child.content.model_copy(deep=True)
        elif str(source).startswith("copy:"):
            copied = self.draft.decisions[str(source)[5:]].plan
            start = copied.model_copy(deep=True) if copied is not None else PlanContent()
        else:
            start = PlanContent()
        plan = PlanContent(core_group=list(decision.core_group or []))
        plan.worries = ask_items("What are we worried about", start.worries)
        plan.working_well = ask_items("What is working well", start.working_well)
        plan.immediate_actions = ask_items("Immediate action to keep the child safe", start.immediate_actions)
        plan.objectives = ask_objectives(start.objectives)
        plan.actions = self.ask_actions(start.actions)
        plan.child_seen = self.ask_child_seen(child, start.child_seen, decision.lead_worker)
        plan.contingency = ask_items("Contingency: if things get worse or change too slowly", start.contingency)
        plan.must_change = ask_items("What must change before the plan can end", start.must_change)
        plan.safety_scale = ask_safety_scale(start.safety_scale, blank="skip")
        mark_private(
            [
                ("Worry", plan.worries, "text"),
                ("Working well", plan.working_well, "text"),
                ("Immediate action", plan.immediate_actions, "text"),
                *objective_groups(plan.objectives),
                self.actions_group(plan.actions),
                self.seen_group(plan.child_seen),
                ("Contingency", plan.contingency, "text"),
                ("Must change", plan.must_change, "text"),
            ]
        )
        decision.plan, decision.plan_asked = plan, True
