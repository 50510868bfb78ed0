"""Charts for the annual report: small SVG drawings written by hand, each with its text alternative and the table of
the figures it draws.

Hand-written rather than a plotting library's (README, "Why each dependency is there"): the standard library alone,
nothing to import but `html`, and every part of the drawing ours to make accessible. Each chart is an `<svg
role="img">` named by its own `<title>` and `<desc>` through `aria-labelledby`, so that a screen reader reads one
sentence about it and then the table beside it; text stays text (selectable in the PDF Chromium prints); colours
pass WCAG 1.4.11 (3:1 against white, and the text 4.5:1), and no meaning rests on colour alone: every bar carries
its figure, the national figure is hatched or dashed as well as coloured, and named where it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 640
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#1b1b1b"  # text: 17:1 on white
LOCAL = "#1d4f91"  # the authority's own bars: 8.6:1 on white
NATIONAL = "#8a4b00"  # the national figure, hatched or dashed: 6.3:1 on white
GRID = "#767676"  # gridlines and axes: 4.5:1 on white


@dataclass(frozen=True)
class Table:
    """The figures a chart draws, as the table printed below it."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    id: str  # unique in the document: the SVG's title and desc ids are made from it
    title: str
    description: str  # the text alternative: what the chart shows, in a sentence or two
    svg: str  # the drawing, markup ready to inline
    table: Table


@dataclass(frozen=True)
class Column:
    """One month's column: its label, its percentage (None when nothing was counted) and the figure shown on it."""

    label: str
    value: float | None
    shown: str


@dataclass(frozen=True)
class Bar:
    """One row of a bar chart: a label, the authority's value and the text drawn beside the bar; and, where known,
    the national value with its own text."""

    label: str
    value: float
    shown: str
    national: float | None = None
    national_shown: str | None = None


def _open(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{FONT}" font-size="12" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{chart_id}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{NATIONAL}" stroke-width="3"/></pattern></defs>',
    ]


def _text(x: float, y: float, text: str, *, anchor: str = "start", weight: str | None = None) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{bold}>{escape(text)}</text>'


def columns(
    chart_id: str,
    title: str,
    description: str,
    months: list[Column],
    table: Table,
    *,
    reference: tuple[float, str] | None = None,
) -> Chart:
    """A percentage (0 to 100) for each month as a column, its month and its figure written below it (so that no
    line crosses them); a month with nothing counted shows a dash and no column. `reference` (value, label) is the
    national figure, a dashed line labelled at its end."""
    height = 256
    left, right, top, bottom = 44, WIDTH - 96, 12, 200
    parts = _open(chart_id, title, description, height)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(value, 100.0)) / 100.0

    for tick in (0, 25, 50, 75, 100):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.6"/>')
        parts.append(_text(left - 6, y + 4, f"{tick}%", anchor="end"))
    step = (right - left) / max(len(months), 1)
    width = step * 0.62
    for index, month in enumerate(months):
        centre = left + step * (index + 0.5)
        if month.value is not None:
            y = y_of(month.value)
            parts.append(
                f'<rect x="{centre - width / 2:.1f}" y="{y:.1f}" width="{width:.1f}" height="{bottom - y:.1f}" '
                f'fill="{LOCAL}"/>'
            )
        parts.append(_text(centre, bottom + 16, month.label, anchor="middle"))
        parts.append(_text(centre, bottom + 32, month.shown, anchor="middle", weight="bold"))
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{INK}" stroke-width="1"/>')
    if reference is not None:
        value, label = reference
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{NATIONAL}" stroke-width="2" '
            'stroke-dasharray="7 4"/>'
        )
        parts.append(_text(right + 4, y + 4, label))
    if any(m.value is None for m in months):
        parts.append(_text(left, height - 4, "A dash: nothing counted that month."))
    parts.append("</svg>")
    return Chart(chart_id, title, description, "".join(parts), table)


def bars(chart_id: str, title: str, description: str, rows: list[Bar], table: Table, *, scale: float) -> Chart:
    """Horizontal bars, one a row (two where the national value is known: the authority's solid, the nation's
    hatched), each with its figure written after it. Short labels stand to the left of their bars, long ones on a
    line above them. `scale` is the value of a full-length bar."""
    longest = max((len(r.label) for r in rows), default=4)
    above = longest > 28
    left = 12.0 if above else max(12 + 6.6 * longest, 90.0)
    right = WIDTH - 130
    paired = any(r.national is not None for r in rows)
    row_height = (40 if paired else 26) + (18 if above else 0)
    top = 30 if paired else 8
    height = int(top + row_height * max(len(rows), 1) + 8)
    parts = _open(chart_id, title, description, height)
    if paired:
        parts.append(f'<rect x="{left}" y="6" width="14" height="12" fill="{LOCAL}"/>')
        parts.append(_text(left + 20, 16, "This authority"))
        parts.append(
            f'<rect x="{left + 130}" y="6" width="14" height="12" fill="url(#{chart_id}-hatch)" stroke="{NATIONAL}"/>'
        )
        parts.append(_text(left + 150, 16, "National figure"))

    def length(value: float) -> float:
        return (right - left) * max(0.0, value) / scale if scale > 0 else 0.0

    for index, row in enumerate(rows):
        y = top + row_height * index
        if above:
            parts.append(_text(left, y + 13, row.label, weight="bold"))
            y += 18
        else:
            parts.append(_text(left - 8, y + 15, row.label, anchor="end"))
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{length(row.value):.1f}" height="16" fill="{LOCAL}"/>')
        parts.append(_text(left + length(row.value) + 5, y + 16, row.shown))
        if row.national is not None:
            parts.append(
                f'<rect x="{left}" y="{y + 22}" width="{length(row.national):.1f}" height="12" '
                f'fill="url(#{chart_id}-hatch)" stroke="{NATIONAL}"/>'
            )
            parts.append(_text(left + length(row.national) + 5, y + 32, row.national_shown or ""))
    if not above:  # the bars' common start; labels above them would be crossed by it
        parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - 8}" stroke="{INK}" stroke-width="1"/>')
    parts.append("</svg>")
    return Chart(chart_id, title, description, "".join(parts), table)
