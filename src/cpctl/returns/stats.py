"""The authority's indicators over a period (`cpctl stats`) and over a year ending 31 March (the annual report).

Read from the store in a handful of queries whatever its size (tests/test_stats.py counts them): the plans that
overlap the period, the initial conferences in it with their strategy discussions and section 47 enquiries, the
chair's quality checks, and the stored deadlines, tallied by the database itself (a 50,000-child store holds
millions of them). Each figure is then counted in Python, per period and per group.

How each indicator is counted (README "The authority's numbers" says the same for a chair):
- the timeliness of reviews, first core groups and visits is read from the stored `deadline` rows, the ones
  `cpctl due` shows: each deadline due in the period that was met (on time when met on or before its date), or
  that was missed (still open after its date). A deadline closed because the plan ended first is not counted;
- initial conferences are worked out here, because their stored deadline counts from any starting conference:
  each initial (or pre-birth initial) conference in the period, for each child, against the profile's rule from
  the strategy discussion before it, and, where the profile names the measure (England), against 15 working
  days from the section 47 start with the start as day 1 (the DfE's InitialCPCtarget);
- plan lengths in calendar months, clamped to the month's end (as the rules count months).
"""

from __future__ import annotations

import bisect
import calendar as month_calendar
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from cpctl.errors import Invalid, NotFound
from cpctl.returns.figures import Breakdown, Figures, Indicator, NationalFigure, Year
from cpctl.rules.profile_files import COUNT_INDICATORS, PERCENT_INDICATORS

if TYPE_CHECKING:
    from sqlmodel import Session

    from cpctl.rules.profile import Profile

GROUPINGS = ("chair", "team", "worker")
NO_GROUP = {"chair": "(no chair)", "team": "(no team)", "worker": "(no lead worker)"}
INITIAL_KINDS = ("initial", "pre-birth-initial")
STARTING_KINDS = ("initial", "pre-birth-initial", "transfer-in")
# The stored deadlines each timeliness indicator counts.
DEADLINE_KINDS = {
    "first-review": "review-timely",
    "review": "review-timely",
    "first-core-group": "first-core-group-timely",
    "child-seen": "child-seen-timely",
}
LENGTH_BANDS = ("under 3 months", "3 to 6 months", "6 to 12 months", "1 to 2 years", "2 years or more")
S47_DAYS = 15  # the DfE's InitialCPCtarget: 15 working days from the section 47 start, the start as day 1
PERCENT_KEYS = PERCENT_INDICATORS
COUNT_KEYS = COUNT_INDICATORS


# -- what is counted, per period and group -----------------------------------------------------------------------
@dataclass
class _Tally:
    ratios: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    counts: Counter[str] = field(default_factory=Counter)
    lengths: Counter[str] = field(default_factory=Counter)  # open plans by length, at the period's end
    categories: Counter[str] = field(default_factory=Counter)  # initial categories of plans started
    left_out: Counter[str] = field(default_factory=Counter)  # conferences with no start recorded, per measure

    def ratio(self, key: str, hit: bool) -> None:
        pair = self.ratios[key]
        pair[0] += hit
        pair[1] += 1


# A plan as counted: id, child_id, number, started_on, ended_on, initial categories (JSON), lead worker.
_PlanRow = tuple[int, int, int, date, "date | None", str, "int | None"]


class _Periods:
    """Contiguous, sorted, disjoint periods: which one a day falls in."""

    def __init__(self, periods: Sequence[tuple[date, date]]) -> None:
        self.periods = list(periods)
        self.starts = [start for start, _ in periods]
        self.ends = [end for _, end in periods]

    @property
    def first(self) -> date:
        return self.starts[0]

    @property
    def last(self) -> date:
        return self.ends[-1]

    def index(self, day: date | None) -> int | None:
        if day is None or day < self.first or day > self.last:
            return None
        if len(self.starts) == 1:
            return 0
        return bisect.bisect_right(self.starts, day) - 1


