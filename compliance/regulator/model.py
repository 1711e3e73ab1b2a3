"""A received return as typed facts: its Cover, its stated metrics and the rows they count.

Only what the regulator's checks and roll-ups need is kept of each row, so that a year of
returns of a large platform fits in memory. Nothing here can hold personal data: the return
carries none, and these objects hold fewer of its columns still.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from compliance.ledger.identity import normalised
from compliance.metrics import IssueFacts, MetricValue, ReferralFacts, RemovalFacts


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
    standard_version: str
    filing_ready: bool
    source_sha256: str

    @property
    def platform_key(self) -> tuple[str, str]:
        """Who filed: a platform is its registration in its jurisdiction, not its trading name,
        which may change from one quarter to the next; compared with surrounding spaces
        removed and letters upper-cased (DTR-1 11), as the register and the ledger compare."""
        return (normalised(self.jurisdiction), normalised(self.registration_number))


@dataclass(frozen=True)
class ReceivedReturn:
    """A return that was received and verified: everything the roll-up reads."""

    cover: Cover
    metrics: tuple[tuple[str, MetricValue], ...]
    """The Summary sheet as stated (equal to what its rows give, or it was rejected)."""
    referrals: tuple[ReferralFacts, ...]
    content_items: int
    removals: tuple[RemovalFacts, ...]
    issues: tuple[IssueFacts, ...]

    def metric(self, name: str) -> MetricValue:
        return dict(self.metrics)[name]

    def count(self, name: str) -> int:
        return int(self.metric(name) or 0)
