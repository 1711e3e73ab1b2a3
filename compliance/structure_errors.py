"""pydantic's validation errors, translated into DTR-S issues a compliance officer can act on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from compliance.formats import PATTERN_DESCRIPTIONS
from compliance.issues import Issue, Severity
from compliance.model import EMPTY_LIST_FIELDS
from compliance.quoting import checked_identifier, quote_value, shown_name

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


def json_pointer(location: tuple[str | int, ...]) -> str:
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in location)


def _field_name(location: tuple[str | int, ...]) -> str:
    for token in reversed(location):
        if isinstance(token, str):
            return token
    return "item"


def _shown(value: Any, field: str) -> str:
    """The offending value quoted for the message, when :func:`quote_value` allows it."""
    quoted = quote_value(field, value)
    return f" ({quoted})" if quoted else ""


def _classify(error: Any, field: str, value_is_field: bool = True) -> tuple[str, str]:
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    subject = field
    if kind in _MISSING:
        if field in EMPTY_LIST_FIELDS:
            return "DTR-S001", f"{subject} is required but missing; write [] if there are none."
        return "DTR-S001", f"{subject} is required but missing."
    if kind in _UNKNOWN:
        if shown_name(field) is None:
            return "DTR-S003", (
                "This object has a field DTR-1 does not define here, whose name is not shown "
                "(it is not shaped like a field name, and could be personal data); unknown "
                "fields are refused so that a typo cannot pass silently."
            )
        return "DTR-S003", (
            f"{subject} is not a field DTR-1 defines here; unknown fields are refused so that a "
            "typo cannot pass silently."
        )
    if kind == "string_unicode":
        # A lone surrogate (half of a UTF-16 pair, as JSON may write "\ud800"). pydantic
        # reports one in a key at the object or list item itself, not at a field.
        where = f"{subject} holds" if value_is_field else "This item holds, in a key or a value,"
        return "DTR-S002", (
            f"{where} text that is not valid Unicode (a lone surrogate, half of a UTF-16 pair "
            "such as \\ud800), which no file can hold."
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
        limit = _RANGE_WORDS.get(kind)
        if limit is not None:
            return "DTR-S005", f"{subject}{shown} {limit(context)}."
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
    plain = _TYPE_WORDS.get(kind)
    if plain is not None:
        return "DTR-S002", f"{subject}{shown} {plain}."
    detail = str(error["msg"]).removeprefix("Value error, ")
    detail = detail[0].lower() + detail[1:] if detail else "it is not what the field takes"
    return "DTR-S002", f"{subject}{shown} has the wrong type or format: {detail}."


def _at_least(context: dict[str, Any]) -> str:
    count = context.get("min_length", 1)
    return "must list at least one item" if count == 1 else f"must list at least {count} items"


def _at_least_characters(context: dict[str, Any]) -> str:
    count = context.get("min_length", 1)
    return "must not be empty" if count == 1 else f"must be at least {count} characters long"


_RANGE_WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "too_short": _at_least,
    "string_too_short": _at_least_characters,
    "greater_than": lambda context: f"must be more than {context.get('gt')}",
    "greater_than_equal": lambda context: f"must be {context.get('ge')} or more",
    "less_than": lambda context: f"must be less than {context.get('lt')}",
    "less_than_equal": lambda context: f"must be {context.get('le')} or less",
}
"""Plain words for pydantic's range errors ("list should have at least 1 item after
validation" is pydantic's, not a compliance officer's)."""

_TYPE_WORDS: dict[str, str] = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number, without a fraction",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text (in quotes)",
    "none_required": "must be null",
}


def structure_issues(
    error: ValidationError,
    prefix: tuple[str | int, ...] = (),
    referral_id: str | None = None,
) -> list[Issue]:
    """One DTR-S issue per pydantic error, located by JSON Pointer under ``prefix``."""
    issues = []
    # A referral that failed validation may have an id that is no identifier at all (a
    # control character, a lone surrogate, an e-mail address): it then names no group.
    referral_id = checked_identifier(referral_id)
    # include_input is needed to quote non-personal values; _shown() withholds the rest.
    for item in error.errors(include_url=False):
        location = (*prefix, *item["loc"])
        value_is_field = bool(location) and isinstance(location[-1], str)
        code, message = _classify(item, _field_name(location), value_is_field)
        if item["type"] in _UNKNOWN and shown_name(_field_name(location)) is None:
            # The unknown key's name is untrusted and not shown: point at its object.
            location = location[:-1]
        issues.append(Issue(code, Severity.ERROR, message, json_pointer(location), referral_id))
    return issues
