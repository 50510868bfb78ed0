"""`cpctl conference new` in a terminal: the questions a chair answers right after the meeting.

The answers are collected as plain data (a `Draft`) and nothing touches the store until the chair chooses Save
at the summary. The summary checks the draft with `conference.prepare()` in a read session that is never
committed, so the quorum and each plan's gaps are shown before anything is written. People typed in along the
way are created in the same write transaction as the conference itself, so Ctrl-C or Cancel leaves no trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from cpctl.commands.common import STATUS_WORDS, answer, markup_free, out
from cpctl.commands.conference import OUTCOME_WORDS, save_checked

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlmodel import Session

    from cpctl.casework.conference import ConferenceIn, ConferenceRules, Saved
    from cpctl.casework.plan import Action, ChildSeen, Dissent, Interpreter, Item, NotDiscussed, PlanContent
    from cpctl.store.database import Store

Input = TypeVar("Input", bound="BaseModel")  # what a wizard saves: a ConferenceIn, a CoreGroupIn
NEW_KEY = "new-person:"
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_TYPE_IT = "\x00type"
_NO_ONE = "\x00none"
_DONE = "\x00done"
_UNDECIDED = "\x00undecided"
PERSON_KIND_WORDS = {
    "parent": "Parent",
    "carer": "Carer",
    "family": "Relative or family friend",
    "professional": "Professional",
}
DOMAIN_KEYS = ("child_development", "parenting_capacity", "family_environment")
PRESENT_WORDS = {"yes": "Yes, parents present", "no": "No, without the parents", "sometimes": "Sometimes"}


# -- what the store holds, read once -------------------------------------------------------------
@dataclass
class PersonInfo:
    ref: str
    name: str
    kind: str
    role: str | None = None
    agency: str | None = None
    new: bool = False

    @property
    def label(self) -> str:
        about = ", ".join(part for part in (self.role, self.agency) if part) or self.kind
        return f"{self.name} ({about})" + ("  [new]" if self.new else "")


@dataclass
class ChildInfo:
    ref: str
    name: str
    date_of_birth: date | None
    expected_date: date | None
    siblings: list[str]
    people: list[tuple[str, str]]
    interpreter_needed: bool
    language: str
    culture: str | None
    plan_number: int | None = None
    plan_started: date | None = None
    plan_pre_birth: bool = False
    lead_worker: str | None = None
    categories: list[str] = field(default_factory=list)
    version: int | None = None
    content: PlanContent | None = None

    def born_by(self, day: date) -> bool:
        return self.date_of_birth is not None and self.date_of_birth <= day

    @property
    def label(self) -> str:
        if self.date_of_birth is not None:
            from cpctl.dates import age_on

            about = f"age {age_on(self.date_of_birth, date.today())}"
        else:
            from cpctl.dates import short_british

            about = f"unborn, due {short_british(self.expected_date)}"
        plan = (
            f"plan {self.plan_number} in force since {self.plan_started:%d/%m/%Y}"
            if self.plan_number
            else "no plan in force"
        )
        return f"{self.ref}  {self.name} ({about}; {plan})"


@dataclass
class Context:
    rules: ConferenceRules
    jurisdiction: str
    me: str | None
    people: dict[str, PersonInfo]
    children: dict[str, ChildInfo]


def load_context(store: Store, only: str | None = None) -> Context:
    """What the wizards choose from: the people, and the children (only the one named by `only`, when given: a
    wizard about one child need not read every child of an authority's store)."""
    from cpctl.casework import conference, people
    from cpctl.casework import plan as plans
    from cpctl.store import settings
    from cpctl.store.models import Person

    with store.read() as session:
        state = settings.current(session)
        rules = conference.rules_for(state.jurisdiction)
        me = settings.current_user_person(session)
        everyone = {p.ref: PersonInfo(p.ref, p.name, p.kind, p.role, p.agency) for p in people.list_people(session)}
        children: dict[str, ChildInfo] = {}
        for child in [people.find_child(session, only)] if only is not None else people.list_children(session):
            info = ChildInfo(
                ref=child.ref,
                name=child.full_name,
                date_of_birth=child.date_of_birth,
                expected_date=child.expected_date,
                siblings=[s.ref for s in people.siblings(session, child)],
                people=[(p.ref, rel) for p, rel in people.people_of_child(session, child)],
                interpreter_needed=child.interpreter_needed,
                language=child.preferred_language,
                culture=child.culture_religion,
            )
            current = plans.active_plan(session, child)
            if current is not None:
                lead = session.get(Person, current.lead_worker_id)
                row = plans.version(session, current)
                info.plan_number, info.plan_started = current.number, current.started_on
                info.plan_pre_birth = current.pre_birth
                info.lead_worker = lead.ref if lead else None
                info.categories = plans.categories_of(current.latest_categories)
                info.version = row.number if row else None
                info.content = plans.content_of(row) if row else None
            children[child.ref] = info
    return Context(
        rules=rules,
        jurisdiction=state.jurisdiction,
        me=me.ref if me else None,
        people=everyone,
        children=children,
    )


# -- what the chair has answered so far ----------------------------------------------------------
@dataclass
class NewPerson:
    key: str
    name: str
    kind: str
    role: str | None
    agency: str | None
    relationship: str | None


@dataclass
class Details:
    kind: str
    day: date
    time: str | None
    venue: str | None
    virtual: bool
    chair: str
    strategy_discussion: date | None = None


@dataclass
class DecisionDraft:
    outcome: str
    categories: list[str] = field(default_factory=list)
    evidence: list[Item] = field(default_factory=list)
    child_views: list[Item] = field(default_factory=list)
    parent_views: list[Item] = field(default_factory=list)
    dissent: list[Dissent] = field(default_factory=list)
    not_discussed_with: list[NotDiscussed] = field(default_factory=list)
    lead_worker: str | None = None
    core_group: list[str] | None = None
    interpreter: Interpreter | None = None
    cultural_needs: str | None = None
    end_reason: str | None = None
    step_down: str | None = None
    plan: PlanContent | None = None
    plan_asked: bool = False


@dataclass
class Draft:
    details: Details | None = None
    children: list[str] = field(default_factory=list)
    attendance: dict[str, tuple[str, str | None]] | None = None
    new_people: list[NewPerson] = field(default_factory=list)
    inquorate_reason: str | None = None
    decisions: dict[str, DecisionDraft] = field(default_factory=dict)

    def to_input(self, *, as_draft: bool = False) -> ConferenceIn:
        from cpctl.casework.conference import PLAN_OUTCOMES, AttendeeIn, ConferenceIn, DecisionIn

        assert self.details is not None and self.attendance is not None
        d = self.details
        decisions = []
        for ref in self.children:
            x = self.decisions[ref]
            with_plan = x.outcome in PLAN_OUTCOMES
            decisions.append(
                DecisionIn(
                    child=ref,
                    outcome=x.outcome,
                    categories=x.categories,
                    lead_worker=x.lead_worker,  # type: ignore[arg-type]
                    core_group=x.core_group,
                    evidence=x.evidence,
                    child_views=x.child_views,
                    parent_views=x.parent_views,
                    dissent=x.dissent,
                    not_discussed_with=x.not_discussed_with,
                    interpreter=x.interpreter,
                    cultural_needs=x.cultural_needs,
                    end_reason=x.end_reason,
                    step_down=x.step_down,
                    plan=x.plan.model_copy(deep=True) if x.plan is not None and with_plan else None,
                    save_as_draft=as_draft,
                )
            )
        return ConferenceIn(
            kind=d.kind,
            date=d.day,
            time=d.time,
            venue=d.venue,
            virtual=d.virtual,
            chair=d.chair,  # type: ignore[arg-type]
            strategy_discussion=d.strategy_discussion,
            attendance=[
                AttendeeIn(person=ref, status=status, reason=reason)  # type: ignore[arg-type]
                for ref, (status, reason) in self.attendance.items()
            ],
            inquorate_reason=self.inquorate_reason,
            decisions=decisions,
        )


def add_new_people(
    session: Session, data: Input, new_people: list[NewPerson], children: list[str] | None = None
) -> Input:
    """Create the people typed in during a wizard, and put their references where the draft named them.

    Relatives are linked to `children` (by default the children of the conference `data` records).
    """
    from cpctl.casework import people

    dumped = data.model_dump()
    named = _strings(dumped)
    wanted = [new for new in new_people if new.key in named]  # someone added, then left out again, is not kept
    if not wanted:
        return data
    refs_of_children = children if children is not None else [d.child for d in data.decisions]  # type: ignore[attr-defined]
    found = [people.find_child(session, ref) for ref in refs_of_children]
    refs: dict[str, str] = {}
    for new in wanted:
        person = people.add_person(session, name=new.name, kind=new.kind, role=new.role, agency=new.agency)
        if new.relationship:
            for child in found:
                people.link(session, child, person, new.relationship)
        refs[new.key] = person.ref
    return type(data).model_validate(_replace_keys(dumped, refs))


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_strings(item) for item in value))
    return set()


