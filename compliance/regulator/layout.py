"""What a DTR-1 quarterly return workbook must look like (DTR-1 7.2 and 7.4), as checks.

The sheet names, headers, Cover fields and metric names are the ones the project writes
(:mod:`compliance.figures`), so the writer and the receiver cannot drift apart. This module
adds what a receiver needs besides: the type each cell must have, as a small checker that
returns the typed value or says, in words, what was expected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from compliance.codes import (
    Action,
    Category,
    ContentType,
    DetectionSource,
    Priority,
    ReferralType,
    SubmissionType,
    Visibility,
)
from compliance.errors import ComplianceError
from compliance.figures import (
    CONTENT_COLUMNS,
    COVER_FIELDS,
    REFERRAL_COLUMNS,
    REMOVAL_COLUMNS,
    SHEET_NAMES,
    VALIDATION_COLUMNS,
)
from compliance.formats import (
    COUNTRY_CODES,
    IDENTIFIER_PATTERN,
    SCHEMA_VERSION,
    STANDARD_VERSION,
)
from compliance.issues import Severity
from compliance.metrics import SUMMARY_METRICS, MetricKind

RETURN_FORMAT = "DTR-1 quarterly return"
"""The ``format`` member of ``return.json``."""


class BadCell(ComplianceError, ValueError):
    """A cell that does not hold what its column takes; the message says what was expected."""


@dataclass(frozen=True)
class CellType:
    """A column's type: ``check`` returns the typed value, or raises :class:`BadCell`."""

    expected: str
    check_value: Callable[[Any], Any]
    optional: bool = False

    def check(self, value: Any) -> Any:
        if value is None or value == "":
            if self.optional:
                return None
            raise BadCell(f"is empty; it must hold {self.expected}")
        return self.check_value(value)

    def or_empty(self) -> CellType:
        return CellType(self.expected + " or nothing", self.check_value, optional=True)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE or FALSE"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, str):
        return "text"
    return "a value of another kind"


def _fail(value: Any, expected: str) -> BadCell:
    # The message names the kind of value found, never the value: it may be personal data.
    return BadCell(f"holds {_describe(value)}; it must hold {expected}")


def _text_matching(pattern: re.Pattern[str], expected: str) -> CellType:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise _fail(value, expected)
        if not pattern.fullmatch(value):
            raise BadCell(f"is not {expected}")
        return value

    return CellType(expected, check)


def _plain_text(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail(value, "text")
    return value


def _one_of(values: Iterable[str], what: str) -> CellType:
    allowed = tuple(values)

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise _fail(value, what)
        if value not in allowed:
            raise BadCell(f"is not {what} (one of {', '.join(allowed)})")
        return value

    return CellType(what, check)


def _joined(values: Iterable[str], what: str, *, at_least_one: bool) -> CellType:
    allowed = frozenset(values)

    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, str):
            raise _fail(value, what)
        parts = tuple(value.split(";"))
        unknown = [part for part in parts if part not in allowed]
        if unknown:
            raise BadCell(f"has {len(unknown)} item(s) that are not {what}")
        if len(set(parts)) != len(parts):
            raise BadCell("repeats an item")
        return parts

    kind = CellType(f"{what}, joined by ';'", check)
    return kind if at_least_one else kind.or_empty()


def _timestamp(value: Any) -> datetime:
    # Spreadsheet date-times carry no zone; DTR-1 returns write them in UTC.
    if not isinstance(value, datetime):
        raise _fail(value, "a date-time (UTC)")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(value, "a whole number")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise BadCell("is not a whole number")
    if value < 0:
        raise BadCell("is negative; it must be a count")
    return int(value)


