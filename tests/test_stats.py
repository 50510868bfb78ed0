"""Issue 17: `cpctl stats` and `cpctl.returns.stats`, each indicator on a small store built by hand, whose answers
are worked out below beside the rows.

The store is written straight through the models (as the synthetic generator does): five children, their plans,
conferences, strategy discussions, section 47 enquiries, the chair's quality checks, and the deadline rows the
schedule would store (met, missed, closed). The period is the year to 31 March 2026, counted on 1 June 2026.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from backends import StoreRef
from helpers import AUTHORITY, CHAIR, Run, failed, ok, ok_json

START, END, TODAY = date(2025, 4, 1), date(2026, 3, 31), date(2026, 6, 1)
PERIOD = ("--from", START.isoformat(), "--to", END.isoformat())


# -- the store ---------------------------------------------------------------------------------------------------
def _build(store: StoreRef) -> dict[str, int]:
    """The hand-built case load; returns the ids the tests name."""
    from sqlmodel import select

    from cpctl.store.database import Store
    from cpctl.store.models import (
        CaseEvent,
        Child,
        Conference,
        Deadline,
        Decision,
        Person,
        Plan,
        QualityCheck,
        Section47,
        Setting,
        Team,
    )

    opened = Store(store.url)
    ids: dict[str, int] = {}
    try:
        with opened.write() as session:
            (ada,) = session.exec(select(Person).where(Person.name == CHAIR)).all()
            bo = Person(ref="P-BO", name="Bo Chairwood", kind="professional")
            wyn = Person(ref="P-WYN", name="Wyn Worker", kind="professional")
            val = Person(ref="P-VAL", name="Val Worker", kind="professional")
            north, south = Team(name="North team"), Team(name="South team")
            session.add_all([bo, wyn, val, north, south])
            session.flush()
            ids.update(ada=ada.id or 0, bo=bo.id or 0, wyn=wyn.id or 0, val=val.id or 0)

            def child(ref: str, team: Team | None) -> Child:
                made = Child(ref=ref, given_name=ref, family_name="Testwood", team_id=team.id if team else None)
                session.add(made)
                session.flush()
                return made

            def conference(ref: str, kind: str, on: date, chair: Person) -> Conference:
                made = Conference(ref=ref, kind=kind, held_on=on, chair_id=chair.id or 0, recorded_at="2026-01-01")
                session.add(made)
                session.flush()
                return made

            def plan(
                of: Child, number: int, conf: Conference, codes: list[str], worker: Person, ended: Conference | None
            ) -> Plan:
                made = Plan(
                    child_id=of.id or 0,
                    number=number,
                    started_on=conf.held_on,
                    ended_on=ended.held_on if ended else None,
                    start_conference_id=conf.id or 0,
                    end_conference_id=ended.id if ended else None,
                    initial_categories=json.dumps(codes),
                    latest_categories=json.dumps(codes),
                    lead_worker_id=worker.id or 0,
                )
                session.add(made)
                session.flush()
                for held in (conf, ended):
                    if held is not None:
                        session.add(
                            Decision(
                                conference_id=held.id or 0,
                                child_id=of.id or 0,
                                outcome="plan-starts" if held is conf else "plan-ends",
                                categories=json.dumps(codes),
                                plan_id=made.id,
                                details="",
                            )
                        )
                return made

            def discussion(of: Child, on: date) -> None:
                session.add(CaseEvent(child_id=of.id or 0, kind="strategy-discussion", happened_on=on))

            c1, c2, c3 = child("C1", north), child("C2", north), child("C3", south)
            c4, c5 = child("C4", None), child("C5", south)
            # C1: a first plan in 2023; a strategy discussion on 1 May 2025 and the initial conference 6 working
            # days later (on time by both measures: the section 47 is linked to it); a second plan that ended
            # within 3 months, at a review Bo chaired.
            k1a = conference("K1A", "initial", date(2023, 1, 10), ada)
            plan(c1, 1, k1a, ["NEG"], wyn, conference("K1AE", "review", date(2023, 6, 1), ada))
            discussion(c1, date(2025, 5, 1))
            k1 = conference("K1", "initial", date(2025, 5, 9), ada)
            session.add(
                Section47(child_id=c1.id or 0, started_on=date(2025, 5, 1), conference_id=k1.id, recorded_at="x")
            )
            p1 = plan(c1, 2, k1, ["NEG"], wyn, conference("K1E", "review", date(2025, 7, 31), bo))
            # C2: discussion and section 47 (placed by date) on 2 June 2025, conference on 1 August: late by both.
            # A plan in two categories (MUL in England's census), still open: 6 to 12 months on 31 March 2026.
            discussion(c2, date(2025, 6, 2))
            session.add(Section47(child_id=c2.id or 0, started_on=date(2025, 6, 2), recorded_at="x"))
            p2 = plan(c2, 1, conference("K2", "initial", date(2025, 8, 1), ada), ["EMO", "PHY"], val, None)
            # C3: an initial conference with no strategy discussion or section 47 recorded (left out of both),
            # chaired by Bo; open: 3 to 6 months on 31 March 2026.
            p3 = plan(c3, 1, conference("K3", "initial", date(2025, 10, 1), bo), ["PHY"], wyn, None)
            # C4: a plan from January 2023 that ended on 30 June 2025: 2 years or more.
            p4 = plan(
                c4, 1, conference("K4", "initial", date(2023, 1, 2), ada), ["SAB"], val,
                conference("K4E", "review", date(2025, 6, 30), bo),
            )  # fmt: skip
            # C5: started before the period (1 February 2025), reviewed by Ada in November: 1 to 2 years on 31 March.
            p5 = plan(c5, 1, conference("K5", "initial", date(2025, 2, 1), bo), ["NEG"], wyn, None)
            k5r = conference("K5R", "review", date(2025, 11, 1), ada)
            session.add(
                Decision(
                    conference_id=k5r.id or 0,
                    child_id=c5.id or 0,
                    outcome="plan-continues",
                    categories="[]",
                    plan_id=p5.id,
                    details="",
                )
            )

            # The chair's quality checks: one midway review in the period and one after; an escalation raised and
            # resolved in it, and one raised before it and resolved in it.
            for kind, held, resolved, of, on_plan in (
                ("midway", date(2025, 9, 15), None, c2, p2),
                ("midway", date(2026, 4, 10), None, c2, p2),
                ("escalation", date(2025, 11, 1), date(2026, 1, 10), c3, p3),
                ("escalation", date(2025, 3, 1), date(2025, 4, 15), c5, p5),
            ):
                session.add(
                    QualityCheck(
                        child_id=of.id or 0, plan_id=on_plan.id, kind=kind, held_on=held, resolved_on=resolved,
                        author="test.chair", recorded_at="x",
                    )
                )  # fmt: skip

            # The stored deadlines, each plan's with its lead worker and the chair of its latest conference.
            chair_of = {p1.id: bo.id, p2.id: ada.id, p3.id: bo.id, p4.id: bo.id, p5.id: ada.id}
            for of, on_plan, kind, due, status, met in (
                (c2, p2, "first-review", date(2025, 11, 1), "met", date(2025, 10, 30)),  # on time
                (c5, p5, "review", date(2025, 11, 5), "met", date(2025, 11, 1)),  # on time
                (c3, p3, "first-review", date(2026, 1, 1), "open", None),  # missed
                (c1, p1, "first-review", date(2025, 8, 9), "closed", None),  # the plan ended first: not counted
                (c5, p5, "review", date(2026, 5, 1), "met", date(2026, 4, 20)),  # after the period
                (c2, p2, "first-core-group", date(2025, 8, 15), "met", date(2025, 8, 20)),  # late
                (c3, p3, "first-core-group", date(2025, 10, 15), "met", date(2025, 10, 10)),  # on time
                (c2, p2, "child-seen", date(2025, 9, 1), "met", date(2025, 8, 28)),  # on time
                (c2, p2, "child-seen", date(2025, 9, 29), "met", date(2025, 9, 29)),  # on the day: on time
                (c3, p3, "child-seen", date(2025, 11, 1), "met", date(2025, 11, 3)),  # late
                (c3, p3, "core-group", date(2025, 11, 1), "open", None),  # not an indicator's
            ):
                session.add(
                    Deadline(
                        child_id=of.id or 0, plan_id=on_plan.id, kind=kind, due_on=due, status=status, met_on=met,
                        closed_on=date(2025, 7, 31) if status == "closed" else None,
                        worker_id=on_plan.lead_worker_id, chair_id=chair_of[on_plan.id], explanation="{}",
                    )
                )  # fmt: skip
            # The deadlines above are the store's: cpctl must not recompute them from the (absent) case events.
            from cpctl.casework import schedule
            from cpctl.rules import profile

            stored = session.get(Setting, schedule.FINGERPRINT_KEY) or Setting(key=schedule.FINGERPRINT_KEY, value="")
            stored.value = schedule.fingerprint(profile.load("england"))
            session.add(stored)
    finally:
        opened.dispose()
    return ids


@pytest.fixture
def casework(initialised: StoreRef) -> StoreRef:
    _build(initialised)
    return initialised


@pytest.fixture
def session(casework: StoreRef) -> Iterator[Any]:
    from cpctl.store.database import Store

    opened = Store(casework.url)
    try:
        with opened.read() as reading:
            yield reading
    finally:
        opened.dispose()


def figures_of(session: Any, name: str = "england", by: str | None = None, start: date = START) -> Any:
    from cpctl.returns import stats
    from cpctl.rules import profile

    return stats.compute(
        session, profile.load(name), start, END, authority=AUTHORITY, jurisdiction=name, by=by, today=TODAY
    )


def pair(figures: Any, key: str) -> tuple[int | None, int | None]:
    found = figures.indicator(key)
    return found.numerator, found.denominator


def number(figures: Any, key: str) -> float | None:
    return figures.indicator(key).number  # type: ignore[no-any-return]


# -- each indicator ----------------------------------------------------------------------------------------------
def test_initial_conferences_against_the_strategy_discussion_leave_out_those_without_one(session: Any) -> None:
    (whole,) = figures_of(session)
    assert pair(whole, "initial-conference-timely") == (1, 2)  # C1 on time, C2 late; C3 had none
    found = whole.indicator("initial-conference-timely")
    assert found.value == 50.0 and found.higher_is_better is True and found.national is None
    assert found.label == "Initial child protection conferences within 15 working days of the strategy discussion"
    assert "1 left out: no start recorded." in found.note


def test_initial_conferences_against_the_section_47_start_count_the_start_as_day_one(session: Any) -> None:
    (whole,) = figures_of(session)
    assert pair(whole, "initial-conference-timely-s47") == (1, 2)
    national = whole.indicator("initial-conference-timely-s47").national
    assert (national.value, national.year) == (81.4, "2024-25") and "Children in need 2025" in national.source


def test_the_section_47_target_is_the_fifteenth_working_day_counting_the_start() -> None:
    from cpctl.rules import profile, timescales

    # Monday 2 June 2025 is day 1; the 15th working day is Friday 20 June (no bank holiday between).
    assert timescales.add(date(2025, 6, 2), 15, "working-days", profile.load("england").calendar, "day-one") == date(
        2025, 6, 20
    )


def test_a_discussion_before_an_earlier_starting_conference_is_not_counted_for_a_later_one(
    casework: StoreRef, session: Any
) -> None:
    from cpctl.store.database import Store
    from cpctl.store.models import CaseEvent, Child

    opened = Store(casework.url)
    with opened.write() as writing:
        (c1,) = [c for c in writing.exec(__import__("sqlmodel").select(Child).where(Child.ref == "C1")).all()]
        writing.add(CaseEvent(child_id=c1.id or 0, kind="strategy-discussion", happened_on=date(2022, 12, 1)))
    opened.dispose()
    (whole,) = figures_of(session)
    assert pair(whole, "initial-conference-timely") == (1, 2)  # still C1's May 2025 discussion, on time


def test_reviews_first_core_groups_and_visits_come_from_the_stored_deadlines(session: Any) -> None:
    (whole,) = figures_of(session)
    assert pair(whole, "review-timely") == (2, 3)  # two met on time, one missed; a closed one and a later one out
    assert pair(whole, "first-core-group-timely") == (1, 2)
    assert pair(whole, "child-seen-timely") == (2, 3)  # met on the day it was due counts as on time


def test_a_deadline_not_yet_due_on_the_day_counted_is_not_counted_as_missed(session: Any) -> None:
    from cpctl.returns import stats
    from cpctl.rules import profile

    (early,) = stats.compute(
        session,
        profile.load("england"),
        START,
        END,
        authority=AUTHORITY,
        jurisdiction="england",
        today=date(2025, 12, 1),
    )
    assert pair(early, "review-timely") == (2, 2)  # C3's first review (1 January 2026) was not due yet


def test_plans_ended_by_length(session: Any) -> None:
    (whole,) = figures_of(session)
    assert number(whole, "plans-ended") == 2  # C1's second plan and C4's
    assert pair(whole, "plans-ended-3-months") == (1, 2)
    assert pair(whole, "plans-ended-2-years") == (1, 2)
    assert whole.indicator("plans-ended-3-months").national.value == 15.9
    assert whole.indicator("plans-ended-2-years").national.value == 4.4
    assert whole.indicator("plans-ended-2-years").higher_is_better is False


def test_plans_started_second_plans_and_their_categories(session: Any) -> None:
    (whole,) = figures_of(session)
    assert number(whole, "plans-started") == 3
    assert pair(whole, "second-plan") == (1, 3)  # C1's second plan
    assert whole.indicator("second-plan").national is None  # not found in the DfE's release: none shown
    categories = whole.breakdown("categories")
    assert dict(categories.rows) == {
        "Neglect": 1,
        "Physical abuse": 1,
        "Emotional abuse": 0,
        "Sexual abuse": 0,
        "Multiple categories": 1,  # C2's plan names two kinds: MUL, as the census returns it
    }
    assert dict(categories.national or ()) == {
        "Neglect": 50.0,
        "Physical abuse": 7.0,
        "Emotional abuse": 36.0,
        "Sexual abuse": 4.0,
        "Multiple categories": 3.0,
    }


def test_open_plans_and_their_length_on_the_last_day(session: Any) -> None:
    (whole,) = figures_of(session)
    assert number(whole, "plans-open") == 3
    assert whole.breakdown("open-plans-by-length").rows == (
        ("under 3 months", 0),
        ("3 to 6 months", 1),  # C3, from 1 October 2025
        ("6 to 12 months", 1),  # C2, from 1 August 2025
        ("1 to 2 years", 1),  # C5, from 1 February 2025
        ("2 years or more", 0),
    )


def test_midway_reviews_and_escalations(session: Any) -> None:
    (whole,) = figures_of(session)
    assert number(whole, "midway-reviews") == 1
    assert number(whole, "escalations") == 1
    assert number(whole, "escalations-resolved") == 2  # one raised before the period, resolved in it


def test_a_shorter_period_counts_only_its_own_days(session: Any) -> None:
    (autumn,) = figures_of(session, start=date(2025, 10, 1))
    assert number(autumn, "plans-started") == 1  # C3
    assert number(autumn, "plans-ended") == 0
    assert pair(autumn, "initial-conference-timely") == (0, 0)
    assert autumn.indicator("initial-conference-timely").value is None


# -- groups ------------------------------------------------------------------------------------------------------
def _sums(groups: list[Any]) -> dict[str, tuple[float, float]]:
    out: dict[str, tuple[float, float]] = {}
    for item in groups:
        for i in item.indicators:
            a, b = out.get(i.key, (0, 0))
            out[i.key] = (a + (i.numerator or 0) + (i.number or 0), b + (i.denominator or 0))
        for breakdown in item.breakdowns:
            for label, count in breakdown.rows:
                a, _ = out.get(f"{breakdown.key}:{label}", (0, 0))
                out[f"{breakdown.key}:{label}"] = (a + count, 0)
    return out


@pytest.mark.parametrize("by", ["chair", "team", "worker"])
def test_the_groups_add_up_to_the_whole(session: Any, by: str) -> None:
    (whole,) = figures_of(session)
    groups = figures_of(session, by=by)
    assert len(groups) > 1 and all(item.group_by == by for item in groups)
    assert _sums(groups) == _sums([whole])


def test_by_team_names_each_team_and_the_children_with_none(session: Any) -> None:
    groups = {item.group: item for item in figures_of(session, by="team")}
    assert set(groups) == {"North team", "South team", "(no team)"}
    assert number(groups["North team"], "plans-started") == 2
    assert number(groups["(no team)"], "plans-ended") == 1  # C4


def test_by_chair_counts_a_plan_under_its_latest_conference_and_a_conference_under_its_own_chair(
    session: Any,
) -> None:
    groups = {item.group: item for item in figures_of(session, by="chair")}
    assert set(groups) == {CHAIR, "Bo Chairwood"}
    assert number(groups[CHAIR], "plans-open") == 2  # C2's plan (started by Ada), C5's (reviewed by Ada)
    assert number(groups["Bo Chairwood"], "plans-open") == 1  # C3's
    assert pair(groups[CHAIR], "initial-conference-timely") == (1, 2)  # K1 and K2 were Ada's


def test_by_worker(session: Any) -> None:
    groups = {item.group: item for item in figures_of(session, by="worker")}
    assert number(groups["Wyn Worker"], "plans-started") == 2  # C1's and C3's
    assert pair(groups["Val Worker"], "first-core-group-timely") == (0, 1)


# -- the year, month by month ------------------------------------------------------------------------------------
def test_the_year_is_its_months_and_equals_the_period_counted_whole(session: Any) -> None:
    from cpctl.returns import stats
    from cpctl.rules import profile

    england = profile.load("england")
    found = stats.year(session, england, 2026, authority=AUTHORITY, jurisdiction="england", today=TODAY)
    (whole,) = figures_of(session)
    assert found.label == "2025-26"
    assert [m.start for m in found.months][:2] == [date(2025, 4, 1), date(2025, 5, 1)]
    assert len(found.months) == 12 and found.months[-1].end == date(2026, 3, 31)
    assert found.whole == whole
    may = found.months[1]
    assert pair(may, "initial-conference-timely") == (1, 1) and number(may, "plans-started") == 1
    assert number(found.months[0], "plans-open") == 2  # C4 and C5 on 30 April 2025
    assert found.groups == ()


def test_a_year_not_over_stops_today_and_can_be_grouped(session: Any) -> None:
    from cpctl.returns import stats
    from cpctl.rules import profile

    found = stats.year(
        session, profile.load("england"), 2026, authority=AUTHORITY, jurisdiction="england", by="chair",
        today=date(2025, 9, 10),
    )  # fmt: skip
    assert len(found.months) == 6 and found.months[-1].end == date(2025, 9, 10) == found.whole.end
    assert {g.group for g in found.groups} == {CHAIR, "Bo Chairwood"}


def test_a_year_that_has_not_started_is_refused(session: Any) -> None:
    from cpctl.errors import Invalid
    from cpctl.returns import stats
    from cpctl.rules import profile

    with pytest.raises(Invalid, match="has not started yet"):
        stats.year(session, profile.load("england"), 2030, authority=AUTHORITY, jurisdiction="england", today=TODAY)


# -- other nations -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["wales", "scotland", "northern-ireland", "guernsey"])
def test_other_nations_show_no_national_figure_and_no_section_47_measure(session: Any, name: str) -> None:
    (whole,) = figures_of(session, name)
    assert whole.indicator("initial-conference-timely-s47") is None
    own = {"initial-conference-plan", "plans-ended-6-months"} if name == "scotland" else set()
    assert {i.key for i in whole.indicators if i.national is not None} == own
    assert all(b.national is None for b in whole.breakdowns)
    assert number(whole, "plans-started") == 3


def test_scotland_counts_what_its_own_return_counts(initialised: StoreRef) -> None:
    """Scotland's return counts the initial planning meetings that led to a registration, and the children
    de-registered within 6 months: its profile names both, with its national figures; England's names neither.
    C6's initial meeting (no strategy discussion: left out of timeliness) decided no plan was needed."""
    from cpctl.store.database import Store
    from cpctl.store.models import Child, Conference, Decision

    _build(initialised)
    opened = Store(initialised.url)
    try:
        with opened.write() as session:
            c6 = Child(ref="C6", given_name="C6", family_name="Testwood")
            k6 = Conference(ref="K6", kind="initial", held_on=date(2025, 12, 1), chair_id=1, recorded_at="x")
            session.add_all([c6, k6])
            session.flush()
            session.add(
                Decision(conference_id=k6.id, child_id=c6.id, outcome="not-needed", categories="[]", details="")
            )
        with opened.read() as session:
            (scotland,) = figures_of(session, "scotland")
            (england,) = figures_of(session, "england")
    finally:
        opened.dispose()
    assert pair(scotland, "initial-conference-plan") == (3, 4)  # K1, K2 and K3 started a plan; K6 did not
    assert scotland.indicator("initial-conference-plan").label == (
        "Initial Child Protection Planning Meetings that led to a child protection plan"
    )
    assert "registration on the child protection register" in scotland.indicator("initial-conference-plan").note
    assert pair(scotland, "plans-ended-6-months") == (1, 2)  # C1's second plan (under 3 months); C4's (2 years)
    national = scotland.indicator("plans-ended-6-months").national
    assert (national.value, national.year) == (48, "2023-24") and "Child Protection 2023-24" in national.source
    assert scotland.indicator("initial-conference-plan").national.value == 75.9
    assert england.indicator("initial-conference-plan") is None and england.indicator("plans-ended-6-months") is None
    assert pair(england, "initial-conference-timely") == (1, 2)  # K6 had no strategy discussion: left out


