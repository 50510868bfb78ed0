"""The prefilled documents that `--edit` opens in the user's editor, in the `--from` format of each command.

Each document is YAML that the command's `--from` reader takes as it is: the fields prefilled from the store,
a comment on each field saying what it holds, the people and children of the case with their references, and
what cpctl will schedule from the record by the profile's rules. Nothing here writes to the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import yaml
from sqlmodel import Session, col, select

from cpctl.casework import participation, people, progress, schedule
from cpctl.casework import plan as plans
from cpctl.casework.conference import rules_for
from cpctl.dates import british, short_british
from cpctl.errors import CpctlError, NotFound
from cpctl.store import settings
from cpctl.store.models import Booking, Child, Deadline, Person

if TYPE_CHECKING:
    from cpctl.casework.plan import PlanContent
    from cpctl.rules.profile import Profile

ITEM = "one item a line; {text: ..., private: true} keeps one out of the family's copy"
PLAN_FIELDS: dict[str, str] = {
    "worries": f"what we are worried about ({ITEM})",
    "working_well": "what is working well",
    "immediate_actions": "what is done at once to keep the child safe",
    "objectives": "objectives in each domain of the Assessment Framework",
    "actions": "each: what, why, who (a reference), start, frequency, length, outcome, by, measure",
    "child_seen": "each: who (a reference), how_often, where, parents_present (yes, no or sometimes)",
    "contingency": "what happens if the plan does not work",
    "must_change": "what must change before the plan can end",
    "core_group": "the core group's members, by reference",
    "safety_scale": "0 (not safe) to 10 (safe enough to end the plan); leave empty if not used",
}
OTHERS = 40  # at most this many other professionals are listed in a conference's document
OBJECTIVE_FIELDS = {
    "child_development": "the child's developmental needs",
    "parenting_capacity": "parenting capacity",
    "family_environment": "family and environmental factors",
}


@dataclass
class Editable:
    """A document to open: its text, a short name for its file, and the plan version it was made from."""

    text: str
    name: str
    based_on: int | None = None
    children: list[str] = field(default_factory=list)


# -- writing YAML with a comment on each field --------------------------------------------------------------
def _plain(text: object) -> str:
    """Text fit for a comment: one line, no control characters."""
    import re

    from cpctl.text import without_controls

    return re.sub(r"\s*[\r\n\t\v\f\x1c-\x1e\x85\u2028\u2029]\s*", " ", without_controls(str(text)))


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=False, width=110)


def _flow(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, default_flow_style=True, width=10_000).strip()


class Lines:
    """The document being written, line by line."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def comment(self, *texts: str, indent: int = 0) -> None:
        for text in texts:
            self.lines.append(" " * indent + ("# " + _plain(text) if text else "#"))

    def blank(self) -> None:
        self.lines.append("")

    def field(self, key: str, value: Any, note: str = "", *, indent: int = 0, first: str = "") -> None:
        """`key: value  # note`; a block value goes on the lines below, indented. `first` replaces the indent of
        the key's line (the "- " of a list's entry)."""
        pad = " " * indent
        if value is None:
            body = [f"{key}:"]
        elif isinstance(value, list) and value:
            body = _dump({key: value}).rstrip("\n").split("\n")
        else:
            body = [_flow({key: value})[1:-1]]  # "{key: value}" without its braces
        head = (first.rjust(indent) if first else pad) + body[0]
        self.lines.append(head + (f"  # {_plain(note)}" if note else ""))
        self.lines += [pad + "  " + line for line in body[1:]]

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _items(values: Sequence[Any]) -> list[Any]:
    """Items as the file writes them: plain text, or {text, private: true} when private."""
    return [v.text if not v.private else {"text": v.text, "private": True} for v in values]


def _record(model: Any) -> dict[str, Any]:
    """An action or a child-seen entry with its empty fields left out."""
    found = model.model_dump(exclude_none=True)
    if not found.get("private"):
        found.pop("private", None)
    return found


