"""Minted ids: DTR-1 identifiers, unique, and sortable by time as plain text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from compliance.ledger import mint_acknowledgement_id, mint_receipt_id, minted_at
from compliance.ledger.ids import IDENTIFIER

START = datetime(2026, 8, 14, 9, 30, tzinfo=UTC)


def test_ids_are_identifiers_that_carry_their_millisecond() -> None:
    for mint, prefix in ((mint_receipt_id, "R-"), (mint_acknowledgement_id, "A-")):
        identifier = mint(START + timedelta(microseconds=123456))
        assert identifier.startswith(prefix)
        assert IDENTIFIER.fullmatch(identifier), identifier
        assert len(identifier) == 28
        assert identifier == identifier.upper()  # unique even compared without regard to case
        assert minted_at(identifier) == START + timedelta(milliseconds=123)


def test_ids_sort_by_time_as_text() -> None:
    moments = [START + timedelta(milliseconds=step * 7919) for step in range(2000)]
    moments += [datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)]
    identifiers = [mint_receipt_id(moment) for moment in moments]
    assert sorted(identifiers) == [
        mint for _, mint in sorted(zip(moments, identifiers, strict=True))
    ]


def test_ids_of_one_millisecond_are_distinct() -> None:
    identifiers = {mint_receipt_id(START) for _ in range(100_000)}
    assert len(identifiers) == 100_000


def test_a_moment_an_id_cannot_carry_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        mint_receipt_id(datetime(1969, 12, 31, tzinfo=UTC))
