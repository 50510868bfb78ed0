"""The conference wizard's summary: every answer numbered, and how to change that one answer in place.

`summary()` prints the conference as answered, with the quorum and each plan's gaps, and returns the numbered
answers (`Numbered`); typing a number at the summary's question opens that answer prefilled. A list opens as its
lines to change, add to or delete; an action or a way of seeing the child opens one of its parts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cpctl.commands.common import OUTCOME_WORDS, STATUS_WORDS, markup_free, out
from cpctl.commands.wizards.plan import ACTION_PARTS, REMOVE, SEEN_FIELDS
from cpctl.commands.wizards.prompts import DOMAIN_KEYS, ask_list, ask_safety_scale

if TYPE_CHECKING:
    from cpctl.commands.wizards.drafts import DecisionDraft

Wizard = Any  # the conference wizard (`cpctl.commands.wizards.conference.Wizard`), which imports this module


@dataclass
class Checked:
    """What the domain's checks said of the answers: a problem that stops saving, the agencies, each plan's gaps."""

    problem: str | None = None
    agencies: list[str] = field(default_factory=list)
    gaps: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_gaps(self) -> bool:
        return any(self.gaps.values())


@dataclass
class Numbered:
    """One answer in the summary, and the questions that change it."""

    label: str
    change: Callable[[], None]


def _items(items: list[Any], limit: int = 150) -> str:
    from cpctl.commands.wizards.prompts import short

    if not items:
        return "none"
    texts = [
        getattr(x, "text", None) or f"{getattr(x, 'who', '')}: {getattr(x, 'reason', getattr(x, 'why', ''))}"
        for x in items
    ]
    return short(" | ".join(texts), limit)


class _Lines:
    def __init__(self) -> None:
        self.numbered: list[Numbered] = []

    def add(self, indent: str, label: str, value: str, change: Callable[[], None]) -> None:
        self.numbered.append(Numbered(label, change))
        out().print(f"{indent}[{len(self.numbered)}] {label}: {value}", markup=False, highlight=False)


def summary(wizard: Wizard, checked: Checked) -> list[Numbered]:
    from cpctl.commands.wizards.prompts import short
    from cpctl.dates import british

    d = wizard.details()
    draft = wizard.draft
    console = out()
    lines = _Lines()
    console.print(f"\n[bold]Summary: {wizard.rules.kind_name(d.kind)}[/bold] (type a number to change that answer)")
    lines.add("  ", "Kind", wizard.rules.kind_name(d.kind), wizard.ask_kind)
    lines.add("  ", "Date held", british(d.day), wizard.ask_day)
    lines.add("  ", "Start time", d.time or "not recorded", wizard.ask_time)
    lines.add("  ", "Where", "online" if d.virtual else (d.venue or "not recorded"), wizard.ask_where)
    lines.add("  ", "Chair", wizard.person(d.chair).name, wizard.ask_chair)
    if d.kind in ("initial", "pre-birth-initial"):
        said = british(d.strategy_discussion) if d.strategy_discussion else "not known"
        if wizard.ctx.jurisdiction == "england":
            recorded = [wizard.ctx.children[ref].open_enquiry for ref in draft.children]
            if d.s47_start is not None:
                said += f"; section 47 enquiry from {british(d.s47_start)}"
            elif recorded and all(recorded):
                said += "; section 47 enquiry as recorded"
            else:
                said += "; section 47 start not known"
        lines.add("  ", "Strategy discussion", said, wizard.change_strategy)
    lines.add("  ", "Children", ", ".join(f"{wizard.name(r)} ({r})" for r in draft.children), wizard.ask_children)
    attendance = draft.attendance or {}
    by_status = []
    for status in STATUS_WORDS:
        names = [
            wizard.title(wizard.person(ref)) + (f": {reason}" if reason else "")
            for ref, (s, reason) in attendance.items()
            if s == status
        ]
        if names:
            by_status.append(f"{STATUS_WORDS[status]}: {'; '.join(names)}")
    lines.add("  ", "Attendance", ". ".join(by_status) or "no one recorded", wizard.ask_attendance)
    agencies = checked.agencies if checked.problem is None else wizard.agencies()
    needed = wizard.rules.min_agencies
    console.print(
        f"      Quorum: {len(agencies)} agenc{'y' if len(agencies) == 1 else 'ies'} took part; "
        f"{wizard.ctx.jurisdiction.replace('-', ' ').title()} needs {needed}: "
        + ("quorate." if len(agencies) >= needed else "NOT quorate."),
        markup=False,
    )
    if draft.inquorate_reason:
        lines.add(
            "  ",
            "Why it went ahead without a quorum",
            draft.inquorate_reason,
            lambda: wizard.ask_quorum(only_if_needed=False),
        )
    for ref in draft.children:
        _child(wizard, lines, ref, checked)
    lines.add(
        "  ",
        "The discussion and the analysis of risk",
        short(draft.discussion, 150) if draft.discussion else "not written yet",
        wizard.ask_discussion,
    )
    if checked.problem is not None:
        console.print(
            f"\n[red bold]This cannot be saved yet:[/red bold] {markup_free(checked.problem)}", highlight=False
        )
    return lines.numbered


def _child(wizard: Wizard, lines: _Lines, ref: str, checked: Checked) -> None:
    from cpctl.casework.conference import PLAN_OUTCOMES
    from cpctl.casework.participation import words

    x = wizard.draft.decisions[ref]
    name = wizard.name(ref)
    out().print(f"\n  [bold]{markup_free(name)}[/bold] ({markup_free(ref)}): {OUTCOME_WORDS[x.outcome]}")
    with_plan = x.outcome in PLAN_OUTCOMES
    rules = wizard.rules

    def outcome() -> None:
        new = wizard.ask_outcome(ref, x.outcome)
        if new != x.outcome:
            was_plan = x.outcome in PLAN_OUTCOMES
            x.outcome = new
            if (new in PLAN_OUTCOMES) != was_plan or new == "plan-continues":
                x.plan, x.plan_asked, x.plan_from, x.core_group = None, False, None, None
                x.private_asked = False

    lines.add("    ", "Decision", OUTCOME_WORDS[x.outcome], outcome)
    if with_plan:
        lines.add(
            "    ",
            "Categories",
            wizard.category_words(x.categories),
            lambda: setattr(x, "categories", wizard.ask_categories(x.categories)),
        )
    word = "Evidence of significant harm" if with_plan else "Evidence considered"
    for key, label in (
        ("evidence", word),
        ("child_views", f"{name}'s wishes and feelings"),
        ("parent_views", "The parents' views"),
    ):
        lines.add("    ", label, _items(getattr(x, key)), _lister(x, key, label))
    lines.add(
        "    ",
        "Took part",
        words(x.participation),
        lambda: setattr(x, "participation", wizard.ask_participation(ref, x.participation)),
    )
    lines.add("    ", "Dissent", _items(x.dissent), lambda: setattr(x, "dissent", wizard.ask_dissent(x.dissent)))
    if with_plan:
        lines.add(
            "    ",
            "Not yet heard the plan",
            _items(x.not_discussed_with) if x.not_discussed_with else "no one",
            lambda: setattr(x, "not_discussed_with", wizard.ask_not_discussed(x.not_discussed_with)),
        )
        lines.add(
            "    ",
            rules.term("lead_worker", "lead social worker").capitalize(),
            wizard.person(x.lead_worker).name if x.lead_worker else "none",
            lambda: setattr(x, "lead_worker", wizard.ask_lead_worker(ref, x.lead_worker)),
        )
        lines.add(
            "    ",
            rules.term("core_group", "core group").capitalize(),
            ", ".join(wizard.person(r).name for r in x.core_group or []) or "none",
            lambda: setattr(x, "core_group", wizard.ask_core_group(ref, x.lead_worker, x.core_group)),
        )
    interpreter = x.interpreter
    lines.add(
        "    ",
        "Interpreter",
        f"needed, {interpreter.language}" if interpreter and interpreter.needed else "not needed",
        lambda: wizard.ask_interpreter(ref),
    )
    lines.add("    ", "Cultural or religious needs", x.cultural_needs or "none", lambda: wizard.ask_culture(ref))
    if x.outcome == "plan-ends":
        lines.add(
            "    ",
            "Why the plan can end",
            x.end_reason or "",
            lambda: setattr(x, "end_reason", wizard.ask_end_reason(x.end_reason)),
        )
        lines.add(
            "    ",
            "What follows",
            x.step_down or "",
            lambda: setattr(x, "step_down", wizard.ask_step_down(x.step_down)),
        )
    if with_plan:
        _plan(wizard, lines, ref, x)
    private = _private_count(x)
    lines.add(
        "    ",
        "Kept out of the family's copy",
        f"{private} entr{'y' if private == 1 else 'ies'}",
        lambda: wizard.mark_private_for(ref),
    )
    gaps = checked.gaps.get(ref)
    if gaps:
        out().print(f"    [yellow]Still lacks ({len(gaps)}):[/yellow]")
        for gap in gaps:
            out().print(f"      - {gap}", markup=False)
    elif checked.problem is None and ref in checked.gaps and with_plan:
        out().print("    Nothing missing against §3.10-3.22.", markup=False)


def _lister(x: Any, key: str, label: str) -> Callable[[], None]:
    return lambda: setattr(x, key, ask_list(label, getattr(x, key)))


def _private_count(x: DecisionDraft) -> int:
    groups: list[list[Any]] = [x.evidence, x.child_views, x.parent_views, x.dissent, x.not_discussed_with]
    plan = x.plan
    if plan is not None and x.plan_from in ("typed", "copy"):
        groups += [plan.worries, plan.working_well, plan.immediate_actions, plan.actions, plan.child_seen]
        groups += [plan.contingency, plan.must_change]
        groups += [getattr(plan.objectives, key) for key in DOMAIN_KEYS]
    return sum(1 for group in groups for item in group if item.private)


def _plan(wizard: Wizard, lines: _Lines, ref: str, x: DecisionDraft) -> None:
    from cpctl.commands.wizards.decision import LATER_LISTS, OBJECTIVE_LABELS, PLAN_LISTS

    child = wizard.ctx.children[ref]
    source = x.plan_from or ""

    def again() -> None:
        x.plan_asked = False
        wizard.ask_plan(ref)

    if source.startswith("same:"):
        lines.add("    ", "Outline plan", f"the same as {wizard.name(source[5:])}'s", again)
        return
    if source == "keep" or x.plan is None:
        lines.add("    ", "Outline plan", f"plan {child.plan_number}, version {child.version}, kept as it is", again)
        return
    plan = x.plan
    lines.add(
        "    ", "Outline plan", "typed here" if source == "typed" else "started from a brother's or sister's", again
    )
    for key, label in PLAN_LISTS.items():
        lines.add("      ", label, _items(getattr(plan, key)), _lister(plan, key, label))
    for key in DOMAIN_KEYS:
        label = OBJECTIVE_LABELS[key]
        lines.add("      ", label, _items(getattr(plan.objectives, key)), _lister(plan.objectives, key, label))
    lines.add(
        "      ",
        "Actions and services",
        "; ".join(f"{a.id or 'new'} {a.what}" for a in plan.actions) or "none",
        lambda: setattr(plan, "actions", wizard.ask_action_list(plan.actions)),
    )
    for index, action in enumerate(plan.actions):
        lines.add(
            "        ",
            f"Action {action.id or index + 1}",
            f"{action.what} ({wizard.who_label(action.who)}; {action.frequency or 'how often not said'})",
            _action_changer(wizard, plan, index),
        )
    lines.add(
        "      ",
        f"Who will see {child.name}",
        "; ".join(f"{wizard.who_label(s.who)}, {s.how_often or 'how often not said'}" for s in plan.child_seen)
        or "no one",
        lambda: setattr(plan, "child_seen", wizard.ask_seen(child, plan.child_seen, x.lead_worker)),
    )
    for index, entry in enumerate(plan.child_seen):
        lines.add(
            "        ",
            f"Seen by {wizard.who_label(entry.who)}",
            f"{entry.how_often or 'how often not said'}, {entry.where or 'where not said'}",
            _seen_changer(wizard, plan, index, child),
        )
    for key, label in LATER_LISTS.items():
        lines.add("      ", label, _items(getattr(plan, key)), _lister(plan, key, label))
    lines.add(
        "      ",
        "Safety scale",
        f"{plan.safety_scale}/10" if plan.safety_scale is not None else "not scored",
        lambda: setattr(plan, "safety_scale", ask_safety_scale(plan.safety_scale, blank="clear")),
    )


def _action_changer(wizard: Wizard, plan: Any, index: int) -> Callable[[], None]:
    def change() -> None:
        action = plan.actions[index]
        part = wizard.change_entry(f"action {action.id or index + 1} ({action.what})", ACTION_PARTS, action)
        if part == REMOVE:
            del plan.actions[index]
        elif part is not None:
            plan.actions[index] = wizard.ask_action_field(action, part)

    return change


def _seen_changer(wizard: Wizard, plan: Any, index: int, child: Any) -> Callable[[], None]:
    def change() -> None:
        entry = plan.child_seen[index]
        part = wizard.change_entry(f"how {wizard.who_label(entry.who)} sees {child.name}", SEEN_FIELDS, entry)
        if part == REMOVE:
            del plan.child_seen[index]
        elif part is not None:
            plan.child_seen[index] = wizard.ask_seen_field(entry, part, child)

    return change