def test_a_nation_recording_several_categories_counts_each(session: Any) -> None:
    (whole,) = figures_of(session, "wales")
    rows = dict(whole.breakdown("categories").rows)
    assert rows["Physical abuse"] == 2 and rows["Emotional or psychological abuse"] == 1


# -- how many statements ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("by", [None, "chair", "team", "worker"])
def test_a_handful_of_statements_whatever_the_size(session: Any, by: str | None) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        figures_of(session, by=by)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert len(statements) <= 10, statements  # none per child, plan or conference: a fixed few


# -- the command -------------------------------------------------------------------------------------------------
def test_stats_prints_each_indicator_with_its_counts_and_the_national_figure(cli: Run, casework: StoreRef) -> None:
    text = ok(cli("stats", *PERIOD))
    assert f"{AUTHORITY}: Tuesday 1 April 2025 to Tuesday 31 March 2026 (england)." in text
    assert "1 of 2" in text and "50.0%" in text and "15.9% (2024-25)" in text
    assert "DfE, Children in need 2025, table D7" in text
    assert "left out: no start recorded" in text


def test_stats_json(cli: Run, casework: StoreRef) -> None:
    data = ok_json(cli("stats", *PERIOD, "--json"))
    assert (data["from"], data["to"], data["by"], data["jurisdiction"]) == ("2025-04-01", "2026-03-31", None, "england")
    by_key = {i["key"]: i for i in data["indicators"]}
    assert by_key["review-timely"] | {"label": None, "note": None} == {
        "key": "review-timely",
        "label": None,
        "unit": "percent",
        "numerator": 2,
        "denominator": 3,
        "number": None,
        "national": None,
        "higher_is_better": True,
        "note": None,
        "value": 66.7,
    }
    assert by_key["plans-ended-3-months"]["national"] == {
        "value": 15.9,
        "year": "2024-25",
        "source": "DfE, Children in need 2025, table D7 (9,920 of 62,300 plans ending in the year)",
        "note": None,
    }
    assert by_key["plans-open"]["number"] == 3
    lengths = next(b for b in data["breakdowns"] if b["key"] == "open-plans-by-length")
    assert lengths["total"] == 3 and lengths["rows"][1] == ["3 to 6 months", 1]


