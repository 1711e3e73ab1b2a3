"""A1 cell references: column numbers as letters and back, and the first cell of a range."""

from __future__ import annotations

import re

_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def column_letter(index: int) -> str:
    """``1`` -> ``A``, ``27`` -> ``AA``."""
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` -> ``1``, ``AA`` -> ``27`` (upper-case letters)."""
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index


def first_cell(reference: str) -> tuple[str, int]:
    """The column letters and row of a range's first cell (``B2:C3`` -> ``("B", 2)``); a
    reference that cannot be read (from a tampered file) gives ``("A", 1)``."""
    match = _CELL.match(reference)
    if not match:
        return "A", 1
    return match.group(1).upper(), int(match.group(2))
