"""Reading the ledger: ``due``'s list, a quarter's filings as of a time, L002, platforms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger_documents import FORMED, OTHER_PLATFORM, PLATFORM, filing, suspicion

from compliance.ledger import Ledger, PlatformKey, ReferralState

Q3 = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))


def test_open_suspicions_come_nearest_deadline_first_ties_by_referral_id(ledger: Ledger) -> None:
    ledger.record_suspicion(suspicion("R-b", priority="routine"))
    ledger.record_suspicion(suspicion("R-c", priority="urgent"))
    ledger.record_suspicion(suspicion("R-a", priority="urgent"))
    ledger.record_suspicion(suspicion("R-B2", priority="threat_to_life"))
    ledger.record_suspicion(suspicion("R-a", priority="urgent", platform=OTHER_PLATFORM))
    ledger.file_referral(filing("R-d", priority="threat_to_life"))
    due = ledger.open_suspicions()
    assert [(str(record.platform), record.referral_id) for record in due] == [
        ("0123 4567:GB", "R-B2"),
        ("0123 4567:GB", "R-a"),
        ("SC765432:IE", "R-a"),
        ("0123 4567:GB", "R-c"),
        ("0123 4567:GB", "R-b"),
    ]
    assert [record.deadline - FORMED for record in due] == [
        timedelta(hours=1),
        timedelta(hours=24),
        timedelta(hours=24),
        timedelta(hours=24),
        timedelta(days=7),
    ]
    assert all(record.state is ReferralState.OPEN for record in due)
    assert [record.referral_id for record in ledger.open_suspicions(OTHER_PLATFORM)] == ["R-a"]


def test_platforms_are_listed_normalised_and_sorted(ledger: Ledger) -> None:
    assert ledger.platforms() == []
    ledger.record_suspicion(suspicion("R-1", platform=OTHER_PLATFORM))
    ledger.file_referral(filing("R-1", platform=PlatformKey(" 0123 4567", "gb ")))
    ledger.file_referral(filing("R-2"))
    assert ledger.platforms() == [PLATFORM, OTHER_PLATFORM]


def test_only_a_referral_filed_as_referred_and_named_exactly_counts_for_l002(
    ledger: Ledger,
) -> None:
    ledger.file_referral(filing("R-Filed"))
    ledger.record_suspicion(suspicion("R-Open"))
    assert ledger.is_referred(PLATFORM, "R-Filed")
    assert not ledger.is_referred(PLATFORM, "r-filed")  # a reference matches case included
    assert not ledger.is_referred(PLATFORM, "R-Open")
    assert not ledger.is_referred(PLATFORM, "R-None")
    assert not ledger.is_referred(OTHER_PLATFORM, "R-Filed")


def test_a_quarter_holds_the_latest_version_of_each_referral_by_t009s_rule(
    ledger: Ledger,
) -> None:
    # Referred in Q3 though formed in Q2; formed in Q3 but referred in Q4; open, formed in Q3.
    june = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)
    ledger.file_referral(filing("R-1", formed=june, referred_after=timedelta(hours=5)))
    ledger.file_referral(
        filing(
            "R-2", formed=datetime(2026, 9, 30, 20, tzinfo=UTC), referred_after=timedelta(hours=5)
        )
    )
    ledger.record_suspicion(suspicion("R-3"))
    ledger.record_suspicion(suspicion("R-4"))
    ledger.withdraw(PLATFORM, "R-4", "recorded in error")
    ledger.file_referral(filing("R-5", platform=OTHER_PLATFORM))
    before_reference = ledger.clock()
    second = ledger.file_referral(
        filing(
            "R-1",
            formed=june,
            referred_after=timedelta(hours=5),
            authority_reference="CTP-1",
            generated_at=datetime(2026, 7, 9, tzinfo=UTC),
        ),
        later_facts=True,
    )

    documents = ledger.latest_documents(PLATFORM, *Q3)
    assert [(d.receipt.referral_id, d.receipt.version, d.receipt.state) for d in documents] == [
        ("R-1", 2, "referred"),
        ("R-3", 1, "open"),
    ]
    assert documents[0].receipt == second.receipt
    referred = ledger.latest_documents(PLATFORM, *Q3, state=ReferralState.REFERRED)
    assert [d.receipt.referral_id for d in referred] == ["R-1"]
    q4 = (Q3[1], datetime(2027, 1, 1, tzinfo=UTC))
    assert [d.receipt.referral_id for d in ledger.latest_documents(PLATFORM, *q4)] == ["R-2"]
    # As the ledger stood before the authority reference came back: the first version.
    then = ledger.latest_documents(PLATFORM, *Q3, as_of=before_reference)
    assert [(d.receipt.referral_id, d.receipt.version) for d in then] == [("R-1", 1), ("R-3", 1)]


def test_as_of_sees_a_suspicion_open_before_it_was_referred_or_withdrawn(ledger: Ledger) -> None:
    ledger.record_suspicion(suspicion("R-1"))
    ledger.record_suspicion(suspicion("R-2"))
    while_open = ledger.clock()
    ledger.file_referral(filing("R-1", referred_after=timedelta(hours=3)))
    ledger.withdraw(PLATFORM, "R-2", "recorded in error")
    assert [
        (d.receipt.referral_id, d.receipt.state)
        for d in ledger.latest_documents(PLATFORM, *Q3, as_of=while_open)
    ] == [("R-1", "open"), ("R-2", "open")]
    assert [
        (d.receipt.referral_id, d.receipt.state) for d in ledger.latest_documents(PLATFORM, *Q3)
    ] == [("R-1", "referred")]
    before_anything = datetime(2026, 1, 1, tzinfo=UTC)
    assert ledger.latest_documents(PLATFORM, *Q3, as_of=before_anything) == []


def test_the_last_document_of_a_platform_is_the_one_recorded_last(ledger: Ledger) -> None:
    assert ledger.last_document(PLATFORM) is None
    first = ledger.file_referral(filing("R-2"))
    between = ledger.clock()
    last = ledger.record_suspicion(suspicion("R-1"))
    found = ledger.last_document(PLATFORM)
    assert found is not None and found.receipt == last.receipt
    earlier = ledger.last_document(PLATFORM, as_of=between)
    assert earlier is not None and earlier.receipt == first.receipt
    assert ledger.last_document(OTHER_PLATFORM) is None


def test_the_ledger_clock_is_utc_now(ledger: Ledger) -> None:
    clock = ledger.clock()
    assert clock.utcoffset() == timedelta(0)
    assert abs(clock - datetime.now(UTC)) < timedelta(seconds=5)
    assert ledger.clock() >= clock
