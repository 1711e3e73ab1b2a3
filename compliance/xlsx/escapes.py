"""OOXML's _xHHHH_ text escapes, undone when reading and made exact when writing.

OOXML stores a character as _xHHHH_, so text that itself contains such a pattern has its
underscore escaped (_x005F_): a literal "_x0041_" is stored as "_x005F_x0041_".
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# XlsxWriter escapes each pattern it finds, left to right, and so misses one that shares its
# underscore with the pattern before it: "_x005F_x0041_" would read back as "_x005FA".
# Escaping every underscore that starts a pattern is exact, and XlsxWriter's own escaping code
# applies it when given this expression.
_EXACT_ESCAPE = re.compile(r"(_)(?=x[0-9a-fA-F]{4}_)")


def unescape_text(text: str) -> str:
    """Undo OOXML's _xHHHH_ escapes, exactly once."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


@contextlib.contextmanager
def exact_text_escapes() -> Iterator[None]:
    """XlsxWriter escapes text as it writes it out: close a workbook inside this block, and
    every text reads back exactly as it was given."""
    from xlsxwriter import xmlwriter  # only writers need it, not the readers

    original = xmlwriter.re_control_chars_1
    xmlwriter.re_control_chars_1 = _EXACT_ESCAPE
    try:
        yield
    finally:
        xmlwriter.re_control_chars_1 = original


def stored_exactly(text: str) -> bool:
    """Whether ``text``, written in :func:`exact_text_escapes`, reads back as it is."""
    return _ESCAPE.search(text) is None or _escaping_is_exact()


@functools.cache
def _escaping_is_exact() -> bool:
    """False only if a future XlsxWriter escapes differently: then such text is refused."""
    from xlsxwriter import xmlwriter

    probe = "_x005F_x0041_ _xFFFE_ \ufffe"
    with exact_text_escapes():
        escaped = xmlwriter.XMLwriter._escape_control_characters(probe)
    return unescape_text(escaped) == probe
