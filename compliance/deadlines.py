"""When a referral is due, and whether it was made in time (DTR-1 6.1): computed here only.

The rules (DTR-T005 to T007), the return's ``deadline_met`` column and its metrics, the
referral pack's timeline, and ``receive``'s recomputation all ask :func:`assess_deadline`,
so that none of them can disagree with another, or crash where another does not: a suspicion
dated in the last week of year 9999 is due "never" rather than an ``OverflowError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from compliance.codes import Priority, ReferralType
from compliance.config import DEFAULT_CONFIG, RuleConfig
from compliance.statuses import DeadlineState

NEVER = datetime.max.replace(tzinfo=UTC)
"""The due time of a deadline that falls after the last representable moment."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """A referral's deadline and where the referral stands against it."""

    priority: Priority
    allowed: timedelta
    """How long the priority allows from suspicion to referral."""
    due: datetime
    """``suspicion_formed_at + allowed``, or :data:`NEVER` past the calendar's end."""
    state: DeadlineState
    taken: timedelta | None
    """From suspicion to referral, when referred."""

    @property
    def met(self) -> bool | None:
        """The return's ``deadline_met`` (DTR-1.1 7.2): TRUE when referred in time, FALSE when
        referred late or when the deadline passed unreferred, empty while still ahead."""
        if self.state is DeadlineState.MET:
            return True
        if self.state is DeadlineState.PENDING:
            return None
        return False

    @property
    def referred(self) -> bool:
        return self.taken is not None


def has_deadline(referral_type: ReferralType | str) -> bool:
    """Whether the deadline rules and the timing metrics judge a referral of this type.

    A correction replaces the facts of an earlier referral and is no new suspicion: the
    original keeps its own timing, and the correction has none (DTR-1.1 6.2).
    """
    return ReferralType(referral_type) is not ReferralType.CORRECTION


def due_at(
    priority: Priority | str, suspicion_formed_at: datetime, config: RuleConfig = DEFAULT_CONFIG
) -> datetime:
    """The moment a referral of ``priority`` is due, guarded against the calendar's end."""
    try:
        return suspicion_formed_at + config.deadline(Priority(priority))
    except OverflowError:
        return NEVER


def assess_deadline(
    priority: Priority | str,
    suspicion_formed_at: datetime,
    referred_at: datetime | None,
    now: datetime | None,
    config: RuleConfig = DEFAULT_CONFIG,
) -> Deadline:
    """Where a referral stands at ``now`` (its submission's ``generated_at``).

    A referral that was made is judged by the time it took, whatever ``now`` is; one not yet
    made is overdue once ``now`` is after its due time. Without a ``now`` (a document whose
    ``generated_at`` could not be read) an unreferred referral counts as pending.
    """
    priority = Priority(priority)
    allowed = config.deadline(priority)
    due = due_at(priority, suspicion_formed_at, config)
    if referred_at is not None:
        taken = referred_at - suspicion_formed_at
        state = DeadlineState.MET if taken <= allowed else DeadlineState.LATE
        return Deadline(priority, allowed, due, state, taken)
    overdue = now is not None and now > due
    state = DeadlineState.OVERDUE if overdue else DeadlineState.PENDING
    return Deadline(priority, allowed, due, state, None)
