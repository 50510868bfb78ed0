"""Dates as people type them: the accepted forms, and refusal of everything else with those forms listed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import typer
from hypothesis import example, given
from hypothesis import strategies as st

from cpctl.commands.common import date_value
from cpctl.dates import ACCEPTED_FORMS, age_on, british, parse_date, short_british
from cpctl.errors import Invalid

TODAY = date(2026, 2, 27)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2027-01-05", date(2027, 1, 5)),
        ("05/01/2027", date(2027, 1, 5)),
        ("5/1/2027", date(2027, 1, 5)),
        ("  today ", TODAY),
        ("Today", TODAY),
        ("TOMORROW", date(2026, 2, 28)),
        ("29/02/2028", date(2028, 2, 29)),
    ],
)
def test_accepted_forms(typed: str, meant: date) -> None:
    assert parse_date(typed, today=TODAY) == meant


@pytest.mark.parametrize(
    ("typed", "line"),
    [
        ("31/02/2026", "date '31/02/2026' is not a real date"),
        ("29/02/2027", "date '29/02/2027' is not a real date"),
        ("2026-13-01", "date '2026-13-01' is not a real date"),
        ("2026-1-5", "date '2026-1-5' is not a date"),
        ("01/05/26", "date '01/05/26' is not a date"),
        ("next tuesday", "date 'next tuesday' is not a date"),
        ("", "date '' is not a date"),
        ("05.01.2027", "date '05.01.2027' is not a date"),
        ("yesterday", "date 'yesterday' is not a date"),
        ("x" * 100, f"date '{'x' * 37}...' is not a date"),
        ("2027\x1b[2J-01-05", "date '2027?[2J-01-05' is not a date"),
    ],
)
def test_refused_forms(typed: str, line: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_date(typed, today=TODAY)
    assert refused.value.message == f"{line}: use {ACCEPTED_FORMS}."


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_every_real_date_reads_back_in_both_forms(day: date) -> None:
    assert parse_date(day.isoformat(), today=TODAY) == day
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year}", today=TODAY) == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}", today=TODAY) == day


@given(st.text(max_size=40))
@example("31/04/2026")
@example("0000-01-01")
def test_anything_else_is_refused_with_the_accepted_forms(typed: str) -> None:
    """Whatever is typed, the option parser gives a date or a usage error listing the forms; nothing else."""
    try:
        day = date_value(typed)
    except typer.BadParameter as refused:
        assert refused.message.endswith(f": use {ACCEPTED_FORMS}.")
        assert "\n" not in refused.message and "\x1b" not in refused.message
    else:
        assert isinstance(day, date)


@given(st.dates(max_value=date(9000, 1, 1)), st.integers(min_value=1, max_value=100))
def test_age_goes_up_on_the_birthday(born: date, years: int) -> None:
    assert age_on(born, born) == 0
    if (born.month, born.day) == (2, 29):  # in other years, the birthday counts from 1 March
        birthday = born.replace(year=born.year + years) if _leap(born.year + years) else date(born.year + years, 3, 1)
    else:
        birthday = born.replace(year=born.year + years)
    assert age_on(born, birthday) == years
    assert age_on(born, birthday - timedelta(days=1)) == years - 1


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def test_british_forms() -> None:
    assert british(date(2027, 1, 5)) == "Tuesday 5 January 2027"
    assert short_british(date(2027, 1, 5)) == "5 Jan 2027"
    assert british(None) == short_british(None) == ""
    assert parse_date("tomorrow", today=date(2026, 12, 31)) == date(2027, 1, 1)
    assert TODAY + timedelta(days=1) == parse_date("tomorrow", today=TODAY)
