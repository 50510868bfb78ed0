"""Timescale arithmetic: when a step is due, counted in one nation's working days, days, weeks or months.

A due date is the last day a procedure allows ("within 10 working days of the conference"):

- ``working-days``: weekends and the nation's bank holidays do not count. With the ``event`` reading (the
  default) the event is day 0 and the due date is the Nth working day after it; with the ``day-one`` reading
  (the DfE census validator's) the event counts as day 1 when it is itself a working day. Either way a
  working-day due date is always a working day.
- ``days`` and ``weeks``: the event date plus that many calendar days.
- ``months``: calendar months, clamped to the end of a shorter month (30 Nov + 3 months = 28 Feb, or 29 Feb
  in a leap year).

A rule may count back from its event instead (``before: conference``: "3 working days before the review
conference"): the event is day 0 whatever the reading, the due date is the Nth working day before it (or the
event date less that many days, weeks or months), and a calendar-unit date on a closed day always moves earlier,
to the working day before, unless the rule keeps it: a step due before a meeting must be done before it.

A calendar-unit date that falls on a weekend or a bank holiday (a closed day) is moved as the profile's
``closed_day`` says, for the whole profile or for one rule (`cpctl.rules.calendar.CLOSED_DAYS`):

- ``bring-forward`` (the default): to the working day before, so that the step can happen within the rule. If
  no working day comes between the event and that date ("1 day" after a Friday), there is no earlier day to
  move to, so it goes to the working day after instead.
- ``push-back``: to the working day after.
- ``keep``: left where it falls; the `Explanation` then names the working day before it, so a person can act.

Either way the `Explanation` says when a date was moved and why. `add` is the counting alone, before any move.

The calendars (weekends and bank holidays) and the units are in `cpctl.rules.calendar`. Heavy libraries
(holidays, dateutil) are imported on first use, so importing this module stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from cpctl.dates import british, short_british
from cpctl.errors import Invalid
from cpctl.rules.calendar import CLOSED_DAYS, READINGS, UNITS, Calendar

if TYPE_CHECKING:
    from cpctl.rules.profile import Profile, Rule

_UNIT_WORDS = {
    "working-days": ("working day", "working days"),
    "days": ("day", "days"),
    "weeks": ("week", "weeks"),
    "months": ("month", "months"),
}


def timescale_words(amount: int, unit: str) -> str:
    """'10 working days', '1 month'."""
    one, many = _UNIT_WORDS[unit]
    return f"{amount} {one if amount == 1 else many}"


def add(start: date, amount: int, unit: str, calendar: Calendar, day_zero: str = "event") -> date:
    """The due date `amount` `unit`s after `start`, by `calendar`; `day_zero` only changes working days."""
    _check(amount, unit, day_zero)
    if unit == "working-days":
        return _working_days_after(start, amount, calendar, day_zero)
    if unit == "days":
        return start + timedelta(days=amount)
    if unit == "weeks":
        return start + timedelta(weeks=amount)
    from dateutil.relativedelta import relativedelta

    result: date = start + relativedelta(months=amount)
    return result


def subtract(end: date, amount: int, unit: str, calendar: Calendar) -> date:
    """The date `amount` `unit`s before `end` (the event is day 0): the Nth working day before it, or so many days,
    weeks or calendar months earlier (31 May - 3 months = 28 Feb)."""
    _check(amount, unit, "event")
    if unit == "working-days":
        day = end
        remaining = amount
        while remaining:
            day -= timedelta(days=1)
            if calendar.is_working_day(day):
                remaining -= 1
        return day
    if unit == "days":
        return end - timedelta(days=amount)
    if unit == "weeks":
        return end - timedelta(weeks=amount)
    from dateutil.relativedelta import relativedelta

    result: date = end - relativedelta(months=amount)
    return result


def _check(amount: int, unit: str, day_zero: str) -> None:
    if unit not in UNITS:
        raise Invalid(f"unknown unit {unit!r}: use one of {', '.join(UNITS)}.")
    if day_zero not in READINGS:
        raise Invalid(f"unknown day-zero reading {day_zero!r}: use one of {', '.join(READINGS)}.")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise Invalid(f"a timescale must be a whole number of 1 or more, not {amount!r}.")


def _working_days_after(start: date, amount: int, calendar: Calendar, day_zero: str) -> date:
    remaining = amount
    if day_zero == "day-one" and calendar.is_working_day(start):
        remaining -= 1
    day = start
    while remaining:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def skipped_holidays(
    start: date, due: date, calendar: Calendar, day_zero: str = "event"
) -> tuple[tuple[date, str], ...]:
    """The bank holidays on weekdays that a working-day count from `start` to `due` passed over."""
    first = start if day_zero == "day-one" else start + timedelta(days=1)
    found = []
    day = first
    while day <= due:
        name = calendar.holiday(day)
        if name is not None and day.weekday() < 5:
            found.append((day, name))
        day += timedelta(days=1)
    return tuple(found)


def working_day_before(day: date, calendar: Calendar) -> date:
    """The last working day before `day`."""
    day -= timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_day_after(day: date, calendar: Calendar) -> date:
    """The first working day after `day`."""
    day += timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def on_working_day(counted: date, event_date: date, calendar: Calendar, closed_day: str) -> date:
    """Where a calendar-unit date lands by the `closed_day` choice when it falls on a closed day (see above)."""
    if closed_day not in CLOSED_DAYS:
        raise Invalid(f"unknown closed_day {closed_day!r}: use one of {', '.join(CLOSED_DAYS)}.")
    if closed_day == "keep" or calendar.is_working_day(counted):
        return counted
    if closed_day == "bring-forward":
        before = working_day_before(counted, calendar)
        if before > event_date:
            return before
    return working_day_after(counted, calendar)


def closed_because(day: date, calendar: Calendar) -> tuple[str, ...]:
    """Why `day` is not a working day ("Saturday", "New Year Holiday"); empty if it is one."""
    reasons = []
    if day.weekday() >= 5:
        reasons.append(f"{day:%A}")
    name = calendar.holiday(day)
    if name is not None:
        reasons.append(name)
    return tuple(reasons)


@dataclass(frozen=True)
class Explanation:
    """How a due date was reached: enough to say "due ...: N units after X on ..., skipping ...; rule ..."."""

    profile: str
    rule: str
    amount: int
    unit: str
    after: str  # the event's key in the profile, e.g. "conference"
    event: str  # the event in the profile's own words, e.g. "Child Protection Planning Meeting"
    event_date: date
    event_is_working_day: bool
    due: date
    day_zero: str  # the reading in force; only working days depend on it
    skipped: tuple[tuple[date, str], ...]  # bank holidays on weekdays that the count passed over
    closed: tuple[str, ...]  # why `due` is not a working day (calendar units only); empty if it is one
    working_day_before: date | None  # the last working day before `due` when `due` is not a working day
    source: str
    note: str | None
    origin: str  # where the rule's values came from: the packaged profile or an override file
    closed_day: str = "keep"  # what the rule does with a calendar-unit date on a closed day (CLOSED_DAYS)
    moved_from: date | None = None  # the date counted, when it fell on a closed day and was moved to `due`
    moved_because: tuple[str, ...] = ()  # why `moved_from` is not a working day
    direction: str = "after"  # "before" for a rule that counts back from its event (`after` then names that event)

    def timescale(self) -> str:
        """'10 working days', '1 month'."""
        return timescale_words(self.amount, self.unit)

    def counting(self) -> str:
        """'10 working days after the conference on Friday 18 December 2026 (the conference day is day 0)'."""
        text = f"{self.timescale()} {self.direction} the {self.event} on {british(self.event_date)}"
        if self.unit != "working-days":
            return text
        if self.direction == "before":
            return f"{text} (that day is day 0)"
        if self.day_zero == "event":
            return f"{text} (that day is day 0)"
        if not self.event_is_working_day:
            return f"{text} (that day would count as day 1, but it is not a working day)"
        return f"{text} (that day counts as day 1)"

    def skipping(self) -> str:
        """ "Christmas Day on 25 Dec 2026, New Year's Day on 1 Jan 2027", or "" when none were skipped."""
        return ", ".join(f"{name} on {short_british(day)}" for day, name in self.skipped)

    def moving(self) -> str:
        """ "Sunday 28 February 2027 is not a working day (Sunday): brought forward to the working day before
        (closed_day: bring-forward)", or "" when the date was not moved."""
        if self.moved_from is None:
            return ""
        text = f"{british(self.moved_from)} is not a working day ({', '.join(self.moved_because)}): "
        if self.due < self.moved_from:
            text += "brought forward to the working day before"
            if self.direction == "before":
                return f"{text}, so that it is done before the {self.event}"
        elif self.closed_day == "bring-forward":
            text += (
                f"no working day comes between the {self.event} and it to bring it forward to, so it moves to the "
                "working day after"
            )
        else:
            text += "moved to the working day after"
        return f"{text} (closed_day: {self.closed_day})"

    def sentence(self) -> str:
        """The whole explanation on one line."""
        parts = [f"due {british(self.due)}: {self.counting()}"]
        if self.skipped:
            parts.append(f", skipping {self.skipping()}")
        if self.moved_from is not None:
            parts.append(f"; {self.moving()}")
        if self.closed and self.working_day_before is not None:
            parts.append(
                f"; that is not a working day ({', '.join(self.closed)}): the working day before it is "
                f"{british(self.working_day_before)}"
            )
        parts.append(f"; rule {self.rule}, {self.source}")
        return "".join(parts)


