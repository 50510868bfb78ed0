"""The census items of some children, read from the store as `census_rules` values (a few queries for any number).

`gather` reads, for each child, the identifiers and characteristics, the child in need episodes, the section 47
enquiries and the plans with their review conferences, and places each enquiry and plan in the episode whose dates
hold its start (the store links them by date, not by reference). With a collection year (`start`, `end`) it keeps
what the census for that year returns; without one, everything (the checks when a conference is recorded).

What the census year keeps follows the DfE's CIN census guide and its validation rules:
- an episode is returned when it holds activity of the year (cpctl returns the child protection part only: no
  assessments or CIN plans, which it does not record);
- a section 47 enquiry when it started in the year or its initial conference was held in it (8740: an enquiry
  with no conference by 31 March must have started in the year);
- a plan when it was open at any time in the year; its end date only when it ended by 31 March (8930);
- a review (CPPreviewDate) for each review conference within the plan and the year, including the one that ended
  the plan (rule 4003's text allows a review on the end date);
- anything dated after 31 March is left out: an episode closed later is returned open, a conference held later
  is not returned.
An initial conference that no section 47 records (none linked to it) is returned at episode level (CINdetails'
DateOfInitialCPC); one recorded in a section 47 is returned there only (2884). A transfer-in conference counts as
the initial conference of this authority's plan (our reading: the plan starts on it, and no enquiry of ours led to
it); a plan started by one is not held to 2885 (the episode can return one such date only, and a child may transfer
in twice in one episode).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from cpctl.casework.census_rules import ChildItems, EnquiryItems, EpisodeItems, PlanItems, derived_la_child_id
from cpctl.casework.plan import categories_of
from cpctl.store.models import Child, CinEpisode, Conference, Decision, Plan, Section47

if TYPE_CHECKING:
    from cpctl.rules.profile import Profile

INITIAL_KINDS = ("initial", "pre-birth-initial", "transfer-in")
REVIEW_KINDS = ("review", "pre-birth-review")
_CHUNK = 900  # ids per IN (...): under SQLite's variable limit


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for at in range(0, len(ids), _CHUNK):
        yield ids[at : at + _CHUNK]


def gather(
    session: Session,
    profile: Profile,
    child_ids: Iterable[int],
    *,
    start: date | None = None,
    end: date | None = None,
) -> list[ChildItems]:
    """The children's census items, in the order of their references."""
    ids = sorted(set(child_ids))
    children: list[Child] = []
    episodes: dict[int, list[CinEpisode]] = defaultdict(list)
    enquiries: dict[int, list[tuple[Section47, date | None]]] = defaultdict(list)
    plans: dict[int, list[Plan]] = defaultdict(list)
    conferences: dict[int, list[tuple[int, str, date, int | None]]] = defaultdict(list)  # id, kind, held, plan
    for chunk in _chunks(ids):
        children += session.exec(select(Child).where(col(Child.id).in_(chunk))).all()
        for episode in session.exec(select(CinEpisode).where(col(CinEpisode.child_id).in_(chunk))).all():
            episodes[episode.child_id].append(episode)
        rows: Any = session.exec(
            select(Section47, Conference.held_on)
            .join(Conference, col(Conference.id) == col(Section47.conference_id), isouter=True)
            .where(col(Section47.child_id).in_(chunk))
        ).all()
        for enquiry, held in rows:
            enquiries[enquiry.child_id].append((enquiry, held))
        for plan_row in session.exec(select(Plan).where(col(Plan.child_id).in_(chunk))).all():
            plans[plan_row.child_id].append(plan_row)
        held_rows: Any = session.exec(
            select(Decision.child_id, Conference.id, Conference.kind, Conference.held_on, Decision.plan_id)
            .join(Conference, col(Conference.id) == col(Decision.conference_id))
            .where(col(Decision.child_id).in_(chunk))
        ).all()
        for child_id, conference_id, kind, held, plan_id in held_rows:
            conferences[child_id].append((conference_id, kind, held, plan_id))
    children.sort(key=lambda c: c.ref)
    return [
        _child_items(
            profile,
            child,
            episodes[child.id or 0],
            enquiries[child.id or 0],
            plans[child.id or 0],
            conferences[child.id or 0],
            start,
            end,
        )
        for child in children
    ]


