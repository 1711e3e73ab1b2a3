"""The regulator's acknowledgements (spec 11): recorded once, found by files or by values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from ledger_documents import OTHER_PLATFORM, PLATFORM

from compliance.ledger import (
    AcknowledgementOutcome,
    AcknowledgementStatus,
    Ledger,
    PlatformKey,
    ReceivedFile,
    ReceivedReturn,
    minted_at,
    sha256_hex,
)
from compliance.ledger.ids import IDENTIFIER

RECEIVED = datetime(2026, 10, 20, 14, 5, 30, 250000, tzinfo=UTC)


def _return(number: int = 1, **changes: object) -> ReceivedReturn:
    received = ReceivedReturn(
        status=AcknowledgementStatus.ACCEPTED_WITH_BREACHES,
        received_at=RECEIVED,
        files=(
            ReceivedFile("return.xlsx", sha256_hex(f"xlsx {number}".encode())),
            ReceivedFile("return.pdf", sha256_hex(f"pdf {number}".encode())),
        ),
        platform=PLATFORM,
        period="2026-Q3",
        submission_id=f"0123-2026-Q3-{number}",
        values_digest=sha256_hex(f"values {number}".encode()),
        late_days=0,
        reasons=(),
    )
    return replace(received, **changes)  # type: ignore[arg-type]


def test_a_return_received_gets_an_acknowledgement(ledger: Ledger) -> None:
    before = ledger.clock()
    result = ledger.record_acknowledgement(_return())
    assert result.outcome is AcknowledgementOutcome.RECORDED
    acknowledgement = result.acknowledgement
    assert IDENTIFIER.fullmatch(acknowledgement.acknowledgement_id)
    assert acknowledgement.acknowledgement_id.startswith("A-")
    assert minted_at(acknowledgement.acknowledgement_id) == RECEIVED
    assert acknowledgement.received_at == RECEIVED
    assert acknowledgement.recorded_at >= before
    assert acknowledgement.status is AcknowledgementStatus.ACCEPTED_WITH_BREACHES
    assert acknowledgement.files == _return().files
    assert (acknowledgement.platform, acknowledgement.period) == (PLATFORM, "2026-Q3")
    assert acknowledgement.submission_id == "0123-2026-Q3-1"
    assert acknowledgement.late_days == 0
    assert ledger.acknowledgement(acknowledgement.acknowledgement_id) == acknowledgement
    assert ledger.platforms() == [PLATFORM]
    assert acknowledgement.to_json()["received_at"] == "2026-10-20T14:05:30.25Z"


def test_the_same_files_again_return_the_existing_acknowledgement(ledger: Ledger) -> None:
    first = ledger.record_acknowledgement(_return()).acknowledgement
    reordered = _return(
        files=tuple(reversed(_return().files)), received_at=RECEIVED + timedelta(days=1)
    )
    again = ledger.record_acknowledgement(reordered)
    assert (again.outcome, again.acknowledgement) == (AcknowledgementOutcome.EXISTING, first)
    shas = [file.sha256.upper() for file in _return().files]
    assert ledger.acknowledgement_for_files(shas) == first
    assert ledger.acknowledgement_for_files(shas[:1]) is None  # a set of files, not one of them


def test_the_same_values_in_other_bytes_return_the_existing_acknowledgement(ledger: Ledger) -> None:
    first = ledger.record_acknowledgement(_return()).acknowledgement
    resaved = _return(
        files=(ReceivedFile("return.xlsx", sha256_hex(b"saved again by a spreadsheet")),),
        submission_id="0123-2026-q3-1",  # an identifier, compared without regard to case
        platform=PlatformKey(" 0123 4567 ", "gb"),
    )
    again = ledger.record_acknowledgement(resaved)
    assert (again.outcome, again.acknowledgement) == (AcknowledgementOutcome.EXISTING, first)
    found = ledger.acknowledgement_for_values(
        PLATFORM, "2026-Q3", "0123-2026-Q3-1", sha256_hex(b"values 1")
    )
    assert found == first


def test_the_same_submission_with_other_values_is_recorded_apart_for_the_caller_to_judge(
    ledger: Ledger,
) -> None:
    first = ledger.record_acknowledgement(_return()).acknowledgement
    other_values = _return(
        files=(ReceivedFile("return.xlsx", sha256_hex(b"other figures")),),
        values_digest=sha256_hex(b"other values"),
        status=AcknowledgementStatus.REJECTED,
        reasons=({"kind": "cover", "message": "submission_id already used — amend instead"},),
        received_at=RECEIVED + timedelta(hours=1),
    )
    second = ledger.record_acknowledgement(other_values)
    assert second.outcome is AcknowledgementOutcome.RECORDED
    assert second.acknowledgement.reasons == (
        {"kind": "cover", "message": "submission_id already used — amend instead"},
    )
    assert ledger.acknowledgements_for_submission(PLATFORM, "2026-Q3", "0123-2026-Q3-1") == [
        first,
        second.acknowledgement,
    ]


def test_an_unreadable_return_is_acknowledged_by_its_files_alone(ledger: Ledger) -> None:
    unreadable = ReceivedReturn(
        status=AcknowledgementStatus.REJECTED,
        received_at=RECEIVED,
        files=(ReceivedFile("garbage.xlsx", sha256_hex(b"not a workbook")),),
        reasons=({"kind": "unreadable", "message": "not a readable XLSX workbook"},),
    )
    first = ledger.record_acknowledgement(unreadable)
    assert first.outcome is AcknowledgementOutcome.RECORDED
    assert first.acknowledgement.platform is None
    another = replace(unreadable, files=(ReceivedFile("b.xlsx", sha256_hex(b"also garbage")),))
    assert ledger.record_acknowledgement(another).outcome is AcknowledgementOutcome.RECORDED
    assert ledger.record_acknowledgement(unreadable).acknowledgement == first.acknowledgement
    assert ledger.platforms() == []


def test_acknowledgements_are_listed_by_period_in_the_order_received(ledger: Ledger) -> None:
    late = ledger.record_acknowledgement(
        _return(2, platform=OTHER_PLATFORM, received_at=RECEIVED + timedelta(days=3), late_days=3)
    ).acknowledgement
    early = ledger.record_acknowledgement(_return(1)).acknowledgement
    ledger.record_acknowledgement(_return(3, period="2026-Q4"))
    assert ledger.acknowledgements("2026-Q3") == [early, late]
    assert late.late_days == 3
    assert [a.submission_id for a in ledger.acknowledgements("2026-Q4")] == ["0123-2026-Q3-3"]
    assert ledger.acknowledgements("2027-Q1") == []


def test_a_received_file_needs_a_sha256_and_a_return_a_file() -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        ReceivedFile("return.xlsx", "not a digest")
    assert ReceivedFile("r.xlsx", "AB" * 32).sha256 == "ab" * 32
    with pytest.raises(ValueError, match="at least one file"):
        _return(files=())