def due(profile: Profile, rule: str, event_date: date) -> tuple[date, Explanation]:
    """When `rule` of `profile` falls due after an event on `event_date`, and how that was worked out."""
    return due_by(profile, profile.rule(rule), event_date)


def due_by(profile: Profile, found: Rule, event_date: date) -> tuple[date, Explanation]:
    """When `found` (a rule of `profile`, or one made from it such as a plan's own visiting frequency) falls due
    after an event on `event_date`, and how that was worked out."""
    calendar = profile.calendar
    before = found.direction == "before"
    working = found.unit == "working-days"
    if before:
        counted = subtract(event_date, found.amount, found.unit, calendar)
        when = counted
        if not working and found.closed_day != "keep" and not calendar.is_working_day(counted):
            when = working_day_before(counted, calendar)  # earlier, never later: the step comes before the event
    else:
        counted = add(event_date, found.amount, found.unit, calendar, profile.day_zero)
        when = counted if working else on_working_day(counted, event_date, calendar, found.closed_day)
    moved = when != counted
    closed = () if working else closed_because(when, calendar)
    if working and before:
        skipped = skipped_holidays(when, event_date - timedelta(days=1), calendar)
    elif working:
        skipped = skipped_holidays(event_date, when, calendar, profile.day_zero)
    else:
        skipped = ()
    explanation = Explanation(
        profile=profile.name,
        rule=found.name,
        amount=found.amount,
        unit=found.unit,
        after=found.after,
        event=profile.event_words(found.after),
        event_date=event_date,
        event_is_working_day=calendar.is_working_day(event_date),
        due=when,
        day_zero="event" if before else profile.day_zero,
        skipped=skipped,
        closed=closed,
        working_day_before=working_day_before(when, calendar) if closed else None,
        source=found.source,
        note=found.note,
        origin=found.origin,
        closed_day=found.closed_day,
        moved_from=counted if moved else None,
        moved_because=closed_because(counted, calendar) if moved else (),
        direction=found.direction,
    )
    return when, explanation
