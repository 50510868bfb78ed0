"""`cpctl conference new` in a terminal: the questions a chair answers right after the meeting.

The wizard asks what the conference decided and takes everything else from what the store knows (the child's
record, the plan in force, a brother's or sister's answers), showing each default as it goes. The answers are
collected as plain data (a `Draft`) and nothing touches the store until the chair saves at the summary. The
summary numbers every answer: typing its number opens that one answer, prefilled, to change it. Shift-Tab or Ctrl-Z at a
question goes back one question. The summary checks the draft with `conference.prepare()` in a read session that
is never committed, so the quorum and each plan's gaps are shown before anything is written. People typed in
along the way are created in the same write transaction as the conference itself, so Ctrl-C or Cancel leaves no
trace.

This module asks about the conference as a whole (its details, the children, attendance and quorum) and drives
the summary; the questions about each child are in `decision`, and the numbered summary in `review`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from cpctl.commands.common import STATUS_WORDS, markup_free, out
from cpctl.commands.saving import save_conference
from cpctl.commands.wizards.context import load_context
from cpctl.commands.wizards.decision import DecisionPrompts
from cpctl.commands.wizards.drafts import Details, Draft, add_new_people
from cpctl.commands.wizards.prompts import (
    TAPE,
    GoBack,
    ask_checkbox,
    ask_date,
    ask_next_step,
    ask_required_date,
    ask_select,
    ask_text,
    replaying,
    say,
)
from cpctl.commands.wizards.replay import BACK_HINT
from cpctl.commands.wizards.review import Checked, Numbered, summary

if TYPE_CHECKING:
    from cpctl.casework.conference import ConferenceRules, Saved
    from cpctl.commands.wizards.context import ChildInfo, Context, PersonInfo
    from cpctl.commands.wizards.drafts import NewPerson
    from cpctl.store.database import Store

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
ONLINE_WORDS = ("online", "virtual")
ADD = "\x00add"
KINDS = ["initial", "review", "pre-birth-initial", "pre-birth-review", "transfer-in"]
REVIEWS = ("review", "pre-birth-review")


def _place(jurisdiction: str) -> str:
    return jurisdiction.replace("-", " ").title()


def run_wizard(store: Store, *, s47_start: date | None = None) -> tuple[Saved, ConferenceRules]:
    """Ask for a conference, show the summary and its gaps, and save it only when the chair says so."""
    from cpctl.errors import CpctlError

    ctx = load_context(store)
    if not ctx.children:
        raise CpctlError("there are no children in this store yet: add them first (`cpctl child add`).")
    if not any(p.kind == "professional" for p in ctx.people.values()):
        raise CpctlError("there is no professional in this store to chair the conference: run `cpctl init`.")
    out().print(
        f"[bold]Recording a {ctx.rules.term('conference', 'child protection conference')}[/bold] "
        f"({_place(ctx.jurisdiction)}). {BACK_HINT}; Ctrl-C stops without saving anything."
    )
    try:
        wizard = _ask_all(ctx, s47_start)
        while True:
            checked = wizard.check(store)
            numbered = wizard.show_summary(checked)
            choice = ask_next_step(numbers=len(numbered), can_save=checked.problem is None, draft=checked.has_gaps)
            if isinstance(choice, int):
                try:
                    numbered[choice - 1].change()
                    wizard.complete()
                except GoBack:  # a back key while changing an answer: back to the summary as it was
                    pass
                continue
            try:
                return save_conference(
                    store,
                    wizard.to_input(as_draft=choice == "draft"),
                    before=lambda session, data: add_new_people(session, data, wizard.draft.new_people),
                )
            except CpctlError as exc:  # the store changed since the check (another user): show it and go back
                if exc.exit_code == 130:
                    raise
                out().print(f"[red]Not saved:[/red] {markup_free(exc.message)}")
    finally:
        TAPE.stop()


def _ask_all(ctx: Context, s47_start: date | None = None) -> Wizard:
    """Every question, in order; a back key asks the question before again (the answers so far are replayed)."""
    TAPE.start()
    while True:
        wizard = Wizard(ctx)
        wizard.s47_given = s47_start
        try:
            wizard.complete()
        except GoBack:
            if not TAPE.back():
                say("That is the first question.")
            continue
        TAPE.on = False  # the summary's own questions are not replayed: a change there is made in place
        return wizard


class Wizard(DecisionPrompts):
    """The conference as a whole: its details, the children, attendance and quorum, and the summary."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.rules = ctx.rules
        self.draft = Draft()
        self.s47_given: date | None = None  # conference new --s47-start: not asked then

    @property
    def subjects(self) -> list[str]:
        return self.draft.children

    @property
    def new_people(self) -> list[NewPerson]:
        return self.draft.new_people

    def show(self, text: str) -> None:
        """A line with markup for the person at the terminal (nothing while answers are replayed)."""
        if not replaying():
            out().print(text)

    # -- helpers over the context and the draft ---------------------------------------------------
    def eligible(self, kind: str, day: date) -> list[ChildInfo]:
        out_list = []
        for child in self.ctx.children.values():
            in_force = child.plan_number is not None
            if kind in ("initial", "transfer-in"):
                ok = child.born_by(day) and not in_force
            elif kind == "review":
                ok = child.born_by(day) and in_force and _began_before(child, day)
            elif kind == "pre-birth-initial":
                ok = not child.born_by(day) and not in_force
            else:  # a pre-birth review: the plan began before birth (the baby may since have been born)
                ok = in_force and child.plan_pre_birth and _began_before(child, day)
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
        if not self.draft.details.s47_asked:
            self.ask_s47()
        if self.draft.attendance is None:
            self.ask_attendance()
        self.ask_quorum(only_if_needed=True)
        for ref in self.draft.children:
            decision = self.draft.decisions.get(ref)
            if decision is None or decision.outcome not in OUTCOMES_FOR_KIND[self.draft.details.kind]:
                self.ask_decision(ref)
                decision = self.draft.decisions[ref]
            self.fill_decision(ref)
            if decision.outcome in PLAN_OUTCOMES and not decision.plan_asked:
                self.ask_plan(ref)
            if not decision.private_asked:
                self.mark_private_for(ref)
        if not self.draft.discussion_asked:
            self.ask_discussion()

    def ask_discussion(self) -> None:
        """The chair's summary of the discussion and the analysis of risk: one answer, which may stay blank."""
        self.draft.discussion = (
            ask_text(
                "The chair's summary of the discussion and the analysis of risk (blank to add it later):",
                self.draft.discussion or "",
            )
            or None
        )
        self.draft.discussion_asked = True

    def children_fit(self) -> bool:
        assert self.draft.details is not None
        if not self.draft.children:
            return False
        eligible = {c.ref for c in self.eligible(self.draft.details.kind, self.draft.details.day)}
        return all(ref in eligible for ref in self.draft.children)

    # -- the conference ---------------------------------------------------------------------------
    def ask_details(self) -> None:
        self.ask_kind()
        self.ask_day()
        self.ask_time()
        self.ask_where()
        self.ask_chair(only_if_needed=True)
        self.ask_strategy()

    def details(self) -> Details:
        assert self.draft.details is not None
        return self.draft.details

    def ask_kind(self) -> None:
        before = self.draft.details
        kind = ask_select(
            "Which kind of conference?",
            [(self.rules.kind_name(k), k) for k in KINDS],
            default=before.kind if before else "initial",
        )
        if before is None:
            self.draft.details = Details(kind=kind, day=date.today(), time=None, venue=None, virtual=False, chair="")
        else:
            before.kind = kind
            if kind not in ("initial", "pre-birth-initial"):
                before.strategy_discussion = None
                before.s47_start = None

    def ask_day(self) -> None:
        """The date, checked at once against today and the case: a review comes after the plan began."""
        d = self.details()
        kind, today = d.kind, date.today()
        started = [c.plan_started for c in self.ctx.children.values() if c.plan_started and c.plan_number]

        def check(day: date) -> bool | str:
            if day > today:
                return "That is in the future: record a conference once it has been held."
            if kind in REVIEWS and started and not self.eligible(kind, day):
                first = min(started)
                return (
                    f"No plan to review had begun by then: the earliest began on {first:%d/%m/%Y}. "
                    f"A review comes after it (from {first + timedelta(days=1):%d/%m/%Y})."
                )
            if d.strategy_discussion and d.strategy_discussion > day:
                return f"That is before the strategy discussion ({d.strategy_discussion:%d/%m/%Y}); check the date."
            return True

        d.day = ask_required_date(
            "Date held (today, DD/MM/YYYY or YYYY-MM-DD):",
            d.day if d.chair else None,
            required="Give the date the conference was held.",
            check_day=check,
        )

    def ask_time(self) -> None:
        d = self.details()
        time = ask_text(
            "Start time (HH:MM, blank if not recorded):",
            d.time or "",
            check=lambda t: bool(_TIME.match(t)) or "Use HH:MM, e.g. 10:30",
        )
        if time:
            match = _TIME.match(time)
            assert match
            time = f"{int(match.group(1)):02d}:{match.group(2)}"
        d.time = time or None

    def ask_where(self) -> None:
        d = self.details()
        where = ask_text(
            "Where was it held? (the venue, or online; blank if not recorded):",
            "online" if d.virtual else (d.venue or ""),
        )
        d.virtual = where.lower() in ONLINE_WORDS
        d.venue = None if d.virtual else (where or None)

    def ask_chair(self, *, only_if_needed: bool = False) -> None:
        d = self.details()
        me = self.ctx.me if self.ctx.me in {p.ref for p in self.professionals()} else None
        if only_if_needed and me is not None:
            d.chair = d.chair or me
            say(f"Chair: {self.person(d.chair).name} (you; change it from the summary).")
            return
        d.chair = ask_select(
            "Chair:",
            [(p.label + ("  (you)" if p.ref == self.ctx.me else ""), p.ref) for p in self.professionals()],
            default=d.chair or me,
        )

    def ask_strategy(self) -> None:
        d = self.details()
        if d.kind not in ("initial", "pre-birth-initial"):
            d.strategy_discussion = None
            return
        d.strategy_discussion = ask_date(
            "Date of the strategy discussion (blank if not known):",
            d.strategy_discussion,
            latest=d.day,
            too_late="The strategy discussion comes before the conference; check the date.",
        )

    def ask_s47(self) -> None:
        """England, an initial conference: when the section 47 enquiry began, unless every child has one recorded
        (the conference links itself to it). Prefilled with the strategy discussion's day."""
        d = self.details()
        d.s47_asked = True
        if self.ctx.jurisdiction != "england" or d.kind not in ("initial", "pre-birth-initial"):
            d.s47_start = None
            return
        if self.s47_given is not None and d.s47_start is None:  # conference new --s47-start
            d.s47_start = self.s47_given
            say(f"Section 47 enquiry: {d.s47_start:%d/%m/%Y} (--s47-start).")
            return
        recorded = [self.ctx.children[ref].open_enquiry for ref in self.draft.children]
        if d.s47_start is None and all(day is not None and day <= d.day for day in recorded):
            say(
                "Section 47 enquiry: "
                + ", ".join(f"{day:%d/%m/%Y}" for day in dict.fromkeys(recorded))
                + " (recorded)."
            )
            return
        d.s47_start = ask_date(
            "Date the section 47 enquiry started (blank if not known):",
            d.s47_start or d.strategy_discussion or next((day for day in recorded if day), None),
            latest=d.day,
            too_late="The section 47 enquiry starts before the conference; check the date.",
        )

    def change_strategy(self) -> None:
        """The summary's line for the strategy discussion also holds the section 47 start (England)."""
        self.ask_strategy()
        if self.ctx.jurisdiction == "england":
            self.ask_s47()

    def ask_children(self) -> None:
        d = self.details()
        eligible = self.eligible(d.kind, d.day)
        while not eligible:
            why = {
                "initial": "every child is either not yet born or already has a plan in force",
                "transfer-in": "every child is either not yet born or already has a plan in force",
                "review": "no child has a plan in force that began before that date",
                "pre-birth-initial": "no unborn baby without a plan is recorded",
                "pre-birth-review": "no child has a plan that began before birth",
            }[d.kind]
            self.show(
                f"No child can have a {self.rules.kind_name(d.kind).lower()} on that date: {why}. "
                "Choose another kind of conference (or add the child first with `cpctl child add`)."
            )
            self.ask_kind()
            self.ask_day()
            self.ask_strategy()
            eligible = self.eligible(d.kind, d.day)
        if len(eligible) == 1:
            self.draft.children = [eligible[0].ref]
            say(f"Child: {eligible[0].label} (the only child who fits).")
        elif _one_family(eligible):  # one question: brothers and sisters, all ticked
            current = [ref for ref in self.draft.children if ref in {c.ref for c in eligible}]
            self.draft.children = ask_checkbox(
                "Which children? (brothers and sisters are ticked)",
                [(c.label, c.ref, c.ref in current if current else True) for c in eligible],
                at_least_one="Tick at least one child.",
            )
        else:  # a store of many families: the child, then their brothers and sisters ticked among the rest
            current = [ref for ref in self.draft.children if ref in {c.ref for c in eligible}]
            first = ask_select("Child:", [(c.label, c.ref) for c in eligible], default=current[0] if current else None)
            siblings = set(self.ctx.children[first].siblings)
            others = sorted((c for c in eligible if c.ref != first), key=lambda c: c.ref not in siblings)
            ticked = set(current[1:]) if current and current[0] == first else siblings
            self.draft.children = [first] + ask_checkbox(
                "Also at this conference (brothers and sisters are ticked)",
                [(c.label, c.ref, c.ref in ticked) for c in others],
            )
        self.draft.decisions = {r: x for r, x in self.draft.decisions.items() if r in self.draft.children}

    # -- attendance and quorum --------------------------------------------------------------------
    def candidates(self) -> list[PersonInfo]:
        chair = self.details().chair
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
        """Who attended (the family and core group ticked), then in one list anyone who sent apologies or a
        report or was not invited, each asked which; anyone not listed can be added from either list."""
        before = self.draft.attendance
        expected = self.expected()
        add = ("Someone not in this list (add them)", ADD, False)
        people = self.candidates()
        attended = ask_checkbox(
            "Who attended? (the family and the core group are ticked)",
            [
                (self.title(p), p.ref, before.get(p.ref, ("",))[0] == "attended" if before else p.ref in expected)
                for p in people
            ]
            + [add],
        )
        statuses: dict[str, tuple[str, str | None]] = {}
        for ref in attended:
            if ref == ADD:
                ref = self.ask_new_person().key
            statuses[ref] = ("attended", None)
        rest = [p for p in self.candidates() if p.ref not in statuses]
        absent = ask_checkbox(
            "Anyone else who sent apologies or a report, or was not invited? (tick them; enter if no one)",
            [
                (self.title(p), p.ref, p.ref in before if before else p.ref in expected and p.kind != "professional")
                for p in rest
            ]
            + [add],
        )
        for ref in absent:
            if ref == ADD:
                ref = self.ask_new_person().key
            name = self.person(ref).name
            old, reason = (before or {}).get(ref, ("apologies", None))
            status = ask_select(
                f"{name}:",
                [(STATUS_WORDS[s].capitalize(), s) for s in ("apologies", "report", "not-invited")],
                default=old if old != "attended" else "apologies",
            )
            if status == "not-invited":
                reason = ask_text(
                    f"Why was {name} not invited?",
                    reason or "",
                    required="Say why; it is recorded with the conference.",
                )
            statuses[ref] = (status, reason if status == "not-invited" else None)
        self.draft.attendance = {p.ref: statuses[p.ref] for p in self.candidates() if p.ref in statuses}
        agencies, needed = self.agencies(), self.rules.min_agencies
        say(
            f"{len(agencies)} agenc{'y' if len(agencies) == 1 else 'ies'} took part, the chair's included "
            f"({'; '.join(agencies) or 'none'}); {_place(self.ctx.jurisdiction)} needs {needed}"
            + (": quorate." if len(agencies) >= needed else ".")
        )

    def agencies(self) -> list[str]:
        from cpctl.casework.conference import agencies_taking_part

        attended = [ref for ref, (status, _) in (self.draft.attendance or {}).items() if status == "attended"]
        people = [self.person(ref) for ref in [*attended, self.details().chair]]
        return agencies_taking_part(person.agency for person in people if person.kind == "professional")

    def ask_quorum(self, *, only_if_needed: bool) -> None:
        count, needed = len(self.agencies()), self.rules.min_agencies
        if count >= needed:
            self.draft.inquorate_reason = None
            return
        if only_if_needed and self.draft.inquorate_reason:
            return
        say(
            f"Only {count} agenc{'y' if count == 1 else 'ies'} took part (the chair's included); "
            f"{_place(self.ctx.jurisdiction)} needs {needed} for a quorate conference."
        )
        self.draft.inquorate_reason = ask_text(
            "Why did it go ahead without a quorum?",
            self.draft.inquorate_reason or "",
            required="Record why it went ahead, or change the attendance from the summary.",
        )

    # -- the summary ------------------------------------------------------------------------------
    def check(self, store: Store) -> Checked:
        """Run the domain's checks on the draft in a read session that is rolled back: nothing is written."""
        from pydantic import ValidationError

        from cpctl.casework import conference
        from cpctl.errors import CpctlError

        try:
            data = self.to_input()
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

    def show_summary(self, checked: Checked) -> list[Numbered]:
        return summary(self, checked)


def _began_before(child: ChildInfo, day: date) -> bool:
    return child.plan_started is not None and child.plan_started < day


def _one_family(children: list[ChildInfo]) -> bool:
    """Whether these children are all brothers and sisters of each other (then all are ticked)."""
    refs = {c.ref for c in children}
    return all(refs - {c.ref} <= set(c.siblings) for c in children)
