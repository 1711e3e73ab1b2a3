"""Reading the filing ledger: referrals, their versions, open suspicions, a quarter's filings.

Every function takes an open transaction, so that a caller combining several reads (or a
write deciding on what it read) sees one state of the ledger.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from compliance.ledger.database import (
    Row,
    Transaction,
    as_bytes,
    as_datetime,
    as_optional_bool,
    as_optional_datetime,
)
from compliance.ledger.identity import PlatformKey, referral_key
from compliance.ledger.records import (
    Receipt,
    RecordedDocument,
    ReferralRecord,
    ReferralState,
    ToolVersions,
)

FAR_FUTURE = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
"""``as_of`` when none is given: later than anything the ledger's clock has written."""

_VERSION_COLUMNS = """v.registration_number, v.jurisdiction, v.referral_id, v.version,
    v.receipt_id, v.state, v.document_sha256, v.pack_sha256, v.filed_at, v.on_time,
    v.breach_codes, v.tool_version, v.ruleset_version, v.priority, v.suspicion_formed_at,
    v.generated_at, v.referred_at, v.referred_to, v.document"""
_VERSION_WIDTH = 19

_RECORD_SELECT = f"""SELECT r.referral_id, r.state, r.deadline, r.withdrawn_at,
    r.withdrawal_reason, {_VERSION_COLUMNS}
    FROM referrals r JOIN referral_versions v
      ON v.registration_number = r.registration_number AND v.jurisdiction = r.jurisdiction
     AND v.referral_key = r.referral_key AND v.version = r.latest_version"""


def platforms(transaction: Transaction) -> list[PlatformKey]:
    found = transaction.rows(
        "SELECT registration_number, jurisdiction FROM platforms"
        " ORDER BY registration_number, jurisdiction"
    )
    return [PlatformKey(registration, jurisdiction) for registration, jurisdiction in found]


def referral(
    transaction: Transaction, platform: PlatformKey, referral_id: str
) -> ReferralRecord | None:
    return record_of(transaction, platform, referral_key(referral_id))


def open_suspicions(
    transaction: Transaction, platform: PlatformKey | None = None
) -> list[ReferralRecord]:
    """Every open suspicion, the nearest deadline first, ties by ``referral_id`` (``due``)."""
    where, params = "r.state = ?", [ReferralState.OPEN.value]
    if platform is not None:
        where += " AND r.registration_number = ? AND r.jurisdiction = ?"
        params += [platform.registration_number, platform.jurisdiction]
    found = transaction.rows(
        f"{_RECORD_SELECT} WHERE {where}"
        " ORDER BY r.deadline, r.referral_id, r.registration_number, r.jurisdiction",
        params,
    )
    return [_record(row) for row in found]


def is_referred(transaction: Transaction, platform: PlatformKey, referral_id: str) -> bool:
    """Whether ``referral_id``, exactly as written, names a referral filed as referred (L002).

    Exactly: a reference matches an identifier case included (spec 2), although the ledger
    keys referrals without regard to case.
    """
    found = transaction.row(
        "SELECT referral_id FROM referrals WHERE registration_number = ? AND jurisdiction = ?"
        " AND referral_key = ? AND state = ?",
        (
            platform.registration_number,
            platform.jurisdiction,
            referral_key(referral_id),
            ReferralState.REFERRED.value,
        ),
    )
    return found is not None and found[0] == referral_id


def versions(
    transaction: Transaction, platform: PlatformKey, referral_id: str
) -> list[RecordedDocument]:
    """Every document recorded for a referral, the first first."""
    found = transaction.rows(
        f"SELECT {_VERSION_COLUMNS} FROM referral_versions v"
        " WHERE v.registration_number = ? AND v.jurisdiction = ? AND v.referral_key = ?"
        " ORDER BY v.version",
        (platform.registration_number, platform.jurisdiction, referral_key(referral_id)),
    )
    return [_document(row) for row in found]


def version_with_sha256(
    transaction: Transaction, platform: PlatformKey, key: str, sha256: str
) -> RecordedDocument | None:
    found = transaction.row(
        f"SELECT {_VERSION_COLUMNS} FROM referral_versions v"
        " WHERE v.registration_number = ? AND v.jurisdiction = ? AND v.referral_key = ?"
        " AND v.document_sha256 = ?",
        (platform.registration_number, platform.jurisdiction, key, sha256),
    )
    return None if found is None else _document(found)