def _number(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(value, "a number")
    if not math.isfinite(value):
        raise BadCell("is not a finite number")
    return value


def _non_negative(value: Any) -> float | int:
    number = _number(value)
    if number < 0:
        raise BadCell("is negative")
    return number


def _share(value: Any) -> float | int:
    number = _number(value)
    if not 0 <= number <= 1:
        raise BadCell("is not a share between 0 and 1")
    return number


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail(value, "TRUE or FALSE")
    return value


IDENTIFIER = _text_matching(re.compile(IDENTIFIER_PATTERN), "an identifier")
TEXT = CellType("text", _plain_text)
TIMESTAMP = CellType("a date-time (UTC)", _timestamp)
COUNT = CellType("a whole number", _count)
NUMBER = CellType("a number", _number)
HOURS = CellType("a number of hours", _non_negative)
SHARE = CellType("a share between 0 and 1", _share)
BOOLEAN = CellType("TRUE or FALSE", _boolean)
SHA256 = _text_matching(re.compile(r"[0-9a-f]{64}"), "a SHA-256 (64 lower-case hex digits)")
ACCOUNT_REF = _text_matching(re.compile(r"[0-9a-f]{16}"), "an account_ref (16 hex digits)")
QUARTER = _text_matching(re.compile(r"[0-9]{4}-Q[1-4]"), "a quarter written YYYY-Qn")
COUNTRY = _one_of(COUNTRY_CODES, "an ISO 3166-1 alpha-2 country code")
ISSUE_CODE = _text_matching(re.compile(r"DTR-[A-Z][0-9]{3}"), "an issue code like DTR-T005")
CATEGORY_CODE = _one_of((category.code for category in Category), "a category code")
SEVERITY = _one_of((severity.value for severity in Severity), "a severity")
PRIORITY = _one_of((priority.value for priority in Priority), "a priority")


def _schema_version(value: Any) -> str:
    if value != SCHEMA_VERSION:
        raise BadCell(f"is not the schema version {SCHEMA_VERSION}")
    return SCHEMA_VERSION


def _standard_version(value: Any) -> str:
    if value != STANDARD_VERSION:
        raise BadCell(f"is not the standard version {STANDARD_VERSION}")
    return STANDARD_VERSION


COVER_TYPES: dict[str, CellType] = {
    "submission_id": IDENTIFIER,
    "submission_type": _one_of((kind.value for kind in SubmissionType), "a submission type"),
    "amends_submission_id": IDENTIFIER.or_empty(),
    "period": QUARTER,
    "generated_at": TIMESTAMP,
    "platform": TEXT,
    "registration_number": TEXT,
    "jurisdiction": COUNTRY,
    "schema_version": CellType(f"the text {SCHEMA_VERSION}", _schema_version),
    "standard_version": CellType(f"the text {STANDARD_VERSION}", _standard_version),
    "filing_ready": BOOLEAN,
    "source_sha256": SHA256,
}


def _require_same_columns(what: str, typed: Iterable[str], written: tuple[str, ...]) -> None:
    """Refuse to import if the receiver would type other columns (or sheets, or fields) than
    the writer writes, or in another order.

    A real check, not an ``assert``: ``python -O`` drops asserts, and a receiver checking the
    wrong columns would accept or reject returns for the wrong reasons.
    """
    if tuple(typed) != written:
        raise RuntimeError(
            f"{what}: the receiver has cell types for {tuple(typed)}, "
            f"but the return is written with {written}"
        )


_require_same_columns("Cover", COVER_TYPES, COVER_FIELDS)

_KIND_TYPES: dict[MetricKind, CellType] = {
    MetricKind.COUNT: COUNT,
    MetricKind.HOURS: HOURS.or_empty(),
    MetricKind.SHARE: SHARE.or_empty(),
}
METRIC_TYPES: dict[str, CellType] = {
    metric.name: _KIND_TYPES[metric.kind] for metric in SUMMARY_METRICS
}
"""Typed by each metric's kind in the one metric table, so they cannot drift from the writer."""

TABLE_TYPES: dict[str, dict[str, CellType]] = {
    "Referrals": {
        "referral_id": IDENTIFIER,
        "referral_type": _one_of((kind.value for kind in ReferralType), "a referral type"),
        "priority": PRIORITY,
        "categories": _joined(
            (category.code for category in Category), "category codes", at_least_one=True
        ),
        "detected_at": TIMESTAMP,
        "suspicion_formed_at": TIMESTAMP,
        "referred_at": TIMESTAMP.or_empty(),
        # Negative only in a draft whose chronology is broken (DTR-T002): still a number.
        "hours_to_referral": NUMBER.or_empty(),
        "deadline_met": BOOLEAN.or_empty(),
        "subject_count": COUNT,
        "content_item_count": COUNT,
        "actions_taken": _joined(
            (action.value for action in Action), "actions", at_least_one=False
        ),
        "authority_reference": TEXT.or_empty(),
    },
    "Content": {
        "referral_id": IDENTIFIER,
        "content_id": IDENTIFIER,
        "service_id": IDENTIFIER,
        "content_type": _one_of((kind.value for kind in ContentType), "a content type"),
        "detection_source": _one_of(
            (source.value for source in DetectionSource), "a detection source"
        ),
        "visibility": _one_of((kind.value for kind in Visibility), "a visibility"),
        "posted_at": TIMESTAMP,
        "detected_at": TIMESTAMP,
        "removed_at": TIMESTAMP.or_empty(),
        "hours_online": NUMBER.or_empty(),
        "view_count": COUNT.or_empty(),
        # As submitted: a draft may carry a malformed hash (DTR-A004), which its Validation
        # sheet reports; the receiver checks only that it is text.
        "sha256": TEXT.or_empty(),
    },
    "Removals": {
        "action_id": IDENTIFIER,
        "service_id": IDENTIFIER,
        "account_ref": ACCOUNT_REF,
        "category": CATEGORY_CODE,
        "actioned_at": TIMESTAMP,
        "referral_id": IDENTIFIER.or_empty(),
        "referred": BOOLEAN,
    },
    "Validation": {
        "code": ISSUE_CODE,
        "severity": SEVERITY,
        "path": TEXT.or_empty(),
        "referral_id": IDENTIFIER.or_empty(),
        "message": TEXT,
    },
}
TABLE_HEADERS: dict[str, tuple[str, ...]] = {
    "Referrals": REFERRAL_COLUMNS,
    "Content": CONTENT_COLUMNS,
    "Removals": REMOVAL_COLUMNS,
    "Validation": VALIDATION_COLUMNS,
}
_require_same_columns("the return's sheets", TABLE_TYPES, tuple(TABLE_HEADERS))
for _name, _header in TABLE_HEADERS.items():
    _require_same_columns(_name, TABLE_TYPES[_name], _header)

KEY_VALUE_NAMES = ("Cover", "Summary")
LEGACY_STANDARD = "1.0"
"""A return written under DTR-1 1.0: no ``standard_version`` row, and no ``issues_breach``."""
_ADDED_IN_1_1 = frozenset({"standard_version", "issues_breach"})


def key_value_layout(name: str, standard: str) -> tuple[tuple[str, str], dict[str, CellType]]:
    """The header and the rows, with their types, of the Cover or the Summary sheet of a
    return written under ``standard`` (a receiver reads 1.0 returns as well as 1.1)."""
    header, types = {
        "Cover": (("field", "value"), COVER_TYPES),
        "Summary": (
            ("metric", "value"),
            METRIC_TYPES,
        ),
    }[name]
    if standard == LEGACY_STANDARD:
        types = {key: kind for key, kind in types.items() if key not in _ADDED_IN_1_1}
    return header, types


SHEETS: tuple[str, ...] = SHEET_NAMES
"""Every sheet of a return, in the standard's order."""