def plan_fields(out: Lines, content: PlanContent, indent: int) -> None:
    """The plan's fields, each with its comment."""
    for key, note in PLAN_FIELDS.items():
        value = getattr(content, key)
        if key == "objectives":
            out.field(key, None, note, indent=indent)
            for domain, words in OBJECTIVE_FIELDS.items():
                out.field(domain, _items(getattr(value, domain)), words, indent=indent + 2)
        elif key in ("actions", "child_seen"):
            out.field(key, [_record(v) for v in value], note, indent=indent)
        elif key == "core_group":
            out.field(key, list(value), note, indent=indent)
        elif key == "safety_scale":
            out.field(key, value, note, indent=indent)
        else:
            out.field(key, _items(value), note, indent=indent)


# -- the case: people, children, and what will be scheduled ---------------------------------------------------
def _person_words(person: Person, relationship: str | None = None) -> str:
    about = [part for part in (person.role, person.agency) if part] or [person.kind]
    if relationship:
        about.append(relationship)
    return f"{person.name} ({', '.join(about)})"


def case_people(session: Session, children: Iterable[Child], *extra: Person | None) -> dict[str, str]:
    """Everyone linked to these children (and `extra`: the chair, a lead worker), by reference, in words."""
    found: dict[str, str] = {}
    for child in children:
        for person, relationship in people.people_of_child(session, child):
            if person.ref not in found:
                found[person.ref] = _person_words(person, relationship)
    for person in extra:
        if person is not None and person.ref not in found:
            found[person.ref] = _person_words(person)
    return found


def _people_by_ref(session: Session, refs: Iterable[str]) -> list[Person]:
    wanted = [r for r in dict.fromkeys(refs) if r]
    if not wanted:
        return []
    return list(session.exec(select(Person).where(col(Person.ref).in_(wanted))).all())


def case_block(
    out: Lines, session: Session, children: Sequence[Child], everyone: dict[str, str], *, others: bool = False
) -> None:
    out.blank()
    out.comment("The children, and the people in this case, by the references the fields above take:")
    for child in children:
        born = (
            f"born {short_british(child.date_of_birth)}"
            if child.date_of_birth
            else f"unborn, due {short_british(child.expected_date)}"
            if child.expected_date
            else "date of birth not recorded"
        )
        current = plans.active_plan(session, child)
        plan = f"plan {current.number} in force since {short_british(current.started_on)}" if current else "no plan"
        out.comment(f"  {child.ref}  {child.full_name}, {born}; {plan}")
    for ref, words in everyone.items():
        out.comment(f"  {ref}  {words}")
    if others:
        rest = session.exec(
            select(Person)
            .where(Person.kind == "professional", col(Person.ref).not_in(list(everyone)))
            .order_by(col(Person.name))
            .limit(OTHERS + 1)
        ).all()
        if rest:
            out.comment("Other professionals in this store:")
            for person in rest[:OTHERS]:
                out.comment(f"  {person.ref}  {_person_words(person)}")
            if len(rest) > OTHERS:
                out.comment("  ... and more: `cpctl person list --kind professional`")
    out.comment("More people: `cpctl person add` (then edit again), `cpctl person list`.")


def _due(profile: Profile, rule: str, on: date, event: str | None = None) -> str | None:
    import dataclasses

    from cpctl.rules.timescales import due

    try:
        when, explanation = due(profile, rule, on)
    except NotFound:
        return None
    if event is not None:
        explanation = dataclasses.replace(explanation, event=event)
    return f"{british(when)} ({explanation.counting()}; rule {rule})"


def schedule_block(
    out: Lines, profile: Profile, on: date, rules: Sequence[tuple[str, str]], what: str, event: str | None = None
) -> None:
    """What cpctl will schedule from a record dated `on`: each (label, rule) of the profile that it has, counted
    from `event` (in words; the rule's own event when None)."""
    lines = [(label, _due(profile, rule, on, event)) for label, rule in rules]
    shown = [(label, when) for label, when in lines if when]
    if not shown:
        return
    out.blank()
    out.comment(f"What cpctl will schedule from this {what} (by the {profile.name} rules), if it is dated {on}:")
    for label, when in shown:
        out.comment(f"  {label}: due {when}")
    out.comment("A different date moves these; `cpctl due --explain` shows them once saved.")


