"""The sector report's charts: one row per platform, so platforms can be compared at a glance.

Each chart is an HTML table whose rows are platforms (their names are submitted text, set as
table cells where the PDF's text handling, bidi included, applies) and whose middle cell is a
small inline SVG drawn here from numbers only. Bars are shares (100 % stacked) so that a small
platform and a large one compare; the counts are written in the bars and beside them. The
drawing helpers and colours are the quarterly return's (:mod:`compliance.render.svg_drawing`), so
both documents speak the same visual language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from compliance.codes import Category, Priority
from compliance.render.svg_drawing import (
    BAR,
    GRID,
    INK,
    LATE,
    ON_TIME,
    PRIORITY_COLOURS,
    svg_line,
    svg_rect,
    svg_root,
    svg_text,
)

BAR_WIDTH = 330.0
BAR_HEIGHT = 18.0
OUTSTANDING = "#e0a100"
NOT_REFERRED = LATE
CATEGORY_COLOURS: dict[str, str] = {
    # Tableau 10, in an order that keeps neighbouring categories apart; threat in the
    # return's red, so that the gravest category reads the same in both documents.
    Category.INCITEMENT.code: "#4e79a7",
    Category.SOLICITATION.code: "#f28e2b",
    Category.RECRUITMENT.code: "#59a14f",
    Category.INSTRUCTION.code: "#edc948",
    Category.THREAT.code: "#b00020",
    Category.ATTACK_PLANNING.code: "#ff9da7",
    Category.FINANCING.code: "#76b7b2",
    Category.PROSCRIBED_SUPPORT.code: "#9c755f",
    Category.ATTACK_FOOTAGE.code: "#b07aa1",
}
_DARK_TEXT_ON = frozenset({"#edc948", "#ff9da7", "#76b7b2", "#e0a100", "#f28e2b"})


@dataclass(frozen=True)
class Segment:
    label: str
    count: int
    colour: str


@dataclass(frozen=True)
class ChartRow:
    """One platform (or the sector) in a chart: its name, its drawing and a note beside it."""

    name: str
    sector: bool
    drawing: Markup
    note: str


@dataclass(frozen=True)
class Chart:
    axis: Markup
    legend: tuple[Segment, ...]
    rows: tuple[ChartRow, ...]


def stacked_share(segments: Sequence[Segment], *, width: float = BAR_WIDTH) -> Markup:
    """A 100 % bar: each segment's share of the total, its count written in it if it fits."""
    total = sum(segment.count for segment in segments)
    height = BAR_HEIGHT
    if total == 0:
        parts = [
            svg_rect(0.5, 3.5, width - 1, height - 7, "#f4f4f4", f' stroke="{GRID}"'),
            svg_text(width / 2, height / 2 + 3, "none", size=8, anchor="middle", fill="#555555"),
        ]
        return svg_root(width, height, "no rows", parts)
    parts = []
    x = 0.0
    for segment in segments:
        if not segment.count:
            continue
        share = segment.count / total
        span = width * share
        parts.append(svg_rect(x, 2, span, height - 4, segment.colour))
        label = str(segment.count)
        if span >= 7 * len(label) + 4:
            fill = INK if segment.colour in _DARK_TEXT_ON else "#ffffff"
            parts.append(
                svg_text(x + span / 2, height / 2 + 3.2, label, size=8, anchor="middle", fill=fill)
            )
        x += span
    parts.append(svg_rect(0, 2, width, height - 4, "none", f' stroke="{INK}" stroke-width="0.6"'))
    label = ", ".join(f"{segment.label} {segment.count}" for segment in segments)
    return svg_root(width, height, label, parts)


def share_axis(*, width: float = BAR_WIDTH) -> Markup:
    parts = []
    for tick in (0, 25, 50, 75, 100):
        x = min(max(width * tick / 100, 0.5), width - 0.5)
        anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
        parts.append(svg_line(x, 11, x, 15, INK))
        parts.append(svg_text(x, 9, f"{tick} %", size=7.5, anchor=anchor, fill="#444444"))
    return svg_root(width, 15, "share of the platform's total", parts)


def legend(segments: Sequence[Segment], *, width: float = 640) -> Markup:
    """Swatches and labels, wrapped over as many lines as they need."""
    parts, x, y = [], 0.0, 10.0
    for segment in segments:
        span = 16 + 5.2 * len(segment.label) + 14
        if x + span > width and x > 0:
            x, y = 0.0, y + 14
        parts.append(svg_rect(x, y - 8, 11, 9, segment.colour))
        parts.append(svg_text(x + 15, y, segment.label, size=8))
        x += span
    return svg_root(width, y + 4, "legend", parts)


def _hours_x(value: float, width: float) -> float:
    low, high = 0.1, 1000.0
    clamped = min(max(value, low), high)
    return width * (math.log10(clamped) - math.log10(low)) / (math.log10(high) - math.log10(low))


def hours_axis(*, width: float = BAR_WIDTH) -> Markup:
    parts = []
    for tick, text in ((0.1, "6 min"), (1, "1 h"), (10, "10 h"), (100, "100 h"), (1000, "1000 h")):
        x = min(max(_hours_x(tick, width), 0.5), width - 0.5)
        anchor = "start" if tick == 0.1 else "end" if tick == 1000 else "middle"
        parts.append(svg_line(x, 11, x, 15, INK))
        parts.append(svg_text(x, 9, text, size=7.5, anchor=anchor, fill="#444444"))
    return svg_root(width, 15, "hours, log scale", parts)


