"""The status words are the contract (DTR-1 §9, §11): pinned here once, so that the other tests
may compare with the enum members instead of retyping the words."""

from __future__ import annotations

import json
from enum import StrEnum

import pytest

from compliance.statuses import BatchStatus, DeadlineState, PdfState, ReceiptStatus, SelectionStatus


@pytest.mark.parametrize(
    ("enum", "words"),
    [
        (BatchStatus, ["rendered", "rejected", "skipped"]),
        (
            ReceiptStatus,
            ["accepted", "accepted_with_breaches", "accepted_with_warnings", "rejected"],
        ),
        (DeadlineState, ["met", "late", "overdue", "pending"]),
        (PdfState, ["matches", "differs", "unreadable", "not compared", "absent"]),
        (SelectionStatus, ["used", "superseded", "duplicate", "conflict", "rejected"]),
    ],
)
def test_each_status_is_its_word(enum: type[StrEnum], words: list[str]) -> None:
    assert [member.value for member in enum] == words
    for member, word in zip(enum, words, strict=True):
        # Everything that writes a status (JSON, text, f-strings, workbook cells) sees the word.
        assert member == word and str(member) == word and f"{member}" == word
        assert json.dumps({"status": member}) == json.dumps({"status": word})
