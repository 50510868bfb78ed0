"""A `Year` of figures built by hand, whose every number is known: what the annual report's tests draw."""

from __future__ import annotations

from datetime import date, timedelta

from cpctl.returns.figures import Breakdown, Figures, Indicator, NationalFigure, Year

ENGLAND_ICPC = NationalFigure(81.4, "2024-25", "DfE, Children in need 2025 (year to 31 March 2025)")
AUTHORITY = "Testwoods Borough Council"
# (on time, counted) each month, April to March, for the initial conferences; January counts none.
ICPC_MONTHS = ((4, 4), (5, 6), (3, 4), (4, 4), (5, 5), (3, 4), (4, 4), (6, 7), (4, 5), (0, 0), (4, 4), (5, 5))
REVIEW_MONTHS = ((9, 10),) * 12
LENGTHS = (
    ("Under 3 months", 12),
    ("3 to 6 months", 9),
    ("6 to 12 months", 11),
    ("1 to 2 years", 5),
    ("2 years or more", 3),
)
CATEGORIES = (("Neglect", 21), ("Emotional abuse", 17), ("Physical abuse", 5), ("Sexual abuse", 2), ("Multiple", 3))
ENGLAND_CATEGORIES = (
    ("Neglect", 49.4), ("Emotional abuse", 38.5), ("Physical abuse", 6.4), ("Sexual abuse", 3.6), ("Multiple", 2.1),
)  # fmt: skip


def indicators(icpc: tuple[int, int], review: tuple[int, int], *, started: int = 48) -> tuple[Indicator, ...]:
    return (
        Indicator(
            "initial-conference-timely",
            "Initial conferences within 15 working days of the strategy discussion",
            "percent",
            numerator=icpc[0],
            denominator=icpc[1],
            national=ENGLAND_ICPC,
            higher_is_better=True,
            note="Conferences without a strategy discussion recorded are left out.",
        ),
        Indicator(
            "review-timely",
            "Review conferences held on time",
            "percent",
            numerator=review[0],
            denominator=review[1],
            higher_is_better=True,
        ),
        Indicator(
            "plans-ended-3-months",
            "Plans ended within 3 months",
            "percent",
            numerator=3,
            denominator=40,
            national=NationalFigure(15.9, "2024-25", "DfE, Children in need 2025"),
        ),
        Indicator("second-plan", "Second or later plans", "percent", numerator=0, denominator=0),
        Indicator("plans-started", "Plans started", "count", number=started),
    )


def figures(start: date, end: date, icpc: tuple[int, int], review: tuple[int, int], **kw: object) -> Figures:
    return Figures(
        start=start,
        end=end,
        jurisdiction="england",
        authority=AUTHORITY,
        indicators=indicators(icpc, review),
        **kw,  # type: ignore[arg-type]
    )


def month_starts(year: int) -> list[date]:
    return [date(year - 1 + (m < 4), m, 1) for m in (*range(4, 13), 1, 2, 3)]


def a_year(year: int = 2026, *, groups: bool = False) -> Year:
    icpc = (sum(n for n, _ in ICPC_MONTHS), sum(d for _, d in ICPC_MONTHS))
    review = (sum(n for n, _ in REVIEW_MONTHS), sum(d for _, d in REVIEW_MONTHS))
    whole = figures(
        date(year - 1, 4, 1),
        date(year, 3, 31),
        icpc,
        review,
        breakdowns=(
            Breakdown("open-plans-by-length", "Open plans by length at 31 March", LENGTHS),
            Breakdown("categories", "Categories of plans started", CATEGORIES, ENGLAND_CATEGORIES, "DfE 2024-25"),
        ),
    )
    starts = month_starts(year)
    ends = [*(s - timedelta(days=1) for s in starts[1:]), date(year, 3, 31)]
    months = tuple(figures(s, e, i, r) for s, e, i, r in zip(starts, ends, ICPC_MONTHS, REVIEW_MONTHS, strict=True))
    chairs = ()
    if groups:
        chairs = (
            figures(whole.start, whole.end, (30, 32), (60, 66), group_by="chair", group="Alex Morgan"),
            figures(whole.start, whole.end, (17, 20), (48, 54), group_by="chair", group="Sam Patel"),
        )
    return Year(label=f"{year - 1}-{str(year)[2:]}", whole=whole, months=months, groups=chairs)
