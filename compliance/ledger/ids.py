"""Identifiers the ledger mints: receipt ids and acknowledgement ids.

ULID-shaped: a prefix, 10 characters of milliseconds since 1970 and 16 of randomness (80
bits), in Crockford's base 32. Its alphabet is in ASCII order, so ids sort by time as plain
text; it has only upper-case letters and digits, so an id is a DTR-1 identifier (spec 2) and
a safe file name, and it stays unique when compared without regard to case. Uniqueness across
processes comes from the randomness (two ids of one millisecond collide with probability
2**-80), and the ledger's primary keys turn even that into an error rather than a merge.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

RECEIPT_PREFIX = "R"
ACKNOWLEDGEMENT_PREFIX = "A"

IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""A DTR-1 identifier (spec 2)."""

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TIME_CHARACTERS = 10
_RANDOM_CHARACTERS = 16
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def mint_receipt_id(moment: datetime) -> str:
    """A new receipt id for a record filed at ``moment`` (the ledger's clock)."""
    return mint_id(RECEIPT_PREFIX, moment)


def mint_acknowledgement_id(moment: datetime) -> str:
    """A new acknowledgement id for a return received at ``moment``."""
    return mint_id(ACKNOWLEDGEMENT_PREFIX, moment)


def mint_id(prefix: str, moment: datetime) -> str:
    milliseconds = (moment.astimezone(UTC) - _EPOCH) // _MILLISECOND
    if not 0 <= milliseconds < 32**_TIME_CHARACTERS:
        raise ValueError(f"{moment.isoformat()} is outside the years an id can carry")
    return (
        f"{prefix}-{_base32(milliseconds, _TIME_CHARACTERS)}"
        f"{_base32(secrets.randbits(5 * _RANDOM_CHARACTERS), _RANDOM_CHARACTERS)}"
    )


def minted_at(identifier: str) -> datetime:
    """The millisecond a minted id carries."""
    _prefix, _dash, body = identifier.rpartition("-")
    milliseconds = 0
    for character in body[:_TIME_CHARACTERS]:
        milliseconds = milliseconds * 32 + _ALPHABET.index(character)
    return _EPOCH + milliseconds * _MILLISECOND


def _base32(number: int, length: int) -> str:
    characters = []
    for _ in range(length):
        number, digit = divmod(number, 32)
        characters.append(_ALPHABET[digit])
    return "".join(reversed(characters))