def median_hours(
    medians: Sequence[tuple[str, float | None]],
    deadlines: dict[str, float],
    *,
    width: float = BAR_WIDTH,
) -> Markup:
    """Median hours to referral per priority (dots) against each priority's deadline (ticks),
    on a log scale: a dot right of its own tick means half of those referrals were late."""
    height = BAR_HEIGHT
    parts = [svg_line(0, height / 2, width, height / 2, GRID)]
    for decade in (1, 10, 100):
        x = _hours_x(decade, width)
        parts.append(svg_line(x, 3, x, height - 3, GRID))
    for priority, allowed in deadlines.items():
        x = _hours_x(allowed, width)
        colour = PRIORITY_COLOURS[Priority(priority)]
        parts.append(svg_line(x, 1, x, height - 1, colour, 2))
    described = []
    for priority, value in medians:
        if value is None:
            continue
        colour = PRIORITY_COLOURS[Priority(priority)]
        x = _hours_x(value, width)
        parts.append(
            f'<circle cx="{x:.2f}" cy="{height / 2:.2f}" r="4.2" fill="{colour}" '
            f'stroke="{INK}" stroke-width="0.6"/>'
        )
        described.append(f"{priority} {value}")
    return svg_root(width, height, "; ".join(described) or "none referred", parts)


DUE_SPAN_DAYS = 30.0
"""The received-against-due chart runs from this many days before the due date to as many
after it; a return later still is drawn at the right edge, with an arrow."""
MISSING_COLOUR = LATE
PENDING_COLOUR = "#8a8a8a"


def _due_x(days: float, width: float) -> float:
    clipped = min(max(days, -DUE_SPAN_DAYS), DUE_SPAN_DAYS)
    return 8 + (width - 16) * (clipped + DUE_SPAN_DAYS) / (2 * DUE_SPAN_DAYS)


def due_axis(*, width: float = BAR_WIDTH) -> Markup:
    parts = []
    for tick in (-30, -15, 0, 15, 30):
        x = _due_x(tick, width)
        text = "due" if tick == 0 else f"{tick:+d} d"
        parts.append(svg_line(x, 11, x, 15, INK))
        anchor = "start" if tick == -30 else "end" if tick == 30 else "middle"
        shift = -4 if tick == -30 else 4 if tick == 30 else 0
        parts.append(svg_text(x + shift, 9, text, size=7.5, anchor=anchor, fill="#444444"))
    return svg_root(width, 15, "days from the due date", parts)


@dataclass(frozen=True)
class DueMark:
    """One quarter of one platform: received ``days`` after its due date (negative: before),
    or not received (``days`` None) with ``status`` saying why."""

    quarter: str
    days: float | None
    status: str
    late_days: int | None = None


def received_against_due(marks: Sequence[DueMark], *, width: float = BAR_WIDTH) -> Markup:
    """Dots at each return's receipt against its due date (the vertical line): green on time,
    red late; a hollow red ring at the right edge for a quarter missing, grey if not yet due."""
    height = BAR_HEIGHT
    parts = [svg_line(0, height / 2, width, height / 2, GRID)]
    due = _due_x(0, width)
    parts.append(svg_line(due, 1, due, height - 1, INK, 1.2))
    described = []
    for mark in marks:
        if mark.days is not None:
            late = (mark.late_days or 0) > 0
            x = _due_x(mark.days, width)
            colour = LATE if late else ON_TIME
            parts.append(
                f'<circle cx="{x:.2f}" cy="{height / 2:.2f}" r="4.2" fill="{colour}" '
                f'stroke="{INK}" stroke-width="0.6"/>'
            )
            if mark.days > DUE_SPAN_DAYS:
                tip, mid = width - 1, height / 2
                parts.append(
                    f'<polygon points="{tip - 5:.2f},{mid - 3.5:.2f} {tip:.2f},{mid:.2f} '
                    f'{tip - 5:.2f},{mid + 3.5:.2f}" fill="{LATE}"/>'
                )
            words = f"{mark.late_days} days late" if late else "on time"
            described.append(f"{mark.quarter} {words}")
        elif mark.status in ("missing", "rejected"):
            x = _due_x(DUE_SPAN_DAYS, width)
            parts.append(
                f'<circle cx="{x:.2f}" cy="{height / 2:.2f}" r="3.6" fill="none" '
                f'stroke="{MISSING_COLOUR}" stroke-width="1.4"/>'
            )
            described.append(f"{mark.quarter} {mark.status}")
        else:
            described.append(f"{mark.quarter} {mark.status}")
    return svg_root(width, height, "; ".join(described) or "nothing received", parts)


__all__ = [
    "BAR",
    "CATEGORY_COLOURS",
    "LATE",
    "NOT_REFERRED",
    "ON_TIME",
    "OUTSTANDING",
    "Chart",
    "ChartRow",
    "DueMark",
    "Segment",
    "due_axis",
    "hours_axis",
    "legend",
    "median_hours",
    "received_against_due",
    "share_axis",
    "stacked_share",
]
