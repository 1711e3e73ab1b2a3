"""Who filed a quarter, who is late and who never filed (DTR-1 section 11, ``filers``).

One row per platform the register expects for the quarter (its ``first_period`` to
``last_period``), from the acknowledgements in the ledger received by ``at``:

- ``filed``: a return was accepted; ``late_days`` of the first accepted, and whether an
  accepted return with another ``submission_id`` (an amendment) came after it;
- ``rejected``: returns were received, none accepted;
- ``missing``: nothing received, and the due date passed;
- ``not_yet_due``: nothing received, and the due date is still ahead;

and one row ``unregistered`` per platform that filed but that the register does not expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.durations import format_timestamp
from compliance.ledger import Acknowledgement, AcknowledgementStatus, PlatformKey
from compliance.period import Period
from compliance.regulator.register import Register, due_date
from compliance.statuses import FilerStatus


@dataclass(frozen=True)
class FilerRow:
    platform: PlatformKey
    legal_name: str
    status: FilerStatus
    late_days: int | None = None
    """Of the first accepted return (``filed``, ``unregistered``)."""
    acknowledgement_id: str | None = None
    """Of the first accepted return, else of the last one received."""
    amended: bool = False
    received: int = 0
    """Returns received for the quarter (acknowledgements, whatever their status)."""
    overdue: bool = False
    """Nothing accepted and the due date passed: a person must act."""

    def to_json(self) -> dict[str, Any]:
        return {
            "registration_number": self.platform.registration_number,
            "jurisdiction": self.platform.jurisdiction,
            "legal_name": self.legal_name,
            "status": self.status,
            "late_days": self.late_days,
            "amended": self.amended,
            "acknowledgement_id": self.acknowledgement_id,
            "returns_received": self.received,
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class Filers:
    quarter: Period
    due: datetime
    at: datetime
    rows: tuple[FilerRow, ...]

    @property
    def needs_action(self) -> bool:
        """A platform missing, or rejected after its due date (exit status 1)."""
        return any(
            row.status is FilerStatus.MISSING
            or (row.status is FilerStatus.REJECTED and row.overdue)
            for row in self.rows
        )

    def count(self, status: FilerStatus) -> int:
        return sum(1 for row in self.rows if row.status is status)

    def row(self, platform: PlatformKey) -> FilerRow | None:
        return next((row for row in self.rows if row.platform == platform), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.quarter.label,
            "due": format_timestamp(self.due),
            "at": format_timestamp(self.at),
            "counts": {status.value: self.count(status) for status in FilerStatus},
            "filers": [row.to_json() for row in self.rows],
        }


def _accepted(acknowledgement: Acknowledgement) -> bool:
    return acknowledgement.status is not AcknowledgementStatus.REJECTED


def filer_row(
    platform: PlatformKey,
    legal_name: str,
    received: list[Acknowledgement],
    *,
    due: datetime,
    at: datetime,
    registered: bool = True,
) -> FilerRow:
    received = sorted(received, key=lambda a: (a.received_at, a.acknowledgement_id))
    accepted = [a for a in received if _accepted(a)]
    overdue = at > due
    if accepted:
        first = accepted[0]
        amended = any(
            a.submission_id is not None
            and first.submission_id is not None
            and a.submission_id.casefold() != first.submission_id.casefold()
            for a in accepted[1:]
        )
        status = FilerStatus.FILED if registered else FilerStatus.UNREGISTERED
        return FilerRow(
            platform, legal_name, status, first.late_days, first.acknowledgement_id, amended,
            len(received), False,
        )  # fmt: skip
    if not registered:
        last = received[-1]
        return FilerRow(
            platform, legal_name, FilerStatus.UNREGISTERED, None, last.acknowledgement_id,
            False, len(received), False,
        )  # fmt: skip
    if received:
        return FilerRow(
            platform, legal_name, FilerStatus.REJECTED, None, received[-1].acknowledgement_id,
            False, len(received), overdue,
        )  # fmt: skip
    status = FilerStatus.MISSING if overdue else FilerStatus.NOT_YET_DUE
    return FilerRow(platform, legal_name, status, overdue=overdue)


def list_filers(
    register: Register,
    acknowledgements: list[Acknowledgement],
    quarter: Period,
    *,
    at: datetime,
    config: RuleConfig = DEFAULT_CONFIG,
) -> Filers:
    """The quarter's filers as of ``at``; ``acknowledgements`` are the ledger's for the
    quarter (those received after ``at`` are left out)."""
    due = due_date(quarter, config)
    by_platform: dict[PlatformKey, list[Acknowledgement]] = {}
    for acknowledgement in acknowledgements:
        if acknowledgement.platform is None or acknowledgement.period != quarter.label:
            continue
        if acknowledgement.received_at > at:
            continue
        by_platform.setdefault(acknowledgement.platform, []).append(acknowledgement)
    rows = []
    expected = register.expected(quarter)
    for entry in expected:
        found = by_platform.pop(entry.platform, [])
        rows.append(filer_row(entry.platform, entry.legal_name, found, due=due, at=at))
    for platform in sorted(by_platform):
        registered = register.get(platform)
        name = registered.legal_name if registered else ""
        rows.append(
            filer_row(platform, name, by_platform[platform], due=due, at=at, registered=False)
        )
    return Filers(quarter, due, at, tuple(rows))


def filers_text(filers: Filers, safe: Any = str) -> str:
    counts = ", ".join(
        f"{filers.count(status)} {status}" for status in FilerStatus if filers.count(status)
    )
    lines = [
        f"{filers.quarter.label}: due {format_timestamp(filers.due)}; "
        f"as of {format_timestamp(filers.at)}: {counts or 'no platform expected'}"
    ]
    header = ("platform", "legal name", "status", "late days", "acknowledgement")
    table = [header]
    for row in filers.rows:
        status = str(row.status)
        if row.amended:
            status += " (amended)"
        if row.status is FilerStatus.REJECTED and row.overdue:
            status += " (overdue)"
        table.append(
            (
                safe(str(row.platform)),
                safe(row.legal_name) or "-",
                status,
                "-" if row.late_days is None else str(row.late_days),
                row.acknowledgement_id or "-",
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        lines.append(
            "  " + "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        )
    return "\n".join(lines)
