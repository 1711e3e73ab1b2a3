"""The regulator's acknowledgements of returns received (spec 11), and how they are kept.

A return received again gets its existing acknowledgement: the same files (the set of their
SHA-256s), or the same platform, period and ``submission_id`` with the same values (a digest
the caller computes, as when a spreadsheet program saved the file again, changing its bytes
but not its figures). Both keys are unique in the table and checked under one lock, so two
processes receiving one return at once record it once.

Whether a return is accepted, and whether the same ``submission_id`` with other values is
to be rejected, is the caller's decision: ``acknowledgements_for_submission`` shows it what
was received before.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from compliance.ledger.canonical import utc_text
from compliance.ledger.database import Row, Transaction, as_datetime
from compliance.ledger.filing import ensure_platform
from compliance.ledger.identity import PlatformKey, identifier_key
from compliance.ledger.ids import mint_acknowledgement_id

_SHA256 = re.compile(r"[0-9a-f]{64}")


class AcknowledgementStatus(StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_BREACHES = "accepted_with_breaches"
    ACCEPTED_WITH_WARNINGS = "accepted_with_warnings"
    REJECTED = "rejected"


class AcknowledgementOutcome(StrEnum):
    RECORDED = "recorded"
    EXISTING = "existing"
    """Received before (same files, or same values): its acknowledgement, nothing changed."""


@dataclass(frozen=True)
class ReceivedFile:
    name: str
    sha256: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", self.sha256.lower())
        if not _SHA256.fullmatch(self.sha256):
            raise ValueError(f"{self.sha256!r} is not a SHA-256 in hex")


@dataclass(frozen=True)
class ReceivedReturn:
    """A return as ``receive`` judged it; what it could not read is None."""

    status: AcknowledgementStatus
    received_at: datetime
    files: tuple[ReceivedFile, ...]
    platform: PlatformKey | None = None
    period: str | None = None
    submission_id: str | None = None
    values_digest: str | None = None
    """A digest of the return's values (the caller's choice of which), for the second key."""
    late_days: int | None = None
    reasons: tuple[Mapping[str, Any], ...] = ()
    """JSON objects (e.g. a rejection reason's ``to_json()``)."""

    def __post_init__(self) -> None:
        if not self.files:
            raise ValueError("a return received has at least one file")


@dataclass(frozen=True, kw_only=True)
class Acknowledgement(ReceivedReturn):
    """A return received, as the ledger recorded it."""

    acknowledgement_id: str
    recorded_at: datetime
    """The ledger's clock when it was recorded (``received_at`` may be earlier, with --at)."""

    def to_json(self) -> dict[str, Any]:
        """The acknowledgement as ``<acknowledgement_id>.json`` may carry it."""
        return {
            "acknowledgement_id": self.acknowledgement_id,
            "status": str(self.status),
            "received_at": utc_text(self.received_at),
            "files": [{"name": f.name, "sha256": f.sha256} for f in self.files],
            "registration_number": self.platform and self.platform.registration_number,
            "jurisdiction": self.platform and self.platform.jurisdiction,
            "period": self.period,
            "submission_id": self.submission_id,
            "late_days": self.late_days,
            "reasons": [dict(reason) for reason in self.reasons],
        }


@dataclass(frozen=True)
class AcknowledgementResult:
    outcome: AcknowledgementOutcome
    acknowledgement: Acknowledgement


def files_key(sha256s: Iterable[str]) -> str:
    """One key for a set of files: the SHA-256 of their sorted, distinct SHA-256s."""
    distinct = sorted({digest.lower() for digest in sha256s})
    return hashlib.sha256("\n".join(distinct).encode("ascii")).hexdigest()


Lookup = Callable[[PlatformKey, str, str], list["Acknowledgement"]]
"""``(platform, period, submission_id)`` -> the returns received under it, as
:func:`for_submission` answers inside the recording transaction."""

Decide = Callable[[ReceivedReturn, Lookup], ReceivedReturn]
"""The caller's decision, taken under the lock: the return as it is to be recorded (e.g.
rejected, because its ``submission_id`` was received before with other values)."""


def record(
    transaction: Transaction, received: ReceivedReturn, decide: Decide | None = None
) -> AcknowledgementResult:
    transaction.lock("acknowledgements")
    existing = by_files(transaction, (f.sha256 for f in received.files))
    if (
        existing is None
        and received.platform
        and received.period
        and received.submission_id
        and received.values_digest is not None
    ):
        existing = by_values(
            transaction,
            received.platform,
            received.period,
            received.submission_id,
            received.values_digest,
        )
    if existing is not None:
        return AcknowledgementResult(AcknowledgementOutcome.EXISTING, existing)
    if decide is not None:
        received = decide(
            received,
            lambda platform, period, submission_id: for_submission(
                transaction, platform, period, submission_id
            ),
        )
    recorded_at = transaction.clock()
    acknowledgement_id = mint_acknowledgement_id(received.received_at)
    platform = received.platform
    if platform is not None:
        ensure_platform(transaction, platform)
    transaction.execute(
        f"INSERT INTO acknowledgements ({_COLUMNS}) VALUES"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            acknowledgement_id,
            received.status.value,
            received.received_at,
            recorded_at,
            json.dumps([{"name": f.name, "sha256": f.sha256} for f in received.files]),
            files_key(f.sha256 for f in received.files),
            platform and platform.registration_number,
            platform and platform.jurisdiction,
            received.period,
            received.submission_id,
            None if received.submission_id is None else identifier_key(received.submission_id),
            received.values_digest,
            received.late_days,
            json.dumps([dict(reason) for reason in received.reasons], ensure_ascii=False),
        ),
    )
    found = by_id(transaction, acknowledgement_id)
    assert found is not None
    return AcknowledgementResult(AcknowledgementOutcome.RECORDED, found)