def test_stats_json_by_team(cli: Run, casework: StoreRef) -> None:
    data = ok_json(cli("stats", *PERIOD, "--json", "--by", "team"))
    assert data["by"] == "team"
    assert [g["group"] for g in data["groups"]] == ["North team", "South team", "(no team)"]


def test_stats_csv(cli: Run, casework: StoreRef) -> None:
    found = list(csv.DictReader(io.StringIO(ok(cli("stats", *PERIOD, "--csv", "--by", "worker")))))
    assert list(found[0]) == [
        "group", "key", "label", "unit", "numerator", "denominator", "value", "national", "national_year",
        "national_source", "from", "to",
    ]  # fmt: skip
    row = next(r for r in found if r["group"] == "Wyn Worker" and r["key"] == "plans-started")
    assert (row["value"], row["from"], row["to"]) == ("2", "2025-04-01", "2026-03-31")
    neglect = next(r for r in found if r["group"] == "Wyn Worker" and r["key"] == "categories:Neglect")
    assert (neglect["value"], neglect["national"]) == ("1", "50.0")


def test_stats_on_an_empty_store(cli: Run, initialised: StoreRef) -> None:
    data = ok_json(cli("stats", "--json"))
    assert all(i["value"] is None or i["unit"] == "count" for i in data["indicators"])
    assert {i["key"]: i["number"] for i in data["indicators"] if i["unit"] == "count"}["plans-open"] == 0
    assert "0 of 0" in ok(cli("stats"))
    assert ok_json(cli("stats", "--json", "--by", "chair"))["groups"] == []
    assert ok(cli("stats", "--by", "chair")) == "No groups: nothing was counted in this period.\n"