def _header(out: Lines, command: str, about: str) -> None:
    out.comment(
        f"cpctl {command} --edit: {about}",
        "Change what you need, save and close the editor: cpctl checks the file and saves it. If something is",
        "wrong it opens the file again with the problems listed at the top. Save it empty, or unchanged, to cancel:",
        "then nothing is saved. Dates are YYYY-MM-DD or DD/MM/YYYY. People and children are named by reference",
        "(listed at the end); a text item written as {text: ..., private: true} stays out of the family's copy.",
    )
    out.blank()


# -- conference new --------------------------------------------------------------------------------------------
def conference(
    session: Session,
    children: Sequence[str],
    family: str | None,
    *,
    today: date | None = None,
    booking: Booking | None = None,
) -> Editable:
    """A conference for these children (or the family's), today, chaired by you, the case's people invited; or the
    conference `booking` booked: its children, day, time, place and chair, its invitees as the attendance."""
    today = today or date.today()
    found: list[Child] = [people.find_child(session, key) for key in children]
    if family:
        found += people.list_children(session, family=family)
    invited: list[tuple[Person, Any]] = []
    if booking is not None:
        from cpctl.casework import booking as bookings

        found = bookings.children_of(session, booking)
        invited = bookings.invitees_of(session, booking)
    found = list({c.ref: c for c in found}.values())
    if not found:
        raise CpctlError("say which children the conference is about: --child CHILD (repeat it) or --family NAME.")
    state = settings.current(session)
    rules = rules_for(state.jurisdiction)
    profile = schedule.load_profile(session)
    me = settings.current_user_person(session)
    current = {c.ref: plans.active_plan(session, c) for c in found}
    on_plan = [ref for ref, row in current.items() if row is not None]
    if on_plan and len(on_plan) < len(found):
        without = [ref for ref, row in current.items() if row is None]
        raise CpctlError(
            f"a plan is in force for {', '.join(on_plan)} but not for {', '.join(without)}: a review and an "
            "initial conference are recorded separately; name the children of one of them with --child."
        )
    review = bool(on_plan)
    unborn = all(c.unborn for c in found)
    kind = ("pre-birth-" if unborn else "") + ("review" if review else "initial")
    if booking is not None:
        kind = booking.kind
    leads: list[Person] = []
    lead_refs: dict[str, str | None] = {}
    contents: dict[str, PlanContent] = {}
    kept: dict[str, list[str]] = {}
    for child in found:
        row = current[child.ref]
        lead = session.get(Person, row.lead_worker_id) if row is not None and row.lead_worker_id else None
        lead_refs[child.ref] = lead.ref if lead else None
        if lead is not None:
            leads.append(lead)
        version = plans.version(session, row) if row is not None else None
        contents[child.ref] = plans.content_of(version) if version is not None else plans.PlanContent()
        kept[child.ref] = plans.categories_of(row.latest_categories) if row is not None else []
    members = _people_by_ref(session, [ref for content in contents.values() for ref in content.core_group])
    chair = session.get(Person, booking.chair_id) if booking is not None else me
    everyone = case_people(session, found, chair, *leads, *members, *(p for p, _ in invited))

    out = Lines()
    names = ", ".join(f"{c.full_name} ({c.ref})" for c in found)
    about = f"the conference about {names}" + (f", booked as {booking.ref}" if booking is not None else "")
    _header(out, "conference new", f"{about}.")
    kinds = "initial, review, pre-birth-initial, pre-birth-review or transfer-in"
    out.field("kind", kind, kinds)
    out.field("date", booking.booked_for if booking is not None else today, "the day it was held")
    out.field(
        "time",
        booking.start_time if booking is not None else None,
        'when it began, HH:MM in quotes ("10:00"); may stay empty',
    )
    out.field("venue", booking.venue if booking is not None else None, "where it was held; may stay empty")
    out.field("virtual", booking.virtual if booking is not None else False, "true if it was held online")
    if booking is not None:
        out.field("chair", chair.ref if chair else None, "who chaired it, as booked")
    else:
        out.field("chair", me.ref if me else None, "who chaired it: you" if me else "who chaired it (a reference)")
    if not review:
        out.field("strategy_discussion", None, "the day of the strategy discussion, if there was one")
        if state.jurisdiction == "england":
            out.field(
                "s47_start",
                None,
                "the day the section 47 enquiry began (the census counts from it); empty links the enquiry "
                "recorded with `cpctl child enquiry`",
            )
    out.field(
        "attendance",
        None,
        "the case's people: attended, apologies, report (sent one) or not-invited (reason: why); add others from "
        "the list at the end",
    )
    invitees = [ref for ref in everyone if chair is None or ref != chair.ref]
    if booking is not None:  # those the booking invited, in its order
        invitees = [p.ref for p, _ in invited if chair is None or p.ref != chair.ref]
    for ref in invitees:
        out.lines.append(f"  - {_flow({'person': ref, 'status': 'attended'})}  # {_plain(everyone[ref])}")
    if not invitees:
        out.lines[-1] = out.lines[-1].replace("attendance:", "attendance: []", 1)
    out.field(
        "inquorate_reason",
        None,
        f"only when fewer than {rules.min_agencies} agencies took part: why it went ahead",
    )
    out.field(
        "discussion",
        None,
        "the chair's summary of the discussion and the analysis of risk, for the record; several lines after `|`",
    )
    out.comment(
        "participation, how each child took part (Standard Safeguarding Dataset codes): "
        + "; ".join(f"{code} {meaning}" for code, meaning in participation.CODES.items())
    )
    categories = ", ".join(f"{code} ({label})" for code, label in rules.categories.items() if code != rules.several)
    if rules.several:  # England: name each kind; two or more are returned to the census as MUL
        categories += f"; name each kind, two or more for {rules.several} ({rules.categories[rules.several]})"
    elif rules.single_category:
        categories += ": one only"
    outcomes = "plan-continues, plan-changes or plan-ends" if review else "plan-starts or not-needed"
    out.field("decisions", None, "one per child")
    for child in found:
        content = contents[child.ref]
        core = list(content.core_group) or [ref for ref in everyone if ref != (chair.ref if chair else None)]
        out.field("child", child.ref, child.full_name, indent=4, first="  - ")
        out.field("outcome", "plan-continues" if review else "plan-starts", outcomes, indent=4)
        out.field("categories", kept[child.ref], categories, indent=4)
        out.field("lead_worker", lead_refs[child.ref], "the lead social worker, by reference", indent=4)
        out.field("core_group", core, "the core group's members, by reference", indent=4)
        out.field("evidence", [], f"the evidence of significant harm ({ITEM})", indent=4)
        out.field("child_views", [], "the child's wishes and feelings", indent=4)
        young = participation.under_four(child.date_of_birth, today)
        out.field(
            "participation",
            participation.UNDER_FOUR if young else None,
            "under 4 on the day" if young else "how the child took part: PN1 to PN7 (the list above)",
            indent=4,
        )
        out.field("parent_views", [], "the parents' views", indent=4)
        out.field("dissent", [], "each: {who: ..., reason: ...}", indent=4)
        out.field("not_discussed_with", [], "each: {who: ..., why: ...}: whom the plan was not shared with", indent=4)
        out.field(
            "interpreter",
            {"needed": child.interpreter_needed}
            | ({"language": child.preferred_language} if child.interpreter_needed else {}),
            "needed: true, language: ...",
            indent=4,
        )
        out.field("cultural_needs", child.culture_religion, "culture, religion, anything to respect", indent=4)
        if review:
            out.field("end_reason", None, "with plan-ends: why the plan ends", indent=4)
            out.field("step_down", None, "with plan-ends: the support that follows", indent=4)
        note = "the plan as it stands: change what the review changed" if review else "the outline plan"
        out.field("plan", None, note, indent=4)
        plan_fields(out, content, indent=6)
        out.field("save_as_draft", False, "true: save an incomplete plan as a draft, with its gaps recorded", indent=4)
    case_block(out, session, found, everyone, others=True)
    if review:
        rows = [("Next review conference", "later-review")]
    else:
        first_review = "pre-birth-review" if unborn else "first-review"
        rows = [("First core group", "first-core-group"), ("First review conference", first_review)]
        if not unborn:
            rows.append(("Child seen", "child-seen"))
    on = booking.booked_for if booking is not None else today
    schedule_block(out, profile, on, rows, "conference", rules.kind_name(kind).lower())
    return Editable(out.text(), "conference", children=[c.ref for c in found])