# -- the public functions ----------------------------------------------------------------------------------------
def compute(
    session: Session,
    profile: Profile,
    start: date,
    end: date,
    *,
    authority: str,
    jurisdiction: str,
    by: str | None = None,
    today: date | None = None,
) -> list[Figures]:
    """The indicators from `start` to `end` (both counted): one Figures for the whole store when `by` is None,
    else one per chair, team or lead worker (`by`), in name order, which add up to the whole."""
    check_period(start, end)
    if by is not None and by not in GROUPINGS:
        raise Invalid(f"group by {' , '.join(GROUPINGS)}, not {by!r}.")
    tallies, names = _tallies(session, profile, _Periods([(start, end)]), by, today or date.today())
    shape = _Shape(profile, start, end, authority, jurisdiction)
    if by is None:
        return [shape.figures(tallies.get((0, None), _Tally()))]
    groups = sorted({group for _, group in tallies}, key=lambda g: (g is None, names.get(g, "").lower()))
    return [shape.figures(tallies[(0, group)], by=by, group=names.get(group) or NO_GROUP[by]) for group in groups]


def year(
    session: Session,
    profile: Profile,
    year: int,
    *,
    authority: str,
    jurisdiction: str,
    by: str | None = None,
    today: date | None = None,
) -> Year:
    """The year ending 31 March `year`: the whole year, each month April to March, and (`by`) each group's year.

    A year not over yet stops at `today`: its last month is partial and the months after it are left out, so that
    no figure counts days that have not happened."""
    if not 1900 < year < 3000:
        raise Invalid(f"{year} is not a year: give one like 2026 (the year ending 31 March 2026).")
    today = today or date.today()
    first, last = date(year - 1, 4, 1), min(date(year, 3, 31), today)
    if last < first:
        raise Invalid(f"the year ending 31 March {year} has not started yet.")
    months = []
    day = first
    while day <= last:
        month_end = date(day.year, day.month, month_calendar.monthrange(day.year, day.month)[1])
        months.append((day, min(month_end, last)))
        day = month_end + timedelta(days=1)
    tallies, _ = _tallies(session, profile, _Periods(months), None, today)
    whole = _Tally()
    for index in range(len(months)):
        _add(whole, tallies.get((index, None), _Tally()), last=index == len(months) - 1)
    shape = _Shape(profile, first, last, authority, jurisdiction)
    groups: tuple[Figures, ...] = ()
    if by is not None:
        groups = tuple(
            compute(session, profile, first, last, authority=authority, jurisdiction=jurisdiction, by=by, today=today)
        )
    return Year(
        label=f"{year - 1}-{str(year)[-2:]}",
        whole=shape.figures(whole),
        months=tuple(
            replace(shape, start=s, end=e).figures(tallies.get((i, None), _Tally())) for i, (s, e) in enumerate(months)
        ),
        groups=groups,
    )


def check_period(start: date, end: date) -> None:
    if start > end:
        raise Invalid(
            f"the period starts ({start.isoformat()}) after it ends ({end.isoformat()}): swap --from and --to."
        )


def _add(total: _Tally, part: _Tally, *, last: bool) -> None:
    """Add a month's tally to the year's: what happened in it adds up; what stands at a moment (open plans) is the
    last month's."""
    for key, (hits, count) in part.ratios.items():
        total.ratios[key][0] += hits
        total.ratios[key][1] += count
    for key, number in part.counts.items():
        if key != "plans-open":
            total.counts[key] += number
    total.categories.update(part.categories)
    total.left_out.update(part.left_out)
    if last:
        total.counts["plans-open"] = part.counts["plans-open"]
        total.lengths = Counter(part.lengths)


# -- reading the store -------------------------------------------------------------------------------------------
def _tallies(
    session: Session, profile: Profile, periods: _Periods, by: str | None, today: date
) -> tuple[dict[tuple[int, int | None], _Tally], dict[int | None, str]]:
    tallies: dict[tuple[int, int | None], _Tally] = defaultdict(_Tally)
    plans = _plans(session, periods)
    team_of = _teams_of(session) if by == "team" else {}
    chair_of_plan = _plan_chairs(session, periods) if by == "chair" else {}
    worker_of_plan = {plan[0]: plan[6] for plan in plans}

    def plan_group(plan_id: int | None, child_id: int) -> int | None:
        if by == "chair":
            return chair_of_plan.get(plan_id) if plan_id else None
        if by == "worker":
            return worker_of_plan.get(plan_id) if plan_id else None
        if by == "team":
            return team_of.get(child_id)
        return None

    _count_plans(plans, periods, tallies, plan_group, profile)
    _count_initial_conferences(session, profile, periods, tallies, by, team_of)
    _count_quality(session, periods, tallies, plan_group)
    _count_deadlines(session, periods, tallies, by, today)
    names = _names(session, by, {group for _, group in tallies})
    return tallies, names


