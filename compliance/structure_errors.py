"""pydantic's validation errors, translated into DTR-S issues a compliance officer can act on."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from compliance.formats import PATTERN_DESCRIPTIONS
from compliance.issues import Issue, Severity
from compliance.model import EMPTY_LIST_FIELDS, PERSONAL_DATA_FIELDS

_MISSING = {"missing"}
_UNKNOWN = {"extra_forbidden"}
_NOT_IN_LIST = {"enum", "literal_error"}
_OUT_OF_RANGE = {
    "string_too_short",
    "string_too_long",
    "too_short",
    "too_long",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "repeated_item",
    "age_out_of_range",
    "timestamp_out_of_range",
}
_TIMESTAMP_FORMATS = {
    "datetime_parsing",
    "datetime_from_date_parsing",
    "datetime_type",
    "date_parsing",
    "date_from_datetime_parsing",
    "date_from_datetime_inexact",
    "date_type",
    "iso_text_required",
    "date_text_required",
}
_SHOWN_VALUE_LIMIT = 60


def json_pointer(location: tuple[str | int, ...]) -> str:
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in location)


def _field_name(location: tuple[str | int, ...]) -> str:
    for token in reversed(location):
        if isinstance(token, str):
            return token
    return "item"


def _shown(value: Any, field: str) -> str:
    """The offending value quoted for the message, unless it is personal data or huge."""
    if field in PERSONAL_DATA_FIELDS or isinstance(value, dict | list):
        return ""
    text = json_text(value)
    if len(text) > _SHOWN_VALUE_LIMIT:
        text = text[: _SHOWN_VALUE_LIMIT - 3] + "..."
    return f" ({text})"


def json_text(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _classify(error: Any, field: str) -> tuple[str, str]:
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    subject = field
    if kind in _MISSING:
        if field in EMPTY_LIST_FIELDS:
            return "DTR-S001", f"{subject} is required but missing; write [] if there are none."
        return "DTR-S001", f"{subject} is required but missing."
    if kind in _UNKNOWN:
        return "DTR-S003", (
            f"{subject} is not a field DTR-1 defines here; unknown fields are refused so that a "
            "typo cannot pass silently."
        )
    shown = _shown(value, field)
    if kind in _NOT_IN_LIST:
        expected = context.get("expected", "")
        return "DTR-S004", f"{subject}{shown} is not in its code list; expected {expected}."
    if kind in _OUT_OF_RANGE:
        if kind in {"string_too_long", "too_long"} and isinstance(value, str | list):
            return "DTR-S005", (
                f"{subject} is {len(value)} {'characters' if isinstance(value, str) else 'items'} "
                f"long; at most {context.get('max_length')} are allowed."
            )
        detail = error["msg"][0].lower() + error["msg"][1:]
        return "DTR-S005", f"{subject}{shown} is out of range: {detail}."
    if kind == "string_pattern_mismatch":
        description = PATTERN_DESCRIPTIONS.get(str(context.get("pattern")), "has the wrong format")
        return "DTR-S002", f"{subject}{shown} {description}."
    if kind == "reserved_device_name":
        return "DTR-S002", f"{subject}{shown} {error['msg']} (such as CON, NUL, COM1 or LPT1)."
    if kind == "timezone_aware":
        return "DTR-S002", (
            f"{subject}{shown} has no UTC offset; write it with one, like 2026-08-14T09:30:00Z."
        )
    if kind in _TIMESTAMP_FORMATS:
        return "DTR-S002", (
            f"{subject}{shown} is not an ISO 8601 "
            f"{'date' if kind.startswith('date_') else 'timestamp'} "
            "(like 2026-08-14T09:30:00Z, or 2026-08-14 for a date)."
        )
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return "DTR-S002", f"{subject} must be a JSON object."
    if kind == "list_type":
        return "DTR-S002", f"{subject} must be a list (write [] when there are none)."
    detail = error["msg"][0].lower() + error["msg"][1:]
    return "DTR-S002", f"{subject}{shown} has the wrong type or format: {detail}."


def structure_issues(
    error: ValidationError,
    prefix: tuple[str | int, ...] = (),
    referral_id: str | None = None,
) -> list[Issue]:
    """One DTR-S issue per pydantic error, located by JSON Pointer under ``prefix``."""
    issues = []
    # include_input is needed to quote non-personal values; _shown() withholds personal ones.
    for item in error.errors(include_url=False):
        location = (*prefix, *item["loc"])
        code, message = _classify(item, _field_name(location))
        issues.append(Issue(code, Severity.ERROR, message, json_pointer(location), referral_id))
    return issues
