"""A synthetic authority, or a whole nation, at scale: for benchmarks and tests. Every name here is invented.

`build()` writes what cpctl's own commands would have written over the years: conferences with their attendance
and one decision per child, plans and their versions (valid `PlanContent`), core groups, visits, the case
events, the deadlines `schedule.compute` derives from them, an audit entry for every change with a valid hash
chain, and the profile's fingerprint. It follows DOMAIN.md "Scale": siblings share their conferences; initial
categories neglect 50%, emotional 36%, physical 7%, sexual 4%, multiple 3%; plan lengths of the plans ending
in 2024-25; a fifth of the children on a plan had an earlier one; and the plans that ended in the last three
months, at England's rate of 62,000 a year for 50,000 on a plan (`ended_months` goes further back: a whole
year's makes the 50,000-child store half as big again, and as much slower to build).

Rows go in with executemany, in one transaction, so that 50,000 children take a minute or two.
It writes SQLite stores only (the bulk statements use SQLite's placeholders).
The figures, the invented names and the plan templates are in `cpctl.demo.synthetic_content`; the tables'
rows and the loading in bulk in `cpctl.demo.synthetic_rows`; what England's census needs (teams, the children's
census items, referrals and section 47 enquiries) in `cpctl.demo.synthetic_census`.
"""

from __future__ import annotations

import gc
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

from cpctl.casework import schedule, users
from cpctl.demo.synthetic_census import SYNTHETIC_LEA, CensusItems
from cpctl.demo.synthetic_content import (
    _HEALTH,
    _SCHOOL,
    _WORKER,
    AGES,
    AUTHORITY,
    CATEGORIES,
    CHILDREN_PER_CHAIR,
    CHILDREN_PER_WORKER,
    CHILDRENS_SERVICES,
    ENDED_MONTHS,
    ENDED_PER_ACTIVE,
    FAMILY_SIZES,
    GIVEN,
    HEALTH,
    LANGUAGES,
    PLAN_LENGTHS,
    POLICE,
    SAFEGUARDING_UNIT,
    SCHOOL,
    SEEN,
    SURNAMES,
    _months_after,
    _Templates,
    _Weighted,
)
from cpctl.demo.synthetic_rows import _flag, _iso, _loading, _Writer
from cpctl.errors import CpctlError
from cpctl.store import audit
from cpctl.store.database import Store
from cpctl.store.models import Child


# -- what `schedule.compute` reads, without the cost of ORM objects ------------------------------------------
class _Child(NamedTuple):
    id: int
    date_of_birth: date | None


class _Plan(NamedTuple):
    id: int
    start_conference_id: int
    end_conference_id: int | None
    pre_birth: bool
    ended_on: date | None
    lead_worker_id: int


class _Event(NamedTuple):
    id: int
    child_id: int
    plan_id: int | None
    kind: str
    detail: str | None
    happened_on: date
    conference_id: int | None


