"""Writing the filing ledger: record a suspicion, file a referral, withdraw a suspicion.

Each function runs inside one writing transaction and first locks the referral it decides
about; every decision below is therefore taken on the ledger as it is, and commits with the
rows it writes, or not at all. That is what makes a retry safe and two processes filing the
same document at once get the same receipt: the second waits, then finds the first's record.
"""

from __future__ import annotations

import json

from compliance.ledger.database import Transaction
from compliance.ledger.identity import PlatformKey, referral_key
from compliance.ledger.ids import mint_receipt_id
from compliance.ledger.queries import record_of, version_with_sha256
from compliance.ledger.records import (
    Filing,
    FilingOutcome,
    FilingResult,
    Receipt,
    RecordOutcome,
    RecordResult,
    ReferralRecord,
    ReferralState,
    Suspicion,
    WithdrawalOutcome,
    WithdrawalResult,
)


def record_suspicion(transaction: Transaction, suspicion: Suspicion) -> RecordResult:
    platform, key = suspicion.platform, referral_key(suspicion.referral_id)
    current = _lock_and_read(transaction, platform, key)
    if current is None:
        receipt = _insert(transaction, suspicion, key, version=1, new_referral=True)
        return RecordResult(RecordOutcome.RECORDED, receipt, suspicion.deadline)
    unchanged = {
        ReferralState.WITHDRAWN: RecordOutcome.WITHDRAWN,
        ReferralState.REFERRED: RecordOutcome.ALREADY_REFERRED,
    }.get(current.state)
    if unchanged is None:
        same = version_with_sha256(transaction, platform, key, suspicion.sha256)
        if same is not None:
            return RecordResult(RecordOutcome.UNCHANGED, same.receipt, current.deadline)
        if suspicion.generated_at <= current.latest.generated_at:
            unchanged = RecordOutcome.STALE
    if unchanged is not None:
        return RecordResult(unchanged, current.latest.receipt, current.deadline)
    receipt = _insert(
        transaction, suspicion, key, version=current.latest.receipt.version + 1, new_referral=False
    )
    return RecordResult(RecordOutcome.UPDATED, receipt, current.deadline)


def file_referral(
    transaction: Transaction, filing: Filing, *, later_facts: bool = False
) -> FilingResult:
    """File ``filing``; ``later_facts``: the caller found it differs from the filed version
    only in facts that arrive after filing (spec 10.2), so it may become a new version."""
    platform, key = filing.platform, referral_key(filing.referral_id)
    current = _lock_and_read(transaction, platform, key)
    if current is None:
        receipt = _insert(transaction, filing, key, version=1, new_referral=True)
        return FilingResult(FilingOutcome.FILED, receipt, filing.deadline)
    if current.state is ReferralState.WITHDRAWN:
        return FilingResult(FilingOutcome.WITHDRAWN, current.latest.receipt, current.deadline)
    same = version_with_sha256(transaction, platform, key, filing.sha256)
    if same is not None:
        return FilingResult(FilingOutcome.UNCHANGED, same.receipt, current.deadline)
    if current.state is ReferralState.REFERRED and not later_facts:
        return FilingResult(FilingOutcome.CONFLICT, current.latest.receipt, current.deadline)
    outcome = (
        FilingOutcome.FILED if current.state is ReferralState.OPEN else FilingOutcome.NEW_VERSION
    )
    receipt = _insert(
        transaction, filing, key, version=current.latest.receipt.version + 1, new_referral=False
    )
    return FilingResult(outcome, receipt, current.deadline)


def withdraw(
    transaction: Transaction, platform: PlatformKey, referral_id: str, reason: str
) -> WithdrawalResult:
    if not reason.strip():
        raise ValueError("a withdrawal needs a reason")
    key = referral_key(referral_id)
    current = _lock_and_read(transaction, platform, key)
    if current is None:
        return WithdrawalResult(WithdrawalOutcome.NOT_FOUND, None)
    if current.state is not ReferralState.OPEN:
        outcome = (
            WithdrawalOutcome.REFERRED
            if current.state is ReferralState.REFERRED
            else WithdrawalOutcome.ALREADY_WITHDRAWN
        )
        return WithdrawalResult(outcome, current)
    transaction.execute(
        "UPDATE referrals SET state = ?, withdrawn_at = ?, withdrawal_reason = ?"
        " WHERE registration_number = ? AND jurisdiction = ? AND referral_key = ?",
        (
            ReferralState.WITHDRAWN.value,
            transaction.clock(),
            reason,
            platform.registration_number,
            platform.jurisdiction,
            key,
        ),
    )
    return WithdrawalResult(WithdrawalOutcome.WITHDRAWN, record_of(transaction, platform, key))


def ensure_platform(transaction: Transaction, platform: PlatformKey) -> None:
    transaction.execute(
        "INSERT INTO platforms (registration_number, jurisdiction, first_recorded_at)"
        " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (platform.registration_number, platform.jurisdiction, transaction.clock()),
    )


def _lock_and_read(
    transaction: Transaction, platform: PlatformKey, key: str
) -> ReferralRecord | None:
    transaction.lock(f"referral\0{platform}\0{key}")
    return record_of(transaction, platform, key)


def _insert(
    transaction: Transaction,
    document: Suspicion | Filing,
    key: str,
    *,
    version: int,
    new_referral: bool,
) -> Receipt:
    """Write one version and its receipt, and point the referral at it."""
    platform = document.platform
    filed_at = transaction.clock()
    referred_at, referred_to, pack_sha256, on_time = None, None, None, None
    state = ReferralState.OPEN
    if isinstance(document, Filing):
        state = ReferralState.REFERRED
        referred_at, referred_to = document.referred_at, document.referred_to
        pack_sha256, on_time = document.pack_sha256, document.on_time
    receipt = Receipt(
        receipt_id=mint_receipt_id(filed_at),
        platform=platform,
        referral_id=document.referral_id,
        version=version,
        state=state,
        document_sha256=document.sha256,
        pack_sha256=pack_sha256,
        filed_at=filed_at,
        on_time=on_time,
        breach_codes=tuple(document.breach_codes),
        versions=document.versions,
    )
    keys = (platform.registration_number, platform.jurisdiction, key)
    if new_referral:
        ensure_platform(transaction, platform)
        transaction.execute(
            "INSERT INTO referrals (registration_number, jurisdiction, referral_key,"
            " referral_id, state, deadline, latest_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (*keys, document.referral_id, state.value, document.deadline, version),
        )
    else:
        transaction.execute(
            "UPDATE referrals SET referral_id = ?, state = ?, latest_version = ?"
            " WHERE registration_number = ? AND jurisdiction = ? AND referral_key = ?",
            (document.referral_id, state.value, version, *keys),
        )
    transaction.execute(
        """INSERT INTO referral_versions (registration_number, jurisdiction, referral_key,
            version, receipt_id, referral_id, state, priority, suspicion_formed_at,
            generated_at, referred_at, referred_to, document, document_sha256, pack_sha256,
            filed_at, on_time, breach_codes, tool_version, ruleset_version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            *keys,
            version,
            receipt.receipt_id,
            document.referral_id,
            state.value,
            str(document.priority),
            document.suspicion_formed_at,
            document.generated_at,
            referred_at,
            referred_to,
            document.canonical,
            receipt.document_sha256,
            receipt.pack_sha256,
            filed_at,
            receipt.on_time,
            json.dumps(list(receipt.breach_codes)),
            receipt.versions.tool,
            receipt.versions.ruleset,
        ),
    )
    return receipt
