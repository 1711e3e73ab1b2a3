"""The metric engine: one table of figures, one computation, every label in the table."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from compliance.metrics import (
    FAMILIES,
    METRIC_BY_NAME,
    METRIC_NAMES,
    METRICS,
    Family,
    IssueFacts,
    MetricKind,
    ReferralFacts,
    RemovalFacts,
    compute_figures,
)

ROOT = Path(__file__).resolve().parent.parent
SPEC_METRICS = json.loads((ROOT / "tests/data/dtr1_metrics.json").read_text())["metrics"]
T0 = datetime(2026, 8, 1, tzinfo=UTC)


def test_the_summary_metrics_are_the_standards_in_its_order() -> None:
    assert list(METRIC_NAMES) == SPEC_METRICS


def test_every_figure_is_defined_once_with_every_word_it_needs() -> None:
    assert len(METRIC_BY_NAME) == len(METRICS)
    for metric in METRICS:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", metric.name), metric.name
        for text in (metric.label, metric.heading, metric.source, metric.report_label):
            assert text.strip() and text != metric.name, (metric.name, text)
    assert sorted(name for names in FAMILIES.values() for name in names) == sorted(METRIC_BY_NAME)


def test_headings_tell_the_figures_of_a_family_apart() -> None:
    for family, names in FAMILIES.items():
        headings = [METRIC_BY_NAME[name].heading for name in names]
        assert len(set(headings)) == len(headings), family


def _referral(
    number: int,
    priority: str,
    taken: timedelta | None,
    categories: tuple[str, ...] = ("TC01",),
    kind: str = "initial",
) -> ReferralFacts:
    referred_at = T0 + taken if taken is not None else None
    allowed = {"threat_to_life": 1, "urgent": 24, "routine": 168}[priority]
    met = None if taken is None else taken <= timedelta(hours=allowed)
    return ReferralFacts(f"R{number}", kind, priority, categories, T0, referred_at, met)


def test_figures_are_computed_from_row_facts() -> None:
    referrals = [
        _referral(1, "threat_to_life", timedelta(minutes=30), ("TC05", "TC06")),
        _referral(2, "urgent", timedelta(hours=30)),
        _referral(3, "urgent", timedelta(hours=2)),
        _referral(4, "routine", None),
    ]
    removals = [RemovalFacts("TC01", True)] * 2 + [RemovalFacts("TC05", False)] * 5
    referrals.append(_referral(5, "urgent", timedelta(hours=900), kind="correction"))
    issues = [
        IssueFacts("DTR-T005", "breach"),
        IssueFacts("DTR-D001", "breach"),
        IssueFacts("DTR-D001", "breach"),
        IssueFacts("DTR-S002", "error"),
        IssueFacts("DTR-T007", "warning"),
        IssueFacts("DTR-S000", "fatal"),
    ]
    figures = compute_figures(referrals, 6, removals, issues, returns_not_filing_ready=1)
    assert dict(figures.summary) == {
        "referrals_total": 5,  # the correction is a referral; its timing is its original's
        "referrals_threat_to_life": 1,
        "referrals_urgent": 3,
        "referrals_routine": 1,
        "referrals_on_time": 2,
        "referrals_late": 1,
        "referrals_outstanding": 1,
        "median_hours_to_referral": 2.0,
        "content_items_total": 6,
        "removals_total": 7,
        "removals_referred": 2,
        "removals_referred_ratio": 0.2857,
        "accounts_duty_triggered_unreferred": 2,
        "issues_error": 2,
        "issues_breach": 3,
        "issues_warning": 1,
    }
    assert figures.metric("referrals_referred") == 3
    assert figures.metric("on_time_share") == 0.6667
    assert figures.metric("removals_not_referred") == 5
    assert figures.metric("returns_not_filing_ready") == 1
    assert figures.median_hours_by_priority == (
        ("threat_to_life", 0.5),
        ("urgent", 16.0),
        ("routine", None),
    )
    assert dict(figures.referrals_by_category)["TC05"] == 1
    assert dict(figures.referrals_by_category)["TC01"] == 4
    assert figures.exact["removals_referred_ratio"] == pytest.approx(2 / 7)


def test_empty_rows_give_empty_medians_and_ratios() -> None:
    figures = compute_figures([], 0, [], [])
    assert figures.metric("median_hours_to_referral") is None
    assert figures.metric("removals_referred_ratio") is None
    assert figures.metric("on_time_share") is None
    assert figures.metric("referrals_total") == 0


def test_a_stated_figure_agrees_within_its_rounding_only() -> None:
    referrals = [_referral(1, "urgent", timedelta(hours=1, seconds=18))]  # 1.005 h
    figures = compute_figures(referrals, 0, [], [])
    hours = METRIC_BY_NAME["median_hours_to_referral"]
    assert hours.kind is MetricKind.HOURS and hours.digits == 2
    assert figures.agrees("median_hours_to_referral", 1.0)  # 1.005 rounds either way
    assert figures.agrees("median_hours_to_referral", 1.01)
    assert not figures.agrees("median_hours_to_referral", 1.02)
    assert not figures.agrees("median_hours_to_referral", None)
    assert figures.agrees("referrals_total", 1)
    assert not figures.agrees("referrals_total", 2)


def test_families_are_the_sector_sheets() -> None:
    assert set(FAMILIES) == set(Family)
    assert FAMILIES[Family.REFERRALS][0] == "referrals_total"
