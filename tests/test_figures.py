"""The return's figures (DTR-1 7.4), checked against values computed by hand."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from returns_fixture import PERSONAL_VALUES, submission, submission_bytes

from compliance.check import check_bytes
from compliance.figures import SHEET_NAMES, ReturnView, build_return_view
from compliance.metrics import METRIC_NAMES
from compliance.pseudonyms import Pseudonymiser


def view_of(document: dict | None = None, key: bytes = b"test-key") -> ReturnView:
    result = check_bytes(submission_bytes(document))
    assert result.submission is not None
    return build_return_view(
        result.submission,
        result.report,
        source_sha256=result.source_sha256,
        pseudonymiser=Pseudonymiser(key),
    )


def test_metrics_match_hand_computed_values() -> None:
    view = view_of()
    assert [name for name, _ in view.metrics] == list(METRIC_NAMES)
    assert dict(view.metrics) == {
        "referrals_total": 3,
        "referrals_threat_to_life": 1,
        "referrals_urgent": 1,
        "referrals_routine": 1,
        "referrals_on_time": 1,  # R1 after 0.5 h of 1 h
        "referrals_late": 1,  # R2 after 30 h of 24 h
        "referrals_outstanding": 1,  # R3
        "median_hours_to_referral": 15.25,  # median of 0.5 and 30
        "content_items_total": 3,
        "removals_total": 4,
        "removals_referred": 3,  # M3 has no referral
        "removals_referred_ratio": 0.75,
        "accounts_duty_triggered_unreferred": 0,
        "issues_error": 0,
        "issues_breach": 1,  # DTR-T005: disclosed, and filing-ready all the same
        "issues_warning": 2,  # DTR-T007, DTR-T008
    }


def test_empty_medians_and_ratios_are_empty_not_zero() -> None:
    document = submission()
    document["referrals"], document["moderation_log"] = [], []
    metrics = dict(view_of(document).metrics)
    assert metrics["median_hours_to_referral"] is None
    assert metrics["removals_referred_ratio"] is None
    assert metrics["referrals_total"] == 0


def test_removal_pointing_at_a_missing_referral_is_not_counted_as_referred() -> None:
    document = submission()
    document["moderation_log"][3]["referral_id"] = "R-404"
    view = view_of(document)
    assert view.metric("removals_referred") == 2
    assert view.sheet("Removals").rows[3][-1] is False


def test_duty_trigger_counts_accounts() -> None:
    document = submission()
    for n, day in enumerate(["2026-07-02", "2026-08-01", "2026-09-29"]):
        document["moderation_log"].append(
            {
                "action_id": f"X{n}",
                "service_id": "vid",
                "account_id": "acc-7777",
                "content_id": None,
                "category": "incitement",
                "actioned_at": f"{day}T10:00:00Z",
                "referral_id": None,
            }
        )
    assert view_of(document).metric("accounts_duty_triggered_unreferred") == 1


def test_sheets_rows_and_codes() -> None:
    view = view_of()
    assert tuple(sheet.name for sheet in view.sheets) == SHEET_NAMES
    referrals = view.sheet("Referrals").records()
    assert referrals[1]["categories"] == "TC01;TC08"
    assert referrals[1]["hours_to_referral"] == 30
    assert referrals[1]["deadline_met"] is False
    assert referrals[2]["deadline_met"] is None and referrals[2]["referred_at"] is None
    assert referrals[0]["detected_at"] == "2026-07-31T09:00:00Z"
    content = view.sheet("Content").records()
    assert content[0]["hours_online"] == 3
    assert content[0]["sha256"] == (b"v-5521".hex() * 64)[:64]
    cover = dict(view.sheet("Cover").rows)
    assert cover["filing_ready"] is True  # its only finding above a warning is a breach
    assert cover["standard_version"] == "1.1"
    assert [row[1] for row in view.sheet("Validation").rows] == ["breach", "warning", "warning"]
    assert cover["generated_at"] == datetime(2026, 10, 2, 9, tzinfo=UTC)


def test_account_refs_are_keyed_stable_and_distinct() -> None:
    first, again, other_key = view_of(), view_of(), view_of(key=b"another-key")
    refs = [row[2] for row in first.sheet("Removals").rows]
    assert refs == [row[2] for row in again.sheet("Removals").rows]
    assert refs != [row[2] for row in other_key.sheet("Removals").rows]
    assert len(set(refs)) == 4 and all(len(ref) == 16 for ref in refs)


@pytest.mark.parametrize("value", PERSONAL_VALUES)
def test_return_json_carries_no_personal_data(value: str) -> None:
    text = view_of().to_json_bytes().decode("utf-8")
    assert value not in text
    json.loads(text)
