"""A received return as typed facts: its Cover, its stated metrics and the rows they count.

Only what the regulator's checks and roll-ups need is kept of each row, so that a year of
returns of a large platform fits in memory. Nothing here can hold personal data: the return
carries none, and these objects hold fewer of its columns still.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from compliance.durations import hours

MetricValue = int | float | None


@dataclass(frozen=True, slots=True)
class ReferralRow:
    """One row of the Referrals sheet."""

    referral_id: str
    priority: str
    categories: tuple[str, ...]
    """Category codes (TC01..TC09)."""
    suspicion_formed_at: datetime
    referred_at: datetime | None
    deadline_met: bool | None

    @property
    def hours_to_referral(self) -> float | None:
        """Exact hours from suspicion to referral, from the timestamps (not the rounded column)."""
        if self.referred_at is None:
            return None
        return hours(self.referred_at - self.suspicion_formed_at)


@dataclass(frozen=True, slots=True)
class RemovalRow:
    """One row of the Removals sheet."""

    category: str
    referred: bool


@dataclass(frozen=True, slots=True)
class IssueRow:
    """One row of the Validation sheet."""

    code: str
    severity: str


@dataclass(frozen=True)
class Cover:
    submission_id: str
    submission_type: str
    amends_submission_id: str | None
    period: str
    generated_at: datetime
    platform: str
    registration_number: str
    jurisdiction: str
    filing_ready: bool
    source_sha256: str

    @property
    def platform_key(self) -> tuple[str, str]:
        """Who filed: a platform is its registration in its jurisdiction, not its trading name,
        which may change from one quarter to the next."""
        return (self.jurisdiction, self.registration_number)


@dataclass(frozen=True)
class ReceivedReturn:
    """A return that was received and verified: everything the roll-up reads."""

    cover: Cover
    metrics: tuple[tuple[str, MetricValue], ...]
    """The Summary sheet as stated (equal to what its rows give, or it was rejected)."""
    referrals: tuple[ReferralRow, ...]
    content_items: int
    removals: tuple[RemovalRow, ...]
    issues: tuple[IssueRow, ...]

    def metric(self, name: str) -> MetricValue:
        return dict(self.metrics)[name]
