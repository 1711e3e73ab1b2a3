"""Durations as DTR-1 speaks of them: hours, printed the way a compliance officer reads them."""

from __future__ import annotations

from datetime import datetime, timedelta


def hours(span: timedelta) -> float:
    return span.total_seconds() / 3600


def hours_between(start: datetime, end: datetime) -> float:
    return hours(end - start)


def describe_hours(span: timedelta) -> str:
    """``25.5 hours``, ``1 hour``, ``7 days (168 hours)`` -- exact to the minute."""
    value = round(hours(span), 2)
    text = f"{value:g} hour" + ("" if value == 1 else "s")
    if span >= timedelta(days=2) and span % timedelta(days=1) == timedelta(0):
        return f"{span.days} days ({text})"
    return text


def describe_span(span: timedelta) -> str:
    """``35 minutes`` below an hour; otherwise as DTR-1 speaks (``12.5 hours``, ``7 days``)."""
    if timedelta(0) <= span < timedelta(hours=1):
        minutes = round(span.total_seconds() / 60, 1)
        return f"{minutes:g} minute" + ("" if minutes == 1 else "s")
    return describe_hours(span)


def format_timestamp(moment: datetime) -> str:
    """UTC, to the second, ISO 8601 with a Z: how every output prints a timestamp."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
