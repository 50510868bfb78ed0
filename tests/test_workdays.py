"""Timescale arithmetic: working days by each nation's calendar, calendar days, weeks and clamped months."""

from __future__ import annotations

import calendar as stdlib_calendar
import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpctl.errors import Invalid
from cpctl.rules import profile, timescales
from cpctl.rules.calendar import Calendar
from cpctl.rules.timescales import add

ENG = Calendar("GB", "ENG")
WLS = Calendar("GB", "WLS")
SCT = Calendar("GB", "SCT")
NIR = Calendar("GB", "NIR")
GGY = Calendar("GG")
CALENDARS = {"england": ENG, "wales": WLS, "scotland": SCT, "northern-ireland": NIR, "guernsey": GGY}


@pytest.fixture(autouse=True)
def _no_local_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("CPCTL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CPCTL_PROFILE_OVERRIDES", raising=False)


def test_each_profile_has_its_nations_calendar():
    assert {name: profile.load(name).calendar for name in profile.names()} == CALENDARS


# -- the holidays themselves, as the holidays library gives them ---------------------------------------------


def test_christmas_2026_and_new_year_2027_everywhere():
    for cal in CALENDARS.values():
        assert cal.holiday(date(2026, 12, 25)) == "Christmas Day"
        assert cal.holiday(date(2026, 12, 26)) == "Boxing Day"  # a Saturday
        assert cal.holiday(date(2026, 12, 28)) == "Boxing Day (substitute day)"
        assert cal.holiday(date(2027, 1, 1)) == "New Year's Day"
        assert not cal.is_working_day(date(2026, 12, 28))
        assert cal.is_working_day(date(2026, 12, 29))


def test_scotlands_2_january_and_its_substitute():
    # 2 Jan 2027 is a Saturday: Scotland's substitute is Monday 4 January, a working day elsewhere.
    assert SCT.holiday(date(2027, 1, 2)) == "New Year Holiday"
    assert SCT.holiday(date(2027, 1, 4)) == "New Year Holiday (substitute day)"
    assert not SCT.is_working_day(date(2027, 1, 4))
    for cal in (ENG, WLS, NIR, GGY):
        assert cal.is_working_day(date(2027, 1, 4))
    # In 2026 it is a Friday.
    assert not SCT.is_working_day(date(2026, 1, 2))
    assert ENG.is_working_day(date(2026, 1, 2))


def test_nations_own_holidays():
    assert SCT.holiday(date(2026, 11, 30)) == "Saint Andrew's Day"
    assert NIR.holiday(date(2027, 3, 17)) == "Saint Patrick's Day"
    assert NIR.holiday(date(2027, 7, 12)) == "Battle of the Boyne"
    assert GGY.holiday(date(2028, 5, 9)) == "Liberation Day"
    assert ENG.is_working_day(date(2027, 3, 17))
    assert ENG.is_working_day(date(2027, 7, 12))
    assert ENG.is_working_day(date(2028, 5, 9))
    assert ENG.is_working_day(date(2026, 11, 30))


def test_easter_monday_is_not_a_scottish_holiday():
    good_friday, easter_monday = date(2027, 3, 26), date(2027, 3, 29)
    for cal in CALENDARS.values():
        assert not cal.is_working_day(good_friday)
    assert SCT.is_working_day(easter_monday)
    for cal in (ENG, WLS, NIR, GGY):
        assert not cal.is_working_day(easter_monday)


# -- working days -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("england", date(2027, 1, 6)),
        ("wales", date(2027, 1, 6)),
        ("northern-ireland", date(2027, 1, 6)),
        ("guernsey", date(2027, 1, 6)),
        # Scotland also loses Monday 4 January (the substitute for Saturday 2 January).
        ("scotland", date(2027, 1, 7)),
    ],
)
def test_ten_working_days_over_christmas(name, expected):
    conference = date(2026, 12, 18)  # a Friday
    assert add(conference, 10, "working-days", CALENDARS[name]) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("england", date(2027, 1, 5)),
        ("wales", date(2027, 1, 5)),
        ("northern-ireland", date(2027, 1, 5)),
        ("guernsey", date(2027, 1, 5)),
        ("scotland", date(2027, 1, 6)),
    ],
)
def test_ten_working_days_over_christmas_counting_the_event_as_day_one(name, expected):
    assert add(date(2026, 12, 18), 10, "working-days", CALENDARS[name], "day-one") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("england", date(2027, 4, 5)),
        ("wales", date(2027, 4, 5)),
        ("northern-ireland", date(2027, 4, 5)),
        ("guernsey", date(2027, 4, 5)),
        ("scotland", date(2027, 4, 2)),  # works on Easter Monday
    ],
)
def test_ten_working_days_over_easter(name, expected):
    assert add(date(2027, 3, 18), 10, "working-days", CALENDARS[name]) == expected