def _replace_keys(value: Any, refs: dict[str, str]) -> Any:
    if isinstance(value, str):
        return refs.get(value, value)
    if isinstance(value, dict):
        return {key: _replace_keys(item, refs) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_keys(item, refs) for item in value]
    return value


# -- the prompts, each turning Ctrl-C into Cancelled ---------------------------------------------
def _text(message: str, default: str = "", *, required: str | None = None, check: Any = None) -> str:
    import questionary

    from cpctl.text import LONG

    def validate(text: str) -> bool | str:
        if required and not text.strip():
            return required
        if len(text) > LONG:
            return f"That is {len(text)} characters long; the most is {LONG}."
        if check is not None and text.strip():
            return check(text.strip())  # type: ignore[no-any-return]
        return True

    return str(answer(questionary.text(message, default=default, validate=validate).ask())).strip()


def _select(message: str, choices: list[tuple[str, Any]], default: Any = None) -> Any:
    import questionary

    values = [value for _, value in choices]
    return answer(
        questionary.select(
            message,
            choices=[questionary.Choice(title, value) for title, value in choices],
            default=default if default in values else None,
        ).ask()
    )


def _checkbox(message: str, choices: list[tuple[str, Any, bool]], *, at_least_one: str | None = None) -> list[Any]:
    import questionary

    def validate(chosen: list[Any]) -> bool | str:
        return bool(chosen) or (at_least_one or True)

    return list(
        answer(
            questionary.checkbox(
                message,
                instruction="(space ticks or unticks, enter goes on)",
                choices=[questionary.Choice(title, value, checked=ticked) for title, value, ticked in choices],
                validate=validate if at_least_one else lambda _: True,
            ).ask()
        )
    )


