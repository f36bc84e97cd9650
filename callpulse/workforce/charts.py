"""Charts as inline SVG drawn on the server: no JavaScript library, no CDN, readable in tests.

Each function returns markup that is safe to put in a template (every label is escaped).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import dateformat, formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 960, 280
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 24, 44
# Rough width of one character of the 11px axis text in viewBox units, overestimated (Cyrillic
# is wide), and the gap between an axis label and the axis (the text ends 4 units left of it).
CHAR_W = 7.0
AXIS_GAP = 8


def text_width(text: str) -> int:
    """Room one line of axis text takes, so that margins follow the labels, never clip them."""
    return math.ceil(len(text) * CHAR_W)


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # None: no value in that interval (a gap in the line)
    css: str  # class: colour and style from workforce.css
    bars: bool = False


def number(value: float, digits: int = 2) -> str:
    """A value as the viewer's locale writes it, without needless decimals ("2,5", "12")."""
    rounded = round(float(value), digits)
    text = f"{rounded:.{digits}f}".rstrip("0").rstrip(".")
    decimals = len(text.partition(".")[2])
    return formats.number_format(rounded, decimal_pos=decimals, force_grouping=True)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def line_chart(
    *,
    title: str,
    starts: Sequence[datetime],
    series: Sequence[Series],
    unit: str = "",
    y_label: str = "",
) -> SafeString:
    """Lines (and bars) over interval starts, with a day tick at each local midnight, values on
    the y axis (`unit` appended, `y_label` above them) and a legend of colour swatches."""
    n = len(starts)
    if n == 0:
        return mark_safe(f'<p class="empty">{escape(_("No data to chart yet."))}</p>')
    top = _nice_max(max((v for s in series for v in s.values if v is not None), default=0.0))
    ticks = [(top * k / 4, f"{number(top * k / 4)}{unit}") for k in range(5)]
    # The left margin holds the longest value label ("12 500 calls" would not fit a constant).
    left = max(LEFT, max(text_width(text) for _v, text in ticks) + AXIS_GAP)
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: float) -> float:
        return left + plot_w * i / max(n, 1)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    if y_label:
        parts.append(f'<text class="axis y-label" x="4" y="{TOP - 10}">{escape(y_label)}</text>')
    for value, text in ticks:
        parts.append(
            f'<line class="gridline" x1="{left}" x2="{WIDTH - RIGHT}" '
            f'y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
            f'<text class="axis" x="{left - 4}" y="{y(value) + 4:.1f}" text-anchor="end">'
            f"{escape(text)}</text>"
        )
    previous_day = None
    for i, start in enumerate(starts):
        if start.date() != previous_day:
            previous_day = start.date()
            day = dateformat.format(start, "D d.m")
            # a day that starts near the right edge keeps its label inside the chart
            day_x = min(x(i) + 3, WIDTH - text_width(day))
            parts.append(
                f'<line class="daytick" x1="{x(i):.1f}" x2="{x(i):.1f}" y1="{TOP}" '
                f'y2="{HEIGHT - BOTTOM}"/><text class="axis" x="{day_x:.1f}" '
                f'y="{HEIGHT - BOTTOM + 14}">{escape(day)}</text>'
            )
    width = plot_w / max(n, 1)
    for s in series:
        if s.bars:
            for i, v in enumerate(s.values):
                if v:
                    when = escape(dateformat.format(starts[i], "D H:i"))
                    parts.append(
                        f'<rect class="{s.css}" x="{x(i):.1f}" y="{y(v):.1f}" '
                        f'width="{max(width - 0.5, 0.5):.2f}" height="{y(0) - y(v):.1f}">'
                        f"<title>{escape(s.label)} {when}: "
                        f"{escape(number(v))}{escape(unit)}</title></rect>"
                    )
            continue
        runs: list[list[str]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                runs.append([])
                continue
            runs[-1].append(f"{x(i + 0.5):.1f},{y(v):.1f}")
        for run in runs:
            if run:
                parts.append(f'<polyline class="{s.css}" points="{" ".join(run)}"/>')
    legend_x = left
    shown: set[tuple[str, str]] = set()
    for s in series:
        if (s.label, s.css) in shown:
            continue
        shown.add((s.label, s.css))
        parts.append(
            f'<rect class="{s.css} swatch" x="{legend_x}" y="{HEIGHT - 15}" width="12" '
            f'height="8"/><text class="legend" x="{legend_x + 16}" y="{HEIGHT - 6}">'
            f"{escape(s.label)}</text>"
        )
        legend_x += 24 + 7 * len(s.label)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def heat_map(
    *, title: str, cells: dict[tuple[int, int], float], weekdays: Sequence[str]
) -> SafeString:
    """Weekday (rows) × hour (columns); colour strength is the mean arrivals in that hour, read
    on the colour scale under the grid (fewest to most)."""
    if not cells:
        return mark_safe(f'<p class="empty">{escape(_("No history yet."))}</p>')
    hours = sorted({h for _, h in cells})
    first, last = hours[0], hours[-1]
    columns = list(range(first, last + 1))
    top = max(cells.values()) or 1.0
    cell_w, cell_h, head = 34, 22, 18
    # Weekday names on the left: as wide as the longest in the viewer's language.
    left = max(40, max(text_width(day) for day in weekdays[:7]) + AXIS_GAP)
    width = left + cell_w * len(columns) + 4
    grid_bottom = head + cell_h * 7
    height = grid_bottom + 44
    shown = [cells.get((day, hour), 0.0) for day in range(7) for hour in columns]
    low = min(shown)

    def opacity(value: float) -> float:
        return 0.06 + 0.94 * value / top

    parts = [
        f'<svg class="heatmap" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for j, hour in enumerate(columns):
        parts.append(
            f'<text class="axis" x="{left + j * cell_w + cell_w / 2}" y="12" '
            f'text-anchor="middle">{hour:02d}</text>'
        )
    for day in range(7):
        parts.append(
            f'<text class="axis" x="{left - 6}" y="{head + day * cell_h + 15}" '
            f'text-anchor="end">{escape(weekdays[day])}</text>'
        )
        for j, hour in enumerate(columns):
            value = cells.get((day, hour), 0.0)
            parts.append(
                f'<rect class="heat" x="{left + j * cell_w}" y="{head + day * cell_h}" '
                f'width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill-opacity="{opacity(value):.2f}">'
                f"<title>{escape(weekdays[day])} {hour:02d}:00 — "
                f"{escape(number(value, 1))}</title></rect>"
            )
    # The colour scale: what the lightest and the strongest cell stand for.
    caption = _("Mean calls in the hour")
    low_text, high_text = number(low, 1), number(top, 1)
    scale_y = grid_bottom + 24
    parts.append(
        f'<g class="heat-scale" aria-label="{escape(caption)}">'
        f'<text class="scale-label" x="{left}" y="{grid_bottom + 14}">{escape(caption)}</text>'
        f'<text class="scale-label scale-min" x="{left}" y="{scale_y + 10}">'
        f"{escape(low_text)}</text>"
    )
    steps = 5
    step_x = left + 8 + 7 * len(low_text)
    for k in range(steps):
        value = low + (top - low) * k / (steps - 1)
        parts.append(
            f'<rect class="heat" x="{step_x + k * 16}" y="{scale_y}" width="14" height="12" '
            f'fill-opacity="{opacity(value):.2f}"/>'
        )
    parts.append(
        f'<text class="scale-label scale-max" x="{step_x + steps * 16 + 4}" y="{scale_y + 10}">'
        f"{escape(high_text)}</text></g>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))