def _rows(session: Session, query: Any) -> list[Any]:
    """The rows of a select of columns, through the session's connection (SQLAlchemy Core): the ORM's result
    handling costs more than the query itself for the tens of thousands of rows a large store gives."""
    return list(session.connection().execute(query).all())


def _plans(session: Session, periods: _Periods) -> list[_PlanRow]:
    from sqlmodel import col, or_, select

    from cpctl.store.models import Plan

    query = select(
        Plan.id,
        Plan.child_id,
        Plan.number,
        Plan.started_on,
        Plan.ended_on,
        Plan.initial_categories,
        Plan.lead_worker_id,
    ).where(Plan.started_on <= periods.last, or_(col(Plan.ended_on).is_(None), col(Plan.ended_on) >= periods.first))
    return [tuple(row) for row in _rows(session, query)]  # type: ignore[misc]


def _codes(text: str | None) -> tuple[str, ...]:
    import json

    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(code) for code in value) if isinstance(value, list) else ()


def _teams_of(session: Session) -> dict[int, int]:
    from sqlmodel import col, select

    from cpctl.store.models import Child

    rows = _rows(session, select(Child.id, Child.team_id).where(col(Child.team_id).is_not(None)))
    return {child_id or 0: team_id for child_id, team_id in rows if team_id is not None}


def _overlapping(periods: _Periods) -> Any:
    """The plans open at some time in the periods (a query)."""
    from sqlmodel import col, or_, select

    from cpctl.store.models import Plan

    return select(Plan.id).where(
        Plan.started_on <= periods.last, or_(col(Plan.ended_on).is_(None), col(Plan.ended_on) >= periods.first)
    )


def _plan_chairs(session: Session, periods: _Periods) -> dict[int, int]:
    """The chair of each plan's latest conference on or before the last day counted."""
    from sqlmodel import col, select

    from cpctl.store.models import Conference, Decision

    query = (
        select(Decision.plan_id, Conference.held_on, Conference.id, Conference.chair_id)
        .join(Conference, col(Conference.id) == col(Decision.conference_id))
        .where(col(Decision.plan_id).in_(_overlapping(periods)), Conference.held_on <= periods.last)
    )
    latest: dict[int, tuple[date, int, int]] = {}
    for plan_id, held_on, conference_id, chair_id in _rows(session, query):
        key = (held_on, conference_id or 0, chair_id)
        if plan_id is not None and (plan_id not in latest or key > latest[plan_id]):
            latest[plan_id] = key
    return {plan_id: chair for plan_id, (_, _, chair) in latest.items()}


