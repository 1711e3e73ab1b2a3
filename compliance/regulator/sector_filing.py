"""The sector report's filing status (``aggregate --register``, DTR-1 section 11).

For each quarter of the period, one row per platform the register expects (whether or not
it filed) and one per platform that filed without being expected: ``filed``, ``rejected``,
``missing`` (nothing received and the due date passed at ``at``), ``not_yet_due`` or
``unregistered``. With the ledger, the statuses, acknowledgement ids and late days are the
ledger's (what ``filers`` shows); without it, they come from the returns in the folder, and
late days are not known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.ledger import Acknowledgement, Ledger, PlatformKey
from compliance.period import Period
from compliance.regulator.filers import list_filers
from compliance.regulator.register import Register, due_date
from compliance.regulator.selection import Entry
from compliance.statuses import FilerStatus, SelectionStatus


@dataclass(frozen=True)
class FilingRow:
    quarter: str
    platform: PlatformKey
    name: str
    status: FilerStatus
    due: datetime
    late_days: int | None = None
    acknowledgement_id: str | None = None
    received_at: datetime | None = None
    """When the first accepted return was received (known with the ledger only)."""
    amended: bool = False


@dataclass(frozen=True)
class FilingStatus:
    at: datetime
    with_ledger: bool
    rows: tuple[FilingRow, ...]

    def count(self, status: FilerStatus) -> int:
        return sum(1 for row in self.rows if row.status is status)

    @property
    def expected(self) -> int:
        """Platform-quarters the register expects (every row but ``unregistered``)."""
        return sum(1 for row in self.rows if row.status is not FilerStatus.UNREGISTERED)


def _entry_platform(entry: Entry) -> PlatformKey | None:
    from compliance.regulator.acknowledge import cover_platform

    return cover_platform(entry.receipt.cover)


def from_folder(
    register: Register,
    entries: tuple[Entry, ...],
    quarters: tuple[str, ...],
    *,
    at: datetime,
    config: RuleConfig = DEFAULT_CONFIG,
) -> FilingStatus:
    """The filing status as the returns in the folder show it (no ledger)."""
    rows: list[FilingRow] = []
    for label in quarters:
        quarter = Period.parse(label)
        due = due_date(quarter, config)
        used: dict[PlatformKey, str] = {}
        rejected: set[PlatformKey] = set()
        for entry in entries:
            platform = _entry_platform(entry)
            if platform is None or entry.receipt.cover.get("period") != label:
                continue
            if entry.status is SelectionStatus.REJECTED:
                rejected.add(platform)
            else:
                used.setdefault(platform, str(entry.receipt.cover.get("platform") or ""))
        for registered in register.expected(quarter):
            platform = registered.platform
            if platform in used:
                status = FilerStatus.FILED
            elif platform in rejected:
                status = FilerStatus.REJECTED
            else:
                status = FilerStatus.MISSING if at > due else FilerStatus.NOT_YET_DUE
            rows.append(FilingRow(label, platform, registered.legal_name, status, due))
        expected = {registered.platform for registered in register.expected(quarter)}
        for platform in sorted(set(used) - expected):
            rows.append(FilingRow(label, platform, used[platform], FilerStatus.UNREGISTERED, due))
    return FilingStatus(at, False, tuple(rows))


def from_ledger(
    register: Register,
    ledger: Ledger,
    quarters: tuple[str, ...],
    *,
    at: datetime,
    config: RuleConfig = DEFAULT_CONFIG,
) -> FilingStatus:
    """The filing status as the ledger's acknowledgements show it (what ``filers`` says)."""
    rows: list[FilingRow] = []
    for label in quarters:
        quarter = Period.parse(label)
        acknowledgements = ledger.acknowledgements(label)
        by_id: dict[str, Acknowledgement] = {a.acknowledgement_id: a for a in acknowledgements}
        filers = list_filers(register, acknowledgements, quarter, at=at, config=config)
        for row in filers.rows:
            found = by_id.get(row.acknowledgement_id or "")
            accepted = row.late_days is not None and found is not None
            rows.append(
                FilingRow(
                    label,
                    row.platform,
                    row.legal_name,
                    row.status,
                    filers.due,
                    row.late_days,
                    row.acknowledgement_id,
                    found.received_at if accepted and found is not None else None,
                    row.amended,
                )
            )
    return FilingStatus(at, True, tuple(rows))


__all__ = ["FilingRow", "FilingStatus", "from_folder", "from_ledger"]
