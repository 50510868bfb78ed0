"""Calendars and the words of counting: which days are working days in one nation, and the units and readings
a timescale may use.

A `Calendar` is weekends plus the bank holidays of one country (and subdivision) as the holidays library knows
them. `UNITS` are the units a timescale counts in, `READINGS` the two ways of reading the event day when counting
working days, and `CLOSED_DAYS` what becomes of a date counted in calendar units that falls on a weekend or a bank
holiday. Profiles name these and timescales count with them, so they sit below both.

The holidays library is imported on first use, so importing this module stays cheap.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

UNITS = ("working-days", "days", "weeks", "months")
READINGS = ("event", "day-one")
# A calendar-unit date on a closed day: the working day before it (the default), the working day after it, or
# left where it falls.
CLOSED_DAYS = ("bring-forward", "push-back", "keep")


@dataclass(frozen=True)
class Calendar:
    """Weekends plus the bank holidays of one country (and subdivision) as the holidays library knows them."""

    country: str
    subdiv: str | None = None

    @property
    def label(self) -> str:
        """GB-SCT, GG."""
        return f"{self.country}-{self.subdiv}" if self.subdiv else self.country

    def holidays_in(self, year: int) -> Mapping[date, str]:
        """The bank holidays of one year, by date (cached per year)."""
        return _holidays(self.country, self.subdiv, year)

    def holiday(self, day: date) -> str | None:
        """The holiday's name ("Boxing Day (substitute day)"), or None on an ordinary day."""
        return self.holidays_in(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays_in(day.year)


def calendar_problem(country: str, subdiv: str | None) -> str | None:
    """Why the holidays library cannot give this calendar, or None if it can."""
    import holidays

    supported = holidays.list_supported_countries()
    if country not in supported:
        return f"country {country!r} is not known to the holidays library (e.g. GB, GG, JE, IM)"
    subdivisions = supported[country]
    if subdiv is None:
        return None
    if subdiv not in subdivisions:
        known = ", ".join(subdivisions) if subdivisions else "none: leave subdiv empty"
        return f"subdivision {subdiv!r} is not one of {country}'s ({known})"
    return None


@functools.lru_cache(maxsize=512)
def _holidays(country: str, subdiv: str | None, year: int) -> Mapping[date, str]:
    import holidays

    found = holidays.country_holidays(country, subdiv=subdiv, years=year)
    return MappingProxyType({day: _british_name(name) for day, name in found.items() if day.year == year})


def _british_name(name: str) -> str:
    """gov.uk calls a moved bank holiday a "substitute day"; the holidays library says "observed"."""
    return "; ".join(part.replace("(observed)", "(substitute day)") for part in name.split("; "))