def plus_months(day: date, months: int) -> date:
    """`months` calendar months after `day`, clamped to the month's end (30 November + 3 months = 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, month_calendar.monthrange(year, month + 1)[1]))


def _count_plans(
    plans: Sequence[_PlanRow],
    periods: _Periods,
    tallies: dict[tuple[int, int | None], _Tally],
    plan_group: Any,
    profile: Profile,
) -> None:
    several = profile.several_category if profile.category_mode == "single" else None
    known = {category.code.lower(): category.code for category in profile.categories}
    ends = periods.ends
    # A plan open on a period's last day is under 3 months old if it started after the same day 3 months before.
    cutoffs = [[plus_months(end, -months) for months in (24, 12, 6, 3)] for end in ends]
    counted: dict[str, list[str]] = {}  # the JSON of a plan's categories -> the codes counted (a few distinct)
    for plan_id, child_id, number, started_on, ended_on, categories, _ in plans:
        group = plan_group(plan_id, child_id)
        started = periods.index(started_on)
        if started is not None:
            tally = tallies[(started, group)]
            tally.counts["plans-started"] += 1
            tally.ratio("second-plan", number > 1)
            codes = counted.get(categories)
            if codes is None:
                codes = [known.get(code.lower(), code) for code in _codes(categories)]
                if several is not None and len(codes) > 1:
                    codes = [several.code]
                counted[categories] = codes
            for code in codes:
                tally.categories[code] += 1
        if ended_on is not None:
            ended = periods.index(ended_on)
            if ended is not None:
                tally = tallies[(ended, group)]
                tally.counts["plans-ended"] += 1
                tally.ratio("plans-ended-3-months", ended_on <= plus_months(started_on, 3))
                tally.ratio("plans-ended-6-months", ended_on < plus_months(started_on, 6))
                tally.ratio("plans-ended-2-years", ended_on >= plus_months(started_on, 24))
        # open at the end of each period from the one it started in (or the first) to the one before it ended
        first = bisect.bisect_left(ends, started_on)
        last = len(ends) if ended_on is None else bisect.bisect_left(ends, ended_on)
        for index in range(first, last):
            tally = tallies[(index, group)]
            tally.counts["plans-open"] += 1
            tally.lengths[LENGTH_BANDS[4 - bisect.bisect_left(cutoffs[index], started_on)]] += 1


def _count_initial_conferences(
    session: Session,
    profile: Profile,
    periods: _Periods,
    tallies: dict[tuple[int, int | None], _Tally],
    by: str | None,
    team_of: Mapping[int, int],
) -> None:
    """Each child's initial conference in the period against the strategy discussion before it (the profile's
    rule) and, where the profile names the measure, against the section 47 start (the DfE's)."""
    from sqlmodel import col, select

    from cpctl.errors import NotFound
    from cpctl.rules import timescales
    from cpctl.store.models import CaseEvent, Conference, Decision, Plan, Section47

    in_period = (
        select(
            Conference.id,
            Conference.held_on,
            Conference.chair_id,
            Decision.child_id,
            Decision.plan_id,
            Decision.outcome,
        )
        .join(Decision, col(Decision.conference_id) == col(Conference.id))
        .where(
            col(Conference.kind).in_(INITIAL_KINDS),
            Conference.held_on >= periods.first,
            Conference.held_on <= periods.last,
        )
    )
    conferences = _rows(session, in_period)
    if not conferences:
        return
    children = (
        select(Decision.child_id)
        .join(Conference, col(Conference.id) == col(Decision.conference_id))
        .where(
            col(Conference.kind).in_(INITIAL_KINDS),
            Conference.held_on >= periods.first,
            Conference.held_on <= periods.last,
        )
    )
    # Every starting conference of these children (a strategy discussion belongs to the first one after it).
    starting: dict[int, list[date]] = defaultdict(list)
    query = (
        select(Decision.child_id, Conference.held_on)
        .join(Conference, col(Conference.id) == col(Decision.conference_id))
        .where(col(Conference.kind).in_(STARTING_KINDS), col(Decision.child_id).in_(children))
    )
    for child_id, held_on in _rows(session, query):
        starting[child_id].append(held_on)
    for days in starting.values():
        days.sort()
    # A strategy discussion is recorded before any plan, so with none (casework.conference): the index on plan_id
    # finds every one in a few milliseconds, where asking for these children's would read all their events.
    discussions: dict[int, list[date]] = defaultdict(list)
    query_events = select(CaseEvent.child_id, CaseEvent.happened_on).where(
        col(CaseEvent.plan_id).is_(None), CaseEvent.kind == "strategy-discussion", CaseEvent.happened_on <= periods.last
    )
    for child_id, on in _rows(session, query_events):
        if child_id in starting:
            discussions[child_id].append(on)
    with_s47 = "initial-conference-timely-s47" in profile.indicators
    enquiries: dict[int, list[tuple[date, int | None, bool]]] = defaultdict(list)
    if with_s47:
        query_s47 = select(
            Section47.child_id, Section47.started_on, Section47.conference_id, Section47.icpc_not_required
        ).where(Section47.started_on <= periods.last)
        for child_id, started_on, conference_id, not_required in _rows(session, query_s47):
            if child_id in starting:
                enquiries[child_id].append((started_on, conference_id, not_required))
    workers: dict[int, int] = {}
    if by == "worker":
        plan_ids = {row[4] for row in conferences if row[4] is not None}
        if plan_ids:
            workers = {
                plan_id or 0: worker
                for plan_id, worker in _rows(
                    session, select(Plan.id, Plan.lead_worker_id).where(col(Plan.id).in_(plan_ids))
                )
            }
    try:
        rule = profile.rule("initial-conference")
    except NotFound:
        rule = None
    due_memo: dict[date, date] = {}
    s47_memo: dict[date, date] = {}
    for conference_id, held_on, chair_id, child_id, plan_id, outcome in conferences:
        index = periods.index(held_on)
        assert index is not None
        if by == "chair":
            group = chair_id
        elif by == "worker":
            group = workers.get(plan_id) if plan_id else None
        elif by == "team":
            group = team_of.get(child_id)
        else:
            group = None
        tally = tallies[(index, group)]
        tally.ratio("initial-conference-plan", outcome == "plan-starts")
        previous = [day for day in starting.get(child_id, ()) if day < held_on]
        since = previous[-1] if previous else None  # a start before the one that led to the previous conference
        belongs = [day for day in discussions.get(child_id, ()) if day <= held_on and (since is None or day > since)]
        if rule is not None and belongs:
            discussion = max(belongs)
            if discussion not in due_memo:
                due_memo[discussion] = timescales.due_by(profile, rule, discussion)[0]
            tally.ratio("initial-conference-timely", held_on <= due_memo[discussion])
        else:
            tally.left_out["initial-conference-timely"] += 1
        if with_s47:
            mine = enquiries.get(child_id, ())
            linked = [start for start, conf, _ in mine if conf == conference_id]
            placed = [
                start
                for start, conf, not_required in mine
                if conf is None and not not_required and start <= held_on and (since is None or start > since)
            ]
            found = max(linked) if linked else max(placed) if placed else None
            if found is None:
                tally.left_out["initial-conference-timely-s47"] += 1
            else:
                if found not in s47_memo:
                    s47_memo[found] = timescales.add(found, S47_DAYS, "working-days", profile.calendar, "day-one")
                tally.ratio("initial-conference-timely-s47", held_on <= s47_memo[found])


def _count_quality(
    session: Session, periods: _Periods, tallies: dict[tuple[int, int | None], _Tally], plan_group: Any
) -> None:
    from sqlmodel import and_, col, or_, select

    from cpctl.store.models import QualityCheck

    query = select(
        QualityCheck.kind, QualityCheck.held_on, QualityCheck.resolved_on, QualityCheck.plan_id, QualityCheck.child_id
    ).where(
        or_(
            and_(QualityCheck.held_on >= periods.first, QualityCheck.held_on <= periods.last),
            and_(col(QualityCheck.resolved_on) >= periods.first, col(QualityCheck.resolved_on) <= periods.last),
        )
    )
    for kind, held_on, resolved_on, plan_id, child_id in _rows(session, query):
        group = plan_group(plan_id, child_id)
        held = periods.index(held_on)
        if kind == "midway" and held is not None:
            tallies[(held, group)].counts["midway-reviews"] += 1
        elif kind == "escalation":
            if held is not None:
                tallies[(held, group)].counts["escalations"] += 1
            resolved = periods.index(resolved_on)
            if resolved is not None:
                tallies[(resolved, group)].counts["escalations-resolved"] += 1


def _count_deadlines(
    session: Session, periods: _Periods, tallies: dict[tuple[int, int | None], _Tally], by: str | None, today: date
) -> None:
    """The stored deadlines due in each period, tallied by the database: met on time, or met late or missed."""
    from sqlalchemy import case, func, literal
    from sqlmodel import col, or_, select

    from cpctl.store.models import Child, Deadline

    if len(periods.periods) == 1:
        bucket: Any = literal(0)
    else:
        bucket = case(*((Deadline.due_on <= end, index) for index, end in enumerate(periods.ends)), else_=-1)
    columns: list[Any] = [Deadline.kind, bucket]
    if by == "chair":
        columns.append(Deadline.chair_id)
    elif by == "worker":
        columns.append(Deadline.worker_id)
    elif by == "team":
        columns.append(Child.team_id)
    grouped = list(columns)
    on_time = func.sum(case((col(Deadline.met_on) <= col(Deadline.due_on), 1), else_=0))
    # met, or missed (open after its date); one range of (status, due_on) per status, not an OR of two ranges
    counted = func.sum(case((or_(Deadline.status == "met", Deadline.due_on < today), 1), else_=0))
    query = select(*columns, on_time, counted).where(
        col(Deadline.status).in_(("met", "open")),
        Deadline.due_on >= periods.first,
        Deadline.due_on <= periods.last,
        col(Deadline.kind).in_(tuple(DEADLINE_KINDS)),
    )
    if by == "team":
        query = query.join(Child, col(Child.id) == col(Deadline.child_id))
    query = query.group_by(*grouped)
    for row in _rows(session, query):
        kind, index = row[0], int(row[1])
        group = row[2] if by is not None else None
        hits, count = int(row[-2] or 0), int(row[-1] or 0)
        if not count:
            continue
        pair = tallies[(index, group)].ratios[DEADLINE_KINDS[kind]]
        pair[0] += hits
        pair[1] += count


def _names(session: Session, by: str | None, groups: Iterable[int | None]) -> dict[int | None, str]:
    """Each group's name: the person's (with their reference where two share a name), or the team's."""
    from sqlmodel import col, select

    from cpctl.store.models import Person, Team

    ids = sorted(group for group in groups if group is not None)
    if by is None or not ids:
        return {}
    if by == "team":
        return dict(_rows(session, select(Team.id, Team.name).where(col(Team.id).in_(ids))))
    rows = _rows(session, select(Person.id, Person.name, Person.ref).where(col(Person.id).in_(ids)))
    count = Counter(name for _, name, _ in rows)
    return {pid: (name if count[name] == 1 else f"{name} ({ref})") for pid, name, ref in rows}


def _capfirst(text: str) -> str:
    """The first letter a capital, the rest as written (a profile's "Child Protection Planning Meeting")."""
    return text[:1].upper() + text[1:]


# -- the figures -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Shape:
    """Turns a tally into Figures in the profile's words, with the nation's figures beside them."""

    profile: Profile
    start: date
    end: date
    authority: str
    jurisdiction: str

    def figures(self, tally: _Tally, *, by: str | None = None, group: str | None = None) -> Figures:
        return Figures(
            start=self.start,
            end=self.end,
            jurisdiction=self.jurisdiction,
            authority=self.authority,
            indicators=tuple(self._indicators(tally)),
            breakdowns=(
                Breakdown(
                    key="open-plans-by-length",
                    label=f"Open {self._plural('plan')} by length on {self.end.isoformat()}",
                    rows=tuple((band, tally.lengths[band]) for band in LENGTH_BANDS),
                    **self._shares("open-plans-by-length", LENGTH_BANDS),
                ),
                self._categories(tally),
            ),
            group_by=by,
            group=group,
        )

    def _plural(self, term: str) -> str:
        words = str(self.profile.terms[term] or term)
        return words + "s"

    def _national(self, key: str) -> NationalFigure | None:
        found = self.profile.indicators.get(key)
        if found is None or found.value is None:
            return None
        return NationalFigure(value=found.value, year=found.year, source=found.source, note=found.note)

    def _shares(self, key: str, labels: Sequence[str], codes: Mapping[str, str] | None = None) -> dict[str, Any]:
        found = self.profile.indicators.get(key)
        if found is None or not found.shares:
            return {}
        by_label = {(codes or {}).get(name, name): share for name, share in found.shares.items()}
        return {
            "national": tuple((label, by_label[label]) for label in labels if label in by_label),
            "national_source": f"{found.source} ({found.year})",
        }

    def _categories(self, tally: _Tally) -> Breakdown:
        labels = {category.code: category.label for category in self.profile.categories}
        order = [category.code for category in self.profile.categories]
        order += sorted(code for code in tally.categories if code not in labels)
        rows = tuple((labels.get(code, code), tally.categories[code]) for code in order)
        several = self.profile.category_mode != "single"
        return Breakdown(
            key="categories",
            label=f"Initial category of the {self._plural('plan')} started"
            + (" (a plan may have several, each counted)" if several else ""),
            rows=rows,
            **self._shares("categories", [label for label, _ in rows], labels),
        )

    def _indicators(self, tally: _Tally) -> list[Indicator]:
        terms = self.profile.terms
        initial = self._plural("initial_conference")
        out: list[Indicator] = []
        try:
            rule = self.profile.rule("initial-conference")
            from cpctl.rules.timescales import timescale_words

            within = timescale_words(rule.amount, rule.unit)
            label = f"{_capfirst(initial)} within {within} of the {self.profile.event_words(rule.after)}"
        except NotFound:  # a profile without the rule still shows the others
            label = f"{_capfirst(initial)} on time (this profile has no initial-conference rule)"

        def percent(key: str, label: str, better: bool | None, note: str) -> None:
            hits, count = tally.ratios.get(key, (0, 0))
            left = tally.left_out.get(key, 0)
            if left:
                note += f" {left:,} left out: no start recorded."
            out.append(
                Indicator(
                    key=key,
                    label=label,
                    unit="percent",
                    numerator=hits,
                    denominator=count,
                    national=self._national(key),
                    higher_is_better=better,
                    note=note,
                )
            )

        def count(key: str, label: str, note: str) -> None:
            out.append(
                Indicator(
                    key=key,
                    label=label,
                    unit="count",
                    number=tally.counts.get(key, 0),
                    national=self._national(key),
                    note=note,
                )
            )

        percent(
            "initial-conference-timely",
            label,
            True,
            f"Each child's {terms.initial_conference} (or pre-birth) in the period, counted from the strategy "
            "discussion before it; one without a strategy discussion recorded is left out.",
        )
        if "initial-conference-timely-s47" in self.profile.indicators:
            percent(
                "initial-conference-timely-s47",
                f"{_capfirst(initial)} within {S47_DAYS} working days of the section 47 start",
                True,
                "The DfE's measure: the section 47 start counted as day 1; a conference without a section 47 "
                "recorded is left out.",
            )
        percent(
            "review-timely",
            f"{_capfirst(self._plural('review_conference'))} held on time",
            True,
            "Review deadlines due in the period (first and later reviews) met on or before their date; a missed "
            "one counts as late.",
        )
        percent(
            "first-core-group-timely",
            f"First {self._plural('core_group')} on time",
            True,
            "First core group deadlines due in the period met on or before their date.",
        )
        percent(
            "child-seen-timely",
            "Children seen within the plan's timescale",
            True,
            "Child-seen deadlines due in the period met by a visit on or before their date.",
        )
        percent(
            "plans-ended-3-months",
            f"{_capfirst(self._plural('plan'))} ended within 3 months",
            None,
            "Of the plans that ended in the period, those that lasted 3 months or less.",
        )
        percent(
            "plans-ended-2-years",
            f"{_capfirst(self._plural('plan'))} that had lasted 2 years or more when they ended",
            False,
            "Of the plans that ended in the period, those that lasted 2 years or more.",
        )
        percent(
            "second-plan",
            f"Second or later {self._plural('plan')}",
            False,
            "Of the plans started in the period, those that were not the child's first in this store.",
        )
        # Counted where the nation's own return counts them (the profile names them): Scotland's.
        if "initial-conference-plan" in self.profile.indicators:
            percent(
                "initial-conference-plan",
                f"{_capfirst(initial)} that led to a {terms.plan}",
                None,
                f"Each child's {terms.initial_conference} (or pre-birth) in the period, and whether it started a "
                f"{terms.plan}" + (f" (a registration on the {terms.register})." if terms.register else "."),
            )
        if "plans-ended-6-months" in self.profile.indicators:
            percent(
                "plans-ended-6-months",
                f"{_capfirst(self._plural('plan'))} ended in under 6 months",
                None,
                "Of the plans that ended in the period, those that lasted less than 6 months.",
            )
        count("plans-started", f"{_capfirst(self._plural('plan'))} started", "Plans started in the period.")
        count("plans-ended", f"{_capfirst(self._plural('plan'))} ended", "Plans ended in the period.")
        count(
            "plans-open",
            f"{_capfirst(self._plural('plan'))} open on {self.end.isoformat()}",
            "Plans started on or before the period's last day and not ended by it.",
        )
        count("midway-reviews", "Midway reviews held", "The chair's midway reviews held in the period.")
        count("escalations", "Escalations raised", "The chair's escalations raised in the period.")
        count("escalations-resolved", "Escalations resolved", "Escalations resolved in the period, whenever raised.")
        return out
