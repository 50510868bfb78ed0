"""Dates as people type them and as British readers expect to see them."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from cpctl.errors import Invalid

ACCEPTED_FORMS = "YYYY-MM-DD (2027-01-05), DD/MM/YYYY (05/01/2027), 'today' or 'tomorrow'"

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str, *, today: date | None = None, what: str = "date") -> date:
    """Read a date typed by a person; refuse anything ambiguous with the forms cpctl accepts."""
    value = (text or "").strip()
    today = today or date.today()
    lowered = value.lower()
    if lowered == "today":
        return today
    if lowered == "tomorrow":
        return today + timedelta(days=1)
    match = _ISO.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _UK.match(value)
        if not match:
            raise Invalid(f"{what} {_shown(value)} is not a date: use {ACCEPTED_FORMS}.")
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise Invalid(f"{what} {_shown(value)} is not a real date: use {ACCEPTED_FORMS}.") from None


def _shown(value: str) -> str:
    """Quote a typed value for an error line, cut short and stripped of control characters."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in value)
    if len(clean) > 40:
        clean = clean[:37] + "..."
    return repr(clean)


def british(day: date | None) -> str:
    """Tuesday 5 January 2027."""
    if day is None:
        return ""
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_british(day: date | None) -> str:
    """5 Jan 2027."""
    if day is None:
        return ""
    return f"{day.day} {day:%b %Y}"


def age_on(birth: date, on: date) -> int:
    """Whole years between a date of birth and a day."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def utc_now_iso() -> str:
    """The current instant as an ISO 8601 UTC string with microseconds (sortable as text)."""
    from datetime import UTC

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
