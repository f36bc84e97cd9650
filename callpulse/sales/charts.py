"""Charts as inline SVG rendered on the server (no JavaScript chart library).

The markup is built with `format_html`, so names and labels are escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from callpulse.core.money import format_money
from callpulse.sales.selectors import Row
from callpulse.sales.targets import cumulative_plan, fact_until
from callpulse.sales.workdays import each_day

WIDTH, HEIGHT, PAD = 640, 240, 36
# Rough width of one character of the 12px chart text in viewBox units (Cyrillic is wide).
CHAR_W = 7.4
# Gap between a y-axis amount and the axis (the tick text ends 6 units left of it) plus a margin.
TICK_GAP = 10
LABEL_MIN, LABEL_MAX = 80, 240
VALUE_MIN = 84


def text_width(text: str) -> int:
    """Room one line of chart text takes, overestimated so that it never runs off the SVG."""
    return math.ceil(len(text) * CHAR_W)


def whole_money(amount: Decimal) -> str:
    """An amount for a chart: grouped, with the currency sign, without cents."""
    return format_money(
        amount.quantize(Decimal(1), rounding=ROUND_HALF_UP), settings.CALLPULSE_CURRENCY
    )


def _points(
    values: Sequence[tuple[int, Decimal]], days: int, top: Decimal, *, left: int = PAD
) -> str:
    span_x = (WIDTH - left - PAD) / max(days - 1, 1)
    span_y = float(HEIGHT - 2 * PAD)
    return " ".join(
        f"{left + i * span_x:.1f},{HEIGHT - PAD - float(v / top) * span_y:.1f}" for i, v in values
    )


def _legend(x: int, y: int, entries: Sequence[tuple[str, str]]) -> SafeString:
    """Colour swatches with their labels in one line; entries are (swatch class, label)."""
    items = []
    for swatch, label in entries:
        items.append((x, y - 9, swatch, x + 16, y, label))
        x += 16 + int(len(label) * CHAR_W) + 18
    return format_html_join(
        "",
        '<rect x="{}" y="{}" width="12" height="10" class="swatch {}"/>'
        '<text x="{}" y="{}" class="legend">{}</text>',
        items,
    )


def cumulative_chart(row: Row, start: date, end: date, *, title: str) -> SafeString:
    """Cumulative plan (even over working days) vs cumulative fact up to today."""
    days = list(each_day(start, end))
    plan = [(i, cumulative_plan(row.amount, row.working_days, d)) for i, d in enumerate(days)]
    fact = [(i, fact_until(row.daily, d)) for i, d in enumerate(days) if d <= row.today]
    top = max([row.amount, *(value for _i, value in fact), Decimal(1)])
    shares = (0, 0.25, 0.5, 0.75, 1)
    amounts = [whole_money(top * Decimal(share)) for share in shares]
    # The left margin holds the longest y-axis amount: a constant clipped plans of 100 million.
    left = max(PAD, max(text_width(a) for a in amounts) + TICK_GAP)
    base = HEIGHT - PAD
    span_y = HEIGHT - 2 * PAD
    today_x = left + (WIDTH - left - PAD) * (max((row.today - start).days, 0)) / max(
        len(days) - 1, 1
    )
    ticks = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="grid-line"/>'
        '<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>',
        (
            (
                left,
                f"{base - share * span_y:.1f}",
                WIDTH - PAD,
                f"{base - share * span_y:.1f}",
                left - 6,
                f"{base - share * span_y + 4:.1f}",
                amount,
            )
            for share, amount in zip(shares, amounts, strict=True)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="100%" '
        'aria-label="{title}"><title>{title}</title>'
        "{ticks}"
        '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" class="axis"/>'
        '<line x1="{left}" y1="{pad}" x2="{left}" y2="{base}" class="axis"/>'
        '<line x1="{tx}" y1="{pad}" x2="{tx}" y2="{base}" class="today"/>'
        '<polyline class="plan" fill="none" points="{plan}"/>'
        '<polyline class="fact" fill="none" points="{fact}"/>'
        "{legend}"
        '<text x="{left}" y="{bottom}" class="tick">{first}</text>'
        '<text x="{right}" y="{bottom}" class="tick" text-anchor="end">{last}</text>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        title=title,
        ticks=ticks,
        left=left,
        pad=PAD,
        base=base,
        right=WIDTH - PAD,
        tx=f"{today_x:.1f}",
        plan=_points(plan, len(days), top, left=left),
        fact=_points(fact, len(days), top, left=left),
        legend=_legend(
            left,
            PAD - 16,
            [("swatch-plan-line", _("plan, cumulative")), ("swatch-fact", _("fact, cumulative"))],
        ),
        bottom=HEIGHT - PAD + 18,
        first=start.strftime("%d.%m"),
        last=end.strftime("%d.%m"),
    )


def _label(name: str, room: int) -> str:
    """The name cut with an ellipsis to fit `room` characters."""
    return name if len(name) <= room else name[: max(room - 1, 1)].rstrip() + "…"


def comparison_bars(rows: Sequence[Row], *, title: str) -> SafeString:
    """One pair of bars per row: plan to date (expected) and fact, scaled to the largest.

    The label column is as wide as the longest name (roughly, by characters) within bounds;
    longer names are cut with an ellipsis and shown whole in a tooltip.
    """
    if not rows:
        return SafeString("")
    bar_h, gap, legend_h = 14, 12, 26
    longest = max(len(r.name) for r in rows)
    label_w = int(min(max(longest * CHAR_W + 12, LABEL_MIN), LABEL_MAX))
    room = int((label_w - 12) / CHAR_W)
    height = legend_h + len(rows) * (2 * bar_h + gap) + 8
    top = max([*(r.expected for r in rows), *(r.fact for r in rows), Decimal(1)])
    # Room right of the longest bar for its amount, as wide as the longest amount needs.
    value_w = max(
        VALUE_MIN,
        max(text_width(whole_money(a)) for r in rows for a in (r.expected, r.fact)) + TICK_GAP,
    )
    usable = WIDTH - label_w - value_w

    def bars() -> SafeString:
        items = []
        for i, row in enumerate(rows):
            y = legend_h + i * (2 * bar_h + gap)
            plan_w = float(row.expected / top) * usable
            fact_w = float(row.fact / top) * usable
            items.append(
                (
                    row.name,
                    y + bar_h + 4,
                    _label(row.name, room),
                    label_w,
                    y,
                    f"{plan_w:.1f}",
                    bar_h,
                    f"{label_w + plan_w + 4:.1f}",
                    y + bar_h - 3,
                    whole_money(row.expected),
                    label_w,
                    y + bar_h,
                    f"{fact_w:.1f}",
                    bar_h,
                    row.light,
                    f"{label_w + fact_w + 4:.1f}",
                    y + 2 * bar_h - 3,
                    whole_money(row.fact),
                )
            )
        return format_html_join(
            "",
            '<g class="bar-row"><title>{}</title>'
            '<text x="0" y="{}" class="tick">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" class="bar-plan"/>'
            '<text x="{}" y="{}" class="value">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" class="bar-fact light-{}"/>'
            '<text x="{}" y="{}" class="value">{}</text></g>',
            items,
        )

    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="100%" aria-label="{title}">'
        "<title>{title}</title>{legend}{bars}</svg>",
        w=WIDTH,
        h=height,
        title=title,
        legend=_legend(
            label_w,
            14,
            [
                ("bar-plan", _("plan to date")),
                ("bar-fact", _("fact to date, coloured by the light")),
            ],
        ),
        bars=bars(),
    )