def by_id(transaction: Transaction, acknowledgement_id: str) -> Acknowledgement | None:
    return _one(transaction, "acknowledgement_id = ?", (acknowledgement_id,))


def by_files(transaction: Transaction, sha256s: Iterable[str]) -> Acknowledgement | None:
    return _one(transaction, "files_key = ?", (files_key(sha256s),))


def by_values(
    transaction: Transaction,
    platform: PlatformKey,
    period: str,
    submission_id: str,
    values_digest: str,
) -> Acknowledgement | None:
    return _one(
        transaction,
        "registration_number = ? AND jurisdiction = ? AND period = ? AND submission_key = ?"
        " AND values_digest = ?",
        (
            platform.registration_number,
            platform.jurisdiction,
            period,
            identifier_key(submission_id),
            values_digest,
        ),
    )


def for_submission(
    transaction: Transaction, platform: PlatformKey, period: str, submission_id: str
) -> list[Acknowledgement]:
    """Every return received with this platform, period and ``submission_id`` (any case)."""
    return _many(
        transaction,
        "registration_number = ? AND jurisdiction = ? AND period = ? AND submission_key = ?",
        (
            platform.registration_number,
            platform.jurisdiction,
            period,
            identifier_key(submission_id),
        ),
    )


def for_period(transaction: Transaction, period: str) -> list[Acknowledgement]:
    return _many(transaction, "period = ?", (period,))


_COLUMNS = """acknowledgement_id, status, received_at, recorded_at, files, files_key,
    registration_number, jurisdiction, period, submission_id, submission_key, values_digest,
    late_days, reasons"""


def _one(transaction: Transaction, where: str, params: Sequence[object]) -> Acknowledgement | None:
    found = _many(transaction, where, params)
    return found[0] if found else None


def _many(transaction: Transaction, where: str, params: Sequence[object]) -> list[Acknowledgement]:
    found = transaction.rows(
        f"SELECT {_COLUMNS} FROM acknowledgements WHERE {where}"
        " ORDER BY received_at, acknowledgement_id",
        params,
    )
    return [_acknowledgement(row) for row in found]


def _acknowledgement(row: Row) -> Acknowledgement:
    (
        acknowledgement_id,
        status,
        received_at,
        recorded_at,
        files,
        _files_key,
        registration,
        jurisdiction,
        period,
        submission_id,
        _submission_key,
        values_digest,
        late_days,
        reasons,
    ) = row
    return Acknowledgement(
        acknowledgement_id=acknowledgement_id,
        status=AcknowledgementStatus(status),
        received_at=as_datetime(received_at),
        recorded_at=as_datetime(recorded_at),
        files=tuple(ReceivedFile(f["name"], f["sha256"]) for f in json.loads(files)),
        platform=None if registration is None else PlatformKey(registration, jurisdiction),
        period=period,
        submission_id=submission_id,
        values_digest=values_digest,
        late_days=late_days,
        reasons=tuple(json.loads(reasons)),
    )
