"""Who and what a ledger row is about: platforms and referrals compared as DTR-1 compares them.

A platform is its (``registration_number``, ``jurisdiction``) with surrounding spaces removed
and letters upper-cased (spec 10.2, 11), so that ``" 0123 "/"gb"`` in one document and
``"0123"/"GB"`` in the next are one platform. A referral is keyed by its ``referral_id``
without regard to case (spec 2): ``R-1`` and ``r-1`` would be one file on a case-insensitive
file system, so they are one referral.
"""

from __future__ import annotations

from dataclasses import dataclass


def normalised(part: str) -> str:
    """A registration number or jurisdiction as DTR-1 compares it: surrounding spaces
    removed, letters upper-cased. The one place this is decided."""
    return part.strip().upper()


@dataclass(frozen=True, order=True)
class PlatformKey:
    """A platform's identity; normalised on construction, so every instance compares right."""

    registration_number: str
    jurisdiction: str

    def __post_init__(self) -> None:
        registration = normalised(self.registration_number)
        jurisdiction = normalised(self.jurisdiction)
        if not registration or not jurisdiction:
            raise ValueError("a platform needs a registration number and a jurisdiction")
        object.__setattr__(self, "registration_number", registration)
        object.__setattr__(self, "jurisdiction", jurisdiction)

    @classmethod
    def parse(cls, text: str) -> PlatformKey:
        """``REGISTRATION:JURISDICTION``, as ``--platform`` takes it (the last colon splits)."""
        registration, colon, jurisdiction = text.rpartition(":")
        if not colon:
            raise ValueError(f"{text!r} is not written REGISTRATION:JURISDICTION")
        return cls(registration, jurisdiction)

    def __str__(self) -> str:
        return f"{self.registration_number}:{self.jurisdiction}"


def identifier_key(identifier: str) -> str:
    """The ledger's key of an identifier (``referral_id``, ``submission_id``): the same for
    every spelling of its case."""
    return identifier.casefold()


referral_key = identifier_key