def _child_items(
    profile: Profile,
    child: Child,
    episode_rows: list[CinEpisode],
    enquiry_rows: list[tuple[Section47, date | None]],
    plan_rows: list[Plan],
    conference_rows: list[tuple[int, str, date, int | None]],
    start: date | None,
    end: date | None,
) -> ChildItems:
    def in_year(day: date | None) -> bool:
        return day is not None and (start is None or start <= day) and (end is None or day <= end)

    def by_end(day: date | None) -> date | None:
        return day if day is not None and (end is None or day <= end) else None

    linked = {row.conference_id for row, _ in enquiry_rows if row.conference_id is not None}
    enquiry_items = [
        EnquiryItems(started_on=row.started_on, conference_on=by_end(held), icpc_not_required=row.icpc_not_required)
        for row, held in sorted(enquiry_rows, key=lambda pair: pair[0].started_on)
        if in_year(row.started_on) or in_year(held)
    ]
    start_of = {cid: (kind, held) for cid, kind, held, _ in conference_rows}
    unlinked = [(held, kind) for cid, kind, held, _ in conference_rows if kind in INITIAL_KINDS and cid not in linked]
    ordered = sorted(plan_rows, key=lambda p: p.started_on)
    plan_items = []
    for number, row in enumerate(ordered):
        if not (
            row.started_on <= (end or row.started_on)
            and (start is None or row.ended_on is None or row.ended_on >= start)
        ):
            continue
        ended = by_end(row.ended_on)
        reviews = sorted(
            held
            for _, kind, held, plan_id in conference_rows
            if plan_id == row.id and kind in REVIEW_KINDS and in_year(held) and (ended is None or held <= ended)
        )
        kind, _ = start_of.get(row.start_conference_id, ("initial", row.started_on))
        plan_items.append(
            PlanItems(
                started_on=row.started_on,
                ended_on=ended,
                initial_category=profile.census_code(categories_of(row.initial_categories)),
                latest_category=profile.census_code(categories_of(row.latest_categories)),
                previous_plans=number,
                reviews=tuple(reviews),
                start_conference_on=start_of.get(row.start_conference_id, (None, None))[1],
                starts_at_initial=kind in ("initial", "pre-birth-initial")
                and (start is None or row.started_on >= start),
            )
        )
    episodes: list[EpisodeItems] = []
    placed: set[int] = set()
    for row in sorted(episode_rows, key=lambda e: e.referral_on):
        if end is not None and row.referral_on > end:
            continue
        closed = by_end(row.closed_on)
        episode = EpisodeItems(
            referral_on=row.referral_on,
            referral_source=row.referral_source,
            primary_need=row.primary_need,
            closed_on=closed,
            closure_reason=row.closure_reason if closed is not None else None,
            referral_nfa=row.referral_nfa,
        )
        held_enquiries = tuple(
            e for i, e in enumerate(enquiry_items) if i not in placed and episode.holds(e.started_on)
        )
        placed |= {i for i, e in enumerate(enquiry_items) if e in held_enquiries}
        held_plans = tuple(p for p in plan_items if episode.holds(p.started_on))
        conference = next(
            ((held, kind) for held, kind in sorted(unlinked) if in_year(held) and episode.holds(held)), None
        )
        episode = replace(
            episode,
            enquiries=held_enquiries,
            plans=held_plans,
            initial_conference_on=conference[0] if conference else None,
            transfer_in=bool(conference and conference[1] == "transfer-in"),
        )
        if start is None or held_enquiries or held_plans or conference:
            episodes.append(episode)
    unplaced = [f"the section 47 of {e.started_on.isoformat()}" for i, e in enumerate(enquiry_items) if i not in placed]
    unplaced += [
        f"the plan from {p.started_on.isoformat()}" for p in plan_items if not any(p in e.plans for e in episodes)
    ]
    codes = (
        tuple(code.strip() for code in child.disabilities.split(",") if code.strip()) if child.disabilities else None
    )
    return ChildItems(
        ref=child.ref,
        la_child_id=derived_la_child_id(child.ref, child.la_child_id),
        upn=child.upn,
        former_upn=child.former_upn,
        upn_unknown=child.upn_unknown,
        gender=child.census_gender,
        born_on=child.date_of_birth,
        expected_on=child.expected_date if child.date_of_birth is None else None,
        ethnicity=child.ethnicity,
        disabilities=codes,
        episodes=tuple(episodes),
        unplaced=tuple(unplaced) if episodes else (),
    )