def test_scottish_2_january_on_a_weekday():
    assert add(date(2025, 12, 31), 1, "working-days", SCT) == date(2026, 1, 5)
    assert add(date(2025, 12, 31), 1, "working-days", ENG) == date(2026, 1, 2)
    assert add(date(2025, 12, 31), 10, "working-days", SCT) == date(2026, 1, 16)
    assert add(date(2025, 12, 31), 10, "working-days", ENG) == date(2026, 1, 15)


def test_nations_own_holidays_move_working_day_dates():
    assert add(date(2027, 3, 15), 5, "working-days", NIR) == date(2027, 3, 23)  # St Patrick's Day
    assert add(date(2027, 3, 15), 5, "working-days", ENG) == date(2027, 3, 22)
    assert add(date(2027, 7, 9), 1, "working-days", NIR) == date(2027, 7, 13)  # the Twelfth
    assert add(date(2026, 11, 27), 1, "working-days", SCT) == date(2026, 12, 1)  # St Andrew's Day
    assert add(date(2028, 5, 8), 1, "working-days", GGY) == date(2028, 5, 10)  # Liberation Day
    assert add(date(2028, 5, 8), 1, "working-days", ENG) == date(2028, 5, 9)


def test_the_dfe_reading_of_a_section_47_target():
    s47_start = date(2027, 1, 4)  # a Monday
    assert add(s47_start, 15, "working-days", ENG, "event") == date(2027, 1, 25)
    assert add(s47_start, 15, "working-days", ENG, "day-one") == date(2027, 1, 22)


def test_day_one_reading_when_the_event_is_not_a_working_day():
    saturday = date(2026, 12, 19)
    assert (
        add(saturday, 10, "working-days", ENG, "day-one") == add(saturday, 10, "working-days", ENG) == date(2027, 1, 6)
    )
    christmas = date(2026, 12, 25)
    assert add(christmas, 1, "working-days", ENG, "day-one") == date(2026, 12, 29)


def test_one_working_day_after_a_friday_is_monday():
    assert add(date(2027, 2, 5), 1, "working-days", ENG) == date(2027, 2, 8)
    assert add(date(2027, 2, 5), 1, "working-days", ENG, "day-one") == date(2027, 2, 5)


# -- calendar days, weeks and months -------------------------------------------------------------------------


def test_calendar_units_stay_where_they_fall():
    # Within 15 days of Friday 18 December 2026 is Saturday 2 January 2027 (a Scottish holiday as well): the
    # rule allows up to that day, so it is not moved.
    assert add(date(2026, 12, 18), 15, "days", SCT) == date(2027, 1, 2)
    assert add(date(2026, 12, 18), 15, "days", SCT, "day-one") == date(2027, 1, 2)
    assert add(date(2027, 3, 18), 4, "weeks", NIR) == date(2027, 4, 15)
    assert add(date(2026, 12, 25), 6, "weeks", ENG) == date(2027, 2, 5)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # leap year
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2028, 2, 29), 24, date(2030, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2027, 5, 31), 6, date(2027, 11, 30)),
        (date(2026, 12, 18), 3, date(2027, 3, 18)),
    ],
)
def test_months_are_clamped_to_the_month_end(start, months, expected):
    assert add(start, months, "months", ENG) == expected