# -- plan edit -----------------------------------------------------------------------------------------------
def plan(session: Session, child_key: str) -> Editable:
    """The child's plan in force, to revise as a new version."""
    from cpctl.casework import revision

    child = people.find_child(session, child_key)
    plan_row = revision.active_plan_of(session, child)
    row = plans.version(session, plan_row)
    content = plans.content_of(row) if row is not None else plans.PlanContent()
    lead = session.get(Person, plan_row.lead_worker_id) if plan_row.lead_worker_id else None
    everyone = case_people(session, [child], lead, *_people_by_ref(session, content.core_group))
    out = Lines()
    number = row.number if row is not None else 0
    _header(out, "plan edit", f"plan {plan_row.number} for {child.full_name} ({child.ref}), version {number}.")
    out.comment("Saving adds a new version; nothing is overwritten. Removing an action or seeing it less often is a")
    out.comment("significant change: say who agreed it (agreed_by, e.g. the review conference), or use --agreed-by.")
    out.blank()
    plan_fields(out, content, indent=0)
    out.field("agreed_by", None, "only for a significant change: who agreed it", indent=0)
    case_block(out, session, [child], everyone)
    _open_deadlines(out, session, child)
    return Editable(out.text(), "plan", based_on=number, children=[child.ref])


def _open_deadlines(out: Lines, session: Session, child: Child) -> None:
    rows = session.exec(
        select(Deadline).where(Deadline.child_id == child.id, Deadline.status == "open").order_by(col(Deadline.due_on))
    ).all()
    if not rows:
        return
    out.blank()
    out.comment("Deadlines open now (a new version changes only the child-seen one, by the plan's arrangement):")
    for row in rows:
        out.comment(f"  {schedule.label(row.kind)}: due {british(row.due_on)}")


