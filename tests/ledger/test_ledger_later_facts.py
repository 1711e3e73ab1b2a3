"""Which changes to a filed referral make a new version, and which are DTR-L001 (spec 10.2)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from compliance.ledger import canonical_bytes, differs_only_in_later_facts

FILED: dict[str, Any] = {
    "schema_version": "1.0",
    "document": "referral",
    "generated_at": "2026-08-14T10:00:00Z",
    "platform": {"registration_number": "0123", "jurisdiction": "GB"},
    "referral": {
        "referral_id": "R-1",
        "authority_reference": None,
        "narrative": "text",
        "preservation": None,
        "content_items": [
            {"content_id": "c-1", "removed_at": None, "url": None},
            {"content_id": "c-2", "removed_at": "2026-08-14T09:00:00Z", "url": None},
        ],
    },
}


def _changed(path: tuple[Any, ...], value: Any) -> bytes:
    document = copy.deepcopy(FILED)
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return canonical_bytes(document)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("generated_at",), "2026-09-01T00:00:00Z"),
        (("referral", "authority_reference"), "CTP-2026-0001"),
        (("referral", "content_items", 0, "removed_at"), "2026-09-01T00:00:00Z"),
        (("referral", "preservation"), {"reference": "L-1", "preserved_at": "x"}),
    ],
)
def test_later_facts_make_a_new_version(path: tuple[Any, ...], value: Any) -> None:
    assert differs_only_in_later_facts(canonical_bytes(FILED), _changed(path, value))


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("referral", "narrative"), "other text"),
        (("referral", "referral_id"), "r-1"),
        (("referral", "content_items", 0, "url"), "https://example.org/x"),
        (("referral", "content_items"), [{"content_id": "c-1", "removed_at": None, "url": None}]),
        (("platform", "registration_number"), "0124"),
        (("schema_version",), "1.1"),
    ],
)
def test_any_other_change_is_not_a_later_fact(path: tuple[Any, ...], value: Any) -> None:
    assert not differs_only_in_later_facts(canonical_bytes(FILED), _changed(path, value))