@dataclass
class Summary:
    """What `build()` wrote."""

    children_on_plans: int = 0
    children: int = 0
    plans: int = 0
    ended_plans: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def _weekday(day: date) -> date:
    """The day itself, or the Monday after a weekend (conferences and core groups meet on weekdays)."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _same_case(a: _Member, b: _Member, chairs: dict[int, int]) -> bool:
    """Whether two siblings' deadlines must be the same but for ids: the same plans, workers and chairs, and the
    same events on the same days, both children born before any of it (a birth moves a pre-birth plan's dates)."""
    if a.born is None or b.born is None or not a.events or len(a.events) != len(b.events):
        return False
    if max(a.born, b.born) > min(e.happened_on for e in a.events) or len(a.plans) != len(b.plans):
        return False
    plans = {}
    for x, y in zip(a.plans, b.plans, strict=True):
        if x[1:] != y[1:] or chairs.get(x.id) != chairs.get(y.id):
            return False
        plans[x.id] = y.id
    return all(
        (x.kind, x.detail, x.happened_on, x.conference_id, plans.get(x.plan_id) if x.plan_id else None)
        == (y.kind, y.detail, y.happened_on, y.conference_id, y.plan_id)
        for x, y in zip(a.events, b.events, strict=True)
    )


# -- the generator --------------------------------------------------------------------------------------------
class _Person(NamedTuple):
    id: int
    ref: str
    name: str
    role: str
    agency: str | None


@dataclass
class _Member:
    """A child of a family on a case."""

    id: int
    ref: str
    born: date | None
    language: str | None
    culture: str | None
    events: list[_Event] = field(default_factory=list)
    plans: list[_Plan] = field(default_factory=list)
    episodes: list[list[Any]] = field(default_factory=list)  # cin_episode rows, written when the family is done

    @property
    def episode_open(self) -> bool:
        """A child in need episode is open: a later plan belongs to it."""
        return bool(self.episodes) and self.episodes[-1][5] is None


class _Generator:
    def __init__(self, writer: _Writer, profile: Any, today: date, seed: int) -> None:
        self.w = writer
        self.profile = profile
        self.today = today
        self.rng = random.Random(seed)
        self.templates = _Templates()
        self.memo = schedule.Memo()
        self.category = _Weighted(self.rng, CATEGORIES)
        self.length = _Weighted(self.rng, PLAN_LENGTHS)
        # A child on a plan today is more likely to be on a long plan: sample lengths weighted by length.
        self.active_length = _Weighted(self.rng, tuple((lo, hi, share * (lo + hi)) for lo, hi, share in PLAN_LENGTHS))
        self.age = _Weighted(self.rng, AGES)
        self.staff: dict[str, list[_Person]] = {}
        self.summary = Summary()
        self.cin = CensusItems(writer, today, seed)

    # -- people -------------------------------------------------------------------------------------------
    def person(self, name: str, kind: str, role: str, agency: str | None, on: date, language: str | None = None):
        person_id = self.w.new_id("person")
        ref = f"P{person_id:05d}"
        email = f"{name.lower().replace(' ', '.')}.{person_id}@example.org" if kind == "professional" else None
        self.w.add("person", (person_id, ref, name, kind, role, agency, email, None, None, language))
        record = {
            "ref": ref,
            "name": name,
            "kind": kind,
            "role": role,
            "agency": agency,
            "email": email,
            "phone": None,
            "address": None,
            "preferred_language": language,
        }
        self.w.audit(on, "person.add", "person", ref, f"person {ref} added", record)
        return _Person(person_id, ref, name, role, agency)

    def hire(self, children: int, user: _Person) -> None:
        """The professionals: lead social workers, chairs, health visitors, teachers and police officers. The store's
        own user is one of the chairs, with a chair's usual list (about 100 children)."""
        on = self.today - timedelta(days=5 * 365)
        for key, role, agency, per in (
            ("worker", "Lead social worker", CHILDRENS_SERVICES, CHILDREN_PER_WORKER),
            ("chair", "Conference chair", SAFEGUARDING_UNIT, CHILDREN_PER_CHAIR),
            ("health", "Health visitor", HEALTH, 40),
            ("school", "Designated safeguarding lead", SCHOOL, 30),
            ("police", "Police officer", POLICE, 200),
        ):
            count = max(2, -(-children // per))
            names = (f"{self.rng.choice(GIVEN)} {self.rng.choice(SURNAMES)}" for _ in range(count))
            self.staff[key] = [self.person(name, "professional", role, agency, on) for name in names]
        self.staff["chair"][0] = user
        self.cin.hire_teams(on, children)

    def pick(self, key: str) -> _Person:
        return self.rng.choice(self.staff[key])

    # -- families -------------------------------------------------------------------------------------------
    def family(self, size: int, plans: list[tuple[date, date | None]]) -> None:
        """One family: siblings and parents, a plan for each sibling in each period of `plans`, and deadlines."""
        rng, w = self.rng, self.w
        first = plans[0][0]
        on = first - timedelta(days=rng.randint(20, 40))
        surname = rng.choice(SURNAMES)
        family_id = w.new_id("family")
        family_name = f"{surname} household {family_id}"
        w.add("family", (family_id, family_name))
        w.audit(on, "family.add", "family", str(family_id), f"family {family_id} added", {"name": family_name})
        language = rng.choice(LANGUAGES) if rng.random() < 0.06 else None
        culture = "Practising Muslim family; avoid appointments during Eid." if rng.random() < 0.05 else None
        pre_birth = size == 1 and len(plans) == 1 and rng.random() < 0.04
        eldest = rng.randint(*self.age.draw())
        team_id, team_name, ethnicity = self.cin.family()
        members: list[_Member] = []
        for index in range(size):
            child_id = w.new_id("child")
            ref = f"C{child_id:05d}"
            if pre_birth:
                born: date | None = first + timedelta(days=rng.randint(14, 120))
            else:
                years = max(0, eldest - 2 * index - rng.randint(0, 1))
                born = first - timedelta(days=365 * years + rng.randint(20, 330))
            expected = None
            if born is not None and born > self.today:
                born, expected = None, born
            given, gender = rng.choice(GIVEN), (rng.choice(("girl", "boy")) if born else None)
            row = (ref, given, surname, _iso(born), _iso(expected), gender, language or "English")
            items = self.cin.items(child_id, born, gender, ethnicity)  # upn, upn_unknown, sex, ethnicity, disabilities
            census = (None, items[0], None, *items[1:], team_id)  # la_child_id, upn, former_upn, ..., team_id
            w.add("child", (child_id, *row, int(language is not None), culture, None, family_id, *census))
            record = {
                "id": ref,
                "given_name": given,
                "family_name": surname,
                "date_of_birth": _iso(born),
                "expected_date": _iso(expected),
                "unborn": born is None,
                "gender": gender,
                "preferred_language": language or "English",
                "interpreter_needed": language is not None,
                "culture_religion": culture,
                "disability": None,
                "family": family_name,
                **self.cin.record(team_name, items),
            }
            w.audit(on, "child.add", "child", ref, f"child {ref} added", record)
            members.append(_Member(child_id, ref, born, language, culture))
        parents = [self.person(f"{rng.choice(GIVEN)} {surname}", "parent", "Mother", None, on, language)]
        if rng.random() < 0.7:
            parents.append(self.person(f"{rng.choice(GIVEN)} {surname}", "parent", "Father", None, on))
        for member in members:
            for parent in parents:
                w.add("child_person", (member.id, parent.id, parent.role.lower()))
                w.audit(
                    on,
                    "person.link",
                    "child",
                    member.ref,
                    f"{parent.ref} linked to child {member.ref}",
                    f'{{"person": "{parent.ref}", "relationship": [null, "{parent.role.lower()}"]}}',
                )
        category = self.category.draw()
        seen = SEEN[1] if rng.random() < 0.2 else SEEN[0]
        chairs: dict[int, int] = {}
        for number, (start, end) in enumerate(plans, start=1):
            next_start = plans[number][0] if number < len(plans) else None
            self.case(members, parents, start, end, category, seen, chairs, number, next_start)
        self.cin.write_episodes(members)
        self.deadlines(members, chairs, self.templates.frequencies[seen])
        self.summary.children += size

    def deadlines(self, members: list[_Member], chairs: dict[int, int], frequency: tuple[int, str] | None) -> None:
        """Each child's deadlines, as `schedule.deadline_rows` gives them. A sibling whose case is the eldest's,
        event for event, gets the eldest's deadlines with its own ids (the tests recompute them all)."""
        out = self.w.rows["deadline"]
        first: list[tuple[Any, ...]] = []
        for member in members:
            if first and _same_case(members[0], member, chairs):
                plans = {a.id: b.id for a, b in zip(members[0].plans, member.plans, strict=True)}
                events = {a.id: b.id for a, b in zip(members[0].events, member.events, strict=True)}
                events[None] = None  # type: ignore[index]
                for row in first:
                    out.append((member.id, plans.get(row[1]), *row[2:7], events[row[7]], events[row[8]], *row[9:]))
                continue
            rows = [
                (
                    row["child_id"],
                    row["plan_id"],
                    row["kind"],
                    row["due_on"].isoformat(),
                    row["status"],
                    _iso(row["met_on"]),
                    _iso(row["closed_on"]),
                    row["event_id"],
                    row["met_event_id"],
                    row["worker_id"],
                    row["chair_id"],
                    row["explanation"],
                )
                for row in schedule.deadline_rows(
                    _Child(member.id, member.born),  # type: ignore[arg-type]
                    member.plans,  # type: ignore[arg-type]
                    member.events,  # type: ignore[arg-type]
                    self.profile,
                    {plan.id: frequency for plan in member.plans},
                    chairs,
                    self.memo,
                )
            ]
            out += rows
            if member is members[0]:
                first = rows

    def event(self, member: _Member, plan_id: int | None, kind: str, detail: str | None, on: date, conf: int | None):
        event_id = self.w.new_id("case_event")
        self.w.add("case_event", (event_id, member.id, plan_id, kind, detail, on.isoformat(), conf))
        member.events.append(_Event(event_id, member.id, plan_id, kind, detail, on, conf))

    def case(
        self,
        members: list[_Member],
        parents: list[_Person],
        start: date,
        end: date | None,
        category: str,
        seen: str,
        chairs: dict[int, int],
        number: int,
        next_start: date | None = None,
    ) -> None:
        """A plan for each sibling, from the conference that starts it to the one that ends it (or to today)."""
        rng, w = self.rng, self.w
        horizon = end or self.today
        worker, health, school, police = (self.pick(k) for k in ("worker", "health", "school", "police"))
        chair = self.pick("chair")
        unborn = any(m.born is None or m.born > start for m in members)
        start_kind = "pre-birth-initial" if unborn else ("transfer-in" if rng.random() < 0.03 else "initial")
        strategy = None
        if start_kind != "transfer-in" and rng.random() < 0.75:
            strategy = start - timedelta(days=rng.randint(12, 26))
        # The conferences: the initial one, a review at 3 months and then every 6 (some late), and the last one.
        held_on = [start]
        due = _months_after(start, 3)
        while True:
            late = rng.random() < 0.1
            held = _weekday(due + timedelta(days=rng.randint(1, 20) if late else -rng.randint(0, 10)))
            if held >= horizon or held <= held_on[-1]:
                break
            held_on.append(held)
            due = _months_after(held, 6)
        if end is not None:
            held_on.append(end)
        conference_ids = [w.new_id("conference") for _ in held_on]
        self.cin.episode(
            members, start, end, strategy, start_kind, (conference_ids[0], f"CF{conference_ids[0]:05d}"), next_start
        )
        core = list(dict.fromkeys([worker.ref, *(p.ref for p in parents), health.ref, school.ref]))
        refs = {_WORKER: worker.ref, _HEALTH: health.ref, _SCHOOL: school.ref}
        codes = json.dumps([category])
        plan_ids = {}
        for member in members:
            plan_id = w.new_id("plan")
            plan_ids[member.id] = plan_id
            ended = (conference_ids[-1], "child in need plan") if end is not None else (None, None)
            reason = "The worries are met and the child is no longer likely to suffer significant harm."
            w.add(
                "plan",
                (
                    plan_id,
                    member.id,
                    number,
                    start.isoformat(),
                    _iso(end),
                    conference_ids[0],
                    ended[0],
                    int(start_kind == "pre-birth-initial"),
                    codes,
                    codes,
                    worker.id,
                    reason if end is not None else None,
                    ended[1],
                ),
            )
            member.plans.append(
                _Plan(plan_id, conference_ids[0], ended[0], start_kind == "pre-birth-initial", end, worker.id)
            )
        for index, (held, conference_id) in enumerate(zip(held_on, conference_ids, strict=True)):
            if index and rng.random() < 0.05:
                chair = self.pick("chair")  # a new chair now and then
            born = all(m.born is not None and m.born <= held for m in members)
            if index == 0:
                kind = start_kind
            elif start_kind == "pre-birth-initial" and (index == 1 or not born):
                kind = "pre-birth-review"
            else:
                kind = "review"
            ends = end is not None and index == len(held_on) - 1
            outcome = "plan-starts" if index == 0 else ("plan-ends" if ends else "plan-continues")
            ref = f"CF{conference_id:05d}"
            attendance = [(p, "attended" if rng.random() < 0.8 else "apologies") for p in parents]
            attendance += [(worker, "attended"), (health, "attended")]
            attendance += [(school, "attended" if rng.random() < 0.6 else "report"), (police, "report")]
            agencies = {p.agency.lower() for p, status in attendance if status == "attended" and p.agency}
            if chair.agency:
                agencies.add(chair.agency.strip().lower())
            w.add(
                "conference",
                (
                    conference_id,
                    ref,
                    kind,
                    held.isoformat(),
                    rng.choice(("09:30", "10:00", "14:00")),
                    None if rng.random() < 0.2 else "Civic Centre (synthetic)",
                    int(rng.random() < 0.2),
                    chair.id,
                    len(agencies),
                    1,
                    None,
                    f"{held.isoformat()}T17:00:00.000000Z",
                ),
            )
            for person, status in attendance:
                w.add("conference_attendee", (conference_id, person.id, status, None, person.role, person.agency))
            for member in members:
                plan_id = plan_ids[member.id]
                chairs[plan_id] = chair.id
                version = None
                if index == 0:
                    if strategy is not None:
                        self.event(member, None, "strategy-discussion", None, strategy, None)
                    self.event(member, plan_id, "plan-start", kind, held, conference_id)
                    key = (category, seen, 0)
                    _, gaps, draft = self.templates.contents[key]
                    content = self.templates.content(key, start, core, refs)
                    version = (1, draft, gaps)
                    w.add(
                        "plan_version",
                        (
                            w.new_id("plan_version"),
                            plan_id,
                            1,
                            held.isoformat(),
                            f"{held.isoformat()}T17:00:00.000000Z",
                            "conference",
                            conference_id,
                            int(draft),
                            gaps,
                            content,
                            w.actor,
                            None,
                            0,
                            None,
                        ),
                    )
                if ends:
                    self.event(member, plan_id, "plan-end", "child in need plan", held, conference_id)
                self.event(member, plan_id, "conference", kind, held, conference_id)
                categories = "[]" if ends else codes
                w.add(
                    "decision",
                    (
                        w.new_id("decision"),
                        conference_id,
                        member.id,
                        outcome,
                        categories,
                        plan_id,
                        None if ends else worker.id,
                        self.templates.details(category, outcome, member.language, member.culture),
                    ),
                )
                w.audit(
                    held,
                    "decision.add",
                    "child",
                    member.ref,
                    f"{outcome} for child {member.ref} at {ref}",
                    {
                        "child": member.ref,
                        "outcome": outcome,
                        "categories": json.loads(categories),
                        "plan": number,
                        "version": version[0] if version else None,
                        "draft": bool(version[1]) if version else False,
                        "gaps": json.loads(version[2]) if version else [],
                    },
                )
            w.audit(
                held,
                "conference.add",
                "conference",
                ref,
                f"{kind} conference {ref} on {held.isoformat()} recorded",
                {
                    "kind": kind,
                    "date": held.isoformat(),
                    "chair": chair.ref,
                    "children": [m.ref for m in members],
                    "quorate": True,
                    "attendance": {p.ref: status for p, status in attendance},
                },
            )
        self.core_groups(members, plan_ids, start, horizon, end is None, category, seen, core, refs, number)
        self.visits(members, plan_ids, start, horizon, seen, worker)
        self.summary.plans += len(members)
        if end is None:
            self.summary.children_on_plans += len(members)
        else:
            self.summary.ended_plans += len(members)

    def core_groups(
        self,
        members: list[_Member],
        plan_ids: dict[int, int],
        start: date,
        horizon: date,
        open_plan: bool,
        category: str,
        seen: str,
        core: list[str],
        refs: dict[str, str],
        number: int,
    ) -> None:
        """The first core group within about 10 working days, then one every 4 to 6 weeks (a few late)."""
        rng, w = self.rng, self.w
        held_on: list[date] = []
        day = _weekday(start + timedelta(days=rng.randint(4, 13) if rng.random() < 0.85 else rng.randint(14, 24)))
        while day < horizon:
            held_on.append(day)
            day = _weekday(day + timedelta(days=rng.randint(28, 42) if rng.random() < 0.9 else rng.randint(43, 56)))
        versions_at = {0: 1, 3: 2, 6: 3}  # which meetings revise the plan, to which stage
        statuses = ("done", "on-track", "on-track", "some-concern", "not-started")
        views = (
            '[{"text":"The parents say things are calmer at home.","private":false}]',
            '[{"text":"The child likes breakfast club.","private":false}]',
            "[]",
        )
        version = 1
        for index, held in enumerate(held_on):
            # Siblings' core groups meet together: the same people, progress and minutes for each child.
            on = held.isoformat()
            sent = held + timedelta(days=rng.randint(1, 7))
            if sent > horizon or (open_plan and rng.random() < 0.05):
                sent = None
            following = held_on[index + 1] if index + 1 < len(held_on) else held + timedelta(days=42)
            came = [(ref, "attended" if rng.random() < 0.85 else "apologies") for ref in core]
            progress = [(action, rng.choice(statuses)) for action in (("A1", "A2", "A3") if index else ())]
            # The JSON texts coregroup.record and audit.record make (the tests read them back).
            attendance = ", ".join(f'{{"person": "{r}", "status": "{st}", "reason": null}}' for r, st in came)
            recorded = ", ".join(f'"{a}": {{"status": "{st}", "note": null}}' for a, st in progress)
            sent_text = f'"{sent.isoformat()}"' if sent else "null"
            audited = ", ".join(f'{{"person": "{r}", "reason": null, "status": "{st}"}}' for r, st in came)
            statuses_now = ", ".join(f'"{a}": "{st}"' for a, st in progress)
            stage = versions_at.get(index)
            if stage is not None:
                version += 1
                key = (category, seen, stage)
                _, gaps, draft = self.templates.contents[key]
                content = self.templates.content(key, start, core, refs)
                changes = self.templates.changes[key]
                for token, ref in refs.items():
                    changes = [line.replace(token, ref) for line in changes]
            for member in members:
                plan_id = plan_ids[member.id]
                meeting_id = w.new_id("core_group_meeting")
                w.add(
                    "core_group_meeting",
                    (
                        meeting_id,
                        member.id,
                        plan_id,
                        on,
                        f"[{attendance}]",
                        f"{{{recorded}}}",
                        *views,
                        following.isoformat(),
                        _iso(sent),
                        f"{on}T17:00:00.000000Z",
                    ),
                )
                revised = None
                if stage is not None:
                    revised = version
                    w.add(
                        "plan_version",
                        (
                            w.new_id("plan_version"),
                            plan_id,
                            version,
                            on,
                            f"{on}T17:00:00.000000Z",
                            "core-group",
                            None,
                            int(draft),
                            gaps,
                            content,
                            w.actor,
                            meeting_id,
                            0,
                            None,
                        ),
                    )
                    w.audit(
                        held,
                        "plan.revise",
                        "child",
                        member.ref,
                        f"plan {number} of child {member.ref}: version {version} (core-group)",
                        {"version": version, "changes": changes, "significant": [], "agreed_by": None},
                    )
                self.event(member, plan_id, "core-group", None, held, None)
                if sent is not None:
                    self.event(member, plan_id, "plan-circulated", None, sent, None)
                w.audit(
                    held,
                    "core-group.add",
                    "child",
                    member.ref,
                    f"core group for child {member.ref} on {on} recorded",
                    f'{{"attendance": [{audited}], "date": "{on}", "progress": {{{statuses_now}}}, '
                    f'"sent_on": {sent_text}, '
                    f'"version": {"null" if revised is None else revised}}}',
                )

    def visits(
        self, members: list[_Member], plan_ids: dict[int, int], start: date, horizon: date, seen: str, worker: _Person
    ) -> None:
        """Home visits to the household: every 4 to 8 days for a weekly plan, else every 10 to 15 (a few late)."""
        rng, w = self.rng, self.w
        weekly = seen == SEEN[1]
        day = start + timedelta(days=rng.randint(2, 9))
        notes = '[{"text":"Home warm; food in the cupboards.","private":false}]'
        visits, events, audit_entry = w.rows["visit"], w.rows["case_event"], w.audit
        visit_ids, event_ids = w.ids["visit"], w.ids["case_event"]
        while day <= horizon and day <= self.today:
            visitor = worker if rng.random() < 0.85 else self.pick("worker")
            announced, bedroom = rng.random() < 0.7, rng.random() < 0.3
            on = day.isoformat()
            for member in members:
                if member.born is None or day < member.born:
                    continue  # an unborn baby is not visited
                alone = rng.random() < 0.6 and (day - member.born).days > 4 * 365
                plan_id = plan_ids[member.id]
                row = (
                    plan_id,
                    on,
                    visitor.id,
                    int(announced),
                    int(alone),
                    int(bedroom),
                    notes,
                    f"{on}T17:00:00.000000Z",
                )
                visits.append((next(visit_ids), member.id, *row))
                event_id = next(event_ids)
                events.append((event_id, member.id, plan_id, "visit", None, on, None))
                member.events.append(_Event(event_id, member.id, plan_id, "visit", None, day, None))
                audit_entry(
                    day,
                    "visit.add",
                    "child",
                    member.ref,
                    f"visit to child {member.ref} on {on}",
                    f'{{"announced": {_flag(announced)}, "bedroom_seen": {_flag(bedroom)}, "date": "{on}", '
                    f'"seen_alone": {_flag(alone)}, "visitor": "{visitor.ref}"}}',
                )
            gap = rng.randint(4, 8) if weekly else rng.randint(10, 15)
            if rng.random() < 0.06:
                gap += rng.randint(7, 14)
            day += timedelta(days=gap)

    # -- the whole population -------------------------------------------------------------------------------
    def periods(self, ended: bool, months: int) -> list[tuple[date, date | None]]:
        """When one family's plans ran: one that ended in the last `months`, or one in force (a fifth of them
        after an earlier one)."""
        rng = self.rng
        if ended:
            length = rng.randint(*self.length.draw())
            end = _weekday(self.today - timedelta(days=rng.randint(7, max(7, round(months * 30.44)))))
            if end > self.today:
                end -= timedelta(days=7)
            return [(_weekday(end - timedelta(days=length)), end)]
        length = rng.randint(*self.active_length.draw())
        start = _weekday(self.today - timedelta(days=max(1, int(length * rng.random()))))
        if start > self.today:
            start -= timedelta(days=7)
        if rng.random() < 0.2:
            previous_end = _weekday(start - timedelta(days=rng.randint(90, 540)))
            previous_start = _weekday(previous_end - timedelta(days=rng.randint(*self.length.draw())))
            return [(previous_start, previous_end), (start, None)]
        return [(start, None)]


def families(children: int, ended: int, rng: random.Random) -> Iterator[tuple[int, bool]]:
    """(size, ended) for each family: enough to put `children` on plans today, then the plans that ended."""
    sizes = _Weighted(rng, FAMILY_SIZES)
    for target, ended_now in ((children, False), (ended, True)):
        made = 0
        while made < target:
            size = min(sizes.draw(), target - made)
            made += size
            yield size, ended_now


def build(
    store: Store,
    *,
    children: int,
    today: date | None = None,
    seed: int = 2025,
    ended_months: int = ENDED_MONTHS,
    chair_name: str = "Alex Morgan",
    progress: Callable[[int, int], None] | None = None,
    children_per_transaction: int | None = None,
) -> Summary:
    """Fill a new store with `children` children on plans today, their history, and the plans that ended in the
    last `ended_months` (62 a year for every 50 on a plan). The same seed and day give the same store.

    The store must be a new SQLite file that nothing else has open: the rows go in through a connection of the
    generator's own, set up for loading (see `_loading`), in one transaction unless `children_per_transaction`
    says otherwise (a transaction that follows another journals every page it changes, and the audit chain's
    index changes pages all over). If the build fails, delete the file.
    """
    from sqlmodel import select

    today = today or date.today()
    if children < 1:
        raise CpctlError("give the number of children on plans: 1 or more.")
    if store.path is None:
        raise CpctlError("the synthetic generator writes SQLite stores; give it a file with --db PATH.")
    with store.write() as session:
        if session.exec(select(Child.id).limit(1)).first() is not None:
            raise CpctlError("that store already holds children; give the generator a new file with --db PATH.")
        me = users.initialise(session, authority=AUTHORITY, jurisdiction="england", name=chair_name, role="chair")
        users.set_census_lea(session, SYNTHETIC_LEA)
        user = _Person(me.id or 0, me.ref, me.name, me.role or "", me.agency)
        profile = schedule.load_profile(session)
        actor = audit.current_actor(session)
    store.dispose()
    collecting = gc.isenabled()
    gc.disable()  # millions of young tuples and no cycles: the collector would only slow the build down
    try:
        with _loading(store.path) as connection:
            writer = _Writer(connection, actor)
            generator = _Generator(writer, profile, today, seed)
            ended = round(children * ENDED_PER_ACTIVE * ended_months / 12)
            plan = list(families(children, ended, random.Random(seed + 1)))
            total, done, position = sum(size for size, _ in plan), 0, 0
            per_transaction = children_per_transaction or total
            reported = 0
            while position < len(plan):
                connection.execute("BEGIN IMMEDIATE")
                try:
                    if position == 0:
                        generator.hire(children, user)
                    in_transaction = 0
                    while position < len(plan) and in_transaction < per_transaction:
                        size, ended_now = plan[position]
                        generator.family(size, generator.periods(ended_now, ended_months))
                        position += 1
                        in_transaction += size
                        done += size
                        if writer.pending() > 25_000:
                            writer.flush()
                        if progress is not None and done - reported >= 10_000:
                            progress(done, total)
                            reported = done
                    writer.flush()
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
            if progress is not None:
                progress(done, total)
            connection.execute(
                "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (schedule.FINGERPRINT_KEY, schedule.fingerprint(profile)),
            )
    finally:
        if collecting:
            gc.enable()
    generator.summary.rows = dict(writer.counts)
    return generator.summary