# -- core-group record ------------------------------------------------------------------------------------------
def core_group(session: Session, child_key: str, *, today: date | None = None) -> Editable:
    """A core group today: its members invited, one progress entry for each of the plan's actions."""
    from cpctl.casework import revision

    today = today or date.today()
    child = people.find_child(session, child_key)
    plan_row = revision.active_plan_of(session, child)
    row = plans.version(session, plan_row)
    content = plans.content_of(row) if row is not None else plans.PlanContent()
    latest = progress.latest_progress(session, plan_row)
    lead = session.get(Person, plan_row.lead_worker_id) if plan_row.lead_worker_id else None
    members = _people_by_ref(session, content.core_group)
    everyone = case_people(session, [child], lead, *members)
    profile = schedule.load_profile(session)
    out = Lines()
    _header(out, "core-group record", f"a core group for {child.full_name} ({child.ref}), plan {plan_row.number}.")
    out.field("child", child.ref, child.full_name)
    out.field("date", today, "the day it was held")
    out.field("attendance", None, "the core group: attended, apologies, report or not-invited (reason: why)")
    attending = list(content.core_group) or ([lead.ref] if lead else [])
    for ref in attending:
        out.lines.append(f"  - {_flow({'person': ref, 'status': 'attended'})}  # {_plain(everyone.get(ref, ''))}")
    if not attending:
        out.lines[-1] = out.lines[-1].replace("attendance:", "attendance: []", 1)
    statuses = "done, on-track, some-concern, not-started or no-longer-needed"
    out.field("progress", None, f"each action's progress: {statuses}; note: what was said")
    for action in content.actions:
        last = latest.get(action.id or "")
        status = last["status"] if last else "not-started"
        said = f"; last recorded {last['status']} on {last['recorded_on']}" if last else "; no progress recorded yet"
        entry = _flow({"action": action.id, "status": status, "note": None}).replace("note: null", "note: ")
        out.lines.append(f"  - {entry}  # {_plain(action.what)[:60]}{said}")
    if not content.actions:
        out.lines[-1] = out.lines[-1].replace("progress:", "progress: []", 1)
    out.field("parent_views", [], f"the parents' views ({ITEM})")
    out.field("child_views", [], "the child's wishes and feelings")
    out.field("notes", [], "anything else the meeting noted")
    out.field("new_actions", [], "actions added: what, why, who, start, frequency, length, outcome, by, measure")
    out.field("changed_actions", [], "fields of existing actions to change: {id: A1, by: 2027-03-01}")
    out.field("removed_actions", [], "ids of actions to remove (a significant change: give agreed_by)")
    out.field("agreed_by", None, "only for a significant change: who agreed it")
    out.field("next_meeting", None, "the date of the next meeting, if set")
    out.field("sent_on", None, "when the revised plan and minutes went out (or later: `cpctl core-group sent`)")
    out.field("save_as_draft", False, "true: save an incomplete revised plan as a draft")
    out.field("based_on", row.number if row is not None else None, "the plan version this was written against")
    out.blank()
    out.comment("The plan's actions as they stand:")
    for action in content.actions:
        who = everyone.get(action.who or "", action.who or "no one named")
        out.comment(f"  {action.id}  {action.what}; who: {who}; {action.frequency or 'no frequency'}")
    case_block(out, session, [child], everyone)
    rows = [("Next core group", "core-group-cycle"), ("Revised plan and minutes sent out", "plan-circulated")]
    schedule_block(out, profile, today, rows, "core group")
    return Editable(out.text(), "core-group", based_on=row.number if row is not None else None, children=[child.ref])


