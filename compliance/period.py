"""Reporting periods: calendar quarters (filing), half-years and years (aggregation)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

_PERIOD = re.compile(r"^(\d{4})-(?:(Q)([1-4])|(H)([12]))$|^(\d{4})$")


@dataclass(frozen=True, order=True)
class Period:
    """A half-open span of UTC time [start, end) named like ``2026-Q3``, ``2026-H2``, ``2026``."""

    start: datetime
    end: datetime
    label: str

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a period written YYYY-Qn, YYYY-Hn or YYYY")
        if match.group(6):
            year = int(match.group(6))
            if year < 1:
                raise ValueError(f"{text!r} names year 0, which the calendar does not have")
            return cls(_month_start(year, 1), _month_start(year + 1, 1), text)
        year = int(match.group(1))
        if year < 1:
            raise ValueError(f"{text!r} names year 0, which the calendar does not have")
        if match.group(2):
            first_month, months = 3 * (int(match.group(3)) - 1) + 1, 3
        else:
            first_month, months = 6 * (int(match.group(5)) - 1) + 1, 6
        end_month = first_month + months
        end = _month_start(year + 1, 1) if end_month > 12 else _month_start(year, end_month)
        return cls(_month_start(year, first_month), end, text)

    @classmethod
    def from_argument(cls, text: str) -> Period:
        """A period typed on the command line: ``2026-q3`` is ``2026-Q3`` (spaces around and
        the letter's case do not matter there; in a document the period is exact)."""
        return cls.parse(text.strip().upper())

    @classmethod
    def quarter_of(cls, moment: datetime) -> Period:
        return cls.parse(quarter_label(moment))

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end

    def covers(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        return self.label


def _month_start(year: int, month: int) -> datetime:
    if year > datetime.max.year:
        # The period ending with year 9999 ends at the last representable instant.
        return datetime.max.replace(tzinfo=UTC)
    return datetime(year, month, 1, tzinfo=UTC)


def quarter_label(moment: datetime) -> str:
    """``2026-Q3`` for any moment in that quarter (UTC)."""
    moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-Q{(moment.month - 1) // 3 + 1}"