@pytest.mark.parametrize(
    ("amount", "unit", "reading"),
    [
        (0, "working-days", "event"),
        (-1, "days", "event"),
        (True, "days", "event"),
        (3, "fortnights", "event"),
        (3, "days", "day-two"),
    ],
)
def test_refuses_nonsense(amount, unit, reading):
    with pytest.raises(Invalid):
        add(date(2027, 1, 4), amount, unit, ENG, reading)


# -- due dates with their explanation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("england", date(2027, 1, 6)),
        ("wales", date(2027, 1, 6)),
        ("northern-ireland", date(2027, 1, 6)),
        ("guernsey", date(2027, 1, 6)),
        # 15 calendar days is Saturday 2 January 2027 (the New Year Holiday): brought forward to Thursday 31 December.
        ("scotland", date(2026, 12, 31)),
    ],
)
def test_first_core_group_after_a_conference_before_christmas(name, expected):
    due, why = timescales.due(profile.load(name), "first-core-group", date(2026, 12, 18))
    assert due == why.due == expected


def test_explanation_of_a_working_day_rule():
    _due, why = timescales.due(profile.load("england"), "first-core-group", date(2026, 12, 18))
    assert why.skipped == (
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day (substitute day)"),
        (date(2027, 1, 1), "New Year's Day"),
    )
    assert why.closed == ()
    assert why.working_day_before is None
    assert why.origin == "packaged profile england.yaml"
    assert why.sentence() == (
        "due Wednesday 6 January 2027: 10 working days after the child protection conference on Friday "
        "18 December 2026 (that day is day 0), skipping Christmas Day on 25 Dec 2026, Boxing Day (substitute "
        "day) on 28 Dec 2026, New Year's Day on 1 Jan 2027; rule first-core-group, Working Together to "
        "Safeguard Children 2023, local procedures (Liverpool, Sefton, Sussex, Tees)"
    )


def test_explanation_of_a_calendar_rule_that_lands_on_a_holiday():
    due, why = timescales.due(profile.load("scotland"), "first-core-group", date(2026, 12, 18))
    assert due == why.due == date(2026, 12, 31)
    assert why.event == "Child Protection Planning Meeting"
    assert why.skipped == ()
    assert why.closed == ()  # the due date is a working day
    assert why.working_day_before is None
    assert why.moved_from == date(2027, 1, 2)
    assert why.moved_because == ("Saturday", "New Year Holiday")
    assert why.counting() == "15 days after the Child Protection Planning Meeting on Friday 18 December 2026"
    assert why.sentence().startswith(
        "due Thursday 31 December 2026: 15 days after the Child Protection Planning Meeting on Friday 18 December "
        "2026; Saturday 2 January 2027 is not a working day (Saturday, New Year Holiday): brought forward to the "
        "working day before (closed_day: bring-forward); rule first-core-group, "
    )


def test_explanation_of_a_review_falling_on_a_sunday():
    due, why = timescales.due(profile.load("england"), "first-review", date(2026, 11, 30))
    assert due == date(2027, 2, 26)
    assert why.moved_from == date(2027, 2, 28)
    assert why.moved_because == ("Sunday",)
    assert why.closed == ()
    assert why.timescale() == "3 months"


def test_explanation_says_which_reading_it_used():
    _due, why = timescales.due(profile.load("england"), "first-core-group", date(2026, 12, 19))
    assert why.counting().endswith("(that day is day 0)")


# -- properties ----------------------------------------------------------------------------------------------

starts = st.dates(min_value=date(1995, 1, 1), max_value=date(2095, 12, 31))
calendars = st.sampled_from(sorted(CALENDARS.values(), key=lambda cal: cal.label))
readings = st.sampled_from(timescales.READINGS)
units = st.sampled_from(timescales.UNITS)
amounts = st.integers(min_value=1, max_value=60)


def working_days_between(first: date, last: date, cal: Calendar) -> int:
    return sum(cal.is_working_day(first + timedelta(days=n)) for n in range((last - first).days + 1))


@settings(deadline=None)
@given(start=starts, amount=amounts, cal=calendars, reading=readings)
def test_working_day_due_dates_are_working_days_and_count_right(start, amount, cal, reading):
    due = add(start, amount, "working-days", cal, reading)
    assert due.weekday() < 5
    assert due not in cal.holidays_in(due.year)
    first = start if reading == "day-one" else start + timedelta(days=1)
    assert working_days_between(first, due, cal) == amount


