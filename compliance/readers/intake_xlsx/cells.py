"""An intake workbook's cells as the JSON values of DTR-1 fields.

Some cells hold nothing any field takes, whatever their column: a formula (never evaluated),
a spreadsheet error, TRUE or FALSE, a duration, a time of day. They are set aside while the
workbook is read (:func:`not_intake_data`) and become a :class:`CellProblem` in their place.
Every other cell becomes the JSON value its column's kind takes (:func:`json_value`), or a
problem when it cannot: a date where a whole number belongs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from compliance.intake.layout import LIST_KINDS, LIST_SEPARATOR, Kind
from compliance.xlsx.sheet_cells import FilledCell


@dataclass(frozen=True, slots=True)
class CellProblem:
    message: str
    """Completes a sentence about the cell: "holds a formula; ..."."""


CellValue = str | int | float | datetime | date | CellProblem
"""What an intake cell holds once read: a value, or why it has none."""


def not_intake_data(cell: FilledCell) -> str | None:
    """Why a cell holds nothing any DTR-1 field takes, or None."""
    if cell.kind == "f":
        return (
            "holds a formula; DTR-1 values are typed, not calculated, so it is not read "
            "(copy the cell and paste it as a value)"
        )
    if cell.kind == "e":
        return f"holds the spreadsheet error {str(cell.value)[:12]}"
    if cell.kind == "b" or isinstance(cell.value, bool):
        return "holds TRUE or FALSE, which no DTR-1 field takes"
    if isinstance(cell.value, timedelta):
        return "holds a duration, which no DTR-1 field takes"
    if isinstance(cell.value, time):
        return "holds a time of day without a date"
    return None


def json_value(kind: Kind | None, value: CellValue) -> Any:
    """A cell's value as the JSON value for a field of ``kind`` (None: a field DTR-1 does not
    define), or a :class:`CellProblem`."""
    if isinstance(value, CellProblem):
        return value
    if kind in LIST_KINDS:
        text = json_value(Kind.TEXT, value)
        if not isinstance(text, str):
            return text
        return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]
    if isinstance(value, datetime | date):
        text = _iso_text(value)
        if kind is Kind.DATE and text.endswith("T00:00:00Z"):
            return text[:10]
        if kind is Kind.INTEGER:
            return CellProblem("holds a date where a whole number belongs")
        return text
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        if kind is Kind.INTEGER or kind is None:
            if isinstance(value, float):
                if not math.isfinite(value):
                    return CellProblem("holds a number too large to represent")
                if value.is_integer():
                    return int(value)
            return value
        return _number_text(value)
    return CellProblem("holds a value of an unknown type")


def cell_text(value: CellValue) -> str | CellProblem:
    """A header or field-name cell as text, or why it is not text."""
    text = json_value(Kind.TEXT, value)
    return text if isinstance(text, str | CellProblem) else CellProblem("is not text")


def _iso_text(value: datetime | date) -> str:
    """A date-time cell as DTR-1 timestamp text (cells hold UTC); a date at midnight."""
    if not isinstance(value, datetime):
        return value.isoformat() + "T00:00:00Z"
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    spec = "seconds" if not value.microsecond else "milliseconds"
    if value.microsecond % 1000:
        spec = "microseconds"
    return value.isoformat(timespec=spec) + "Z"


def _number_text(value: int | float) -> str | float | CellProblem:
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return CellProblem("holds a number too large to represent")
    if value.is_integer():
        return str(int(value))
    return value  # a fraction where text belongs: the checker reports the wrong type
