"""The return's charts as inline SVG, built from :class:`compliance.figures.ChartData`.

Every text placed in the SVG is escaped, and the only texts are codes, fixed titles, numbers
and referral ids (identifiers). Each function returns :class:`markupsafe.Markup`, so Jinja
inserts it as markup without escaping it twice. Sizes are in CSS pixels (96 per inch): a
full-width chart fits the 178 mm text width of an A4 portrait page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup

from compliance.figures import ChartData, DeadlinePoint
from compliance.render.svg_drawing import (
    BAR,
    GRID,
    INK,
    LATE,
    ON_TIME,
    PRIORITY_COLOURS,
    RULE,
    svg_line,
    svg_rect,
    svg_root,
    svg_text,
)

FULL_WIDTH = 660
HALF_WIDTH = 320
MAX_DEADLINE_ROWS = 60
"""Rows of the hours-to-referral chart; beyond that, the referrals slowest against their
deadline are drawn and the chart says how many were left out (the table lists them all)."""


LABEL_CHARACTER_WIDTH = 4.6
"""About the advance of one character at font size 8 (Noto Sans), in SVG units."""


def label_x(start: float, label: str, tick_x: float) -> float:
    """Where a bar's label starts: after the bar, unless it would run across the deadline
    tick, in which case after the tick (a near-deadline referral is what a reader checks)."""
    end = start + len(label) * LABEL_CHARACTER_WIDTH
    if start - 2 <= tick_x <= end + 2:
        return tick_x + 4
    return start


def _nice_max(value: int) -> int:
    """An axis maximum at or above ``value``: 1, 2, 5, 10, 20, 50 ..."""
    if value <= 1:
        return 1
    magnitude = int(10 ** math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover


def _count_ticks(maximum: int) -> list[int]:
    if maximum <= 5:
        return list(range(0, maximum + 1))
    step = _nice_max(math.ceil(maximum / 5))
    return list(range(0, maximum + 1, step))


def horizontal_bars(
    rows: Sequence[tuple[str, int]],
    *,
    label: str,
    width: float = HALF_WIDTH,
    colours: Sequence[str] | None = None,
) -> Markup:
    """One bar per row: a code on the left, the count at the end of the bar."""
    left, right, top, row_height = 46.0, 34.0, 8.0, 20.0
    plot = width - left - right
    maximum = _nice_max(max((count for _, count in rows), default=0))
    height = top + row_height * len(rows) + 24
    parts = []
    axis_y = top + row_height * len(rows)
    for tick in _count_ticks(maximum):
        x = left + plot * tick / maximum
        parts.append(svg_line(x, top, x, axis_y, GRID))
        parts.append(svg_text(x, axis_y + 13, tick, size=8, anchor="middle", fill="#444444"))
    for index, (code, count) in enumerate(rows):
        y = top + row_height * index
        colour = colours[index] if colours else BAR
        parts.append(svg_text(left - 6, y + 14, code, size=9.5, anchor="end", weight="bold"))
        parts.append(svg_rect(left, y + 4, plot * count / maximum, row_height - 8, colour))
        parts.append(svg_text(left + plot * count / maximum + 4, y + 14, count, size=9))
    parts.append(svg_line(left, top, left, axis_y, INK))
    parts.append(svg_line(left, axis_y, left + plot, axis_y, INK))
    return svg_root(width, height, label, parts)


def referrals_by_category(charts: ChartData, *, width: float = HALF_WIDTH) -> Markup:
    rows = [(category.code, count) for category, count in charts.referrals_by_category]
    return horizontal_bars(rows, label="Referrals by category (TC codes)", width=width)


def referrals_by_priority(charts: ChartData, *, width: float = HALF_WIDTH) -> Markup:
    """Three columns, coloured like the priority banners of the referral packs."""
    rows = list(charts.referrals_by_priority)
    left, right, top, bottom = 34.0, 10.0, 16.0, 34.0
    height = 200.0
    plot_w, plot_h = width - left - right, height - top - bottom
    maximum = _nice_max(max((count for _, count in rows), default=0))
    parts = []
    for tick in _count_ticks(maximum):
        y = top + plot_h - plot_h * tick / maximum
        parts.append(svg_line(left, y, left + plot_w, y, GRID))
        parts.append(svg_text(left - 5, y + 3, tick, size=8, anchor="end", fill="#444444"))
    slot = plot_w / max(len(rows), 1)
    for index, (priority, count) in enumerate(rows):
        bar_h = plot_h * count / maximum
        x = left + slot * index + slot * 0.2
        y = top + plot_h - bar_h
        parts.append(svg_rect(x, y, slot * 0.6, bar_h, PRIORITY_COLOURS.get(priority, BAR)))
        parts.append(
            svg_text(x + slot * 0.3, y - 4, count, size=9.5, anchor="middle", weight="bold")
        )
        parts.append(
            svg_text(x + slot * 0.3, top + plot_h + 14, priority.label, size=9, anchor="middle")
        )
        parts.append(
            svg_text(
                x + slot * 0.3,
                top + plot_h + 26,
                priority.value,
                size=7.5,
                anchor="middle",
                fill="#555555",
            )
        )
    parts.append(svg_line(left, top, left, top + plot_h, INK))
    parts.append(svg_line(left, top + plot_h, left + plot_w, top + plot_h, INK))
    return svg_root(width, height, "Referrals by priority", parts)


def _hours_label(value: float) -> str:
    if value < 1:
        return f"{value * 60:.0f} min"
    if value < 100:
        return f"{value:.2f} h".replace(".00 h", " h")
    return f"{value:,.0f} h"


def _selected_points(points: Sequence[DeadlinePoint]) -> tuple[list[DeadlinePoint], int]:
    if len(points) <= MAX_DEADLINE_ROWS:
        return list(points), 0
    slowest = sorted(
        range(len(points)),
        key=lambda i: (-(points[i].hours_taken / max(points[i].hours_allowed, 1e-9)), i),
    )[:MAX_DEADLINE_ROWS]
    return [points[i] for i in sorted(slowest)], len(points) - MAX_DEADLINE_ROWS


def hours_to_referral(charts: ChartData, *, width: float = FULL_WIDTH) -> Markup:
    """Hours from suspicion to referral, per referral, on a log scale, deadline marked."""
    points, left_out = _selected_points(charts.hours_to_referral)
    if not points:
        parts = [
            svg_rect(0.5, 0.5, width - 1, 39, "#f4f4f4", f' stroke="{RULE}"'),
            svg_text(
                width / 2,
                24,
                "No referral of this submission has been referred yet.",
                size=10,
                anchor="middle",
            ),
        ]
        return svg_root(width, 40, "Hours to referral: none referred", parts)
    low = 0.1  # six minutes: anything quicker is drawn at the axis
    high_value = max(max(p.hours_taken for p in points), max(p.hours_allowed for p in points))
    high = 10 ** math.ceil(math.log10(max(high_value * 1.05, 1.0)))
    left, right, top, row_height = 118.0, 64.0, 22.0, 17.0
    plot = width - left - right

    def x_of(hours: float) -> float:
        clamped = min(max(hours, low), high)
        return left + plot * (math.log10(clamped) - math.log10(low)) / (
            math.log10(high) - math.log10(low)
        )

    axis_y = top + row_height * len(points)
    parts = [
        svg_text(
            left,
            12,
            "hours from suspicion formed to referral (log scale)",
            size=8.5,
            fill="#444444",
        )
    ]
    tick = low
    while tick <= high * 1.0001:
        x = x_of(tick)
        parts.append(svg_line(x, top, x, axis_y, GRID))
        parts.append(
            svg_text(x, axis_y + 12, _hours_label(tick), size=8, anchor="middle", fill="#444444")
        )
        tick *= 10
    for index, point in enumerate(points):
        y = top + row_height * index
        referral_id = point.referral_id
        if len(referral_id) > 20:
            referral_id = referral_id[:19] + "\u2026"
        colour = ON_TIME if point.met else LATE
        parts.append(
            svg_rect(4, y + 4, 8, row_height - 8, PRIORITY_COLOURS.get(point.priority, BAR))
        )
        parts.append(svg_text(16, y + 12, referral_id, size=8.5))
        parts.append(
            svg_rect(left, y + 3.5, x_of(point.hours_taken) - left, row_height - 7, colour)
        )
        deadline_x = x_of(point.hours_allowed)
        parts.append(svg_line(deadline_x, y + 1, deadline_x, y + row_height - 1, INK, 2))
        status = "" if point.met else " late"
        label = f"{_hours_label(point.hours_taken)}{status}"
        parts.append(
            svg_text(
                label_x(x_of(point.hours_taken) + 4, label, deadline_x),
                y + 12,
                label,
                size=8,
                fill=colour,
            )
        )
    parts.append(svg_line(left, top, left, axis_y, INK))
    parts.append(svg_line(left, axis_y, left + plot, axis_y, INK))
    legend_y = axis_y + 30
    deadlines = ", ".join(_hours_label(h) for h in sorted({p.hours_allowed for p in points}))
    parts += [
        svg_rect(left, legend_y - 8, 14, 8, ON_TIME),
        svg_text(left + 18, legend_y, "within deadline", size=8.5),
        svg_rect(left + 110, legend_y - 8, 14, 8, LATE),
        svg_text(left + 128, legend_y, "after deadline", size=8.5),
        svg_line(left + 222, legend_y - 10, left + 222, legend_y + 1, INK, 2),
        svg_text(left + 228, legend_y, f"deadline of the priority ({deadlines})", size=8.5),
    ]
    priority_y = legend_y + 15
    x = left
    for priority, colour in PRIORITY_COLOURS.items():
        parts.append(svg_rect(x, priority_y - 8, 8, 8, colour))
        parts.append(svg_text(x + 12, priority_y, priority.label, size=8.5))
        x += 110
    parts.append(
        svg_text(x, priority_y, "(swatch: the referral's priority)", size=8, fill="#555555")
    )
    height = priority_y + 8
    if left_out:
        parts.append(
            svg_text(
                left,
                height + 6,
                f"{left_out} referrals within their deadlines by the widest margin are not "
                "drawn; the Referrals table lists all.",
                size=8.5,
                fill="#444444",
            )
        )
        height += 14
    return svg_root(width, height, "Hours to referral against the deadline", parts)


def removals_referred(charts: ChartData, *, width: float = FULL_WIDTH) -> Markup:
    """One stacked bar: moderation-log removals covered by a referral, and the rest."""
    referred, not_referred = charts.removals_referred, charts.removals_not_referred
    total = referred + not_referred
    left, right = 8.0, 8.0
    plot = width - left - right
    if total == 0:
        parts = [
            svg_rect(0.5, 0.5, width - 1, 39, "#f4f4f4", f' stroke="{RULE}"'),
            svg_text(
                width / 2,
                24,
                "The moderation log of this submission is empty.",
                size=10,
                anchor="middle",
            ),
        ]
        return svg_root(width, 40, "Removals referred: none in the log", parts)
    share = referred / total
    parts = [
        svg_rect(left, 8, plot * share, 26, BAR),
        svg_rect(left + plot * share, 8, plot * (1 - share), 26, LATE),
        svg_rect(left, 8, plot, 26, "none", f' stroke="{INK}" stroke-width="1"'),
    ]
    if referred and share >= 0.12:
        parts.append(
            svg_text(
                left + plot * share / 2,
                25,
                referred,
                size=10,
                anchor="middle",
                weight="bold",
                fill="#ffffff",
            )
        )
    if not_referred and share <= 0.88:
        parts.append(
            svg_text(
                left + plot * (1 + share) / 2,
                25,
                not_referred,
                size=10,
                anchor="middle",
                weight="bold",
                fill="#ffffff",
            )
        )
    parts += [
        svg_rect(left, 46, 14, 9, BAR),
        svg_text(left + 18, 54, f"referred: {referred} ({share:.1%})", size=9),
        svg_rect(left + 200, 46, 14, 9, LATE),
        svg_text(left + 218, 54, f"not referred: {not_referred} ({1 - share:.1%})", size=9),
        svg_text(left + plot, 54, f"removals in the moderation log: {total}", size=9, anchor="end"),
    ]
    return svg_root(width, 64, "Removals referred and not referred", parts)


def all_charts(charts: ChartData) -> dict[str, Markup]:
    """Every chart of the return, by the name the template uses."""
    return {
        "by_category": referrals_by_category(charts),
        "by_priority": referrals_by_priority(charts),
        "hours": hours_to_referral(charts),
        "removals": removals_referred(charts),
    }