def _confirm(message: str, default: bool) -> bool:
    import questionary

    return bool(answer(questionary.confirm(message, default=default).ask()))


def _date_check(
    *, latest: date | None = None, earliest: date | None = None, too_late: str = "", too_early: str = ""
) -> Any:
    from cpctl.dates import parse_date
    from cpctl.errors import Invalid

    def check(text: str) -> bool | str:
        try:
            day = parse_date(text)
        except Invalid as exc:
            return exc.message[0].upper() + exc.message[1:]
        if latest is not None and day > latest:
            return too_late
        if earliest is not None and day < earliest:
            return too_early
        return True

    return check


def _ask_date(message: str, default: date | None, **limits: Any) -> date | None:
    from cpctl.dates import parse_date

    text = _text(message, f"{default:%d/%m/%Y}" if default else "", check=_date_check(**limits))
    return parse_date(text) if text else None


def _short(text: str, limit: int = 70) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def _items(label: str, existing: list[Item]) -> list[Item]:
    """A list of free-text items: keep which of those already there, then add one a line, blank to finish."""
    from cpctl.casework.plan import Item

    kept = list(existing)
    if existing:
        chosen = _checkbox(
            f"{label}: keep which?",
            [(_short(item.text), index, True) for index, item in enumerate(existing)],
        )
        kept = [existing[index] for index in chosen]
    while True:
        text = _text(f"{label} {len(kept) + 1} (blank line when done):")
        if not text:
            return kept
        kept.append(Item(text=text))


