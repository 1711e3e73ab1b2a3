"""What goes into the filing ledger and what comes back out (spec 10.2), as plain dataclasses.

Inputs carry what the caller has already decided: the deadline (computed by the rule set),
whether the referral was on time, its breaches, the canonical bytes. The ledger decides only
what needs the ledger: whether this is new, a retry, a permitted new version, or a conflict.
Outcomes are enums rather than exceptions: a conflict is an answer the caller turns into its
own issue (``DTR-L001``), not an accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from compliance.ledger.canonical import sha256_hex, utc_text
from compliance.ledger.identity import PlatformKey


class ReferralState(StrEnum):
    OPEN = "open"
    """The suspicion is recorded and not yet referred."""
    REFERRED = "referred"
    WITHDRAWN = "withdrawn"
    """An open suspicion closed as recorded in error; kept, with its reason."""


@dataclass(frozen=True)
class ToolVersions:
    """Which code checked the document: written on its receipt."""

    tool: str
    ruleset: str


@dataclass(frozen=True)
class Suspicion:
    """A referral document not yet referred (``referred_at`` null), for ``suspect``."""

    platform: PlatformKey
    referral_id: str
    priority: str
    suspicion_formed_at: datetime
    deadline: datetime
    """As the caller's rule set computes it for this document; the ledger keeps the first."""
    generated_at: datetime
    canonical: bytes
    """The document's canonical form (canonical.canonical_bytes)."""
    versions: ToolVersions
    breach_codes: tuple[str, ...] = ()
    """E.g. ``DTR-T006`` when its deadline already passed at ``generated_at``."""

    @property
    def sha256(self) -> str:
        return sha256_hex(self.canonical)


@dataclass(frozen=True)
class Filing:
    """A referral document that was referred (``referred_at`` and ``referred_to`` set)."""

    platform: PlatformKey
    referral_id: str
    priority: str
    suspicion_formed_at: datetime
    deadline: datetime
    """As the caller's rule set computes it for this document; the ledger keeps the first."""
    generated_at: datetime
    referred_at: datetime
    referred_to: str
    canonical: bytes
    pack_sha256: str | None
    """The referral pack's SHA-256; None only for a referral brought in without a pack."""
    on_time: bool | None
    versions: ToolVersions
    breach_codes: tuple[str, ...] = ()

    @property
    def sha256(self) -> str:
        return sha256_hex(self.canonical)


@dataclass(frozen=True)
class Receipt:
    """The ledger's proof of one recorded document (spec 10.2)."""

    receipt_id: str
    platform: PlatformKey
    referral_id: str
    version: int
    """1 for the first document recorded for the referral, then 2, 3, ..."""
    state: ReferralState
    document_sha256: str
    pack_sha256: str | None
    filed_at: datetime
    """The ledger's clock, UTC, when the record was committed."""
    on_time: bool | None
    breach_codes: tuple[str, ...]
    versions: ToolVersions

    def to_json(self) -> dict[str, Any]:
        """The receipt as ``<referral_id>.receipt.json`` may carry it."""
        return {
            "receipt_id": self.receipt_id,
            "registration_number": self.platform.registration_number,
            "jurisdiction": self.platform.jurisdiction,
            "referral_id": self.referral_id,
            "version": self.version,
            "state": str(self.state),
            "document_sha256": self.document_sha256,
            "pack_sha256": self.pack_sha256,
            "filed_at": utc_text(self.filed_at),
            "on_time": self.on_time,
            "breaches": list(self.breach_codes),
            "tool_version": self.versions.tool,
            "ruleset_version": self.versions.ruleset,
        }


@dataclass(frozen=True)
class RecordedDocument:
    """One version of a referral as the ledger holds it: the document and its receipt."""

    receipt: Receipt
    priority: str
    suspicion_formed_at: datetime
    generated_at: datetime
    referred_at: datetime | None
    referred_to: str | None
    canonical: bytes = field(repr=False)


@dataclass(frozen=True)
class ReferralRecord:
    """Where one referral stands: its state, its fixed deadline and its latest document."""

    referral_id: str
    state: ReferralState
    deadline: datetime
    """The deadline recorded first, which no later document moves (DTR-L004)."""
    latest: RecordedDocument
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None

    @property
    def platform(self) -> PlatformKey:
        return self.latest.receipt.platform


class RecordOutcome(StrEnum):
    RECORDED = "recorded"
    """A suspicion new to the ledger: recorded open."""
    UPDATED = "updated"
    """A later document (by ``generated_at``) of an open suspicion: recorded as its new version."""
    UNCHANGED = "unchanged"
    """This very document is recorded already: its receipt, nothing changed."""
    STALE = "stale"
    """Not later than the recorded document of the open suspicion: nothing changed."""
    ALREADY_REFERRED = "already_referred"
    """The referral is filed: it cannot go back to open (the caller's DTR-L001)."""
    WITHDRAWN = "withdrawn"
    """The suspicion was withdrawn: nothing changed."""


class FilingOutcome(StrEnum):
    FILED = "filed"
    """Referred for the first time (new to the ledger, or an open suspicion referred)."""
    NEW_VERSION = "new_version"
    """A later-facts version of a filed referral, with its own receipt."""
    UNCHANGED = "unchanged"
    """This very document is filed already: its receipt, nothing changed."""
    CONFLICT = "conflict"
    """Filed already with a different document (the caller's DTR-L001): nothing changed."""
    WITHDRAWN = "withdrawn"
    """The suspicion was withdrawn: nothing changed."""


class WithdrawalOutcome(StrEnum):
    WITHDRAWN = "withdrawn"
    ALREADY_WITHDRAWN = "already_withdrawn"
    """Withdrawn before: the first withdrawal and its reason stand."""
    NOT_FOUND = "not_found"
    REFERRED = "referred"
    """A filed referral is never withdrawn: nothing changed."""


@dataclass(frozen=True)
class RecordResult:
    outcome: RecordOutcome
    receipt: Receipt
    """The new receipt, or for an outcome that changed nothing the latest one on record."""
    deadline: datetime
    """The deadline the ledger holds for the referral: the caller raises DTR-L004 if the
    document's own deadline is later."""


@dataclass(frozen=True)
class FilingResult:
    outcome: FilingOutcome
    receipt: Receipt
    """The new receipt; the same document's for UNCHANGED; the latest one otherwise."""
    deadline: datetime


@dataclass(frozen=True)
class WithdrawalResult:
    outcome: WithdrawalOutcome
    record: ReferralRecord | None
    """The referral as it stands after the call; None when the ledger has no such referral."""
