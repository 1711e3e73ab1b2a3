"""The sector report's figures: every received return of a period, selected and rolled up.

A period is a quarter, a half-year (H1 = Q1 + Q2, H2 = Q3 + Q4) or a year. Each return under
the folder is received again (verified, never trusted because it sits in the folder), the
returns of the period's quarters are selected (:mod:`compliance.regulator.selection`) and each
platform's figures, and the sector's, are recomputed from the pooled rows of the returns used
(:func:`compliance.metrics.compute_figures`).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from compliance.metrics import Figures, compute_figures
from compliance.period import Period
from compliance.regulator.model import ReceivedReturn
from compliance.regulator.receive import (
    NotARegularFile,
    Receipt,
    receive_return,
    unread_receipt,
)
from compliance.regulator.selection import Entry, select
from compliance.statuses import SelectionStatus

if TYPE_CHECKING:
    from compliance.regulator.sector_filing import FilingStatus

IGNORED_NAMES = frozenset({"batch-summary.xlsx", "sector.xlsx"})
"""Workbooks the tool itself writes beside returns, which are not returns."""


@dataclass(frozen=True)
class PlatformFigures:
    """One platform over the period: the returns used and the figures of their rows."""

    jurisdiction: str
    registration_number: str
    name: str
    """The legal name on its latest return used."""
    returns: tuple[ReceivedReturn, ...]
    """Returns used, by quarter."""
    quarters_missing: tuple[str, ...]
    figures: Figures

    @property
    def quarters_filed(self) -> tuple[str, ...]:
        return tuple(r.cover.period for r in self.returns)

    @property
    def not_filing_ready(self) -> int:
        return sum(1 for r in self.returns if not r.cover.filing_ready)


@dataclass(frozen=True)
class SectorReport:
    period: Period
    quarters: tuple[str, ...]
    entries: tuple[Entry, ...]
    """Every received file of the period (or of no readable period), by path."""
    platforms: tuple[PlatformFigures, ...]
    sector: Figures
    other_periods: int
    """Returns found that belong to other periods: not part of this report."""
    filing: FilingStatus | None = None
    """With a register (``--register``): who was expected to file each quarter, and did."""

    @property
    def used(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.status == SelectionStatus.USED]

    def count(self, status: SelectionStatus) -> int:
        return sum(1 for entry in self.entries if entry.status == status)

    @property
    def as_of(self) -> datetime:
        """When the latest return used was generated: the report's own date, so that the
        same returns always give the same bytes."""
        return max(entry.received.cover.generated_at for entry in self.used)

    @property
    def complete(self) -> bool:
        """No return of the period was rejected and no two were in conflict."""
        return not (self.count(SelectionStatus.REJECTED) or self.count(SelectionStatus.CONFLICT))


def quarters_of(period: Period) -> tuple[str, ...]:
    quarters = []
    moment = period.start
    while moment < period.end:
        quarter = Period.quarter_of(moment)
        quarters.append(quarter.label)
        if quarter.end >= period.end:
            break
        moment = quarter.end
    return tuple(quarters)


def find_returns(folder: Path, *, skip: Path | None = None) -> Iterator[Path]:
    """Every ``.xlsx`` under ``folder``, in a stable order; hidden files, Office lock files,
    the tool's own summaries and anything under ``skip`` (the report's output) are left out."""
    skip_resolved = skip.resolve() if skip is not None else None
    found = []
    for root, directories, files in os.walk(folder):
        here = Path(root)
        directories[:] = sorted(
            d
            for d in directories
            if not d.startswith(".")
            and (skip_resolved is None or (here / d).resolve() != skip_resolved)
        )
        for name in files:
            if (
                name.lower().endswith(".xlsx")
                and not name.startswith((".", "~$"))
                and name not in IGNORED_NAMES
            ):
                found.append(here / name)
    yield from sorted(found, key=lambda path: path.relative_to(folder).as_posix())


def _period_of(receipt: Receipt) -> Period | None:
    period = receipt.cover.get("period")
    try:
        return Period.parse(period) if isinstance(period, str) else None
    except ValueError:
        return None


def build_report(
    folder: Path,
    period: Period,
    *,
    skip: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> SectorReport:
    receipts: list[Receipt] = []
    other_periods = 0
    for path in find_returns(folder, skip=skip):
        name = path.relative_to(folder).as_posix()
        if progress:
            progress(name)
        try:
            receipt = receive_return(path, display_name=name)
        except NotARegularFile as error:  # a named pipe or a device among the returns
            receipt = unread_receipt(name, str(error).removeprefix(f"{path}: "))
        own = _period_of(receipt)
        if own is not None and not period.covers(own):
            other_periods += 1
            continue
        receipts.append(receipt)
    entries = select(receipts)
    quarters = quarters_of(period)
    by_platform: dict[tuple[str, str], list[ReceivedReturn]] = defaultdict(list)
    for entry in entries:
        if entry.status == SelectionStatus.USED:
            by_platform[entry.received.cover.platform_key].append(entry.received)
    platforms = [_platform(returns, quarters) for returns in by_platform.values()]
    platforms.sort(key=lambda p: (p.name.casefold(), p.name, p.jurisdiction, p.registration_number))
    used = [entry.received for entry in entries if entry.status == SelectionStatus.USED]
    return SectorReport(
        period=period,
        quarters=quarters,
        entries=tuple(entries),
        platforms=tuple(platforms),
        sector=_figures(used),
        other_periods=other_periods,
    )


def _figures(returns: list[ReceivedReturn]) -> Figures:
    return compute_figures(
        [row for r in returns for row in r.referrals],
        sum(r.content_items for r in returns),
        [row for r in returns for row in r.removals],
        [row for r in returns for row in r.issues],
        returns_not_filing_ready=sum(1 for r in returns if not r.cover.filing_ready),
    )


def _platform(returns: list[ReceivedReturn], quarters: tuple[str, ...]) -> PlatformFigures:
    returns = sorted(returns, key=lambda r: r.cover.period)
    latest = max(returns, key=lambda r: (r.cover.period, r.cover.generated_at))
    filed = {r.cover.period for r in returns}
    jurisdiction, registration_number = latest.cover.platform_key
    return PlatformFigures(
        jurisdiction=jurisdiction,
        registration_number=registration_number,
        name=latest.cover.platform,
        returns=tuple(returns),
        quarters_missing=tuple(q for q in quarters if q not in filed),
        figures=_figures(returns),
    )
