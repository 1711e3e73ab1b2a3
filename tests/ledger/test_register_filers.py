"""``filers`` over a real ledger (SQLite and PostgreSQL): each register edge case of DTR-1 11."""

from __future__ import annotations

from datetime import datetime, timedelta

from compliance.ledger import (
    AcknowledgementStatus,
    Ledger,
    PlatformKey,
    ReceivedFile,
    ReceivedReturn,
    sha256_hex,
)
from compliance.period import Period
from compliance.regulator.filers import Filers, list_filers
from compliance.regulator.register import due_date, late_days, parse_register
from compliance.statuses import FilerStatus

Q3 = Period.parse("2026-Q3")
DUE = due_date(Q3)
KESTREL = PlatformKey("SC612345", "GB")
LUMEN = PlatformKey("IE654321", "IE")
TERN = PlatformKey("NL81234567", "NL")
OWL = PlatformKey("GB0000001", "GB")
STRANGER = PlatformKey("XX999", "FR")
REGISTER = parse_register(
    b"registration_number,jurisdiction,legal_name,first_period,last_period\n"
    b"SC612345,GB,Kestrel Forums plc,2026-Q1,\n"
    b"ie654321 ,ie,Lumen Video Teoranta,2026-Q3,\n"
    b"NL81234567,NL,Tern Streams B.V.,2025-Q1,2026-Q2\n"
    b"GB0000001,GB,Silent Owl Ltd,2026-Q1,\n"
)
_counter = iter(range(1_000_000))


def _receive(
    ledger: Ledger,
    platform: PlatformKey,
    received_at: datetime,
    *,
    submission_id: str = "S-1",
    status: AcknowledgementStatus = AcknowledgementStatus.ACCEPTED,
) -> str:
    number = next(_counter)
    received = ReceivedReturn(
        status=status,
        received_at=received_at,
        files=(ReceivedFile("return.xlsx", sha256_hex(f"file {number}".encode())),),
        platform=platform,
        period=Q3.label,
        submission_id=submission_id,
        values_digest=None
        if status is AcknowledgementStatus.REJECTED
        else sha256_hex(f"values {number}".encode()),
        late_days=late_days(received_at, DUE),
    )
    return ledger.record_acknowledgement(received).acknowledgement.acknowledgement_id


def _filers(ledger: Ledger, at: datetime) -> Filers:
    return list_filers(REGISTER, ledger.acknowledgements(Q3.label), Q3, at=at)


def test_a_duty_starting_mid_year_is_expected_from_its_first_quarter(ledger: Ledger) -> None:
    found = _filers(ledger, DUE + timedelta(days=1))
    row = found.row(LUMEN)
    assert row is not None and row.status is FilerStatus.MISSING
    q2 = list_filers(REGISTER, [], Period.parse("2026-Q2"), at=DUE)
    assert q2.row(LUMEN) is None


def test_a_platform_whose_last_period_passed_is_not_expected(ledger: Ledger) -> None:
    assert _filers(ledger, DUE + timedelta(days=1)).row(TERN) is None
    _receive(ledger, TERN, DUE - timedelta(days=2))
    row = _filers(ledger, DUE + timedelta(days=1)).row(TERN)
    assert row is not None and row.status is FilerStatus.UNREGISTERED


def test_an_amendment_received_after_the_due_date(ledger: Ledger) -> None:
    first = _receive(ledger, KESTREL, DUE - timedelta(days=5), submission_id="K-Q3")
    _receive(ledger, KESTREL, DUE + timedelta(days=3, hours=2), submission_id="K-Q3-A1")
    row = _filers(ledger, DUE + timedelta(days=10)).row(KESTREL)
    assert row is not None
    assert (row.status, row.late_days, row.amended) == (FilerStatus.FILED, 0, True)
    assert row.acknowledgement_id == first


def test_a_return_rejected_then_accepted(ledger: Ledger) -> None:
    _receive(ledger, KESTREL, DUE - timedelta(days=1), status=AcknowledgementStatus.REJECTED)
    before = _filers(ledger, DUE + timedelta(hours=1))
    row = before.row(KESTREL)
    assert row is not None and row.status is FilerStatus.REJECTED and row.overdue
    assert before.needs_action
    accepted = _receive(ledger, KESTREL, DUE + timedelta(hours=5))
    row = _filers(ledger, DUE + timedelta(days=2)).row(KESTREL)
    assert row is not None
    assert (row.status, row.late_days, row.amended) == (FilerStatus.FILED, 1, False)
    assert row.acknowledgement_id == accepted


def test_a_rejected_return_before_the_due_date_needs_no_action_yet(ledger: Ledger) -> None:
    for platform in (KESTREL, LUMEN, OWL):
        _receive(ledger, platform, DUE - timedelta(days=9), status=AcknowledgementStatus.REJECTED)
    found = _filers(ledger, DUE - timedelta(days=1))
    assert {row.status for row in found.rows} == {FilerStatus.REJECTED}
    assert not found.needs_action


def test_a_registered_platform_with_no_return_at_all(ledger: Ledger) -> None:
    _receive(ledger, KESTREL, DUE - timedelta(days=3))
    _receive(ledger, LUMEN, DUE - timedelta(days=3))
    early = _filers(ledger, DUE)  # at the due date exactly: not yet passed
    owl = early.row(OWL)
    assert owl is not None and owl.status is FilerStatus.NOT_YET_DUE
    assert not early.needs_action
    late = _filers(ledger, DUE + timedelta(seconds=1))
    owl = late.row(OWL)
    assert owl is not None and owl.status is FilerStatus.MISSING
    assert late.needs_action
    assert late.to_json()["counts"]["missing"] == 1


def test_a_return_from_an_unregistered_platform_is_flagged(ledger: Ledger) -> None:
    acknowledgement_id = _receive(ledger, STRANGER, DUE - timedelta(days=1))
    found = _filers(ledger, DUE - timedelta(hours=1))
    row = found.row(STRANGER)
    assert row is not None
    assert (row.status, row.acknowledgement_id, row.late_days) == (
        FilerStatus.UNREGISTERED,
        acknowledgement_id,
        0,
    )
    assert found.rows[-1] == row


def test_what_was_received_after_at_is_left_out(ledger: Ledger) -> None:
    _receive(ledger, KESTREL, DUE + timedelta(days=2))
    row = _filers(ledger, DUE + timedelta(days=1)).row(KESTREL)
    assert row is not None and row.status is FilerStatus.MISSING
