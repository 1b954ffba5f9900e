"""Bar charts as plain geometry for the SVG templates (templates/reports/_charts.html).

Charts are drawn on a 360-unit-wide canvas (the width of a small phone) and scale with the
page through `viewBox`. The server works out every rectangle and label here, so the page needs
no script and no chart library; the same numbers are always also given in a table.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

WIDTH = 360
BAR_SPACE = 290  # the longest bar; the rest of the row is for its number
LABEL_UNITS = 44  # about one line of 13-unit text across the canvas (a CJK character counts 2)
MAX_BARS = 12


@dataclass
class Shape:
    x: float
    y: float
    width: float
    height: float
    css: str
    text: str = ""
    text_x: float = 0
    text_y: float = 0


@dataclass
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass
class Chart:
    chart_id: str
    title: str
    desc: str
    height: float
    width: int = WIDTH
    shapes: list[Shape] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    legend: list[Shape] = field(default_factory=list)
    axis_y: float | None = None
    empty: bool = False


def text_units(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shorten(text: str, units: int = LABEL_UNITS) -> str:
    """Cut a label to fit one line, with an ellipsis."""
    if text_units(text) <= units:
        return text
    kept, used = [], 0
    for ch in text:
        used += text_units(ch)
        if used > units - 2:
            break
        kept.append(ch)
    return "".join(kept) + "…"


def _bar_length(value: float, largest: float) -> float:
    if not value or not largest:
        return 0
    return max(1.0, round(BAR_SPACE * value / largest, 1))


def horizontal_bars(chart_id: str, title: str, desc: str, items: Sequence[tuple[str, Sequence[float | None]]],
                    series: Sequence[tuple[str, str]], value_text: Callable[[float | None], str] = str,
                    largest: float | None = None, limit: int = MAX_BARS) -> Chart:
    """One row per item: its label on a line, then one bar per series under it.

    `items` are (label, values in series order); `series` are (name, CSS class). At most `limit`
    rows are drawn (the caller orders them); `largest` fixes the scale (100 for percentages).
    """
    items = list(items)[:limit]
    values = [v for _, row in items for v in row if v is not None]
    largest = largest or (max(values) if values else 0)
    chart = Chart(chart_id=chart_id, title=title, desc=desc, height=0, empty=not items)
    y = 0.0
    if len(series) > 1:
        x = 0.0
        for name, css in series:
            chart.legend.append(Shape(x=x, y=4, width=12, height=12, css=css, text=name, text_x=x + 16, text_y=14))
            x += 16 + 7 * text_units(name) + 18
        y = 24.0
    for label, row in items:
        chart.labels.append(Label(x=0, y=y + 14, text=shorten(label)))
        for index, (value, (_, css)) in enumerate(zip(row, series, strict=True)):
            top = y + 20 + index * 15
            length = _bar_length(value or 0, largest)
            chart.shapes.append(Shape(x=0, y=top, width=length, height=12, css=css, text=value_text(value),
                                      text_x=length + 4, text_y=top + 10))
        y += 20 + 15 * len(series) + 8
    chart.height = max(y, 24)
    return chart


def columns(chart_id: str, title: str, desc: str, items: Sequence[tuple[str, int]], css: str = "chart-bar") -> Chart:
    """Vertical bars in order (months): a label under every few, the number over each when they fit."""
    height, top, bottom, left, right = 200, 18, 176, 2, WIDTH - 2
    chart = Chart(chart_id=chart_id, title=title, desc=desc, height=height, empty=not items, axis_y=bottom)
    if not items:
        return chart
    largest = max(value for _, value in items) or 1
    slot = (right - left) / len(items)
    every = math.ceil(len(items) / 6)
    show_values = len(items) <= 18
    for index, (label, value) in enumerate(items):
        bar = round(slot * 0.7, 1)
        x = round(left + index * slot + (slot - bar) / 2, 1)
        length = round((bottom - top) * value / largest, 1) if value else 0
        chart.shapes.append(Shape(x=x, y=bottom - length, width=bar, height=length, css=css,
                                  text=str(value) if show_values else "", text_x=x + bar / 2,
                                  text_y=bottom - length - 4))
        if index % every == 0:
            # The first and last labels are anchored inwards so they never run off the canvas.
            anchor = "start" if index == 0 else "end" if index == len(items) - 1 else "middle"
            x_label = left if anchor == "start" else right if anchor == "end" else left + index * slot + slot / 2
            chart.labels.append(Label(x=round(x_label, 1), y=bottom + 16, text=label, anchor=anchor))
    return chart
