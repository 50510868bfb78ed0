"""The indicators as data: what `cpctl stats` prints and the annual report draws. Plain frozen dataclasses, no
database: `cpctl.returns.stats` fills them from a store, the documents read them.

A percentage indicator keeps its numerator and denominator (the value is derived, never stored on its own), so
that every figure shown can be checked by hand, and a figure for a group (a chair, a team, a worker) adds up to
the whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class NationalFigure:
    """The nation's own figure for an indicator: '81.4%' in '2024-25', from a named publication."""

    value: float  # a percentage (81.4) when the indicator's unit is "percent", else a number
    year: str  # "2024-25"
    source: str  # "DfE, Children in need 2025 (year to 31 March 2025)"
    note: str | None = None  # how it differs from the local measure, if it does


@dataclass(frozen=True)
class Indicator:
    """One indicator over a period: e.g. 47 of 52 initial conferences within 15 working days."""

    key: str  # stable identifier, e.g. "initial-conference-timely"; used in --json, --csv and the report
    label: str  # plain words: "Initial conferences within 15 working days of the strategy discussion"
    unit: str  # "percent" (numerator of denominator), "count", or "days" (a median)
    numerator: int | None = None
    denominator: int | None = None
    number: float | None = None  # the figure itself when the unit is "count" or "days"
    national: NationalFigure | None = None
    higher_is_better: bool | None = None  # None where neither is (plans ended within 3 months)
    note: str | None = None  # how it is counted, in one sentence

    @property
    def value(self) -> float | None:
        """The percentage (0 to 100) for a "percent" indicator with a denominator, else `number`."""
        if self.unit == "percent":
            if not self.denominator or self.numerator is None:
                return None
            return 100.0 * self.numerator / self.denominator
        return self.number


@dataclass(frozen=True)
class Breakdown:
    """A distribution at a moment or over the period: open plans by length, the mix of categories."""

    key: str  # "open-plans-by-length", "categories"
    label: str
    rows: tuple[tuple[str, int], ...]  # (band or category label, count), in display order
    national: tuple[tuple[str, float], ...] | None = None  # (same labels, national percentage), when known
    national_source: str | None = None

    @property
    def total(self) -> int:
        return sum(count for _, count in self.rows)


@dataclass(frozen=True)
class Figures:
    """Every indicator of one period, for the whole store or one group of it."""

    start: date  # first day counted
    end: date  # last day counted (inclusive)
    jurisdiction: str  # "england", "wales", ...
    authority: str
    indicators: tuple[Indicator, ...]
    breakdowns: tuple[Breakdown, ...] = ()
    group_by: str | None = None  # "chair", "team" or "worker" for a group's figures
    group: str | None = None  # that group's name ("Alex Morgan", "North team", "(no team)")

    def indicator(self, key: str) -> Indicator | None:
        return next((i for i in self.indicators if i.key == key), None)

    def breakdown(self, key: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.key == key), None)


@dataclass(frozen=True)
class Year:
    """What the annual report draws: the year's figures, each month's, and the groups'."""

    label: str  # "2025-26" (1 April 2025 to 31 March 2026)
    whole: Figures
    months: tuple[Figures, ...]  # April ... March, each a calendar month (the last may be partial)
    groups: tuple[Figures, ...] = field(default_factory=tuple)  # by chair, when asked for
