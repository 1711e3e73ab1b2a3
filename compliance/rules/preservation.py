"""Preservation: removed material is kept for police (DTR-P; Reg. 2021/784 Art. 6)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from compliance.codes import Action
from compliance.issues import Severity
from compliance.model import Referral
from compliance.rules.registry import Finding, RuleContext, referral_rule


@referral_rule(
    "DTR-P001",
    Severity.ERROR,
    "A content item was removed but the referral has no preservation",
    "DTR-1 §4.5; Reg. 2021/784 Art. 6",
)
def removed_content_preserved(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    if referral.preservation is None and any(
        item.removed_at is not None for item in referral.content_items
    ):
        yield Finding(
            "/preservation",
            f"Referral {referral.referral_id} has removed content but records no preservation "
            "of the evidence.",
        )


@referral_rule(
    "DTR-P002",
    Severity.ERROR,
    "retain_until earlier than {preservation_days} days (UTC dates) after the latest removed_at",
    "DTR-1 §4.5; Reg. 2021/784 Art. 6(2)",
)
def retained_long_enough(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    removals = [item.removed_at for item in referral.content_items if item.removed_at is not None]
    if referral.preservation is None or not removals:
        return
    try:
        required = max(removals).date() + timedelta(days=ctx.config.preservation_days)
    except OverflowError:  # a removal dated at the end of year 9999 (DTR-T004 says so)
        required = date.max
    if referral.preservation.retain_until < required:
        yield Finding(
            "/preservation/retain_until",
            f"Referral {referral.referral_id}: evidence is kept until "
            f"{referral.preservation.retain_until.isoformat()}, but must be kept until at least "
            f"{required.isoformat()} ({ctx.config.preservation_days} days after the last removal).",
        )


@referral_rule(
    "DTR-P003",
    Severity.WARNING,
    "actions_taken and the content disagree about removal",
    "DTR-1 §4.2, §4.4",
)
def removal_recorded_consistently(referral: Referral, ctx: RuleContext) -> Iterator[Finding]:
    says_removed = Action.CONTENT_REMOVED in referral.actions_taken
    removed = [item.content_id for item in referral.content_items if item.removed_at is not None]
    if says_removed and not removed:
        yield Finding(
            "/actions_taken",
            f"Referral {referral.referral_id} lists content_removed, but none of its content "
            "items has a removed_at time.",
        )
    elif removed and not says_removed:
        yield Finding(
            "/actions_taken",
            f"Referral {referral.referral_id}: content item {removed[0]} was removed, but "
            "actions_taken does not list content_removed.",
        )