def test_stats_defaults_to_the_last_twelve_months(cli: Run, initialised: StoreRef) -> None:
    from cpctl.returns.stats import plus_months

    data = ok_json(cli("stats", "--json", "--to", "2026-03-31"))
    assert data["from"] == "2025-04-01"  # the day after 31 March 2025
    assert plus_months(date(2026, 3, 31), -12) == date(2025, 3, 31)
    today = date.today()
    assert ok_json(cli("stats", "--json"))["to"] == today.isoformat()


def test_stats_refuses_a_period_that_runs_backwards(cli: Run, initialised: StoreRef) -> None:
    failed(
        cli("stats", "--from", "2026-03-31", "--to", "2025-04-01"),
        "Error: --from 2026-03-31 is after --to 2025-04-01: the period must run forwards.",
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--from", "31/13/2025"), "--from"),
        (("--by", "child"), "group by chair, team or worker"),
        (("--json", "--csv"), "choose one output format"),
    ],
)
def test_stats_usage_errors(cli: Run, initialised: StoreRef, args: tuple[str, ...], words: str) -> None:
    result = cli("stats", *args)
    assert result.exit_code == 2 and words in result.stderr and result.stdout == ""


def test_stats_asks_for_init_first(cli: Run, empty_store: StoreRef) -> None:
    result = cli("stats")
    assert result.exit_code == 1 and "cpctl init" in result.stderr


