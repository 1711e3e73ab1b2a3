"""JSON text that is always valid UTF-8, whatever strings it carries.

``json.dumps(..., ensure_ascii=False)`` keeps every character as it is, which is what a
reader wants of Arabic or emoji, but also keeps a lone surrogate (half of a UTF-16 pair: a
JSON input may write one as ``"\\ud800"``, and a file name that is not UTF-8 decodes to
them), and then the text cannot be encoded: writing it raises. A surrogate can only stand
inside a JSON string, so writing it as its ``\\uXXXX`` escape keeps the document valid JSON
that reads back to the same value; text without one is left byte for byte as it was.
"""

from __future__ import annotations

import json
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_surrogates(text: str) -> str:
    """``text`` (JSON text) with every lone surrogate written as its ``\\uXXXX`` escape."""
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def dumps(data: Any, *, indent: int | None = None, **options: Any) -> str:
    """``json.dumps`` with ``ensure_ascii=False``, and never a lone surrogate in the text."""
    text = json.dumps(data, indent=indent, ensure_ascii=False, **options)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # rare: only then is the text searched
        return escape_surrogates(text)
    return text


def file_bytes(data: Any) -> bytes:
    """A JSON file's bytes: indented by two, a final newline, UTF-8."""
    return (dumps(data, indent=2) + "\n").encode("utf-8")
