"""`cpctl conference new` in a terminal: the questions a chair answers right after the meeting.

The answers are collected as plain data (a `Draft`) and nothing touches the store until the chair chooses Save
at the summary. The summary checks the draft with `conference.prepare()` in a read session that is never
committed, so the quorum and each plan's gaps are shown before anything is written. People typed in along the
way are created in the same write transaction as the conference itself, so Ctrl-C or Cancel leaves no trace.

This module asks about the conference as a whole (its details, the children, attendance and quorum) and shows
the summary; the questions about each child's decision and outline plan are in `decision`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from cpctl.commands.common import OUTCOME_WORDS, STATUS_WORDS, markup_free, out
from cpctl.commands.saving import save_conference
from cpctl.commands.wizards.context import load_context
from cpctl.commands.wizards.decision import DecisionPrompts
from cpctl.commands.wizards.drafts import Details, Draft, add_new_people
from cpctl.commands.wizards.prompts import (
    DOMAIN_KEYS,
    ask_attendance,
    ask_checkbox,
    ask_date,
    ask_required_date,
    ask_select,
    ask_text,
    ask_what_now,
)

if TYPE_CHECKING:
    from cpctl.casework.conference import ConferenceRules, Saved
    from cpctl.commands.wizards.context import ChildInfo, Context, PersonInfo
    from cpctl.commands.wizards.drafts import NewPerson
    from cpctl.store.database import Store

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _place(jurisdiction: str) -> str:
    return jurisdiction.replace("-", " ").title()


def run_wizard(store: Store) -> tuple[Saved, ConferenceRules]:
    """Ask for a conference, show the summary and its gaps, and save it only when the chair says so."""
    from cpctl.errors import CpctlError

    ctx = load_context(store)
    if not ctx.children:
        raise CpctlError("there are no children in this store yet: add them first (`cpctl child add`).")
    if not any(p.kind == "professional" for p in ctx.people.values()):
        raise CpctlError("there is no professional in this store to chair the conference: run `cpctl init`.")
    out().print(
        f"[bold]Recording a {ctx.rules.term('conference', 'child protection conference')}[/bold] "
        f"({_place(ctx.jurisdiction)}). Ctrl-C at any question stops without saving anything."
    )
    wizard = Wizard(ctx)
    wizard.complete()
    while True:
        checked = wizard.check(store)
        wizard.show_summary(checked)
        choice = ask_what_now(
            can_save=checked.problem is None,
            draft="Save as a draft, with the gaps recorded" if checked.has_gaps else None,
        )
        if choice == "back":
            wizard.go_back()
            continue
        try:
            return save_conference(
                store,
                wizard.draft.to_input(as_draft=choice == "draft"),
                before=lambda session, data: add_new_people(session, data, wizard.draft.new_people),
            )
        except CpctlError as exc:  # the store changed since the check (another user): show it and go back
            if exc.exit_code == 130:
                raise
            out().print(f"[red]Not saved:[/red] {markup_free(exc.message)}")


@dataclass
class Checked:
    problem: str | None = None
    agencies: list[str] = field(default_factory=list)
    gaps: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_gaps(self) -> bool:
        return any(self.gaps.values())


class Wizard(DecisionPrompts):
    """The conference as a whole: its details, the children, attendance and quorum, and the summary."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rules = ctx.rules
        self.draft = Draft()

    @property
    def subjects(self) -> list[str]:
        return self.draft.children

    @property
    def new_people(self) -> list[NewPerson]:
        return self.draft.new_people

    # -- helpers over the context and the draft ---------------------------------------------------
    def eligible(self, kind: str, day: date) -> list[ChildInfo]:
        out_list = []
        for child in self.ctx.children.values():
            in_force = child.plan_number is not None
            if kind in ("initial", "transfer-in"):
                ok = child.born_by(day) and not in_force
            elif kind == "review":
                ok = child.born_by(day) and in_force
            elif kind == "pre-birth-initial":
                ok = not child.born_by(day) and not in_force
            else:  # a pre-birth review: the plan began before birth (the baby may since have been born)
                ok = in_force and child.plan_pre_birth
            if ok:
                out_list.append(child)
        return out_list

    # -- driving: ask whatever is missing or no longer fits ---------------------------------------
    def complete(self) -> None:
        from cpctl.casework.conference import OUTCOMES_FOR_KIND, PLAN_OUTCOMES

        if self.draft.details is None:
            self.ask_details()
        assert self.draft.details is not None
        while not self.children_fit():
            self.ask_children()
        if self.draft.attendance is None:
            self.ask_attendance()
        self.ask_quorum(only_if_needed=True)
        for ref in self.draft.children:
            decision = self.draft.decisions.get(ref)
            if decision is None or decision.outcome not in OUTCOMES_FOR_KIND[self.draft.details.kind]:
                self.ask_decision(ref)
                decision = self.draft.decisions[ref]
            if decision.outcome in PLAN_OUTCOMES and not decision.plan_asked:
                self.ask_plan(ref)

    def children_fit(self) -> bool:
        assert self.draft.details is not None
        if not self.draft.children:
            return False
        eligible = {c.ref for c in self.eligible(self.draft.details.kind, self.draft.details.day)}
        return all(ref in eligible for ref in self.draft.children)

    def go_back(self) -> None:
        from cpctl.casework.conference import PLAN_OUTCOMES

        sections: list[tuple[str, Any]] = [
            ("Conference details (kind, date, time, place, chair)", ("details", None)),
            ("Which children", ("children", None)),
            ("Attendance and quorum", ("attendance", None)),
        ]
        for ref in self.draft.children:
            name = self.ctx.children[ref].name
            sections.append((f"Decision for {name} ({ref})", ("decision", ref)))
            if self.draft.decisions[ref].outcome in PLAN_OUTCOMES:
                sections.append((f"Outline plan for {name} ({ref})", ("plan", ref)))
        section, ref = ask_select("Which section?", sections)
        if section == "details":
            self.ask_details()
        elif section == "children":
            self.ask_children()
        elif section == "attendance":
            self.ask_attendance()
            self.ask_quorum(only_if_needed=False)
        elif section == "decision":
            self.ask_decision(ref)
        else:
            self.ask_plan(ref)
        self.complete()

    # -- the conference ---------------------------------------------------------------------------
    def ask_details(self) -> None:
        before = self.draft.details
        kinds = ["initial", "review", "pre-birth-initial", "pre-birth-review", "transfer-in"]
        kind = ask_select(
            "Which kind of conference?",
            [(self.rules.kind_name(k), k) for k in kinds],
            default=before.kind if before else "initial",
        )
        today = date.today()
        day = ask_required_date(
            "Date held (today, DD/MM/YYYY or YYYY-MM-DD):",
            before.day if before else None,
            required="Give the date the conference was held.",
            latest=today,
            too_late="That is in the future: record a conference once it has been held.",
        )
        time = ask_text(
            "Start time (HH:MM, blank if not recorded):",
            (before.time or "") if before else "",
            check=lambda t: bool(_TIME.match(t)) or "Use HH:MM, e.g. 10:30",
        )
        if time:
            match = _TIME.match(time)
            assert match
            time = f"{int(match.group(1)):02d}:{match.group(2)}"
        virtual = ask_select(
            "Where was it held?",
            [("At a venue", False), ("Virtual (online)", True)],
            default=before.virtual if before else False,
        )
        venue = None
        if not virtual:
            venue = ask_text("Venue (blank if not recorded):", (before.venue or "") if before else "") or None
        chairs = self.professionals()
        default_chair = before.chair if before else self.ctx.me
        chair = ask_select(
            "Chair:",
            [(p.label + ("  (you)" if p.ref == self.ctx.me else ""), p.ref) for p in chairs],
            default=default_chair,
        )
        strategy = None
        if kind in ("initial", "pre-birth-initial"):
            strategy = ask_date(
                "Date of the strategy discussion (blank if not known):",
                before.strategy_discussion if before else None,
                latest=day,
                too_late="The strategy discussion comes before the conference; check the date.",
            )
        self.draft.details = Details(
            kind=kind,
            day=day,
            time=time or None,
            venue=venue,
            virtual=virtual,
            chair=chair,
            strategy_discussion=strategy,
        )

    def ask_children(self) -> None:
        assert self.draft.details is not None
        kind, day = self.draft.details.kind, self.draft.details.day
        eligible = self.eligible(kind, day)
        while not eligible:
            why = {
                "initial": "every child is either not yet born or already has a plan in force",
                "transfer-in": "every child is either not yet born or already has a plan in force",
                "review": "no child has a plan in force",
                "pre-birth-initial": "no unborn baby without a plan is recorded",
                "pre-birth-review": "no child has a plan that began before birth",
            }[kind]
            out().print(
                f"No child can have a {self.rules.kind_name(kind).lower()} on that date: {why}. "
                "Choose another kind of conference (or add the child first with `cpctl child add`)."
            )
            self.ask_details()
            kind, day = self.draft.details.kind, self.draft.details.day
            eligible = self.eligible(kind, day)
        by_ref = {c.ref: c for c in eligible}
        current = [ref for ref in self.draft.children if ref in by_ref]
        first = ask_select("Child:", [(c.label, c.ref) for c in eligible], default=current[0] if current else None)
        others = [c for c in eligible if c.ref != first]
        chosen = [first]
        if others:
            siblings = set(self.ctx.children[first].siblings)
            ordered = sorted(others, key=lambda c: c.ref not in siblings)
            ticked = set(current[1:]) if current and current[0] == first else siblings
            chosen += ask_checkbox(
                "Also at this conference (brothers and sisters are ticked)",
                [(c.label, c.ref, c.ref in ticked) for c in ordered],
            )
        self.draft.children = chosen
        self.draft.decisions = {ref: d for ref, d in self.draft.decisions.items() if ref in chosen}

    # -- attendance and quorum --------------------------------------------------------------------
    def candidates(self) -> list[PersonInfo]:
        assert self.draft.details is not None
        chair = self.draft.details.chair
        family = self.family_refs()
        rest = [p.ref for p in self.everyone() if p.kind == "professional" and p.ref != chair]
        return [self.person(ref) for ref in dict.fromkeys([*family, *rest]) if ref != chair]

    def expected(self) -> set[str]:
        """Who a chair expects to see: the family, the lead workers and core groups of current plans."""
        refs = set(self.family_refs())
        for child in self.draft.children:
            info = self.ctx.children[child]
            if info.lead_worker:
                refs.add(info.lead_worker)
            if info.content is not None:
                refs.update(info.content.core_group)
        return refs

    def ask_attendance(self) -> None:
        statuses = ask_attendance(
            [(self.title(p), p.ref) for p in self.candidates()],
            self.draft.attendance,
            questions=("Who attended?", "Who sent apologies?", "Who sent a report but did not attend?"),
            expected=self.expected(),
            not_invited="Was anyone in the family or the core group not invited?",
            recorded_with="the conference",
            name_of=lambda ref: self.person(ref).name,
            add=lambda _: self.ask_new_person().key,
        )
        self.draft.attendance = {p.ref: statuses[p.ref] for p in self.candidates() if p.ref in statuses}
        agencies, needed = self.agencies(), self.rules.min_agencies
        out().print(
            f"{len(agencies)} agenc{'y' if len(agencies) == 1 else 'ies'} took part, the chair's included "
            f"({'; '.join(agencies) or 'none'}); {_place(self.ctx.jurisdiction)} needs {needed}"
            + (": quorate." if len(agencies) >= needed else "."),
            markup=False,
        )

    def agencies(self) -> list[str]:
        from cpctl.casework.conference import agencies_taking_part

        assert self.draft.details is not None
        return agencies_taking_part(
            [
                self.person(self.draft.details.chair).agency,
                *(
                    self.person(ref).agency
                    for ref, (status, _) in (self.draft.attendance or {}).items()
                    if status == "attended" and self.person(ref).kind == "professional"
                ),
            ]
        )

    def ask_quorum(self, *, only_if_needed: bool) -> None:
        count, needed = len(self.agencies()), self.rules.min_agencies
        if count >= needed:
            self.draft.inquorate_reason = None
            return
        if only_if_needed and self.draft.inquorate_reason:
            return
        out().print(
            f"Only {count} agenc{'y' if count == 1 else 'ies'} took part (the chair's included); "
            f"{_place(self.ctx.jurisdiction)} needs {needed} for a quorate conference.",
            markup=False,
        )
        self.draft.inquorate_reason = ask_text(
            "Why did it go ahead without a quorum?",
            self.draft.inquorate_reason or "",
            required="Record why it went ahead, or go back and correct the attendance.",
        )

    # -- the summary ------------------------------------------------------------------------------
    def check(self, store: Store) -> Checked:
        """Run the domain's checks on the draft in a read session that is rolled back: nothing is written."""
        from pydantic import ValidationError

        from cpctl.casework import conference
        from cpctl.errors import CpctlError

        try:
            data = self.draft.to_input()
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            return Checked(problem=f"{where}: {first['msg']}")
        with store.read() as session:
            try:
                data = add_new_people(session, data, self.draft.new_people)
                prepared = conference.prepare(session, data)
                return Checked(
                    agencies=list(prepared.agencies),
                    gaps={d.child.ref: list(d.gaps) for d in prepared.decisions},
                )
            except CpctlError as exc:
                return Checked(problem=exc.message)
            finally:
                session.rollback()

    def show_summary(self, checked: Checked) -> None:
        from cpctl.dates import british

        assert self.draft.details is not None and self.draft.attendance is not None
        d = self.draft.details
        console = out()
        console.print(f"\n[bold]Summary: {self.rules.kind_name(d.kind)}[/bold]")
        when = british(d.day) + (f" at {d.time}" if d.time else "")
        place = "virtual" if d.virtual else (d.venue or "venue not recorded")
        console.print(f"  {when}, {place}; chaired by {self.person(d.chair).name}", markup=False)
        if d.strategy_discussion:
            console.print(f"  Strategy discussion: {british(d.strategy_discussion)}", markup=False)
        for status in STATUS_WORDS:
            names = [
                self.title(self.person(ref)) + (f": {reason}" if reason else "")
                for ref, (s, reason) in self.draft.attendance.items()
                if s == status
            ]
            if names:
                console.print(f"  {STATUS_WORDS[status].capitalize()}: {'; '.join(names)}", markup=False)
        agencies = checked.agencies if checked.problem is None else self.agencies()
        quorate = len(agencies) >= self.rules.min_agencies
        line = (
            f"  Quorum: {len(agencies)} agenc{'y' if len(agencies) == 1 else 'ies'} took part; "
            f"{_place(self.ctx.jurisdiction)} needs {self.rules.min_agencies}: "
        )
        console.print(
            line + ("quorate." if quorate else f"NOT quorate. Why: {self.draft.inquorate_reason}"),
            markup=False,
        )
        for ref in self.draft.children:
            self.show_decision(ref, checked)
        if checked.problem is not None:
            console.print(
                f"\n[red bold]This cannot be saved yet:[/red bold] {markup_free(checked.problem)}",
                highlight=False,
            )
            console.print("Go back and change the section it names.")

    def show_decision(self, ref: str, checked: Checked) -> None:
        from cpctl.casework.conference import PLAN_OUTCOMES

        console = out()
        child = self.ctx.children[ref]
        x = self.draft.decisions[ref]
        console.print(f"\n  [bold]{markup_free(child.name)}[/bold] ({markup_free(ref)}): {OUTCOME_WORDS[x.outcome]}")
        lines = []
        if x.categories:
            lines.append("Categories: " + ", ".join(f"{c} ({self.rules.categories.get(c, c)})" for c in x.categories))
        if x.lead_worker:
            lines.append(
                f"{self.rules.term('lead_worker', 'lead social worker').capitalize()}: "
                f"{self.person(x.lead_worker).name}"
            )
        if x.core_group is not None:
            lines.append(
                f"{self.rules.term('core_group', 'core group').capitalize()}: "
                + (", ".join(self.person(r).name for r in x.core_group) or "none")
            )
        counts = [
            (len(x.evidence), "evidence"),
            (len(x.child_views), "child's views"),
            (len(x.parent_views), "parents' views"),
            (len(x.dissent), "dissent"),
            (len(x.not_discussed_with), "not discussed with"),
        ]
        lines.append("Recorded: " + ", ".join(f"{label} {count}" for count, label in counts))
        if x.interpreter and x.interpreter.needed:
            lines.append(f"Interpreter: {x.interpreter.language}")
        if x.cultural_needs:
            lines.append(f"Needs to respect: {x.cultural_needs}")
        if x.end_reason:
            lines.append(f"Ends because: {x.end_reason}; next: {x.step_down}")
        if x.plan is not None:
            p = x.plan
            objectives = sum(len(getattr(p.objectives, key)) for key in DOMAIN_KEYS)
            lines.append(
                f"Outline plan: {len(p.worries)} worries, {len(p.working_well)} working well, "
                f"{len(p.immediate_actions)} immediate actions, {objectives} objectives, "
                f"{len(p.actions)} actions, {len(p.child_seen)} ways the child is seen"
                + (f", safety scale {p.safety_scale}/10" if p.safety_scale is not None else "")
            )
        elif x.plan_asked and child.version:
            lines.append(f"Outline plan: plan {child.plan_number}, version {child.version}, kept as it is")
        private = sum(
            1
            for group in (x.evidence, x.child_views, x.parent_views, x.dissent, x.not_discussed_with)
            for item in group
            if item.private
        )
        if private:
            lines.append(f"{private} item(s) kept out of the family's copy")
        for line in lines:
            console.print(f"    {line}", markup=False)
        gaps = checked.gaps.get(ref)
        if gaps:
            console.print(f"    [yellow]Still lacks ({len(gaps)}):[/yellow]")
            for gap in gaps:
                console.print(f"      - {gap}", markup=False)
        elif checked.problem is None and ref in checked.gaps and x.outcome in PLAN_OUTCOMES:
            console.print("    Nothing missing against §3.10-3.22.", markup=False)
