"""A missing field's message gives advice that is true of that field and that kind of file."""

from __future__ import annotations

from returns_fixture import submission

from compliance.check import check_document
from compliance.model import EMPTY_LIST_FIELDS


def _messages(document: dict) -> dict[str, str]:
    _submission, report = check_document(document)
    return {issue.path: issue.message for issue in report.issues if issue.code == "DTR-S001"}


def test_a_missing_list_that_may_be_empty_says_write_an_empty_list() -> None:
    document = submission()
    del document["referrals"][0]["related_referral_ids"]
    message = _messages(document)["/referrals/0/related_referral_ids"]
    assert message.endswith("write [] if there are none.")


def test_a_missing_value_does_not_suggest_null_which_would_also_be_refused() -> None:
    document = submission()
    del document["referrals"][0]["detected_at"]
    del document["submission_id"]
    messages = _messages(document)
    assert messages["/referrals/0/detected_at"] == "detected_at is required but missing."
    assert messages["/submission_id"] == "submission_id is required but missing."
    # The old advice, "write null", would only have traded one error for another.
    document["referrals"][0]["detected_at"] = None
    _submission, report = check_document(document)
    assert [i.code for i in report.issues if i.path == "/referrals/0/detected_at"] == ["DTR-S002"]


def test_lists_that_must_hold_an_item_are_not_offered_the_empty_list() -> None:
    assert {"related_referral_ids", "ip_events", "hashes"} <= EMPTY_LIST_FIELDS
    assert "categories" not in EMPTY_LIST_FIELDS  # at least one category
    assert "services" not in EMPTY_LIST_FIELDS


def test_no_message_speaks_pydantic() -> None:
    """Range and type errors are said in plain words, never in pydantic's phrasing."""
    from returns_fixture import submission, submission_bytes

    from compliance.check import check_bytes

    document = submission()
    referral = document["referrals"][0]
    referral["categories"] = []
    referral["countries_concerned"] = []
    referral["subjects"][0]["ip_events"][0]["port"] = 0
    referral["content_items"][0]["view_count"] = "many"
    document["platform"]["legal_name"] = ""
    messages = {i.path: i.message for i in check_bytes(submission_bytes(document)).report.issues}
    assert messages["/referrals/0/categories"] == "categories must list at least one item."
    assert messages["/platform/legal_name"].endswith("must not be empty.")
    assert messages["/referrals/0/subjects/0/ip_events/0/port"] == "port (0) must be 1 or more."
    assert "must be a whole number" in messages["/referrals/0/content_items/0/view_count"]
    for message in messages.values():
        for phrase in ("should have", "after validation", "Input should", "valid integer"):
            assert phrase not in message, message
