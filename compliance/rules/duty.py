"""Duty to report: removals that should have become referrals (DTR-D)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from compliance.durations import format_timestamp
from compliance.issues import Severity
from compliance.model import Removal
from compliance.rules.registry import (
    Finding,
    RuleContext,
    SubmissionFacts,
    removal_rule,
    submission_rule,
)


@dataclass(frozen=True)
class DutyTrigger:
    """An account whose removals triggered the duty to report, and the row that completed it."""

    service_id: str
    account_id: str
    index: int
    removal: Removal
    window_start: Removal


def duty_triggers(facts: SubmissionFacts, ctx: RuleContext) -> list[DutyTrigger]:
    """Accounts with N removals within the window that no referral's subject covers.

    One pass over the log groups rows by account; each group is sorted once and scanned with
    a window of N rows, so the cost is O(n log n) whatever the log's order.
    """
    threshold, window = ctx.config.duty_removals, ctx.config.duty_window
    by_account: dict[tuple[str, str], list[tuple[int, Removal]]] = defaultdict(list)
    for index, removal in facts.removals:
        if (removal.service_id, removal.account_id) not in facts.subject_accounts:
            by_account[(removal.service_id, removal.account_id)].append((index, removal))
    triggers = []
    for (service_id, account_id), rows in by_account.items():
        if len(rows) < threshold:
            continue
        rows.sort(key=lambda row: (row[1].actioned_at, row[0]))
        for last in range(threshold - 1, len(rows)):
            first = last - threshold + 1
            if rows[last][1].actioned_at - rows[first][1].actioned_at <= window:
                index, removal = rows[last]
                triggers.append(DutyTrigger(service_id, account_id, index, removal, rows[first][1]))
                break
    triggers.sort(key=lambda trigger: trigger.index)
    return triggers


@submission_rule(
    "DTR-D001",
    Severity.BREACH,
    "An account with {duty_removals} or more removals within {duty_window} that no "
    "referral's subject covers",
    "DTR-1 §6.2 (DTR-D001); DSA Art. 18",
)
def repeat_removals_referred(facts: SubmissionFacts, ctx: RuleContext) -> Iterator[Finding]:
    for trigger in duty_triggers(facts, ctx):
        # The account id is personal data: the message names the log rows instead.
        yield Finding(
            f"/moderation_log/{trigger.index}",
            f"The account behind removals {trigger.window_start.action_id} to "
            f"{trigger.removal.action_id} on service {trigger.service_id} had "
            f"{ctx.config.duty_removals} removals within {ctx.config.duty_window.days} days "
            f"(by {format_timestamp(trigger.removal.actioned_at)}), but no referral names it as "
            "a subject: the duty to report was triggered and no referral was made.",
        )


@removal_rule(
    "DTR-D002",
    Severity.BREACH,
    "A removal in category {always_referred} with no referral_id",
    "DTR-1 §6.2; Reg. 2021/784 Art. 14(5)",
)
def grave_removal_referred(removal: Removal, ctx: RuleContext) -> Iterator[Finding]:
    if removal.referral_id is None and removal.category in ctx.config.always_referred:
        yield Finding(
            "/referral_id",
            f"Removal {removal.action_id} is in category {removal.category.value} "
            f"({removal.category.code}) but is not covered by any referral.",
        )


@submission_rule(
    "DTR-D003",
    Severity.WARNING,
    "A removal whose referral_id names no referral of the submission",
    "DTR-1 §4.6",
)
def removal_referral_exists(facts: SubmissionFacts, ctx: RuleContext) -> Iterator[Finding]:
    known = {referral_id for _, referral_id in facts.referral_ids}
    for index, removal in facts.removals:
        if removal.referral_id is not None and removal.referral_id not in known:
            yield Finding(
                f"/moderation_log/{index}/referral_id",
                f"Removal {removal.action_id} names referral {removal.referral_id}, which is not "
                "in this submission.",
            )
