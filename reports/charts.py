"""Server-rendered bar charts (issue 21): the geometry of a horizontal bar chart in SVG, drawn by
`templates/reports/includes/chart.html` with `role="img"`, a `<title>` and `aria-labelledby`,
no script and no style attribute (the CSP is unchanged); the table beside it holds the same
bars as text."""

from __future__ import annotations

from dataclasses import dataclass

from reports.selectors import Bar

WIDTH = 640
LABEL_WIDTH = 250
BAR_AREA = 300
ROW_HEIGHT = 30
BAR_HEIGHT = 20
TOP = 10


@dataclass(frozen=True)
class DrawnBar:
    label: str  # the whole label (the table's), for the description and data attributes
    short: str  # as drawn beside the bar
    shown: str
    x: int
    y: int
    width: int
    height: int
    text_y: int
    value_x: int


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    width: int
    height: int
    label_x: int
    bars: list[DrawnBar]


def bar_chart(title: str, bars: list[Bar], *, unit: str) -> Chart:
    """A horizontal bar per `Bar`, scaled to 100 for percentages, else to the largest value."""
    top = 100.0 if unit == "%" else max((bar.value for bar in bars), default=0) or 1
    drawn = []
    for index, bar in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        width = round(BAR_AREA * min(bar.value, top) / top)
        drawn.append(
            DrawnBar(
                label=bar.label, short=_short(bar.label), shown=bar.shown, x=LABEL_WIDTH, y=y,
                width=width, height=BAR_HEIGHT, text_y=y + BAR_HEIGHT - 5,
                value_x=LABEL_WIDTH + width + 6,
            )
        )  # fmt: skip
    description = "; ".join(f"{bar.label}: {bar.shown}" for bar in bars) or "No data"
    return Chart(
        title=title,
        description=description,
        width=WIDTH,
        height=TOP * 2 + max(len(bars), 1) * ROW_HEIGHT,
        label_x=LABEL_WIDTH - 8,
        bars=drawn,
    )


def _short(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
