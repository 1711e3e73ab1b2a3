"""The canonical form (spec 10.2): one document, one byte string, whatever its offsets."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.ledger import canonical_bytes, canonical_sha256, utc_text

SAMPLE = Path(__file__).resolve().parents[2] / "sample_inputs" / "harbourlight-2026-Q3.json"

# Offsets a document may carry: whole hours and the odd half and quarter hours.
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
instants = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(9998, 12, 30), timezones=st.just(UTC)
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.dates(),
    instants,
)
documents = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=25,
)


def _reoffset(value: Any, offset: timezone) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(offset)
    if isinstance(value, dict):
        return {key: _reoffset(item, offset) for key, item in value.items()}
    if isinstance(value, list):
        return [_reoffset(item, offset) for item in value]
    return value


@settings(max_examples=300, deadline=None)
@given(documents, offsets)
def test_equal_documents_with_other_offsets_give_equal_bytes(
    document: Any, offset: timezone
) -> None:
    assert canonical_bytes(_reoffset(document, offset)) == canonical_bytes(document)
    assert canonical_sha256(_reoffset(document, offset)) == canonical_sha256(document)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_the_bytes_are_compact_sorted_json_that_reads_back_to_the_same_bytes(
    document: Any,
) -> None:
    data = canonical_bytes(document)
    parsed = json.loads(data.decode("utf-8"))
    # Timestamps and dates became their text; read back, it is already canonical.
    assert canonical_bytes(parsed) == data
    assert json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == (
        data.decode("utf-8")
    )


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_text_is_kept_exactly_as_received(text: str) -> None:
    assert json.loads(canonical_bytes({"narrative": text}))["narrative"] == text


def test_unicode_is_written_as_utf8_not_escaped_and_never_normalised() -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    data = canonical_bytes({"b": decomposed, "a": composed, "c": "انضموا\u2028🔥"})
    assert data == ('{"a":"caf\u00e9","b":"cafe\u0301","c":"انضموا\u2028🔥"}'.encode())
    assert canonical_bytes(composed) != canonical_bytes(decomposed)
    # JSON's own escapes, and nothing beyond them.
    assert canonical_bytes('a"b\\c\nd\te\x7f') == b'"a\\"b\\\\c\\nd\\te\x7f"'


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (
            datetime(2026, 8, 14, 10, 30, tzinfo=timezone(timedelta(hours=1))),
            "2026-08-14T09:30:00Z",
        ),
        (datetime(2026, 8, 14, 9, 30, 0, 500000, tzinfo=UTC), "2026-08-14T09:30:00.5Z"),
        (datetime(2026, 8, 14, 9, 30, 0, 120, tzinfo=UTC), "2026-08-14T09:30:00.00012Z"),
        (datetime(2026, 8, 14, 9, 30, 0, 999999, tzinfo=UTC), "2026-08-14T09:30:00.999999Z"),
        (
            datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "2025-12-31T19:00:00Z",
        ),
        (datetime(5, 3, 1, tzinfo=UTC), "0005-03-01T00:00:00Z"),
    ],
)
def test_timestamps_are_utc_with_trailing_zeros_of_the_fraction_dropped(
    moment: datetime, text: str
) -> None:
    assert utc_text(moment) == text
    assert canonical_bytes({"t": moment}) == f'{{"t":"{text}"}}'.encode()


def test_dates_keys_and_white_space() -> None:
    document = {"z": [1, 2.5, True, None], "a": {"y": date(2027, 1, 5), "b": "x"}}
    assert canonical_bytes(document) == (b'{"a":{"b":"x","y":"2027-01-05"},"z":[1,2.5,true,null]}')


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 8, 14, 9, 30),  # no offset: names no instant
        float("nan"),
        float("inf"),
        {1: "a"},
        {"a": {1, 2}},
        b"bytes",
    ],
)
def test_a_value_without_one_canonical_form_is_refused(value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        canonical_bytes(value)


def test_a_referral_of_a_real_submission_gives_the_same_bytes_in_any_offset() -> None:
    from compliance.model import Submission

    raw = json.loads(SAMPLE.read_text())
    shifted = json.loads(
        re.sub(
            r'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)Z"',
            lambda match: (
                '"'
                + datetime.fromisoformat(match.group(1) + "+00:00")
                .astimezone(timezone(timedelta(hours=-3, minutes=-30)))
                .isoformat()
                + '"'
            ),
            SAMPLE.read_text(),
        )
    )
    assert shifted != raw
    for original, moved in zip(
        Submission.model_validate(raw).referrals,
        Submission.model_validate(shifted).referrals,
        strict=True,
    ):
        data = canonical_bytes(original.model_dump(mode="python"))
        assert canonical_bytes(moved.model_dump(mode="python")) == data
        parsed = json.loads(data)
        assert parsed["priority"] in ("threat_to_life", "urgent", "routine")
        assert parsed["suspicion_formed_at"].endswith("Z")
        assert "preservation" in parsed  # an omitted optional field is written as null