def latest_documents(
    transaction: Transaction,
    platform: PlatformKey,
    start: datetime,
    end: datetime,
    *,
    as_of: datetime | None = None,
    state: ReferralState | None = None,
) -> list[RecordedDocument]:
    """The latest version of each referral of ``platform`` belonging to [start, end).

    A referral belongs to the span of its ``referred_at``, or of its ``suspicion_formed_at``
    while not referred (T009's rule). ``as_of`` reads the ledger as it stood then (by the
    ledger's clock): later versions are not yet there, and a suspicion withdrawn later is
    still open. A withdrawn suspicion is left out. Ordered by ``referral_id``.
    """
    moment = FAR_FUTURE if as_of is None else as_of
    where = ""
    params: list[object] = [
        moment,
        platform.registration_number,
        platform.jurisdiction,
        moment,
        start,
        end,
    ]
    if state is not None:
        where = " AND v.state = ?"
        params.append(state.value)
    found = transaction.rows(
        f"""SELECT {_VERSION_COLUMNS} FROM referral_versions v
        JOIN referrals r
          ON r.registration_number = v.registration_number AND r.jurisdiction = v.jurisdiction
         AND r.referral_key = v.referral_key
        WHERE v.version = (
              SELECT MAX(w.version) FROM referral_versions w
               WHERE w.registration_number = v.registration_number
                 AND w.jurisdiction = v.jurisdiction AND w.referral_key = v.referral_key
                 AND w.filed_at <= ?)
          AND v.registration_number = ? AND v.jurisdiction = ?
          AND (r.withdrawn_at IS NULL OR r.withdrawn_at > ?)
          AND COALESCE(v.referred_at, v.suspicion_formed_at) >= ?
          AND COALESCE(v.referred_at, v.suspicion_formed_at) < ?{where}
        ORDER BY v.referral_id""",
        params,
    )
    return [_document(row) for row in found]


def last_document(
    transaction: Transaction, platform: PlatformKey, *, as_of: datetime | None = None
) -> RecordedDocument | None:
    """The document of ``platform`` recorded last by the ledger's clock (``compile`` takes the
    platform's details from it)."""
    found = transaction.row(
        f"SELECT {_VERSION_COLUMNS} FROM referral_versions v"
        " WHERE v.registration_number = ? AND v.jurisdiction = ? AND v.filed_at <= ?"
        " ORDER BY v.filed_at DESC, v.receipt_id DESC",
        (
            platform.registration_number,
            platform.jurisdiction,
            FAR_FUTURE if as_of is None else as_of,
        ),
    )
    return None if found is None else _document(found)


def record_of(transaction: Transaction, platform: PlatformKey, key: str) -> ReferralRecord | None:
    """As ``referral``, by the ledger's key."""
    found = transaction.row(
        f"{_RECORD_SELECT} WHERE r.registration_number = ? AND r.jurisdiction = ?"
        " AND r.referral_key = ?",
        (platform.registration_number, platform.jurisdiction, key),
    )
    return None if found is None else _record(found)


def _record(row: Row) -> ReferralRecord:
    referral_id, state, deadline, withdrawn_at, reason = row[:5]
    return ReferralRecord(
        referral_id=referral_id,
        state=ReferralState(state),
        deadline=as_datetime(deadline),
        latest=_document(row[5:]),
        withdrawn_at=as_optional_datetime(withdrawn_at),
        withdrawal_reason=reason,
    )


def _document(row: Sequence[object]) -> RecordedDocument:
    assert len(row) == _VERSION_WIDTH
    (
        registration,
        jurisdiction,
        referral_id,
        version,
        receipt_id,
        state,
        document_sha256,
        pack_sha256,
        filed_at,
        on_time,
        breach_codes,
        tool_version,
        ruleset_version,
        priority,
        suspicion_formed_at,
        generated_at,
        referred_at,
        referred_to,
        document,
    ) = row
    receipt = Receipt(
        receipt_id=str(receipt_id),
        platform=PlatformKey(str(registration), str(jurisdiction)),
        referral_id=str(referral_id),
        version=int(str(version)),
        state=ReferralState(str(state)),
        document_sha256=str(document_sha256),
        pack_sha256=None if pack_sha256 is None else str(pack_sha256),
        filed_at=as_datetime(filed_at),
        on_time=as_optional_bool(on_time),
        breach_codes=tuple(json.loads(str(breach_codes))),
        versions=ToolVersions(str(tool_version), str(ruleset_version)),
    )
    return RecordedDocument(
        receipt=receipt,
        priority=str(priority),
        suspicion_formed_at=as_datetime(suspicion_formed_at),
        generated_at=as_datetime(generated_at),
        referred_at=as_optional_datetime(referred_at),
        referred_to=None if referred_to is None else str(referred_to),
        canonical=as_bytes(document),
    )