def _pairs(label: str, existing: list[Any], first: str, second: str, make: Any) -> list[Any]:
    """A list of (who, why) records such as dissent: keep which, then add, blank name to finish."""
    kept = list(existing)
    if existing:
        chosen = _checkbox(
            f"{label}: keep which?",
            [(_short(f"{getattr(x, first)}: {getattr(x, second)}"), index, True) for index, x in enumerate(existing)],
        )
        kept = [existing[index] for index in chosen]
    while True:
        who = _text(f"{label}: who{' else' if kept else ''}? (blank line if no one{' more' if kept else ''})")
        if not who:
            return kept
        why = _text(f"{label}: why ({who})?", required="Say why; it must be recorded (§3.17, §3.18).")
        kept.append(make(who, why))


def _place(jurisdiction: str) -> str:
    return jurisdiction.replace("-", " ").title()


def _mark_private(groups: list[tuple[str, list[Any], Any]]) -> None:
    """One checkbox for a section: which of its entries must stay out of the family's copy.

    Each group is (label, entries, how to show one: an attribute's name or a function of the entry).
    """
    entries = [
        (label, obj, shown(obj) if callable(shown) else getattr(obj, shown))
        for label, objs, shown in groups
        for obj in objs
    ]
    if not entries:
        return
    chosen = set(
        _checkbox(
            "Any of these not for the family's copy?",
            [
                (_short(f"{label}: {text}", 90), index, bool(obj.private))
                for index, (label, obj, text) in enumerate(entries)
            ],
        )
    )
    for index, (_, obj, _) in enumerate(entries):
        obj.private = index in chosen


