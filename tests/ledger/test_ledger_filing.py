"""Recording suspicions, filing referrals and withdrawing, on both back ends (spec 10.2, 10.4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from ledger_documents import DEADLINES, FORMED, PLATFORM, VERSIONS, filing, suspicion

from compliance.ledger import (
    FilingOutcome,
    Ledger,
    PlatformKey,
    RecordOutcome,
    ReferralState,
    WithdrawalOutcome,
    minted_at,
    sha256_hex,
)
from compliance.ledger.ids import IDENTIFIER


def _count(ledger: Ledger, referral_id: str) -> int:
    return len(ledger.versions(PLATFORM, referral_id))


def test_a_suspicion_is_recorded_open_with_a_receipt(ledger: Ledger) -> None:
    document = suspicion("R-1")
    before = ledger.clock()
    result = ledger.record_suspicion(document)
    after = ledger.clock()
    assert result.outcome is RecordOutcome.RECORDED
    assert result.deadline == FORMED + DEADLINES["urgent"]
    receipt = result.receipt
    assert IDENTIFIER.fullmatch(receipt.receipt_id) and receipt.receipt_id.startswith("R-")
    assert (receipt.platform, receipt.referral_id, receipt.version) == (PLATFORM, "R-1", 1)
    assert receipt.state is ReferralState.OPEN
    assert receipt.document_sha256 == sha256_hex(document.canonical) == document.sha256
    assert (receipt.pack_sha256, receipt.on_time, receipt.breach_codes) == (None, None, ())
    assert receipt.versions == VERSIONS
    assert before <= receipt.filed_at <= after
    assert receipt.filed_at.utcoffset() == timedelta(0)
    assert abs(minted_at(receipt.receipt_id) - receipt.filed_at) < timedelta(milliseconds=1)

    record = ledger.referral(PLATFORM, "r-1")  # the case of a referral_id does not matter
    assert record is not None
    assert (record.referral_id, record.state, record.deadline) == ("R-1", "open", result.deadline)
    assert record.latest.receipt == receipt
    assert record.latest.canonical == document.canonical
    assert (record.latest.priority, record.latest.generated_at) == ("urgent", document.generated_at)
    assert (record.latest.referred_at, record.latest.referred_to) == (None, None)


def test_recording_the_same_suspicion_again_changes_nothing(ledger: Ledger) -> None:
    first = ledger.record_suspicion(suspicion("R-1"))
    again = ledger.record_suspicion(suspicion("R-1"))
    assert again.outcome is RecordOutcome.UNCHANGED
    assert again.receipt == first.receipt
    assert _count(ledger, "R-1") == 1


def test_a_later_document_updates_the_open_record_and_keeps_the_first_deadline(
    ledger: Ledger,
) -> None:
    first = ledger.record_suspicion(suspicion("R-1", priority="urgent"))
    # A lower priority would give a later deadline: the ledger keeps the first (DTR-L004 is
    # the caller's to raise from the deadline it is given back).
    later = suspicion(
        "r-1", priority="routine", generated_at=FORMED + timedelta(hours=3), narrative="More."
    )
    updated = ledger.record_suspicion(later)
    assert updated.outcome is RecordOutcome.UPDATED
    assert updated.deadline == first.deadline == FORMED + DEADLINES["urgent"]
    assert later.deadline > updated.deadline
    assert updated.receipt.version == 2
    assert updated.receipt.receipt_id != first.receipt.receipt_id
    assert updated.receipt.filed_at >= first.receipt.filed_at
    record = ledger.referral(PLATFORM, "R-1")
    assert record is not None
    assert (record.referral_id, record.deadline, record.latest.priority) == (
        "r-1",
        first.deadline,
        "routine",
    )
    assert [version.canonical for version in ledger.versions(PLATFORM, "R-1")] == [
        suspicion("R-1", priority="urgent").canonical,
        later.canonical,
    ]


@pytest.mark.parametrize("generated_after", [timedelta(minutes=10), timedelta(minutes=5)])
def test_a_document_not_later_than_the_recorded_one_changes_nothing(
    ledger: Ledger, generated_after: timedelta
) -> None:
    first = ledger.record_suspicion(suspicion("R-1"))
    stale = suspicion("R-1", generated_at=FORMED + generated_after, narrative="Other words.")
    result = ledger.record_suspicion(stale)
    assert result.outcome is RecordOutcome.STALE
    assert result.receipt == first.receipt
    assert _count(ledger, "R-1") == 1


def test_referring_an_open_suspicion_files_it_under_its_first_deadline(ledger: Ledger) -> None:
    recorded = ledger.record_suspicion(suspicion("R-1", priority="urgent"))
    late = filing("R-1", priority="routine", referred_after=timedelta(hours=30))
    result = ledger.file_referral(late)
    assert result.outcome is FilingOutcome.FILED
    assert result.deadline == recorded.deadline
    receipt = result.receipt
    assert (receipt.state, receipt.version) == (ReferralState.REFERRED, 2)
    assert receipt.pack_sha256 == "ab" * 32
    assert receipt.document_sha256 == late.sha256
    record = ledger.referral(PLATFORM, "R-1")
    assert record is not None
    assert record.state is ReferralState.REFERRED
    assert record.latest.referred_at == FORMED + timedelta(hours=30)
    assert record.latest.referred_to == "Counter Terrorism Policing (GB)"
    assert ledger.open_suspicions() == []
    # A referred one cannot go back to open (the caller's DTR-L001).
    again = ledger.record_suspicion(suspicion("R-1", generated_at=FORMED + timedelta(days=2)))
    assert again.outcome is RecordOutcome.ALREADY_REFERRED
    assert again.receipt == receipt


def test_a_referral_new_to_the_ledger_is_filed_with_its_receipt(ledger: Ledger) -> None:
    late = filing("R-7", priority="threat_to_life", referred_after=timedelta(hours=2))
    result = ledger.file_referral(late)
    assert result.outcome is FilingOutcome.FILED
    assert result.deadline == FORMED + timedelta(hours=1)
    receipt = result.receipt
    assert (receipt.version, receipt.on_time, receipt.breach_codes) == (1, False, ("DTR-T005",))
    assert receipt.to_json() == {
        "receipt_id": receipt.receipt_id,
        "registration_number": "0123 4567",
        "jurisdiction": "GB",
        "referral_id": "R-7",
        "version": 1,
        "state": "referred",
        "document_sha256": late.sha256,
        "pack_sha256": "ab" * 32,
        "filed_at": receipt.to_json()["filed_at"],
        "on_time": False,
        "breaches": ["DTR-T005"],
        "tool_version": "0.1.0",
        "ruleset_version": "DTR-1.0-rules.1",
    }
    assert receipt.to_json()["filed_at"].endswith("Z")


def test_filing_the_same_document_again_returns_its_receipt_and_changes_nothing(
    ledger: Ledger,
) -> None:
    first = ledger.file_referral(filing("R-1"))
    for _ in range(3):
        again = ledger.file_referral(filing("R-1"))
        assert again.outcome is FilingOutcome.UNCHANGED
        assert again.receipt == first.receipt
    assert _count(ledger, "R-1") == 1


def test_a_different_document_for_a_filed_referral_is_a_conflict(ledger: Ledger) -> None:
    first = ledger.file_referral(filing("R-1"))
    changed = filing("R-1", narrative="A rewritten narrative.")
    result = ledger.file_referral(changed)
    assert result.outcome is FilingOutcome.CONFLICT
    assert result.receipt == first.receipt
    assert _count(ledger, "R-1") == 1


def test_a_later_facts_version_is_recorded_with_its_own_receipt(ledger: Ledger) -> None:
    first = ledger.file_referral(filing("R-1"))
    with_reference = filing(
        "R-1", authority_reference="CTP-2026-0042", generated_at=FORMED + timedelta(days=3)
    )
    result = ledger.file_referral(with_reference, later_facts=True)
    assert result.outcome is FilingOutcome.NEW_VERSION
    assert result.receipt.version == 2
    assert result.receipt.receipt_id != first.receipt.receipt_id
    assert result.receipt.state is ReferralState.REFERRED
    # Retries of either version return that version's receipt.
    assert ledger.file_referral(with_reference, later_facts=True).receipt == result.receipt
    retried_first = ledger.file_referral(filing("R-1"))
    assert (retried_first.outcome, retried_first.receipt) == (
        FilingOutcome.UNCHANGED,
        first.receipt,
    )
    versions = ledger.versions(PLATFORM, "R-1")
    assert [version.receipt for version in versions] == [first.receipt, result.receipt]
    record = ledger.referral(PLATFORM, "R-1")
    assert record is not None
    assert record.latest.canonical == with_reference.canonical


def test_withdrawing_an_open_suspicion_keeps_it_with_its_reason(ledger: Ledger) -> None:
    ledger.record_suspicion(suspicion("R-1"))
    ledger.record_suspicion(suspicion("R-2"))
    result = ledger.withdraw(PLATFORM, "r-1", "Recorded in error: a duplicate of R-2.")
    assert result.outcome is WithdrawalOutcome.WITHDRAWN
    record = result.record
    assert record is not None
    assert record.state is ReferralState.WITHDRAWN
    assert record.withdrawal_reason == "Recorded in error: a duplicate of R-2."
    assert record.withdrawn_at is not None
    assert [open_.referral_id for open_ in ledger.open_suspicions()] == ["R-2"]
    assert ledger.versions(PLATFORM, "R-1")  # kept

    again = ledger.withdraw(PLATFORM, "R-1", "another reason")
    assert again.outcome is WithdrawalOutcome.ALREADY_WITHDRAWN
    assert again.record == record
    later = suspicion("R-1", generated_at=FORMED + timedelta(days=1))
    assert ledger.record_suspicion(later).outcome is RecordOutcome.WITHDRAWN
    assert ledger.file_referral(filing("R-1")).outcome is FilingOutcome.WITHDRAWN
    assert _count(ledger, "R-1") == 1


def test_a_filed_or_unknown_referral_is_not_withdrawn(ledger: Ledger) -> None:
    ledger.file_referral(filing("R-1"))
    referred = ledger.withdraw(PLATFORM, "R-1", "changed our mind")
    assert referred.outcome is WithdrawalOutcome.REFERRED
    assert referred.record is not None and referred.record.state is ReferralState.REFERRED
    unknown = ledger.withdraw(PLATFORM, "R-404", "no such thing")
    assert (unknown.outcome, unknown.record) == (WithdrawalOutcome.NOT_FOUND, None)
    with pytest.raises(ValueError, match="reason"):
        ledger.withdraw(PLATFORM, "R-1", "  ")


def test_platforms_keep_their_referrals_apart(ledger: Ledger) -> None:
    other = PlatformKey(" 0123 4567 ", "ie")
    mine = ledger.file_referral(filing("R-1"))
    theirs = ledger.file_referral(filing("R-1", platform=other, narrative="Another platform."))
    assert theirs.outcome is FilingOutcome.FILED
    assert theirs.receipt.platform == PlatformKey("0123 4567", "IE")
    assert ledger.referral(PLATFORM, "R-1").latest.receipt == mine.receipt  # type: ignore[union-attr]
    # The same platform written with other spaces and case is the same platform.
    same = filing("R-1", platform=PlatformKey("  0123 4567", "gb"))
    assert ledger.file_referral(same).outcome is FilingOutcome.UNCHANGED


def test_text_and_timestamps_come_back_exactly(ledger: Ledger) -> None:
    document = filing(
        "R-1",
        narrative="Zero-width\u200djoiner, RTL\u200fmark, caf\u0065\u0301, \U0010fffd",
        referred_after=timedelta(hours=2, microseconds=120),
    )
    ledger.file_referral(document)
    record = ledger.referral(PLATFORM, "R-1")
    assert record is not None
    assert record.latest.canonical == document.canonical
    assert record.latest.referred_at == document.referred_at
    assert record.latest.suspicion_formed_at == document.suspicion_formed_at
    assert record.latest.referred_at is not None
    assert record.latest.referred_at.utcoffset() == timedelta(0)


def test_a_breach_of_an_open_suspicion_is_on_its_receipt(ledger: Ledger) -> None:
    overdue = replace(suspicion("R-1"), breach_codes=("DTR-T006",))
    assert ledger.record_suspicion(overdue).receipt.breach_codes == ("DTR-T006",)
