"""The regulator's register of platforms expected to file, and when a quarter's return is due
(DTR-1 section 11).

The register is a CSV file with the headers ``registration_number``, ``jurisdiction``,
``legal_name``, ``first_period`` and ``last_period`` (empty while the duty lasts). A platform
is its :class:`~compliance.ledger.PlatformKey` (spaces around removed, letters upper-cased),
as in returns and in the ledger, so that ``"sc612345 "`` in the register is ``SC612345``.

A quarter's return is due :attr:`RuleConfig.return_due_after` (30 x 24 hours) after the
quarter ends, in UTC. ``late_days`` counts the started 24-hour periods after the due date: a
return received at or before it is 0 days late, one received a minute after it 1 day.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.errors import ComplianceError
from compliance.ledger.identity import PlatformKey
from compliance.period import Period

HEADERS = ("registration_number", "jurisdiction", "legal_name", "first_period", "last_period")
MAX_REGISTER_BYTES = 64 * 1024 * 1024
_DAY = timedelta(days=1)


class RegisterError(ComplianceError):
    """A register that cannot be used: one line, naming the file and the line."""


@dataclass(frozen=True)
class RegisteredPlatform:
    platform: PlatformKey
    legal_name: str
    first_period: Period
    last_period: Period | None
    line: int

    def expected_in(self, quarter: Period) -> bool:
        """Whether the platform must file a return for ``quarter``."""
        if quarter.start < self.first_period.start:
            return False
        return self.last_period is None or quarter.start <= self.last_period.start


@dataclass(frozen=True)
class Register:
    platforms: tuple[RegisteredPlatform, ...]

    def expected(self, quarter: Period) -> list[RegisteredPlatform]:
        return [entry for entry in self.platforms if entry.expected_in(quarter)]

    def get(self, platform: PlatformKey) -> RegisteredPlatform | None:
        for entry in self.platforms:
            if entry.platform == platform:
                return entry
        return None


def due_date(quarter: Period, config: RuleConfig = DEFAULT_CONFIG) -> datetime:
    """When the return of ``quarter`` is due: ``return_due_after`` after the quarter ends."""
    return quarter.end + config.return_due_after


def late_days(received_at: datetime, due: datetime) -> int:
    """Started 24-hour periods after ``due``; 0 when received at or before it."""
    if received_at <= due:
        return 0
    whole, rest = divmod(received_at - due, _DAY)
    return whole + (1 if rest else 0)


def quarter(text: str) -> Period:
    """A quarter written ``YYYY-Qn``; ValueError otherwise."""
    period = Period.parse(text)
    if "-Q" not in period.label:
        raise ValueError(f"{text!r} is not a quarter written YYYY-Qn")
    return period


def read_register(path: Path) -> Register:
    """The register at ``path``; :class:`RegisterError` with one line if it cannot be used."""
    from compliance.regulator.receive import read_regular_file

    try:
        data = read_regular_file(path, limit=MAX_REGISTER_BYTES)
    except ComplianceError as error:
        raise RegisterError(f"register {error}") from None
    return parse_register(data, name=str(path))


def parse_register(data: bytes, *, name: str = "register") -> Register:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RegisterError(f"{name}: not UTF-8 text (byte {error.start})") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise RegisterError(f"{name}: not a CSV file ({error})") from None
    if not rows:
        raise RegisterError(
            f"{name}: empty; the first line must be the headers {','.join(HEADERS)}"
        )
    header = tuple(cell.strip().lower() for cell in rows[0])
    missing = [h for h in HEADERS if h not in header]
    if missing:
        raise RegisterError(
            f"{name} line 1: no column {', '.join(missing)} (headers: {','.join(HEADERS)})"
        )
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise RegisterError(f"{name} line 1: the column {', '.join(twice)} appears twice")
    column = {h: header.index(h) for h in HEADERS}
    platforms: list[RegisteredPlatform] = []
    seen: dict[PlatformKey, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise RegisterError(
                f"{name} line {number}: {len(row)} fields, the header has {len(header)}"
            )
        cells = {h: (row[i].strip() if i < len(row) else "") for h, i in column.items()}
        where = f"{name} line {number}"
        try:
            platform = PlatformKey(cells["registration_number"], cells["jurisdiction"])
        except ValueError:
            raise RegisterError(
                f"{where}: a platform needs a registration_number and a jurisdiction"
            ) from None
        if platform in seen:
            raise RegisterError(
                f"{where}: {platform} is already registered on line {seen[platform]}"
            )
        try:
            first = quarter(cells["first_period"])
        except ValueError as error:
            raise RegisterError(f"{where}: first_period {error}") from None
        last = None
        if cells["last_period"]:
            try:
                last = quarter(cells["last_period"])
            except ValueError as error:
                raise RegisterError(f"{where}: last_period {error}") from None
            if last.start < first.start:
                raise RegisterError(
                    f"{where}: last_period {last.label} is before first_period {first.label}"
                )
        seen[platform] = number
        platforms.append(RegisteredPlatform(platform, cells["legal_name"], first, last, number))
    return Register(tuple(platforms))