# -- visit record ------------------------------------------------------------------------------------------------
def visit(session: Session, child_key: str, *, today: date | None = None) -> Editable:
    """A visit today by the lead worker of the plan in force (or you, with no plan)."""
    today = today or date.today()
    child = people.find_child(session, child_key)
    plan_row = plans.active_plan(session, child)
    lead = session.get(Person, plan_row.lead_worker_id) if plan_row and plan_row.lead_worker_id else None
    me = settings.current_user_person(session)
    visitor = lead or me
    row = plans.version(session, plan_row) if plan_row is not None else None
    members = _people_by_ref(session, plans.content_of(row).core_group) if row is not None else []
    everyone = case_people(session, [child], lead, *members, me)
    profile = schedule.load_profile(session)
    out = Lines()
    _header(out, "visit record", f"a visit to {child.full_name} ({child.ref}).")
    out.field("child", child.ref, child.full_name)
    out.field("date", today, "the day of the visit")
    who = "the lead worker" if lead is not None else "you"
    out.field("visitor", visitor.ref if visitor else None, f"who visited, by reference: {who} unless changed")
    out.field("announced", True, "false for an unannounced visit")
    out.field("seen_alone", False, "true if the child was seen alone")
    out.field("bedroom_seen", False, "true if the child's bedroom was seen")
    out.field("notes", [], f"what was seen and said ({ITEM})")
    case_block(out, session, [child], everyone)
    schedule_block(out, profile, today, [("Child next seen", "child-seen")], "visit")
    if plan_row is not None:
        out.comment("(sooner where the plan's own arrangement for seeing the child says so)")
    return Editable(out.text(), "visit", children=[child.ref])
