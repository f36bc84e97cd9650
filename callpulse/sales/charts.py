"""Charts as inline SVG rendered on the server (no JavaScript chart library).

The markup is built with `format_html`, so names and labels are escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from callpulse.sales.selectors import Row
from callpulse.sales.targets import cumulative_plan, fact_until
from callpulse.sales.workdays import each_day

WIDTH, HEIGHT, PAD = 640, 240, 36


def _points(values: Sequence[tuple[int, Decimal]], days: int, top: Decimal) -> str:
    span_x = (WIDTH - 2 * PAD) / max(days - 1, 1)
    span_y = float(HEIGHT - 2 * PAD)
    return " ".join(
        f"{PAD + i * span_x:.1f},{HEIGHT - PAD - float(v / top) * span_y:.1f}" for i, v in values
    )


def cumulative_chart(row: Row, start: date, end: date, *, title: str) -> SafeString:
    """Cumulative plan (even over working days) vs cumulative fact up to today."""
    days = list(each_day(start, end))
    plan = [(i, cumulative_plan(row.amount, row.working_days, d)) for i, d in enumerate(days)]
    fact = [(i, fact_until(row.daily, d)) for i, d in enumerate(days) if d <= row.today]
    top = max([row.amount, *(value for _i, value in fact), Decimal(1)])
    today_x = PAD + (WIDTH - 2 * PAD) * (max((row.today - start).days, 0)) / max(len(days) - 1, 1)
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="100%" '
        'aria-label="{title}"><title>{title}</title>'
        '<line x1="{pad}" y1="{base}" x2="{right}" y2="{base}" class="axis"/>'
        '<line x1="{tx}" y1="{pad}" x2="{tx}" y2="{base}" class="today"/>'
        '<polyline class="plan" fill="none" points="{plan}"/>'
        '<polyline class="fact" fill="none" points="{fact}"/>'
        '<text x="{pad}" y="{label_y}" class="legend plan-text">{plan_label}</text>'
        '<text x="{fact_x}" y="{label_y}" class="legend fact-text">{fact_label}</text>'
        '<text x="{pad}" y="{bottom}" class="tick">{first}</text>'
        '<text x="{right}" y="{bottom}" class="tick" text-anchor="end">{last}</text>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        title=title,
        pad=PAD,
        base=HEIGHT - PAD,
        right=WIDTH - PAD,
        tx=f"{today_x:.1f}",
        plan=_points(plan, len(days), top),
        fact=_points(fact, len(days), top),
        label_y=PAD - 14,
        fact_x=PAD + 120,
        plan_label=_("plan"),
        fact_label=_("fact"),
        bottom=HEIGHT - PAD + 18,
        first=start.strftime("%d.%m"),
        last=end.strftime("%d.%m"),
    )


def comparison_bars(rows: Sequence[Row], *, title: str) -> SafeString:
    """One pair of bars per row: plan to date (expected) and fact, scaled to the largest."""
    if not rows:
        return SafeString("")
    bar_h, gap, label_w = 14, 12, 170
    height = len(rows) * (2 * bar_h + gap) + PAD
    top = max([*(r.expected for r in rows), *(r.fact for r in rows), Decimal(1)])
    usable = WIDTH - label_w - PAD

    def bars() -> SafeString:
        items = []
        for i, row in enumerate(rows):
            y = 10 + i * (2 * bar_h + gap)
            items.append(
                (
                    y + bar_h,
                    row.name,
                    label_w,
                    y,
                    f"{float(row.expected / top) * usable:.1f}",
                    bar_h,
                    y + bar_h,
                    f"{float(row.fact / top) * usable:.1f}",
                    row.light,
                )
            )
        return format_html_join(
            "",
            '<text x="0" y="{}" class="tick">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" class="bar-plan"/>'
            '<rect x="' + str(label_w) + '" y="{}" width="{}" height="' + str(bar_h) + '" '
            'class="bar-fact light-{}"/>',
            items,
        )

    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="100%" aria-label="{title}">'
        "<title>{title}</title>{bars}</svg>",
        w=WIDTH,
        h=height,
        title=title,
        bars=bars(),
    )