@settings(deadline=None)
@given(start=starts, months=st.integers(min_value=1, max_value=120))
def test_months_never_overflow_the_month(start, months):
    due = add(start, months, "months", ENG)
    month_index = start.month - 1 + months
    assert (due.year, due.month) == (start.year + month_index // 12, month_index % 12 + 1)
    assert due.day == min(start.day, stdlib_calendar.monthrange(due.year, due.month)[1])


@settings(deadline=None)
@given(start=starts, amount=amounts, unit=units, cal=calendars)
def test_day_one_is_never_later_than_day_zero(start, amount, unit, cal):
    day_one = add(start, amount, unit, cal, "day-one")
    day_zero = add(start, amount, unit, cal, "event")
    assert day_one <= day_zero
    if unit == "working-days" and cal.is_working_day(start):
        assert day_one < day_zero


@settings(deadline=None)
@given(
    first=starts,
    gap=st.integers(min_value=0, max_value=400),
    amount=amounts,
    unit=units,
    cal=calendars,
    reading=readings,
)
def test_due_dates_are_monotonic_in_the_start_date(first, gap, amount, unit, cal, reading):
    later = first + timedelta(days=gap)
    assert add(first, amount, unit, cal, reading) <= add(later, amount, unit, cal, reading)


@settings(deadline=None)
@given(start=starts, amount=amounts, cal=calendars)
def test_days_and_weeks_are_plain_calendar_arithmetic(start, amount, cal):
    assert add(start, amount, "days", cal) == start + timedelta(days=amount)
    assert add(start, amount, "weeks", cal) == start + timedelta(days=7 * amount)


# -- closed days: what a calendar-unit date on a weekend or a bank holiday becomes ---------------------------

CLOSED_DAYS = ("bring-forward", "push-back", "keep")  # cpctl.rules.calendar.CLOSED_DAYS, the default first
PROFILES = st.sampled_from(sorted(CALENDARS))
POLICIES = st.sampled_from(CLOSED_DAYS)
CALENDAR_UNITS = st.sampled_from(("days", "weeks", "months"))


def test_the_closed_day_choices():
    from cpctl.rules import calendar

    assert calendar.CLOSED_DAYS == CLOSED_DAYS
    assert {profile.load(name).closed_day for name in CALENDARS} == {"bring-forward"}


@settings(deadline=None)
@given(name=PROFILES, data=st.data(), start=starts)
def test_every_rule_of_every_profile_falls_due_on_a_working_day(name, data, start):
    # Issue 14: a rule in working days never falls due on a weekend or a bank holiday, and by default (the
    # packaged profiles' closed_day: bring-forward) neither does one in days, weeks or months.
    loaded = profile.load(name)
    rule = data.draw(st.sampled_from(loaded.rules), label="rule")
    due, why = timescales.due(loaded, rule.name, start)
    assert loaded.calendar.is_working_day(due), why.sentence()
    assert why.closed == () and why.working_day_before is None
    if rule.unit == "working-days":
        assert why.moved_from is None  # never moved: the count itself lands on a working day
    if rule.direction == "before":
        assert due < start  # a step before the event (invitations, reports) is due before it
    else:
        assert start < due


@settings(deadline=None)
@given(name=PROFILES, start=starts, amount=amounts, unit=CALENDAR_UNITS, policy=POLICIES)
def test_each_closed_day_choice_moves_a_date_as_it_says(name, start, amount, unit, policy):
    loaded = profile.load(name)
    cal = loaded.calendar
    rule = dataclasses.replace(loaded.rule("first-review"), amount=amount, unit=unit, closed_day=policy)
    counted = add(start, amount, unit, cal)
    due, why = timescales.due_by(loaded, rule, start)
    assert why.due == due
    if policy == "keep" or cal.is_working_day(counted):
        assert due == counted
        assert why.moved_from is None and why.moving() == ""
        assert why.closed == timescales.closed_because(counted, cal)
        return
    assert cal.is_working_day(due)
    assert why.moved_from == counted
    assert why.moved_because == timescales.closed_because(counted, cal)
    assert why.moving() in why.sentence()
    assert start < due
    earlier = timescales.working_day_before(counted, cal)
    if policy == "bring-forward" and earlier > start:
        assert due == earlier < counted
        assert "brought forward to the working day before (closed_day: bring-forward)" in why.sentence()
    else:
        # push-back, or bring-forward with no working day between the event and the date counted
        assert due == timescales.working_day_after(counted, cal) > counted
        assert "working day after" in why.sentence()


def test_bring_forward_with_no_room_moves_to_the_working_day_after():
    # 1 day after Friday 4 December 2026 is Saturday 5 December; the working day before that is the event itself.
    england = profile.load("england")
    rule = dataclasses.replace(england.rule("first-review"), amount=1, unit="days")
    due, why = timescales.due_by(england, rule, date(2026, 12, 4))
    assert due == date(2026, 12, 7)
    assert why.moving() == (
        "Saturday 5 December 2026 is not a working day (Saturday): no working day comes between the initial child "
        "protection conference and it to bring it forward to, so it moves to the working day after "
        "(closed_day: bring-forward)"
    )


def test_a_review_on_new_years_day_in_each_closed_day_choice(tmp_path, monkeypatch):
    # First review 3 months after Friday 1 October 2027: Saturday 1 January 2028, then Monday 3 January is the
    # substitute bank holiday.
    event = date(2027, 10, 1)
    found = {}
    for policy in CLOSED_DAYS:
        override = tmp_path / f"{policy}.yaml"
        override.write_text(f"closed_day: {policy}\n", encoding="utf-8")
        due, why = timescales.due(profile.load("england", override_path=override), "first-review", event)
        found[policy] = due
        assert why.origin == "packaged profile england.yaml"
    assert found == {
        "bring-forward": date(2027, 12, 31),
        "push-back": date(2028, 1, 4),
        "keep": date(2028, 1, 1),
    }


def test_a_rule_may_choose_for_itself(tmp_path):
    override = tmp_path / "rules.yaml"
    override.write_text("closed_day: keep\nrules:\n  later-review: {closed_day: push-back}\n", encoding="utf-8")
    england = profile.load("england", override_path=override)
    assert england.closed_day == "keep"
    assert england.rule("later-review").closed_day == "push-back"
    assert england.rule("first-review").closed_day == "keep"
    assert timescales.due(england, "later-review", date(2027, 7, 1))[0] == date(2028, 1, 4)
    assert timescales.due(england, "first-review", date(2027, 10, 1))[0] == date(2028, 1, 1)


@settings(deadline=None, max_examples=60)
@given(
    name=PROFILES,
    held=starts,
    gaps=st.lists(st.integers(min_value=1, max_value=60), max_size=4),
    frequency=st.none() | st.tuples(st.integers(min_value=1, max_value=30), units),
)
def test_every_deadline_of_a_case_falls_on_a_working_day(name, held, gaps, frequency):
    # A child with a plan, core groups and visits on any days, and any frequency the plan sets for the lead
    # worker's visits: no deadline falls on a weekend or a bank holiday.
    from cpctl.casework import schedule
    from cpctl.store.models import CaseEvent, Child, Plan

    loaded = profile.load(name)
    child = Child(id=1, ref="SYN-1", given_name="Syn", family_name="Thetic", date_of_birth=date(1990, 1, 1))
    plan = Plan(
        id=1, child_id=1, number=1, started_on=held, start_conference_id=1, lead_worker_id=1, initial_categories="[]"
    )
    events = [
        CaseEvent(id=1, child_id=1, plan_id=1, kind="conference", detail="initial", happened_on=held, conference_id=1)
    ]
    on = held
    for number, gap in enumerate(gaps, start=2):
        on += timedelta(days=gap)
        kind = "visit" if number % 2 else "core-group"
        events.append(CaseEvent(id=number, child_id=1, plan_id=1, kind=kind, happened_on=on))
    for item in schedule.compute(child, [plan], events, loaded, {1: frequency}):
        assert loaded.calendar.is_working_day(item.due_on), item.explanation["sentence"]
