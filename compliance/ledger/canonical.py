"""The canonical form of a document (spec 10.2): the bytes that decide "the same document".

JSON with keys sorted, no insignificant white space, UTF-8 with no escaping beyond JSON's
own, every timestamp in UTC as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (trailing zeros of the
fraction dropped), every date as ``YYYY-MM-DD``, and text exactly as received: no Unicode
normalisation, since a filed narrative is evidence and must read as it was written.

The input is the Python value of a document, as ``model_dump(mode="python")`` gives it:
dicts, lists, strings (code-list enums are strings), integers, floats, booleans, ``None``,
aware datetimes and dates. Anything else is refused rather than guessed at, because a value
that serialised two ways would make one document two.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any


def canonical_bytes(value: object) -> bytes:
    """The canonical form of ``value``: equal documents give equal bytes, whatever offsets."""
    return json.dumps(
        _plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def canonical_sha256(value: object) -> str:
    """The lower-case hex SHA-256 of ``canonical_bytes(value)``."""
    return sha256_hex(canonical_bytes(value))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utc_text(moment: datetime) -> str:
    """``2026-08-14T09:30:00.5Z``: a timestamp as the canonical form writes it."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timestamp {moment.isoformat()} has no UTC offset: it names no instant")
    moment = moment.astimezone(UTC)
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def _plain(value: object) -> Any:
    # datetime before date: a datetime is a date too, and must keep its time and offset.
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a JSON number")
        return value
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"a document's keys are text, not {type(key).__name__}")
            plain[key] = _plain(item)
        return plain
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise TypeError(f"{type(value).__name__} has no canonical form")