# -- the profiles' figures ---------------------------------------------------------------------------------------
def test_every_national_figure_has_a_year_and_a_source() -> None:
    from cpctl.rules import profile
    from cpctl.rules.profile_files import INDICATOR_KEYS

    for name in profile.names():
        for key, figure in profile.load(name).indicators.items():
            assert key in INDICATOR_KEYS and figure.year and figure.source
            assert (figure.value is None) != (figure.shares is None)


def test_national_figures_change_no_deadline_so_not_the_schedules_fingerprint() -> None:
    from types import MappingProxyType

    from cpctl.casework import schedule
    from cpctl.rules import profile

    england = profile.load("england")
    assert england.indicators
    assert not any(key.startswith("indicators") for key in england.origins)
    assert schedule.fingerprint(england) == schedule.fingerprint(replace(england, indicators=MappingProxyType({})))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("indicators:\n  made-up: {value: 1, year: '2025', source: x}\n", "unknown indicator 'made-up'"),
        ("indicators:\n  second-plan: {value: lots, year: '2025', source: x}\n", "second-plan.value must be a number"),
        ("indicators:\n  second-plan: {value: 20}\n", "missing indicators.second-plan.year"),
        ("indicators:\n  second-plan: {year: '2025', source: x}\n", "gives one of value"),
    ],
)
def test_an_override_with_a_bad_figure_is_refused_in_one_line(tmp_path: Any, text: str, words: str) -> None:
    from cpctl.errors import Invalid
    from cpctl.rules import profile

    path = tmp_path / "england.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Invalid, match=words):
        profile.load("england", override_path=path)


def test_an_authority_may_give_a_figure_of_its_own(tmp_path: Any) -> None:
    from cpctl.rules import profile

    path = tmp_path / "wales.yaml"
    path.write_text(
        "indicators:\n  second-plan: {value: 21.5, year: 2024-25, source: our own return}\n", encoding="utf-8"
    )
    figure = profile.load("wales", override_path=path).indicators["second-plan"]
    assert (figure.value, figure.year, figure.source) == (21.5, "2024-25", "our own return")


def test_the_labels_are_in_the_nations_own_words(session: Any) -> None:
    (whole,) = figures_of(session, "scotland")
    assert whole.indicator("initial-conference-timely").label == (
        "Initial Child Protection Planning Meetings within 28 days of the strategy discussion"
    )