# -- the wizard ----------------------------------------------------------------------------------
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
        choices = []
        if checked.problem is None:
            if checked.has_gaps:
                choices.append(("Save as a draft, with the gaps recorded", "draft"))
            else:
                choices.append(("Save", "save"))
        choices += [("Go back and change a section", "back"), ("Cancel: save nothing", "cancel")]
        choice = _select("What now?", choices)
        if choice == "cancel":
            from cpctl.errors import Cancelled

            raise Cancelled()
        if choice == "back":
            wizard.go_back()
            continue
        try:
            return save_checked(
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


# -- people and a plan's body: the questions the conference and plan wizards share ---------------
class PlanPrompts:
    """Questions about the people around a child and about the body of a plan, asked the same way everywhere.

    A subclass says which children the questions are about (`subjects`), whom to offer (`candidates`) and where
    people typed in along the way are kept (`new_people`) until they are created with whatever is saved.
    """

    ctx: Context

    @property
    def subjects(self) -> list[str]:
        raise NotImplementedError

    @property
    def new_people(self) -> list[NewPerson]:
        raise NotImplementedError

    def candidates(self) -> list[PersonInfo]:
        raise NotImplementedError

    def person(self, ref: str) -> PersonInfo:
        if ref in self.ctx.people:
            return self.ctx.people[ref]
        new = next(n for n in self.new_people if n.key == ref)
        return PersonInfo(new.key, new.name, new.kind, new.role, new.agency, new=True)

    def everyone(self) -> list[PersonInfo]:
        return [*self.ctx.people.values(), *(self.person(n.key) for n in self.new_people)]

    def professionals(self) -> list[PersonInfo]:
        return [p for p in self.everyone() if p.kind == "professional"]

    def family_refs(self) -> list[str]:
        """The people around the chosen children (parents, carers, relatives), in order, once each."""
        refs = [ref for child in self.subjects for ref, _ in self.ctx.children[child].people]
        refs += [n.key for n in self.new_people if n.relationship]
        return list(dict.fromkeys(refs))

    def relationship(self, ref: str) -> str | None:
        for child in self.subjects:
            for person, rel in self.ctx.children[child].people:
                if person == ref:
                    return rel
        return next((n.relationship for n in self.new_people if n.key == ref), None)

    def title(self, person: PersonInfo) -> str:
        rel = self.relationship(person.ref)
        return f"{person.name} ({rel})" + ("  [new]" if person.new else "") if rel else person.label

    def ask_new_person(self) -> NewPerson:
        kind = _select(
            "What kind of person?",
            [(word, key) for key, word in PERSON_KIND_WORDS.items()],
            default="professional",
        )
        name = _text("Their full name:", required="Type their name.")
        role = _text("Their role (e.g. School nurse, Grandmother; blank if none):") or None
        agency = None
        relationship = None
        if kind == "professional":
            agency = _text("Their agency or organisation:", required="Give their agency: it counts for the quorum.")
        else:
            names = ", ".join(self.ctx.children[c].name for c in self.subjects)
            relationship = _text(
                f"How do they stand to {names}? (e.g. grandmother)",
                (role or "").lower(),
                required="Say how they are related, e.g. grandmother.",
            )
        new = NewPerson(
            key=f"{NEW_KEY}{len(self.new_people) + 1}",
            name=name,
            kind=kind,
            role=role,
            agency=agency,
            relationship=relationship,
        )
        self.new_people.append(new)
        return new

    def who_label(self, who: str | None) -> str:
        if not who:
            return "no one named"
        return self.person(who).name if who in self.ctx.people or who.startswith(NEW_KEY) else who

    def ask_who(self, message: str, default: str | None, *, done: bool = False) -> str | None:
        """A person from the list, or an agency or name typed in (a family member, a service).

        `done` is for the people who see the child: professionals only, and a way to finish the list.
        """
        choices: list[tuple[str, Any]] = [("No one more (done)", _DONE)] if done else []
        choices += [(self.title(p), p.ref) for p in self.candidates() if not done or p.kind == "professional"]
        typed = default if default and default not in [v for _, v in choices] else None
        choices.append(("An agency or someone else (type it)", _TYPE_IT))
        if not done:
            choices.append(("No one named yet", _NO_ONE))
        choice = _select(message, choices, default=_TYPE_IT if typed else default)
        if choice == _TYPE_IT:
            return _text("  Who (an agency, a service or a name)?", typed or "", required="Type who it is.")
        if choice == _NO_ONE:
            return None
        return str(choice)

    def ask_actions(self, existing: list[Action]) -> list[Action]:
        kept = list(existing)
        if existing:
            chosen = _checkbox(
                "Actions and services: keep which?",
                [
                    (_short(f"{a.id or ''} {a.what} ({self.who_label(a.who)})".strip()), index, True)
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
            what = _text(f"Action or service {number}: what? (blank line when done)")
            if not what:
                return None
            was = Action(what=what)
        else:
            what = _text(f"Action {before.id or number}: what?", before.what, required="Say what the action is.")
            was = before
        why = _text("  Why (the need it meets)?", was.why or "") or None
        who = self.ask_who("  Who is responsible?", was.who)
        start = _ask_date("  Starting (date, blank if not set):", was.start)
        frequency = _text("  How often (e.g. weekly)?", was.frequency or "") or None
        length = _text("  For how long (e.g. 10 weeks)?", was.length or "") or None
        outcome = _text("  Planned outcome (the progress required):", was.outcome or "") or None
        by = _ask_date(
            "  Outcome due by (date):",
            was.by,
            earliest=start,
            too_early="That is before the action starts.",
        )
        measure = _text("  How will everyone know it has worked (measure of success)?", was.measure or "") or None
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
            chosen = _checkbox(
                f"How {child.name} will be seen: keep which?",
                [
                    (
                        _short(f"{self.who_label(s.who)}, {s.how_often or 'how often not said'}, {s.where or ''}"),
                        index,
                        True,
                    )
                    for index, s in enumerate(existing)
                ],
            )
            kept = [existing[index] for index in chosen]
        while True:
            default = lead if not kept else _DONE
            who = self.ask_who(f"Who will see {child.name}{' as well' if kept else ''}?", default, done=True)
            if who == _DONE:
                return kept
            how_often = _text("  How often (e.g. every 10 working days)?") or None
            where = _text("  Where (e.g. at home and at school)?") or None
            present = _select(
                "  Are the parents present?",
                [(word, key) for key, word in PRESENT_WORDS.items()] + [("Not decided", _UNDECIDED)],
                default="sometimes",
            )
            kept.append(
                ChildSeen(
                    who=who,
                    how_often=how_often,
                    where=where,
                    parents_present=None if present == _UNDECIDED else present,
                )
            )


class Wizard(PlanPrompts):
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
    def status(self, ref: str) -> str | None:
        return (self.draft.attendance or {}).get(ref, (None, None))[0]

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
        section, ref = _select("Which section?", sections)
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
        from cpctl.dates import parse_date

        before = self.draft.details
        kinds = ["initial", "review", "pre-birth-initial", "pre-birth-review", "transfer-in"]
        kind = _select(
            "Which kind of conference?",
            [(self.rules.kind_name(k), k) for k in kinds],
            default=before.kind if before else "initial",
        )
        today = date.today()
        day_text = _text(
            "Date held (today, DD/MM/YYYY or YYYY-MM-DD):",
            f"{before.day:%d/%m/%Y}" if before else "today",
            required="Give the date the conference was held.",
            check=_date_check(
                latest=today, too_late=("That is in the future: record a conference once it has been held.")
            ),
        )
        day = parse_date(day_text)
        time = _text(
            "Start time (HH:MM, blank if not recorded):",
            (before.time or "") if before else "",
            check=lambda t: bool(_TIME.match(t)) or "Use HH:MM, e.g. 10:30",
        )
        if time:
            match = _TIME.match(time)
            assert match
            time = f"{int(match.group(1)):02d}:{match.group(2)}"
        virtual = _select(
            "Where was it held?",
            [("At a venue", False), ("Virtual (online)", True)],
            default=before.virtual if before else False,
        )
        venue = None
        if not virtual:
            venue = _text("Venue (blank if not recorded):", (before.venue or "") if before else "") or None
        chairs = self.professionals()
        default_chair = before.chair if before else self.ctx.me
        chair = _select(
            "Chair:",
            [(p.label + ("  (you)" if p.ref == self.ctx.me else ""), p.ref) for p in chairs],
            default=default_chair,
        )
        strategy = None
        if kind in ("initial", "pre-birth-initial"):
            strategy = _ask_date(
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
        first = _select("Child:", [(c.label, c.ref) for c in eligible], default=current[0] if current else None)
        others = [c for c in eligible if c.ref != first]
        chosen = [first]
        if others:
            siblings = set(self.ctx.children[first].siblings)
            ordered = sorted(others, key=lambda c: c.ref not in siblings)
            ticked = set(current[1:]) if current and current[0] == first else siblings
            chosen += _checkbox(
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
        before = self.draft.attendance
        expected = self.expected()
        statuses: dict[str, tuple[str, str | None]] = {}
        remaining = self.candidates()

        def ticked(ref: str, status: str) -> bool:
            if before is not None:
                return before.get(ref, ("", None))[0] == status
            return status == "attended" and ref in expected

        for status, question in (
            ("attended", "Who attended?"),
            ("apologies", "Who sent apologies?"),
            ("report", "Who sent a report but did not attend?"),
        ):
            if not remaining:
                break
            chosen = _checkbox(question, [(self.title(p), p.ref, ticked(p.ref, status)) for p in remaining])
            statuses.update({ref: (status, None) for ref in chosen})
            remaining = [p for p in remaining if p.ref not in statuses]
        left_out = [p for p in remaining if p.ref in expected or (before or {}).get(p.ref, ("",))[0] == "not-invited"]
        if left_out:
            chosen = _checkbox(
                "Was anyone in the family or the core group not invited?",
                [(self.title(p), p.ref, ticked(p.ref, "not-invited")) for p in left_out],
            )
            for ref in chosen:
                old = (before or {}).get(ref, ("", None))[1] or ""
                reason = _text(
                    f"Why was {self.person(ref).name} not invited?",
                    old,
                    required="Say why; it is recorded with the conference.",
                )
                statuses[ref] = ("not-invited", reason)
        while _confirm("Add someone who is not in these lists?", False):
            new = self.ask_new_person()
            status = _select(
                f"{new.name}:", [(STATUS_WORDS[s].capitalize(), s) for s in STATUS_WORDS], default="attended"
            )
            reason = None
            if status == "not-invited":
                reason = _text(f"Why was {new.name} not invited?", required="Say why; it is recorded.")
            statuses[new.key] = (status, reason)
        self.draft.attendance = {p.ref: statuses[p.ref] for p in self.candidates() if p.ref in statuses}
        agencies, needed = self.agencies(), self.rules.min_agencies
        out().print(
            f"{len(agencies)} agenc{'y' if len(agencies) == 1 else 'ies'} took part, the chair's included "
            f"({'; '.join(agencies) or 'none'}); {_place(self.ctx.jurisdiction)} needs {needed}"
            + (": quorate." if len(agencies) >= needed else "."),
            markup=False,
        )

    def agencies(self) -> list[str]:
        assert self.draft.details is not None
        names = {
            self.person(ref).agency.strip().lower()  # type: ignore[union-attr]
            for ref, (status, _) in (self.draft.attendance or {}).items()
            if status == "attended" and self.person(ref).kind == "professional" and self.person(ref).agency
        }
        chair = self.person(self.draft.details.chair)
        if chair.agency:
            names.add(chair.agency.strip().lower())
        return sorted(names)

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
        self.draft.inquorate_reason = _text(
            "Why did it go ahead without a quorum?",
            self.draft.inquorate_reason or "",
            required="Record why it went ahead, or go back and correct the attendance.",
        )

    # -- one child's decision ---------------------------------------------------------------------
    def ask_decision(self, ref: str) -> None:
        from cpctl.casework.conference import OUTCOMES_FOR_KIND, PLAN_OUTCOMES
        from cpctl.casework.plan import Dissent, Interpreter, NotDiscussed

        assert self.draft.details is not None
        child = self.ctx.children[ref]
        before = self.draft.decisions.get(ref)
        out().print(f"\n[bold]{markup_free(child.name)}[/bold] ({markup_free(ref)})")
        allowed = OUTCOMES_FOR_KIND[self.draft.details.kind]
        outcome = _select(
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
        decision.evidence = _items(evidence_word, before.evidence if before else [])
        decision.child_views = _items(f"{child.name}'s wishes and feelings", before.child_views if before else [])
        decision.parent_views = _items("The parents' views", before.parent_views if before else [])
        decision.dissent = _pairs(
            "Dissent from the decision",
            before.dissent if before else [],
            "who",
            "reason",
            lambda who, why: Dissent(who=who, reason=why),
        )
        if with_plan:
            decision.not_discussed_with = _pairs(
                "Plan not discussed with",
                before.not_discussed_with if before else [],
                "who",
                "why",
                lambda who, why: NotDiscussed(who=who, why=why),
            )
        _mark_private(
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
        needed = _confirm("Is an interpreter needed?", interpreter.needed)
        language = None
        if needed:
            language = _text(
                "For which language?",
                interpreter.language or child.language or "",
                required="Name the language.",
            )
        decision.interpreter = Interpreter(needed=needed, language=language)
        culture = before.cultural_needs if before else child.culture
        decision.cultural_needs = (
            _text("Cultural or religious needs to respect (blank if none):", culture or "") or None
        )
        if outcome == "plan-ends":
            decision.end_reason = _text(
                "Why can the plan end?",
                (before.end_reason or "") if before else "",
                required="Say why the plan can end.",
            )
            decision.step_down = self.ask_step_down(before.step_down if before else None)
        self.draft.decisions[ref] = decision

    def ask_categories(self, defaults: list[str]) -> list[str]:
        choices = [(f"{code}  {label}", code) for code, label in self.rules.categories.items()]
        if self.rules.single_category:
            return [_select("Category of harm:", choices, default=defaults[0] if defaults else None)]
        return _checkbox(
            "Categories (areas of concern):",
            [(title, code, code in defaults) for title, code in choices],
            at_least_one="Tick at least one.",
        )

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
            _select(
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
        chosen = _checkbox(
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
        choice = _select(
            "What follows the plan?",
            [(o[:1].upper() + o[1:], o) for o in options] + [("Something else (type it)", _TYPE_IT)],
            default=before if before in options else (_TYPE_IT if before else step),
        )
        if choice == _TYPE_IT:
            return _text(
                "What follows the plan?",
                before if before not in options and before else "",
                required="Say what follows the plan.",
            )
        return str(choice)

    # -- one child's outline plan -----------------------------------------------------------------
    def ask_plan(self, ref: str) -> None:
        from cpctl.casework.plan import Objectives, PlanContent

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
        source = sources[0][1] if len(sources) == 1 else _select("Outline plan:", sources)
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
        plan.worries = _items("What are we worried about", start.worries)
        plan.working_well = _items("What is working well", start.working_well)
        plan.immediate_actions = _items("Immediate action to keep the child safe", start.immediate_actions)
        plan.objectives = Objectives(
            child_development=_items("Objective: the child's developmental needs", start.objectives.child_development),
            parenting_capacity=_items("Objective: parenting capacity", start.objectives.parenting_capacity),
            family_environment=_items(
                "Objective: family and environmental factors", start.objectives.family_environment
            ),
        )
        plan.actions = self.ask_actions(start.actions)
        plan.child_seen = self.ask_child_seen(child, start.child_seen, decision.lead_worker)
        plan.contingency = _items("Contingency: if things get worse or change too slowly", start.contingency)
        plan.must_change = _items("What must change before the plan can end", start.must_change)
        scale = _text(
            "Safety scale, 0 (not safe) to 10 (safe enough to end the plan); blank to skip:",
            "" if start.safety_scale is None else str(start.safety_scale),
            check=lambda t: (t.isdigit() and 0 <= int(t) <= 10) or "A whole number from 0 to 10",
        )
        plan.safety_scale = int(scale) if scale else None
        _mark_private(
            [
                ("Worry", plan.worries, "text"),
                ("Working well", plan.working_well, "text"),
                ("Immediate action", plan.immediate_actions, "text"),
                ("Objective", plan.objectives.child_development, "text"),
                ("Objective", plan.objectives.parenting_capacity, "text"),
                ("Objective", plan.objectives.family_environment, "text"),
                ("Action", plan.actions, lambda x: f"{x.what} ({self.who_label(x.who)})"),
                ("Seen by", plan.child_seen, lambda x: f"{self.who_label(x.who)}, {x.how_often or ''}"),
                ("Contingency", plan.contingency, "text"),
                ("Must change", plan.must_change, "text"),
            ]
        )
        decision.plan, decision.plan_asked = plan, True

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
