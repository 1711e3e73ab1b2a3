"""Figures recomputed from rows: of one return (to check it) and of many (the sector report).

Counts are counted, medians are medians of the pooled rows and ratios are ratios of pooled
counts: a half-year's median hours to referral is the median over every referral referred in
its two quarters, never the mean of two quarterly medians. The same function computes a single
return's metrics when it is received, so a return that passes is one whose Summary this code
would have written, and the sector report adds up to the returns it lists.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compliance.codes import Category, Priority
from compliance.figures import METRIC_NAMES
from compliance.issues import Severity
from compliance.regulator.model import IssueRow, MetricValue, ReferralRow, RemovalRow

CATEGORY_CODES: tuple[str, ...] = tuple(category.code for category in Category)
PRIORITIES: tuple[str, ...] = tuple(priority.value for priority in Priority)
DUTY_CODE = "DTR-D001"


@dataclass(frozen=True)
class Figures:
    """Everything the regulator's outputs show about a set of rows."""

    metrics: tuple[tuple[str, MetricValue], ...]
    """The 15 metrics of DTR-1 7.4, in order, rounded as the standard says."""
    exact_median_hours: float | None
    exact_referred_ratio: float | None
    median_hours_by_priority: tuple[tuple[str, float | None], ...]
    referrals_by_category: tuple[tuple[str, int], ...]
    referred: int
    on_time_share: float | None

    def metric(self, name: str) -> MetricValue:
        return dict(self.metrics)[name]

    @property
    def removals_not_referred(self) -> int:
        return int(self.metric("removals_total") or 0) - int(self.metric("removals_referred") or 0)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def figures(
    referrals: Sequence[ReferralRow],
    content_items: int,
    removals: Sequence[RemovalRow],
    issues: Iterable[IssueRow],
) -> Figures:
    referred = [row for row in referrals if row.referred_at is not None]
    taken = [row.hours_to_referral for row in referred if row.hours_to_referral is not None]
    on_time = sum(1 for row in referred if row.deadline_met is True)
    by_priority = Counter(row.priority for row in referrals)
    removals_referred = sum(1 for row in removals if row.referred)
    issue_rows = list(issues)
    severities = Counter(issue.severity for issue in issue_rows)
    duty = sum(1 for issue in issue_rows if issue.code == DUTY_CODE)
    median = _median(taken)
    ratio = removals_referred / len(removals) if removals else None
    metrics: tuple[tuple[str, MetricValue], ...] = (
        ("referrals_total", len(referrals)),
        ("referrals_threat_to_life", by_priority[Priority.THREAT_TO_LIFE.value]),
        ("referrals_urgent", by_priority[Priority.URGENT.value]),
        ("referrals_routine", by_priority[Priority.ROUTINE.value]),
        ("referrals_on_time", on_time),
        ("referrals_late", len(referred) - on_time),
        ("referrals_outstanding", len(referrals) - len(referred)),
        ("median_hours_to_referral", _round(median, 2)),
        ("content_items_total", content_items),
        ("removals_total", len(removals)),
        ("removals_referred", removals_referred),
        ("removals_referred_ratio", _round(ratio, 4)),
        ("accounts_duty_triggered_unreferred", duty),
        ("issues_error", severities[Severity.FATAL.value] + severities[Severity.ERROR.value]),
        ("issues_warning", severities[Severity.WARNING.value]),
    )
    assert tuple(name for name, _ in metrics) == METRIC_NAMES
    category_counts = Counter(code for row in referrals for code in row.categories)
    median_by_priority = tuple(
        (
            priority,
            _round(
                _median(
                    [
                        row.hours_to_referral
                        for row in referred
                        if row.priority == priority and row.hours_to_referral is not None
                    ]
                ),
                2,
            ),
        )
        for priority in PRIORITIES
    )
    return Figures(
        metrics=metrics,
        exact_median_hours=median,
        exact_referred_ratio=ratio,
        median_hours_by_priority=median_by_priority,
        referrals_by_category=tuple((code, category_counts[code]) for code in CATEGORY_CODES),
        referred=len(referred),
        on_time_share=_round(on_time / len(referred), 4) if referred else None,
    )
